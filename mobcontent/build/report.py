"""The build report as people and CI read it: each edition's state, and ``build --json``."""
from __future__ import annotations

from ..base.i18n import _
from .gate import STATE_WORDS
from .plan import BuildOptions, BuildReport, JobResult


def state_text(result: JobResult) -> str:
    """An edition's state in words (the interface language), and whether a release refused it."""
    text = _(STATE_WORDS.get(result.state, result.state))
    return text + " (" + _("not released") + ")" if result.refused else text


def job_fit(result: JobResult) -> dict:
    """What copyfit chose for a job (its outputs' ``fit``; empty when it wrote nothing)."""
    return next((o.fit for o in result.outputs if getattr(o, "fit", None)), {})


def report_json(report: BuildReport, options: BuildOptions) -> dict:
    """The build report for CI: every edition's state, reasons and problems, and the counts.
    ``status`` repeats ``state`` (the name older CI scripts read)."""
    jobs = [{"name": r.name, "state": r.state, "status": r.state, "refused": r.refused, "rendered": r.rendered,
             "seconds": round(r.seconds, 3), "outputs": [o.path for o in r.outputs],
             "reasons": [p.as_json() for p in r.reasons], "problems": [p.as_json() for p in r.problems],
             "fit": job_fit(r)}
            for r in report.results]
    problems = [p.as_json() for p in report.problems]
    counts = {"jobs": len(jobs), "rendered": len(report.rendered), "reused": len(report.reused),
              "failed": report.failed, "refused": report.refused,
              **{state: sum(j["state"] == state for j in jobs) for state in STATE_WORDS},
              "error": sum(p["severity"] == "error" for p in problems),
              "warning": sum(p["severity"] == "warning" for p in problems)}
    return {"release": options.release, "jobs": jobs, "problems": problems, "counts": counts,
            "removed": report.removed, "not_released": report.not_released}
