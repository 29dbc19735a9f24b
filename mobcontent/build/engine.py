"""The orchestrator: load → select → translate → adapt → render → print → bundle.

:func:`build_project` builds every requested leaflet in every requested locale
(and its bilingual edition). A leaflet that fails does not stop the others; the
report lists every output written and every failure, and the caller decides the
exit code.
"""
from __future__ import annotations

from ..base.errors import Problem
from ..base.model import Project
from ..base.version import __version__
from ..pipeline.fontkit import font_cache_dir, project_characters
from ..printing.fonts import prepare_font_kit
from .cache import fast_reuse, merge_previous, previous_outputs
from .contact import write_contact_sheet
from .gate import harfbuzz_notice, project_findings
from .manifest import read_manifest, write_manifest
from .plan import BuildOptions, BuildReport, JobResult, failed_results, plan_jobs
from .pool import run_jobs
from .stage import commit_outputs, staging_dir


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
    previous = read_manifest(build_dir) or {}
    import shutil
    shutil.rmtree(staging_dir(build_dir), ignore_errors=True)  # left by an interrupted build
    cache = previous_outputs(previous, options, build_dir) if options.incremental else {}
    results: dict[str, JobResult] = {}
    for job in jobs:
        reused = fast_reuse(project, job, cache.get(job.name), kit.key, options)
        if reused is not None:
            results[job.name] = JobResult(job.name, tuple(reused), tuple(Problem(**p) for p in reused[0].problems),
                                          False, 0.0)
            if progress:
                progress(results[job.name])
    remaining = [job for job in jobs if job.name not in results]
    findings = project_findings(project) if remaining else ()  # the checks cost more than a no-op build
    for result in run_jobs(project, remaining, kit, options, findings, cache, progress):
        results[result.name] = result
    for result in (results[job.name] for job in jobs):
        report.results.append(result)
        report.outputs.extend(result.outputs)
        report.problems.extend(p for p in result.problems if p not in report.problems)
        (report.rendered if result.rendered else report.reused).append(result.name)
        if any(p.severity == "error" for p in result.problems):
            report.failed_jobs.add(result.name)
            report.refused += options.release and not result.outputs
    for result in failed_results(project, options):  # files that could not be loaded: only their leaflets fail
        report.results.append(result)
        report.problems.extend(p for p in result.problems if p not in report.problems)
        report.failed_jobs.add(result.name)
    if "pdf" in options.formats and report.rendered:
        report.problems.extend(harfbuzz_notice())
    report.outputs = merge_previous(project, previous, report.outputs, jobs, options, report)
    commit_outputs(build_dir, report, jobs,
                   lambda: write_manifest(build_dir, report.outputs, f"mobcontent {__version__}", options.release))
    write_contact_sheet(build_dir, report.outputs, project.config.name)
    return report
