"""The *translate* stage: split messages into blocks and look each one up.

One Python-Markdown extension does the splitting for extraction and for
rendering, so what a translator sees is exactly what gets printed: every
paragraph, heading, list item, table cell and block-quote paragraph is one
block; inline Markdown (``**bold**``, ``[link](url)``, ``{variable}``) stays in
the block's text as written. The extension runs before Python-Markdown's inline
stage, when each block element still holds its Markdown source.

The rest of the translator's workflow lives here too: :func:`project_templates`
and :func:`extract_project` (``mobcontent extract``), :func:`update_project`
(``mobcontent update``), :func:`read_catalog` (strict, canonical catalogs for a
build), :func:`project_stats` (``mobcontent stats``) and
:func:`translation_problems` (the checks ``mobcontent check`` runs on PO files).
PO files themselves are read and written by :mod:`mobcontent.po`.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import os
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from . import po as _po
from .canonical import canonical_text, find_fixes
from .errors import ContentError, Problem, UsageError
from .i18n import N_, _
from .locales import display_name, plural_forms
from .model import DIMENSIONS, Chunk, Message, Project
from .safety import SOURCE_ATTRIBUTE, LinkGuard
from .l10n import glossary as _glossary, tm as _tm  # issue 14: memory and glossary for update

PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([a-z][a-z0-9_]*)\}")
BLOCK_KINDS = {"p": "paragraph", "li": "list item", "td": "table cell", "th": "table header",
               **{f"h{i}": "heading" for i in range(1, 7)}}


@dataclass(frozen=True)
class Block:
    """One translatable unit: its kind, its normalized Markdown source, its line."""

    kind: str
    text: str
    line: int


@dataclass(frozen=True)
class Translation:
    """A catalog entry: the translated text, whether it is fuzzy, and where it is."""

    text: str
    fuzzy: bool = False
    path: str = ""
    line: int = 0


@dataclass(frozen=True)
class Text:
    """A text as it will be shown, with its state: ``source`` (the locale is the
    source language), ``translated``, ``fuzzy`` or ``missing`` (both fall back to
    the source text)."""

    source: str
    text: str
    state: str
    origin: str = ""  # path:line of the catalog entry or the message line

    @property
    def releasable(self) -> bool:
        return self.state in ("source", "translated")


@dataclass(frozen=True)
class TranslatedMessage:
    """A message with every block and its title looked up in one locale."""

    message: Message
    locale: str
    title: Text
    summary: Text | None
    texts: dict = field(default_factory=dict)  # block source -> Text


def normalize_block(text: str) -> str:
    """The block's Markdown with its lines joined: the form used as msgid.

    >>> normalize_block("Cột mốc là\\n   tài sản chung ")
    'Cột mốc là tài sản chung'
    """
    lines = [line.strip() for line in text.strip().split("\n")]
    return unicodedata.normalize("NFC", " ".join(line for line in lines if line))


class _BlockProcessor(Treeprocessor):
    """Hands each block's Markdown source to ``transform`` and keeps what it returns.

    ``transform`` returns the new Markdown source, or ``(source, attributes)``
    to also set HTML attributes on the block element (``lang``, a class).
    """

    def __init__(self, md, transform: Callable[[str, str], str]):
        super().__init__(md)
        self.transform = transform

    def run(self, root):
        parents = {child: parent for parent in root.iter() for child in parent}
        for element in root.iter():
            kind = BLOCK_KINDS.get(element.tag)
            if kind is None or not (element.text or "").strip():
                continue
            if kind == "paragraph" and parents.get(element) is not None and parents[element].tag == "blockquote":
                kind = "block quote"
            source = normalize_block(element.text)
            result = self.transform(kind, source)
            text, attributes = result if isinstance(result, tuple) else (result, {})
            element.text = text
            element.set(SOURCE_ATTRIBUTE, source)  # for the link guard; it removes the attribute
            for name, value in attributes.items():
                element.set(name, value)


class BlockExtension(Extension):
    """Python-Markdown extension: route every block through ``transform(kind, text)``.

    Raw HTML is never passed through: its preprocessors are removed, so ``<b>``
    prints as the characters ``<b>``.
    """

    def __init__(self, transform: Callable[[str, str], str], **kwargs):
        self.transform = transform
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_BlockProcessor(md, self.transform), "mobcontent-blocks", 30)


def make_markdown(transform: Callable[[str, str], str], assets=None) -> markdown.Markdown:
    """The one Markdown parser used to extract and to render.

    Link and image targets are checked after the inline stage (:mod:`mobcontent.safety`):
    refused ones are removed and listed in ``md.mc_blocked``; images in ``assets`` are
    rewritten to their file URI.
    """
    md = markdown.Markdown(extensions=["tables", "sane_lists", BlockExtension(transform)])
    md.treeprocessors.register(LinkGuard(md, assets), "mobcontent-links", 5)  # after inline (20)
    return md


def segment(chunk: Chunk) -> list[Block]:
    """The blocks of a chunk, in order, each with its line in the message file.

    Memoized: extraction, checks and every leaflet that carries a message ask for
    the same chunks, and parsing is the costly part.
    """
    return list(_segment(chunk))


@functools.lru_cache(maxsize=8192)
def _segment(chunk: Chunk) -> tuple[Block, ...]:
    found: list[tuple[str, str]] = []

    def collect(kind: str, text: str) -> str:
        found.append((kind, text))
        return text

    make_markdown(collect).convert(chunk.text)
    lines = chunk.text.split("\n")
    blocks, cursor = [], 0
    for kind, text in found:
        cursor = _find_line(lines, text, cursor)
        blocks.append(Block(kind, text, chunk.line + cursor))
    return tuple(blocks)


def _find_line(lines: list[str], text: str, cursor: int) -> int:
    """Index of the first line at or after ``cursor`` holding the start of ``text``."""
    probe = text.split(" ")[0][:30] if text else ""
    words = " ".join(text.split(" ")[:3])
    for needle in (text[:25], words, probe):
        for index in range(cursor, len(lines)):
            if needle and needle in " ".join(lines[index].split()):
                return index
    return cursor


def message_blocks(message: Message) -> list[tuple[Block, Chunk]]:
    """Every block of a message with the chunk (and so the conditions) it is in."""
    return [(block, chunk) for chunk in message.chunks for block in segment(chunk)]


def lookup(catalog: dict, source: str, origin: str = "", is_source_locale: bool = False,
           context: str | None = None) -> Text:
    """Find ``source`` (under ``context``) in ``catalog``; fall back to the source text.

    A fuzzy translation is not used: the text falls back to the source, in state
    ``fuzzy``, so a draft build shows what the reader would get once it is
    reviewed. Text without letters (a phone number) needs no translation.

    >>> lookup({"a": Translation("b")}, "a").text, lookup({}, "a").state
    ('b', 'missing')
    >>> lookup({"a": Translation("b", fuzzy=True)}, "a").text, lookup({}, "113").state
    ('a', 'translated')
    """
    if is_source_locale:
        return Text(source, source, "source", origin)
    entry = catalog.get(context_key(context, source))
    if entry is None or not entry.text:
        if not needs_translation(source):
            return Text(source, source, "translated", origin)
        return Text(source, source, "missing", origin)
    where = f"{entry.path}:{entry.line}" if entry.path else origin
    if entry.fuzzy:
        return Text(source, source, "fuzzy", where)
    return Text(source, entry.text, "translated", where)


def needs_translation(text: str) -> bool:
    """Whether ``text`` has a letter outside ``{placeholders}`` (a bare number does not).

    >>> needs_translation("113"), needs_translation("{hotline}"), needs_translation("Gọi 113")
    (False, False, True)
    """
    return any(c.isalpha() for c in PLACEHOLDER_RE.sub("", text))


def translate_message(message: Message, catalog: dict, locale: str, source_locale: str) -> TranslatedMessage:
    """Look up the title, summary and every block of ``message`` in ``catalog``."""
    own = locale == source_locale
    texts = {}
    for block, _chunk in message_blocks(message):
        texts.setdefault(block.text, lookup(catalog, block.text, f"{message.path}:{block.line}", own))
    title = lookup(catalog, message.title, f"{message.path}:{message.title_line}", own)
    summary = (lookup(catalog, message.summary, f"{message.path}:{message.summary_line}", own)
               if message.summary else None)
    return TranslatedMessage(message, locale, title, summary, texts)


def context_key(context: str | None, msgid: str) -> str:
    """Catalog key of an entry: gettext's ``ctxt\\x04msgid``, or the msgid alone."""
    return f"{context}\x04{msgid}" if context else msgid


