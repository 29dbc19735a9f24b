"""Translation memory in ``update``, and TMX / PO compendium export and import.

Translations here are made-up test strings, not real Ê Đê.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobcontent.app.cli import main
from mobcontent.formats.po import read_po

needs_gettext = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")

MESSAGE = """\
---
title: {title}
audience:
  ethnic: [{ethnic}]
status: approved
---
{body}
"""


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), *args], catch_exceptions=False)


def message(title: str, body: str, ethnic: str = "ede") -> str:
    return MESSAGE.format(title=title, body=body, ethnic=ethnic)


def entries(root: Path, slug: str) -> dict:
    path = root / "locales/rad/LC_MESSAGES/messages" / f"{slug}.po"
    return {e.msgid: e for e in read_po(path.read_bytes()).entries if not e.obsolete}


def translate(root: Path, slug: str, pairs: dict, fuzzy: bool = False) -> None:
    path = root / "locales/rad/LC_MESSAGES/messages" / f"{slug}.po"
    text = path.read_text(encoding="utf-8")
    for msgid, msgstr in pairs.items():
        old = f'msgid "{msgid}"\nmsgstr ""'
        assert old in text, msgid
        text = text.replace(old, ("#, fuzzy\n" if fuzzy else "") + f'msgid "{msgid}"\nmsgstr "{msgstr}"')
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def project(make_project):
    root = make_project({
        "content/messages/a.md": message("Nước sạch", "Hãy đun sôi nước trước khi uống, bà con buôn làng nhé.\n\n"
                                         "Rửa tay bằng xà phòng trước khi ăn cơm và sau khi đi vệ sinh."),
        "content/messages/b.md": message("Nước sạch cho bon", "Hãy đun sôi nước trước khi uống, bà con bon làng nhé.",
                                         "mnong"),
    })
    assert run(root, "extract").exit_code == 0 and run(root, "update").exit_code == 0
    translate(root, "a", {"Hãy đun sôi nước trước khi uống, bà con buôn làng nhé.": "Đun êa hlăm buôn [a]",
                          "Rửa tay bằng xà phòng trước khi ăn cơm và sau khi đi vệ sinh.": "Rao kngan [a]"})
    translate(root, "b", {"Hãy đun sôi nước trước khi uống, bà con bon làng nhé.": "Đun êa hlăm bon [b]"})
    return root


def add_message(root: Path, slug: str, text: str) -> str:
    (root / "content/messages" / f"{slug}.md").write_text(text, encoding="utf-8")
    assert run(root, "extract").exit_code == 0
    result = run(root, "update")
    assert result.exit_code == 0, result.output
    return result.output


@needs_gettext
def test_exact_match_in_another_message_is_translated_with_a_comment_naming_it(project):
    output = add_message(project, "c", message("Vệ sinh", "Rửa tay bằng xà phòng trước khi ăn cơm và sau khi đi vệ sinh."))
    assert "messages/c.po: created (1 new, 1 from memory)" in output
    entry = entries(project, "c")["Rửa tay bằng xà phòng trước khi ăn cơm và sau khi đi vệ sinh."]
    assert (entry.msgstr, entry.fuzzy) == ("Rao kngan [a]", False)
    assert entry.comments == ("tm: same text translated in messages/a",)
    path = project / "locales/rad/LC_MESSAGES/messages/c.po"
    check = subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_a_fuzzy_translation_elsewhere_is_offered_as_fuzzy_only(project):
    add_message(project, "d", message("Mới", "Tiêm chủng đầy đủ cho trẻ em dưới một tuổi tại trạm y tế xã."))
    translate(project, "d", {"Tiêm chủng đầy đủ cho trẻ em dưới một tuổi tại trạm y tế xã.": "Čhŭk [d]"}, fuzzy=True)
    add_message(project, "e", message("Khác", "Tiêm chủng đầy đủ cho trẻ em dưới một tuổi tại trạm y tế xã."))
    entry = entries(project, "e")["Tiêm chủng đầy đủ cho trẻ em dưới một tuổi tại trạm y tế xã."]
    assert entry.fuzzy and entry.msgstr == "Čhŭk [d]"


def test_close_match_is_fuzzy_with_previous_source_and_score(project):
    add_message(project, "c", message("Vệ sinh", "Rửa tay bằng xà phòng trước khi ăn cơm và sau khi đi vệ sinh nhé."))
    entry = entries(project, "c")["Rửa tay bằng xà phòng trước khi ăn cơm và sau khi đi vệ sinh nhé."]
    assert entry.fuzzy and entry.msgstr == "Rao kngan [a]"
    assert entry.previous_msgid == "Rửa tay bằng xà phòng trước khi ăn cơm và sau khi đi vệ sinh."
    assert len(entry.comments) == 1 and entry.comments[0].startswith("tm: ")
    assert entry.comments[0].endswith("% match from messages/a")
    score = float(entry.comments[0].split()[1].rstrip("%"))
    assert 90 <= score < 100


@pytest.mark.parametrize("ethnic, wanted", [("ede", "Đun êa hlăm buôn [a]"), ("mnong", "Đun êa hlăm bon [b]")])
def test_variants_differing_only_in_terms_prefer_the_same_ethnic_group(project, ethnic, wanted):
    add_message(project, "f", message("Thôn", "Hãy đun sôi nước trước khi uống, bà con {village} làng nhé.", ethnic))
    entry = entries(project, "f")["Hãy đun sôi nước trước khi uống, bà con {village} làng nhé."]
    assert entry.fuzzy and entry.msgstr == wanted
    assert entry.comments[0].startswith("tm: same sentence with other audience terms")
    assert f"ethnic={ethnic}" in entry.comments[0]


def test_no_match_stays_untranslated(project):
    add_message(project, "g", message("Lạ", "Một câu hoàn toàn khác, về chuyện mùa màng năm nay."))
    entry = entries(project, "g")["Một câu hoàn toàn khác, về chuyện mùa màng năm nay."]
    assert entry.msgstr == "" and not entry.comments


def test_tmx_export_then_import_into_another_project(project, make_project, tmp_path):
    tmx = tmp_path / "rad.tmx"
    result = run(project, "tm", "export", "--locale", "rad", str(tmx))
    assert result.exit_code == 0 and "3 translation unit(s)" in result.output
    root = ET.parse(tmx).getroot()
    assert root.tag == "tmx" and root.find("header").get("srclang") == "vi"
    units = {tu.find("tuv/seg").text: tu.findall("tuv")[1].find("seg").text for tu in root.iter("tu")}
    assert units["Rửa tay bằng xà phòng trước khi ăn cơm và sau khi đi vệ sinh."] == "Rao kngan [a]"

    other = tmp_path / "other"
    shutil.copytree(project, other)
    for po in (other / "locales/rad/LC_MESSAGES/messages").glob("*.po"):
        po.unlink()
    result = run(other, "tm", "import", "--locale", "rad", str(tmx))
    assert result.exit_code == 0 and "3 added, 0 already known" in result.output
    assert run(other, "tm", "import", "--locale", "rad", str(tmx)).output.strip().endswith("0 added, 3 already known")
    assert run(other, "update").exit_code == 0
    entry = entries(other, "a")["Rửa tay bằng xà phòng trước khi ăn cơm và sau khi đi vệ sinh."]
    assert entry.fuzzy and entry.msgstr == "Rao kngan [a]"  # outside memory: reviewed before print
    assert entry.comments == ("tm: exact match from imported memory",)


def test_po_compendium_import_and_export(project, tmp_path):
    compendium = tmp_path / "rad.po"
    assert run(project, "tm", "export", "--locale", "rad", str(compendium)).exit_code == 0
    assert len([e for e in read_po(compendium.read_bytes()).entries if e.translated]) == 3
    result = run(project, "tm", "import", "--locale", "rad", str(compendium))
    assert result.exit_code == 0 and "3 added" in result.output
    assert (project / "locales/rad/memory.po").is_file()


def test_hostile_tmx_is_refused(project, tmp_path):
    bomb = tmp_path / "bomb.tmx"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY a "aaaa">]><tmx version="1.4"><body>&a;</body></tmx>')
    result = run(project, "tm", "import", "--locale", "rad", str(bomb))
    assert result.exit_code == 1 and "DOCTYPE" in result.output
    broken = tmp_path / "broken.tmx"
    broken.write_text('<?xml version="1.0"?>\n<tmx version="1.4">\n<body><tu>\n</tmx>')
    result = run(project, "tm", "import", "--locale", "rad", str(broken))
    assert result.exit_code == 1 and "broken.tmx:4" in result.output


GOLDEN = Path(__file__).parent / "golden" / "tm"


def test_update_with_memory_golden(project, monkeypatch):
    """One new message with a sentence of each kind; its PO file (entries, comments,
    flags, previous msgids) against ``tests/golden/tm/new-message.expected.po``. Regenerate
    with ``MOBCONTENT_REGEN=1`` and review the diff."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    add_message(project, "new", message("Nước sạch", "\n\n".join([
        "Rửa tay bằng xà phòng trước khi ăn cơm và sau khi đi vệ sinh.",        # exact: translated
        "Rửa tay bằng xà phòng trước khi ăn cơm và sau khi đi vệ sinh nhé.",    # close: fuzzy, score
        "Hãy đun sôi nước trước khi uống, bà con {village} làng nhé.",          # other terms: fuzzy, same group
        "Một câu hoàn toàn khác, về chuyện mùa màng năm nay.",                  # nothing
    ])))
    path = project / "locales/rad/LC_MESSAGES/messages/new.po"
    text = path.read_text(encoding="utf-8")
    body = text[text.index("\n\n") + 2:]  # the entries, without the header
    expected = GOLDEN / "new-message.expected.po"
    if os.environ.get("MOBCONTENT_REGEN"):
        expected.write_text(body, encoding="utf-8")
    assert body == expected.read_text(encoding="utf-8")
