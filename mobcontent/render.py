"""The *render* stage: adapted messages → one HTML document per leaflet and locale.

Markdown goes through the same parser that extracted the blocks (raw HTML is
escaped, never passed through), each block replaced by its adapted text. The
page is a Jinja2 layout from the project's ``layouts/`` or the package's.
"""
from __future__ import annotations

import datetime as _dt
import html
from dataclasses import dataclass
from pathlib import Path

import jinja2
from babel.dates import format_date

from .adapt import AdaptedMessage
from .translate import Text, make_markdown

PACKAGE_LAYOUTS = Path(__file__).parent / "layouts"
FALLBACK_LAYOUT = "a5-flyer"


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


def layout_dirs(project_root: Path, layout: str) -> list[Path]:
    """Folders a layout is looked up in: the project's own first, then the package's."""
    return [d for d in (project_root / "layouts" / layout, PACKAGE_LAYOUTS / layout) if d.is_dir()]


def resolve_layout(project_root: Path, layout: str) -> tuple[str, Path]:
    """The layout actually used and its folder (unknown layouts fall back to A5)."""
    dirs = layout_dirs(project_root, layout)
    if dirs:
        return layout, dirs[0]
    return FALLBACK_LAYOUT, layout_dirs(project_root, FALLBACK_LAYOUT)[0]


def render_message(adapted: AdaptedMessage, lang: str, draft: bool) -> str:
    """HTML of one adapted message's body (without its title)."""
    def transform(kind: str, source: str):
        text = adapted.texts[source]
        attributes = {"lang": lang}
        if draft and not text.releasable:
            attributes["class"] = f"mc-{text.state}"
            attributes["data-origin"] = text.origin
        return text.text, attributes

    parts = [make_markdown(transform).convert(chunk.text) for chunk in adapted.chunks]
    return "\n".join(parts)


def format_leaflet_date(value: str, locale: str) -> str:
    """A leaflet date in the locale's long form (CLDR-less locales use ``vi``)."""
    if not value:
        return ""
    date = _dt.date.fromisoformat(value)
    if locale in ("vi", "rad", "cmo") or not _babel_knows(locale):
        # the form of Vietnamese documents; rad/cmo have no CLDR data and fall back to vi
        return format_date(date, "'ngày' dd 'tháng' MM 'năm' y", locale="vi")
    return format_date(date, format="long", locale=locale)


def _babel_knows(locale: str) -> bool:
    from babel import Locale, UnknownLocaleError
    try:
        Locale.parse(locale)
        return True
    except (UnknownLocaleError, ValueError):
        return False


def render_page(layout_dir: Path, page: Page, messages: list[tuple[AdaptedMessage, str]]) -> str:
    """Fill the layout template with ``page`` and the messages' HTML."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(layout_dir)), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    css = (layout_dir / "layout.css").read_text(encoding="utf-8")
    return env.get_template("layout.html").render(
        page=page, css=css,
        messages=[{"title": a.title, "html": _markup(body), "slug": a.message.slug} for a, body in messages])


def _markup(value: str):
    """Mark HTML produced by our Markdown renderer (raw HTML already escaped) as safe."""
    return jinja2.utils.markupsafe.Markup(value)


def plain_text(html_text: str) -> str:
    """Visible text of an HTML fragment, for comparing with text extracted from a PDF."""
    import re
    text = re.sub(r"<[^>]+>", " ", html_text)
    return " ".join(html.unescape(text).split())
