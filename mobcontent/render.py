"""The *render* stage: adapted messages → one HTML document per leaflet and locale.

Markdown goes through the same parser that extracted the blocks (raw HTML is
escaped, never passed through), each block replaced by its adapted text and
tagged with its language. A bilingual leaflet puts each block's Vietnamese
beneath the first language's, the two kept together. The page is a Jinja2
layout (``layout.html`` + ``layout.css`` + ``layout.yaml``) from the project's
``layouts/<name>/`` or the package's; shared pieces (crop-mark page rules, the
motif band, macros) live in the package's ``layouts/_common/``.

Text is never changed on its way to the page, so the text a PDF reader extracts
is the text the officer wrote: personal names such as Y-Nuel or H’Duyêt are kept
on one line by a ``white-space: nowrap`` span, not by swapping characters.
"""
from __future__ import annotations

import datetime as _dt
import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape

from .adapt import AdaptedMessage
from .errors import BuildError, ContentError
from .i18n import _
from .keep import keep_together
from .safety import shown_target
from .translate import Text, make_markdown

PACKAGE_LAYOUTS = Path(__file__).parent / "layouts"
COMMON_LAYOUT = PACKAGE_LAYOUTS / "_common"
MEDIA = ("print", "screen")
LAYOUT_KEYS = ("medium", "pages", "type_size", "min_type_size", "max_type_size", "min_scale", "min_fill",
               "keep_chars", "release", "png_dpi")
SIZE_RE = re.compile(r"\s*([0-9.]+)\s*(pt|px)\s*")

# Ê Đê and M'nông personal names with a prefix: Y- (men), H’ (women). A name
# must never break at its hyphen (nor be split from its prefix).
NAME_RE = re.compile(r"(?<![\w’-])[YH][-’][^\W\d_][\w’-]*")


@dataclass(frozen=True)
class Layout:
    """A layout folder and what its ``layout.yaml`` declares."""

    name: str
    directory: Path
    medium: str = "print"  # print: bleed, crop marks, CMYK, PDF/X-4 | screen: RGB, no bleed
    pages: int = 2  # the most pages its text may take (copyfit's target)
    type_size: float = 11.0  # body type size at scale 1 ...
    type_unit: str = "pt"  # ... in this unit
    min_scale: float = 0.85  # copyfit never sets type smaller than type_size * min_scale (the floor) ...
    max_scale: float = 1.0  # ... nor larger than type_size * max_scale, when it fills an under-full page
    min_fill: float = 0.0  # a page whose text area is used less than this is under-full (0: never)
    keep_chars: int = 24  # the longest text kept on one line (a value, a paragraph's last two syllables)
    release: str = "pdf/x-4"  # the PDF standard of a release build: pdf/x-4 | pdf/a-2b
    png_dpi: float = 100.0  # resolution of the PNG pages

    @property
    def floor(self) -> float:
        """The smallest body size copyfit may set, in ``type_unit``."""
        return round(self.type_size * self.min_scale, 2)

    @property
    def ceiling(self) -> float:
        """The largest body size copyfit may set, in ``type_unit``."""
        return round(self.type_size * self.max_scale, 2)

    @property
    def bleed_mm(self) -> float:
        from .printing import BLEED_MM
        return BLEED_MM if self.medium == "print" else 0.0


@dataclass(frozen=True)
class Page:
    """Everything a layout template shows, already adapted and translated."""

    lang: str
    title: Text
    tagline: Text | None
    greeting: Text | None
    signoff: Text | None
    issuer: Text | None
    contacts: tuple  # (label Text, value Text) pairs
    edition: str
    date: str  # ISO date, for the PDF metadata
    date_text: str  # the date as the reader sees it
    draft: bool
    labels: dict  # layout string id -> Text
    motif: str
    colour: str
    fonts_css: str
    second: "Page | None" = None  # bilingual: the same page in the second language

    @property
    def langs(self) -> tuple[str, ...]:
        return (self.lang, self.second.lang) if self.second else (self.lang,)


@dataclass(frozen=True)
class MessageView:
    """One message as a layout shows it: title, summary and body HTML (both languages)."""

    slug: str
    title: Text
    html: Markup
    summary: Text | None = None
    second_title: Text | None = None
    second_summary: Text | None = None
    lang: str = ""
    second_lang: str = ""


# --- layouts ------------------------------------------------------------------

def layout_dirs(project_root: Path, layout: str) -> list[Path]:
    """Folders a layout is looked up in: the project's own first, then the package's."""
    return [d for d in (project_root / "layouts" / layout, PACKAGE_LAYOUTS / layout) if d.is_dir()]


