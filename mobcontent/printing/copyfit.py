"""Copyfit: set a leaflet's type as large as fits its layout, between its floor and maximum.

A layout holds at most ``layout.pages`` pages, and its fixed panels (elements
with the class ``mc-frame``, such as a trifold's cover and back panels) hold
what they hold. :func:`measure` finds what overflows a laid-out document;
:func:`fit_layout` lays the leaflet out at the preferred size, then:

- when it overflows, smaller, in steps of :data:`STEP` down to ``layout.min_scale``
  (the floor), then back up in steps of :data:`FINE_STEP` to the largest size that
  fits — or, at the floor, it returns the overflow and how much is too much;
- when it fits with a page under-full (less of its text area used than
  ``layout.min_fill``, :func:`mobcontent.printing.typography.page_fills`), larger, in
  steps of :data:`GROW_STEP` up to ``layout.max_scale``, on the pages it already has.

A layout that may grow is laid out at its maximum first: most short leaflets end
there, and :func:`_settled_at_top` tells from that one layout when the steps above
would end there too, so such a leaflet is laid out once rather than twice.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..base.errors import Problem
from ..base.i18n import _
from .typography import page_fills

STEP = 0.04
PX_PER_MM = 96 / 25.4


@dataclass(frozen=True)
class Overflow:
    """What does not fit: extra pages, and panels that are too short."""

    pages: int  # pages laid out
    allowed: int  # pages the layout holds
    ratio: float  # text needed / room available (> 1)
    frames: tuple[tuple[str, float], ...] = ()  # (panel name, mm too much)

    def describe(self) -> str:
        parts = []
        if self.pages > self.allowed:
            parts.append(_("it takes {pages} pages where the layout has {allowed}").format(
                pages=self.pages, allowed=self.allowed))
        parts += [_("the '{panel}' panel is {mm} mm too short").format(panel=name, mm=f"{mm:.0f}")
                  for name, mm in self.frames]
        return "; ".join(parts) + _(" — about {percent} % too much text").format(
            percent=math.ceil((self.ratio - 1) * 100))

    def problem(self, leaflet, job, layout, scale: float) -> Problem:
        size = f"{layout.type_size * scale:.1f} {layout.type_unit}"
        return Problem(
            "text-overflow", "error", leaflet.path, leaflet.line,
            _("{job} ({locales}, layout {layout}) does not fit even with the type shrunk to {size}: {what}").format(
                job=job.name, locales=", ".join(job.locales), layout=layout.name, size=size, what=self.describe()),
            _("shorten the messages, move one to another leaflet, or use a layout with more room"))


@dataclass
class Fit:
    """The document laid out at the chosen scale, and what still overflows there."""

    rendered: object  # printing.Rendered
    scale: float
    overflow: Overflow | None
    attempts: int


def fit_layout(render, layout) -> Fit:
    """Lay out with ``render(scale)`` at 1.0 (the preferred size); smaller, down to the
    floor, until nothing overflows; or, when it fits with a page under-full, larger, up
    to the layout's maximum, as long as it still fits.

    A layout that may grow is first laid out at its maximum. When that layout shows
    where the steps would end (:func:`_settled_at_top`), it is the answer, laid out
    once; when it shows the text too long at the preferred size as well, the steps
    down start without laying that out."""
    attempts = 0
    if layout.max_scale > 1.0:
        top_scale = round(layout.max_scale, 3)
        top = render(top_scale)
        attempts, top_overflow = 1, measure(top.document, layout)
        if top_overflow is None and _settled_at_top(top.document, layout):
            return Fit(top, top_scale, None, 1)
        plain = render
        render = lambda scale: top if scale == top_scale else plain(scale)  # noqa: E731 (laid out already)
        shrunk = top_overflow.ratio / layout.max_scale ** 2 if top_overflow else 0.0
        if shrunk > 1 + SAFETY:  # the text is no shorter than that at the preferred size: too long there too
            return _shrink(render, layout, shrunk, None, attempts)
    rendered = render(1.0)
    overflow = measure(rendered.document, layout)
    if overflow is None:
        return _grow(render, layout, Fit(rendered, 1.0, None, attempts + 1))
    return _shrink(render, layout, overflow.ratio, Fit(rendered, 1.0, overflow, attempts + 1), attempts + 1)


def _shrink(render, layout, ratio: float, preferred: Fit | None, attempts: int) -> Fit:
    """Smaller than the preferred size (which overflows ``ratio`` times; ``preferred`` is
    its layout when there is one), in steps of :data:`STEP` down to the floor, then the
    largest size that fits (:func:`_refine`); at the floor, what still overflows."""
    scales = _scales(layout.min_scale)
    if len(scales) == 1:  # no floor below the preferred size
        return preferred or _at(render, layout, 1.0, attempts)
    # Type area grows with the square of the scale: jump near the estimate, then step.
    estimate = 1 / math.sqrt(ratio)
    index = max(1, min(len(scales) - 1, next((i for i, s in enumerate(scales) if s <= estimate + STEP), len(scales) - 1)))
    failed = 1.0  # the smallest scale tried that does not fit
    while True:
        fit = _at(render, layout, scales[index], attempts)
        attempts = fit.attempts
        if fit.overflow is None:
            return _refine(render, layout, fit, failed)
        if index == len(scales) - 1:
            return fit
        failed = scales[index]
        index += 1


def _at(render, layout, scale: float, attempts: int) -> Fit:
    """The layout at ``scale``, and what overflows there."""
    rendered = render(scale)
    return Fit(rendered, scale, measure(rendered.document, layout), attempts + 1)


FINE_STEP = 0.01


def _refine(render, layout, fit: Fit, failed: float) -> Fit:
    """The largest scale between ``fit.scale`` and ``failed`` (which does not fit), in
    steps of :data:`FINE_STEP`: the type is not left 4 % smaller than it could be."""
    candidates = [round(fit.scale + FINE_STEP * i, 3) for i in range(1, 100)
                  if fit.scale + FINE_STEP * i < failed - 1e-9]
    return _largest_fitting(render, layout, fit, candidates, start=len(candidates) // 2)


def _largest_fitting(render, layout, fit: Fit, candidates: list[float], start: int, pages: int = 0) -> Fit:
    """Binary search: the largest of ``candidates`` (ascending) that fits (in at most
    ``pages`` pages, when given), else ``fit``; the first trial is ``candidates[start]``."""
    best, attempts = fit, fit.attempts
    low, high, trial = 0, len(candidates) - 1, start
    while low <= high:  # it fits at every candidate below ``low``, at none above ``high``
        rendered = render(candidates[trial])
        attempts += 1
        fits = measure(rendered.document, layout) is None and (not pages or len(rendered.document.pages) <= pages)
        if fits:
            best, low = Fit(rendered, candidates[trial], None, attempts), trial + 1
        else:
            high = trial - 1
        trial = (low + high) // 2
    return Fit(best.rendered, best.scale, None, attempts)


GROW_STEP = 0.02


def _grow(render, layout, fit: Fit) -> Fit:
    """The largest scale up to ``layout.max_scale`` that still fits, when a page is
    under-full at ``fit`` (a binary search over steps of :data:`GROW_STEP`)."""
    if layout.max_scale <= 1.0 or not _underfull(fit.rendered.document, layout):
        return fit
    steps = int(round((layout.max_scale - 1.0) / GROW_STEP))
    candidates = [round(min(1.0 + GROW_STEP * i, layout.max_scale), 3) for i in range(1, steps + 1)]
    if candidates and candidates[-1] < layout.max_scale:
        candidates.append(round(layout.max_scale, 3))
    pages = len(fit.rendered.document.pages)  # grow to fill the pages it has, not onto a new one
    return _largest_fitting(render, layout, fit, candidates, start=len(candidates) - 1, pages=pages)


def _settled_at_top(document, layout) -> bool:
    """Whether the maximum size, which fits, is where the steps from the preferred size
    would end: on as many pages as the preferred size needs, and its last page is under-full
    (so it was at the preferred size too: there is less text on it there).

    The pages are the same when there is one, or when the text needs more than all but
    one of them even at the preferred size: it is no shorter than this length shrunk by
    the square of the scale (type area grows with the square of the scale; what does
    not scale, such as margins and pictures, stays as long)."""
    fills = page_fills(document)
    if not fills or layout.medium != "print":  # on screen the last slide is never under-full
        return False
    shrunk = sum(fills) / (layout.max_scale ** 2)
    same_pages = len(fills) == 1 or shrunk > len(fills) - 1 + SAFETY
    return same_pages and fills[-1] < layout.min_fill and all(f >= layout.min_fill for f in fills[:-1])


#: How much more than all but one page the shrunk text must need (page fill, 0-1) before
#: copyfit trusts that the preferred size needs as many pages.
SAFETY = 0.05


def _underfull(document, layout) -> bool:
    """Whether a page (on screen, a page but the last) uses less of its text area than
    the layout's ``min_fill``."""
    fills = page_fills(document)
    if layout.medium != "print":
        fills = fills[:-1]
    return any(fill < layout.min_fill for fill in fills)


