"""Typography: the typographic report (:mod:`mobcontent.printing.typography`) as problems.

The report comes from WeasyPrint's laid-out boxes, so it is made when a leaflet is
laid out: by ``build`` (:func:`typography_problems`, for the job it prints) and by
``check``, which repeats what the last build found for every output whose inputs
have not changed since (:func:`check_typography`: laying every leaflet out again
would make ``check`` as slow as a build). Warnings, with stable codes; ``--strict``
makes them errors.
"""
from __future__ import annotations

import hashlib
import json

from ..base.errors import Problem
from ..base.i18n import N_, _
from ..base.model import Project

CODES = ("heading-stranded", "runt", "value-split", "underfull-page")

TEXTS = {
    "heading-stranded": (N_("{job}, page {page}: the heading '{text}' ends a column or page, apart from its text"),
                         N_("the layout keeps headings with their text; if this persists, shorten the text "
                            "before it or split the message")),
    "runt": (N_("{job}, page {page}: a paragraph ends with '{text}' alone on its last line"),
             N_("the last two syllables are kept together where that cannot overflow; rephrase the "
                "sentence if it persists")),
    "value-split": (N_("{job}, page {page}: '{text}' is broken across two lines"),
                    N_("names, places and phone numbers are kept on one line when they are short enough; "
                       "shorten the value in content/audiences.yaml")),
    "underfull-page": (N_("{job}, page {page}: only {percent} % of the text area is used, with the type "
                          "as large as fits"),
                       N_("add a message, choose a layout with less room, or let a message start on this page")),
}


def typography_problems(findings, project: Project, leaflet, job_name: str, strict: bool = False) -> list[Problem]:
    """The findings of one job as problems at the line they concern: the block's
    origin (message line or PO entry), else the message, else the leaflet."""
    problems = []
    for finding in findings:
        message, hint = TEXTS[finding.code]
        path, line = leaflet.path, leaflet.line
        source = project.messages.get(finding.message)
        if source is not None:
            path, line = source.path, source.line
        where, _sep, number = finding.origin.rpartition(":")
        if where and number.isdigit() and int(number) > 0:
            path, line = where, int(number)
        problems.append(Problem(finding.code, "error" if strict else "warning", path, line,
                                _(message).format(job=job_name, page=finding.page, text=finding.text,
                                                  percent=round(finding.fill * 100)), _(hint)))
    return problems


def check_typography(project: Project) -> list[Problem]:
    """The typographic warnings the last build recorded in ``build/manifest.json``, for
    the outputs whose source files are unchanged since (nothing when there is no build)."""
    try:
        manifest = json.loads((project.root / "build" / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = []
    for output in manifest.get("outputs", []) if isinstance(manifest, dict) else []:
        if output.get("format") != "pdf" or not _current(project, output.get("sources") or {}):
            continue
        for problem in output.get("problems", []):
            if problem.get("code") in CODES:
                found.append(Problem(problem["code"], "warning", problem.get("path", ""), problem.get("line", 0),
                                     problem.get("message", ""), problem.get("hint", "")))
    return found


def _current(project: Project, sources: dict) -> bool:
    """Whether every project file an output was made from is unchanged."""
    for rel, digest in sources.items():
        if rel.startswith("layout:"):
            continue  # the layouts: a changed layout changes the tool's fingerprint, and the build
        try:
            data = (project.root / rel).read_bytes()
        except OSError:
            if digest == "":  # a file the build looked for and did not find (a catalog, a review)
                continue
            return False
        if hashlib.sha256(data).hexdigest() != digest:
            return False
    return bool(sources)
