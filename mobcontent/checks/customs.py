"""Customs checks: respectful language (``avoid-term``), calendar awareness
(``calendar-conflict``) and known motifs (``motif-unknown``).

Each profile of ``content/audiences.yaml`` may list terms its community finds
disrespectful (``avoid``) and periods or weekdays to avoid (``calendar``). The
checks here apply them to what each audience reads; docs/customs.md explains
the rules for officers. In short:

* **Who reads what.** A profile *reads* a message when a leaflet for it
  includes the message, or the message's ``audience`` admits it. For
  respectful language a dimension the message leaves out admits every profile
  (a message for everyone may reach anyone); a block behind ``::: only`` /
  ``::: except`` is not read by a profile the condition shuts out. For the
  calendar only the profiles a message names, or the leaflets that carry it,
  count: timing is about a planned distribution to a known audience.
* **Matching a term** (:func:`find_terms`) ignores case, Unicode normalization
  and Vietnamese tone placement (``hoà`` = ``hòa``), and respects word
  boundaries: a term matches whole syllables only (``Thượng`` is not found in
  ``Thượngx`` nor in a hyphenated or apostrophed name), and the syllables of a
  multi-syllable term match across any run of spaces, a line break or
  Markdown emphasis marks (``người **Thượng**``). ``{placeholders}`` are not
  text.
* **Calendar** (:func:`calendar_conflicts`): a window overlaps a period
  (``MM-DD`` to ``MM-DD``, which may wrap the year end) on at least one day;
  a weekday entry conflicts with a leaflet's ``distribute`` window that starts
  on that weekday. Windows of a year or more are not checked: they overlap
  every period, so a warning would say nothing.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

from ..base.canonical import WORD_RE, canonical_text, restyle_syllable
from ..base.errors import ContentError, Problem
from ..base.files import read_text
from ..base.i18n import N_, _
from ..base.model import (
    DIMENSIONS,
    Avoid,
    CalendarEntry,
    Leaflet,
    Message,
    Profile,
    Project,
)
from ..content.audience import expand_values, leaflet_messages
from ..formats.po.model import PoError
from ..pipeline.adapt import profile_values
from ..pipeline.motifs import MOTIFS
from ..pipeline.translate import catalog_path, message_blocks, read_catalog

MARKS = "\u0300-\u036f"
JOINERS = "’'\\-"  # inside a word between letters: M’nông, Sê-rê-pốk
PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{[a-z][a-z0-9_]*\}")
SEPARATOR = r"[*_`]*\s+[*_`]*"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_NAMES = dict(zip(WEEKDAYS, (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
                                    N_("Saturday"), N_("Sunday"))))
FULL_YEAR_DAYS = 365

Reader = tuple[str, str]  # (dimension, profile id)


# --------------------------------------------------------------------------- matching

def fold(text: str) -> str:
    """The form terms are matched in: canonical, one tone style, lower case.

    Keeps the length and the line breaks of canonical text, so an offset in the
    folded text is an offset in the text.

    >>> fold("Người THƯỢNG hoà")
    'người thượng hòa'
    """
    text = canonical_text(text)
    text = WORD_RE.sub(lambda m: restyle_syllable(m.group(0), "old"), text)
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern:
    """The regular expression that finds ``term`` as whole syllables in folded text."""
    syllables = [re.escape(s) for s in fold(term).split()]
    return re.compile(rf"(?<![\w{MARKS}])(?<!\w[{JOINERS}])" + SEPARATOR.join(syllables)
                      + rf"(?![\w{MARKS}])(?![{JOINERS}]\w)")


def find_terms(text: str, term: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every occurrence of ``term`` in ``text``.

    >>> find_terms("Gọi người Thượng, không gọi người Thượngx", "người thượng")
    [(4, 16)]
    >>> find_terms("người\\n  **Thượng**", "Người Thượng"), find_terms("M’nông", "nông")
    ([(0, 16)], [])
    """
    return search_folded(searchable(text), term)


@lru_cache(maxsize=4096)
def searchable(text: str) -> str:
    """``text`` as terms are searched in: canonical, folded, ``{placeholders}`` blanked,
    each character at its offset in the canonical text."""
    masked = PLACEHOLDER_RE.sub(lambda m: " " * len(m.group(0)), canonical_text(text))
    folded = fold(masked)
    return folded if len(folded) == len(masked) else masked.lower()


