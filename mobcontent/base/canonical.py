"""Canonical text: one spelling for every letter, so lookups and checks agree.

Applied on read to source text and translations (see DESIGN.md, *Canonical
text*). :func:`canonical_text` returns the fixed text; :func:`find_fixes`
says what it fixed and what it could not (legacy 8-bit font encodings,
suspicious letters), each with a stable code for ``mobcontent check``.

The rules after NFC apply to text only: URLs, code spans, link targets and
``{placeholders}`` are left as they are.

>>> canonical_text("M'nông")
'M’nông'
>>> canonical_text("ĕ\\u0302") == "ê\\u0306"
True
>>> canonical_text("hoà bình", "vi", "old")
'hòa bình'
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .hygiene import mojibake
from .i18n import N_, _, language

# spans the letter rules never touch: code spans, autolinks, link targets, URLs, placeholders,
# Markdown backslash escapes
PROTECTED_RE = re.compile(r"`[^`]*`|<[a-z]+:[^>\s]*>|\]\([^)\s]*\)|\]\[[^\]]*\]|!?\[(?=[^\[\]]*\][(\[])|(?:https?|ftp|mailto):[^\s)>\]]+"
                          r"|www\.[^\s)>\]]+|\{\{|\}\}|\{[a-z][a-z0-9_]*\}|\\[!-/:-@\[-`{-~]")
APOSTROPHES = "'\u02bc\u2018\u00b4"  # not the backtick: it may be a legacy letter (base/hygiene.py)
APOSTROPHE_RE = re.compile(rf"(?<=[^\W\d_])[{APOSTROPHES}](?=[^\W\d_])")
LOOKALIKES = {"\u00d0": "\u0110", "\u0189": "\u0110", "\u00f0": "\u0111"}
MARK_ORDER = {"\u0115\u0302": "\u00ea\u0306", "\u0114\u0302": "\u00ca\u0306",
              "\u014f\u0302": "\u00f4\u0306", "\u014e\u0302": "\u00d4\u0306"}
SUSPICIOUS = {"\u0253": N_("ɓ (U+0253, African hooked b) — Ê Đê and M’nông write ƀ (U+0180)"),
              "\u0181": N_("Ɓ (U+0181) — Ê Đê and M’nông write Ƀ (U+0243)"),
              "\u02d8": N_("a spacing breve ˘ (U+02D8) — the breve must sit on its letter: "
                          "ĕ ŏ ŭ ĭ ă, or ê̆ ô̆ ơ̆ ư̆"),
              "\u01d4": N_("ǔ with a caron (U+01D4) — the letter is ŭ with a breve (U+016D)"),
              "\u011b": N_("ě with a caron (U+011B) — the letter is ĕ with a breve (U+0115)"),
              "\u01d0": N_("ǐ with a caron (U+01D0) — the letter is ĭ with a breve (U+012D)"),
              "\u01d2": N_("ǒ with a caron (U+01D2) — the letter is ŏ with a breve (U+014F)"),
              "\u01ce": N_("ǎ with a caron (U+01CE) — the letter is ă with a breve (U+0103)")}
# an ASCII character that old 8-bit Ê Đê fonts used for a letter, inside a word
LEGACY_RE = re.compile(r"(?:(?<=[^\W\d_])[\[\]{}\\|]|[\[\]{}\\|](?=[^\W\d_]))")  # # @ ^ `: base/hygiene.py

_ASCII_SUSPECTS = re.compile(r"['\[\]{}\\|]")  # ASCII text without these needs no fix
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
INITIALS = ("b|ch|c|d|đ|gh|gi|g|h|kh|k|l|m|ngh|ng|nh|n|ph|p|r|s|th|tr|t|v|x")
TONE_SYLLABLE_RE = re.compile(rf"^({INITIALS})?(oa|oe|uy)$")
WORD_RE = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Fix:
    """One finding: a code, a severity, what was found and how to fix it."""

    code: str
    severity: str
    message: str
    hint: str


def canonical_text(text: str, locale: str | None = None, tone_style: str = "keep") -> str:
    """``text`` in canonical form (see the module docstring)."""
    return _apply(text, locale, tone_style, language())[0]


def find_fixes(text: str, locale: str | None = None, tone_style: str = "keep") -> list[Fix]:
    """What :func:`canonical_text` changes in ``text``, and what it cannot fix."""
    return list(_apply(text, locale, tone_style, language())[1])


@lru_cache(maxsize=65536)
def _apply(text: str, locale: str | None, tone_style: str, ui_language: str) -> tuple[str, list[Fix]]:
    # ui_language is part of the cache key only: the fixes' messages are in that language
    if text.isascii() and not _ASCII_SUSPECTS.search(text):
        return text, []
    fixes: list[Fix] = []
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        fixes.append(Fix("text-not-nfc", "warning", _("the text is not in Unicode NFC form (it was normalized)"),
                         _("retype the accented letters, or let your editor save as NFC")))
    out, protected = [], 0
    for match in PROTECTED_RE.finditer(nfc):
        out.append(_fix_words(nfc[protected:match.start()], locale, tone_style, fixes))
        out.append(match.group(0))
        protected = match.end()
    out.append(_fix_words(nfc[protected:], locale, tone_style, fixes))
    return "".join(out), tuple(_unique(fixes))


def _fix_words(text: str, locale: str | None, tone_style: str, fixes: list[Fix]) -> str:
    if not text:
        return text
    for bad, good in MARK_ORDER.items():
        if bad in text:
            text = text.replace(bad, good)
            fixes.append(Fix("mark-order", "warning",
                             _("'{bad}' (breve, then circumflex) was read as '{good}' (circumflex, then breve)").format(
                                 bad=bad, good=good),
                             _("type the circumflex letter first, then the combining breve U+0306")))
    for bad, good in LOOKALIKES.items():
        if bad in text:
            text = text.replace(bad, good)
            fixes.append(Fix("lookalike-letter", "warning",
                             _("'{bad}' (U+{code}) looks like '{good}' but is another letter; read as '{good}'").format(
                                 bad=bad, code=f"{ord(bad):04X}", good=good),
                             _("type Đ/đ (U+0110/U+0111) instead of U+{code}").format(code=f"{ord(bad):04X}")))
    fixed = text if mojibake(text) else APOSTROPHE_RE.sub("\u2019", text)  # "Ã´n" is mojibake, not "Ã’n"
    if fixed != text:
        found = sorted({c for c in APOSTROPHE_RE.findall(text) if c != "\u2019"})
        if found:
            fixes.append(Fix("apostrophe", "warning",
                             _("an apostrophe inside a word was typed as {codes}; read as ’ (U+2019)").format(
                                 codes=", ".join(f"U+{ord(c):04X}" for c in found)),
                             _("type ’ (U+2019) inside words such as M’nông, H’Duyêt")))
        text = fixed
    for char, what in SUSPICIOUS.items():
        if char in text:
            fixes.append(Fix("suspicious-letter", "warning", _("suspicious letter: {what}").format(what=_(what)),
                             _("replace it with the letter meant")))
    legacy = LEGACY_RE.search(text)
    if legacy:
        start = max(text.rfind("\n", 0, legacy.start()) + 1, legacy.start() - 8)  # on its own line: shown on one
        line_end = text.find("\n", legacy.end())
        end = legacy.end() + 8 if line_end < 0 else min(line_end, legacy.end() + 8)
        fixes.append(Fix("legacy-encoding", "error",
                         _("'{text}' holds '{char}' inside a word: "
                           "text typed with an old 8-bit Ê Đê/M’nông font").format(
                             text=text[start:end].strip(), char=legacy.group(0)),
                         _("retype the word with a Unicode keyboard "
                           "(e.g. ƀuôn, not [uôn); a person must check it, the tool does not guess")))
    if locale == "vi" and tone_style in ("old", "new"):
        restyled = WORD_RE.sub(lambda m: restyle_syllable(m.group(0), tone_style), text)
        if restyled != text:
            fixes.append(Fix("tone-style", "warning",
                             _("tone marks placed in another style than the project's ({style}: {examples}); "
                               "fixed on read").format(
                                 style=tone_style, examples="hòa, thủy" if tone_style == "old" else "hoà, thuỷ"),
                             _("write {examples} (vi_tone_style in mobcontent.yaml)").format(
                                 examples="hòa, thủy, khỏe" if tone_style == "old" else "hoà, thuỷ, khoẻ")))
            text = restyled
    return text


def restyle_syllable(word: str, style: str) -> str:
    """Move the tone mark of an open ``oa``/``oe``/``uy`` syllable to the ``style`` position.

    >>> restyle_syllable("thủy", "new"), restyle_syllable("Hoà", "old"), restyle_syllable("hoàng", "new")
    ('thuỷ', 'Hòa', 'hoàng')
    """
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in TONES]
    if len(tones) != 1:
        return word
    bare = "".join(c for c in decomposed if c not in TONES)
    if not TONE_SYLLABLE_RE.match(unicodedata.normalize("NFC", bare).lower()):
        return word
    letters = unicodedata.normalize("NFC", bare)
    position = len(letters) - (2 if style == "old" else 1)
    result = letters[:position + 1] + tones[0] + letters[position + 1:]
    return unicodedata.normalize("NFC", result)


def _unique(fixes: list[Fix]) -> list[Fix]:
    return list(dict.fromkeys(fixes))
