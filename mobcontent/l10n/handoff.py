"""Translator handoff: one Word (.docx) or Excel (.xlsx) file per translator, and back.

``mobcontent handoff export`` writes the entries of a locale (all, a leaflet's, or a
message's) with their context, the Vietnamese source, the current translation and its
state; ``mobcontent handoff import`` merges the file back into the PO files.

Every row carries a stable id, ``<domain>#<key>.<base>``: the PO domain
(``messages/<slug>``, ``audiences`` ...), a digest of the entry's msgctxt and msgid, and a
digest of its translation at export time. Rows are matched by id, never by position,
so a file re-sorted in Excel or LibreOffice imports the same. The base digest tells a
translator's change from a change somebody made in the PO file meanwhile (a conflict).

The columns (and the first row of the sheet, for scripts): ``id``, ``context``,
``source``, ``translation``, ``state``, ``note``. Cells are written as text, never as
formulas, and read as text; a cell that holds a formula is refused.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..base.canonical import canonical_text, find_fixes
from ..base.errors import ContentError, Problem, UsageError
from ..base.files import read_at, write_atomic, write_file
from ..base.i18n import N_, _
from ..base.model import Project
from ..base.version import __version__
from ..content.audience import leaflet_messages
from ..content.glossary import Glossary, read_glossary
from ..content.settings import target_locales
from ..formats import po as _po
from ..pipeline.translate import message_blocks
from .extract import FileReport

COLUMNS = ("id", "context", "source", "translation", "state", "note")
LABELS = {"id": "Mã (đừng sửa)", "context": "Ngữ cảnh", "source": "Câu tiếng Việt",
          "translation": "Bản dịch (viết vào đây)", "state": "Trạng thái", "note": "Ghi chú của bạn"}
STATES = ("translated", "fuzzy", "untranslated")
STATE_WORDS = {"translated": "translated", "đã dịch": "translated", "fuzzy": "fuzzy",
               "cần xem lại": "fuzzy", "untranslated": "untranslated", "chưa dịch": "untranslated", "": ""}
FORMAT = "mobcontent-handoff 1"
DOCX_WIDTHS_CM = {"id": 3.0, "context": 6.2, "source": 6.2, "translation": 6.4, "state": 2.6, "note": 2.3}
OUTCOMES = ("new", "changed", "unchanged", "conflict", "rejected", "missing")
OUTCOME_WORDS = {"new": N_("new"), "changed": N_("changed"), "unchanged": N_("unchanged"),
                 "conflict": N_("conflict"), "rejected": N_("rejected"), "missing": N_("missing")}
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_CELL_CHARS = 32767  # Excel's limit for one cell: anything longer was cut or is not a translation
ID_RE = re.compile(r"^(?P<domain>(?:messages/)?[a-z0-9][a-z0-9-]*)#(?P<key>[0-9a-f]{10})\.(?P<base>[0-9a-f]{8})$")
KINDS_VI = {"title of the message": "tiêu đề tin bài", "summary of the message": "tóm tắt", "paragraph": "đoạn văn",
            "heading": "đề mục", "list item": "mục liệt kê", "table cell": "ô bảng", "table header": "đầu bảng",
            "block quote": "trích dẫn"}

INSTRUCTIONS = (
    "Hướng dẫn cho người dịch",
    "1. Mỗi dòng của bảng là một câu tiếng Việt (cột “Câu tiếng Việt”). Viết bản dịch vào cột "
    "“Bản dịch”. Nếu đã có bản dịch, hãy kiểm tra và sửa nếu cần.",
    "2. Giữ nguyên mọi {tên_biến} trong ngoặc nhọn, ví dụ {village}: phần mềm sẽ điền từ của từng cộng đồng "
    "(buôn, bon…) sau khi dịch. Giữ nguyên **chữ đậm**, [chữ](địa chỉ liên kết) và các con số, số điện thoại.",
    "3. Cột “Trạng thái”: translated = đã dịch xong; fuzzy = cần xem lại (bản dịch chưa chắc chắn, "
    "sẽ không được in chính thức); untranslated = chưa dịch. Khi bạn viết bản dịch mới, dòng đó được tính là "
    "đã dịch, trừ khi bạn ghi fuzzy. Khi đã kiểm tra xong một dòng fuzzy, hãy đổi thành translated.",
    "4. Không sửa cột “Mã”, không xoá hay thêm dòng. Có thể sắp xếp lại các dòng: phần mềm nhận ra từng câu "
    "theo mã của nó. Cột “Ghi chú” để bạn ghi điều cần hỏi; ghi chú được giữ lại trong tệp PO.",
    "5. Gõ chữ bằng bàn phím Unicode. Chữ ê̆ ô̆ ơ̆ ư̆ là chữ ê ô ơ ư cộng dấu trăng (U+0306). "
    "Không dùng phông chữ cũ kiểu [uôn cho ƀuôn. Lưu tệp ở định dạng gốc (.docx hoặc .xlsx) rồi gửi lại.",
)


@dataclass(frozen=True)
class HandoffEntry:
    """One row of a handoff file as exported."""

    id: str
    domain: str
    msgctxt: str | None
    source: str
    translation: str
    state: str
    context: str
    note: str = ""


@dataclass(frozen=True)
class HandoffRow:
    """One row as read back: its row number in the file and its cells (as text)."""

    row: int
    id: str
    source: str
    translation: str
    state: str
    note: str
    refused: str = ""  # why a cell could not be read as text (a formula ...)


@dataclass(frozen=True)
class Outcome:
    """What import did with one row: ``new``, ``changed``, ``unchanged``, ``conflict``,
    ``rejected`` or ``missing`` (a row of the export that the file no longer has)."""

    row: int
    id: str
    status: str
    why: str = ""
    warnings: tuple[str, ...] = ()


@dataclass
class ImportReport:
    """Every row's outcome, the PO files written, and the file's locale and kind."""

    path: str
    locale: str = ""
    outcomes: list[Outcome] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return not any(o.status in ("conflict", "rejected") for o in self.outcomes)

    @property
    def changed(self) -> list[FileReport]:
        return [f for f in self.files if f.action != "unchanged"]

    def summary(self) -> str:
        """One line of counts, in the interface language."""
        return _("{new} new, {changed} changed, {unchanged} unchanged, {conflict} conflict(s), "
                 "{rejected} rejected, {missing} missing row(s)").format(
            **{s: self.count(s) for s in OUTCOMES})

    def as_json(self) -> dict:
        """``{"locale", "rows": [{"row", "id", "status", "why", "warnings"}], "files", "counts"}``."""
        return {"locale": self.locale,
                "rows": [{"row": o.row, "id": o.id, "status": o.status, "why": o.why, "warnings": list(o.warnings)}
                         for o in self.outcomes],
                "files": [{"path": f.path, "action": f.action} for f in self.files],
                "counts": {s: self.count(s) for s in OUTCOMES}}

    def problems(self) -> list[Problem]:
        """Rejected, conflicting and missing rows as problems at ``file:row``."""
        out = []
        for o in self.outcomes:
            if o.status in ("rejected", "conflict", "missing"):
                code = {"rejected": "handoff-rejected", "conflict": "handoff-conflict",
                        "missing": "handoff-row-missing"}[o.status]
                severity = "warning" if o.status == "missing" else "error"
                out.append(Problem(code, severity, self.path, o.row, f"{o.id}: {o.why}"))
            for warning in o.warnings:
                out.append(Problem("handoff-warning", "warning", self.path, o.row, f"{o.id}: {warning}"))
        return out


# --------------------------------------------------------------------------- ids

def entry_id(domain: str, entry: _po.Entry) -> str:
    """The row id of a PO entry: domain, digest of (msgctxt, msgid), digest of the translation.

    >>> entry_id("messages/x", _po.Entry(msgid="a"))
    'messages/x#ca978112ca.e3b0c442'
    """
    return f"{domain}#{_digest(entry.key)[:10]}.{_digest(_fingerprint(entry))[:8]}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fingerprint(entry: _po.Entry | None) -> str:
    if entry is None or not entry.translated:
        return ""
    return ("F" if entry.fuzzy else "T") + entry.msgstr


def _state(entry: _po.Entry | None) -> str:
    if entry is None or not entry.translated:
        return "untranslated"
    return "fuzzy" if entry.fuzzy else "translated"


# --------------------------------------------------------------------------- export

def handoff_entries(project: Project, locale: str, leaflets=(), messages=()) -> list[HandoffEntry]:
    """The rows for ``locale``: every entry of its PO files, or those a leaflet or a
    message needs. Raises :class:`UsageError` for an unknown locale, leaflet or message,
    and :class:`~mobcontent.po.PoError` for a PO file that cannot be read."""
    target_locales(project, locale)
    if not (project.root / "locales" / locale / "LC_MESSAGES").is_dir():
        raise UsageError(_("there are no PO files for '{code}' yet").format(code=locale),
                         hint=_("run 'mobcontent extract' and 'mobcontent update' first"))
    domains = _domains(project, leaflets, messages)
    glossary = read_glossary(project, locale)
    titles = {slug: m.title for slug, m in project.messages.items()}
    headings = {slug: _heading_paths(m) for slug, m in project.messages.items()}
    rows = []
    for domain, keep in domains:
        po = _read_domain(project, locale, domain)
        if po is None:
            continue
        slug = domain.split("/", 1)[1] if domain.startswith("messages/") else ""
        for entry in po.entries:
            if entry.obsolete or entry.msgid_plural is not None or not keep(entry):
                continue
            context = _context(entry, domain, titles.get(slug, ""), headings.get(slug, {}), glossary)
            rows.append(HandoffEntry(entry_id(domain, entry), domain, entry.msgctxt, entry.msgid,
                                     entry.msgstr, _state(entry), context, "\n".join(entry.comments)))
    return rows


def _domains(project: Project, leaflets, messages) -> list[tuple[str, object]]:
    """``(domain, keep(entry))`` pairs for the selection."""
    everything = lambda entry: True  # noqa: E731
    if not leaflets and not messages:
        return ([("audiences", everything), ("leaflets", everything), ("layouts", everything)]
                + [(f"messages/{slug}", everything) for slug in project.messages])
    out: dict[str, object] = {}
    for slug in messages:
        if slug not in project.messages:
            raise UsageError(_("unknown message '{slug}'").format(slug=slug),
                             hint=_("use one of: {values}").format(values=", ".join(project.messages)))
        out[f"messages/{slug}"] = everything
    prefixes, contexts = [], []
    for slug in leaflets:
        leaflet = project.leaflets.get(slug)
        if leaflet is None:
            raise UsageError(_("unknown leaflet '{slug}'").format(slug=slug),
                             hint=_("use one of: {values}").format(values=", ".join(project.leaflets)))
        for message in leaflet_messages(project, leaflet):
            out[f"messages/{message.slug}"] = everything
        contexts.append(f"leaflet.{slug}.")
        prefixes += [f"{dim}.{value}." for dim, value in leaflet.audience.items()]
    if leaflets:
        out["leaflets"] = lambda e: (e.msgctxt or "").startswith(tuple(contexts) + ("project.",))
        out["audiences"] = lambda e: (e.msgctxt or "").startswith(tuple(prefixes))
        out["layouts"] = everything
    return list(out.items())


def _read_domain(project: Project, locale: str, domain: str) -> _po.PoFile | None:
    rel = f"locales/{locale}/LC_MESSAGES/{domain}.po"
    path = project.root / rel
    if not path.is_file():
        return None
    return _po.read_po(read_at(path, rel), rel)


def _heading_paths(message) -> dict[str, str]:
    """``{block text: "Heading › Subheading"}``: the headings each block sits under."""
    out, stack = {}, []
    for block, chunk in message_blocks(message):
        if block.kind == "heading":
            line = chunk.text.split("\n")[block.line - chunk.line] if block.line >= chunk.line else ""
            level = len(line) - len(line.lstrip("#")) if line.startswith("#") else 1
            stack = [item for item in stack if item[0] < level] + [(level, block.text)]
            continue
        if stack:
            out.setdefault(block.text, " › ".join(text for _level, text in stack))
    return out


def _context(entry: _po.Entry, domain: str, title: str, headings: dict, glossary: Glossary) -> str:
    lines = []
    if domain.startswith("messages/"):
        lines.append(f"Tin bài: {domain[9:]} — {title}" if title else f"Tin bài: {domain[9:]}")
        if entry.msgid in headings:
            lines.append(f"Mục: {headings[entry.msgid]}")
    else:
        lines.append(f"Tệp: {domain}.po" + (f" — {entry.msgctxt}" if entry.msgctxt else ""))
    for comment in entry.extracted:
        if comment.startswith("audience: "):
            lines.append("Đối tượng: " + comment[10:])
        elif comment.startswith("shown: "):
            lines.append("Chỉ hiện khi: " + comment[7:])
        elif comment in KINDS_VI or ", " in comment and all(k in KINDS_VI for k in comment.split(", ")):
            lines.append("Loại: " + ", ".join(KINDS_VI[k] for k in comment.split(", ")))
        elif comment.startswith("keep each {name}"):
            lines.append("Giữ nguyên mọi {biến}; chúng được thay sau khi dịch:")
        else:
            lines.append(comment)
    for term in glossary.terms_in(entry.msgid):
        lines.append(f"Thuật ngữ: {term.describe()}")
    return "\n".join(lines)


def export_handoff(project: Project, locale: str, fmt: str, output: Path | None = None,
                   leaflets=(), messages=()) -> tuple[Path, int]:
    """Write the handoff file (``handoff/<locale>.<fmt>`` unless ``output``); return its
    path and the number of rows."""
    if fmt not in ("docx", "xlsx"):
        raise UsageError(_("unknown format '{fmt}'").format(fmt=fmt), hint=_("use docx or xlsx"))
    entries = handoff_entries(project, locale, leaflets, messages)
    meta = {"format": FORMAT, "locale": locale, "tool": f"mobcontent {__version__}",
            "exported": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M+0000"),
            "ids": [e.id for e in entries]}
    letters = _letters(project, locale)
    glossary = read_glossary(project, locale)
    writer = write_xlsx if fmt == "xlsx" else write_docx
    buffer = io.BytesIO()
    writer(entries, meta, letters, glossary, buffer)
    target = Path(output) if output else project.root / "handoff" / f"{locale}.{fmt}"
    write_atomic(target, buffer.getvalue())
    return target, len(entries)


def _letters(project: Project, locale: str) -> str:
    found = project.locales.get(locale)
    letters = found.letters if found is not None else ()
    return " ".join(f"{letter.upper()} {letter}" for letter in letters)


def _glossary_rows(glossary: Glossary) -> list[tuple[str, str, str]]:
    return [(t.term, t.translation or "(chưa có)", t.notes + (f" — không dùng: {', '.join(t.forbidden)}"
                                                               if t.forbidden else ""))
            for t in glossary.terms]


def write_xlsx(entries: list[HandoffEntry], meta: dict, letters: str, glossary: Glossary, handle) -> None:
    """The Excel file: sheet ``translate`` (row 1 keys, row 2 Vietnamese labels, frozen;
    only ``translation``, ``state`` and ``note`` editable), ``guide`` (instructions,
    letters, glossary), and a hidden ``mobcontent`` sheet with the export's ids."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "translate"
    bold = Font(bold=True)
    editable = {"translation", "state", "note"}
    widths = {"id": 14, "context": 40, "source": 50, "translation": 50, "state": 13, "note": 25}
    for col, key in enumerate(COLUMNS, start=1):
        _text_cell(sheet.cell(1, col), key).font = bold
        _text_cell(sheet.cell(2, col), LABELS[key]).font = bold
        sheet.column_dimensions[chr(64 + col)].width = widths[key]
    fill = PatternFill("solid", fgColor="FFF8DC")
    for number, entry in enumerate(entries, start=3):
        values = {"id": entry.id, "context": entry.context, "source": entry.source,
                  "translation": entry.translation, "state": entry.state, "note": entry.note}
        for col, key in enumerate(COLUMNS, start=1):
            cell = _text_cell(sheet.cell(number, col), values[key])
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if key in editable:
                cell.protection = Protection(locked=False)
                cell.fill = fill
        lines = max(_lines(values[key], widths[key]) for key in COLUMNS)
        sheet.row_dimensions[number].height = min(409, 13 * lines + 4)  # not every program fits rows itself
    sheet.freeze_panes = "A3"
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = "1:2"
    if entries:
        rule = DataValidation(type="list", formula1='"translated,fuzzy,untranslated"', allow_blank=True)
        rule.add(f"E3:E{len(entries) + 2}")
        sheet.add_data_validation(rule)
        sheet.auto_filter.ref = f"A2:F{len(entries) + 2}"
    sheet.protection.sheet = True
    sheet.protection.autoFilter = False  # filtering and sorting stay allowed
    sheet.protection.sort = False
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    guide = book.create_sheet("guide")
    rows = [(line,) for line in INSTRUCTIONS] + [(), ("Chữ cái của ngôn ngữ này:",), (letters,), (),
                                                 ("Thuật ngữ (bảng thuật ngữ của dự án)",)]
    rows += [("Tiếng Việt", "Bản dịch đã duyệt", "Ghi chú")] + _glossary_rows(glossary)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            _text_cell(guide.cell(r, c), value).alignment = Alignment(wrap_text=True, vertical="top")
    guide.column_dimensions["A"].width = 100
    guide.protection.sheet = True
    hidden = book.create_sheet("mobcontent")
    for r, (key, value) in enumerate((("format", meta["format"]), ("locale", meta["locale"]),
                                      ("tool", meta["tool"]), ("exported", meta["exported"])), start=1):
        _text_cell(hidden.cell(r, 1), key)
        _text_cell(hidden.cell(r, 2), value)
    for r, ident in enumerate(meta["ids"], start=6):
        _text_cell(hidden.cell(r, 1), "id")
        _text_cell(hidden.cell(r, 2), ident)
    hidden.sheet_state = "hidden"
    hidden.protection.sheet = True
    book.active = 0
    book.save(handle)