def resolve_layout(project_root: Path, layout: str) -> tuple[str, Path]:
    """The layout's name and folder; BuildError naming the known layouts if there is none."""
    dirs = layout_dirs(project_root, layout)
    if not dirs:
        known = sorted(p.name for p in PACKAGE_LAYOUTS.iterdir() if p.is_dir() and not p.name.startswith("_"))
        raise BuildError(_("layout '{layout}' not found in layouts/ or the package").format(layout=layout),
                         hint=_("use one of: {names}").format(names=", ".join(known)), code="layout-unknown")
    return layout, dirs[0]


def read_layout(project_root: Path, name: str) -> Layout:
    """The layout ``name`` with the settings of its ``layout.yaml`` (all optional)."""
    _name, directory = resolve_layout(project_root, name)
    path = directory / "layout.yaml"
    if not path.is_file():
        return Layout(name, directory)
    from .yamlio import read_yaml, to_plain
    where = str(path)
    data = to_plain(read_yaml(path.read_text(encoding="utf-8"), where)) or {}
    if not isinstance(data, dict):
        raise ContentError(_("layout.yaml must be a mapping of settings"), where, 1,
                           _("use the keys: {keys}").format(keys=", ".join(LAYOUT_KEYS)))
    unknown = sorted(set(data) - set(LAYOUT_KEYS))
    if unknown:
        raise ContentError(_("unknown layout setting {names}").format(names=", ".join(unknown)), where, 1,
                           _("known settings: {keys}").format(keys=", ".join(LAYOUT_KEYS)))
    return _parse_layout(name, directory, data, where)


def _parse_layout(name: str, directory: Path, data: dict, where: str) -> Layout:
    settings = {}
    try:
        if "medium" in data:
            settings["medium"] = _choice(data["medium"], MEDIA, "medium")
        if "release" in data:
            from .printing import VARIANTS
            settings["release"] = _choice(data["release"], VARIANTS, "release")
        if "pages" in data:
            settings["pages"] = int(data["pages"])
        if "min_scale" in data:
            settings["min_scale"] = float(data["min_scale"])
        if "png_dpi" in data:
            settings["png_dpi"] = float(data["png_dpi"])
        if "min_fill" in data:
            settings["min_fill"] = float(data["min_fill"])
        if "keep_chars" in data:
            settings["keep_chars"] = int(data["keep_chars"])
        if "type_size" in data:
            settings["type_size"], settings["type_unit"] = _size(data["type_size"], "type_size")
        preferred, unit = settings.get("type_size", 11.0), settings.get("type_unit", "pt")
        for key, scale in (("min_type_size", "min_scale"), ("max_type_size", "max_scale")):
            if key in data:
                size, size_unit = _size(data[key], key)
                if size_unit != unit:
                    raise ValueError(_("{key}: write it in {unit}, like type_size").format(key=key, unit=unit))
                settings[scale] = size / preferred
        if settings.get("max_scale", 1.0) < 1.0 or settings.get("min_scale", 0.85) > 1.0:
            raise ValueError(_("the type sizes must read min_type_size ≤ type_size ≤ max_type_size"))
    except ValueError as exc:
        raise ContentError(_("bad layout setting: {error}").format(error=exc), where, 1,
                           _("see docs/printing.md for the layout settings")) from None
    return Layout(name, directory, **settings)


def _size(value, key: str) -> tuple[float, str]:
    """``"9.5pt"`` → ``(9.5, "pt")``."""
    match = SIZE_RE.fullmatch(str(value))
    if not match:
        raise ValueError(_("{key}: write a size in pt or px, e.g. 11pt").format(key=key))
    return float(match[1]), match[2]


def _choice(value, choices, key):
    if value not in choices:
        raise ValueError(_("{key}: '{value}' is not one of {choices}").format(
            key=key, value=value, choices=", ".join(choices)))
    return value


# --- messages -------------------------------------------------------------------

def render_message(adapted: AdaptedMessage, lang: str, draft: bool,
                   second: AdaptedMessage | None = None, second_lang: str = "", assets=None,
                   values=(), keep_chars: int = 0) -> Markup:
    """HTML of one adapted message's body (without its title).

    Every block carries ``lang``. With ``second`` (bilingual leaflets), each
    block is followed by the same block in ``second_lang``, the two wrapped in
    one element that is never split across columns or pages. With ``keep_chars``,
    the filled ``values``, phone numbers and each block's last two syllables are
    kept on one line where they are no longer than that (:mod:`mobcontent.keep`).
    """
    def transform(kind: str, source: str):
        text = adapted.texts[source]
        attributes = {"lang": lang}
        if draft and not text.releasable:
            attributes["class"] = f"mc-{text.state}"
        if text.origin:
            attributes["data-origin"] = text.origin  # where the typographic report points
        if second is not None:
            other = second.texts[source]
            attributes["data-second"] = other.text
            attributes["data-second-lang"] = second_lang
            if draft and not other.releasable:
                attributes["data-second-class"] = f"mc-{other.state}"
        return text.text, attributes

    parts = []
    for chunk in adapted.chunks:
        md = make_markdown(transform, assets)
        md.treeprocessors.register(_PairProcessor(md), "mobcontent-pairs", 25)  # before inline (20)
        parts.append(md.convert(chunk.text))
        if md.mc_blocked:
            raise blocked_error(md.mc_blocked, adapted, second)
    markup = mark_names("\n".join(parts))
    return Markup(keep_together(markup, values, keep_chars) if keep_chars else markup)


