"""The officer's preview, as data: what ``mobcontent serve`` shows, without HTTP.

- :func:`editions`: every edition of the last build with its state (ready, draft,
  failed) and the reasons, the type size copyfit chose and its files;
- :func:`live_html`: an edition rendered straight from the project as HTML, with the
  print layout, CSS and fonts — no copyfit, no PDF — so an edit shows in well
  under a second, before the background build makes the PDF and PNG pages;
- :func:`side_by_side`: each Vietnamese block beside its translation, with its state
  and the PO file and line;
- :func:`default_audience` and :func:`profile_name`: what the choosers show;
- :func:`source_snippet`: the offending line of a problem, for a caret under it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..base.errors import ContentError, Problem
from ..base.files import read_text
from ..base.i18n import N_, _
from ..base.model import DIMENSIONS, Project
from ..content.audience import leaflet_messages
from ..pipeline.layout import read_layout
from ..pipeline.render import render_page
from ..pipeline.translate import catalog_path, read_catalog, translate_message
from .cache import InputHashes
from .gate import release_problems
from .job import _combine, message_views, prepare_side
from .plan import BuildOptions, Job, plan_jobs

STATES = {"ready": N_("ready to print"), "draft": N_("draft: not for distribution yet"),
          "failed": N_("failed: cannot be printed"), "pending": N_("being built…")}
TEXT_STATES = {"translated": N_("translated"), "fuzzy": N_("fuzzy: to be reviewed"),
               "missing": N_("not translated"), "source": N_("source text")}


@dataclass(frozen=True)
class Edition:
    """One edition (a leaflet in one locale, or bilingual) as the last build left it."""

    name: str
    leaflet: str
    locales: tuple[str, ...]
    audience: dict
    state: str  # ready | draft | failed
    reasons: tuple[dict, ...]  # Problem.as_json() records
    fit: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)  # format -> [path relative to build/]
    approvals: tuple = ()  # the approvals its text rests on (manifest records)


def edition_state(outputs: list[dict]) -> tuple[str, list[dict]]:
    """``(state, reasons)`` of an edition's outputs: the manifest's own ``state`` and
    ``reasons`` when the build wrote them, else derived from ``draft`` and the problems.

    >>> edition_state([{"draft": True, "problems": [{"severity": "warning", "code": "x"}]}])
    ('draft', [{'severity': 'warning', 'code': 'x'}])
    """
    first = outputs[0]
    if "state" in first:
        return first["state"], list(first.get("reasons", []))
    problems = list({repr(p): p for o in outputs for p in o.get("problems", [])}.values())
    if any(p["severity"] == "error" for p in problems):
        return "failed", [p for p in problems if p["severity"] == "error"]
    if not any(o.get("draft") for o in outputs):
        return "ready", []
    return "draft", _completeness_reasons(first) + problems


def _completeness_reasons(output: dict) -> list[dict]:
    """Why a draft is a draft, from the manifest's counts of missing and fuzzy texts."""
    counts = output.get("completeness") or {}
    reasons = []
    for state, text in (("missing", N_("{count} text(s) not translated yet (printed in the source language)")),
                        ("fuzzy", N_("{count} translation(s) still to be reviewed (fuzzy)"))):
        if counts.get(state):
            reasons.append({"code": f"translation-{state}", "severity": "warning", "path": "", "line": 0,
                            "message": _(text).format(count=counts[state]), "hint": ""})
    return reasons


def editions(manifest: dict | None, failed: dict | None = None) -> list[Edition]:
    """The editions of the manifest, plus each leaflet that could not be loaded (failed)."""
    grouped: dict[str, list[dict]] = {}
    for output in (manifest or {}).get("outputs", []):
        grouped.setdefault(f"{output['leaflet']}.{'+'.join(output['locales'])}", []).append(output)
    out = []
    for name, outputs in sorted(grouped.items()):
        state, reasons = edition_state(outputs)
        files: dict[str, list[str]] = {}
        for output in sorted(outputs, key=lambda o: o["path"]):
            files.setdefault(output["format"], []).append(output["path"])
        first = outputs[0]
        out.append(Edition(name, first["leaflet"], tuple(first["locales"]), dict(first["audience"]), state,
                           tuple(reasons), dict(first.get("fit") or {}), files, tuple(first.get("approvals", ()))))
    for slug, reasons in (failed or {}).items():
        out.append(Edition(slug, slug, (), {}, "failed", tuple(p.as_json() for p in reasons)))
    return out


