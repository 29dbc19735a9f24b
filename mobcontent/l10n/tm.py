"""Translation memory: ``update`` fills new text from the project's own translations;
``tm export`` / ``tm import`` share the memory as TMX (Weblate, OmegaT) or PO compendia.

For an entry with no translation, :meth:`Memory.suggest` offers, in this order:

1. the same source text translated (and reviewed) in another file of the locale: used
   as a *translated* entry, with a translator comment naming where it comes from;
2. a source that differs only in audience terms (``buôn`` / ``bon`` / ``{village}``):
   fuzzy; a match translated for the same ethnic group wins;
3. the closest source above the threshold (70%): fuzzy, with the match's source as
   ``#| msgid`` and a comment with the score.

Imported memory (``locales/<code>/memory.po``, written by ``tm import``) is searched
after the project's own translations and is always offered as fuzzy: text from outside
the project is printed only after a translator reviewed it.
"""
from __future__ import annotations

import datetime as _dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path

from ..base.errors import ContentError
from ..base.files import write_atomic
from ..base.i18n import _
from ..base.model import DIMENSIONS, Project
from ..base.version import __version__
from ..content.settings import target_locales
from ..formats import po as _po

TM_COMMENT = "tm: "
MEMORY_FILE = "memory.po"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_MEMORY_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Suggestion:
    """A translation offered for a new entry: what it translated, the entry it comes
    from, whether that is the same file, whether it stays fuzzy, and the comment."""

    source: str
    entry: _po.Entry
    same_file: bool
    fuzzy: bool = True
    comment: str = ""


def audience_of(entry: _po.Entry) -> frozenset:
    """The ethnic groups an entry is for, from its ``#. audience:`` comment (empty: everyone).

    >>> sorted(audience_of(_po.Entry("x", extracted=("audience: ethnic=ede,mnong; zone=border",))))
    ['ede', 'mnong']
    """
    for comment in entry.extracted:
        if comment.startswith("audience: "):
            for part in comment[10:].split(";"):
                key, _eq, values = part.strip().partition("=")
                if key == "ethnic":
                    return frozenset(v.strip() for v in values.split(",") if v.strip())
    return frozenset()


def term_pattern(project: Project):
    """A function that replaces every audience term value in a text by its ``{name}``, so
    that variants written for different communities compare equal."""
    values: dict[str, str] = {}
    for dim in DIMENSIONS:
        for profile in project.audiences.profiles(dim).values():
            for key, value in profile.terms.items():
                if value and len(value) >= 2:
                    values.setdefault(value.casefold(), key)
    if not values:
        return lambda text: text
    pattern = re.compile(r"(?<![^\W_])(" + "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))
                         + r")(?![^\W_])", re.IGNORECASE)
    return lambda text: pattern.sub(lambda m: "{" + values[m.group(1).casefold()] + "}", text)


class Memory:
    """Every translation of one locale, indexed for exact, term-normalised and fuzzy lookup."""

    def __init__(self, existing: dict[str, _po.PoFile], canonical, normalise=lambda t: t,
                 imported: _po.PoFile | None = None, cutoff: float = 70.0):
        self.canonical = canonical
        self.normalise = normalise
        self.exact: dict[str, tuple[str, _po.Entry]] = {}
        self.by_norm: dict[str, list[tuple[str, _po.Entry]]] = {}
        self.index = _po.FuzzyIndex((), cutoff=cutoff)
        for domain, po in sorted(existing.items()):
            for entry in po.entries:
                self._add(domain, entry)
        if imported is not None:
            for entry in imported.entries:
                self._add(MEMORY_FILE, entry)

    def _add(self, domain: str, entry: _po.Entry) -> None:
        if not entry.translated or entry.msgid_plural is not None:
            return
        key = _po.canonical_key(entry, self.canonical)
        known = self.exact.get(key)
        if known is None or _rank(known) > _rank((domain, entry)):
            self.exact[key] = (domain, entry)
        text = self.canonical(entry.msgid)
        if entry.msgctxt is None:
            self.by_norm.setdefault(self.normalise(text), []).append((domain, entry))
        self.index.add(text, (domain, entry))

    def suggest(self, entry: _po.Entry, domain: str) -> Suggestion | None:
        """A translation for the new ``entry`` of ``domain``, or None."""
        key = _po.canonical_key(entry, self.canonical)
        if key in self.exact:
            where, found = self.exact[key]
            outside = where == MEMORY_FILE
            fuzzy = found.fuzzy or outside or where == domain
            comment = (_tm_line("exact match from imported memory") if outside else
                       _tm_line(f"same text translated in {where}") if where != domain else "")
            return Suggestion(found.msgid, found, where == domain, fuzzy, comment)
        text = self.canonical(entry.msgid)
        if entry.msgctxt is None:
            variants = [v for v in self.by_norm.get(self.normalise(text), ()) if v[1].msgctxt is None]
            if variants:
                wanted = audience_of(entry)
                where, found = min(variants, key=lambda v: (not (wanted & audience_of(v[1])), _rank(v)))
                groups = ",".join(sorted(audience_of(found))) or "everyone"
                return Suggestion(found.msgid, found, where == domain, True,
                                  _tm_line(f"same sentence with other audience terms, from {where} "
                                           f"(ethnic={groups})"))
        best = self.index.best(text, accept=lambda p: p[1].msgctxt == entry.msgctxt)
        if best is None:
            return None
        score, matched, (where, found) = best
        comment = _tm_line(f"{score:.0f}% match from {'imported memory' if where == MEMORY_FILE else where}")
        return Suggestion(found.msgid, found, where == domain, True, comment if where != domain else "")


