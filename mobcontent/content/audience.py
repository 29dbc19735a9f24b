"""The *select* stage: which messages fit which audience.

A message's ``audience`` restricts some dimensions to lists of values; a
dimension it leaves out matches every audience. Within a dimension the values
are alternatives (OR); across dimensions all must hold (AND). Zone groups
expand to their zones.
"""
from __future__ import annotations

from ..base.errors import UsageError
from ..base.i18n import _
from ..base.model import (
    DIMENSION_NAMES,
    DIMENSIONS,
    Audiences,
    Condition,
    Leaflet,
    Message,
    Project,
)


def expand_values(dimension: str, values, audiences: Audiences) -> frozenset[str]:
    """Profile ids named by ``values``, zone groups expanded.

    >>> from mobcontent.base.model import Audiences
    >>> a = Audiences("a.yaml", {}, {}, {"x": None, "y": None}, {"border": ("x",)})
    >>> sorted(expand_values("zone", ["border", "y"], a))
    ['x', 'y']
    """
    out: set[str] = set()
    for value in values:
        if dimension == "zone" and value in audiences.zone_groups:
            out.update(audiences.zone_groups[value])
        else:
            out.add(value)
    return frozenset(out)


def exclusion(message: Message, audience: dict, audiences: Audiences) -> str | None:
    """Why ``message`` does not fit a leaflet ``audience`` (``None`` if it fits).

    A leaflet that leaves a dimension out is for a mixed audience, so a message
    restricted in that dimension does not fit it.
    """
    for dimension in DIMENSIONS:
        wanted = message.audience.get(dimension)
        if wanted is None:
            continue
        value = audience.get(dimension)
        if value is None:
            return _("{key}: the message is only for {values}, but the leaflet is for every {dimension}").format(
                key=dimension, values=", ".join(wanted), dimension=_(DIMENSION_NAMES[dimension]))
        if value not in expand_values(dimension, wanted, audiences):
            return _("{key}: the message is for {values}, not {value}").format(
                key=dimension, values=", ".join(wanted), value=value)
    return None


def condition_holds(condition: Condition, audience: dict, audiences: Audiences) -> bool:
    """Whether an ``only``/``except`` block is shown to ``audience``.

    An ``only`` block needs every key to match (a mixed audience matches no
    value); ``except`` is its negation.
    """
    matches = all(
        audience.get(key) is not None and audience[key] in expand_values(key, values, audiences)
        for key, values in condition.criteria)
    return not matches if condition.negate else matches


def leaflet_messages(project: Project, leaflet: Leaflet) -> list[Message]:
    """The messages of a leaflet, listed or selected, in leaflet order.

    ``select`` takes every approved message that fits the audience and shares
    a topic with the query, sorted by slug. Listed messages were checked to fit
    when the project was loaded.
    """
    if leaflet.select_topics is None:
        return [project.messages[slug] for slug in leaflet.messages]
    return [m for m in project.messages.values()
            if m.status == "approved"
            and exclusion(m, leaflet.audience, project.audiences) is None
            and (not leaflet.select_topics or set(m.topics) & set(leaflet.select_topics))]


def filter_messages(project: Project, *, ethnic=None, religion=None, zone=None,
                    topic=None, status=None) -> list[Message]:
    """Messages an audience described by some dimensions would be shown.

    A dimension not given is not filtered on; a message that leaves a
    dimension out matches any value given for it; a zone group matches a message
    for any of its zones.
    """
    wanted = {"ethnic": ethnic, "religion": religion, "zone": zone}
    check_filter_values(project, wanted)
    out = []
    for message in project.messages.values():
        fits = all(value is None or message.audience.get(dim) is None
                   or expand_values(dim, [value], project.audiences)
                   & expand_values(dim, message.audience[dim], project.audiences)
                   for dim, value in wanted.items())
        if fits and (topic is None or topic in message.topics) and (status is None or message.status == status):
            out.append(message)
    return out


def check_filter_values(project: Project, wanted: dict[str, str | None]) -> None:
    """Raise :class:`UsageError` for an audience value the project does not know."""
    for dim, value in wanted.items():
        known = list(project.audiences.profiles(dim)) + (list(project.audiences.zone_groups) if dim == "zone" else [])
        if value is not None and value not in known:
            raise UsageError(_("unknown {dimension} '{value}'").format(dimension=_(DIMENSION_NAMES[dim]), value=value),
                             hint=_("use one of: {values}").format(values=", ".join(known)))


def messages_json(messages: list[Message]) -> dict:
    """``list --json``: ``{"messages": [{"slug", "path", "title", "audience", "topics", "status"}]}``."""
    return {"messages": [{"slug": m.slug, "path": m.path, "title": m.title,
                          "audience": {k: list(v) for k, v in m.audience.items()},
                          "topics": list(m.topics), "status": m.status} for m in messages]}
