"""Orthography checks for languages defined by a ``locale.yaml`` (Ê Đê, M'nông ...):
data in the file, a small engine here.

- ``letter-not-in-alphabet``: a letter outside the locale's ``letters``. An error for a
  Vietnamese tone-marked letter (à á ả ã ạ ...), which no Ê Đê or M'nông word has; a
  warning for any other letter (f, z in a brand name). Names are allowed: glossary terms
  of ``kind: name``, the audiences' profile names and zone fields (Đắk Lắk, Buôn Ma Thuột),
  and capitalised words without tone marks that the source has too (Zalo, OTP).
- ``looks-untranslated`` (warning): a short msgstr equal to its msgid, or one whose words
  are mostly Vietnamese (a share of tone-marked words of at least ``untranslated_share``).
- ``syllable-shape`` (warning): a word that cannot be read as syllables of the shape
  ``onset{0,max_onset} nucleus coda?`` from the locale's ``consonants``, ``nuclei`` and
  ``codas`` (only the first syllable of a word may lack an onset, so two vowels in a row
  must be a listed nucleus), or that holds a ``forbidden_clusters`` spelling (``ngh``).

A linguist tunes the lists in ``locale.yaml``; no code changes. Locales without an
``orthography:`` section are not checked (their ``letters`` may list only what the glyph
preflight needs); ``orthography: {alphabet: [...]}`` alone turns on the letter checks.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

from ..base.canonical import PROTECTED_RE, TONES
from ..base.errors import ContentError, Problem
from ..base.files import read_at
from ..base.i18n import _, language
from ..base.model import DIMENSIONS, Locale, Project
from ..content.glossary import read_glossary
from ..content.settings import target_locales
from ..formats import po as _po
from ..pipeline.translate import PLACEHOLDER_RE

GRAPHEME_RE = re.compile(r"[^\W\d_][\u0300-\u036f]*")
WORD_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|[\u0300-\u036f]|[’'](?=[^\W\d_]))*")
APOSTROPHE = "’"
VOWELS = set("aeiouy")
VIETNAMESE_LETTERS = set("abcdđeghiklmnopqrstuvxyăâêôơư")  # without tones: those are has_tone()
MARKUP_RE = re.compile(r"\*\*|__|[*_`]")
PREFIX_RE = re.compile(r"[^aăâeĕêiĭoŏôơuŭưy\u0306]{1,3}")  # consonants before an apostrophe


@dataclass(frozen=True)
class Orthography:
    """A locale's spelling rules, compiled from its ``locale.yaml``."""

    code: str
    letters: frozenset
    word_re: re.Pattern | None
    forbidden: tuple[str, ...]
    untranslated_share: float

    cache: dict = field(default_factory=dict, compare=False, repr=False)  # words repeat: judge each once

    def bad_letters(self, word: str) -> list[str]:
        """The letters of ``word`` (lowercase, NFC, with their marks) outside the alphabet."""
        key = ("letters", word)
        if key not in self.cache:
            self.cache[key] = [g for g in GRAPHEME_RE.findall(word.lower()) if g not in self.letters]
        return self.cache[key]

    def syllable_problem(self, word: str) -> str:
        """Why ``word`` breaks the syllable shapes ("" if it does not)."""
        key = ("syllables", word, language())  # the reason is in the interface language
        if key not in self.cache:
            self.cache[key] = self._syllable_problem(word)
        return self.cache[key]

    def _syllable_problem(self, word: str) -> str:
        lower = unicodedata.normalize("NFC", word.lower())
        for cluster in self.forbidden:
            if cluster in lower:
                return _("'{cluster}' is not written in this language").format(cluster=cluster)
        if self.word_re is None:
            return ""
        parts = lower.split(APOSTROPHE)
        for index, part in enumerate(parts):
            if not part:
                continue
            if index < len(parts) - 1 and PREFIX_RE.fullmatch(part):
                continue  # a consonant prefix before an apostrophe: n’gor, m’nông
            if not self.word_re.fullmatch(part):
                return _("'{part}' cannot be read as syllables of this language").format(part=part)
        return ""