def search_folded(folded: str, term: str) -> list[tuple[int, int]]:
    """``(start, end)`` of ``term`` in text made :func:`searchable`."""
    if not term.strip() or _first_syllable(term) not in folded:  # a match holds it as it is: most texts do not
        return []
    return [m.span() for m in term_pattern(term).finditer(folded)]


@lru_cache(maxsize=4096)
def _first_syllable(term: str) -> str:
    return fold(term).split()[0]


# --------------------------------------------------------------------------- who reads what

def profile_of(project: Project, reader: Reader) -> Profile:
    dim, pid = reader
    return project.audiences.profiles(dim)[pid]


def leaflet_readers(project: Project, leaflet: Leaflet, every: bool = True) -> set[Reader]:
    """The profiles a leaflet is for; a dimension it leaves out means every profile
    of that dimension (``every``) or none."""
    out = set()
    for dim in DIMENSIONS:
        if dim in leaflet.audience:
            out.add((dim, leaflet.audience[dim]))
        elif every:
            out.update((dim, pid) for pid in project.audiences.profiles(dim))
    return out


def message_readers(project: Project, message: Message, every: bool = True,
                    carried: dict | None = None) -> set[Reader]:
    """The profiles that read ``message``: those of every leaflet that includes it,
    and those its ``audience`` admits (see the module docstring for ``every``)."""
    carried = carried if carried is not None else leaflets_by_message(project)
    out = set()
    for leaflet in carried.get(message.slug, ()):
        out |= leaflet_readers(project, leaflet, every)
    for dim in DIMENSIONS:
        wanted = message.audience.get(dim)
        if wanted:
            out.update((dim, pid) for pid in expand_values(dim, wanted, project.audiences))
        elif every:
            out.update((dim, pid) for pid in project.audiences.profiles(dim))
    return out


def leaflets_by_message(project: Project) -> dict[str, list[Leaflet]]:
    """``{message slug: [leaflets that include it]}``."""
    out: dict[str, list[Leaflet]] = {}
    for leaflet in project.leaflets.values():
        for message in leaflet_messages(project, leaflet):
            out.setdefault(message.slug, []).append(leaflet)
    return out


def shut_out(conditions, reader: Reader, project: Project) -> bool:
    """Whether a block's ``only``/``except`` conditions certainly hide it from ``reader``.

    Only the reader's own dimension is known: ``only`` hides the block when it
    names that dimension without the reader; ``except`` when all its keys are
    that dimension and name the reader.
    """
    dim, pid = reader
    for condition in conditions:
        mine = [expand_values(key, values, project.audiences) for key, values in condition.criteria if key == dim]
        if not condition.negate and any(pid not in values for values in mine):
            return True
        if condition.negate and mine and len(mine) == len(condition.criteria) and all(pid in v for v in mine):
            return True
    return False


# --------------------------------------------------------------------------- avoid-term

@dataclass(frozen=True)
class Place:
    """A text some profiles read, and where it is: ``line`` is the line of its first character."""

    path: str
    line: int
    text: str
    readers: frozenset
    where: str = ""  # what the text is, for the message ("the rad translation")


def check_avoid_terms(project: Project) -> Iterable[Problem]:
    """``avoid-term`` (error): a term on a reading profile's ``avoid`` list, in the source
    (messages, leaflet titles, profile terms) or in a translation (every PO file)."""
    return avoid_problems(project, list(avoid_places(project)))


def avoid_places(project: Project) -> Iterator[Place]:
    """Every text a reader may see, with the profiles that read it."""
    carried = leaflets_by_message(project)
    for message in project.messages.values():
        readers = frozenset(message_readers(project, message, True, carried))
        yield from message_places(project, message, readers)
        yield from translation_places(project, message, readers)
    for leaflet in project.leaflets.values():
        readers = frozenset(leaflet_readers(project, leaflet))
        for value, line in ((leaflet.title, leaflet.title_line), (leaflet.tagline, leaflet.tagline_line)):
            if value:
                yield Place(leaflet.path, line, value, readers)
    yield from profile_places(project)
    yield from catalog_places(project)


