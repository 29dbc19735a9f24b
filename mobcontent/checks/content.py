"""Content checks: variables, leaflet locales and empty leaflets (message approval: :mod:`.approvals`).

Each check takes a loaded :class:`~mobcontent.base.model.Project` and yields
:class:`~mobcontent.base.errors.Problem` records with a stable ``code``; the
runner (:mod:`mobcontent.checks.runner`) lists them all.
"""
from __future__ import annotations

from typing import Iterable

from ..base.errors import ContentError, MobcontentError, Problem
from ..base.i18n import _
from ..base.model import Project
from ..content.audience import leaflet_messages
from ..content.settings import target_locales
from ..pipeline.adapt import (
    adapt_message,
    audience_profiles,
    audience_variables,
    similar_variable,
    variable_names,
)
from ..pipeline.translate import PLACEHOLDER_RE, read_catalog, translate_message


def check_variables(project: Project) -> Iterable[Problem]:
    """Every ``{variable}`` of every message (source and translations) is one some profile
    defines, and every one a leaflet's messages use is defined by its audience."""
    yield from message_variables(project)
    yield from leaflet_variables(project)


def message_variables(project: Project) -> Iterable[Problem]:
    """A variable no profile defines, in any message (in a leaflet or not), at the line to
    edit: the ``.md`` line for the source, the PO line for a translation; with the closest
    defined name as a suggestion."""
    known = variable_names(project.audiences)
    source = project.config.source_locale
    for message in project.messages.values():
        texts = translate_message(message, {}, source, source)
        where = [(texts.title.text, texts.title.origin)] + [(t.text, t.origin) for t in texts.texts.values()]
        for locale in target_locales(project):
            rel = f"locales/{locale}/LC_MESSAGES/messages/{message.slug}.po"
            try:
                catalog = read_catalog(project.root / rel, rel, locale)
            except MobcontentError:
                continue  # reported by the translation checks
            where += [(entry.text, f"{entry.path}:{entry.line}") for entry in catalog.values()]
        for text, origin in where:
            for name in dict.fromkeys(PLACEHOLDER_RE.findall(text)):
                if name and name not in known:
                    path, _colon, line = origin.rpartition(":")
                    close = similar_variable(name, project.audiences)
                    yield Problem("variable-unknown", "error", path, int(line or 0),
                                  _("variable {variable} is not defined by any audience profile").format(
                                      variable="{" + name + "}"),
                                  _("did you mean {{{close}}}? Correct the spelling here").format(close=close) if close
                                  else _("add '{name}' to the terms of a profile in content/audiences.yaml, or "
                                         "remove it from the text").format(name=name))


def leaflet_variables(project: Project) -> Iterable[Problem]:
    """Every ``{variable}`` a leaflet's messages use is defined by its audience."""
    source = project.config.source_locale
    known = variable_names(project.audiences)
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
                if exc.message.split("}")[0].split("{")[-1] not in known:
                    continue  # no profile defines it: message_variables says so once, with a suggestion
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
