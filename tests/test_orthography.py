"""Orthography checks for rad and cmo, driven by ``locale.yaml`` data.

Golden cases: ``tests/golden/orthography/<locale>.po`` (entries of our own making: no
openly licensed Ê Đê or M'nông text with its diacritics was found to test on) beside
``<locale>.expected.txt``, the findings as ``line: severity: code: message``. Regenerate
with ``MOBCONTENT_REGEN=1 pytest tests/test_orthography.py`` and review the diff.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobcontent.app.cli import main
from mobcontent.checks.orthography import check_orthography, compile_orthography
from mobcontent.content.load import load_project

GOLDEN = Path(__file__).parent / "golden" / "orthography"
REPO = Path(__file__).parent.parent


@pytest.fixture
def project(make_project):
    """The base project with the demo's real rad and cmo locale.yaml (letters and rules)."""
    return make_project({
        "mobcontent.yaml": "name: Test\nlocales: [vi, rad, cmo]\n",
        "locales/rad/locale.yaml": (REPO / "locales/rad/locale.yaml").read_text(encoding="utf-8"),
        "locales/cmo/locale.yaml": (REPO / "locales/cmo/locale.yaml").read_text(encoding="utf-8"),
    })


@pytest.mark.parametrize("locale", sorted(p.stem for p in GOLDEN.glob("*.po")))
def test_orthography_golden(project, locale):
    target = project / "locales" / locale / "LC_MESSAGES" / "messages" / "case.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(GOLDEN / f"{locale}.po", target)
    found = [p for p in check_orthography(load_project(project)) if p.path.startswith(f"locales/{locale}/")]
    text = "".join(f"{p.line}: {p.severity}: {p.code}: {p.message}\n" for p in found)
    expected = GOLDEN / f"{locale}.expected.txt"
    if os.environ.get("MOBCONTENT_REGEN"):
        expected.write_text(text, encoding="utf-8")
    assert text == expected.read_text(encoding="utf-8")


def test_every_letter_of_letters_tsv_is_in_its_alphabet(project):
    """The alphabets come from the shared letter table: every letter it marks for a
    language passes the letter check, upper and lower case, and nothing else is listed."""
    table = Path("/work/shared/data/letters.tsv")
    rows = [line.split("\t") for line in table.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith(("#", "lower\t"))] if table.is_file() else []
    loaded = load_project(project)
    for code, column in (("rad", 5), ("cmo", 6)):
        rules = compile_orthography(loaded.locales[code])
        expected = {row[0] for row in rows if row[column].strip() == "y"}
        if rows:
            assert set(rules.letters) == expected
        for letter in rules.letters:
            assert rules.bad_letters(letter) == [] and rules.bad_letters(letter.upper()) == []


def test_rules_are_data_a_linguist_can_change(project):
    path = project / "locales/rad/locale.yaml"
    text = path.read_text(encoding="utf-8").replace("max_onset: 3", "max_onset: 1")
    path.write_text(text, encoding="utf-8")
    rules = compile_orthography(load_project(project).locales["rad"])
    assert rules.syllable_problem("kngan") and not rules.syllable_problem("ngan")


def test_a_bad_orthography_value_is_reported_with_its_line(project):
    path = project / "locales/rad/locale.yaml"
    text = path.read_text(encoding="utf-8").replace("max_onset: 3", "max_onset: three")
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["-C", str(project), "check"])
    line = text.split("\n").index("  max_onset: three") + 1
    assert result.exit_code == 2
    assert f"locales/rad/locale.yaml:{line}: error: bad-value: orthography.max_onset: 'three' is not a number" \
        in result.output


def test_check_reports_orthography_through_the_cli(project):
    target = project / "locales/rad/LC_MESSAGES/messages/case.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(GOLDEN / "rad.po", target)
    result = CliRunner().invoke(main, ["-C", str(project), "check", "--json"])
    import json
    problems = json.loads(result.stdout)["problems"]
    codes = {(p["code"], p["severity"]) for p in problems if p["path"].endswith("case.po")}
    assert {("letter-not-in-alphabet", "error"), ("letter-not-in-alphabet", "warning"),
            ("looks-untranslated", "warning"), ("syllable-shape", "warning")} <= codes
    assert result.exit_code == 1
