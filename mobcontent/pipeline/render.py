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
import os
import re
import xml.etree.ElementTree as etree
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape

from ..base.errors import ContentError
from ..base.files import confine, decode_text, read_regular
from ..base.i18n import _
from ..base.text import shown_target
from ..formats.markdown import reused_markdown
from .adapt import AdaptedMessage
from .keep import keep_together
from .layout import COMMON_LAYOUT, NAME_RE, Layout, MessageView, Page, draft_mark_text
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
        md = reused_markdown("render", assets, _with_pairs)
        md.mc_transform = transform
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


def _with_pairs(md) -> None:
    md.treeprocessors.register(_PairProcessor(md), "mobcontent-pairs", 25)  # before inline (20)


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
    (a trifold then starts its messages on the inside). The template runs sandboxed
    (see :func:`_environment`); anything it may not do, and any template error, is
    ``layout-unsafe`` at the template's line.
    """
    if isinstance(layout, Path):
        layout = Layout(layout.name, layout)
    env = _environment(layout.directory)
    views = [m if isinstance(m, MessageView) else
             MessageView(m[0].message.slug, m[0].title, Markup(m[1]), lang=page.lang) for m in messages]
    if missing:
        views = [_replace_html(v, Markup(mark_missing(str(v.html), list(missing)))) for v in views]
    try:
        css = _LayoutLoader(layout.directory).get_source(env, "layout.css")[0]
        html = env.get_template("layout.html").render(
            page=page, css=Markup(css), layout=layout, scale=scale,
            type_size=f"{layout.type_size * scale:.2f}{layout.type_unit}",
            palette={k: Markup(v) for k, v in palette(page.colour, layout.medium).items()},
            messages=views, short=short)
    except jinja2.TemplateError as exc:
        raise layout_error(exc, layout.directory) from None
    return with_draft_mark(html, page)


def with_draft_mark(html_text: str, page: Page) -> str:
    """The page with its DRAFT mark: a layout (perhaps the project's own) that left it
    out gets it anyway, right after ``<body>``."""
    text = str(escape(draft_mark_text(page)))
    mark = f'<div class="draft-mark" aria-hidden="true">{text}</div>'
    if not page.draft or re.search(r'<div class="draft-mark[^"]*" aria-hidden="true">' + re.escape(text) + "</div>",
                                   html_text):
        return html_text
    match = re.search(r"<body[^>]*>", html_text)
    at = match.end() if match else 0
    return html_text[:at] + mark + html_text[at:]


def layout_error(exc: Exception, directory: Path) -> ContentError:
    """``layout-unsafe`` at the template line that raised ``exc`` (a sandbox violation, a
    syntax error, an undefined name)."""
    path, line = getattr(exc, "filename", None), getattr(exc, "lineno", None) or 0
    if not path:  # a runtime error: the innermost template frame holds the line
        tb = exc.__traceback__
        while tb is not None:
            name = tb.tb_frame.f_code.co_filename
            if name.endswith((".html", ".css")) and os.path.isabs(name):
                path, line = name, tb.tb_lineno
            tb = tb.tb_next
    return ContentError(_("the layout does something a layout may not do: {error}").format(
        error=shown_target(str(getattr(exc, "message", None) or exc).rstrip("."))), _layout_rel(path or directory / "layout.html"),
        line, _("a layout may only show the page's fields and use its filters; remove this expression"),
        code="layout-unsafe")


def _layout_rel(path) -> str:
    """A layout file as the user knows it: ``layouts/<name>/<file>`` (project or package)."""
    path = Path(path)
    return f"layouts/{path.parent.name}/{path.name}"


def _replace_html(view: MessageView, markup: Markup) -> MessageView:
    return replace(view, html=markup)


class _LayoutLoader(jinja2.BaseLoader):
    """Templates from one layout folder, then the package's shared parts (``_common``):
    plain file names only, regular files whose real path stays in their folder (no link
    out, no FIFO, bounded size)."""

    def __init__(self, directory: Path):
        self.folders = [Path(directory), COMMON_LAYOUT]

    def get_source(self, environment, template):
        if "/" in template or "\\" in template or template.startswith(".") or "\x00" in template:
            raise jinja2.TemplateNotFound(template)
        for folder in self.folders:
            if not (folder / template).exists() and not (folder / template).is_symlink():
                continue
            real = confine(folder, template)
            text = decode_text(read_regular(real, _layout_rel(folder / template)), _layout_rel(folder / template))
            mtime = os.stat(real).st_mtime_ns
            return text, str(real), lambda real=real, mtime=mtime: _unchanged(real, mtime)
        raise jinja2.TemplateNotFound(template)


def _unchanged(path: Path, mtime: int) -> bool:
    try:
        return os.stat(path).st_mtime_ns == mtime
    except OSError:
        return False


@lru_cache(maxsize=32)
def _environment(directory: Path) -> jinja2.Environment:
    """The sandboxed Jinja2 environment of a layout folder (cached: compiling costs ~15 ms
    a page; templates edited on disk are reloaded). A layout comes from the untrusted
    project: ``ImmutableSandboxedEnvironment`` refuses attribute tricks
    (``cycler.__init__.__globals__``) and changes to the values it is given."""
    env = ImmutableSandboxedEnvironment(loader=_LayoutLoader(directory), autoescape=True,
                                        undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["names"] = _names_filter
    env.filters["segments"] = _segments_filter
    env.globals["motif_band"] = motif_band  # the audience's decorative band (see mobcontent.pipeline.motifs)
    env.globals["draft_mark_text"] = draft_mark_text  # BẢN NHÁP always, a translation only beside it
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
