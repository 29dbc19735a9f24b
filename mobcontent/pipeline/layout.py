"""Layouts and pages: the layout folders and their settings, the layout strings,
the page a layout shows (titles, contacts, labels, draft state) and its date.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from ..base.errors import BuildError, ContentError
from ..base.i18n import _
from ..base.locales import format_date
from ..base.model import Leaflet, Project
from ..content.audience import leaflet_messages
from ..formats.yamlio import read_yaml, to_plain
from ..printing.pdf import BLEED_MM, VARIANTS
from .translate import Text

LAYOUT_STRINGS = {
    "draft": "BẢN NHÁP",
    "edition": "Ấn bản",
    "hotline": "Đường dây nóng",
    "border_post": "Biên phòng",
    "police": "Công an",
    "office": "Liên hệ",
    "emergency": "Công an 113 · Cứu hỏa 114 · Cấp cứu 115 · Bảo vệ trẻ em 111",
    "key_points": "Những điều cần nhớ",
    "contact_us": "Khi cần giúp đỡ, hãy báo ngay",
    "continued": "(tiếp)",
}


def leaflet_date(project: Project, leaflet: Leaflet) -> str:
    """The leaflet's date: its own, else SOURCE_DATE_EPOCH, else the newest input's mtime."""
    if leaflet.date:
        return leaflet.date
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date().isoformat()
    paths = [project.root / leaflet.path, project.root / project.audiences.path, project.root / project.config.path]
    paths += [project.root / m.path for m in leaflet_messages(project, leaflet)]
    newest = max(p.stat().st_mtime for p in paths if p.exists())
    return _dt.datetime.fromtimestamp(newest, _dt.timezone.utc).date().isoformat()

PACKAGE_LAYOUTS = Path(__file__).parents[1] / "layouts"
COMMON_LAYOUT = PACKAGE_LAYOUTS / "_common"
MEDIA = ("print", "screen")
LAYOUT_KEYS = ("medium", "pages", "min_pages", "type_size", "min_type_size", "max_type_size", "min_scale", "min_fill",
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
    min_pages: int = 1  # the fewest it prints (a trifold has two sides whatever its text)
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
            settings["release"] = _choice(data["release"], VARIANTS, "release")
        if "pages" in data:
            settings["pages"] = int(data["pages"])
        if "min_pages" in data:
            settings["min_pages"] = int(data["min_pages"])
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


# --- dates ----------------------------------------------------------------------

def format_leaflet_date(value: str, locale: str, registry: dict | None = None) -> str:
    """A leaflet date as readers of ``locale`` write it, through the locale registry
    (rad/cmo have no CLDR data: their ``locale.yaml`` falls back to ``vi``).

    >>> format_leaflet_date("2026-11-01", "rad")
    'ngày 01 tháng 11 năm 2026'
    """
    return format_date(value, locale, registry or {})