def _scales(minimum: float) -> list[float]:
    """1.0, 0.96, 0.92, … down to ``minimum`` (always included)."""
    scales, scale = [], 1.0
    while scale > minimum + 1e-9:
        scales.append(round(scale, 3))
        scale -= STEP
    return scales + [round(minimum, 3)]


def measure(document, layout) -> Overflow | None:
    """What overflows a laid-out WeasyPrint document, or None when everything fits."""
    pages = document.pages
    fragments: dict[int, list] = {}  # a panel's boxes, one per page it reaches
    for page in pages:
        for box in _boxes(page._page_box):
            if _is_frame(box):
                fragments.setdefault(id(box.element), []).append(box)
    frames = []
    for first, *continued in fragments.values():
        # what runs past the panel's bottom, and what WeasyPrint carried over to later pages
        excess = max(_content_bottom(first) - (first.content_box_y() + first.height), 0)
        excess += sum(_content_bottom(box) - box.content_box_y() for box in continued)
        if excess > 0.5:
            frames.append((_frame_name(first), excess / PX_PER_MM, excess / max(first.height, 1)))
    frames += _masthead_pushed(pages)
    if len(pages) <= layout.pages and not frames:
        return None
    ratio = 1.0
    if len(pages) > layout.pages:
        last = pages[-1]._page_box
        used = (_content_bottom(last) - last.content_box_y()) / max(last.height, 1)
        ratio = (len(pages) - 1 + min(max(used, 0.05), 1.0)) / layout.pages
    for _name, _mm, share in frames:
        ratio = max(ratio, 1 + share)
    return Overflow(len(pages), layout.pages, ratio, tuple((name, mm) for name, mm, _ in frames))


