"""The orchestrator: load → select → translate → adapt → render → print → bundle.

:func:`build_project` builds every requested leaflet in every requested locale
(and its bilingual edition). A leaflet that fails does not stop the others; the
report lists every output written and every failure, and the caller decides the
exit code.
"""
from __future__ import annotations

from ..base.errors import MobcontentError, Problem
from ..base.model import Project
from ..base.version import __version__
from ..checks.runner import CHECKS
from ..pipeline.catalogs import read_kept_catalogs
from ..pipeline.fontkit import font_cache_dir, project_characters
from ..printing.fonts import prepare_font_kit
from .bounded import run_bounded
from .cache import fast_reuse, merge_previous, not_released, previous_outputs
from .contact import write_contact_sheet
from .findings import run_checks_remembered
from .gate import FAILED, harfbuzz_notice
from .job import reused_result
from .manifest import edition_json, read_manifest, write_manifest
from .plan import BuildOptions, BuildReport, JobResult, failed_results, plan_jobs
from .pool import run_jobs
from .stage import clear_staging, commit_outputs


def build_project(project: Project, options: BuildOptions = BuildOptions(), progress=None) -> BuildReport:
    """Build the outputs ``options`` asks for into ``<project>/build/`` and write the manifest.

    Outputs whose inputs (the sha256 of every file and PO entry they use, the
    layout, the font kit, the tool) match the previous manifest are reused, not
    rendered again. With ``options.jobs > 1`` the jobs run in a pool of worker
    processes, each preparing the fonts once; results come back in plan order.
    """

    build_dir = project.root / "build"
    report = BuildReport(problems=list(project.warnings) + list(project.unloaded))
    jobs = plan_jobs(project, options)
    kit = prepare_font_kit(font_cache_dir(project), project_characters(project))
    previous = read_manifest(build_dir, report.problems) or {}
    clear_staging(build_dir)  # left by an interrupted build
    cache = previous_outputs(previous, options, build_dir) if options.incremental else {}
    results: dict[str, JobResult] = {}
    for job in jobs:
        reused = fast_reuse(project, job, cache.get(job.name), kit.key, options)
        if reused is not None:
            results[job.name] = reused_result(job.name, reused)
            if progress:
                progress(results[job.name])
    remaining = [job for job in jobs if job.name not in results]
    if remaining:  # the project checks run in the pool beside the first renders (a no-op build needs none)
        read_kept_catalogs(project.root)  # before the workers fork: they inherit them
        done, _findings = run_jobs(project, remaining, kit, options, cache, progress)
        results.update((result.name, result) for result in done)
    report_results(report, [results[job.name] for job in jobs])
    report_results(report, failed_results(project, options), built=False)  # files that could not be loaded
    if "pdf" in options.formats and report.rendered:
        report.problems.extend(harfbuzz_notice())
    report.outputs = merge_previous(project, previous, report.outputs, jobs, options, report)
    report.outputs += not_released(previous, report, build_dir)
    editions = build_editions(project, previous, jobs, report, options)
    commit_outputs(build_dir, report, jobs, lambda: write_manifest(
        build_dir, report.outputs, f"mobcontent {__version__}", options.release, editions))
    write_contact_sheet(build_dir, report.outputs, project.config.name)
    return report


def report_results(report: BuildReport, results: list[JobResult], built: bool = True) -> None:
    """Add each result to ``report``: its outputs, its problems (each said once, however
    many editions share it), rendered or reused, failed or refused. ``built=False``: the
    leaflets that could not be loaded (only they fail; they are neither rendered nor reused)."""
    said = set(report.problems)
    for result in results:
        report.results.append(result)
        report.outputs.extend(result.outputs)
        report.problems.extend(p for p in dict.fromkeys(result.problems) if p not in said)
        said.update(result.problems)
        if built:
            (report.rendered if result.rendered else report.reused).append(result.name)
        if not built or result.state == FAILED or any(p.severity == "error" for p in result.problems):
            report.failed_jobs.add(result.name)
        report.refused += result.refused


def build_editions(project: Project, previous: dict, jobs, report: BuildReport, options: BuildOptions) -> list[dict]:
    """Every edition's state for the manifest: this build's, and (for a partial build)
    the earlier ones of editions still in the project that it did not plan."""
    planned = {job.name: job for job in jobs}
    editions = {}
    for r in report.results:  # a leaflet that could not be loaded has no planned job: its name is its slug
        job = planned.get(r.name)
        editions[r.name] = edition_json(r.name, job.leaflet.slug if job else r.name, job.locales if job else (),
                                        r.state, r.reasons)
    if options.partial and not options.shard and previous.get("release") == options.release:
        existing = {job.name for job in plan_jobs(project, BuildOptions())}
        for edition in previous.get("editions", []):
            if edition.get("name") in existing:
                editions.setdefault(edition["name"], edition)
    return list(editions.values())


def check_layouts(project: Project, jobs: int = 1) -> tuple[list[Problem], dict]:
    """What laying every edition out finds (``text-overflow``, ``glyph-missing``, a runaway
    or crashed layout), for ``mobcontent check``: nothing is printed or written but a
    cache in the user's cache folder (never in the project), so a second check lays out only what changed.
    Returns the problems and ``{"laid_out": n, "cached": n}``."""
    options = BuildOptions(formats=(), jobs=jobs, check_only=True)
    planned = plan_jobs(project, options)
    kit = prepare_font_kit(font_cache_dir(project), project_characters(project))
    results, _findings = run_jobs(project, planned, kit, options, {}, findings=())
    problems = list(dict.fromkeys(p for r in results for p in r.problems))
    return problems, {"laid_out": sum(r.rendered for r in results), "cached": sum(not r.rendered for r in results)}


def check_project(project: Project, jobs: int = 1, seconds: float = 300.0) -> tuple[list[Problem], dict]:
    """Everything that would block a release: the checks, then the layouts (fit, glyphs),
    sorted by path and line. Returns the problems and the layout counts. The checks run
    in a watched worker under ``seconds`` (a runaway input stops them, not the caller)."""
    read_kept_catalogs(project.root)  # before the workers fork: they inherit them
    problems, counts = check_layouts(project, jobs) if project.leaflets else ([], {"laid_out": 0, "cached": 0})
    kit = prepare_font_kit(font_cache_dir(project), project_characters(project))
    try:
        found = set(run_bounded(run_checks_remembered, (project, CHECKS, kit.key), seconds, "check"))
    except MobcontentError as exc:
        found = {exc.problem()}
    said = {(p.code, p.path, p.line) for p in found}
    found |= {p for p in problems if (p.code, p.path, p.line) not in said}  # laying out may meet them again
    return sorted(found, key=lambda p: (p.path, p.line, p.code, p.message)), counts
