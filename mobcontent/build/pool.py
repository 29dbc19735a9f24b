"""Running jobs in watched worker processes (:mod:`mobcontent.build.watchdog`), each
under the time limit and the memory cap; results come back in plan order.

The serial path (``--jobs 1``) is one watched worker: a runaway or a crash is
stopped the same way whatever the number of jobs.
"""
from __future__ import annotations

import gc
from dataclasses import replace

from ..base.errors import MobcontentError, Problem
from ..base.i18n import _
from ..base.model import Project
from ..base.version import tool_fingerprint
from ..checks.runner import BUILD_CHECKS, QUICK_CHECKS, run_checks
from ..printing.pdf import font_configuration, load_weasyprint
from .findings import run_checks_remembered
from .gate import FAILED
from .job import (
    build_job,
    concerns_jobs,
    findings_by_path,
    related_findings,
    with_findings,
)
from .plan import BuildOptions, Job, JobResult
from .watchdog import CRASH, MEMORY, TIMEOUT, Limits, run_watched


def run_jobs(project: Project, jobs: list[Job], kit, options: BuildOptions, cache: dict, progress=None,
             findings=None) -> tuple[list[JobResult], tuple[Problem, ...]]:
    """Every job's result in plan order, and the project's check findings (of the checks
    run in the pool, only those that concern jobs: :func:`concerns_jobs`).

    With ``findings=None`` the quick checks (:data:`QUICK_CHECKS`: the approvals) run
    here first, so every job knows them, and the others run in the pool as its first
    task, beside the first renders rather than before them. The workers never wait
    for them: when they concern a job already built (an error in a file it read), the
    job's result takes them in (:func:`with_findings`: an edition already printed with
    the DRAFT mark needs no new print); only an edition printed as ready, or refused
    in a release, is built again with them, once the rest is done.
    """
    late = findings is None
    known = tuple(run_checks(project, QUICK_CHECKS)) if late else tuple(findings)
    tasks = ([("checks", "", None)] if late else []) + [("job", j.name, cache.get(j.name)) for j in jobs]
    settled = _Settled({job.name: job for job in jobs}, known, late, options.release, progress)
    for kind, result in _watched(project, settled.jobs, tasks, kit, options, known):
        if kind == "checks":
            settled.findings(result)
        else:
            settled.add(result)
    findings = known + settled.slow
    if settled.again:
        redo = [("job", job.name, None) for job in settled.again]
        for _kind, result in _watched(project, settled.jobs, redo, kit, options, findings):
            settled.done(result)
    return [settled.results[job.name] for job in jobs], findings


class _Settled:
    """The jobs' results as they come back: held until the slow checks' findings are in,
    then each takes in those that concern it, or goes to ``again`` to be built again."""

    def __init__(self, jobs: dict[str, Job], known: tuple, late: bool, release: bool, progress):
        self.jobs, self.known, self.release, self.progress = jobs, known, release, progress
        self.slow: tuple[Problem, ...] = ()
        self.index: dict | None = None if late else {}  # the slow findings by file; None: not yet
        self.waiting: list[JobResult] = []
        self.results: dict[str, JobResult] = {}
        self.again: list[Job] = []

    def findings(self, found) -> None:
        """The slow checks' findings (those the workers did not know): settle what waited."""
        said = set(self.known)
        self.slow = tuple(p for p in found if p not in said)
        self.index = findings_by_path(self.slow)
        for result in self.waiting:
            self.add(result)

    def add(self, result: JobResult) -> None:
        if self.index is None:
            self.waiting.append(result)
            return
        extra = related_findings(self.index, result.read) if result.rendered else []
        merged = with_findings(result, extra, self.release) if extra else result
        if merged is None:
            self.again.append(self.jobs[result.name])
        else:
            self.done(merged)

    def done(self, result: JobResult) -> None:
        self.results[result.name] = result
        if self.progress:
            self.progress(result)


def _watched(project, jobs: dict, tasks, kit, options, findings):
    """``(kind, value)`` of each task as it finishes in the watched workers: the findings
    of the checks task, a JobResult for a job (a stopped or dead worker fails its job)."""
    limits = Limits(options.time_limit, options.memory_limit)
    load_weasyprint()  # once, here: the workers inherit it (and the code's fingerprint)
    tool_fingerprint()
    _WORKER.update(project=project, kit=kit, options=options, findings=findings, jobs=jobs)
    try:
        for done in run_watched(_worker_task, tasks, options.jobs, limits, _init_worker, (kit.key,)):
            kind, name, _cached = tasks[done.index]
            if kind == "checks":
                yield kind, (_unpacked(done.value) if not done.failure else ())
            else:
                yield kind, (done.value if not done.failure else _failed(jobs[name], done.failure, done.detail,
                                                                          options))
    finally:
        _WORKER.clear()


_WORKER: dict = {}  # set in the parent before the workers fork: they inherit it


def _init_worker(kit_key: str) -> None:
    """Each worker prepares the fonts once, for all its jobs."""
    font_configuration(kit_key)


def _worker_task(kind: str, name: str, cached):
    """One task, in a worker: the project checks, or one job (its own errors are its problems)."""
    import time
    project, options = _WORKER["project"], _WORKER["options"]
    if kind == "checks":  # only what a job may take in travels back (thousands of warnings need not)
        found = [p for p in run_checks_remembered(project, BUILD_CHECKS, _WORKER["kit"].key) if concerns_jobs(p)]
        _settle_heap()
        return _packed(found)
    job = _WORKER["jobs"][name]
    start = time.perf_counter()
    try:
        result = build_job(project, job, _WORKER["kit"], options, _WORKER["findings"], cached)
    except MobcontentError as exc:
        result = JobResult(job.name, (), (exc.problem(),), True, 0.0, FAILED, (exc.problem(),))
    if not _WORKER.get("warm"):
        _WORKER["warm"] = True
        _settle_heap()
    return replace(result, seconds=time.perf_counter() - start)


def _packed(problems: list[Problem]) -> tuple[tuple, ...]:
    """The checks' findings as they travel to the parent: a row of fields each, every
    text once (a project's thousands of findings share their paths, hints and many
    messages). A sixth of the bytes of the findings themselves (0.5 MB for 8,000), so the
    worker is not held writing them into the pipe while the parent, on a busy core,
    reads them."""
    texts: dict = {}
    return tuple(tuple(texts.setdefault(value, value) for value in
                       (p.code, p.severity, p.path, p.line, p.message, p.hint, p.column)) for p in problems)


def _unpacked(rows) -> tuple[Problem, ...]:
    return tuple(Problem(*row) for row in rows)


def _settle_heap() -> None:
    """In a worker, after its first job (the fonts, stylesheets and templates it prepared)
    and after the checks (their caches: catalogs, words judged): what lives on for the
    worker's other jobs is kept out of the collector's way. Every full collection would
    otherwise go through it again: the checks' leftovers doubled their cost (0.23 → 0.47 s
    per 150 leaflets), the first job's added a third."""
    gc.collect()
    gc.freeze()


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