def _lines(text: str, width: int) -> int:
    """Lines ``text`` takes in a wrapped cell about ``width`` characters wide."""
    return sum(max(1, -(-len(line) // max(1, width - 2))) for line in (text or "").split("\n"))


def _text_cell(cell, value: str):
    """Set a cell to ``value`` as text: openpyxl would store ``=…`` as a formula."""
    cell.value = value
    cell.data_type = "s"
    if value and value[0] in "=+-@":
        cell.quotePrefix = True  # Excel and LibreOffice show it as text, never evaluate it
    return cell


def write_docx(entries: list[HandoffEntry], meta: dict, letters: str, glossary: Glossary, handle) -> None:
    """The Word file: instructions, letters and glossary, then one table with the same
    columns as the sheet; each translation cell is a content control tagged with the id.
    The export's metadata is in the document properties."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(f"Bản dịch: {meta['locale']}", level=1)
    for line in INSTRUCTIONS[1:]:
        document.add_paragraph(_xml_safe(line))
    document.add_paragraph("Chữ cái của ngôn ngữ này: " + letters)
    if glossary.terms:
        document.add_heading("Thuật ngữ", level=2)
        table = document.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("Tiếng Việt", "Bản dịch đã duyệt", "Ghi chú")):
            cell.text = text
        for row in _glossary_rows(glossary):
            cells = table.add_row().cells
            for cell, text in zip(cells, row):
                cell.text = _xml_safe(text)
    document.add_heading("Các câu cần dịch", level=2)
    table = document.add_table(rows=2, cols=len(COLUMNS))
    table.style = "Table Grid"
    for col, key in enumerate(COLUMNS):
        table.rows[0].cells[col].text = key
        table.rows[1].cells[col].text = LABELS[key]
    for row in table.rows[:2]:
        _repeat_header(row)
    for entry in entries:
        cells = table.add_row().cells
        values = {"id": entry.id, "context": entry.context, "source": entry.source,
                  "translation": entry.translation, "state": entry.state, "note": entry.note}
        for col, key in enumerate(COLUMNS):
            if key == "translation":
                _content_control(cells[col], values[key], entry.id)
            else:
                _set_cell_text(cells[col], values[key])
    table.autofit = False
    for column, key in zip(table.columns, COLUMNS):
        column.width = Cm(DOCX_WIDTHS_CM[key])
    for row in table.rows:
        for cell, key in zip(row.cells, COLUMNS):
            cell.width = Cm(DOCX_WIDTHS_CM[key])
    properties = document.core_properties
    properties.category = FORMAT
    properties.subject = meta["locale"]
    properties.title = f"mobcontent handoff {meta['locale']}"
    properties.keywords = meta["exported"]
    properties.comments = meta["tool"]
    hidden = document.add_paragraph().add_run(IDS_MARK + " " + " ".join(meta["ids"]))
    hidden.font.hidden = True  # the export's ids, to tell a deleted row; Word and LibreOffice keep hidden text
    hidden.font.size = Pt(1)
    document.save(handle)


IDS_MARK = "mobcontent-ids:"


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """Text Word can hold: XML 1.0 refuses most control characters (shown as U+FFFD)."""
    return _XML_BAD.sub("\ufffd", text)


def _set_cell_text(cell, text: str) -> None:
    lines = _xml_safe(text).split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _content_control(cell, text: str, tag: str) -> None:
    """Put ``text`` in an inline rich-text content control (tag = the row id) that the
    translator edits but cannot delete."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    paragraph = cell.paragraphs[0]
    sdt = OxmlElement("w:sdt")
    properties = OxmlElement("w:sdtPr")
    for name, value in (("w:alias", "Bản dịch"), ("w:tag", tag), ("w:lock", "sdtLocked")):
        element = OxmlElement(name)
        element.set(qn("w:val"), value)
        properties.append(element)
    content = OxmlElement("w:sdtContent")
    run = OxmlElement("w:r")
    for number, line in enumerate(_xml_safe(text).split("\n")):
        if number:
            run.append(OxmlElement("w:br"))
        element = OxmlElement("w:t")
        element.set(qn("xml:space"), "preserve")
        element.text = line
        run.append(element)
    content.append(run)
    sdt.append(properties)
    sdt.append(content)
    paragraph._p.append(sdt)


# --------------------------------------------------------------------------- reading a handoff file

def read_handoff(path: Path) -> tuple[dict, list[HandoffRow]]:
    """The metadata and rows of a handoff file (.xlsx or .docx, told by its content).

    Raises :class:`ContentError` naming the file for anything that is not a handoff file."""
    path = Path(path)
    rel = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ContentError(_("the file is larger than {size} MB").format(size=MAX_FILE_BYTES // 2**20), rel,
                               hint=_("a handoff file is a few hundred kilobytes; check it is the right file"),
                               code="handoff-invalid")
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(_("cannot read the file: {error}").format(error=exc.strerror), rel,
                           code="handoff-invalid") from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise ContentError(_("the file unpacks to more than {size} MB").format(
                    size=MAX_UNPACKED_BYTES // 2**20), rel, code="handoff-invalid")
    except zipfile.BadZipFile:
        names = set()
    if "xl/workbook.xml" in names:
        return read_xlsx(data, rel)
    if "word/document.xml" in names:
        return read_docx(data, rel)
    raise ContentError(_("this is not a Word (.docx) or Excel (.xlsx) file"), rel,
                       hint=_("save the file as .docx or .xlsx (not .doc, .xls or .odt) and import it again"),
                       code="handoff-invalid")


def read_xlsx(data: bytes, rel: str = "<xlsx>") -> tuple[dict, list[HandoffRow]]:
    """Rows of the ``translate`` sheet (row numbers as Excel shows them), by column key."""
    from openpyxl import load_workbook
    try:
        book = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ContentError(_("cannot open the Excel file: {error}").format(error=str(exc)[:200]), rel,
                           code="handoff-invalid") from None
    meta = {}
    if "mobcontent" in book.sheetnames:
        ids = []
        for key, value, *_rest in book["mobcontent"].iter_rows(values_only=True):
            if key == "id":
                ids.append(str(value))
            elif key:
                meta[str(key)] = "" if value is None else str(value)
        meta["ids"] = ids
    sheet = book["translate"] if "translate" in book.sheetnames else book.worksheets[0]
    columns, header_row = None, 0
    for number, row in enumerate(sheet.iter_rows(min_row=1, max_row=10), start=1):
        keys = [str(c.value).strip() if c.value is not None else "" for c in row]
        if "id" in keys and "translation" in keys:
            columns, header_row = {k: i for i, k in enumerate(keys) if k in COLUMNS}, number
            break
    if columns is None:
        raise ContentError(_("no header row with the column keys id … translation"), rel,
                           hint=_("the first row of the sheet must keep the keys the export wrote"),
                           code="handoff-invalid")
    labels = set(LABELS.values())
    rows = []
    for number, row in enumerate(sheet.iter_rows(min_row=header_row + 1), start=header_row + 1):
        cells = {key: row[i] if i < len(row) else None for key, i in columns.items()}
        texts, refused = {}, ""
        for key, cell in cells.items():
            value = None if cell is None else cell.value
            if cell is not None and cell.data_type == "f":
                refused = refused or _("the {column} cell holds a formula, not text").format(column=key)
                value = ""
            texts[key] = "" if value is None else str(value)
        if not any(texts.values()):
            continue  # an empty row (Excel keeps formatted empty rows)
        if texts.get("id") == LABELS["id"] or set(texts.values()) <= labels | {""}:
            continue  # the Vietnamese label row
        rows.append(_row(number, texts, refused))
    return meta, rows


def read_docx(data: bytes, rel: str = "<docx>") -> tuple[dict, list[HandoffRow]]:
    """Rows of the table whose first row holds the column keys; row numbers count the
    table's rows from 1 (the key row)."""
    from docx import Document
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a damaged file
        raise ContentError(_("cannot open the Word file: {error}").format(error=str(exc)[:200]), rel,
                           code="handoff-invalid") from None
    properties = document.core_properties
    meta = {"format": properties.category or "", "locale": properties.subject or "", "ids": []}
    for paragraph in document.paragraphs:
        if paragraph.text.startswith(IDS_MARK):
            meta["ids"] = paragraph.text[len(IDS_MARK):].split()
    for table in document.tables:
        grid = [[_cell_text(tc) for tc in _row_cells(tr)] for tr in table._tbl.tr_lst]
        if not grid:
            continue
        keys = [text.strip() for text in grid[0]]
        if "id" not in keys or "translation" not in keys:
            continue
        columns = {k: i for i, k in enumerate(keys) if k in COLUMNS}
        rows = []
        for number, cells in enumerate(grid[1:], start=2):
            texts = {key: cells[i] if i < len(cells) else "" for key, i in columns.items()}
            if not any(texts.values()) or texts.get("id") == LABELS["id"]:
                continue
            rows.append(_row(number, texts, ""))
        return meta, rows
    raise ContentError(_("no table with the column keys id … translation"), rel,
                       hint=_("keep the table the export wrote, with its first row"), code="handoff-invalid")


def _row_cells(tr):
    from docx.oxml.ns import qn
    return [child for child in tr.iter(qn("w:tc"))]


def _cell_text(tc) -> str:
    """All text of a table cell, content controls included: paragraphs joined by new lines,
    ``w:br`` as a new line, ``w:tab`` as a tab."""
    from docx.oxml.ns import qn
    paragraphs = []
    for p in tc.iter(qn("w:p")):
        parts = []
        for node in p.iter(qn("w:t"), qn("w:br"), qn("w:cr"), qn("w:tab")):
            if node.tag == qn("w:t"):
                parts.append(node.text or "")
            elif node.tag == qn("w:tab"):
                parts.append("\t")
            else:
                parts.append("\n")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def _row(number: int, texts: dict, refused: str) -> HandoffRow:
    return HandoffRow(number, texts.get("id", "").strip(), texts.get("source", ""),
                      texts.get("translation", "").replace("\r\n", "\n").replace("\r", "\n"),
                      texts.get("state", "").strip().lower(), texts.get("note", "").replace("\r\n", "\n"),
                      refused)


# --------------------------------------------------------------------------- import

def import_handoff(project: Project, path: Path, prefer: str | None = None, check=None) -> ImportReport:
    """Merge a translator's file back into the PO files of its locale.

    Each translation is canonicalised and checked as if it came from a PO file:
    ``check(entry, path, locale)`` returns its problems (the CLI passes
    :func:`mobcontent.checks.translations.entry_problems`; without it only the canonical
    text rules apply); a row with an error is rejected, warnings are reported.

    ``prefer`` settles conflicts (a translation changed both in the file and in the PO
    since the export): ``"theirs"`` takes the file's, ``"ours"`` keeps the PO's; with
    ``None`` they are reported and the PO keeps its translation. PO files are written
    atomically, only when they change; a PO file that cannot be read is left alone and
    its rows rejected.
    """
    meta, rows = read_handoff(Path(path))
    report = ImportReport(str(path))
    locale = meta.get("locale", "")
    if meta.get("format") != FORMAT or not locale:
        raise ContentError(_("the file carries no mobcontent export data (locale, ids)"), str(path),
                           hint=_("import the file that 'mobcontent handoff export' wrote, edited and saved "
                                  "in the same format; do not copy the table into a new file"),
                           code="handoff-invalid")
    target_locales(project, locale)
    report.locale = locale
    source, tone = project.config.source_locale, project.config.vi_tone_style
    exported = [str(i) for i in meta.get("ids", []) or []]
    seen: dict[str, int] = {}
    by_domain: dict[str, list[tuple[HandoffRow, re.Match]]] = {}
    for row in rows:
        match = ID_RE.match(row.id)
        if match is None:
            report.outcomes.append(Outcome(row.row, row.id or "?", "rejected",
                                           _("the id cell is empty or was changed; the row cannot be matched")))
            continue
        if row.id in seen:
            report.outcomes.append(Outcome(row.row, row.id, "rejected",
                                           _("the same id as row {row}; this copy is ignored").format(
                                               row=seen[row.id])))
            continue
        seen[row.id] = row.row
        by_domain.setdefault(match.group("domain"), []).append((row, match))
    for position, ident in enumerate(exported, start=1):
        if ident not in seen:
            report.outcomes.append(Outcome(0, ident, "missing", _(
                "row {number} of the export is not in the file; its PO entry was left as it is").format(
                number=position)))
    for domain, items in by_domain.items():
        _import_domain(project, locale, domain, items, prefer, (source, tone), report, check or _text_problems)
    report.outcomes.sort(key=lambda o: (o.row, o.id))
    return report


def _text_problems(entry: _po.Entry, rel: str, locale: str) -> list[Problem]:
    """The canonical-text findings of a translation (legacy encodings, control characters ...)."""
    return [Problem(f.code, f.severity, rel, entry.line, f.message, f.hint) for f in find_fixes(entry.msgstr, locale)]


def _import_domain(project, locale, domain, items, prefer, canon, report: ImportReport, check) -> None:
    rel = f"locales/{locale}/LC_MESSAGES/{domain}.po"
    path = project.root / rel
    try:
        po = _po.read_po(read_at(path, rel), rel) if path.is_file() else None
    except ContentError as exc:
        for row, _match in items:
            report.outcomes.append(Outcome(row.row, row.id, "rejected", _("{file} cannot be read: {error}").format(
                file=rel, error=exc)))
        return
    if po is None:
        for row, _match in items:
            report.outcomes.append(Outcome(row.row, row.id, "rejected", _(
                "{file} does not exist; run 'mobcontent update' and export again").format(file=rel)))
        return
    entries = list(po.entries)
    by_key = {_digest(e.key)[:10]: i for i, e in enumerate(entries) if not e.obsolete}
    for row, match in items:
        outcome, updated = _import_row(row, match, entries, by_key, locale, prefer, canon, rel, check)
        report.outcomes.append(outcome)
        if updated is not None:
            entries[updated[0]] = updated[1]
    merged = replace(po, entries=tuple(entries))
    if merged == po:
        report.files.append(FileReport(rel, "unchanged"))
        return
    write_file(project.root, rel, _po.format_po(merged, po).encode("utf-8"))
    report.files.append(FileReport(rel, "updated"))


def _import_row(row: HandoffRow, match, entries: list, by_key: dict, locale: str, prefer, canon, rel: str, check):
    """``(Outcome, (index, new entry) or None)`` for one row."""
    def reject(why: str):
        return Outcome(row.row, row.id, "rejected", why), None

    if row.refused:
        return reject(row.refused)
    state = STATE_WORDS.get(row.state)
    if state is None:
        return reject(_("state '{value}' is not one of translated, fuzzy, untranslated").format(value=row.state[:40]))
    if len(row.translation) >= MAX_CELL_CHARS:
        return reject(_("the translation is {count} characters long, at or over a spreadsheet cell's limit "
                        "({limit}): it was probably cut; it was not imported").format(
            count=len(row.translation), limit=MAX_CELL_CHARS))
    index = by_key.get(match.group("key"))
    previous = None
    if index is None:
        index, previous = _moved(row, match, entries, canon)
        if index is None:
            return reject(previous)
    entry = entries[index]
    text = canonical_text(row.translation.strip(), locale) if row.translation.strip() else ""
    if len(text) > 10 * len(entry.msgid) + 1000:
        return reject(_("the translation is {count} characters long for a source of {source}; it was not "
                        "imported").format(count=len(text), source=len(entry.msgid)))
    errors = []
    if text:
        candidate = replace(entry, msgstr=text, flags=tuple(f for f in entry.flags if f != "fuzzy"))
        checked = check(candidate, rel, locale)
        errors += [p.message for p in checked if p.severity == "error"]
        warnings = tuple(p.message for p in checked if p.severity == "warning")
    else:
        warnings = ()
    if errors:
        return reject("; ".join(dict.fromkeys(errors)))
    fuzzy = bool(text) and (state == "fuzzy" or previous is not None)
    comments = tuple(line for line in row.note.split("\n") if line.strip()) if row.note.strip() else ()
    # what the row says now, in the terms of its id's digest: was it edited since the export?
    edited = _digest((("F" if state == "fuzzy" else "T") + text) if text else "")[:8] != match.group("base")
    if not edited:
        if previous is None and comments != entry.comments:
            return Outcome(row.row, row.id, "changed", _("note changed")), (index, replace(entry, comments=comments))
        why = _("the source changed since the export; the row was not edited") if previous is not None else ""
        return Outcome(row.row, row.id, "unchanged", why), None
    if previous is None and ((("F" if fuzzy else "T") + text) if text else "") == _fingerprint(entry) \
            and comments == entry.comments:
        return Outcome(row.row, row.id, "unchanged"), None  # the PO says the same already
    base_changed = previous is None and _digest(_fingerprint(entry))[:8] != match.group("base")
    if base_changed and prefer != "theirs":
        if prefer == "ours":
            return Outcome(row.row, row.id, "unchanged", _("conflict settled: the PO file's translation kept")), None
        return (Outcome(row.row, row.id, "conflict", _(
            "the translation was changed in {file} since the export (now “{ours}”); the file says “{theirs}”. "
            "Nothing was overwritten: re-run with --theirs to take the file's, or --ours to keep the PO's").format(
            file=rel, ours=_short(entry.msgstr), theirs=_short(text))), None)
    if not text:
        return reject(_("the translation cell is empty, but the PO has one; nothing is deleted by an import")) \
            if entry.translated else (Outcome(row.row, row.id, "unchanged"), None)
    flags = (("fuzzy",) if fuzzy else ()) + tuple(f for f in entry.flags if f != "fuzzy")
    # "#|" is the source the translation was made for: the exported one after a change; a
    # fuzzy entry keeps the one update gave it; a confirmed translation needs none
    prev_ctxt, prev_id = ((previous.msgctxt, previous.msgid) if previous is not None
                          else (entry.previous_msgctxt, entry.previous_msgid) if fuzzy else (None, None))
    new = replace(entry, msgstr=text, flags=flags, comments=comments or entry.comments,
                  previous_msgctxt=prev_ctxt, previous_msgid=prev_id, previous_msgid_plural=None)
    status = "new" if not entry.translated else "changed"
    why = _("the source changed since the export: imported as fuzzy") if previous is not None else ""
    return Outcome(row.row, row.id, status, why, warnings), (index, new)


def _moved(row: HandoffRow, match, entries: list, canon):
    """The entry whose source replaced the row's (the source changed since the export):
    ``(index, the entry as exported)``, or ``(None, why)``. The row's source cell must
    still be the exported source (its digest is in the id)."""
    exported = canonical_text(row.source, *canon)
    contexts = {e.msgctxt for e in entries}
    if not any(_digest(f"{c}\x04{exported}" if c is not None else exported)[:10] == match.group("key")
               for c in contexts | {None}):
        return None, _("the source of this row is no longer in the file and the source cell was edited, "
                       "so the row cannot be placed; export again")
    for index, entry in enumerate(entries):  # update left the old source as "#| msgid"
        if not entry.obsolete and entry.previous_msgid is not None \
                and canonical_text(entry.previous_msgid, *canon) == exported:
            return index, _po.Entry(msgid=entry.previous_msgid, msgctxt=entry.previous_msgctxt)
    from rapidfuzz import fuzz
    best, best_score = None, 0.0
    for index, entry in enumerate(entries):
        if entry.obsolete or (entry.translated and not entry.fuzzy):
            continue
        score = fuzz.ratio(canonical_text(entry.msgid, *canon), exported)
        if score > best_score:
            best, best_score = index, score
    if best is None or best_score < 70:
        return None, _("the source of this row is no longer in the message (changed or removed since the "
                       "export); export again to translate the new text")
    return best, _po.Entry(msgid=exported, msgctxt=entries[best].msgctxt)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"


def describe_outcome(outcome: Outcome, path: str) -> str:
    """``file:row: status: id — why`` as the CLI prints it."""
    where = f"{path}:{outcome.row}" if outcome.row else path
    text = f"{where}: {_(OUTCOME_WORDS.get(outcome.status, outcome.status))}: {outcome.id}"
    if outcome.why:
        text += f" — {outcome.why}"
    for warning in outcome.warnings:
        text += f"\n{where}: " + _("warning") + f": {warning}"
    return text
