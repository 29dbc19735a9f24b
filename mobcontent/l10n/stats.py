"""``mobcontent stats``: translated, fuzzy and untranslated entries per locale and
per leaflet.
"""
from __future__ import annotations

from dataclasses import replace

from ..base.errors import ContentError
from ..base.files import read_at
from ..base.i18n import _
from ..base.model import Project
from ..content.audience import leaflet_messages
from ..content.settings import target_locales
from ..formats import po as _po
from ..pipeline.adapt import adapt_message, audience_variables
from ..pipeline.layout import LAYOUT_STRINGS
from ..pipeline.translate import (
    PLACEHOLDER_RE,
    Text,
    lookup,
    read_catalog,
    translate_message,
)
from .extract import COUNTED

# --------------------------------------------------------------------------- stats

STATES = ("translated", "fuzzy", "untranslated", "obsolete")


def po_counts(po: _po.PoFile) -> dict:
    """Entries and source words per state in one PO file."""
    entries = dict.fromkeys(STATES, 0)
    words = dict.fromkeys(STATES, 0)
    for entry in po.entries:
        state = ("obsolete" if entry.obsolete else "fuzzy" if entry.fuzzy and entry.translated
                 else "translated" if entry.translated else "untranslated")
        entries[state] += 1
        words[state] += len(PLACEHOLDER_RE.sub(" ", entry.msgid).split())
    return {"entries": entries, "words": words}


def project_stats(project: Project) -> dict:
    """``mobcontent stats``: per locale (and file) and per leaflet, what is translated."""
    locales = {}
    for code in target_locales(project):
        base = project.root / "locales" / code / "LC_MESSAGES"
        total = {"entries": dict.fromkeys(STATES, 0), "words": dict.fromkeys(STATES, 0)}
        files = []
        paths = sorted(base.glob("*.po")) + sorted(base.glob("messages/*.po")) if base.is_dir() else []
        for path in paths:
            rel = path.relative_to(project.root).as_posix()
            try:
                counts = po_counts(_po.read_po(read_at(path, rel), rel))
            except ContentError as exc:
                files.append({"path": rel, "error": str(exc)})
                continue
            files.append({"path": rel, **counts})
            for part in ("entries", "words"):
                for state in STATES:
                    total[part][state] += counts[part][state]
        locales[code] = {**total, "files": files}
    return {"locales": locales, "leaflets": [leaflet_stats(project, slug, code)
                                             for slug, leaflet in project.leaflets.items()
                                             for code in leaflet.locales if code != project.config.source_locale]}


def leaflet_stats(project: Project, slug: str, code: str) -> dict:
    """What one leaflet in one locale shows, by state, and what it needs to be releasable."""
    leaflet = project.leaflets[slug]
    counts = {"entries": dict.fromkeys(("translated", "fuzzy", "missing"), 0),
              "words": dict.fromkeys(("translated", "fuzzy", "missing"), 0)}
    needs: dict[str, dict] = {}
    problems = []

    def count(text: Text) -> None:
        state = "translated" if text.state in ("translated", "source") else text.state
        counts["entries"][state] += 1
        counts["words"][state] += len(PLACEHOLDER_RE.sub(" ", text.source).split())
        if state != "translated":
            where = text.origin.rsplit(":", 1)[0] if text.origin else "?"
            needs.setdefault(where, {"fuzzy": 0, "missing": 0})[state] += 1

    def catalog(domain: str) -> dict:
        rel = f"locales/{code}/LC_MESSAGES/{domain}.po"
        try:
            return read_catalog(project.root / rel, rel, code, project.config.source_locale,
                                project.config.vi_tone_style)
        except _po.PoError as exc:
            problems.append(str(exc))
            return {}

    def missing_origin(domain: str, text: Text) -> Text:
        if text.state == "missing":
            return replace(text, origin=f"locales/{code}/LC_MESSAGES/{domain}.po:0")
        return text

    source = project.config.source_locale
    try:
        variables = audience_variables(leaflet.audience, project.audiences, catalog("audiences"), False)
        for message in leaflet_messages(project, leaflet):
            domain = f"messages/{message.slug}"
            translated = translate_message(message, catalog(domain), code, source)
            adapted = adapt_message(translated, leaflet.audience, project.audiences, variables)
            for text in [translated.title, *adapted.texts.values()]:
                count(missing_origin(domain, text))
            if message.status != "approved":
                problems.append(_("message '{slug}' is '{status}', not approved").format(
                    slug=message.slug, status=message.status))
    except ContentError as exc:
        problems.append(str(exc))
    leaflets = catalog("leaflets")
    for key, value in (("title", leaflet.title), ("tagline", leaflet.tagline)):
        if value:
            count(missing_origin("leaflets", lookup(leaflets, value, "", False, f"leaflet.{slug}.{key}")))
    layouts = catalog("layouts")
    for key, value in LAYOUT_STRINGS.items():
        count(missing_origin("layouts", lookup(layouts, value, "", False, f"layout.{key}")))
    need_lines = [f"{path}: " + ", ".join(_(COUNTED[state]).format(count=n) for state, n in states.items() if n)
                  for path, states in sorted(needs.items())]
    return {"leaflet": slug, "locale": code, **counts,
            "releasable": not need_lines and not problems, "needs": need_lines + problems}