def catalog_path(root, locale: str, domain: str):
    """``locales/<code>/LC_MESSAGES/<domain>.po`` (domain ``messages/<slug>`` for a message)."""
    return root / "locales" / locale / "LC_MESSAGES" / f"{domain}.po"




# --------------------------------------------------------------------------- catalogs for a build

def read_catalog(path, rel: str, locale: str | None = None, source_locale: str = "vi",
                 tone_style: str = "keep") -> dict:
    """Read a PO file strictly into ``{key: Translation}``; an absent file is an empty catalog.

    Keys and translations are canonical text (see :mod:`mobcontent.canonical`), so an
    NFD msgid still finds its NFC source. Obsolete and header entries are left out.
    Raises :class:`~mobcontent.po.PoError` (``path:line``) for a file that cannot be read.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return {}
    if not path.is_file():
        return {}
    return dict(_read_catalog(str(path), stat.st_size, stat.st_mtime_ns, rel, locale, source_locale, tone_style))


@functools.lru_cache(maxsize=4096)
def _read_catalog(path: str, size: int, mtime_ns: int, rel: str, locale, source_locale: str,
                  tone_style: str) -> tuple:
    """A catalog read once per process while the file is unchanged (size and mtime)."""
    po = _po.read_po(Path(path).read_bytes(), rel)
    out = {}
    for entry in po.entries:
        if entry.obsolete or entry.msgid_plural is not None:
            continue
        msgid = canonical_text(entry.msgid, source_locale, tone_style)
        key = context_key(entry.msgctxt, msgid)
        out[key] = Translation(canonical_text(entry.msgstr, locale), entry.fuzzy, rel, entry.line)
    return tuple(out.items())


# --------------------------------------------------------------------------- templates (extract)

TEMPLATE_DIR = "locales/templates"
VARIABLE_MEANINGS = {
    "ethnic_name": "the name of the reader's ethnic group",
    "religion_name": "the name of the reader's religion",
    "zone_name": "the name of the reader's commune or zone",
    "province": "the zone's province",
    "border_post": "the zone's border post",
    "hotline": "the zone's hotline (a phone number)",
    "office": "the zone's office to contact",
    "greeting": "the community's greeting",
    "signoff": "the community's closing wish",
}


def project_templates(project: Project) -> dict[str, _po.PoFile]:
    """Every template of the project: ``{domain: PoFile}`` with domains
    ``messages/<slug>``, ``audiences``, ``leaflets`` and ``layouts``."""
    out = {f"messages/{slug}": message_template(project, message) for slug, message in project.messages.items()}
    out["audiences"] = _template(project, "audiences", audience_entries(project))
    out["leaflets"] = _template(project, "leaflets", leaflet_entries(project))
    out["layouts"] = _template(project, "layouts", layout_entries())
    return out


def message_template(project: Project, message: Message) -> _po.PoFile:
    """A message's template: its title, summary and blocks, identical blocks merged."""
    audience = "; ".join(f"{dim}={','.join(v)}" for dim, v in message.audience.items()) or "everyone"
    found: dict[str, dict] = {}

    def add(text: str, kind: str, line: int, conditions: tuple) -> None:
        if not text or not needs_translation(text):
            return
        item = found.setdefault(text, {"kinds": [], "refs": [], "shown": []})
        item["kinds"].append(kind)
        item["refs"].append(f"{message.path}:{line}")
        item["shown"].append(" and ".join(c.describe() for c in conditions) or "always")

    add(message.title, "title of the message", message.title_line, ())
    if message.summary:
        add(message.summary, "summary of the message", message.summary_line, ())
    for block, chunk in message_blocks(message):
        add(block.text, block.kind, block.line, chunk.conditions)
    entries = []
    for text, item in found.items():
        comments = [", ".join(dict.fromkeys(item["kinds"])), f"audience: {audience}"]
        shown = list(dict.fromkeys(item["shown"]))
        if shown != ["always"]:
            comments.append("shown: " + "; ".join(shown))
        comments += variable_comments(project, text, message.audience)
        entries.append(_po.Entry(msgid=text, extracted=tuple(comments), references=tuple(item["refs"]),
                                 flags=_format_flags(text)))
    return _template(project, f"messages/{message.slug}", entries, f"the message “{message.title}”")


