"""Translator handoff in Word and Excel: export → fill → import through the CLI.

The translations below are made-up test strings in Ê Đê letters, not real Ê Đê.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobcontent.app.cli import main
from mobcontent.formats.po import read_po
from mobcontent.l10n.handoff import COLUMNS, LABELS, read_handoff

needs_gettext = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")

TITLE = "Bảo vệ cột mốc"
BODY = "Mỗi cột mốc là tài sản chung. Báo ngay cho {border_post}."
SCAM = "Không đọc mã OTP cho ai. Gọi **113** khi nghi ngờ."
MADE_UP = {  # invented strings, for the tests only
    TITLE: "Mgang čuôr ƀuôn",
    BODY: "Grăp čuôr jing dŏ jih jang. Hưn mơ̆ng {border_post}.",
    SCAM: "Đăm blŭ OTP kơ arăng. Iêu **113** tơdah huĭ.",
    "Cảnh giác lừa đảo": "Răng klei mplư",
}


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), *args], catch_exceptions=False)


def po_entries(root: Path, domain: str) -> dict:
    path = root / "locales" / "rad" / "LC_MESSAGES" / f"{domain}.po"
    return {e.msgid: e for e in read_po(path.read_bytes()).entries if not e.obsolete}


def all_po(root: Path):
    return sorted((root / "locales" / "rad").rglob("*.po"))


def msgfmt_clean(root: Path) -> None:
    for path in all_po(root):
        check = subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True, text=True)
        assert check.returncode == 0, (path, check.stderr)


@pytest.fixture
def project(make_project):
    root = make_project()
    assert run(root, "extract").exit_code == 0
    assert run(root, "update").exit_code == 0
    return root


def translated_before(root: Path) -> dict:
    """Every translated (msgctxt, msgid) → msgstr, to prove nothing is lost."""
    out = {}
    for path in all_po(root):
        for e in read_po(path.read_bytes()).entries:
            if e.translated and not e.obsolete:
                out[(path.name, e.msgctxt, e.msgid)] = e.msgstr
    return out


# --------------------------------------------------------------------------- xlsx

def load_sheet(path: Path):
    from openpyxl import load_workbook
    book = load_workbook(path)
    return book, book["translate"]


def rows_by_source(sheet) -> dict:
    keys = [c.value for c in sheet[1]]
    return {row[keys.index("source")].value: row for row in sheet.iter_rows(min_row=3)}


def test_xlsx_export_has_keys_labels_locked_columns_and_text_cells(project):
    result = run(project, "handoff", "export", "--locale", "rad", "--format", "xlsx")
    assert result.exit_code == 0, result.output
    path = project / "handoff" / "rad.xlsx"
    book, sheet = load_sheet(path)
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert [c.value for c in sheet[2]] == [LABELS[k] for k in COLUMNS]
    assert sheet.freeze_panes == "A3" and sheet.protection.sheet
    row = rows_by_source(sheet)[BODY]
    locked = {key: cell.protection.locked for key, cell in zip(COLUMNS, row)}
    assert locked == {"id": True, "context": True, "source": True, "translation": False, "state": False,
                      "note": False}
    context = row[1].value
    assert "Tin bài: cot-moc — Bảo vệ cột mốc" in context and "Mục: Cột mốc của {village}" in context
    assert "{border_post} = the zone's border post" in context
    assert row[4].value == "untranslated"
    assert "guide" in book.sheetnames and book["mobcontent"].sheet_state == "hidden"
    guide = "\n".join(str(c.value) for r in book["guide"].iter_rows() for c in r if c.value)
    assert "Hướng dẫn cho người dịch" in guide and "Ƀ ƀ" in guide


def test_a_source_that_looks_like_a_formula_is_written_as_text(make_project):
    root = make_project({"content/messages/lua-dao.md": "---\ntitle: \"=HYPERLINK(\\\"http://x.vn\\\",\\\"bấm\\\")\"\n"
                         "status: approved\n---\n=1+1 là hai.\n"})
    assert run(root, "extract").exit_code == 0 and run(root, "update").exit_code == 0
    assert run(root, "handoff", "export", "--locale", "rad", "--message", "lua-dao").exit_code == 0
    path = root / "handoff" / "rad.xlsx"
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    _book, sheet = load_sheet(path)
    sources = rows_by_source(sheet)
    assert '=HYPERLINK("http://x.vn","bấm")' in sources and sources["=1+1 là hai."][2].data_type == "s"


@needs_gettext
def test_xlsx_round_trip_with_reordered_rows_deleted_row_hostile_cells_conflict_and_changed_source(project):
    po = project / "locales/rad/LC_MESSAGES/messages/lua-dao.po"
    # an existing translation that must survive everything
    text = po.read_text(encoding="utf-8").replace(
        'msgid "Cảnh giác lừa đảo"\nmsgstr ""', 'msgid "Cảnh giác lừa đảo"\nmsgstr "Răng klei mplư"')
    po.write_text(text, encoding="utf-8")
    assert run(project, "handoff", "export", "--locale", "rad", "--format", "xlsx").exit_code == 0
    path = project / "handoff" / "rad.xlsx"
    before = translated_before(project)
    book, sheet = load_sheet(path)
    rows = rows_by_source(sheet)
    rows[TITLE][3].value = MADE_UP[TITLE]
    rows[BODY][3].value = MADE_UP[BODY]
    rows[BODY][5].value = "hỏi lại chữ “čuôr”"
    rows[SCAM][3].value = MADE_UP[SCAM]
    rows["Cảnh giác lừa đảo"][3].value = "Răng klei mplư jih"  # will conflict
    hostile = {  # id cell value -> what the translator typed
        "Họp vào thứ Bảy, không trùng ngày {day_of_worship}.": "<script>alert(1)</script> {day_of_worship}",
        "Cột mốc của {village}": '=HYPERLINK("http://evil.example","{village}")',
        "Biên giới bình yên": "ƀ" * 100_000,
    }
    for source, value in hostile.items():
        rows[source][3].value = value  # openpyxl stores "=…" as a formula, as Excel would
    deleted = rows["Kính gửi bà con buôn làng"][0].value
    # re-save with the rows reordered (reversed) and one row deleted, as openpyxl writes them
    data = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    data = [r for r in data if r[0] != deleted][::-1]
    sheet.delete_rows(3, sheet.max_row)
    for number, values in enumerate(data, start=3):
        for col, value in enumerate(values, start=1):
            sheet.cell(number, col).value = value
    book.save(path)
    # meanwhile: somebody edits a translation in the PO, and an officer changes a source
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Răng klei mplư"', 'msgstr "Răng klei mplư hĭn"'),
                  encoding="utf-8")
    message = project / "content/messages/cot-moc.md"
    message.write_text(message.read_text(encoding="utf-8").replace("Báo ngay cho", "Báo ngay, báo đúng cho"),
                       encoding="utf-8")
    assert run(project, "extract").exit_code == 0 and run(project, "update").exit_code == 0

    result = run(project, "handoff", "import", str(path), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    by_status = {}
    for row in report["rows"]:
        by_status.setdefault(row["status"], []).append(row)
    assert report["counts"]["new"] == 4  # title, the OTP sentence, the HTML one, the changed source
    assert report["counts"]["conflict"] == 1 and report["counts"]["missing"] == 1
    rejected = {r["row"]: r["why"] for r in by_status["rejected"]}
    assert len(rejected) == 2 and all(r > 2 for r in rejected)
    assert any("formula" in why for why in rejected.values())
    assert any("32767 characters long" in why for why in rejected.values()), rejected  # openpyxl cut it
    assert by_status["missing"][0]["id"] == deleted
    conflict = by_status["conflict"][0]
    assert "Răng klei mplư hĭn" in conflict["why"] and conflict["row"] > 2
    changed = [r for r in report["rows"] if r["why"].startswith("the source changed")]
    assert len(changed) == 1 and changed[0]["status"] in ("new", "changed")

    entries = po_entries(project, "messages/cot-moc")
    assert entries[TITLE].msgstr == MADE_UP[TITLE] and not entries[TITLE].fuzzy
    new_body = BODY.replace("Báo ngay cho", "Báo ngay, báo đúng cho")
    assert entries[new_body].fuzzy and entries[new_body].previous_msgid == BODY
    assert entries[new_body].msgstr == MADE_UP[BODY]
    assert entries[new_body].comments == ("hỏi lại chữ “čuôr”",)
    html = entries["Họp vào thứ Bảy, không trùng ngày {day_of_worship}."]
    assert html.msgstr == "<script>alert(1)</script> {day_of_worship}"  # text: the render escapes it
    assert entries["Cột mốc của {village}"].msgstr == ""  # the formula was refused
    scam = po_entries(project, "messages/lua-dao")
    assert scam["Cảnh giác lừa đảo"].msgstr == "Răng klei mplư hĭn"  # the PO's edit was not overwritten
    assert scam[SCAM].msgstr == MADE_UP[SCAM]
    after = translated_before(project)
    for key, value in before.items():
        assert key in after or key[2] == BODY, key
    msgfmt_clean(project)

    theirs = run(project, "handoff", "import", str(path), "--theirs", "--json")
    report = json.loads(theirs.stdout)
    assert report["counts"]["conflict"] == 0
    assert po_entries(project, "messages/lua-dao")["Cảnh giác lừa đảo"].msgstr == "Răng klei mplư jih"
    msgfmt_clean(project)


def test_import_twice_changes_nothing_and_ours_keeps_the_po(project):
    assert run(project, "handoff", "export", "--locale", "rad", "--message", "cot-moc").exit_code == 0
    path = project / "handoff" / "rad.xlsx"
    book, sheet = load_sheet(path)
    rows_by_source(sheet)[TITLE][3].value = MADE_UP[TITLE]
    book.save(path)
    first = run(project, "handoff", "import", str(path))
    assert first.exit_code == 0 and "1 new" in first.output
    po = project / "locales/rad/LC_MESSAGES/messages/cot-moc.po"
    before = po.read_bytes()
    second = run(project, "handoff", "import", str(path))
    assert second.exit_code == 0 and "0 new, 0 changed" in second.output
    assert po.read_bytes() == before
    po.write_text(po.read_text(encoding="utf-8").replace(MADE_UP[TITLE], "Mgang čuôr"), encoding="utf-8")
    ours = run(project, "handoff", "import", str(path), "--ours")
    assert ours.exit_code == 0 and po_entries(project, "messages/cot-moc")[TITLE].msgstr == "Mgang čuôr"


def test_rejected_rows_name_their_row_and_why(project):
    assert run(project, "handoff", "export", "--locale", "rad", "--message", "cot-moc").exit_code == 0
    path = project / "handoff" / "rad.xlsx"
    book, sheet = load_sheet(path)
    rows = rows_by_source(sheet)
    rows[BODY][3].value = "Grăp čuôr jing dŏ jih jang."  # lacks {border_post}
    rows[TITLE][3].value = "[uôn"  # legacy font encoding
    rows["Cột mốc của {village}"][4].value = "maybe"
    body_row, title_row, state_row = rows[BODY][0].row, rows[TITLE][0].row, rows["Cột mốc của {village}"][0].row
    book.save(path)
    result = run(project, "handoff", "import", str(path))
    assert result.exit_code == 1
    assert f"rad.xlsx:{body_row}: rejected: messages/cot-moc#" in result.output
    assert "the translation lacks {border_post}" in result.output
    assert f"rad.xlsx:{title_row}: rejected:" in result.output and "8-bit" in result.output
    assert f"rad.xlsx:{state_row}: rejected:" in result.output and "'maybe'" in result.output
    assert po_entries(project, "messages/cot-moc")[BODY].msgstr == ""


def test_not_a_handoff_file_is_a_clear_error(project, tmp_path):
    bogus = tmp_path / "notes.xlsx"
    bogus.write_bytes(b"hello")
    result = run(project, "handoff", "import", str(bogus))
    assert result.exit_code == 2 and "not a Word (.docx) or Excel (.xlsx) file" in result.output
    from openpyxl import Workbook
    Workbook().save(tmp_path / "blank.xlsx")
    result = run(project, "handoff", "import", str(tmp_path / "blank.xlsx"))
    assert result.exit_code == 2 and "no header row" in result.output


def test_export_selection_and_unknown_names(project):
    result = run(project, "handoff", "export", "--locale", "rad", "bien-gioi", "--format", "docx")
    assert result.exit_code == 0, result.output
    _meta, rows = read_handoff(project / "handoff" / "rad.docx")
    domains = {r.id.split("#")[0] for r in rows}
    assert domains == {"messages/cot-moc", "messages/lua-dao", "leaflets", "audiences", "layouts"}
    assert run(project, "handoff", "export", "--locale", "xx").exit_code == 2
    assert run(project, "handoff", "export", "--locale", "rad", "nope").exit_code == 2
    assert run(project, "handoff", "export", "--locale", "rad", "--message", "nope").exit_code == 2


# --------------------------------------------------------------------------- docx

def docx_table(document):
    for table in document.tables:
        if table.rows and table.rows[0].cells[0].text == "id":
            return table
    raise AssertionError("no handoff table")


def set_translation(row, text: str) -> None:
    """Type into the translation cell's content control, as Word does."""
    from docx.oxml.ns import qn
    cell = row._tr.findall(qn("w:tc"))[COLUMNS.index("translation")]
    texts = list(cell.iter(qn("w:t")))
    texts[0].text = text
    for extra in texts[1:]:
        extra.text = ""


