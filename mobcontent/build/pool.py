"""Running jobs in watched worker processes (:mod:`mobcontent.build.watchdog`), each
under the time limit and the memory cap; results come back in plan order.

The serial path (``--jobs 1``) is one watched worker: a runaway or a crash is
stopped the same way whatever the number of jobs.
"""
from __future__ import annotations

from dataclasses import replace

from ..base.errors import MobcontentError, Problem
from ..base.i18n import _
from ..base.model import Project
from ..printing.pdf import font_configuration
from .gate import FAILED
from .job import build_job
from .plan import BuildOptions, Job, JobResult
from .watchdog import CRASH, MEMORY, TIMEOUT, Limits, run_watched


def run_jobs(project: Project, jobs: list[Job], kit, options: BuildOptions, findings, cache: dict, progress=None):
    """Yield a JobResult per job, in plan order; every job runs in a watched worker."""
    limits = Limits(options.time_limit, options.memory_limit)
    _WORKER.update(project=project, kit=kit, options=options, findings=findings, jobs={j.name: j for j in jobs})
    arguments = [(job.name, cache.get(job.name)) for job in jobs]
    results: dict[int, JobResult] = {}
    try:
        for done in run_watched(_worker_job, arguments, options.jobs, limits, _init_worker, (kit.key,)):
            job = jobs[done.index]
            result = done.value if not done.failure else _failed(job, done.failure, done.detail, options)
            results[done.index] = result
            if progress:
                progress(result)
    finally:
        _WORKER.clear()
    for index in range(len(jobs)):
        yield results[index]


_WORKER: dict = {}  # set in the parent before the workers fork: they inherit it


def _init_worker(kit_key: str) -> None:
    """Each worker prepares the fonts once, for all its jobs."""
    font_configuration(kit_key)


def _worker_job(name: str, cached) -> JobResult:
    """One job, in a worker: the job's own errors are its problems."""
    import time
    project, options, job = _WORKER["project"], _WORKER["options"], _WORKER["jobs"][name]
    start = time.perf_counter()
    try:
        result = build_job(project, job, _WORKER["kit"], options, _WORKER["findings"], cached)
    except MobcontentError as exc:
        result = JobResult(job.name, (), (exc.problem(),), True, 0.0, FAILED, (exc.problem(),))
    return replace(result, seconds=time.perf_counter() - start)


def _failed(job: Job, failure: str, detail: str, options: BuildOptions) -> JobResult:
    """The result of a job whose worker was stopped or died."""
    where = (job.leaflet.path, job.leaflet.line)
    if failure == TIMEOUT:
        problem = Problem("build-timeout", "error", *where,
                          _("'{job}' took more than {seconds} s and was stopped").format(
                              job=job.name, seconds=f"{options.time_limit:g}"),
                          _("look for a runaway text or style in this leaflet's messages, translations or layout"))
    elif failure == MEMORY:
        problem = Problem("build-memory", "error", *where,
                          _("'{job}' needed more than {limit} MB of memory and was stopped").format(
                              job=job.name, limit=options.memory_limit),
                          _("look for a runaway text or image in this leaflet, or raise --memory-limit"))
    elif failure == CRASH:
        problem = Problem("build-failed", "error", *where,
                          _("'{job}' failed: its worker process died ({signal})").format(job=job.name, signal=detail),
                          _("the other leaflets were built; build this one alone to see the problem"))
    else:
        problem = Problem("build-failed", "error", *where,
                          _("'{job}' failed in a worker process: {error}").format(job=job.name, error=detail),
                          _("build it alone with --jobs 1 to see the problem"))
    seconds = options.time_limit if failure == TIMEOUT else 0.0
    return JobResult(job.name, (), (problem,), True, seconds, FAILED, (problem,))
