"""Decorative motif bands: the visual mark of an ethnic profile's ``motif``.

Each band is geometric and drawn by us from plain HTML elements and CSS —
rows of diamonds, saw-tooth borders and thread lines in the manner of the
Central Highlands' woven brocade (thổ cẩm), not a copy of any textile:

* ``ede-brocade``: a dark indigo ground between two bands of the accent colour,
  with yellow thread lines and a row of yellow diamonds outlined in the accent
  colour, alternating with small white diamonds.
* ``mnong-brocade``: a band of the accent colour with saw teeth pointing up into
  a yellow row and down into the dark ground, between white thread lines.
* ``neutral``: a plain accent rule with a thin white line — for the Kinh
  profile and for every leaflet with a mixed audience (no ``ethnic``).

The accent colour is the layout's ``--accent`` (the profile's ``colour``); the
ground and thread colours belong to the motif. On print layouts (``<html
class="medium-print">``) every colour is ``device-cmyk(...)`` — CSS gradients and SVG images would print in RGB, which
PDF/X-4 refuses — so the shapes are rotated squares and borders, which WeasyPrint
fills in CMYK.

**The hook for layouts.** The Jinja environment of every layout has the global
``motif_band``::

    {{ motif_band(page.motif) }}                  {# <div class="band mc-motif ..."> #}
    {{ motif_band(page.motif, "cover-band", width_mm=99) }}

It returns a self-contained fragment (its own ``<style>`` and the band
``<div class="band mc-motif mc-motif-ede-brocade" aria-hidden="true">``), the
band's height fixed by the motif (:data:`HEIGHTS`), its width that of its
container (the layout's ``css_class`` rule sets margins, e.g. to reach the
bleed). An empty or unknown motif draws ``neutral``.
"""
from __future__ import annotations

import math

from markupsafe import Markup, escape

MOTIFS = ("neutral", "ede-brocade", "mnong-brocade")
HEIGHTS = {"neutral": 3.0, "ede-brocade": 8.0, "mnong-brocade": 7.5}  # mm
COLOURS = {  # the motif's own colours (the accent comes from the profile)
    "ede-brocade": {"ground": "#1d1b2e", "thread": "#f0b323", "light": "#ffffff"},
    "mnong-brocade": {"ground": "#1c1a1a", "thread": "#f2c14e", "light": "#ffffff"},
    "neutral": {"light": "#ffffff"},
}
UNITS = {"ede-brocade": 7.55, "mnong-brocade": 4.4, "neutral": 0.0}  # mm of band one repeat takes
TEETH = 2.2  # mm, height of a saw tooth


def motif_band(motif: str, css_class: str = "band", width_mm: float = 320.0) -> Markup:
    """The band of ``motif`` as HTML: its ``<style>`` and its ``<div>``.

    ``css_class`` is the layout's class for placing the band; ``width_mm`` the
    widest the band may be (enough repeats are drawn to fill it; the rest is cut).

    >>> "mc-motif-neutral" in motif_band("")
    True
    """
    motif = motif if motif in MOTIFS else "neutral"
    repeats = math.ceil(width_mm / UNITS[motif]) if UNITS[motif] else 0
    if motif == "ede-brocade":
        inner = ('<div class="mc-l"></div><div class="mc-r">'
                 + '<span class="mc-d"></span><span class="mc-o"></span>' * repeats
                 + '</div><div class="mc-l"></div>')
    elif motif == "mnong-brocade":
        teeth = '<span class="mc-t"></span>' * repeats
        inner = (f'<div class="mc-l"></div><div class="mc-up">{teeth}</div><div class="mc-mid"></div>'
                 f'<div class="mc-down">{teeth}</div><div class="mc-l"></div>')
    else:
        inner = '<div class="mc-l"></div>'
    classes = f"{escape(css_class)} mc-motif mc-motif-{motif}".strip()
    return Markup(f"<style>{motif_css(motif)}</style>"
                  f'<div class="{classes}" aria-hidden="true">{inner}</div>')


