"""The *adapt* stage: fit a translated message to one audience.

Drops the ``only``/``except`` blocks that do not apply, fills ``{variables}``
from the leaflet's three profiles — with the terms looked up in the locale's
``audiences`` catalog — and provides the greeting and sign-off the layout
places. Filling happens after translation, so a translator sees and keeps
``{village}``, and the reader sees the term in their language.

The variables (DESIGN.md, *Message*): every key under a profile's ``terms``,
the zone fields (:data:`ZONE_VARIABLES`) and each profile's name as
``{ethnic_name}``, ``{religion_name}``, ``{zone_name}``. ``{{`` and ``}}`` are
literal braces. A value is inserted into the block's Markdown with its Markdown
characters escaped, so a term can never add emphasis, a link or HTML.

For the preview (``mobcontent show``), :func:`adapt_message` can wrap every
filled value in private-use sentinel characters (:data:`MARK_OPEN` ...); the
preview turns them into highlights after the Markdown is rendered (see
:mod:`mobcontent.pipeline.preview`). Builds never ask for them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..base.errors import ContentError
from ..base.i18n import N_, _
from ..base.model import DIMENSION_NAMES, DIMENSIONS, Audiences, Chunk, Profile
from ..content.audience import condition_holds
from ..formats.markdown import segment
from .translate import Text, TranslatedMessage, lookup

ZONE_VARIABLES = ("province", "border_post", "hotline", "office")
PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([a-z][a-z0-9_]*)\}")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")
# Sentinels around a filled value in a preview: MARK_OPEN index MARK_MID value MARK_CLOSE.
MARK_OPEN, MARK_MID, MARK_CLOSE = "\ue000", "\ue001", "\ue002"
SENTINELS_RE = re.compile("[\ue000-\ue002]")
EVERY = {"ethnic": N_("ethnic group"), "religion": N_("religion"), "zone": N_("zone")}


@dataclass(frozen=True)
class Variable:
    """A value a ``{name}`` is filled with, and the profile that defines it."""

    name: str
    value: Text
    profile: Profile


@dataclass(frozen=True)
class AdaptedMessage:
    """A message ready to render for one audience and locale.

    ``texts`` maps each kept block's source (its msgid) to the filled text;
    ``used`` lists the variables filled, in order, for the preview.
    """

    translated: TranslatedMessage
    title: Text
    chunks: tuple[Chunk, ...]
    dropped: tuple[Chunk, ...]
    texts: dict = field(default_factory=dict)  # block source -> filled Text
    summary: Text | None = None
    used: tuple[Variable, ...] = ()

    @property
    def message(self):
        return self.translated.message


def audience_profiles(audience: dict, audiences: Audiences) -> list[Profile]:
    """The leaflet's profiles, in dimension order (ethnic, religion, zone)."""
    return [audiences.profiles(dim)[audience[dim]] for dim in DIMENSIONS if dim in audience]


def profile_values(profile: Profile) -> list[tuple[str, str, str]]:
    """``(variable name, source value, catalog key)`` of everything a profile defines.

    The catalog key completes the msgctxt ``{dimension}.{id}.{key}`` of ``audiences.po``.
    """
    pairs = [(f"{profile.dimension}_name", profile.name, "name")]
    pairs += [(key, value, f"terms.{key}") for key, value in profile.terms.items()]
    pairs += [(key, profile.fields[key], key) for key in ZONE_VARIABLES if key in profile.fields]
    return pairs


def audience_variables(audience: dict, audiences: Audiences, catalog: dict, own: bool) -> dict:
    """Every variable the audience defines, translated with ``catalog``.

    Raises ContentError when two profiles define one name with different values.
    """
    out: dict[str, Variable] = {}
    for profile in audience_profiles(audience, audiences):
        for name, value, key in profile_values(profile):
            context = f"{profile.dimension}.{profile.id}.{key}"
            text = lookup(catalog, value, f"{profile.path}:{profile.line}", own, context)
            other = out.get(name)
            if other is not None and other.value.source != value:
                raise ContentError(
                    _("variable {variable} is defined twice with different values: "
                      "{first} ('{first_value}') and {second} ('{second_value}')").format(
                        variable="{" + name + "}", first=f"{other.profile.dimension}.{other.profile.id}",
                        first_value=other.value.source, second=f"{profile.dimension}.{profile.id}",
                        second_value=value), profile.path, profile.line,
                    _("define it in one profile only, or give both the same value"), code="variable-conflict")
            out[name] = Variable(name, text, profile)
    return out


