"""The PO data model: :class:`Entry`, :class:`PoFile`, :class:`PoError` and header fields."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Iterable

from ...base.errors import ContentError, Problem

# flags gettext writes in this order after "fuzzy" (the subset this project meets)
FORMAT_FLAG_RE = re.compile(r"^(no-)?[a-z0-9+-]+-format$")


class PoError(ContentError):
    """A PO file that cannot be read as it is."""

    code = "po-invalid"


@dataclass(frozen=True)
class Entry:
    """One PO entry. ``line`` is the 1-based line of its ``msgid``; ``raw`` its text
    as read (both ignored when entries are compared)."""

    msgid: str
    msgstr: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr_plural: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    comments: tuple[str, ...] = ()  # "# " translator comments
    extracted: tuple[str, ...] = ()  # "#." comments from the extractor
    references: tuple[str, ...] = ()  # "#:" path:line
    previous_msgctxt: str | None = None  # "#| msgctxt"
    previous_msgid: str | None = None  # "#| msgid"
    previous_msgid_plural: str | None = None
    obsolete: bool = False
    line: int = field(default=0, compare=False)
    raw: str = field(default="", compare=False, repr=False)
    # each string as it was saved: ((keyword, value, obsolete, lines), ...); format_entry
    # reuses the lines of a string whose value did not change, so a translator's (or
    # polib's) wrapping survives an update that changes only comments or references
    raw_strings: tuple = field(default=(), compare=False, repr=False)

    @property
    def key(self) -> str:
        """gettext's key: ``msgctxt\\x04msgid``, or the msgid alone."""
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        """Has a translation (fuzzy or not)."""
        return any(self.msgstr_plural) if self.msgid_plural is not None else bool(self.msgstr)


@dataclass(frozen=True)
class PoFile:
    """A PO or POT file: its header entry (``msgid ""``) and its other entries in order."""

    header: Entry
    entries: tuple[Entry, ...]
    path: str = field(default="", compare=False)
    warnings: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def fields(self) -> list[tuple[str, str]]:
        """The header's ``Name: value`` fields, in order."""
        return parse_header(self.header.msgstr)

    def field(self, name: str) -> str | None:
        for key, value in self.fields:
            if key.lower() == name.lower():
                return value
        return None


def parse_header(text: str) -> list[tuple[str, str]]:
    """``"A: b\\nC: d\\n"`` → ``[("A", "b"), ("C", "d")]`` (a line without a colon keeps an empty name)."""
    out = []
    for line in text.split("\n"):
        if not line:
            continue
        name, colon, value = line.partition(":")
        out.append((name.strip(), value.strip()) if colon else ("", line))
    return out


def format_header(fields: Iterable[tuple[str, str]]) -> str:
    return "".join(f"{name}: {value}\n" if name else f"{value}\n" for name, value in fields)


def with_fields(po: PoFile, updates: dict[str, str], order: tuple[str, ...] = ()) -> PoFile:
    """``po`` with header fields set (kept in place, new ones after ``order``'s neighbours)."""
    fields = po.fields
    names = [name.lower() for name, _value in fields]
    for name, value in updates.items():
        if name.lower() in names:
            fields[names.index(name.lower())] = (name, value)
            continue
        position = len(fields)
        if name in order:  # insert after the last present field that comes before it in order
            before = [n.lower() for n in order[:order.index(name)]]
            present = [i for i, n in enumerate(names) if n in before]
            position = present[-1] + 1 if present else 0
        fields.insert(position, (name, value))
        names.insert(position, name.lower())
    return replace(po, header=replace(po.header, msgstr=format_header(fields)))