def motif_css(motif: str) -> str:
    """The CSS rules of one motif's band, scoped to ``div.mc-motif.mc-motif-<motif>``
    (specific enough that a layout's one-class rule only places the band).

    The motif's colours are custom properties: hex, or ``device-cmyk()`` under
    ``.medium-print`` (the class print layouts put on ``<html>``).
    """
    motif = motif if motif in MOTIFS else "neutral"
    band = f"div.mc-motif.mc-motif-{motif}"
    colours = COLOURS[motif]
    screen = " ".join(f"--mc-{name}: {value};" for name, value in colours.items())
    cmyk = " ".join(f"--mc-{name}: {css_colour(value, 'print')};" for name, value in colours.items())
    common = (f"{band} {{ {screen} display: block; overflow: hidden; white-space: nowrap; line-height: 0;"
              f" font-size: 0; height: {HEIGHTS[motif]}mm; padding: 0; box-sizing: border-box; }}"
              f" .medium-print {band} {{ {cmyk} }}"
              f" {band} span {{ display: inline-block; vertical-align: top; }}")
    if motif == "ede-brocade":
        return common + (
            f" {band} {{ background: var(--mc-ground); border-top: .9mm solid var(--accent);"
            f" border-bottom: .9mm solid var(--accent); }}"
            f" {band} .mc-l {{ height: .35mm; margin: .45mm 0 0; background: var(--mc-thread); }}"
            f" {band} .mc-r {{ height: 4.6mm; padding: 0 0 0 1mm; }}"
            f" {band} .mc-d {{ width: 2.3mm; height: 2.3mm; margin: .65mm 1.1mm 0 .75mm;"
            f" border: .5mm solid var(--accent); background: var(--mc-thread); transform: rotate(45deg); }}"
            f" {band} .mc-o {{ width: .9mm; height: .9mm; margin: 1.85mm .75mm 0; background: var(--mc-light);"
            f" transform: rotate(45deg); }}")
    if motif == "mnong-brocade":
        side = TEETH * math.sqrt(2)  # a square whose half-diagonal is the tooth's height
        gap = (2 * TEETH - side) / 2
        return common + (
            f" {band} {{ background: var(--mc-ground); }}"
            f" {band} .mc-l {{ height: .35mm; margin: .45mm 0; background: var(--mc-light); }}"
            f" {band} .mc-up, {band} .mc-down {{ height: {TEETH}mm; overflow: hidden; }}"
            f" {band} .mc-up {{ background: var(--mc-thread); }}"
            f" {band} .mc-down {{ padding-left: {TEETH}mm; }}"
            f" {band} .mc-mid {{ height: .6mm; background: var(--accent); }}"
            f" {band} .mc-t {{ width: {side:.3f}mm; height: {side:.3f}mm; margin: 0 {gap:.3f}mm;"
            f" background: var(--accent); transform: rotate(45deg); }}"
            f" {band} .mc-up .mc-t {{ margin-top: {TEETH - side / 2:.3f}mm; }}"
            f" {band} .mc-down .mc-t {{ margin-top: {-side / 2:.3f}mm; }}")
    return common + (f" {band} {{ background: var(--accent); padding-top: 1.1mm; }}"
                     f" {band} .mc-l {{ height: .3mm; background: var(--mc-light); }}")


def css_colour(value: str, medium: str) -> str:
    """``#rrggbb`` as CSS: the hex itself on screen, naive ``device-cmyk()`` in print.

    >>> css_colour("#ffffff", "print"), css_colour("#1d1b2e", "screen")
    ('device-cmyk(0 0 0 0)', '#1d1b2e')
    """
    if medium != "print":
        return value
    r, g, b = (int(value[i:i + 2], 16) / 255 for i in (1, 3, 5))
    k = 1 - max(r, g, b)
    cmy = (0.0, 0.0, 0.0) if k >= 1 else tuple((1 - x - k) / (1 - k) for x in (r, g, b))
    return "device-cmyk(%s)" % " ".join(f"{v:.3f}".rstrip("0").rstrip(".") or "0" for v in (*cmy, k))
