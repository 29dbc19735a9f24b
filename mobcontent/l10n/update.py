"""``mobcontent update``: merge the templates into each locale's PO files, creating
missing ones, keeping every translation, writing atomically. New text is filled from
the locale's translation memory (:mod:`mobcontent.l10n.tm`), and entries get the
glossary's terms as ``#. glossary:`` comments (:mod:`mobcontent.l10n.glossary`).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..base.canonical import canonical_text
from ..base.errors import UsageError
from ..base.files import write_atomic
from ..base.i18n import _
from ..base.locales import display_name, plural_forms
from ..base.model import Project
from ..content.settings import target_locales
from ..formats import po as _po
from .extract import TEMPLATE_DIR, FileReport, Report, creation_date
from .glossary import read_glossary, with_glossary_comments
from .tm import Memory, read_memory, term_pattern

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
    memory = Memory(existing, canonical, term_pattern(project), _read_memory(project, code, report))
    glossary = read_glossary(project, code)
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
        merged = with_glossary_comments(merged, glossary)
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
        return read_memory(project, code)
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