def _rank(item: tuple[str, _po.Entry]) -> tuple:
    """Lower is better: reviewed before fuzzy, active before obsolete, the project before memory."""
    domain, entry = item
    return (entry.fuzzy, domain == MEMORY_FILE, entry.obsolete, domain)


def _tm_line(text: str) -> str:
    return TM_COMMENT + text


def with_tm_comment(comments: tuple[str, ...], comment: str) -> tuple[str, ...]:
    """Translator comments with any earlier ``tm:`` line replaced by ``comment``."""
    kept = tuple(c for c in comments if not c.startswith(TM_COMMENT))
    return kept + ((comment,) if comment else ())


def memory_path(locale: str) -> str:
    return f"locales/{locale}/{MEMORY_FILE}"


def read_memory(project: Project, locale: str) -> _po.PoFile | None:
    """The imported memory of ``locale`` (``locales/<code>/memory.po``), or None."""
    rel = memory_path(locale)
    path = project.root / rel
    if not path.is_file():
        return None
    return _po.read_po(path.read_bytes(), rel)


# --------------------------------------------------------------------------- TMX

def project_memory(project: Project, locale: str) -> list[tuple[str, _po.Entry]]:
    """``(domain, entry)`` for every reviewed translation of the locale, one per source."""
    base = project.root / "locales" / locale / "LC_MESSAGES"
    paths = sorted(base.glob("*.po")) + sorted(base.glob("messages/*.po")) if base.is_dir() else []
    seen, out = set(), []
    for path in paths:
        rel = path.relative_to(project.root).as_posix()
        domain = path.relative_to(base).as_posix()[:-3]
        for entry in _po.read_po(path.read_bytes(), rel).entries:
            if (entry.translated and not entry.fuzzy and not entry.obsolete and entry.msgid_plural is None
                    and (entry.key, entry.msgstr) not in seen):
                seen.add((entry.key, entry.msgstr))
                out.append((domain, entry))
    return out


def memory_tmx(items: list[tuple[str, _po.Entry]], source_locale: str, locale: str) -> bytes:
    """TMX 1.4b: one ``tu`` per translation, msgctxt and file as ``prop``s."""
    root = ET.Element("tmx", {"version": "1.4"})
    ET.SubElement(root, "header", {"creationtool": "mobcontent", "creationtoolversion": __version__,
                                   "segtype": "block", "o-tmf": "PO", "adminlang": "en",
                                   "srclang": source_locale, "datatype": "plaintext"})
    body = ET.SubElement(root, "body")
    for domain, entry in items:
        unit = ET.SubElement(body, "tu")
        ET.SubElement(unit, "prop", {"type": "x-file"}).text = domain
        if entry.msgctxt is not None:
            ET.SubElement(unit, "prop", {"type": "x-context"}).text = entry.msgctxt
        for lang, text in ((source_locale, entry.msgid), (locale, entry.msgstr)):
            ET.SubElement(ET.SubElement(unit, "tuv", {XML_LANG: lang}), "seg").text = text
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def export_memory(project: Project, locale: str, target: Path) -> int:
    """Write the locale's memory as TMX (or a PO compendium if ``target`` ends in .po)."""
    target_locales(project, locale)
    items = project_memory(project, locale)
    if str(target).endswith(".po"):
        data = _po.format_po(_compendium(locale, [e for _d, e in items])).encode("utf-8")
    else:
        data = memory_tmx(items, project.config.source_locale, locale)
    write_atomic(Path(target), data)
    return len(items)


