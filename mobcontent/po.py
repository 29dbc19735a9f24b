"""gettext PO files: read strictly, write exactly as GNU gettext writes them.

:func:`read_po` takes the bytes of a PO file and returns a :class:`PoFile`,
or raises :class:`PoError` with the 1-based line of the first thing that is
wrong: an unterminated string, an unknown escape, a duplicate entry, a missing
header or ``msgstr``, a charset other than UTF-8, bytes that are not UTF-8, a
NUL byte. Unlike Babel's ``read_po`` it keeps every header field, the
``#|`` previous msgid of fuzzy entries and obsolete ``#~`` entries, and it
never guesses.

:func:`format_po` writes a :class:`PoFile` the way GNU ``msgcat`` would (79
columns, Unicode line breaking, ``msgid ""`` first lines), so a file passed
through ``msgcat``, Poedit or Weblate and back reads the same and shows no
spurious change. Entries read from a file keep their original text
(``raw``); :func:`format_po` reuses it for every entry that did not change.

>>> po = read_po(b'msgid ""\\nmsgstr "Content-Type: text/plain; charset=UTF-8\\\\n"\\n\\nmsgid "a"\\nmsgstr "b"\\n')
>>> [(e.msgid, e.msgstr, e.line) for e in po.entries]
[('a', 'b', 4)]
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import BinaryIO, Iterable

from .errors import ContentError, Problem
from .i18n import _

PAGE_WIDTH = 79
BOM = b"\xef\xbb\xbf"
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b",
           "f": "\f", "v": "\v"}
WRITE_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "\\": "\\\\", "\a": "\\a",
                 "\b": "\\b", "\f": "\\f", "\v": "\\v"}
_NEEDS_ESCAPE = re.compile(r'[\n\t\r"\\\a\b\f\v]')
SIMPLE_STRING_RE = re.compile(r'^"([^"\\]*)"\s*$')
KEYWORD_RE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(.*)$')
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


# --------------------------------------------------------------------------- reading

def read_po(source: bytes | BinaryIO, path: str = "<po>") -> PoFile:
    """Parse PO ``source`` (bytes or a binary file object) strictly; raise PoError on any fault."""
    data = source if isinstance(source, (bytes, bytearray)) else source.read()
    warnings = []
    if data.startswith(BOM):
        warnings.append(Problem("po-bom", "warning", path, 1,
                                _("the file starts with a byte-order mark (BOM); it was ignored"),
                                _("save the file as UTF-8 without BOM; 'mobcontent update' removes it")))
        data = data[len(BOM):]
    if b"\x00" in data:
        raise PoError(_("the file contains a NUL byte"), path, data[:data.index(b"\x00")].count(b"\n") + 1,
                      _("the file is damaged or is not a PO file; restore it from version control"),
                      code="po-encoding")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PoError(_("the file is not valid UTF-8 text"), path, data[:exc.start].count(b"\n") + 1,
                      _("save it as UTF-8 (Poedit and Weblate do); the header must say charset=UTF-8"),
                      code="po-encoding") from None
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    parser = _Parser(path, lines)
    entries = parser.run()
    return _check_header(entries, path, tuple(warnings))


class _Builder:
    """Collects the lines of one entry while parsing."""

    def __init__(self, start: int):
        self.start = start  # index of the entry's first line
        self.end = start
        self.comments: list[str] = []
        self.extracted: list[str] = []
        self.references: list[str] = []
        self.flags: list[str] = []
        self.strings: dict[str, list[str]] = {}  # keyword -> parts
        self.lines: dict[str, int] = {}  # keyword -> 1-based line
        self.spans: dict[str, list[int]] = {}  # keyword -> [first, last] 0-based line index
        self.previous: dict[str, list[str]] = {}
        self.obsolete: bool | None = None
        self.last: tuple[str, bool] | None = None  # (keyword, previous?) for continuation lines

    @property
    def has_keywords(self) -> bool:
        return bool(self.strings)


class _Parser:
    def __init__(self, path: str, lines: list[str]):
        self.path = path
        self.lines = lines
        self.entries: list[Entry] = []
        self.seen: dict[str, int] = {}
        self.current: _Builder | None = None

    def error(self, index: int, message: str, hint: str, code: str = "po-syntax"):
        raise PoError(message, self.path, index + 1, hint, code=code)

    def run(self) -> list[Entry]:
        for index, line in enumerate(self.lines):
            self.line(index, line)
        self.finish(len(self.lines))
        return self.entries

    def line(self, index: int, line: str) -> None:
        stripped = line.strip()
        if not stripped:
            self.finish(index)
            return
        obsolete = False
        if stripped.startswith("#~"):
            obsolete = True
            stripped = stripped[2:].strip()
            if not stripped:
                return
            if stripped.startswith("|"):
                self.previous_line(index, stripped[1:].strip(), obsolete=True)
                return
        elif stripped.startswith("#"):
            self.comment(index, stripped)
            return
        self.keyword_line(index, stripped, obsolete)

    def entry(self, index: int, starts_comment: bool) -> _Builder:
        """The entry being built; a comment after a msgstr starts the next one."""
        if self.current is not None and starts_comment and "msgstr" in self.current.strings:
            self.finish(index)
        if self.current is None:
            self.current = _Builder(index)
        return self.current

    def comment(self, index: int, text: str) -> None:
        kind, rest = text[1:2], text[2:]
        if kind == "|":
            self.previous_line(index, rest.strip(), obsolete=False)
            return
        entry = self.entry(index, True)
        entry.end = index
        if kind == ".":
            entry.extracted.append(rest[1:] if rest.startswith(" ") else rest)
        elif kind == ":":
            entry.references.extend(rest.split())
        elif kind == ",":
            entry.flags.extend(f.strip() for f in rest.split(",") if f.strip())
        else:  # "# text" or "#text": a translator comment
            body = text[1:]
            entry.comments.append(body[1:] if body.startswith(" ") else body)

    def previous_line(self, index: int, text: str, obsolete: bool) -> None:
        entry = self.entry(index, True)
        entry.end = index
        self.set_obsolete(entry, index, obsolete)
        if text.startswith('"'):
            if entry.last is None or not entry.last[1]:
                self.error(index, _("a '#|' string continues nothing"),
                           _("start it with '#| msgid \"...\"'"))
            entry.previous[entry.last[0]].append(self.string(index, text))
            return
        match = KEYWORD_RE.match(text)
        if not match or match.group(1) not in ("msgctxt", "msgid", "msgid_plural"):
            self.error(index, _("a '#|' line must hold msgctxt, msgid or msgid_plural"),
                       _("write it as '#| msgid \"previous text\"' or remove the line"))
        entry.previous[match.group(1)] = [self.string(index, match.group(3))]
        entry.last = (match.group(1), True)

    def set_obsolete(self, entry: _Builder, index: int, obsolete: bool) -> None:
        if entry.obsolete is None:
            entry.obsolete = obsolete
        elif entry.obsolete != obsolete and (entry.has_keywords or obsolete is False):
            self.error(index, _("an entry mixes obsolete '#~' lines and active lines"),
                       _("either remove the '#~ ' prefix from every line of the entry, or add it to all"))

    def keyword_line(self, index: int, text: str, obsolete: bool) -> None:
        if text.startswith('"'):
            entry = self.current
            if entry is None or entry.last is None or entry.last[1]:
                self.error(index, _("a string that continues nothing"),
                           _("strings continue a msgid or msgstr on the line above; check for a missing keyword"))
            self.set_obsolete(entry, index, obsolete)
            entry.strings[entry.last[0]].append(self.string(index, text))
            entry.spans[entry.last[0]][1] = index
            entry.end = index
            return
        match = KEYWORD_RE.match(text)
        if not match:
            word = text.split()[0]
            self.error(index, _("unexpected '{word}'").format(word=word[:20]),
                       _("each line is a comment (#), a keyword (msgid, msgstr, msgctxt) or a quoted string"))
        keyword = match.group(1)
        starts = keyword in ("msgctxt", "msgid") and self.current is not None and (
            "msgstr" in self.current.strings or any(k.startswith("msgstr[") for k in self.current.strings)
            or (keyword == "msgid" and "msgid" in self.current.strings))
        if starts:
            self.finish(index)
        entry = self.entry(index, False)
        self.set_obsolete(entry, index, obsolete)
        if keyword in entry.strings:
            self.error(index, _("a second '{keyword}' in one entry").format(keyword=keyword),
                       _("separate entries with a blank line and give each its msgid and msgstr"))
        if keyword == "msgctxt" and "msgid" in entry.strings:
            self.error(index, _("msgctxt must come before msgid"), _("move the msgctxt line above the msgid"))
        if keyword.startswith("msgstr") and "msgid" not in entry.strings:
            self.error(index, _("'{keyword}' without a msgid before it").format(keyword=keyword),
                       _("each entry is msgid \"...\" then msgstr \"...\""))
        if keyword == "msgid_plural" and "msgid" not in entry.strings:
            self.error(index, _("'{keyword}' without a msgid before it").format(keyword="msgid_plural"),
                       _("write msgid first"))
        entry.strings[keyword] = [self.string(index, match.group(3))]
        entry.lines[keyword] = index + 1
        entry.spans[keyword] = [index, index]
        entry.last = (keyword, False)
        entry.end = index

    def string(self, index: int, text: str) -> str:
        """The value of one quoted string; nothing but spaces may follow it."""
        match = SIMPLE_STRING_RE.match(text)
        if match:  # the common case: no escapes
            return match.group(1)
        if not text.startswith('"'):
            self.error(index, _("expected a string in double quotes"), _('write the text as "..."'))
        out, i = [], 1
        while i < len(text):
            char = text[i]
            if char == '"':
                if text[i + 1:].strip():
                    self.error(index, _("text after the closing quote"),
                               _('put each string on its own line; write a quote inside a string as \\"'))
                return "".join(out)
            if char == "\\":
                i += 1
                if i >= len(text):
                    break
                esc = text[i]
                if esc in ESCAPES:
                    out.append(ESCAPES[esc])
                elif esc in "01234567":
                    digits = re.match(r"[0-7]{1,3}", text[i:]).group(0)
                    out.append(chr(int(digits, 8)))
                    i += len(digits) - 1
                elif esc == "x" and re.match(r"[0-9a-fA-F]{1,2}", text[i + 1:]):
                    digits = re.match(r"[0-9a-fA-F]{1,2}", text[i + 1:]).group(0)
                    out.append(chr(int(digits, 16)))
                    i += len(digits)
                else:
                    self.error(index, _("invalid escape sequence '{sequence}'").format(sequence="\\" + esc),
                               _('write a backslash as \\\\, a quote as \\", a new line as \\n'),
                               code="po-bad-escape")
            else:
                out.append(char)
            i += 1
        self.error(index, _("unterminated string: the closing double quote is missing"),
                   _('end the string with " on the same line (a quote inside a string is written \\")'),
                   code="po-unterminated-string")

    def finish(self, index: int) -> None:
        entry, self.current = self.current, None
        if entry is None or not entry.has_keywords:
            if entry is not None and entry.previous:
                self.error(entry.end, _("a '#|' previous msgid without an entry after it"),
                           _("remove the '#|' lines or add the entry they belong to"))
            return  # comments alone (e.g. at the end of the file) carry no entry
        strings = {k: "".join(v) for k, v in entry.strings.items()}
        msgid_line = entry.lines.get("msgid", entry.start + 1)
        if "msgid" not in strings:
            self.error(entry.start, _("an entry without msgid"), _('add msgid "..." (the source text)'))
        plural = "msgid_plural" in strings
        indices = sorted(int(k[7:-1]) for k in strings if k.startswith("msgstr["))
        if "msgstr" not in strings and not indices:
            self.error(msgid_line - 1, _("msgid without msgstr"),
                       _('add a line msgstr "" after the msgid (empty means not translated yet)'),
                       code="po-missing-msgstr")
        if plural and ("msgstr" in strings or indices != list(range(len(indices)))):
            self.error(msgid_line - 1, _("a plural entry needs msgstr[0], msgstr[1], ... in order"),
                       _("write msgstr[0] \"...\" (and msgstr[1] ... as Plural-Forms says)"))
        if not plural and indices:
            self.error(entry.lines[f"msgstr[{indices[0]}]"] - 1, _("msgstr[N] without msgid_plural"),
                       _('write msgstr "..." for an entry without plural'))
        prev = {k: "".join(v) for k, v in entry.previous.items()}
        result = Entry(
            msgid=strings["msgid"], msgstr=strings.get("msgstr", ""), msgctxt=strings.get("msgctxt"),
            msgid_plural=strings.get("msgid_plural"),
            msgstr_plural=tuple(strings[f"msgstr[{i}]"] for i in indices),
            flags=tuple(dict.fromkeys(entry.flags)), comments=tuple(entry.comments),
            extracted=tuple(entry.extracted), references=tuple(entry.references),
            previous_msgctxt=prev.get("msgctxt"), previous_msgid=prev.get("msgid"),
            previous_msgid_plural=prev.get("msgid_plural"), obsolete=bool(entry.obsolete),
            line=msgid_line, raw="\n".join(self.lines[entry.start:entry.end + 1]) + "\n",
            raw_strings=tuple((k, strings[k], bool(entry.obsolete), tuple(self.lines[a:b + 1]))
                              for k, (a, b) in entry.spans.items()))
        if not result.obsolete:
            first = self.seen.get(result.key)
            if first is not None:
                shown = result.msgid if len(result.msgid) <= 40 else result.msgid[:37] + "..."
                self.error(msgid_line - 1, _("duplicate entry \"{text}\" (first at line {line})").format(
                               text=shown, line=first),
                           _("keep one of the two entries (lines {first} and {second}) and delete the other").format(
                               first=first, second=msgid_line),
                           code="po-duplicate")
            self.seen[result.key] = msgid_line
        self.entries.append(result)


def _check_header(entries: list[Entry], path: str, warnings: tuple) -> PoFile:
    header = next((e for e in entries if e.msgid == "" and e.msgctxt is None and not e.obsolete), None)
    if header is None:
        raise PoError(_("the file has no header (the entry with msgid \"\")"), path, 1,
                      _("start the file with msgid \"\" and msgstr \"Content-Type: text/plain; "
                        "charset=UTF-8\\n\" (run 'mobcontent update' to create a correct file)"),
                      code="po-no-header")
    po = PoFile(header, tuple(e for e in entries if e is not header), path, warnings)
    content_type = po.field("Content-Type")
    line = _header_line(header, "Content-Type")
    if content_type is None:
        raise PoError(_("the header has no Content-Type, so the charset is unknown"), path, header.line,
                      _('add "Content-Type: text/plain; charset=UTF-8\\n" to the header'), code="po-charset")
    match = re.search(r"charset=([^\s;]+)", content_type)
    if not match or match.group(1).upper().replace("_", "-") not in ("UTF-8", "UTF8"):
        shown = match.group(1) if match else _("none")
        raise PoError(_("the charset is {charset}, not UTF-8").format(charset=shown), path, line,
                      _("save the file as UTF-8 and set Content-Type: text/plain; charset=UTF-8 "
                        "(Poedit: Catalogue → Properties → Charset)"), code="po-charset")
    return po


def _header_line(header: Entry, name: str) -> int:
    """1-based line of a header field in the file (the header's line if it cannot be told)."""
    for offset, text in enumerate(header.raw.split("\n")):
        if f'"{name}:' in text or f'"{name.lower()}:' in text.lower():
            return header.line + offset - header.raw.split("\n").index(
                next(t for t in header.raw.split("\n") if t.lstrip("#~ ").startswith("msgid")))
    return header.line


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
        return list(kept) if kept is not None else wrap_string(keyword, value, prefix, width)

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


# --------------------------------------------------------------------------- merging

@dataclass
class MergeCounts:
    """What a merge did to one file."""

    new: int = 0  # entries with no translation to offer
    fuzzy: int = 0  # entries given a similar (or moved) translation, marked fuzzy
    obsolete: int = 0  # translated entries no longer in the template, kept as #~
    revived: int = 0  # obsolete entries back in the template
    kept: int = 0  # entries whose translation carried over as it was
    filled: int = 0  # new entries given the same text's reviewed translation from another file


class FuzzyIndex:
    """Finds the closest translated msgid among many, fast.

    A word-bigram index (word unigrams and character trigrams for short texts)
    narrows the candidates to a handful, then rapidfuzz scores only those:
    linear in the number of entries instead of quadratic like Babel's and
    ``msgmerge``'s search.
    """

    def __init__(self, entries: Iterable[tuple[str, object]], cutoff: float = 70.0, candidates: int = 8):
        self.items: list[tuple[str, object]] = []
        self.postings: dict[str, list[int]] = {}
        self.cutoff = cutoff
        self.candidates = candidates
        for text, payload in entries:
            self.add(text, payload)

    def add(self, text: str, payload) -> None:
        index = len(self.items)
        self.items.append((text, payload))
        for token in _tokens(text):
            self.postings.setdefault(token, []).append(index)

    def best(self, text: str, accept=None):
        """``(score, matched text, payload)`` of the best match at or above the cutoff, or None."""
        from rapidfuzz import fuzz

        counts: dict[int, int] = {}
        for token in _tokens(text):
            posting = self.postings.get(token)
            if posting is None or len(posting) > 2000:
                continue  # a token in thousands of entries narrows nothing
            for index in posting:
                counts[index] = counts.get(index, 0) + 1
        ranked = sorted(counts, key=lambda i: (-counts[i], i))[:self.candidates * 4]
        best = None
        for index in ranked:
            candidate, payload = self.items[index]
            if accept is not None and not accept(payload):
                continue
            score = fuzz.ratio(text, candidate, score_cutoff=self.cutoff)
            if score and (best is None or score > best[0]):
                best = (score, candidate, payload)
        return best


def _tokens(text: str) -> set[str]:
    words = re.findall(r"\w+", text.casefold())
    tokens = {f"{a} {b}" for a, b in zip(words, words[1:])}
    if len(words) < 6:
        tokens.update(words)
        if len(text) < 40:
            folded = text.casefold()
            tokens.update("#" + folded[i:i + 3] for i in range(max(1, len(folded) - 2)))
    return tokens


def merge_po(template: PoFile, old: PoFile | None, header: dict[str, str],
             suggest=None, canonical=lambda text: text) -> tuple[PoFile, MergeCounts]:
    """Merge ``template`` into ``old`` (``msgmerge``'s job) and return the new file and counts.

    - an entry in both keeps its translation, translator comments and fuzzy state, and
      takes the template's comments, references and flags;
    - an obsolete ``#~`` entry whose msgid is back is revived;
    - otherwise ``suggest(entry)`` may offer ``(msgid, Entry, same_file[, fuzzy[, note]])``:
      its translation is kept, marked fuzzy (unless ``fuzzy`` is False) with ``#| msgid``
      the text it translated, and ``note`` added as a translator comment;
    - a translated entry no longer in the template becomes obsolete; untranslated ones go.

    ``canonical`` maps msgids before matching (so an NFD msgid still matches). ``header``
    fields are set in the result; every other header field of ``old`` is kept.
    """
    counts = MergeCounts()
    active = {canonical_key(e, canonical): e for e in old.entries if not e.obsolete} if old else {}
    gone = {canonical_key(e, canonical): e for e in old.entries if e.obsolete} if old else {}
    used: set[str] = set()
    entries = []
    for entry in template.entries:
        key = canonical_key(entry, canonical)
        found = active.get(key) or gone.get(key)
        if found is not None and found.translated:
            used.add(key)
            if found.obsolete:
                counts.revived += 1
            else:
                counts.kept += 1
            entries.append(_carry(entry, found, fuzzy=found.fuzzy, previous=found if found.fuzzy else None))
            continue
        if found is not None:
            used.add(key)
        suggestion = suggest(entry) if suggest else None
        if suggestion is not None:
            source, offered, same_file, *more = suggestion
            fuzzy, note = (list(more) + [True, ""])[:2]
            if same_file:
                used.add(canonical_key(offered, canonical))
            if fuzzy:
                counts.fuzzy += 1
            else:
                counts.filled += 1
            carried = _carry(entry, offered, fuzzy=fuzzy, previous=offered if fuzzy else None)
            # translator comments stay with their translation when it moves within the file
            # (a changed source), as msgmerge keeps them; an entry's own comments win
            comments = (found.comments if found is not None and found.comments
                        else offered.comments if same_file else ())
            if note:  # a note from the suggester replaces its own earlier note ("tm: …")
                tag = note.split(" ", 1)[0]
                comments = tuple(c for c in comments if c.split(" ", 1)[0] != tag) + (note,)
            entries.append(replace(carried, comments=comments))
            continue
        if found is None:
            counts.new += 1
        entries.append(replace(entry, comments=found.comments if found is not None else ()))
    obsolete = [e for k, e in gone.items() if k not in used]
    for key, entry in active.items():
        if key in used:
            continue
        if entry.translated:
            counts.obsolete += 1
            obsolete.append(replace(entry, obsolete=True, extracted=(), references=(),
                                    flags=("fuzzy",) if entry.fuzzy else ()))
    base = old if old is not None else template
    merged = PoFile(base.header, tuple(entries) + tuple(obsolete), base.path)
    merged = with_fields(merged, header, order=HEADER_ORDER)
    if old is None:
        merged = replace(merged, header=replace(merged.header, flags=()))
    return merged, counts


HEADER_ORDER = ("Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date", "PO-Revision-Date",
                "Last-Translator", "Language-Team", "Language", "MIME-Version", "Content-Type",
                "Content-Transfer-Encoding", "Plural-Forms", "X-Generator")


def canonical_key(entry: Entry, canonical) -> str:
    msgid = canonical(entry.msgid)
    return f"{entry.msgctxt}\x04{msgid}" if entry.msgctxt is not None else msgid


def _carry(entry: Entry, old: Entry, fuzzy: bool, previous: Entry | None) -> Entry:
    """The template ``entry`` with ``old``'s translation (and its previous msgid when fuzzy)."""
    flags = (("fuzzy",) if fuzzy else ()) + tuple(f for f in entry.flags if f != "fuzzy")
    prev_ctxt = prev_id = prev_plural = None
    if previous is not None:
        if previous.previous_msgid is not None and previous is old and old.fuzzy:
            prev_ctxt, prev_id, prev_plural = (old.previous_msgctxt, old.previous_msgid,
                                               old.previous_msgid_plural)
        elif previous.msgid != entry.msgid or previous.msgctxt != entry.msgctxt:
            prev_ctxt, prev_id, prev_plural = previous.msgctxt, previous.msgid, previous.msgid_plural
    plural = entry.msgid_plural is not None
    raw_strings = old.raw_strings + tuple(r for r in entry.raw_strings if r[0] not in ("msgstr",))
    return replace(entry, raw_strings=raw_strings, msgstr="" if plural else old.msgstr,
                   msgstr_plural=old.msgstr_plural if plural else (), flags=flags,
                   comments=old.comments, previous_msgctxt=prev_ctxt, previous_msgid=prev_id,
                   previous_msgid_plural=prev_plural, obsolete=False)