def cell_text(row, key: str) -> str:
    from docx.oxml.ns import qn

    from mobcontent.l10n.handoff import _cell_text
    return _cell_text(row._tr.findall(qn("w:tc"))[COLUMNS.index(key)])


@needs_gettext
def test_docx_round_trip_with_content_controls_reordered_and_deleted_rows(project):
    from docx import Document
    from docx.oxml.ns import qn
    assert run(project, "handoff", "export", "--locale", "rad", "--format", "docx").exit_code == 0
    path = project / "handoff" / "rad.docx"
    document = Document(path)
    table = docx_table(document)
    assert [c.text for c in table.rows[1].cells] == [LABELS[k] for k in COLUMNS]
    rows = {cell_text(r, "source"): r for r in table.rows[2:]}
    assert rows[BODY]._tr.find(".//" + qn("w:sdt")) is not None  # a content control holds the translation
    set_translation(rows[TITLE], MADE_UP[TITLE])
    set_translation(rows[BODY], MADE_UP[BODY])
    set_translation(rows["Biên giới bình yên"], '=SUM(A1:A9) + @cmd')  # text in Word: kept as text
    set_translation(rows[SCAM], "<b>" + "ŭ" * 100_000 + "</b>")
    deleted = cell_text(rows["Cảnh giác lừa đảo"], "id")
    tbl = table._tbl
    tbl.remove(rows["Cảnh giác lừa đảo"]._tr)
    body_tr = rows[BODY]._tr
    tbl.remove(body_tr)
    tbl.insert(list(tbl).index(table.rows[2]._tr), body_tr)  # moved to the top
    document.save(path)
    before = translated_before(project)

    result = run(project, "handoff", "import", str(path), "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1  # the 100 KB cell is rejected
    assert report["counts"]["new"] == 3 and report["counts"]["rejected"] == 1
    assert report["counts"]["missing"] == 1
    assert [r["id"] for r in report["rows"] if r["status"] == "missing"] == [deleted]
    rejected = next(r for r in report["rows"] if r["status"] == "rejected")
    assert rejected["row"] > 2 and "100007 characters" in rejected["why"]
    entries = po_entries(project, "messages/cot-moc")
    assert entries[TITLE].msgstr == MADE_UP[TITLE] and entries[BODY].msgstr == MADE_UP[BODY]
    leaflets = {e.msgid: e for e in read_po((project / "locales/rad/LC_MESSAGES/leaflets.po").read_bytes()).entries}
    assert leaflets["Biên giới bình yên"].msgstr == '=SUM(A1:A9) + @cmd'
    assert set(before) <= set(translated_before(project))
    msgfmt_clean(project)


def test_docx_reexport_shows_current_translation_and_state(project):
    po = project / "locales/rad/LC_MESSAGES/messages/cot-moc.po"
    po.write_text(po.read_text(encoding="utf-8").replace(
        f'msgid "{TITLE}"\nmsgstr ""', f'#, fuzzy\nmsgid "{TITLE}"\nmsgstr "{MADE_UP[TITLE]}"'), encoding="utf-8")
    assert run(project, "handoff", "export", "--locale", "rad", "--message", "cot-moc", "--format", "docx",
               "--output", str(project / "out.docx")).exit_code == 0
    _meta, rows = read_handoff(project / "out.docx")
    title = next(r for r in rows if r.source == TITLE)
    assert (title.translation, title.state) == (MADE_UP[TITLE], "fuzzy")


# --------------------------------------------------------------------------- LibreOffice re-save

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


def resave(path: Path, fmt: str, tmp_path: Path) -> Path:
    """Open and save ``path`` with LibreOffice, as a translator's office suite would."""
    out = tmp_path / "resaved"
    out.mkdir(exist_ok=True)
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180)
    return out / path.name