def compile_orthography(locale: Locale) -> Orthography | None:
    """The rules of ``locale``, or None when its locale.yaml has no ``orthography:``
    section. The alphabet is ``orthography.alphabet``, else the locale's ``letters`` (which
    the glyph preflight also reads: there it may be only the letters a font must have)."""
    alphabet = locale.orthography_value("alphabet") or locale.letters
    if not locale.orthography or not alphabet:
        return None
    letters = frozenset(unicodedata.normalize("NFC", l.lower()) for l in alphabet)
    consonants = locale.orthography_value("consonants")
    nuclei = locale.orthography_value("nuclei")
    codas = locale.orthography_value("codas")
    word_re = None
    if consonants and nuclei:
        onset = int(locale.orthography_value("max_onset", 3) or 3)
        rhyme = f"(?:{_alternation(nuclei)})" + (f"(?:{_alternation(codas)})?" if codas else "")
        # only a word's first syllable may start with its vowel: two vowels in a row must be a listed nucleus
        word_re = re.compile(rf"(?:{_alternation(consonants)}){{0,{onset}}}{rhyme}"
                             rf"(?:(?:{_alternation(consonants)}){{1,{onset}}}{rhyme})*")
    forbidden = tuple(sorted(locale.orthography_value("forbidden_clusters"), key=len, reverse=True))
    return Orthography(locale.code, letters, word_re, forbidden,
                       float(locale.orthography_value("untranslated_share", 0.5) or 0.5))


def _alternation(items) -> str:
    return "|".join(re.escape(unicodedata.normalize("NFC", i)) for i in sorted(set(items), key=len, reverse=True))


@functools.lru_cache(maxsize=65536)
def has_tone(word: str) -> bool:
    """Whether ``word`` has a vowel with a Vietnamese tone mark (grave, acute, hook, tilde,
    dot below); ``ñ`` is a letter, not a tone.

    >>> has_tone("buôn"), has_tone("buồn"), has_tone("ƀuôn"), has_tone("ñu")
    (False, True, False, False)
    """
    for char in word:
        parts = unicodedata.normalize("NFD", char)
        if parts[0].lower() in VOWELS and any(mark in TONES for mark in parts[1:]):
            return True
    return False


def plain_text(text: str) -> str:
    """``text`` without placeholders, links targets, URLs, code spans and Markdown marks."""
    return MARKUP_RE.sub(" ", PROTECTED_RE.sub(" ", PLACEHOLDER_RE.sub(" ", text)))


def allowed_names(project: Project, locale: str) -> list[str]:
    """Names whose letters any language may keep: glossary names and audience names/fields."""
    names = [t.term for t in read_glossary(project, locale).terms if t.kind == "name"]
    for dim in DIMENSIONS:
        for profile in project.audiences.profiles(dim).values():
            names.append(profile.name)
            names += [str(v) for k, v in profile.fields.items() if k in ("province", "border_post", "office")]
    if project.config.issuer:
        names.append(project.config.issuer)
    return sorted({n for n in names if n}, key=len, reverse=True)


def _mask_names(text: str, names_re: re.Pattern | None) -> str:
    return names_re.sub(" ", text) if names_re is not None else text


def _names_re(names: list[str]) -> re.Pattern | None:
    if not names:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(n) for n in names) + r")(?![^\W_])", re.IGNORECASE)


