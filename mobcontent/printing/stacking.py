"""The stacking check: ê̆ ô̆ ơ̆ ư̆ shaped with HarfBuzz, the breve's ink above the
circumflex or horn, not on it.
"""
from __future__ import annotations

from pathlib import Path

from ..base.i18n import _


def check_stacking(font_path: Path) -> list[str]:
    """Check that a breve (U+0306) stacks above ê ô ơ ư and Ê Ô Ơ Ư in this font.

    Each letter + U+0306 is shaped with HarfBuzz's default features, as the PDF
    renderer (Pango) shapes it. The bottom of the breve's ink must not be lower
    than the top of the letter's ink directly under the breve (the circumflex;
    for ơ ư the bowl, as the horn rises beside the breve), less 2 % of the em.
    Where the font ligates the pair into a composite glyph, as the kit does, its
    components are checked the same way. Returns one human-readable problem per
    letter that does not stack; empty when all do.

    >>> dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    >>> check_stacking(dejavu)[0]                                      # doctest: +SKIP
    'ê̆: breve overlaps the circumflex (breve bottom 1321 < base top 1638)'
    """
    import uharfbuzz as hb  # imported here: only the preflight needs HarfBuzz

    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(font_path))))
    tolerance = font.face.upem * 0.02  # 2 % of the em: outline sampling noise only
    parts = _CompositeParts(font_path)
    problems = []
    for base in _STACKED_BASES:
        problem = _stacking_problem(font, parts, base, tolerance)
        if problem:
            problems.append(problem)
    return problems


# --- stacking -----------------------------------------------------------------

BREVE = "\u0306"
_STACKED_BASES = "êôơưÊÔƠƯ"
# What a breve on each letter collides with when it is placed too low.
_BASE_PART = {"ê": "circumflex", "ô": "circumflex", "ơ": "letter", "ư": "letter"}


def _stacking_problem(font, parts: _CompositeParts, base: str, tolerance: float) -> str | None:
    """Describe how ``base`` + U+0306 fails to stack, or None if it stacks."""
    label = base + BREVE
    placed = _shape(font, label)
    if any(glyph == 0 for glyph, _ in placed):
        return _("{label}: the font has no glyph for {base} or U+0306").format(label=label, base=base)
    if len(placed) == 1:  # a ligature: check the letter and breve it is built from
        placed = parts.of(placed[0][0])
        if len(placed) < 2:
            return None  # a designed outline, not letter + breve: nothing to stack
    *base_glyphs, (mark_glyph, mark_at) = placed
    mark = _ink_box(font, mark_glyph, mark_at)
    if mark is None:
        return _("{label}: the breve has no outline").format(label=label)
    # Only the base's ink under the breve counts: ơ's horn rises beside the
    # breve, not under it, and must not be reported as a collision.
    tops = [_ink_top(font, glyph, at, mark[0], mark[2]) for glyph, at in base_glyphs]
    base_top = max((top for top in tops if top is not None), default=None)
    if base_top is None:
        return _("{label}: breve is not over the letter (breve x {left}..{right})").format(
            label=label, left=f"{mark[0]:.0f}", right=f"{mark[2]:.0f}")
    if mark[1] < base_top - tolerance:
        what = (_("{label}: breve overlaps the circumflex (breve bottom {bottom} < base top {top})")
                if _BASE_PART[base.lower()] == "circumflex" else
                _("{label}: breve overlaps the letter (breve bottom {bottom} < base top {top})"))
        return what.format(label=label, bottom=f"{mark[1]:.0f}", top=f"{base_top:.0f}")
    return None


class _CompositeParts:
    """The components of a font's composite glyphs, read only when first needed."""

    def __init__(self, font_path: Path):
        self._path = font_path
        self._font = None

    def of(self, glyph: int) -> list[tuple[int, tuple[int, int]]]:
        """Glyph ids and offsets of ``glyph``'s components; empty if it has none."""
        from fontTools.ttLib import TTFont

        if self._font is None:
            self._font = TTFont(self._path, lazy=True)
        if "glyf" not in self._font:
            return []
        outline = self._font["glyf"][self._font.getGlyphName(glyph)]
        if not outline.isComposite():
            return []
        return [(self._font.getGlyphID(c.glyphName), (c.x, c.y)) for c in outline.components]


def _shape(font, text: str) -> list[tuple[int, tuple[int, int]]]:
    """Glyph ids and absolute origins of ``text`` shaped with default features."""
    import uharfbuzz as hb

    buffer = hb.Buffer()
    buffer.add_str(text)
    # Fixed, not the process locale: the kit's bytes must not depend on $LANG.
    buffer.language = "vi"
    buffer.guess_segment_properties()
    hb.shape(font, buffer, {})
    pen_x = pen_y = 0
    placed = []
    for info, position in zip(buffer.glyph_infos, buffer.glyph_positions):
        placed.append((info.codepoint, (pen_x + position.x_offset, pen_y + position.y_offset)))
        pen_x += position.x_advance
        pen_y += position.y_advance
    return placed


def _ink_box(font, glyph: int, at: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """(x_min, y_min, x_max, y_max) of a glyph's ink placed at ``at``, y up."""
    extents = font.get_glyph_extents(glyph)
    if extents is None or extents.width == 0:
        return None
    x_min = at[0] + extents.x_bearing
    y_max = at[1] + extents.y_bearing
    return (x_min, y_max + extents.height, x_min + extents.width, y_max)


def _ink_top(font, glyph: int, at: tuple[int, int], x_min: float, x_max: float) -> float | None:
    """Highest point of a glyph's outline between ``x_min`` and ``x_max``, or None."""
    sampler = _OutlineSampler()
    font.draw_glyph_with_pen(glyph, sampler)
    tops = [at[1] + y for x, y in sampler.points if x_min <= at[0] + x <= x_max]
    return max(tops) if tops else None


class _OutlineSampler:
    """A fontTools-style pen that records points along every segment of an outline."""

    STEPS = 32

    def __init__(self):
        self.points: list[tuple[float, float]] = []
        self._start = self._current = (0.0, 0.0)

    def moveTo(self, point):
        self._start = self._current = point

    def lineTo(self, point):
        self._sample(lambda t, a=self._current: _lerp(a, point, t))
        self._current = point

    def qCurveTo(self, *points):
        # TrueType: implied on-curve points midway between consecutive off-curves.
        for control, end in _split_quadratic(points):
            self._sample(lambda t, a=self._current, c=control, e=end:
                         _lerp(_lerp(a, c, t), _lerp(c, e, t), t))
            self._current = end

    def curveTo(self, *points):
        for c1, c2, end in zip(points[::3], points[1::3], points[2::3]):
            self._sample(lambda t, a=self._current, c1=c1, c2=c2, e=end: _lerp(
                _lerp(_lerp(a, c1, t), _lerp(c1, c2, t), t),
                _lerp(_lerp(c1, c2, t), _lerp(c2, e, t), t), t))
            self._current = end

    def closePath(self):
        self.lineTo(self._start)

    endPath = closePath

    def _sample(self, at_t):
        self.points += [at_t(step / self.STEPS) for step in range(self.STEPS + 1)]


def _lerp(a, b, t):
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def _split_quadratic(points):
    """(control, end) pairs of a TrueType quadratic run with implied on-curve points."""
    *controls, end = points
    pairs = []
    for index, control in enumerate(controls):
        last = index == len(controls) - 1
        pairs.append((control, end if last else _lerp(control, controls[index + 1], 0.5)))
    return pairs
