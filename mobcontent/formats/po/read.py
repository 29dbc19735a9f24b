"""The strict PO reader: every problem with its 1-based line, nothing guessed.
"""
from __future__ import annotations

import functools
import re
from typing import BinaryIO

from ...base.errors import Problem
from ...base.i18n import _
from .model import Entry, PoError, PoFile

BOM = b"\xef\xbb\xbf"
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b",
           "f": "\f", "v": "\v"}
SIMPLE_STRING_RE = re.compile(r'^"([^"\\]*)"\s*$')
KEYWORD_RE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(.*)$')


# --------------------------------------------------------------------------- reading

def read_po(source: bytes | BinaryIO, path: str = "<po>") -> PoFile:
    """Parse PO ``source`` (bytes or a binary file object) strictly; raise PoError on any fault.

    A file is parsed once per process while its bytes are the same (the checks, the build
    and the update each read the catalogs they need): a PoFile cannot be changed."""
    data = source if isinstance(source, (bytes, bytearray)) else source.read()
    return _parsed(bytes(data), path)


@functools.lru_cache(maxsize=2048)
def _parsed(data: bytes, path: str) -> PoFile:
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
        """The value of one quoted string; nothing but spaces may follow it. Escapes are
        decoded as gettext does: octal and hex escapes are bytes, and the string's bytes
        are then read as UTF-8 (``\\xc3\\xa9`` is "é"). An escaped NUL or other control
        character is an error: it would end the string in a .mo file, or reach a terminal."""
        match = SIMPLE_STRING_RE.match(text)
        if match:  # the common case: no escapes
            return match.group(1)
        if not text.startswith('"'):
            self.error(index, _("expected a string in double quotes"), _('write the text as "..."'))
        out, i = bytearray(), 1
        while i < len(text):
            char = text[i]
            if char == '"':
                if text[i + 1:].strip():
                    self.error(index, _("text after the closing quote"),
                               _('put each string on its own line; write a quote inside a string as \\"'))
                return self.decoded(index, bytes(out))
            if char == "\\":
                i += 1
                if i >= len(text):
                    break
                esc = text[i]
                if esc in ESCAPES:
                    out += ESCAPES[esc].encode("utf-8")
                elif esc in "01234567":
                    digits = re.match(r"[0-7]{1,3}", text[i:]).group(0)
                    out.append(self.byte(index, int(digits, 8) & 0xFF))
                    i += len(digits) - 1
                elif esc == "x" and re.match(r"[0-9a-fA-F]{1,2}", text[i + 1:]):
                    digits = re.match(r"[0-9a-fA-F]{1,2}", text[i + 1:]).group(0)
                    out.append(self.byte(index, int(digits, 16)))
                    i += len(digits)
                else:
                    self.error(index, _("invalid escape sequence '{sequence}'").format(sequence="\\" + esc),
                               _('write a backslash as \\\\, a quote as \\", a new line as \\n'),
                               code="po-bad-escape")
            else:
                out += char.encode("utf-8", "surrogatepass")
            i += 1
        self.error(index, _("unterminated string: the closing double quote is missing"),
                   _('end the string with " on the same line (a quote inside a string is written \\")'),
                   code="po-unterminated-string")

    def byte(self, index: int, value: int) -> int:
        """One escaped byte; NUL and control characters other than tab and new line refused."""
        if value < 0x20 and value not in (0x09, 0x0A, 0x0D) or value == 0x7F:
            self.error(index, _("the escape \\{code:03o} is a control character").format(code=value),
                       _("remove it: a translation holds only visible text, tabs and new lines"),
                       code="po-control-char")
        return value

    def decoded(self, index: int, data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.error(index, _("the escaped bytes in this string are not UTF-8"),
                       _("write the letters themselves instead of \\x or octal escapes"), code="po-bad-escape")

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
            line=msgid_line, msgstr_line=entry.lines.get("msgstr", msgid_line),
            raw="\n".join(self.lines[entry.start:entry.end + 1]) + "\n",
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
