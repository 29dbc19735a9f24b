"""The per-locale glossary (termbase): ``locales/<code>/glossary.yaml``.

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

The glossary is seeded from the audiences' terms (:func:`seed_glossary`), shown in the
handoff files and in PO extracted comments (``#. glossary: buôn → buôn``), checked
(``glossary-term``, in :mod:`mobcontent.checks`) and exported as TBX for Weblate.
"""
from __future__ import annotations

import functools
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path

from .. import po as _po
from ..bundle import write_atomic
from ..canonical import canonical_text
from ..errors import ContentError, Problem
from ..i18n import _
from ..model import DIMENSIONS, Project
from ..yamlio import Map, Scalar, Seq, read_yaml

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
        """The terms that occur in ``text`` as whole words (case-insensitive), longest first.

        >>> g = Glossary("rad", "", (Term("buôn"), Term("già làng"), Term("buôn làng")))
        >>> [t.term for t in g.terms_in("Bà con buôn làng và già làng")]
        ['buôn làng', 'già làng']
        """
        if not self.terms:
            return []
        found, taken = [], []
        folded = _fold(text)
        for term in sorted(self.terms, key=lambda t: -len(t.term)):
            for match in _word_re(_fold(term.term)).finditer(folded):
                span = match.span()
                if any(a < span[1] and span[0] < b for a, b in taken):
                    continue
                taken.append(span)
                found.append(term)
                break
        return found

    def names(self) -> list[str]:
        return [t.term for t in self.terms if t.kind == "name"]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


@functools.lru_cache(maxsize=4096)
def _word_re(word: str) -> re.Pattern:
    return re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])")


def contains_word(text: str, word: str) -> bool:
    """``word`` occurs in ``text`` as a whole word, ignoring case.

    >>> contains_word("Bà con Buôn làng", "buôn"), contains_word("buônx", "buôn")
    (True, False)
    """
    return bool(word) and _word_re(_fold(word)).search(_fold(text)) is not None


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
        key = _fold(term.term)
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


# --------------------------------------------------------------------------- seeding

def seed_terms(project: Project, locale: str) -> list[Term]:
    """Terms from the audiences: the terms of every profile that reads ``locale`` (or of
    every profile, if none says), and profile names and zone names as ``name`` entries.
    A translation is filled only from ``audiences.po`` where it is translated and not
    fuzzy: nothing is invented."""
    translated = _audience_translations(project, locale)
    readers = [(dim, pid, p) for dim in DIMENSIONS for pid, p in project.audiences.profiles(dim).items()]
    chosen = [r for r in readers if locale in r[2].locales] or readers
    out: dict[str, Term] = {}
    for dim, pid, profile in chosen:
        for key, value in profile.terms.items():
            if value and len(value.split()) <= 4:  # words, not greetings or sentences
                out.setdefault(_fold(value), Term(value, translated.get(f"{dim}.{pid}.terms.{key}", ""),
                                                  f"term '{key}' of {dim}.{pid} (shown as {{{key}}})"))
    for dim, pid, profile in readers:
        if dim == "religion":
            continue
        names = [profile.name] + ([profile.fields["province"]] if profile.fields.get("province") else [])
        for name in names:
            bare = re.sub(r"^(?:xã|phường|thị trấn|tỉnh)\s+", "", name)
            if bare and not _fold(bare) in out:
                out[_fold(bare)] = Term(bare, "", f"a name ({dim}.{pid})", (), "name")
    return list(out.values())


def _audience_translations(project: Project, locale: str) -> dict[str, str]:
    rel = f"locales/{locale}/LC_MESSAGES/audiences.po"
    path = project.root / rel
    try:
        po = _po.read_po(path.read_bytes(), rel) if path.is_file() else None
    except _po.PoError:
        return {}
    if po is None:
        return {}
    return {e.msgctxt: e.msgstr for e in po.entries
            if e.msgctxt and e.translated and not e.fuzzy and not e.obsolete}