def message_places(project: Project, message: Message, readers: frozenset) -> Iterator[Place]:
    """The title, summary and body chunks of a message (each chunk with its own readers)."""
    yield Place(message.path, message.title_line, message.title, readers)
    if message.summary:
        yield Place(message.path, message.summary_line, message.summary, readers)
    for chunk in message.chunks:
        shown = frozenset(r for r in readers if not shut_out(chunk.conditions, r, project))
        yield Place(message.path, chunk.line, chunk.text, shown)


def translation_places(project: Project, message: Message, readers: frozenset) -> Iterator[Place]:
    """Every translation in ``messages/<slug>.po`` of every locale, read by whoever reads
    the blocks it translates."""
    block_readers: dict[str, frozenset] = {}
    for block, chunk in message_blocks(message):
        shown = frozenset(r for r in readers if not shut_out(chunk.conditions, r, project))
        block_readers[block.text] = block_readers.get(block.text, frozenset()) | shown
    for code, catalog in _catalogs(project, f"messages/{message.slug}"):
        for key, entry in catalog.items():
            msgid = key.split("\x04")[-1]
            yield Place(entry.path, entry.line, entry.text, block_readers.get(msgid, readers), _translation(code))


def profile_places(project: Project) -> Iterator[Place]:
    """Profile names, terms and zone fields in audiences.yaml, read with the profile."""
    lines = _file_lines(project, project.audiences.path)
    partners = _partners(project)
    for dim in DIMENSIONS:
        for pid, profile in project.audiences.profiles(dim).items():
            readers = frozenset(partners.get((dim, pid), set()) | {(dim, pid)})
            for _name, value, _key in profile_values(profile):
                yield Place(project.audiences.path, _line_of(lines, value, profile.line), value, readers)


def catalog_places(project: Project) -> Iterator[Place]:
    """Translations in ``audiences.po`` and ``leaflets.po``, read by the profile or leaflet
    their msgctxt names."""
    partners = _partners(project)
    for code, catalog in _catalogs(project, "audiences"):
        for key, entry in catalog.items():
            parts = key.split("\x04")[0].split(".") if "\x04" in key else []
            if len(parts) < 3 or parts[0] not in DIMENSIONS or parts[1] not in project.audiences.profiles(parts[0]):
                continue
            reader = (parts[0], parts[1])
            readers = frozenset(partners.get(reader, set()) | {reader})
            yield Place(entry.path, entry.line, entry.text, readers, _translation(code))
    for code, catalog in _catalogs(project, "leaflets"):
        for key, entry in catalog.items():
            parts = key.split("\x04")[0].split(".") if "\x04" in key else []
            leaflet = project.leaflets.get(parts[1]) if len(parts) == 3 and parts[0] == "leaflet" else None
            if leaflet is not None:
                yield Place(entry.path, entry.line, entry.text, frozenset(leaflet_readers(project, leaflet)),
                            _translation(code))


def _translation(code: str) -> str:
    return _("the {locale} translation").format(locale=code)


def _partners(project: Project) -> dict[Reader, set[Reader]]:
    """The profiles each profile shares a leaflet with (they read its terms too)."""
    out: dict[Reader, set[Reader]] = {}
    for leaflet in project.leaflets.values():
        readers = leaflet_readers(project, leaflet)
        for dim, pid in leaflet.audience.items():
            out.setdefault((dim, pid), set()).update(readers)
    return out


def _catalogs(project: Project, domain: str) -> Iterator[tuple[str, dict]]:
    """``(locale, catalog)`` for every locale but the source one that has the PO file.
    A catalog that cannot be read is skipped: the translation checks report it."""
    for code in project.locales:
        if code == project.config.source_locale:
            continue
        path = catalog_path(project.root, code, domain)
        if not path.is_file():
            continue
        rel = path.relative_to(project.root).as_posix()
        try:
            catalog = read_catalog(path, rel, code, project.config.source_locale, project.config.vi_tone_style)
        except (PoError, ValueError):
            continue
        yield code, {k: v for k, v in catalog.items() if v.text}


def _file_lines(project: Project, rel: str) -> list[str]:
    try:
        return read_text(project.root, rel).split("\n")
    except (OSError, ContentError):
        return []


def _line_of(lines: list[str], value: str, start: int) -> int:
    """The 1-based line at or after ``start`` that holds ``value`` (``start`` if none does)."""
    wanted = canonical_text(value)
    for index in range(max(start - 1, 0), len(lines)):
        if wanted in canonical_text(lines[index]):
            return index + 1
    return start


