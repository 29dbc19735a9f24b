"""SVG pictures are checked before WeasyPrint sees them: a drawing whose ``<use>``
elements copy each other (four copies of four copies, twelve deep: 16 million
elements) would run for ever, and WeasyPrint catches ``BaseException`` so no alarm
stops it. The expanded size and the ``<use>`` depth are counted on the parsed tree,
without expanding anything.
"""
from __future__ import annotations

import xml.etree.ElementTree as etree

from ..base.i18n import _

MAX_USE_DEPTH = 8
MAX_ELEMENTS = 20_000  # after every <use> is expanded
_HREFS = ("href", "{http://www.w3.org/1999/xlink}href")


def svg_problem(data: bytes) -> str | None:
    """Why an SVG may not be drawn (None: it may).

    >>> svg_problem(b"<svg xmlns='http://www.w3.org/2000/svg'><circle r='1'/></svg>") is None
    True
    >>> svg_problem(b"<svg") is not None
    True
    """
    try:
        root = etree.fromstring(data)
    except (etree.ParseError, ValueError):
        return _("the SVG is not well-formed XML")
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    memo: dict[int, tuple[int, int]] = {}
    try:
        size, depth = _measure(root, ids, memo, set())
    except _Cycle:
        return _("the SVG's <use> elements refer to each other in a circle")
    if depth > MAX_USE_DEPTH:
        return _("the SVG nests <use> {depth} deep (at most {limit})").format(depth=depth, limit=MAX_USE_DEPTH)
    if size > MAX_ELEMENTS:
        return _("the SVG expands to {count} elements (at most {limit})").format(count=size, limit=MAX_ELEMENTS)
    return None


class _Cycle(Exception):
    pass


def _measure(element, ids: dict, memo: dict, active: set) -> tuple[int, int]:
    """``(elements once expanded, <use> depth)`` of ``element``, iteratively deep-first."""
    key = id(element)
    if key in memo:
        return memo[key]
    if key in active:
        raise _Cycle()
    active.add(key)
    size, depth = 1, 0
    for child in element:
        child_size, child_depth = _measure(child, ids, memo, active)
        size, depth = min(size + child_size, MAX_ELEMENTS * 10), max(depth, child_depth)
    if element.tag.rsplit("}", 1)[-1] == "use":
        target = next((element.get(h) for h in _HREFS if element.get(h)), "")
        referred = ids.get(target[1:]) if target.startswith("#") else None
        if referred is not None:
            ref_size, ref_depth = _measure(referred, ids, memo, active)
            size, depth = size + ref_size, max(depth, ref_depth + 1)
    active.discard(key)
    memo[key] = (min(size, MAX_ELEMENTS * 10), depth)
    return memo[key]
