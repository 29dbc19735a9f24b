"""Text hygiene: what must never reach a page, found at its exact line.

Plain functions over a text, the path it came from and the number of its first line,
returning :class:`~mobcontent.base.errors.Problem` records (all errors: each blocks a
release and makes an edition ``failed``):

- ``control-character``: C0 controls except tab and newline, C1 controls U+0080–U+009F
  (what UTF-8 "M’nông" becomes when read as latin-1);
- ``replacement-character``: U+FFFD, the mark of a decoding that already lost text;
- ``mojibake``: UTF-8 read as cp1252/latin-1 (``Ã¢`` for â, ``Äƒ`` for ă, ``Æ°`` for ư,
  ``â€™`` for ’);
- ``legacy-encoding``: an ASCII ``#``, ``@``, ``^`` or backtick between two letters,
  what old 8-bit Ê Đê/M’nông fonts used for ê̆, ô̆, ƀ... (``ke#č``, ``gơ`u``). A person
  must retype it: the tool never turns it into an apostrophe or a letter.

URLs, e-mail addresses, ``{placeholders}`` and code spans are not judged for legacy
markers (``#anchor``, ``name@example.org``).

>>> [p.code for p in text_problems("arÄƒ anei\\nke#č Thuo#t\\nM\\x92nông", "x.po", 10)]
['mojibake', 'legacy-encoding', 'control-character']
>>> [p.line for p in text_problems("ok\\nÉƒuÃ´n", "x.md", 5)]
[6]
>>> text_problems("Gọi 113 · lienhe@xa.gov.vn · https://x.vn/a#b · `code`", "x.md")
[]
"""
from __future__ import annotations

import re

from .errors import Problem
from .i18n import _

CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
REPLACEMENT = "\ufffd"
# cp1252's characters for the bytes 0x80–0x9F (where latin-1 has C1 controls)
_CP1252 = {bytes([b]).decode("cp1252"): b for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
_CP1252_HIGH = "".join(_CP1252)
_CONTINUATION = f"[\u0080-\u00bf{_CP1252_HIGH}]"
# a UTF-8 lead byte read as a latin-1 letter, then its continuation bytes
MOJIBAKE_RE = re.compile(f"[\u00c2-\u00df]{_CONTINUATION}|[\u00e0-\u00ef]{_CONTINUATION}{{2}}")
LEGACY_MARKER_RE = re.compile(r"(?<=[^\W\d_])[#@^`](?=[^\W\d_])")
# not judged for legacy markers: URLs, e-mail addresses, placeholders, code spans
_EXEMPT_RE = re.compile(r"(?:https?|ftp|mailto):\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\{[^{}\s]*\}"
                        r"|(?<![^\W\d_])`[^`\n]+`(?![^\W\d_])")


def text_problems(text: str, path: str, first_line: int = 1, legacy: bool = True) -> list[Problem]:
    """Every hygiene problem in ``text`` (read from ``path``, its first line numbered
    ``first_line``), in line order; ``legacy=False`` skips the legacy-font markers (for
    lines that are not text a reader sees)."""
    problems: list[Problem] = []
    if is_clean(text):
        return problems
    for offset, line in enumerate(text.split("\n")):
        problems += line_problems(line, path, first_line + offset, legacy)
    return problems


def is_clean(text: str) -> bool:
    """Whether nothing that a rule of :func:`line_problems` looks for is anywhere in
    ``text`` (no rule's match can span a line break): then no line has a problem. One
    search of the whole text instead of one per line, since most files are clean.

    >>> is_clean("Gọi 113 khi nghi ngờ.\\nĐắk Lắk"), is_clean("ok\\nke#č"), is_clean("a\\x85b")
    (True, False, False)
    """
    return not (CONTROL_RE.search(text) or REPLACEMENT in text or MOJIBAKE_RE.search(text)
                or LEGACY_MARKER_RE.search(text))


def line_problems(line: str, path: str, number: int, legacy: bool = True) -> list[Problem]:
    """The hygiene problems of one line."""
    if line.isascii() and not CONTROL_RE.search(line) and not (legacy and LEGACY_MARKER_RE.search(line)):
        return []
    found = []
    control = CONTROL_RE.search(line)
    if control:
        found.append(Problem("control-character", "error", path, number,
                             _("the text holds the invisible control character U+{code} (column {column})").format(
                                 code=f"{ord(control.group(0)):04X}", column=control.start() + 1),
                             _("delete it and retype the letters around it; if the file came from another program, "
                               "it was probably read in the wrong encoding (save it as UTF-8)")))
    if REPLACEMENT in line:
        found.append(Problem("replacement-character", "error", path, number,
                             _("the text holds U+FFFD (�): letters were lost when the file was converted"),
                             _("retype the lost letters from the original text")))
    bad = mojibake(line)
    if bad:
        found.append(Problem("mojibake", "error", path, number,
                             _("'{text}' is UTF-8 text read in the wrong encoding (it should read '{meant}')").format(
                                 text=bad, meant=_repair(bad)),
                             _("retype the text, or convert the file from the encoding it was wrongly read in; "
                               "the tool does not guess")))
    marker = LEGACY_MARKER_RE.search(_EXEMPT_RE.sub(lambda m: " " * len(m.group(0)), line)) if legacy else None
    if marker:
        found.append(Problem("legacy-encoding", "error", path, number,
                             _("'{text}' holds '{char}' between letters: text typed with an old 8-bit "
                               "Ê Đê/M’nông font").format(text=_word_at(line, marker.start()), char=marker.group(0)),
                             _("retype the word with a Unicode keyboard (kê̆č, not ke#č; an apostrophe is ’); "
                               "a person must check it, the tool does not guess")))
    return found


def _word_at(line: str, index: int) -> str:
    """The word around ``index`` (quotes and brackets left out)."""
    words = re.finditer(r"[^\s\"'()\[\]]+", line)
    return next((m.group(0) for m in words if m.start() <= index < m.end()), line.strip())


def mojibake(text: str) -> str:
    """The first run of ``text`` that is UTF-8 read as cp1252/latin-1 ("" when none).

    >>> mojibake("arÄƒ anei mÃ¢o"), mojibake("Ân cần, Đắk Lắk, Ê Đê"), mojibake("“NGÃ” và ‘Â’")
    ('Äƒ', '', '')
    """
    for match in MOJIBAKE_RE.finditer(text):
        after = text[match.end():match.end() + 1]
        if "\u2000" <= match.group(0)[-1] <= "\u206f" and not after.isalpha():
            continue  # "NGÃ”": a capital letter, then a closing quote — Vietnamese, not mojibake
        if _repair(match.group(0)) != match.group(0):
            return match.group(0)
    return ""


def _repair(text: str) -> str:
    """``text`` read back as UTF-8 (itself when it is not mojibake)."""
    try:
        return bytes(_byte(c) for c in text).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return text


def _byte(char: str) -> int:
    if char in _CP1252:
        return _CP1252[char]
    if ord(char) > 0xFF:
        raise ValueError(char)
    return ord(char)