def avoid_problems(project: Project, places: list[Place]) -> list[Problem]:
    """Match every reader's avoid list in every place; one problem per place, line and term,
    naming every profile that avoids it."""
    found: dict[tuple, list[tuple[Profile, Avoid, str]]] = {}
    for place in places:
        text = canonical_text(place.text)
        folded = searchable(place.text)
        for reader in sorted(place.readers):
            profile = profile_of(project, reader)
            for avoid in profile.avoid:
                for start, end in search_folded(folded, avoid.term):
                    line = place.line + text.count("\n", 0, start)
                    shown = " ".join(text[start:end].replace("*", "").replace("`", "").split())
                    key = (place.path, line, fold(avoid.term), place.where)
                    found.setdefault(key, []).append((profile, avoid, shown))
    problems = []
    for (path, line, _term, where), hits in found.items():
        hits = list({(p.dimension, p.id): (p, a, s) for p, a, s in hits}.values())
        problems.append(_avoid_problem(path, line, where, hits))
    return problems


def _avoid_problem(path: str, line: int, where: str, hits: list) -> Problem:
    shown = hits[0][2]
    whose = ", ".join(f"{profile.name} ({profile.dimension}.{profile.id})" for profile, _avoid, _shown in hits)
    why = next((avoid.why for _profile, avoid, _shown in hits if avoid.why), "")
    message = ((_("in {where}").format(where=where) + ": " if where else "")
               + _("'{term}' is on the avoid list of {profiles}").format(term=shown, profiles=whose)
               + (f": {why}" if why else ""))
    uses = list(dict.fromkeys(avoid.use for _profile, avoid, _shown in hits))
    if len(uses) == 1:
        hint = _("write '{term}' instead").format(term=uses[0])
    else:
        hint = _("write instead: {choices}").format(choices="; ".join(
            _("'{term}' for {name}").format(term=avoid.use, name=profile.name) for profile, avoid, _shown in hits))
    hint += " (" + _("avoid list: {place}").format(place=f"{hits[0][1].path}:{hits[0][1].line}") + ")"
    return Problem("avoid-term", "error", path, line, message, hint)


# --------------------------------------------------------------------------- calendar

def period_occurrences(entry: CalendarEntry, first: _dt.date, last: _dt.date) -> list[tuple[_dt.date, _dt.date]]:
    """The dates of a ``MM-DD``–``MM-DD`` period in every year that can meet ``first``–``last``.

    A period whose end comes before its start wraps the year end (12-15 → 01-15).
    ``02-29`` falls on 02-28 in other years.

    >>> e = CalendarEntry("Tết", "a.yaml", 1, "12-15", "01-15")
    >>> [(str(a), str(b)) for a, b in period_occurrences(e, _dt.date(2026, 1, 1), _dt.date(2026, 1, 31))]
    [('2025-12-15', '2026-01-15')]
    """
    if not entry.start:
        return []
    out = []
    wraps = entry.until < entry.start
    for year in range(first.year - 1, last.year + 1):
        start = _month_day(year, entry.start)
        end = _month_day(year + 1 if wraps else year, entry.until)
        if start <= last and first <= end:
            out.append((start, end))
    return out


def _month_day(year: int, value: str) -> _dt.date:
    month, day = int(value[:2]), int(value[3:])
    if (month, day) == (2, 29):
        try:
            return _dt.date(year, 2, 29)
        except ValueError:
            return _dt.date(year, 2, 28)
    return _dt.date(year, month, day)


@dataclass(frozen=True)
class Conflict:
    """A window meeting a calendar entry: the overlapping days, or the weekday start."""

    entry: CalendarEntry
    start: _dt.date
    end: _dt.date


