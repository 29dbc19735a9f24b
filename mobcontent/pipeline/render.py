"""The *render* stage: adapted messages → one HTML document per leaflet and locale.

Markdown goes through the same parser that extracted the blocks (raw HTML is
escaped, never passed through), each block replaced by its adapted text and
tagged with its language. A bilingual leaflet puts each block's Vietnamese
beneath the first language's, the two kept together. The page is a Jinja2
layout (``layout.html`` + ``layout.css`` + ``layout.yaml``) from the project's
``layouts/<name>/`` or the package's; shared pieces (crop-mark page rules, the
motif band, macros) live in the package's ``layouts/_common/``.

Letters are never changed on its way to the page, so the text a PDF reader
extracts is the text the officer wrote: personal names such as Y-Nuel or H’Duyêt
are kept on one line by a ``white-space: nowrap`` span, not by swapping characters.
Filled values, phone numbers and each paragraph's last two syllables are kept
together by turning the spaces inside them into no-break spaces
(:mod:`mobcontent.pipeline.keep`), which readers and search take for spaces.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from functools import lru_cache
from pathlib import Path

import jinja2
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape

from ..base.errors import ContentError
from ..base.i18n import _
from ..base.text import shown_target
from ..formats.markdown import make_markdown
from .adapt import AdaptedMessage
from .keep import keep_together
from .layout import COMMON_LAYOUT, NAME_RE, Layout, MessageView, Page
from .motifs import motif_band
from .translate import Text

# --- messages -------------------------------------------------------------------

def render_message(adapted: AdaptedMessage, lang: str, draft: bool,
                   second: AdaptedMessage | None = None, second_lang: str = "", assets=None,
                   values=(), keep_chars: int = 0) -> Markup:
    """HTML of one adapted message's body (without its title).

    Every block carries ``lang``. With ``second`` (bilingual leaflets), each
    block is followed by the same block in ``second_lang``, the two wrapped in
    one element that is never split across columns or pages. With ``keep_chars``,
    the filled ``values``, phone numbers and each block's last two syllables are
    kept on one line where they are no longer than that (:mod:`mobcontent.pipeline.keep`).
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


# --- the page ---------------------------------------------------------------------

def render_page(layout: Layout | Path, page: Page, messages: list, scale: float = 1.0,
                missing: list[str] = (), short: bool = False) -> str:
    """Fill the layout template with ``page`` and the messages, type set at ``scale``.

    ``messages`` are :class:`MessageView` (or ``(AdaptedMessage, html)`` pairs,
    the older form). ``missing`` characters are highlighted in the body. ``short``
    tells the template that the text took fewer pages than the layout's ``min_pages``
    (a trifold then starts its messages on the inside).
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
        messages=views, short=short)


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
    env.globals["motif_band"] = motif_band  # the audience's decorative band (see mobcontent.pipeline.motifs)
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
