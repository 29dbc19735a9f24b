"""The *adapt* stage: fit a translated message to one audience.

Drops the ``only``/``except`` blocks that do not apply, fills ``{variables}``
from the leaflet's three profiles — with the terms looked up in the locale's
``audiences`` catalog — and provides the greeting and sign-off the layout
places. Filling happens after translation, so a translator sees and keeps
``{village}``, and the reader sees the term in their language.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .audience import condition_holds
from .errors import ContentError
from .model import DIMENSIONS, Audiences, Chunk, Profile
from .translate import Text, TranslatedMessage, lookup, segment

ZONE_VARIABLES = ("province", "border_post", "hotline", "office")
PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([a-z][a-z0-9_]*)\}")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")


@dataclass(frozen=True)
class Variable:
    """A value a ``{name}`` is filled with, and the profile that defines it."""

    name: str
    value: Text
    profile: Profile


@dataclass(frozen=True)
class AdaptedMessage:
    """A message ready to render for one audience and locale."""

    translated: TranslatedMessage
    title: Text
    chunks: tuple[Chunk, ...]
    dropped: tuple[Chunk, ...]
    texts: dict = field(default_factory=dict)  # block source -> filled Text

    @property
    def message(self):
        return self.translated.message


def audience_profiles(audience: dict, audiences: Audiences) -> list[Profile]:
    """The leaflet's profiles, in dimension order (ethnic, religion, zone)."""
    return [audiences.profiles(dim)[audience[dim]] for dim in DIMENSIONS if dim in audience]


def audience_variables(audience: dict, audiences: Audiences, catalog: dict, own: bool) -> dict:
    """Every variable the audience defines, translated with ``catalog``.

    Raises ContentError when two profiles define one name with different values.
    """
    out: dict[str, Variable] = {}
    for profile in audience_profiles(audience, audiences):
        pairs = [(f"{profile.dimension}_name", profile.name, "name")]
        pairs += [(key, value, f"terms.{key}") for key, value in profile.terms.items()]
        pairs += [(key, profile.fields[key], key) for key in ZONE_VARIABLES if key in profile.fields]
        for name, value, key in pairs:
            context = f"{profile.dimension}.{profile.id}.{key}"
            text = lookup(catalog, value, f"{profile.path}:{profile.line}", own, context)
            other = out.get(name)
            if other is not None and other.value.source != value:
                raise ContentError(
                    f"variable {{{name}}} is defined twice with different values: "
                    f"{other.profile.dimension}.{other.profile.id} ('{other.value.source}') and "
                    f"{profile.dimension}.{profile.id} ('{value}')", profile.path, profile.line,
                    "define it in one profile only, or give both the same value", code="variable-conflict")
            out[name] = Variable(name, text, profile)
    return out


def fill(text: str, variables: dict, where: str, audience: dict) -> tuple[str, list[Variable]]:
    """Replace ``{name}`` with variable values and ``{{``/``}}`` with braces.

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
            path, _, line = where.rpartition(":")
            lacking = ", ".join(f"{dim}.{value}" for dim, value in audience.items()) or "no profile"
            raise ContentError(f"variable {token} is not defined for this audience ({lacking})",
                               path, int(line or 0),
                               f"add '{match.group(1)}' to the terms of one of these profiles in "
                               "content/audiences.yaml, or remove it from the message",
                               code="variable-unknown")
        used.append(variable)
        return MARKDOWN_SPECIAL.sub(r"\\\1", variable.value.text)

    return PLACEHOLDER_RE.sub(replace, text), used


def adapt_message(translated: TranslatedMessage, audience: dict, audiences: Audiences,
                  variables: dict) -> AdaptedMessage:
    """Keep the chunks shown to ``audience`` and fill every variable in them."""
    message = translated.message
    kept = tuple(c for c in message.chunks if all(condition_holds(k, audience, audiences) for k in c.conditions))
    dropped = tuple(c for c in message.chunks if c not in kept)
    texts = {}
    # blocks of kept chunks only: a dropped block may use variables this audience lacks
    for chunk in kept:
        for block in segment(chunk):
            original = translated.texts[block.text]
            filled, used = fill(original.text, variables, f"{message.path}:{block.line}", audience)
            state = _worst([original.state] + [v.value.state for v in used])
            texts[block.text] = Text(original.source, filled, state, original.origin)
    title_text, used = fill(translated.title.text, variables, f"{message.path}:{message.title_line}", audience)
    title = Text(translated.title.source, title_text, _worst([translated.title.state] + [v.value.state for v in used]),
                 translated.title.origin)
    return AdaptedMessage(translated, title, kept, dropped, texts)


def _worst(states: list[str]) -> str:
    for state in ("missing", "fuzzy", "translated"):
        if state in states:
            return state
    return "source"