def blocked_error(blocked, adapted: AdaptedMessage, second: AdaptedMessage | None = None) -> ContentError:
    """A ``link-blocked`` error at the line the first refused target came from (the PO
    entry of a translation, or the message line), naming every refused target."""
    source, target, reason = blocked[0]
    origin = ""
    for texts in (adapted.texts, second.texts if second is not None else {}):
        text = texts.get(source)
        if text is not None and target in text.text:
            origin = text.origin
            break
    if not origin and source in adapted.texts:
        origin = adapted.texts[source].origin
    path, _sep, line = (origin or adapted.message.path).rpartition(":")
    if not path:
        path, line = adapted.message.path, "0"
    others = len(blocked) - 1
    return ContentError(
        _("refused link or image '{target}': {reason}").format(target=shown_target(target), reason=reason)
        + (_(" (and {count} more)").format(count=others) if others else ""),
        path, int(line) if line.isdigit() else 0,
        _("use https:// links, and images from content/assets/ only"), code="link-blocked")


class _PairProcessor(Treeprocessor):
    """Puts the second language's block beneath each block marked ``data-second``.

    Runs after the blocks are translated and before inline Markdown, so both
    texts get their emphasis and links. A paragraph or heading and its pair are
    wrapped in ``<div class="pair">``; a list item or table cell gets its pair
    inside it, as a ``<span class="second">`` block.
    """

    def run(self, root):
        parents = {child: parent for parent in root.iter() for child in parent}
        for element in list(root.iter()):
            text = element.attrib.pop("data-second", None)
            if text is None:
                continue
            lang = element.attrib.pop("data-second-lang", "")
            css = " ".join(filter(None, ["second", element.attrib.pop("data-second-class", "")]))
            if element.tag in ("li", "td", "th"):
                element.set("class", " ".join(filter(None, [element.get("class"), "pair"])))
                pair = etree.SubElement(element, "span", {"class": css, "lang": lang})
                pair.text = text
                continue
            parent = parents[element]
            index = list(parent).index(element)
            wrapper = etree.Element("div", {"class": "pair"})
            parent.remove(element)
            parent.insert(index, wrapper)
            wrapper.append(element)
            wrapper.tail, element.tail = element.tail, None
            kind = "p" if element.tag == "p" else element.tag
            pair = etree.SubElement(wrapper, kind, {"class": css, "lang": lang})
            pair.text = text


def mark_names(markup: str) -> str:
    """Wrap personal names with a prefix (Y-Nuel, H’Duyêt) in a no-break span.

    Only text between tags is touched; the characters stay as they are.

    >>> mark_names('<p>Ông Y-Nuel và bà H’Duyêt, <a href="Y-x">y-tế</a></p>')
    '<p>Ông <span class="mc-name">Y-Nuel</span> và bà <span class="mc-name">H’Duyêt</span>, <a href="Y-x">y-tế</a></p>'
    """
    parts = re.split(r"(<[^>]*>)", markup)
    for index in range(0, len(parts), 2):
        parts[index] = NAME_RE.sub(lambda m: f'<span class="mc-name">{m.group(0)}</span>', parts[index])
    return "".join(parts)


def mark_missing(markup: str, chars: list[str]) -> str:
    """Wrap each character the fonts lack in a highlighted span (draft builds only)."""
    if not chars:
        return markup
    wanted = re.compile("|".join(re.escape(c) for c in chars))
    parts = re.split(r"(<[^>]*>)", markup)
    for index in range(0, len(parts), 2):
        parts[index] = wanted.sub(lambda m: f'<span class="mc-glyph-missing">{m.group(0)}</span>', parts[index])
    return "".join(parts)


def _segments_filter(value) -> Markup:
    """Jinja filter: like ``names``, and each " · "-separated part kept on one line
    ("Bảo vệ trẻ em 111" never leaves its number alone on the next line)."""
    parts = str(_names_filter(value)).split(" · ")
    return Markup(" · ".join(f'<span class="mc-keep">{part}</span>' for part in parts))


def _names_filter(value) -> Markup:
    """Jinja filter: escape a text and keep personal names on one line."""
    if value is None:
        return Markup("")
    text = value.text if isinstance(value, Text) else str(value)
    return Markup(mark_names(str(escape(text))))


# --- dates ----------------------------------------------------------------------