def variable_comments(project: Project, text: str, audience: dict) -> list[str]:
    """One ``#.`` line per ``{variable}`` in ``text``: what it means, with examples."""
    names = list(dict.fromkeys(m.group(1) for m in PLACEHOLDER_RE.finditer(text) if m.group(1)))
    if not names:
        return []
    lines = ["keep each {name} exactly as written: it is replaced after translation"]
    for name in names:
        examples = _variable_examples(project, name, audience)
        meaning = VARIABLE_MEANINGS.get(name, f"the term '{name}' of the reader's community")
        lines.append(f"{{{name}}} = {meaning}" + (f", e.g. {examples}" if examples else ""))
    return lines


def _variable_examples(project: Project, name: str, audience: dict) -> str:
    from .audience import expand_values
    shown = []
    for dim in DIMENSIONS:
        wanted = audience.get(dim)
        allowed = expand_values(dim, wanted, project.audiences) if wanted else None
        for pid, profile in project.audiences.profiles(dim).items():
            if allowed is not None and pid not in allowed:
                continue
            value = (profile.name if name == f"{dim}_name" else profile.terms.get(name)
                     or profile.fields.get(name))
            if value:
                shown.append(f"“{value}” ({dim}.{pid})")
    return ", ".join(shown[:4]) + (", …" if len(shown) > 4 else "")


def audience_entries(project: Project) -> list[_po.Entry]:
    """Profile names, terms and zone fields, with the msgctxt ``adapt`` looks them up by."""
    from .adapt import ZONE_VARIABLES
    entries = []
    for dim in DIMENSIONS:
        for pid, profile in project.audiences.profiles(dim).items():
            pairs = [("name", profile.name, f"name of the {dim} profile '{pid}' (shown as {{{dim}_name}})")]
            pairs += [(f"terms.{key}", value, f"term '{key}' of {dim}.{pid} (shown as {{{key}}})")
                      for key, value in profile.terms.items()]
            pairs += [(key, profile.fields[key], f"{key} of zone '{pid}' (shown as {{{key}}})")
                      for key in ZONE_VARIABLES if key in profile.fields]
            for key, value, meaning in pairs:
                if not value or not needs_translation(value):
                    continue
                entries.append(_po.Entry(msgid=value, msgctxt=f"{dim}.{pid}.{key}", extracted=(meaning,),
                                         references=(f"{project.audiences.path}:{profile.line}",)))
    return entries


def leaflet_entries(project: Project) -> list[_po.Entry]:
    """Leaflet titles and taglines, and the project's issuer."""
    entries = []
    if project.config.issuer:
        entries.append(_po.Entry(msgid=project.config.issuer, msgctxt="project.issuer",
                                 extracted=("the issuing office, printed on every leaflet",),
                                 references=(f"{project.config.path}:1",)))
    for slug, leaflet in project.leaflets.items():
        for key, value, line in (("title", leaflet.title, leaflet.title_line),
                                 ("tagline", leaflet.tagline, leaflet.tagline_line)):
            if value and needs_translation(value):
                entries.append(_po.Entry(msgid=value, msgctxt=f"leaflet.{slug}.{key}",
                                         extracted=(f"{key} of the leaflet '{slug}'",),
                                         references=(f"{leaflet.path}:{line}",), flags=_format_flags(value)))
    return entries