def read_tmx(data: bytes, rel: str, source_locale: str, locale: str) -> list[_po.Entry]:
    """Translation units of a TMX file with a ``source_locale`` and a ``locale`` variant
    (``rad`` matches ``rad``, ``rad-VN``, ``RAD``)."""
    head = data[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data.upper():
        raise ContentError(_("the TMX file declares a DOCTYPE or entities, which are not read"), rel,
                           hint=_("export the memory again without a DOCTYPE"), code="tm-invalid")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ContentError(_("the TMX file is not well-formed XML: {error}").format(error=exc), rel,
                           exc.position[0], code="tm-invalid") from None
    if root.tag != "tmx":
        raise ContentError(_("this is not a TMX file (its root is <{tag}>)").format(tag=root.tag[:40]), rel,
                           code="tm-invalid")
    out = []
    for unit in root.iter("tu"):
        context = next((p.text for p in unit.findall("prop") if p.get("type") == "x-context"), None)
        texts = {}
        for variant in unit.findall("tuv"):
            lang = (variant.get(XML_LANG) or variant.get("lang") or "").lower().split("-")[0].split("_")[0]
            seg = variant.find("seg")
            if seg is not None:
                texts[lang] = "".join(seg.itertext())
        source, target = texts.get(source_locale.lower()), texts.get(locale.lower())
        if source and target:
            out.append(_po.Entry(msgid=source, msgstr=target, msgctxt=context))
    return out


def import_memory(project: Project, locale: str, path: Path) -> tuple[int, int]:
    """Add a TMX file's or PO compendium's translations to ``locales/<code>/memory.po``;
    return ``(added, already known)``. Existing memory is never changed."""
    target_locales(project, locale)
    rel = str(path)
    data = Path(path).read_bytes()
    if len(data) > MAX_MEMORY_BYTES:
        raise ContentError(_("the file is larger than {size} MB").format(size=MAX_MEMORY_BYTES // 2**20), rel,
                           code="tm-invalid")
    if data.lstrip()[:5] in (b"<?xml", b"<tmx ", b"<tmx>") or str(path).endswith(".tmx"):
        units = read_tmx(data, rel, project.config.source_locale, locale)
    else:
        units = [e for e in _po.read_po(data, rel).entries
                 if e.translated and not e.obsolete and e.msgid_plural is None]
    current = read_memory(project, locale)
    entries = list(current.entries) if current is not None else []
    known = {e.key for e in entries}
    added = 0
    for unit in units:
        if unit.key in known or not unit.msgid:
            continue
        known.add(unit.key)
        entries.append(replace(unit, flags=(), comments=(), extracted=(), references=(), previous_msgid=None,
                               previous_msgctxt=None, line=0, raw="", raw_strings=()))
        added += 1
    if added:
        po = _compendium(locale, entries, current)
        write_atomic(project.root / memory_path(locale), _po.format_po(po, current).encode("utf-8"))
    return added, len(units) - added


def _compendium(locale: str, entries: list[_po.Entry], current: _po.PoFile | None = None) -> _po.PoFile:
    if current is not None:
        return replace(current, entries=tuple(entries))
    fields = [("Project-Id-Version", "mobcontent translation memory"), ("Language", locale),
              ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=UTF-8"),
              ("Content-Transfer-Encoding", "8bit"), ("Plural-Forms", "nplurals=1; plural=0;"),
              ("X-Generator", f"mobcontent {__version__}"),
              ("PO-Revision-Date", _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M+0000"))]
    header = _po.Entry(msgid="", msgstr=_po.format_header(fields),
                       comments=("Translation memory (compendium) of " + locale + ": offered as fuzzy by "
                                 "'mobcontent update'.",))
    return _po.PoFile(header, tuple(entries), "")
