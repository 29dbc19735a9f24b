"""The build report as people and CI read it: each job's status, and ``build --json``."""
from __future__ import annotations

from ..base.i18n import N_
from .plan import BuildOptions, BuildReport, JobResult

JOB_STATUSES = {"refused": N_("refused"), "failed": N_("failed"), "draft": N_("draft"), "ok": N_("ok")}


def job_status(result: JobResult) -> str:
    """``refused`` (a release build wrote nothing), ``failed``, ``draft`` or ``ok``."""
    if any(p.severity == "error" for p in result.problems):
        return "refused" if not result.outputs and any(p.code == "release-refused" for p in result.problems) \
            else "failed"
    return "draft" if any(o.draft for o in result.outputs) else "ok"


def job_fit(result: JobResult) -> dict:
    """What copyfit chose for a job (its outputs' ``fit``; empty when it wrote nothing)."""
    return next((o.fit for o in result.outputs if getattr(o, "fit", None)), {})


def report_json(report: BuildReport, options: BuildOptions) -> dict:
    """The build report for CI: every job's status and problems, and the counts."""
    jobs = [{"name": r.name, "status": job_status(r), "rendered": r.rendered, "seconds": round(r.seconds, 3),
             "outputs": [o.path for o in r.outputs], "problems": [p.as_json() for p in r.problems],
             "fit": job_fit(r)}
            for r in report.results]
    problems = [p.as_json() for p in report.problems]
    counts = {"jobs": len(jobs), "rendered": len(report.rendered), "reused": len(report.reused),
              "failed": report.failed, "refused": report.refused,
              "error": sum(p["severity"] == "error" for p in problems),
              "warning": sum(p["severity"] == "warning" for p in problems)}
    return {"release": options.release, "jobs": jobs, "problems": problems, "counts": counts,
            "removed": report.removed}