def _masthead_pushed(pages) -> list[tuple[str, float, float]]:
    """The masthead (issuer, title, tagline) belongs on the first page: a title too long for
    it leaves page 1 blank and spills over the next ones, which no page count shows."""
    spilled = [box for page in pages[1:] for box in _boxes(page._page_box)
               if "masthead" in _classes(box) and getattr(box, "height", 0)]
    if not spilled:
        return []
    height = max(pages[0]._page_box.height, 1)
    excess = sum(box.height for box in spilled)
    return [("masthead", excess / PX_PER_MM, excess / height)]


def _boxes(box):
    box = getattr(box, "_box", box)  # an absolutely positioned box sits in a placeholder
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _boxes(child)


def _classes(box) -> list[str]:
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", None) in (None, ""):
        return []
    return (element.get("class") or "").split()


def _is_frame(box) -> bool:
    from weasyprint.formatting_structure.boxes import BlockBox
    return isinstance(box, BlockBox) and "mc-frame" in _classes(box)


def _frame_name(box) -> str:
    names = [c for c in _classes(box) if c not in ("mc-frame", "panel")]
    return names[0] if names else "panel"


def _content_bottom(box) -> float:
    """The lowest bottom edge of the in-flow content inside ``box`` (margin boxes and
    absolutely or fixed positioned boxes left out: they never overflow a panel)."""
    from weasyprint.formatting_structure.boxes import MarginBox

    bottom = box.content_box_y()
    for child in getattr(box, "children", ()) or ():
        child = getattr(child, "_box", child)
        if isinstance(child, MarginBox) or child.style["position"] in ("absolute", "fixed"):
            continue
        if getattr(child, "position_y", None) is None or not hasattr(child, "margin_height"):
            continue
        bottom = max(bottom, child.position_y + child.margin_height())
    return bottom