def layout_entries() -> list[_po.Entry]:
    """The fixed strings every layout prints (``build.LAYOUT_STRINGS``)."""
    from .build import LAYOUT_STRINGS
    return [_po.Entry(msgid=text, msgctxt=f"layout.{key}",
                      extracted=(f"layout string '{key}'" + (": the mark on every page of a draft leaflet"
                                                             if key == "draft" else ""),))
            for key, text in LAYOUT_STRINGS.items() if needs_translation(text)]


def _format_flags(text: str) -> tuple[str, ...]:
    return ("python-brace-format",) if any(m.group(1) for m in PLACEHOLDER_RE.finditer(text)) else ()


def _template(project: Project, domain: str, entries: list[_po.Entry], what: str = "") -> _po.PoFile:
    from . import __version__
    fields = [("Project-Id-Version", f"{project.config.name} {domain}"), ("Report-Msgid-Bugs-To", ""),
              ("POT-Creation-Date", "YEAR-MO-DA HO:MI+ZONE"), ("PO-Revision-Date", "YEAR-MO-DA HO:MI+ZONE"),
              ("Last-Translator", ""), ("Language-Team", ""), ("Language", ""), ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=UTF-8"),
              ("Content-Transfer-Encoding", "8bit"), ("X-Generator", f"mobcontent {__version__}")]
    comments = (f"Translation template for {what or domain} ({project.config.name}).",
                "Generated by 'mobcontent extract': do not edit; translate the PO files made by "
                "'mobcontent update'.")
    header = _po.Entry(msgid="", msgstr=_po.format_header(fields), comments=comments, flags=("fuzzy",))
    merged: dict[str, _po.Entry] = {}
    for entry in entries:  # identical (msgctxt, msgid) share one entry
        if entry.key in merged:
            first = merged[entry.key]
            entry = replace(first, references=tuple(dict.fromkeys(first.references + entry.references)),
                            extracted=tuple(dict.fromkeys(first.extracted + entry.extracted)))
        merged[entry.key] = entry
    return _po.PoFile(header, tuple(merged.values()), f"{TEMPLATE_DIR}/{domain}.pot")


ACTIONS = {"created": N_("created"), "updated": N_("updated"), "unchanged": N_("unchanged"),
           "removed": N_("removed"), "skipped": N_("skipped")}
COUNTED = {"new": N_("{count} new"), "fuzzy": N_("{count} fuzzy"), "obsolete": N_("{count} obsolete"),
           "revived": N_("{count} revived"), "missing": N_("{count} missing"),
           "filled": N_("{count} from memory")}


@dataclass(frozen=True)
class FileReport:
    """What one command did to one file (the paths and counts a user sees, the
    words in the interface language)."""

    path: str
    action: str  # "created", "updated", "unchanged", "removed", "skipped"
    new: int = 0
    fuzzy: int = 0
    obsolete: int = 0
    revived: int = 0
    filled: int = 0  # translated from the same text elsewhere in the locale (translation memory)

    def describe(self) -> str:
        counts = [_(COUNTED[what]).format(count=n) for n, what in ((self.new, "new"), (self.fuzzy, "fuzzy"),
                                                                   (self.filled, "filled"),
                                                                   (self.obsolete, "obsolete"),
                                                                   (self.revived, "revived")) if n]
        return f"{self.path}: {_(ACTIONS.get(self.action, self.action))}" + (
            f" ({', '.join(counts)})" if counts else "")