def fill(text: str, variables: dict, where: str, audience: dict, audiences: Audiences | None = None,
         errors: list | None = None, marks: list | None = None) -> tuple[str, list[Variable]]:
    """Replace ``{name}`` with variable values and ``{{``/``}}`` with braces.

    An unknown name raises :class:`ContentError` (``variable-unknown``), or is
    appended to ``errors`` and left as written when a list is given. With
    ``marks`` (a list), each value is wrapped in sentinels holding its index in
    ``marks``, where the variable is appended.

    >>> fill("Buôn {{x}} và {a}", {"a": Variable("a", Text("b", "b*", "source"), None)}, "m.md:1", {})
    ('Buôn {x} và b\\\\*', [Variable(name='a', value=Text(source='b', text='b*', state='source', origin=''), profile=None)])
    """
    used: list[Variable] = []

    def replace(match):
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        variable = variables.get(match.group(1))
        if variable is None:
            error = unknown_variable(match.group(1), where, audience, audiences)
            if errors is None:
                raise error
            errors.append(error)
            return token
        used.append(variable)
        value = MARKDOWN_SPECIAL.sub(r"\\\1", SENTINELS_RE.sub("", variable.value.text))
        if marks is None:
            return value
        marks.append(variable)
        return f"{MARK_OPEN}{len(marks) - 1}{MARK_MID}{value}{MARK_CLOSE}"

    return PLACEHOLDER_RE.sub(replace, text), used


def unknown_variable(name: str, where: str, audience: dict, audiences: Audiences | None) -> ContentError:
    """The error for ``{name}`` that no profile of ``audience`` defines.

    It names the leaflet's profiles and, when profiles of a dimension the
    leaflet leaves out (a mixed audience) define the name, says so.
    """
    path, _colon, line = where.rpartition(":")
    have = ", ".join(f"{dim}.{value}" for dim, value in audience.items()) or _("no profile")
    message = _("variable {variable} is not defined for this audience ({profiles})").format(
        variable="{" + name + "}", profiles=have)
    hint = _("add '{name}' to the terms of one of these profiles in content/audiences.yaml, "
             "or remove it from the message").format(name=name)
    definers = _definers(name, audiences) if audiences is not None else {}
    mixed = [dim for dim in definers if dim not in audience]
    if mixed:
        dim = mixed[0]
        message += "; " + _("it comes from the {dimension} profiles, and the leaflet is for every {every}").format(
            dimension=_(DIMENSION_NAMES[dim]), every=_(EVERY[dim]))
        hint = _("put the sentence in a '::: only {condition}' block, or write it without the variable").format(
            condition=f"{dim}={','.join(definers[dim])}")
    return ContentError(message, path, int(line or 0), hint, code="variable-unknown")


def _definers(name: str, audiences: Audiences) -> dict[str, list[str]]:
    """Profile ids, per dimension, that define the variable ``name``."""
    out: dict[str, list[str]] = {}
    for dim in DIMENSIONS:
        for pid, profile in audiences.profiles(dim).items():
            if any(variable == name for variable, _value, _key in profile_values(profile)):
                out.setdefault(dim, []).append(pid)
    return out


def adapt_message(translated: TranslatedMessage, audience: dict, audiences: Audiences,
                  variables: dict, errors: list | None = None, mark: bool = False) -> AdaptedMessage:
    """Keep the chunks shown to ``audience`` and fill every variable in them.

    Raises ContentError for the first variable the audience lacks; with
    ``errors`` (a list) collects them all instead. ``mark`` wraps the values in
    preview sentinels (see the module docstring).
    """
    message = translated.message
    kept = tuple(c for c in message.chunks if all(condition_holds(k, audience, audiences) for k in c.conditions))
    dropped = tuple(c for c in message.chunks if c not in kept)
    marks: list[Variable] | None = [] if mark else None

    def filled(text: Text, line: int) -> Text:
        value, used = fill(text.text, variables, f"{message.path}:{line}", audience, audiences, errors, marks)
        return Text(text.source, value, _worst([text.state] + [v.value.state for v in used]), text.origin)

    title = filled(translated.title, message.title_line)
    summary = filled(translated.summary, message.summary_line) if translated.summary else None
    texts = {}
    # blocks of kept chunks only: a dropped block may use variables this audience lacks
    for chunk in kept:
        for block in segment(chunk):
            if block.text not in texts:
                texts[block.text] = filled(translated.texts[block.text], block.line)
    return AdaptedMessage(translated, title, kept, dropped, texts, summary, tuple(marks or ()))


def _worst(states: list[str]) -> str:
    for state in ("missing", "fuzzy", "translated"):
        if state in states:
            return state
    return "source"