@needs_soffice
@needs_gettext
@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_a_file_resaved_by_libreoffice_imports_the_same(project, tmp_path, fmt):
    from docx import Document
    assert run(project, "handoff", "export", "--locale", "rad", "--message", "cot-moc", "--format", fmt).exit_code == 0
    path = project / "handoff" / f"rad.{fmt}"
    if fmt == "xlsx":
        book, sheet = load_sheet(path)
        rows = rows_by_source(sheet)
        rows[TITLE][3].value = MADE_UP[TITLE]
        rows[BODY][3].value = MADE_UP[BODY]
        rows["Cột mốc của {village}"][3].value = '=HYPERLINK("http://evil.example","{village}")'
        book.save(path)
    else:
        document = Document(path)
        rows = {cell_text(r, "source"): r for r in docx_table(document).rows[2:]}
        set_translation(rows[TITLE], MADE_UP[TITLE])
        set_translation(rows[BODY], MADE_UP[BODY])
        document.save(path)
    resaved = resave(path, fmt, tmp_path)
    result = run(project, "handoff", "import", str(resaved), "--json")
    report = json.loads(result.stdout)
    assert report["counts"]["new"] == 2 and report["counts"]["missing"] == 0
    if fmt == "xlsx":  # LibreOffice keeps the formula a formula: refused, never evaluated
        assert report["counts"]["rejected"] == 1
        assert "formula" in next(r["why"] for r in report["rows"] if r["status"] == "rejected")
    entries = po_entries(project, "messages/cot-moc")
    assert entries[TITLE].msgstr == MADE_UP[TITLE] and entries[BODY].msgstr == MADE_UP[BODY]
    assert entries["Cột mốc của {village}"].msgstr == ""
    msgfmt_clean(project)