def seed_glossary(project: Project, locale: str) -> tuple[str, int]:
    """The glossary file's new text with the seeded terms the file lacks appended (existing
    entries are never changed), and how many were added."""
    current = read_glossary(project, locale)
    if any(p.severity == "error" for p in current.problems):
        first = current.problems[0]
        raise ContentError(first.message, first.path, first.line, _("fix the glossary first"),
                           code="glossary-invalid")
    path = project.root / glossary_path(locale)
    text = path.read_text(encoding="utf-8-sig") if path.is_file() else _GLOSSARY_HEADER.format(locale=locale)
    have = {_fold(t.term) for t in current.terms}
    added = [t for t in seed_terms(project, locale) if _fold(t.term) not in have]
    if not added:
        return text, 0
    if "terms:" not in text:
        text = text.rstrip("\n") + "\nterms:\n"
    elif re.search(r"^terms:\s*\[\]\s*$", text, re.M):
        text = re.sub(r"^terms:\s*\[\]\s*$", "terms:", text, flags=re.M)
    lines = [text.rstrip("\n")]
    for term in added:
        lines.append(f"  - term: {_quote(term.term)}")
        if term.kind != "term":
            lines.append(f"    kind: {term.kind}")
        lines.append(f"    translation: {_quote(term.translation)}")
        if term.notes:
            lines.append(f"    notes: {_quote(term.notes)}")
    return "\n".join(lines) + "\n", len(added)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_GLOSSARY_HEADER = """\
# Glossary (termbase) of {locale}: the Vietnamese term, its approved translation, notes and
# forbidden variants. An empty translation means no translation is approved yet: a translator
# who knows the language fills it in. kind: name marks a proper name (kept as written).
# See docs/translators.md.
terms:
"""


# --------------------------------------------------------------------------- comments and TBX

def glossary_comments(glossary: Glossary, text: str) -> tuple[str, ...]:
    """``#.`` lines for the terms of ``text`` that have an approved translation or
    forbidden variants: ``glossary: buôn → buôn``."""
    return tuple(f"glossary: {t.describe()}" for t in glossary.terms_in(text) if t.translation or t.forbidden)


def with_glossary_comments(po: _po.PoFile, glossary: Glossary) -> _po.PoFile:
    """``po`` with each active entry's glossary comments replaced by the current ones."""
    if not glossary.terms and not any(c.startswith("glossary: ") for e in po.entries for c in e.extracted):
        return po
    entries = []
    for entry in po.entries:
        if not entry.obsolete:
            kept = tuple(c for c in entry.extracted if not c.startswith("glossary: "))
            entry = replace(entry, extracted=kept + glossary_comments(glossary, entry.msgid))
        entries.append(entry)
    return replace(po, entries=tuple(entries))


def glossary_tbx(glossary: Glossary, source_locale: str = "vi") -> bytes:
    """The glossary as TBX (ISO 30042 ``martif``), as Weblate imports it; forbidden
    variants are ``deprecatedTerm-admn-sts`` terms."""
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    root = ET.Element("martif", {"type": "TBX", xml_lang: source_locale})
    header = ET.SubElement(ET.SubElement(ET.SubElement(root, "martifHeader"), "fileDesc"), "sourceDesc")
    ET.SubElement(header, "p").text = f"mobcontent glossary {glossary.locale}"
    body = ET.SubElement(ET.SubElement(root, "text"), "body")
    for number, term in enumerate(glossary.terms, start=1):
        entry = ET.SubElement(body, "termEntry", {"id": f"t{number}"})
        if term.notes:
            ET.SubElement(entry, "descrip", {"type": "definition"}).text = term.notes
        source = ET.SubElement(entry, "langSet", {xml_lang: source_locale})
        tig = ET.SubElement(source, "tig")
        ET.SubElement(tig, "term").text = term.term
        if term.kind == "name":
            ET.SubElement(tig, "termNote", {"type": "termType"}).text = "properNoun"
        if term.translation or term.forbidden:
            target = ET.SubElement(entry, "langSet", {xml_lang: glossary.locale})
            if term.translation:
                ET.SubElement(ET.SubElement(target, "tig"), "term").text = term.translation
            for word in term.forbidden:
                tig = ET.SubElement(target, "tig")
                ET.SubElement(tig, "term").text = word
                ET.SubElement(tig, "termNote", {"type": "administrativeStatus"}).text = "deprecatedTerm-admn-sts"
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def write_glossary_tbx(project: Project, locale: str, target: Path) -> int:
    """Write the TBX file; return the number of terms."""
    glossary = read_glossary(project, locale)
    write_atomic(Path(target), glossary_tbx(glossary, project.config.source_locale))
    return len(glossary.terms)
