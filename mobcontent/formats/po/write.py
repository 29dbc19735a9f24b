"""The PO writer: 79 columns and Unicode line breaking as GNU ``msgcat`` writes, with
unchanged entries written back exactly as read.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

from .model import FORMAT_FLAG_RE, Entry, PoFile

PAGE_WIDTH = 79
WRITE_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "\\": "\\\\", "\a": "\\a",
                 "\b": "\\b", "\f": "\\f", "\v": "\\v"}
_NEEDS_ESCAPE = re.compile(r'[\n\t\r"\\\a\b\f\v]')


# --------------------------------------------------------------------------- writing

def format_po(po: PoFile, original: PoFile | None = None, width: int = PAGE_WIDTH) -> str:
    """The text of ``po`` as GNU gettext writes it; entries equal to one in ``original``
    keep the text they were read with."""
    kept = {}
    if original is not None:
        for entry in (original.header, *original.entries):
            if entry.raw:
                kept[(entry.key, entry.obsolete)] = entry
    parts = []
    for entry in (po.header, *po.entries):
        old = kept.get((entry.key, entry.obsolete))
        parts.append(old.raw if old is not None and old == entry else format_entry(entry, width))
    return "\n".join(parts)


def write_po(po: PoFile, handle, original: PoFile | None = None) -> None:
    """Write ``po`` to a binary file object as UTF-8."""
    handle.write(format_po(po, original).encode("utf-8"))


def format_entry(entry: Entry, width: int = PAGE_WIDTH) -> str:
    """One entry's lines, in gettext's order and wrapping."""
    out = []
    for comment in entry.comments:
        out.append(f"# {comment}" if comment else "#")
    if not entry.obsolete:
        out.extend(f"#. {c}" if c else "#." for c in entry.extracted)
        out.extend(_references(entry.references, width))
    flags = order_flags(entry.flags) if not entry.obsolete else (("fuzzy",) if entry.fuzzy else ())
    if flags:
        out.append("#, " + ", ".join(flags))
    prefix = "#~ " if entry.obsolete else ""
    previous = "#~| " if entry.obsolete else "#| "
    for keyword, value in (("msgctxt", entry.previous_msgctxt), ("msgid", entry.previous_msgid),
                           ("msgid_plural", entry.previous_msgid_plural)):
        if value is not None:
            out.extend(wrap_string(keyword, value, previous, width))
    saved: dict = {}
    for keyword, value, obsolete, lines in entry.raw_strings:
        saved.setdefault((keyword, value, obsolete), lines)  # the translator's file first

    def string(keyword: str, value: str) -> list[str]:
        kept = saved.get((keyword, value, entry.obsolete))
        if kept is not None:
            return list(kept)
        other = saved.get((keyword, value, not entry.obsolete))
        if other is not None:  # the same string, made obsolete or revived: keep its wrapping
            return [f"#~ {line}" for line in other] if entry.obsolete else [_unobsolete(line) for line in other]
        return wrap_string(keyword, value, prefix, width)

    if entry.msgctxt is not None:
        out.extend(string("msgctxt", entry.msgctxt))
    out.extend(string("msgid", entry.msgid))
    if entry.msgid_plural is not None:
        out.extend(string("msgid_plural", entry.msgid_plural))
        for i, text in enumerate(entry.msgstr_plural):
            out.extend(string(f"msgstr[{i}]", text))
    else:
        out.extend(string("msgstr", entry.msgstr))
    return "\n".join(out) + "\n"


def _unobsolete(line: str) -> str:
    """An obsolete string line without its ``#~`` prefix."""
    text = line.lstrip()
    return text[2:].lstrip(" ") if text.startswith("#~") else line


def order_flags(flags: Iterable[str]) -> tuple[str, ...]:
    """``fuzzy`` first, then format flags, then the rest (gettext's order)."""
    flags = tuple(dict.fromkeys(flags))
    return (tuple(f for f in flags if f == "fuzzy") + tuple(f for f in flags if FORMAT_FLAG_RE.match(f))
            + tuple(f for f in flags if f != "fuzzy" and not FORMAT_FLAG_RE.match(f)))


def _references(references: tuple[str, ...], width: int) -> list[str]:
    lines, current = [], "#:"
    for ref in references:
        if len(current) > 2 and len(current) + 1 + len(ref) > width:
            lines.append(current)
            current = "#:"
        current += " " + ref
    if len(current) > 2:
        lines.append(current)
    return lines


def escape(text: str) -> str:
    return "".join(WRITE_ESCAPES.get(c, c) for c in text)


def wrap_string(keyword: str, value: str, prefix: str = "", width: int = PAGE_WIDTH) -> list[str]:
    """The lines of ``keyword "value"`` as gettext writes them (see write-po.c ``wrap``)."""
    portions = re.findall(r"[^\n]*\n|[^\n]+", value) or [""]
    after_break = len(prefix) + 1
    room = width - 1 - after_break
    first_start = len(prefix) + len(keyword) + 2 - after_break
    lines: list[str] = []
    first = True
    for number, portion in enumerate(portions):
        chunks = _break_portion(portion, room, first_start if first else 0)
        if first and portion and (number < len(portions) - 1 or len(chunks) > 1):
            lines.append(f'{prefix}{keyword} ""')
            first = False
            chunks = _break_portion(portion, room, 0)
        for chunk in chunks:
            lines.append(f'{prefix}{keyword} "{chunk}"' if first else f'{prefix}"{chunk}"')
            first = False
    return lines


