"""Running jobs: in this process or in a pool of worker processes, each job
under the time limit; results come back in plan order.
"""
from __future__ import annotations

from ..base.errors import MobcontentError, Problem
from ..base.i18n import _
from ..base.model import Project
from ..printing.pdf import font_configuration
from .job import build_job
from .plan import BuildOptions, Job, JobResult, plan_jobs


def run_jobs(project: Project, jobs: list[Job], kit, options: BuildOptions, findings, cache: dict, progress=None):
    """Yield a JobResult per job, in plan order, in this process or in a pool of workers."""
    if options.jobs <= 1 or len(jobs) <= 1:
        for job in jobs:
            result = _timed_job(project, job, kit, options, findings, cache.get(job.name))
            if progress:
                progress(result)
            yield result
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(options.jobs, len(jobs)), mp_context=context,
                             initializer=_init_worker, initargs=(project, kit, options, findings)) as pool:
        futures = {pool.submit(_worker_job, job.name, cache.get(job.name)): index for index, job in enumerate(jobs)}
        results: dict[int, JobResult] = {}
        for future in as_completed(futures):
            index = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # a worker that died (killed, out of memory) fails its job only
                result = JobResult(jobs[index].name, (), (Problem(
                    "build-failed", "error", jobs[index].leaflet.path, jobs[index].leaflet.line,
                    _("'{job}' failed in a worker process: {error}").format(
                        job=jobs[index].name, error=f"{type(exc).__name__}: {exc}"),
                    _("build it alone with --jobs 1 to see the problem")),), True, 0.0)
            results[index] = result
            if progress:
                progress(result)
        for index in range(len(jobs)):
            yield results[index]


_WORKER: dict = {}


def _init_worker(project, kit, options, findings) -> None:
    """Each worker keeps the project and prepares the fonts once, for all its jobs."""
    _WORKER.update(project=project, kit=kit, options=options, findings=findings)
    font_configuration(kit.key)


def _worker_job(name: str, cached) -> JobResult:
    project, options = _WORKER["project"], _WORKER["options"]
    if "jobs" not in _WORKER:
        _WORKER["jobs"] = {job.name: job for job in plan_jobs(project, options)}
    return _timed_job(project, _WORKER["jobs"][name], _WORKER["kit"], options, _WORKER["findings"], cached)


class JobTimeout(BaseException):
    """Raised by the alarm in a job that ran too long (a BaseException, so that no
    ``except Exception`` inside a library swallows it)."""


def _timed_job(project: Project, job: Job, kit, options: BuildOptions, findings, cached) -> JobResult:
    """Run one job with a time limit (a runaway render is stopped, not waited for)."""
    import signal
    import threading
    import time

    start = time.perf_counter()
    limit = options.time_limit if threading.current_thread() is threading.main_thread() else 0

    def expire(signum, frame):
        raise JobTimeout()

    previous = signal.signal(signal.SIGALRM, expire) if limit else None
    if limit:
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        outputs, problems, rendered = build_job(project, job, kit, options, findings, cached)
    except MobcontentError as exc:
        outputs, problems, rendered = [], [exc.problem()], True
    except JobTimeout:
        outputs, problems, rendered = [], [Problem(
            "build-timeout", "error", job.leaflet.path, job.leaflet.line,
            _("'{job}' took more than {seconds} s and was stopped").format(job=job.name, seconds=f"{limit:g}"),
            _("look for a runaway text or style in this leaflet's messages, translations or layout"))], True
    finally:
        if limit:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return JobResult(job.name, tuple(outputs), tuple(problems), rendered, time.perf_counter() - start)
