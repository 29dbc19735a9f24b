"""The four PO defects of issue 14: translator comments through fuzzy/obsolete/revived,
numbers compared as multisets, a backtick read as an apostrophe, and ``update`` leaving a
string exactly as the translator (or polib) saved it unless its content changed."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobcontent.app.cli import main
from mobcontent.checks.translations import entry_problems, missing_numbers
from mobcontent.formats.po import Entry, read_po

needs_gettext = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), *args])


def po_path(root: Path, domain: str = "messages/cot-moc") -> Path:
    return root / "locales" / "rad" / "LC_MESSAGES" / f"{domain}.po"


@pytest.fixture
def project(make_project):
    root = make_project()
    assert run(root, "extract").exit_code == 0
    assert run(root, "update").exit_code == 0
    return root


def fill(path: Path, msgid: str, msgstr_lines: list[str], comment: str | None = None) -> None:
    """Write a translation for ``msgid`` with its msgstr on the given lines (as polib would
    wrap them) and an optional translator comment."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    at = lines.index(f'msgid "{msgid}"')
    assert lines[at + 1] == 'msgstr ""'
    lines[at + 1:at + 2] = msgstr_lines
    if comment:
        start = at
        while start > 0 and lines[start - 1].startswith("#"):
            start -= 1
        lines.insert(start, f"# {comment}")
    path.write_text("\n".join(lines), encoding="utf-8")


def edit_message(root: Path, old: str, new: str) -> None:
    path = root / "content/messages/cot-moc.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert run(root, "extract").exit_code == 0
    result = run(root, "update")
    assert result.exit_code == 0, result.output


def entry(root: Path, start: str, domain: str = "messages/cot-moc") -> Entry:
    return next(e for e in read_po(po_path(root, domain).read_bytes()).entries if e.msgid.startswith(start))


def test_translator_comment_survives_fuzzy_obsolete_and_revival(project):
    source = "Mỗi cột mốc là tài sản chung. Báo ngay cho {border_post}."
    fill(po_path(project), source, ['msgstr "Grăp cột mốc {border_post}."'], comment="hỏi già làng chữ này")
    edit_message(project, "tài sản chung.", "tài sản chung của bà con.")
    fuzzy = entry(project, "Mỗi cột mốc")
    assert fuzzy.fuzzy and fuzzy.previous_msgid == source
    assert fuzzy.comments == ("hỏi già làng chữ này",)
    edit_message(project, "Mỗi cột mốc là tài sản chung của bà con. Báo ngay cho {border_post}.\n", "")
    gone = entry(project, "Mỗi cột mốc")
    assert gone.obsolete and gone.comments == ("hỏi già làng chữ này",)
    edit_message(project, "# Cột mốc của {village}\n", "# Cột mốc của {village}\n\n"
                 "Mỗi cột mốc là tài sản chung của bà con. Báo ngay cho {border_post}.\n")
    back = entry(project, "Mỗi cột mốc")
    assert not back.obsolete and back.comments == ("hỏi già làng chữ này",)
    assert back.msgstr == "Grăp cột mốc {border_post}."


@needs_gettext
def test_update_keeps_the_translators_wrapping_when_only_references_change(project):
    path = po_path(project)
    # polib wraps at 78 columns on spaces, where GNU gettext would keep the line whole
    polib_lines = ['msgstr ""', '"Grăp cột mốc jing ngăn dưn jih jang "', '"{border_post}."']
    fill(path, "Mỗi cột mốc là tài sản chung. Báo ngay cho {border_post}.", polib_lines)
    edit_message(project, "# Cột mốc của {village}\n", "# Cột mốc của {village}\n\n\n")  # lines move
    text = path.read_text(encoding="utf-8")
    assert "\n".join(polib_lines) in text
    assert "cot-moc.md:13" in text  # the reference did change
    check = subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_a_changed_msgstr_is_rewrapped_as_gettext_writes_it(project):
    from dataclasses import replace

    from mobcontent.formats.po import format_po
    path = po_path(project)
    fill(path, "Mỗi cột mốc là tài sản chung. Báo ngay cho {border_post}.", ['msgstr ""', '"a "', '"b"'])
    po = read_po(path.read_bytes())
    changed = replace(po, entries=tuple(replace(e, msgstr="c d") if e.msgstr == "a b" else e for e in po.entries))
    assert 'msgstr "c d"' in format_po(changed, po)
    assert '"a "\n"b"' in format_po(po, po)


@pytest.mark.parametrize("source, text, missing", [
    ("Gọi 114 khi có cháy.", "Iêu 150 114 tơdah mâo pui.", []),
    ("Gọi 113 hoặc 114.", "Iêu 113 114.", []),
    ("Gọi 113 hoặc 113.", "Iêu 113.", ["113"]),
    ("Số 0262 3852 123.", "Số 02623852123.", []),
    ("Giá 1.000 đồng, gọi 115.", "Jia 1000, iêu 115.", []),
    ("Gọi 115.", "Iêu 1150.", ["115"]),
])
def test_numbers_are_compared_as_multisets(source, text, missing):
    assert missing_numbers(source, text) == missing


def codes(msgid: str, msgstr: str) -> set[str]:
    return {p.code for p in entry_problems(Entry(msgid=msgid, msgstr=msgstr, line=5), "x.po", "rad")}


def test_a_number_after_another_number_is_not_reported_missing():
    assert "number-missing" not in codes("Gọi 114 ngay.", "Iêu 150 114.")
    assert "number-missing" in codes("Gọi 114 ngay.", "Iêu 150.")


def test_a_backtick_read_as_an_apostrophe_is_not_markup_changed():
    found = codes("Gửi anh N’Trang lời chào.", "Brei kơ N`Trang klei kkuh.")
    assert "markup-changed" not in found
    assert "markup-changed" in codes("Gõ `mã` vào.", "Mă mã.")


def test_the_translators_wrapping_survives_obsolete_and_revival(project):
    path = po_path(project)
    polib_lines = ['msgstr ""', '"Grăp cột mốc jing ngăn dưn jih jang "', '"{border_post}."']
    fill(path, "Mỗi cột mốc là tài sản chung. Báo ngay cho {border_post}.", polib_lines)
    edit_message(project, "Mỗi cột mốc là tài sản chung. Báo ngay cho {border_post}.\n", "")
    assert "\n".join("#~ " + line for line in polib_lines) in path.read_text(encoding="utf-8")
    edit_message(project, "# Cột mốc của {village}\n", "# Cột mốc của {village}\n\n"
                 "Mỗi cột mốc là tài sản chung. Báo ngay cho {border_post}.\n")
    assert "\n".join(polib_lines) in path.read_text(encoding="utf-8")