def test_a_row_not_edited_whose_source_changed_is_left_alone(project):
    po = project / "locales/rad/LC_MESSAGES/messages/cot-moc.po"
    po.write_text(po.read_text(encoding="utf-8").replace(
        f'msgid "{BODY}"\nmsgstr ""', f'msgid "{BODY}"\nmsgstr "{MADE_UP[BODY]}"'), encoding="utf-8")
    assert run(project, "handoff", "export", "--locale", "rad", "--message", "cot-moc").exit_code == 0
    message = project / "content/messages/cot-moc.md"
    message.write_text(message.read_text(encoding="utf-8").replace("Báo ngay cho", "Báo ngay, báo đúng cho"),
                       encoding="utf-8")
    assert run(project, "extract").exit_code == 0 and run(project, "update").exit_code == 0
    before = po.read_bytes()
    result = run(project, "handoff", "import", str(project / "handoff/rad.xlsx"), "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["counts"]["unchanged"] == 4
    assert any(r["why"] == "the source changed since the export; the row was not edited" for r in report["rows"])
    assert po.read_bytes() == before  # update's fuzzy entry, with its "#|", stays as it was


def test_export_before_update_says_what_to_do(make_project):
    root = make_project()
    result = run(root, "handoff", "export", "--locale", "rad")
    assert result.exit_code == 2
    assert "there are no PO files for 'rad' yet" in result.output and "mobcontent update" in result.output


@needs_gettext
def test_docx_conflict_and_changed_source(project):
    from docx import Document
    po = project / "locales/rad/LC_MESSAGES/messages/lua-dao.po"
    po.write_text(po.read_text(encoding="utf-8").replace(
        'msgid "Cảnh giác lừa đảo"\nmsgstr ""', 'msgid "Cảnh giác lừa đảo"\nmsgstr "Răng klei mplư"'), encoding="utf-8")
    assert run(project, "handoff", "export", "--locale", "rad", "--format", "docx").exit_code == 0
    path = project / "handoff" / "rad.docx"
    document = Document(path)
    rows = {cell_text(r, "source"): r for r in docx_table(document).rows[2:]}
    set_translation(rows["Cảnh giác lừa đảo"], "Răng klei mplư jih")
    set_translation(rows[BODY], MADE_UP[BODY])
    conflict_row = [r._tr for r in docx_table(document).rows].index(rows["Cảnh giác lừa đảo"]._tr) + 1
    document.save(path)
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Răng klei mplư"', 'msgstr "Răng klei mplư hĭn"'),
                  encoding="utf-8")
    message = project / "content/messages/cot-moc.md"
    message.write_text(message.read_text(encoding="utf-8").replace("Báo ngay cho", "Báo ngay, báo đúng cho"),
                       encoding="utf-8")
    assert run(project, "extract").exit_code == 0 and run(project, "update").exit_code == 0

    result = run(project, "handoff", "import", str(path))
    assert result.exit_code == 1
    assert f"rad.docx:{conflict_row}: conflict: messages/lua-dao#" in result.output
    assert "Răng klei mplư hĭn" in result.output and "--theirs" in result.output
    new_body = BODY.replace("Báo ngay cho", "Báo ngay, báo đúng cho")
    entry = po_entries(project, "messages/cot-moc")[new_body]
    assert entry.fuzzy and entry.previous_msgid == BODY and entry.msgstr == MADE_UP[BODY]
    assert po_entries(project, "messages/lua-dao")["Cảnh giác lừa đảo"].msgstr == "Răng klei mplư hĭn"
    theirs = run(project, "handoff", "import", str(path), "--theirs")
    assert theirs.exit_code == 0, theirs.output
    assert po_entries(project, "messages/lua-dao")["Cảnh giác lừa đảo"].msgstr == "Răng klei mplư jih"
    msgfmt_clean(project)