def entry_orthography(entry: _po.Entry, rules: Orthography, names_re, rel: str) -> list[Problem]:
    """The orthography findings of one translated entry."""
    out = []
    text = plain_text(_mask_names(entry.msgstr, names_re))
    source_words = set(WORD_RE.findall(plain_text(entry.msgid)))
    words = [w for w in WORD_RE.findall(text)
             if not (w[0].isupper() and not has_tone(w) and w in source_words)]  # Zalo, OTP kept as written
    foreign: dict[str, list[str]] = {}
    for word in words:
        for letter in rules.bad_letters(word):
            foreign.setdefault(letter, []).append(word)
    toned = {l: w for l, w in foreign.items() if has_tone(l)}
    if toned:
        out.append(Problem("letter-not-in-alphabet", "error", rel, entry.line, _(
            "Vietnamese tone-marked letter(s) {letters} in the translation ({words}): no word of this language "
            "has them").format(letters=" ".join(sorted(toned)), words=", ".join(dict.fromkeys(
                w for ws in toned.values() for w in ws))),
            _("translate the words; if it is a name, add it to locales/{code}/glossary.yaml with "
              "'kind: name'").format(code=rules.code)))
    other = {l: w for l, w in foreign.items() if l not in toned}
    if other:
        out.append(Problem("letter-not-in-alphabet", "warning", rel, entry.line, _(
            "letter(s) {letters} are not in the alphabet of this language ({words})").format(
                letters=" ".join(sorted(other)), words=", ".join(dict.fromkeys(w for ws in other.values() for w in ws))),
            _("check the spelling; a name can go in locales/{code}/glossary.yaml with 'kind: name'").format(
                code=rules.code)))
    out += _untranslated(entry, words, rules, rel)
    spelled = {w for ws in foreign.values() for w in ws}
    for word in dict.fromkeys(words):
        if word not in spelled:  # a word with a foreign letter is reported once, above
            why = rules.syllable_problem(word)
            if why:
                out.append(Problem("syllable-shape", "warning", rel, entry.line,
                                   _("'{word}': {why}").format(word=word, why=why),
                                   _("check the spelling (the rules are in locales/{code}/locale.yaml, "
                                     "'orthography')").format(code=rules.code)))
    return out


def _untranslated(entry: _po.Entry, words: list[str], rules: Orthography, rel: str) -> list[Problem]:
    """A translation that is its source, or whose words mostly have a tone mark or a letter
    outside the alphabet (letter statistics: Vietnamese words look like that)."""
    same = entry.msgstr.strip() == entry.msgid.strip() and bool(words)
    foreign = sum(has_tone(w) or any(l in VIETNAMESE_LETTERS for l in rules.bad_letters(w)) for w in words)
    mostly = words and foreign >= 2 and foreign / len(words) >= rules.untranslated_share
    if not (same or mostly):
        return []
    why = (_("the translation is the source text") if same else
           _("{count} of its {total} words have Vietnamese tone marks or letters").format(
               count=foreign, total=len(words)))
    return [Problem("looks-untranslated", "warning", rel, entry.line,
                    _("the translation looks untranslated: {why}").format(why=why),
                    _("translate it, or leave the msgstr empty until it is translated"))]


def check_orthography(project: Project) -> Iterable[Problem]:
    """``letter-not-in-alphabet``, ``looks-untranslated`` and ``syllable-shape`` in every
    translated, non-fuzzy entry of every locale that defines its letters."""
    for code in target_locales(project):
        locale = project.locales.get(code)
        rules = compile_orthography(locale) if locale is not None else None
        if rules is None:
            continue
        names_re = _names_re(allowed_names(project, code))
        for rel, po in readable_catalogs(project, code):
            for entry in po.entries:
                if entry.translated and not entry.fuzzy and not entry.obsolete and entry.msgid_plural is None:
                    yield from entry_orthography(entry, rules, names_re, rel)


def readable_catalogs(project: Project, code: str):
    """``(path, PoFile)`` of the readable PO files of a locale (unreadable ones are the
    translations check's to report)."""
    base = project.root / "locales" / code / "LC_MESSAGES"
    paths = sorted(base.glob("*.po")) + sorted(base.glob("messages/*.po")) if base.is_dir() else []
    for path in paths:
        rel = path.relative_to(project.root).as_posix()
        try:
            yield rel, _po.read_po(read_at(path, rel), rel)
        except ContentError:
            continue
