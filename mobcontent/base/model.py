"""The data model: small frozen dataclasses, each keeping where it was read.

Every object read from a file carries ``path`` (relative to the project root,
with ``/``) and a 1-based ``line``, so every error can point at it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .i18n import N_

DIMENSIONS = ("ethnic", "religion", "zone")
DIMENSION_NAMES = {"ethnic": N_("ethnic"), "religion": N_("religion"), "zone": N_("zone")}  # shown translated
STATUSES = ("draft", "review", "approved")
LAYOUTS = ("a5-flyer", "a4-trifold", "a4-poster", "screen")


@dataclass(frozen=True)
class Config:
    """``mobcontent.yaml``: project-wide settings."""

    path: str
    name: str
    source_locale: str = "vi"
    locales: tuple[str, ...] = ("vi",)
    issuer: str = ""
    vi_tone_style: str = "keep"
    default_layout: str = "a5-flyer"
    lines: dict = field(default_factory=dict)  # key -> line, for errors
    ui_locale: str = ""  # the tool's interface language for this project (en, vi); "" = from the environment
    review_translations: tuple[str, ...] | None = None  # locales whose translations need a review; None: every target
    public_contacts: tuple[str, ...] = ()  # phone numbers and e-mail addresses a leaflet may print


@dataclass(frozen=True)
class Avoid:
    """A term a community finds disrespectful, and what to write instead."""

    term: str
    use: str
    why: str
    path: str
    line: int


@dataclass(frozen=True)
class CalendarEntry:
    """A period (``MM-DD`` to ``MM-DD``) or weekday a community asks to avoid."""

    name: str
    path: str
    line: int
    start: str = ""  # MM-DD
    until: str = ""  # MM-DD
    weekday: str = ""
    why: str = ""


@dataclass(frozen=True)
class Profile:
    """One value of an audience dimension: an ethnic group, a religion or a zone."""

    dimension: str
    id: str
    name: str
    path: str
    line: int
    locales: tuple[str, ...] = ()
    terms: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)  # zone fields: province, border_post, hotline, ...
    avoid: tuple[Avoid, ...] = ()
    calendar: tuple[CalendarEntry, ...] = ()
    motif: str = ""
    colour: str = ""


@dataclass(frozen=True)
class Audiences:
    """``content/audiences.yaml``: profiles per dimension and zone groups."""

    path: str
    ethnic: dict  # id -> Profile
    religion: dict
    zone: dict
    zone_groups: dict  # group -> tuple of zone ids

    def profiles(self, dimension: str) -> dict:
        return getattr(self, dimension)


@dataclass(frozen=True)
class Condition:
    """An ``::: only``/``::: except`` marker: ``((key, (values...)), ...)``."""

    negate: bool
    criteria: tuple[tuple[str, tuple[str, ...]], ...]
    line: int

    def describe(self) -> str:
        text = " ".join(f"{key}={','.join(values)}" for key, values in self.criteria)
        return ("except " if self.negate else "only ") + text


@dataclass(frozen=True)
class Chunk:
    """A run of Markdown lines shown under the same conditions."""

    text: str
    line: int  # line of the chunk's first line in the message file
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Message:
    """``content/messages/<slug>.md``: one message in the source language."""

    slug: str
    path: str
    line: int
    title: str
    title_line: int
    audience: dict  # dimension -> tuple of values (zone values may be groups)
    audience_line: int
    topics: tuple[str, ...]
    status: str
    chunks: tuple[Chunk, ...]
    summary: str = ""
    summary_line: int = 0
    valid_from: str = ""
    valid_until: str = ""
    valid_line: int = 0  # line of the 'valid:' key
    status_line: int = 0  # line of the 'status:' key


@dataclass(frozen=True)
class Leaflet:
    """``content/leaflets/<slug>.yaml``: one printable product."""

    slug: str
    path: str
    line: int
    title: str
    title_line: int
    audience: dict  # dimension -> profile id (a left-out dimension means a mixed audience)
    audience_line: int
    locales: tuple[str, ...]
    layout: str
    messages: tuple[str, ...] = ()
    message_lines: tuple[int, ...] = ()
    select_topics: tuple[str, ...] | None = None
    bilingual: tuple[str, ...] = ()
    tagline: str = ""
    tagline_line: int = 0
    campaign: str = ""
    date: str = ""
    edition: str = ""
    distribute_from: str = ""
    distribute_until: str = ""
    distribute_line: int = 0  # line of the 'distribute:' key


@dataclass(frozen=True)
class Locale:
    """A language: ``vi`` from CLDR, others from ``locales/<code>/locale.yaml``."""

    code: str
    name: str
    native_name: str
    plural_forms: str = "nplurals=1; plural=0;"
    fallback: str = "vi"
    letters: tuple[str, ...] = ()
    path: str = ""
    # the orthography check's data (``orthography:`` in locale.yaml): ((key, values), ...)
    orthography: tuple = ()
    orthography_line: int = 0

    def orthography_value(self, key: str, default=()):
        return next((values for name, values in self.orthography if name == key), default)


@dataclass(frozen=True)
class Approval:
    """One sign-off record of ``content/approvals.yaml`` (``locale`` empty: the source text)
    or ``locales/<code>/approvals.yaml`` (a review of the message's translation entries)."""

    message: str
    sha256: str  # the approved printable source, or (a review) the digest of its entries
    by: str
    date: str
    path: str
    line: int
    note: str = ""
    locale: str = ""
    text: str = ""  # the printable source approved (for the diff of a stale approval)
    entries: tuple[str, ...] = ()  # a review: the sha256 of each entry reviewed


@dataclass(frozen=True)
class Project:
    """A whole content project, loaded and validated."""

    root: Path
    config: Config
    audiences: Audiences
    messages: dict  # slug -> Message, sorted by slug
    leaflets: dict  # slug -> Leaflet, sorted by slug
    locales: dict  # code -> Locale
    warnings: tuple = ()  # Problems of severity "warning" found while loading
    failed: dict = field(default_factory=dict)  # slug -> Problems: leaflets that cannot be built
    unloaded: tuple = ()  # error Problems of message/leaflet files left out (load_project(keep_going=True))
    approvals: tuple = ()  # Approval records, source and reviews, in file order
