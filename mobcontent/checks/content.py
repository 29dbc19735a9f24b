"""Content checks: variables, leaflet locales and empty leaflets (message approval: :mod:`.approvals`).

Each check takes a loaded :class:`~mobcontent.base.model.Project` and yields
:class:`~mobcontent.base.errors.Problem` records with a stable ``code``; the
runner (:mod:`mobcontent.checks.runner`) lists them all.
"""
from __future__ import annotations

from typing import Iterable

from ..base.errors import ContentError, Problem
from ..base.i18n import _
from ..base.model import Project
from ..content.audience import leaflet_messages
from ..pipeline.adapt import adapt_message, audience_profiles, audience_variables
from ..pipeline.translate import translate_message


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