def calendar_conflicts(first: str, last: str, entry: CalendarEntry, weekdays: bool) -> list[Conflict]:
    """Where the window ``first``–``last`` (ISO dates) meets ``entry``.

    Periods conflict on any overlapping day; weekday entries (only when
    ``weekdays``) when the window starts on that weekday. A window of a year or
    more is never in conflict.

    >>> e = CalendarEntry("Lễ", "a.yaml", 1, "11-01", "12-31")
    >>> [(str(c.start), str(c.end)) for c in calendar_conflicts("2026-12-20", "2027-01-10", e, False)]
    [('2026-12-20', '2026-12-31')]
    >>> sunday = CalendarEntry("Chủ nhật", "a.yaml", 1, weekday="sunday")
    >>> len(calendar_conflicts("2026-10-04", "2026-10-20", sunday, True))
    1
    """
    start, end = _dt.date.fromisoformat(first), _dt.date.fromisoformat(last)
    if (end - start).days + 1 >= FULL_YEAR_DAYS:
        return []
    if entry.weekday:
        if weekdays and WEEKDAYS[start.weekday()] == entry.weekday:
            return [Conflict(entry, start, start)]
        return []
    return [Conflict(entry, max(start, a), min(end, b)) for a, b in period_occurrences(entry, start, end)]


def check_calendar(project: Project) -> Iterable[Problem]:
    """``calendar-conflict`` (warning): a leaflet's ``distribute`` window or a message's
    ``valid`` window meets a period or weekday one of its audience's profiles avoids.

    A message's window is checked for the profiles its ``audience`` names and those
    of the leaflets that carry it without a ``distribute`` window of their own (a
    leaflet that has one is checked by that window instead).
    """
    undated = {slug: [l for l in leaflets if not l.distribute_from]
               for slug, leaflets in leaflets_by_message(project).items()}
    for leaflet in project.leaflets.values():
        if leaflet.distribute_from and leaflet.distribute_until:
            line = leaflet.distribute_line or leaflet.line
            readers = leaflet_readers(project, leaflet, every=False)
            yield from _window_problems(project, "distribute", leaflet.distribute_from, leaflet.distribute_until,
                                        readers, leaflet.path, line, True)
    for message in project.messages.values():
        if message.valid_from and message.valid_until:
            line = message.valid_line or message.line
            readers = message_readers(project, message, every=False, carried=undated)
            yield from _window_problems(project, "valid", message.valid_from, message.valid_until,
                                        readers, message.path, line, False)


def _window_problems(project: Project, key: str, first: str, last: str, readers: set[Reader],
                     path: str, line: int, weekdays: bool) -> Iterator[Problem]:
    for reader in sorted(readers, key=lambda r: (DIMENSIONS.index(r[0]), r[1])):
        profile = profile_of(project, reader)
        for entry in profile.calendar:
            for conflict in calendar_conflicts(first, last, entry, weekdays):
                yield _calendar_problem(key, first, last, profile, conflict, path, line)


def _calendar_problem(key: str, first: str, last: str, profile: Profile, conflict: Conflict,
                      path: str, line: int) -> Problem:
    entry = conflict.entry
    whose = f"{profile.name} ({profile.dimension}.{profile.id})"
    if entry.weekday:
        message = _("{key}: the window starts on a {weekday} ({date}), '{name}' of {profile}").format(
            key=key, weekday=_(WEEKDAY_NAMES[entry.weekday]), date=first, name=entry.name, profile=whose)
        hint = _("start it on another day")
    else:
        days = (str(conflict.start) if conflict.start == conflict.end
                else f"{conflict.start} – {conflict.end}")
        message = _("{key}: {first} – {last} overlaps '{name}' of {profile}, "
                    "{start} – {until} every year ({days})").format(
            key=key, first=first, last=last, name=entry.name, profile=whose, start=entry.start, until=entry.until,
            days=days)
        hint = _("move the window, or agree the dates with the community")
    if entry.why:
        hint = f"{entry.why.rstrip('.')}: {hint}"
    return Problem("calendar-conflict", "warning", path, line, message, f"{hint} ({entry.path}:{entry.line})")


# --------------------------------------------------------------------------- motifs

def check_motifs(project: Project) -> Iterable[Problem]:
    """``motif-unknown`` (error): a profile's ``motif`` the layouts cannot draw."""
    lines = _file_lines(project, project.audiences.path)
    for profile in project.audiences.ethnic.values():
        if profile.motif and profile.motif not in MOTIFS:
            yield Problem("motif-unknown", "error", profile.path, _line_of(lines, f"motif: {profile.motif}", profile.line),
                          _("{where}: unknown motif '{motif}'").format(where=f"ethnic.{profile.id}.motif",
                                                                       motif=profile.motif),
                          _("use one of: {values}").format(values=", ".join(MOTIFS)))


CUSTOMS_CHECKS = (check_avoid_terms, check_calendar, check_motifs)
