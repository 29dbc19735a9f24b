"""The per-locale glossary: reading, seeding from the audiences, PO comments, handoff,
the ``glossary-term`` and ``inconsistent-translation`` checks, and TBX export.

Golden case: ``tests/golden/glossary/`` holds a glossary, two PO files of made-up
translations and ``rad.expected.txt``; regenerate with ``MOBCONTENT_REGEN=1``.
"""
from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from mobcontent.app.cli import main
from mobcontent.checks.glossary import check_glossary
from mobcontent.content.glossary import parse_glossary
from mobcontent.content.load import load_project
from mobcontent.formats.po import read_po

GOLDEN = Path(__file__).parent / "golden" / "glossary"


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), *args], catch_exceptions=False)


def with_golden(root: Path) -> Path:
    base = root / "locales/rad/LC_MESSAGES/messages"
    base.mkdir(parents=True, exist_ok=True)
    shutil.copy(GOLDEN / "rad.po", base / "a.po")
    shutil.copy(GOLDEN / "rad-other.po", base / "b.po")
    shutil.copy(GOLDEN / "glossary.yaml", root / "locales/rad/glossary.yaml")
    return root


def test_glossary_checks_golden(make_project):
    root = with_golden(make_project())
    found = sorted(check_glossary(load_project(root)), key=lambda p: (p.path, p.line, p.message))
    text = "".join(f"{p.path}:{p.line}: {p.severity}: {p.code}: {p.message}\n" for p in found)
    expected = GOLDEN / "rad.expected.txt"
    if os.environ.get("MOBCONTENT_REGEN"):
        expected.write_text(text, encoding="utf-8")
    assert text == expected.read_text(encoding="utf-8")


def test_strict_check_fails_on_a_glossary_term(make_project):
    root = with_golden(make_project())
    result = run(root, "check", "--json")
    problems = json.loads(result.stdout)["problems"]
    assert any(p["code"] == "glossary-term" and p["severity"] == "warning" for p in problems)
    assert run(root, "check", "--strict").exit_code == 1


def test_a_bad_glossary_is_reported_with_its_line():
    glossary = parse_glossary("terms:\n  - term: buôn\n    transl: x\n  - term: buôn\n  - kind: name\n", "g.yaml", "rad")
    assert [(p.line, p.message) for p in glossary.problems] == [
        (3, "terms[0]: unknown key 'transl'"),
        (4, "'buôn' is already in the glossary (line 2)"),
        (5, "terms[2]: missing 'term' (the Vietnamese word)")]


def test_seed_takes_only_the_audiences_terms_and_invents_nothing(make_project):
    root = make_project()
    result = run(root, "glossary", "seed", "--locale", "rad")
    assert result.exit_code == 0 and "term(s) added" in result.output
    glossary = load_glossary(root)
    terms = {t.term: t for t in glossary.terms}
    assert {"buôn", "Chủ nhật"} <= set(terms) and "bon" not in terms  # mnong does not read rad
    assert all(t.translation == "" for t in glossary.terms)
    assert terms["Đắk Lắk"].kind == "name" and terms["Krông Na"].kind == "name"
    before = (root / "locales/rad/glossary.yaml").read_bytes()
    assert "0 term(s) added" in run(root, "glossary", "seed", "--locale", "rad").output
    assert (root / "locales/rad/glossary.yaml").read_bytes() == before


def test_seed_takes_a_reviewed_audience_translation(make_project):
    root = make_project()
    assert run(root, "extract").exit_code == 0 and run(root, "update").exit_code == 0
    path = root / "locales/rad/LC_MESSAGES/audiences.po"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'msgctxt "ethnic.ede.terms.village"\nmsgid "buôn"\nmsgstr ""',
        'msgctxt "ethnic.ede.terms.village"\nmsgid "buôn"\nmsgstr "ƀuôn"'), encoding="utf-8")
    assert run(root, "glossary", "seed", "--locale", "rad").exit_code == 0
    assert {t.term: t.translation for t in load_glossary(root).terms}["buôn"] == "ƀuôn"


def load_glossary(root: Path):
    from mobcontent.content.glossary import read_glossary
    return read_glossary(load_project(root), "rad")


def test_update_writes_glossary_comments_and_handoff_shows_terms(make_project):
    root = make_project()
    shutil.copy(GOLDEN / "glossary.yaml", root / "locales/rad/glossary.yaml")
    (root / "locales/rad/glossary.yaml").parent.mkdir(parents=True, exist_ok=True)
    assert run(root, "extract").exit_code == 0 and run(root, "update").exit_code == 0
    po = read_po((root / "locales/rad/LC_MESSAGES/audiences.po").read_bytes())
    village = next(e for e in po.entries if e.msgctxt == "ethnic.ede.terms.village")
    assert "glossary: buôn → ƀuôn (not: bôn)" in village.extracted
    assert run(root, "handoff", "export", "--locale", "rad", "--format", "xlsx").exit_code == 0
    from openpyxl import load_workbook
    book = load_workbook(root / "handoff/rad.xlsx")
    contexts = [row[1].value for row in book["translate"].iter_rows(min_row=3)]
    assert any("Thuật ngữ: buôn → ƀuôn (not: bôn)" in c for c in contexts)
    guide = [[c.value for c in row] for row in book["guide"].iter_rows()]
    assert ["buôn", "ƀuôn", "term 'village' of ethnic.ede — không dùng: bôn"] in guide


def test_tbx_export(make_project, tmp_path):
    root = make_project()
    shutil.copy(GOLDEN / "glossary.yaml", root / "locales/rad/glossary.yaml")
    target = tmp_path / "rad.tbx"
    result = run(root, "glossary", "export", "--locale", "rad", str(target))
    assert result.exit_code == 0 and "4 term(s)" in result.output
    tree = ET.parse(target).getroot()
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert tree.tag == "martif" and tree.get(lang) == "vi"
    first = tree.find("text/body/termEntry")
    sets = {s.get(lang): s for s in first.findall("langSet")}
    assert sets["vi"].find("tig/term").text == "buôn"
    tigs = sets["rad"].findall("tig")
    assert tigs[0].find("term").text == "ƀuôn"
    assert (tigs[1].find("term").text, tigs[1].find("termNote").text) == ("bôn", "deprecatedTerm-admn-sts")
    assert run(root, "glossary", "export", "--locale", "xx", str(target)).exit_code == 2