def _break_portion(portion: str, width: int, start: int) -> list[str]:
    """Split one portion (text up to and including a newline) into escaped lines of at most
    ``width`` columns, greedily, breaking only where Unicode line breaking allows — what
    gnulib's ``ulc_width_linebreaks`` does for gettext. Escape sequences never split."""
    if _NEEDS_ESCAPE.search(portion):
        units = [WRITE_ESCAPES.get(c, c) for c in portion]
        text = "".join(units)
    else:
        units, text = None, portion
    if units is None and start + _width(text) <= width:
        return [text]  # fits on one line: no break is taken
    atomic: set[int] = set()
    if units is not None:
        position = 0
        for unit in units:
            if len(unit) > 1:
                atomic.update(range(position + 1, position + len(unit)))
            position += len(unit)
    if portion.endswith("\n"):
        atomic.add(len(text) - 2)  # never break just before the final \n
    cuts = [i for i in _break_opportunities(text) if i not in atomic]
    widths = [1] * len(text) if text.isascii() else [_char_width(c) for c in text]
    lines, line_start, column, piece_start = [], 0, start, 0
    for cut in cuts + [len(text)]:
        piece = sum(widths[piece_start:cut])
        if piece_start > line_start and column + piece > width:
            lines.append(text[line_start:piece_start])
            line_start, column = piece_start, 0
        column += piece
        piece_start = cut
    lines.append(text[line_start:])
    return lines


def _width(text: str) -> int:
    """Columns ``text`` takes: marks take none, wide characters two."""
    return len(text) if text.isascii() else sum(_char_width(c) for c in text)


@lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


# Line-break classes (UAX #14), enough for text in Latin letters with Vietnamese and
# Ê Đê marks: what matters is where a line may break, not every rule of the standard.
_CLASSES = {" ": "SP", "\t": "BA", "-": "HY", "\u2010": "BA", "\u2013": "BA", "\u2014": "B2",
            "/": "SY", ",": "IS", ".": "IS", ":": "IS", ";": "IS", "!": "EX", "?": "EX",
            "(": "OP", "[": "OP", "{": "OP", ")": "CP", "]": "CP", "}": "CL",
            '"': "QU", "'": "QU", "\u2018": "QU", "\u2019": "QU", "\u201c": "QU", "\u201d": "QU",
            "\u00ab": "QU", "\u00bb": "QU", "\u2026": "IN", "%": "PO", "$": "PR", "+": "PR",
            "\\": "PR", "\u00a0": "GL", "\u2011": "GL", "\n": "BK", "|": "BA", "}": "CL",
            "\u00b7": "AI", "\u2022": "AI", "\u00bf": "OP", "\u00a1": "OP"}
# Where a line may break, measured against GNU gettext 0.21 (``msgcat -w``) for every
# pair of the characters above: pairs (before, after) that break with no space between ...
_DIRECT = {
    ("AL", "B2"), ("B2", "AL"), ("B2", "NU"), ("B2", "OP"), ("B2", "PO"), ("B2", "PR"),
    ("BA", "AL"), ("BA", "B2"), ("BA", "NU"), ("BA", "OP"), ("BA", "PO"), ("BA", "PR"),
    ("CL", "AL"), ("CL", "B2"), ("CL", "NU"), ("CL", "OP"), ("CP", "B2"), ("CP", "OP"),
    ("EX", "AL"), ("EX", "B2"), ("EX", "NU"), ("EX", "OP"), ("EX", "PO"), ("EX", "PR"),
    ("HY", "AL"), ("HY", "B2"), ("HY", "OP"), ("HY", "PO"), ("HY", "PR"), ("IN", "AL"),
    ("IN", "B2"), ("IN", "NU"), ("IN", "OP"), ("IN", "PO"), ("IN", "PR"), ("IS", "AL"),
    ("IS", "B2"), ("IS", "OP"), ("IS", "PO"), ("IS", "PR"), ("NU", "B2"), ("PO", "B2"),
    ("PO", "PO"), ("PO", "PR"), ("PR", "B2"), ("PR", "PO"), ("PR", "PR"), ("SY", "AL"),
    ("SY", "B2"), ("SY", "OP"), ("SY", "PO"), ("SY", "PR"),
}
# ... and classes a line never breaks before, even after a space.
_NEVER_BEFORE = {"CL", "CP", "EX", "IS", "SY"}


@lru_cache(maxsize=4096)
def _class(char: str) -> str:
    cls = _CLASSES.get(char)
    if cls:
        return "AL" if cls == "AI" else cls
    if char.isdigit():
        return "NU"
    if unicodedata.combining(char):
        return "CM"
    return "AL"


def _may_break(before: str, after: str, spaces: bool) -> bool:
    """May a line break between classes ``before`` and ``after`` (with ``spaces`` between)?"""
    if after in _NEVER_BEFORE or before == "OP" or "GL" in (before, after):
        return False
    if spaces:
        return (before, after) not in (("QU", "OP"), ("B2", "B2"))
    return (before, after) in _DIRECT


def _break_opportunities(text: str) -> list[int]:
    """Indexes ``i`` where a line may break before ``text[i]``."""
    out = []
    previous = None  # class of the last character that is not a space or a mark
    spaces = False
    for i, char in enumerate(text):
        cls = _class(char)
        if cls == "CM":
            if previous is not None and not spaces:
                continue  # a mark belongs to the letter before it
            if spaces:  # a mark after a space: gettext breaks before it, then reads a letter
                out.append(i)
                previous, spaces = "AL", False
                continue
            cls = "AL"
        if cls == "SP":
            spaces = previous is not None
            continue
        if previous is not None and _may_break(previous, cls, spaces):
            out.append(i)
        previous, spaces = cls, False
    return out
