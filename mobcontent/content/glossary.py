"""The per-locale glossary (termbase) as data: ``locales/<code>/glossary.yaml``.

Each term: the Vietnamese ``term``, its approved ``translation`` (empty until a
translator decides it), ``notes``, ``forbidden`` variants, and ``kind``: ``term`` or
``name`` (a proper name such as Đắk Lắk, whose letters the orthography check allows)::

    terms:
      - term: buôn
        translation: buôn
        notes: "term 'village' of ethnic.ede (shown as {village})"
        forbidden: [bôn]
      - term: Đắk Lắk
        kind: name

Read here, strictly and with lines, for the checks (:mod:`mobcontent.checks.glossary`)
and the translator's workflow (:mod:`mobcontent.l10n.glossary`: seeding, PO comments, TBX).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from ..base.canonical import canonical_text
from ..base.errors import ContentError, Problem
from ..base.i18n import _
from ..base.model import Project
from ..formats.yamlio import Map, Scalar, Seq, read_yaml

TERM_KEYS = ("term", "translation", "notes", "forbidden", "kind")
KINDS = ("term", "name")


@dataclass(frozen=True)
class Term:
    """One glossary entry, with the line it starts on."""

    term: str
    translation: str = ""
    notes: str = ""
    forbidden: tuple[str, ...] = ()
    kind: str = "term"
    line: int = 0

    def describe(self) -> str:
        """``buôn → buôn`` (and what not to write), as the handoff files and PO comments show it."""
        text = f"{self.term} → {self.translation}" if self.translation else f"{self.term} → ?"
        if self.forbidden:
            text += " (" + _("not: {words}").format(words=", ".join(self.forbidden)) + ")"
        return text


@dataclass(frozen=True)
class Glossary:
    """A locale's terms, and the problems found reading the file."""

    locale: str
    path: str
    terms: tuple[Term, ...] = ()
    problems: tuple[Problem, ...] = ()

    def terms_in(self, text: str) -> list[Term]:
        """The terms that occur in ``text`` as whole words (case-insensitive), longest first
        where they overlap, each once, in order of occurrence.

        >>> g = Glossary("rad", "", (Term("buôn"), Term("già làng"), Term("buôn làng")))
        >>> [t.term for t in g.terms_in("Bà con buôn làng và già làng")]
        ['buôn làng', 'già làng']
        """
        if not self.terms:
            return []
        pattern, by_fold = _terms_re(self.terms)
        found = {}
        for match in pattern.finditer(fold(text)):
            found.setdefault(match.group(0), by_fold[match.group(0)])
        return list(found.values())

    def names(self) -> list[str]:
        return [t.term for t in self.terms if t.kind == "name"]


def fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


@functools.lru_cache(maxsize=64)
def _terms_re(terms: tuple) -> tuple[re.Pattern, dict]:
    """One pattern for all terms (longest first, so the longest wins where they overlap)."""
    by_fold = {fold(t.term): t for t in terms}
    words = sorted(by_fold, key=len, reverse=True)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(w) for w in words) + r")(?![^\W_])"), by_fold


@functools.lru_cache(maxsize=4096)
def _word_re(word: str) -> re.Pattern:
    return re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])")


def contains_word(text: str, word: str) -> bool:
    """``word`` occurs in ``text`` as a whole word, ignoring case.

    >>> contains_word("Bà con Buôn làng", "buôn"), contains_word("buônx", "buôn")
    (True, False)
    """
    return bool(word) and _word_re(fold(word)).search(fold(text)) is not None


def glossary_path(locale: str) -> str:
    return f"locales/{locale}/glossary.yaml"


def read_glossary(project: Project, locale: str) -> Glossary:
    """The glossary of ``locale`` (empty if there is none); problems are collected, not raised."""
    rel = glossary_path(locale)
    path = project.root / rel
    if not path.is_file():
        return Glossary(locale, rel)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return Glossary(locale, rel, (), (Problem("glossary-invalid", "error", rel, 1,
                                                  _("the glossary is not readable UTF-8 text"),
                                                  _("save it as UTF-8")),))
    return parse_glossary(text, rel, locale)


def parse_glossary(text: str, rel: str, locale: str) -> Glossary:
    """Parse a glossary's YAML strictly; every problem has its line."""
    problems: list[Problem] = []

    def error(line: int, message: str, hint: str = "") -> None:
        problems.append(Problem("glossary-invalid", "error", rel, line, message, hint))

    try:
        node = read_yaml(text, rel)
    except ContentError as exc:
        return Glossary(locale, rel, (), (exc.problem(),))
    if node is None:
        return Glossary(locale, rel)
    if not isinstance(node, Map) or set(node.items) - {"terms"}:
        error(getattr(node, "line", 1), _("the glossary must be a mapping with one key, 'terms'"),
              _("write 'terms:' then one '- term: …' item per term"))
        return Glossary(locale, rel, (), tuple(problems))
    items = node.get("terms")
    if items is None:
        return Glossary(locale, rel)
    if not isinstance(items, Seq):
        error(items.line, _("'terms' must be a list of '- term: …' items"))
        return Glossary(locale, rel, (), tuple(problems))
    terms, seen = [], {}
    for index, item in enumerate(items.items):
        term = _parse_term(item, index, locale, error)
        if term is None:
            continue
        key = fold(term.term)
        if key in seen:
            error(term.line, _("'{term}' is already in the glossary (line {line})").format(term=term.term,
                                                                                          line=seen[key]),
                  _("keep one entry per Vietnamese term"))
            continue
        seen[key] = term.line
        terms.append(term)
    return Glossary(locale, rel, tuple(terms), tuple(problems))


def _parse_term(item, index: int, locale: str, error) -> Term | None:
    where = f"terms[{index}]"
    if not isinstance(item, Map):
        error(item.line, _("{where}: must be a mapping (term: …, translation: …)").format(where=where))
        return None
    for key in item.items:
        if key not in TERM_KEYS:
            error(item.key_lines[key], _("{where}: unknown key '{key}'").format(where=where, key=key),
                  _("known keys: {keys}").format(keys=", ".join(TERM_KEYS)))

    def scalar(key: str) -> str:
        node = item.get(key)
        if node is None:
            return ""
        if not isinstance(node, Scalar):
            error(node.line, _("{where}.{key}: must be a single value").format(where=where, key=key))
            return ""
        return node.value.strip()

    term = canonical_text(scalar("term"), "vi")
    if not term:
        error(item.line, _("{where}: missing 'term' (the Vietnamese word)").format(where=where))
        return None
    forbidden_node = item.get("forbidden")
    forbidden: tuple[str, ...] = ()
    if isinstance(forbidden_node, Seq):
        forbidden = tuple(canonical_text(n.value.strip(), locale) for n in forbidden_node.items
                          if isinstance(n, Scalar) and n.value.strip())
    elif isinstance(forbidden_node, Scalar) and forbidden_node.value.strip():
        forbidden = (canonical_text(forbidden_node.value.strip(), locale),)
    kind = scalar("kind") or "term"
    if kind not in KINDS:
        error(item.get("kind").line, _("{where}.kind: '{value}' is not term or name").format(where=where, value=kind))
        kind = "term"
    return Term(term, canonical_text(scalar("translation"), locale), scalar("notes"), forbidden, kind, item.line)