def profile_name(project: Project, dimension: str, pid: str) -> str:
    """The name a profile goes by (``Tin Lành`` for ``protestant``); the id if unknown."""
    profile = project.audiences.profiles(dimension).get(pid)
    return profile.name if profile is not None else pid


def default_audience(project: Project, slug: str) -> dict:
    """The audience of the first leaflet that uses message ``slug`` (every variable of a
    message its leaflets print is filled there); ``{}`` when no leaflet uses it."""
    for leaflet in project.leaflets.values():
        if any(m.slug == slug for m in leaflet_messages(project, leaflet)):
            return dict(leaflet.audience)
    return {}


def pending_edition(project: Project, name: str) -> Edition | None:
    """An edition the project has but no build has made yet (state ``pending``)."""
    job = find_job(project, name)
    if job is None:
        return None
    return Edition(name, job.leaflet.slug, job.locales, dict(job.leaflet.audience), "pending", ())


def find_job(project: Project, name: str) -> Job | None:
    """The job (edition) called ``name`` (``slug.rad`` or ``slug.rad+vi``), if the project has it."""
    slug = name.partition(".")[0]
    if slug not in project.leaflets:
        return None
    return next((job for job in plan_jobs(project, BuildOptions(leaflets=(slug,))) if job.name == name), None)


def live_html(project: Project, job: Job, kit, scale: float = 1.0, font_url: str = "/fonts/") -> str:
    """The edition as HTML straight from the project: the layout's template, CSS and the
    font kit (its faces served under ``font_url``), type at ``scale`` (the last build's
    copyfit), the DRAFT mark where the edition is not fit to release."""
    inputs = InputHashes(project.root)
    sides = [prepare_side(project, job.leaflet, locale, inputs, kit) for locale in job.locales]
    layout = read_layout(project.root, job.leaflet.layout)
    page = _combine(sides, draft=bool(release_problems(sides, job.name)))
    views = message_views(sides, page.draft, project.root / "content" / "assets")
    html = render_page(layout, page, views, scale=scale)
    return html.replace(kit.directory.absolute().as_uri() + "/", font_url)


@dataclass(frozen=True)
class Pair:
    """A Vietnamese block beside its translation, with the state and where it is."""

    source: str
    text: str
    state: str  # translated | fuzzy | missing | source
    where: str  # the PO entry (path:line), or the PO file where it belongs


def side_by_side(project: Project, slug: str, locale: str) -> list[tuple[str, list[Pair]]]:
    """``[(message title, [Pair...])]`` for every message of leaflet ``slug`` in ``locale``."""
    source = project.config.source_locale
    out = []
    for message in leaflet_messages(project, project.leaflets[slug]):
        path = catalog_path(project.root, locale, f"messages/{message.slug}")
        rel = path.relative_to(project.root).as_posix()
        catalog = {} if locale == source else read_catalog(path, rel, locale, source, project.config.vi_tone_style)
        translated = translate_message(message, catalog, locale, source)
        texts = [translated.title, *([translated.summary] if translated.summary else []), *translated.texts.values()]
        out.append((message.title, [Pair(t.source, t.text, t.state, t.origin if t.origin.startswith("locales/")
                                         else ("" if t.state == "source" else rel)) for t in texts]))
    return out


@dataclass(frozen=True)
class Snippet:
    """The line a problem points at, and the 1-based column of the fault (0: the whole line)."""

    number: int
    text: str
    column: int


def source_snippet(root: Path, problem: Problem) -> Snippet | None:
    """The offending source line of ``problem``, read through the confined file layer."""
    if not problem.path or not problem.line or problem.path.startswith(("/", "..")):
        return None
    try:
        lines = read_text(root, problem.path).split("\n")
    except ContentError:
        return None
    if problem.line > len(lines):
        return None
    return Snippet(problem.line, lines[problem.line - 1], problem.column)


def audience_text(project: Project, audience: dict) -> str:
    """``Ê Đê · Tin Lành · xã Krông Na``: an audience by its profiles' names."""
    names = [profile_name(project, d, audience[d]) for d in DIMENSIONS if d in audience]
    return " · ".join(names) or _("everyone")