def format_leaflet_date(value: str, locale: str, registry: dict | None = None) -> str:
    """A leaflet date as readers of ``locale`` write it, through the locale registry
    (rad/cmo have no CLDR data: their ``locale.yaml`` falls back to ``vi``).

    >>> format_leaflet_date("2026-11-01", "rad")
    'ngày 01 tháng 11 năm 2026'
    """
    from .locales import format_date
    return format_date(value, locale, registry or {})


# --- the page ---------------------------------------------------------------------

def render_page(layout: Layout | Path, page: Page, messages: list, scale: float = 1.0,
                missing: list[str] = ()) -> str:
    """Fill the layout template with ``page`` and the messages, type set at ``scale``.

    ``messages`` are :class:`MessageView` (or ``(AdaptedMessage, html)`` pairs,
    the older form). ``missing`` characters are highlighted in the body.
    """
    if isinstance(layout, Path):
        layout = Layout(layout.name, layout)
    env = _environment(layout.directory)
    css = (layout.directory / "layout.css").read_text(encoding="utf-8")
    views = [m if isinstance(m, MessageView) else
             MessageView(m[0].message.slug, m[0].title, Markup(m[1]), lang=page.lang) for m in messages]
    if missing:
        views = [_replace_html(v, Markup(mark_missing(str(v.html), list(missing)))) for v in views]
    return env.get_template("layout.html").render(
        page=page, css=Markup(css), layout=layout, scale=scale,
        type_size=f"{layout.type_size * scale:.2f}{layout.type_unit}",
        palette={k: Markup(v) for k, v in palette(page.colour, layout.medium).items()},
        messages=views)


def _replace_html(view: MessageView, markup: Markup) -> MessageView:
    from dataclasses import replace
    return replace(view, html=markup)


@lru_cache(maxsize=32)
def _environment(directory: Path) -> jinja2.Environment:
    """The Jinja2 environment of a layout folder (cached: compiling costs ~15 ms a page;
    templates edited on disk are reloaded)."""
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(directory)),
                                  jinja2.FileSystemLoader(str(COMMON_LAYOUT))])
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    env.filters["names"] = _names_filter
    env.filters["segments"] = _segments_filter
    from .motifs import motif_band
    env.globals["motif_band"] = motif_band  # the audience's decorative band (see mobcontent.motifs)
    return env


DEFAULT_COLOUR = "#1f5f8b"


def palette(colour: str, medium: str) -> dict[str, str]:
    """The CSS colours of a page: CMYK on print (text in pure black), RGB on screen.

    ``colour`` is the audience profile's accent (``#rrggbb``).

    >>> palette("#8b1e1e", "print")["accent"]
    'device-cmyk(0 0.784 0.784 0.455)'
    """
    accent = colour if re.fullmatch(r"#[0-9a-fA-F]{6}", colour or "") else DEFAULT_COLOUR
    if medium != "print":
        return {"ink": "#1b1b1b", "muted": "#4a4a4a", "accent": accent, "tint": _rgb_tint(accent, .12),
                "paper": "#ffffff", "mark": "#d0021b", "highlight": "#fff1b8"}
    c, m, y, k = hex_to_cmyk(accent)
    return {"ink": "device-cmyk(0 0 0 1)", "muted": "device-cmyk(0 0 0 .72)",
            "accent": _cmyk(c, m, y, k), "tint": _cmyk(c * .12, m * .12, y * .12, k * .12),
            "paper": "device-cmyk(0 0 0 0)", "mark": "device-cmyk(0 .95 .9 0)",
            "highlight": "device-cmyk(0 .04 .32 0)"}


def _cmyk(*values: float) -> str:
    return "device-cmyk(%s)" % " ".join(_num(v) for v in values)


def _rgb_tint(value: str, share: float) -> str:
    channels = (int(value[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - (255 - c) * share):02x}" for c in channels)


def hex_to_cmyk(value: str) -> tuple[float, float, float, float]:
    """Naive (uncalibrated) RGB → CMYK, enough to name an accent colour.

    >>> hex_to_cmyk("#000000"), hex_to_cmyk("#ffffff")
    ((0.0, 0.0, 0.0, 1.0), (0.0, 0.0, 0.0, 0.0))
    """
    r, g, b = (int(value[i:i + 2], 16) / 255 for i in (1, 3, 5))
    k = 1 - max(r, g, b)
    if k >= 1:
        return (0.0, 0.0, 0.0, 1.0)
    return tuple(round((1 - c - k) / (1 - k), 3) for c in (r, g, b)) + (round(k, 3),)


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") if value else "0"


def plain_text(html_text: str) -> str:
    """Visible text of an HTML fragment, for comparing with text extracted from a PDF."""
    text = re.sub(r"<[^>]+>", " ", html_text)
    return " ".join(html.unescape(text).split())
