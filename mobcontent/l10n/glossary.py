"""The glossary in the translator's workflow: seeded from the audiences' terms
(:func:`seed_glossary`), shown in PO extracted comments (``#. glossary: buôn → buôn``)
and in the handoff files, exported as TBX for Weblate. The file format and its reader
are in :mod:`mobcontent.content.glossary`; the checks in :mod:`mobcontent.checks.glossary`.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

from ..base.errors import ContentError
from ..base.files import write_atomic
from ..base.i18n import _
from ..base.model import DIMENSIONS, Project
from ..content.settings import target_locales
from ..content.glossary import Glossary, Term, fold, glossary_path, read_glossary
from ..formats import po as _po

# --------------------------------------------------------------------------- seeding

def seed_terms(project: Project, locale: str) -> list[Term]:
    """Terms from the audiences: the terms of every profile that reads ``locale`` or names no
    locales (religions), and profile names and zone names as ``name`` entries.
    A translation is filled only from ``audiences.po`` where it is translated and not
    fuzzy: nothing is invented."""
    translated = _audience_translations(project, locale)
    readers = [(dim, pid, p) for dim in DIMENSIONS for pid, p in project.audiences.profiles(dim).items()]
    chosen = [r for r in readers if locale in r[2].locales or not r[2].locales]  # who reads it, and all-comers
    out: dict[str, Term] = {}
    for dim, pid, profile in chosen:
        for key, value in profile.terms.items():
            if value and len(value.split()) <= 4:  # words, not greetings or sentences
                out.setdefault(fold(value), Term(value, translated.get(f"{dim}.{pid}.terms.{key}", ""),
                                                  f"term '{key}' of {dim}.{pid} (shown as {{{key}}})"))
    for dim, pid, profile in readers:
        if dim == "religion":
            continue
        names = [profile.name] + ([profile.fields["province"]] if profile.fields.get("province") else [])
        for name in names:
            bare = re.sub(r"^(?:xã|phường|thị trấn|tỉnh)\s+", "", name)
            if bare and not fold(bare) in out:
                out[fold(bare)] = Term(bare, "", f"a name ({dim}.{pid})", (), "name")
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
    have = {fold(t.term) for t in current.terms}
    added = [t for t in seed_terms(project, locale) if fold(t.term) not in have]
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


def write_seeded_glossary(project: Project, locale: str) -> tuple[str, int]:
    """``mobcontent glossary seed``: add the seeded terms to the file (written atomically
    only if some were added); return its path and how many."""
    target_locales(project, locale)
    text, added = seed_glossary(project, locale)
    if added:
        write_atomic(project.root / glossary_path(locale), text.encode("utf-8"))
    return glossary_path(locale), added


def write_glossary_tbx(project: Project, locale: str, target: Path) -> int:
    """Write the TBX file; return the number of terms."""
    target_locales(project, locale)
    glossary = read_glossary(project, locale)
    write_atomic(Path(target), glossary_tbx(glossary, project.config.source_locale))
    return len(glossary.terms)
