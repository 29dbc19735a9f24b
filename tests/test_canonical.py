"""Canonical text: what is fixed on read, what is only reported, and where rules stop."""
from __future__ import annotations

import unicodedata

import pytest

from mobcontent.base.canonical import canonical_text, find_fixes, restyle_syllable
from mobcontent.content.load import load_project


@pytest.mark.parametrize("raw, fixed, code", [
    (unicodedata.normalize("NFD", "Cột mốc"), "Cột mốc", "text-not-nfc"),
    ("\u0115\u0302", "\u00ea\u0306", "mark-order"),
    ("\u014f\u0302k", "\u00f4\u0306k", "mark-order"),
    ("\u00d0ắk L\u00f0k", "Đắk Lđk", "lookalike-letter"),
    ("\u0189ê", "Đê", "lookalike-letter"),
    ("M'nông", "M’nông", "apostrophe"),
    # a backtick between letters may be a legacy-font letter: flagged (base/hygiene.py), never fixed
    ("H\u02bcDuyêt n\u2018gor b\u00b4o a`b", "H’Duyêt n’gor b’o a`b", "apostrophe"),
])
def test_fixes_applied_on_read(raw, fixed, code):
    assert canonical_text(raw) == fixed
    assert code in {f.code for f in find_fixes(raw)}


@pytest.mark.parametrize("text, code, severity", [
    ("[uôn Ea Sup", "legacy-encoding", "error"),
    ("bu{n", "legacy-encoding", "error"),
    ("\u0253uôn", "suspicious-letter", "warning"),
    ("b\u02d8", "suspicious-letter", "warning"),
    ("\u01d4t", "suspicious-letter", "warning"),
])
def test_problems_reported_but_not_guessed(text, code, severity):
    assert canonical_text(text) == unicodedata.normalize("NFC", text)
    assert (code, severity) in {(f.code, f.severity) for f in find_fixes(text)}


@pytest.mark.parametrize("text", [
    "Xem [hướng dẫn](https://x.vn/it's) và <https://a.b/c'd>",
    "Gọi `a'b` hoặc {village} hay {{x}}",
    "Một câu bình thường, không có gì lạ: 113 (cấp cứu).",
    "a \\[ b",
])
def test_urls_code_placeholders_and_markdown_are_left_alone(text):
    assert canonical_text(text) == text
    assert find_fixes(text) == []


def test_tone_style_applies_to_vietnamese_only():
    assert canonical_text("hoà thuỷ khoẻ", "vi", "old") == "hòa thủy khỏe"
    assert canonical_text("hòa thủy khỏe", "vi", "new") == "hoà thuỷ khoẻ"
    assert canonical_text("hòa", "vi", "keep") == "hòa"
    assert canonical_text("hòa", "rad", "new") == "hòa"
    assert [restyle_syllable(w, "new") for w in ("quý", "hoàng", "thuyền", "Hòa")] == ["quý", "hoàng", "thuyền", "Hoà"]
    assert "tone-style" in {f.code for f in find_fixes("hòa", "vi", "new")}


def test_sources_are_canonical_on_read_and_checked(make_project):
    from mobcontent.checks.runner import run_checks
    from mobcontent.checks.translations import check_canonical_text
    root = make_project({
        "content/messages/lua-dao.md": "---\ntitle: Bà con M'nông\nstatus: approved\n---\n"
                                       + unicodedata.normalize("NFD", "Không đọc mã OTP cho ai.") + "\n\n[uôn\n"})
    project = load_project(root)
    message = project.messages["lua-dao"]
    assert message.title == "Bà con M’nông"
    assert message.chunks[0].text.startswith("Không đọc mã OTP")
    found = {(p.code, p.path, p.line) for p in run_checks(project, [check_canonical_text])}
    assert ("apostrophe", "content/messages/lua-dao.md", 2) in found
    assert ("text-not-nfc", "content/messages/lua-dao.md", 5) in found
    assert ("legacy-encoding", "content/messages/lua-dao.md", 7) in found


def test_a_legacy_marker_is_quoted_from_its_own_line_only():
    fixes = find_fixes("Ơ ih.\nke[uôn\nĐăm", "rad")  # the 8 characters either side cross both line breaks
    legacy = [f for f in fixes if f.code == "legacy-encoding"]
    assert legacy and "\n" not in legacy[0].message  # one finding, one line in the report
    assert legacy[0].message.startswith("'ke[uôn'")
