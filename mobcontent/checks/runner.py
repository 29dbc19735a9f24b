"""Checks: plain functions that return problems, and one runner over them.

Each check takes a loaded :class:`~mobcontent.model.Project` and yields
:class:`~mobcontent.errors.Problem` records with a stable ``code``. Adding a
check is writing one function and listing it in :data:`CHECKS`.
"""
from __future__ import annotations

from typing import Callable, Iterable

from ..adapt import adapt_message, audience_profiles, audience_variables
from ..audience import leaflet_messages
from ..customs import CUSTOMS_CHECKS  # avoid-term, calendar-conflict, motif-unknown
from ..errors import ContentError, Problem
from ..i18n import _
from ..model import Project
from ..translate import translate_message
from .approvals import APPROVAL_CHECKS  # not-approved, approval-stale, approval-unrecorded, translation-not-reviewed


def check_variables(project: Project) -> Iterable[Problem]:
    """Every ``{variable}`` a leaflet's messages use is defined by its audience."""
    source = project.config.source_locale
    for leaflet in project.leaflets.values():
        try:
            variables = audience_variables(leaflet.audience, project.audiences, {}, True)
        except ContentError as exc:
            yield exc.problem()
            continue
        for message in leaflet_messages(project, leaflet):
            errors: list[ContentError] = []
            adapt_message(translate_message(message, {}, source, source), leaflet.audience,
                          project.audiences, variables, errors)
            for exc in errors:
                yield Problem(exc.code, "error", exc.path, exc.line,
                              _("{message}, in leaflet '{slug}'").format(message=exc.message, slug=leaflet.slug),
                              exc.hint)


def check_leaflet_locales(project: Project) -> Iterable[Problem]:
    """A leaflet in a language its audience does not read deserves a second look."""
    for leaflet in project.leaflets.values():
        profiles = [p for p in audience_profiles(leaflet.audience, project.audiences) if p.locales]
        for locale in leaflet.locales:
            for profile in profiles:
                if locale not in profile.locales:
                    yield Problem("locale-not-read-by-audience", "warning", leaflet.path, leaflet.line,
                                  _("locale '{locale}' is not among the languages {name} reads ({locales})").format(
                                      locale=locale, name=profile.name, locales=", ".join(profile.locales)),
                                  _("check the leaflet's 'locales', or add the locale to the profile's 'locales'"))


def check_empty_leaflets(project: Project) -> Iterable[Problem]:
    """A leaflet whose ``select`` finds nothing would print an empty page."""
    for leaflet in project.leaflets.values():
        if not leaflet_messages(project, leaflet):
            yield Problem("leaflet-empty", "error", leaflet.path, leaflet.line,
                          _("the leaflet has no message to print"),
                          _("list messages, or widen 'select' (only approved messages that fit the audience "
                            "are selected)"))


def check_glyphs(project: Project) -> Iterable[Problem]:
    """Every character that can be printed (sources and translations) has a glyph in the
    font kit, and the kit stacks ê̆ ô̆ ơ̆ ư̆ (see :mod:`mobcontent.preflight`)."""
    from ..preflight import project_glyph_problems
    return project_glyph_problems(project)


def check_translations(project: Project) -> Iterable[Problem]:
    """PO files: readable, ``msgfmt -c`` clean, placeholders, markup, links, numbers kept,
    canonical text (see :func:`mobcontent.translate.translation_problems`)."""
    from ..translate import translation_problems
    return translation_problems(project)


def check_canonical_text(project: Project) -> Iterable[Problem]:
    """Source text that canonical text fixes on read (or cannot fix: legacy font encodings)."""
    from ..translate import source_text_problems
    return source_text_problems(project)


def check_links(project: Project) -> Iterable[Problem]:
    """Link and image targets in messages and translations (see :mod:`mobcontent.safety`)."""
    from ..safety import blocked_targets
    return blocked_targets(project)


CHECKS: list[Callable[[Project], Iterable[Problem]]] = [
    check_variables, *APPROVAL_CHECKS, check_leaflet_locales, check_empty_leaflets, check_glyphs,
    check_translations, check_canonical_text, check_links, *CUSTOMS_CHECKS,
]


def run_checks(project: Project, checks=None) -> list[Problem]:
    """Run every check; problems sorted by path, line and code, duplicates dropped."""
    found = set(project.warnings)
    for check in checks or CHECKS:
        found.update(check(project))
    return sorted(found, key=lambda p: (p.path, p.line, p.code, p.message))