@dataclass
class Report:
    """Files written or left alone, and problems (a file that could not be read is skipped)."""

    files: list[FileReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> list[FileReport]:
        return [f for f in self.files if f.action not in ("unchanged",)]


def extract_project(project: Project, now: str | None = None) -> Report:
    """Write ``locales/templates/**.pot``. A template whose entries did not change is not
    rewritten (so its ``POT-Creation-Date`` stays); templates of deleted messages go."""
    from .bundle import write_atomic
    report = Report()
    root = project.root
    templates = project_templates(project)
    for domain, template in templates.items():
        rel = f"{TEMPLATE_DIR}/{domain}.pot"
        path = root / rel
        old = None
        if path.is_file():
            try:
                old = _po.read_po(path.read_bytes(), rel)
            except _po.PoError:
                old = None  # a generated file: a broken one is simply replaced
        if old is not None and old.entries == template.entries and _same_header(old, template):
            report.files.append(FileReport(rel, "unchanged"))
            continue
        date = now or creation_date()
        stamped = _po.with_fields(template, {"POT-Creation-Date": date, "PO-Revision-Date": date})
        write_atomic(path, _po.format_po(stamped).encode("utf-8"))
        report.files.append(FileReport(rel, "updated" if old is not None else "created", new=len(template.entries)))
    stale_dir = root / TEMPLATE_DIR / "messages"
    if stale_dir.is_dir():
        for path in sorted(stale_dir.glob("*.pot")):
            if f"messages/{path.stem}" not in templates:
                path.unlink()
                report.files.append(FileReport(path.relative_to(root).as_posix(), "removed"))
    return report


def _same_header(old: _po.PoFile, new: _po.PoFile) -> bool:
    drop = {"pot-creation-date", "po-revision-date"}
    return ([f for f in old.fields if f[0].lower() not in drop] == [f for f in new.fields if f[0].lower() not in drop]
            and old.header.comments == new.header.comments)


def creation_date() -> str:
    """Now (or ``SOURCE_DATE_EPOCH``) as gettext writes dates: ``2026-11-26 23:24+0000``."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (_dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc) if epoch and epoch.isdigit()
              else _dt.datetime.now(_dt.timezone.utc))
    return moment.strftime("%Y-%m-%d %H:%M+0000")


# --------------------------------------------------------------------------- update

def read_templates(root: Path) -> dict[str, _po.PoFile]:
    """The templates ``extract`` wrote, by domain; a usage error if there are none."""
    base = root / TEMPLATE_DIR
    paths = sorted(base.glob("*.pot")) + sorted(base.glob("messages/*.pot")) if base.is_dir() else []
    if not paths:
        raise UsageError(_("no templates in {folder}").format(folder=f"{TEMPLATE_DIR}/"),
                         hint=_("run 'mobcontent extract' first"))
    out = {}
    for path in paths:
        rel = path.relative_to(root).as_posix()
        out[rel[len(TEMPLATE_DIR) + 1:-4]] = _po.read_po(path.read_bytes(), rel)
    return out


def target_locales(project: Project, only: str | None = None) -> list[str]:
    """The locales that get PO files: every project locale but the source one."""
    codes = [c for c in project.config.locales if c != project.config.source_locale]
    if only is not None:
        if only not in codes:
            raise UsageError(_("'{code}' is not a translated locale of this project").format(code=only),
                             hint=_("use one of: {values}").format(
                                 values=", ".join(codes) or _("(none: add locales to mobcontent.yaml)")))
        return [only]
    return codes


def update_project(project: Project, only_locale: str | None = None, templates: dict | None = None) -> Report:
    """Merge the templates into every locale's PO files (``mobcontent update``).

    Creates missing files with a correct header, keeps every translation (changed
    source → fuzzy with ``#| msgid``; removed → obsolete ``#~``), suggests translations
    from the whole locale for new text, and writes only files that changed, atomically.
    A PO file that cannot be read is reported and left untouched.
    """
    report = Report()
    templates = templates if templates is not None else read_templates(project.root)
    for code in target_locales(project, only_locale):
        _update_locale(project, code, templates, report)
    return report


def _update_locale(project: Project, code: str, templates: dict, report: Report) -> None:
    from .bundle import write_atomic
    root = project.root
    base = root / "locales" / code / "LC_MESSAGES"
    source, tone = project.config.source_locale, project.config.vi_tone_style

    def canonical(text: str) -> str:
        return canonical_text(text, source, tone)

    existing: dict[str, _po.PoFile] = {}
    broken: set[str] = set()
    paths = sorted(base.glob("*.po")) + sorted(base.glob("messages/*.po")) if base.is_dir() else []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        domain = path.relative_to(base).as_posix()[:-3]
        try:
            existing[domain] = _po.read_po(path.read_bytes(), rel)
            report.problems.extend(existing[domain].warnings)
        except _po.PoError as exc:
            broken.add(domain)
            report.problems.append(exc.problem())
            report.files.append(FileReport(rel, "skipped"))
    # issue 14: translation memory and glossary comments (mobcontent/l10n/)
    memory = _tm.Memory(existing, canonical, _tm.term_pattern(project), _read_memory(project, code, report))
    glossary = _glossary.read_glossary(project, code)
    locale = project.locales.get(code)
    for domain, template in templates.items():
        if domain in broken:
            continue
        rel = f"locales/{code}/LC_MESSAGES/{domain}.po"
        old = existing.get(domain)

        def suggest(entry, domain=domain):
            found = memory.suggest(entry, domain)
            return None if found is None else (found.source, found.entry, found.same_file, found.fuzzy,
                                               found.comment)

        fields = _header_fields(template, code, locale)
        if old is None:
            fields.update({"PO-Revision-Date": template.field("POT-Creation-Date") or creation_date(),
                           "Language-Team": locale.name if locale is not None else code})
        merged, counts = _po.merge_po(template, old, fields, suggest, canonical)
        if old is None:
            merged = replace(merged, header=replace(merged.header, comments=_new_header_comments(project, code, domain)))
        merged = _glossary.with_glossary_comments(merged, glossary)
        if old is not None and merged == old:
            report.files.append(FileReport(rel, "unchanged"))
            continue
        write_atomic(root / rel, _po.format_po(merged, old).encode("utf-8"))
        report.files.append(FileReport(rel, "created" if old is None else "updated", counts.new, counts.fuzzy,
                                       counts.obsolete, counts.revived, counts.filled))
    for domain, old in existing.items():
        if domain in templates:
            continue
        rel = f"locales/{code}/LC_MESSAGES/{domain}.po"
        empty = _po.PoFile(old.header, (), old.path)
        merged, counts = _po.merge_po(empty, old, {}, None, canonical)
        if not any(e.translated for e in merged.entries):
            (root / rel).unlink()
            report.files.append(FileReport(rel, "removed"))
        elif merged != old:
            write_atomic(root / rel, _po.format_po(merged, old).encode("utf-8"))
            report.files.append(FileReport(rel, "updated", obsolete=counts.obsolete))
        else:
            report.files.append(FileReport(rel, "unchanged"))


def _read_memory(project: Project, code: str, report: Report):
    """The locale's imported memory (``tm import``); a broken one is reported and ignored."""
    try:
        return _tm.read_memory(project, code)
    except _po.PoError as exc:
        report.problems.append(replace(exc.problem(), severity="warning"))
        return None


def _header_fields(template: _po.PoFile, code: str, locale) -> dict[str, str]:
    fields = {"Project-Id-Version": template.field("Project-Id-Version") or "",
              "POT-Creation-Date": template.field("POT-Creation-Date") or "",
              "Language": code, "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
              "Content-Transfer-Encoding": "8bit",
              "Plural-Forms": plural_forms(code, {code: locale} if locale is not None else {})}
    return fields


def _new_header_comments(project: Project, code: str, domain: str) -> tuple[str, ...]:
    name = display_name(code, project.locales)
    return (f"{name} translation of {domain} ({project.config.name}).",
            "Translate in Poedit, Weblate, Lokalize or a text editor; see docs/translators.md.")


# --------------------------------------------------------------------------- stats

STATES = ("translated", "fuzzy", "untranslated", "obsolete")


def po_counts(po: _po.PoFile) -> dict:
    """Entries and source words per state in one PO file."""
    entries = dict.fromkeys(STATES, 0)
    words = dict.fromkeys(STATES, 0)
    for entry in po.entries:
        state = ("obsolete" if entry.obsolete else "fuzzy" if entry.fuzzy and entry.translated
                 else "translated" if entry.translated else "untranslated")
        entries[state] += 1
        words[state] += len(PLACEHOLDER_RE.sub(" ", entry.msgid).split())
    return {"entries": entries, "words": words}


def project_stats(project: Project) -> dict:
    """``mobcontent stats``: per locale (and file) and per leaflet, what is translated."""
    locales = {}
    for code in target_locales(project):
        base = project.root / "locales" / code / "LC_MESSAGES"
        total = {"entries": dict.fromkeys(STATES, 0), "words": dict.fromkeys(STATES, 0)}
        files = []
        paths = sorted(base.glob("*.po")) + sorted(base.glob("messages/*.po")) if base.is_dir() else []
        for path in paths:
            rel = path.relative_to(project.root).as_posix()
            try:
                counts = po_counts(_po.read_po(path.read_bytes(), rel))
            except _po.PoError as exc:
                files.append({"path": rel, "error": str(exc)})
                continue
            files.append({"path": rel, **counts})
            for part in ("entries", "words"):
                for state in STATES:
                    total[part][state] += counts[part][state]
        locales[code] = {**total, "files": files}
    return {"locales": locales, "leaflets": [leaflet_stats(project, slug, code)
                                             for slug, leaflet in project.leaflets.items()
                                             for code in leaflet.locales if code != project.config.source_locale]}


def leaflet_stats(project: Project, slug: str, code: str) -> dict:
    """What one leaflet in one locale shows, by state, and what it needs to be releasable."""
    from .adapt import adapt_message, audience_variables
    from .audience import leaflet_messages
    from .build import LAYOUT_STRINGS
    leaflet = project.leaflets[slug]
    counts = {"entries": dict.fromkeys(("translated", "fuzzy", "missing"), 0),
              "words": dict.fromkeys(("translated", "fuzzy", "missing"), 0)}
    needs: dict[str, dict] = {}
    problems = []

    def count(text: Text) -> None:
        state = "translated" if text.state in ("translated", "source") else text.state
        counts["entries"][state] += 1
        counts["words"][state] += len(PLACEHOLDER_RE.sub(" ", text.source).split())
        if state != "translated":
            where = text.origin.rsplit(":", 1)[0] if text.origin else "?"
            needs.setdefault(where, {"fuzzy": 0, "missing": 0})[state] += 1

    def catalog(domain: str) -> dict:
        rel = f"locales/{code}/LC_MESSAGES/{domain}.po"
        try:
            return read_catalog(project.root / rel, rel, code, project.config.source_locale,
                                project.config.vi_tone_style)
        except _po.PoError as exc:
            problems.append(str(exc))
            return {}

    def missing_origin(domain: str, text: Text) -> Text:
        if text.state == "missing":
            return replace(text, origin=f"locales/{code}/LC_MESSAGES/{domain}.po:0")
        return text

    source = project.config.source_locale
    try:
        variables = audience_variables(leaflet.audience, project.audiences, catalog("audiences"), False)
        for message in leaflet_messages(project, leaflet):
            domain = f"messages/{message.slug}"
            translated = translate_message(message, catalog(domain), code, source)
            adapted = adapt_message(translated, leaflet.audience, project.audiences, variables)
            for text in [translated.title, *adapted.texts.values()]:
                count(missing_origin(domain, text))
            if message.status != "approved":
                problems.append(_("message '{slug}' is '{status}', not approved").format(
                    slug=message.slug, status=message.status))
    except ContentError as exc:
        problems.append(str(exc))
    leaflets = catalog("leaflets")
    for key, value in (("title", leaflet.title), ("tagline", leaflet.tagline)):
        if value:
            count(missing_origin("leaflets", lookup(leaflets, value, "", False, f"leaflet.{slug}.{key}")))
    layouts = catalog("layouts")
    for key, value in LAYOUT_STRINGS.items():
        count(missing_origin("layouts", lookup(layouts, value, "", False, f"layout.{key}")))
    need_lines = [f"{path}: " + ", ".join(_(COUNTED[state]).format(count=n) for state, n in states.items() if n)
                  for path, states in sorted(needs.items())]
    return {"leaflet": slug, "locale": code, **counts,
            "releasable": not need_lines and not problems, "needs": need_lines + problems}


# --------------------------------------------------------------------------- checks

MARKUP_RE = re.compile(r"\*\*|__|(?<!\*)\*(?!\*)|(?<!_)_(?!_)|`")
LINK_RE = re.compile(r"\[[^\]]*\]\(([^)\s]*)\)")
URL_RE = re.compile(r"(?:https?|ftp|mailto):[^\s)>\]]+|www\.[^\s)>\]]+")
NUMBER_RE = re.compile(r"\d+(?:[.,\s]\d+)*")


def translation_problems(project: Project, msgfmt: str | None = "auto") -> list[Problem]:
    """Problems in every PO file of every translated locale, each with a stable code."""
    import shutil
    tool = shutil.which("msgfmt") if msgfmt == "auto" else msgfmt
    problems: list[Problem] = []
    for code in target_locales(project):
        base = project.root / "locales" / code / "LC_MESSAGES"
        paths = sorted(base.glob("*.po")) + sorted(base.glob("messages/*.po")) if base.is_dir() else []
        for path in paths:
            rel = path.relative_to(project.root).as_posix()
            try:
                po = _po.read_po(path.read_bytes(), rel)
            except _po.PoError as exc:
                problems.append(exc.problem())
                continue
            problems.extend(po.warnings)
            for entry in po.entries:
                if not entry.obsolete and entry.translated and entry.msgid_plural is None:
                    problems.extend(entry_problems(entry, rel, code))
            if tool:
                problems.extend(msgfmt_problems(tool, path, rel, project.root / "build" / ".cache" / "msgfmt"))
    return problems


def entry_problems(entry: _po.Entry, rel: str, locale: str) -> list[Problem]:
    """The checks of one translated entry (fuzzy ones only for canonical text)."""
    out = []

    def add(code: str, severity: str, message: str, hint: str) -> None:
        out.append(Problem(code, severity, rel, entry.line, message, hint))

    for fix in find_fixes(entry.msgstr, locale):
        add(fix.code, fix.severity, _("translation: {message}").format(message=fix.message), fix.hint)
    if entry.fuzzy:
        return out
    source, text = entry.msgid, entry.msgstr
    wanted = _names(source)
    have = _names(text)
    for name in sorted(set(wanted) - set(have)):
        add("placeholder-missing", "error", _("the translation lacks {variable}").format(variable="{" + name + "}"),
            _("copy {variable} into the translation exactly as in the source").format(variable="{" + name + "}"))
    for name in sorted(set(have) - set(wanted)):
        add("placeholder-added", "error",
            _("the translation has {variable}, which the source does not").format(variable="{" + name + "}"),
            _("remove it, or write {{ and }} for literal braces"))  # no .format(): shown as written
    if sorted(LINK_RE.findall(source)) != sorted(LINK_RE.findall(text)) or \
            sorted(URL_RE.findall(LINK_RE.sub("", source))) != sorted(URL_RE.findall(LINK_RE.sub("", text))):
        add("url-changed", "error", _("a link target or web address differs from the source"),
            _("keep every (https://…) and web address exactly as in the source"))
    if sorted(MARKUP_RE.findall(_apostrophes(source))) != sorted(MARKUP_RE.findall(_apostrophes(text))) or \
            len(LINK_RE.findall(source)) != len(LINK_RE.findall(text)):
        add("markup-changed", "warning",
            _("Markdown markup (**bold**, *italic*, [links](…)) differs from the source"),
            _("keep the same ** and [text](link) marks around the translated words"))
    missing = missing_numbers(source, text)
    if missing:
        add("number-missing", "warning",
            _("number(s) {numbers} of the source are not in the translation").format(numbers=", ".join(missing)),
            _("carry numbers and phone numbers over unchanged"))
    if text == source and len(source.split()) >= 4:
        add("translation-identical", "warning", _("the translation is the source text unchanged"),
            _("translate it, or leave the msgstr empty until it is translated"))
    elif len(source) >= 20 and not 0.4 <= len(text) / len(source) <= 2.5:
        add("length-ratio", "warning",
            _("the translation is {ratio} times as long as the source").format(ratio=f"{len(text) / len(source):.1f}"),
            _("check nothing is missing or repeated"))
    return out


def _names(text: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER_RE.finditer(text) if m.group(1)]


def _apostrophes(text: str) -> str:
    """A backtick between letters reads as an apostrophe (N`Trang), not as code markup."""
    return BACKTICK_APOSTROPHE_RE.sub("\u2019", text)


BACKTICK_APOSTROPHE_RE = re.compile(r"(?<=[^\W\d_])`(?=[^\W\d_])")


def _numbers(text: str) -> list[list[str]]:
    """Each number as its digit groups: ``"0262 3852 123"`` → ``[["0262", "3852", "123"]]``."""
    plain = URL_RE.sub(" ", LINK_RE.sub(" ", PLACEHOLDER_RE.sub(" ", text)))
    return [re.split(r"[.,\s]", n) for n in NUMBER_RE.findall(plain)]


def missing_numbers(source: str, text: str) -> list[str]:
    """Numbers of ``source`` not in ``text``, compared as multisets: a number is found when
    the translation has it whole (``1.000`` = ``1000``) or as a run of digit groups inside a
    longer number (``114`` in ``… 150 114.``); each number of the translation counts once.

    >>> missing_numbers("Gọi 114.", "Hơi 150 114."), missing_numbers("113 và 113", "113")
    ([], ['113'])
    """
    pool = _numbers(text)
    missing = []
    for groups in _numbers(source):
        wanted = "".join(groups)
        if _take_number(pool, wanted):
            continue
        missing.append(wanted)
    return missing


def _take_number(pool: list[list[str]], wanted: str) -> bool:
    """Remove ``wanted`` from ``pool`` (a whole number, else a run of groups); True if found."""
    for index, groups in enumerate(pool):
        if "".join(groups) == wanted:
            del pool[index]
            return True
    for index, groups in enumerate(pool):
        for start in range(len(groups)):
            for end in range(start + 1, len(groups) + 1):
                if "".join(groups[start:end]) == wanted:
                    pool[index:index + 1] = [g for g in (groups[:start], groups[end:]) if g]
                    return True
    return False


def msgfmt_problems(tool: str, path: Path, rel: str, cache_dir: Path | None = None) -> list[Problem]:
    """What ``msgfmt -c`` says about a PO file, as problems (code ``po-msgfmt``).

    With ``cache_dir``, the answer is kept under the sha256 of the file's bytes: a
    project of a thousand PO files pays the thousand processes once, not every check.
    """
    import hashlib
    import json
    if cache_dir is not None:
        from .i18n import language
        digest = hashlib.sha256(path.read_bytes() + f"\0{rel}\0{tool}\0{language()}".encode()).hexdigest()
        cached = cache_dir / f"{digest}.json"
        try:
            return [Problem(**p) for p in json.loads(cached.read_text(encoding="utf-8"))]
        except (OSError, ValueError, TypeError):
            pass
        problems = msgfmt_problems(tool, path, rel)
        from .bundle import write_atomic
        with contextlib.suppress(OSError):
            write_atomic(cached, json.dumps([p.as_json() for p in problems], ensure_ascii=False).encode("utf-8"))
        return problems
    import subprocess
    try:
        # msgfmt speaks the user's language too: run it in the C locale so its output parses the same everywhere
        run = subprocess.run([tool, "-c", "-o", os.devnull, str(path)], capture_output=True, text=True,
                             timeout=60, env={**os.environ, "LC_ALL": "C.UTF-8", "LANGUAGE": ""})
    except (OSError, subprocess.TimeoutExpired):
        return []
    out = []
    for line in run.stderr.splitlines():
        match = re.match(r"^(.*?):(\d+): (.*)$", line)
        if match and "warning" not in match.group(3):
            out.append(Problem("po-msgfmt", "error", rel, int(match.group(2)), f"msgfmt -c: {match.group(3)}",
                               _("fix the entry at this line (msgfmt checks placeholders and the header)")))
    if run.returncode != 0 and not out:
        out.append(Problem("po-msgfmt", "error", rel, 0,
                           _("msgfmt -c rejects the file: {output}").format(output=" ".join(run.stderr.split())[:200]),
                           _("run 'msgfmt -c' on it to see why")))
    return out


YAML_VALUE_RE = re.compile(r"^\s*(?:-\s+)?[\w-]+:\s+(?![{\[|>&*!])(.+?)\s*$")


def source_text_problems(project: Project) -> list[Problem]:
    """Canonical-text findings in the source files, line by line: message bodies and
    titles, and plain ``key: value`` lines of the YAML files."""
    from .load import read_text
    source, tone = project.config.source_locale, project.config.vi_tone_style
    out = []
    files = [m.path for m in project.messages.values()] + [project.audiences.path, project.config.path]
    files += [leaflet.path for leaflet in project.leaflets.values()]
    for rel in files:
        try:
            text = read_text(project.root / rel, rel)
        except ContentError:
            continue
        for number, value in _text_lines(text, rel.endswith(".md")):
            for fix in find_fixes(value, source, tone):
                out.append(Problem(fix.code, fix.severity, rel, number, fix.message, fix.hint))
    return out


def _text_lines(text: str, markdown: bool):
    """``(line number, text)`` of the lines that hold text a reader sees."""
    lines = text.split("\n")
    in_front = markdown and lines[:1] == ["---"]
    in_code = False
    for number, line in enumerate(lines, start=1):
        if markdown and number > 1 and in_front and line.rstrip() in ("---", "..."):
            in_front = False
            continue
        if markdown and not in_front:
            if line.lstrip().startswith(("```", "~~~")):
                in_code = not in_code
            if not in_code and not line.lstrip().startswith(":::"):
                yield number, line
            continue
        if line.lstrip().startswith("#"):
            continue
        match = YAML_VALUE_RE.match(line)
        if match:
            yield number, match.group(1).strip("'\"")
