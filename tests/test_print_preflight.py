"""Preflight: glyphs (at the line they came from), ê̆ stacking, and why a release is refused."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BASE_FILES
from print_support import run

from mobcontent.checks import glyphs as _glyphs
from mobcontent.checks.glyphs import locate, stacking_problems
from mobcontent.printing.fonts import FontFace, FontKit, prepare_font_kit
from mobcontent.printing.stacking import check_stacking

PHONE = "☎"  # U+260E: in the kit's base repertoire, but no Noto face draws it
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

RAD_LEAFLET = BASE_FILES["content/leaflets/bien-gioi.yaml"].replace("locales: [vi]", "locales: [vi, rad]")
RAD_PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: rad\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

#: content/messages/lua-dao.md:2
msgid "Cảnh giác lừa đảo"
msgstr "Răng mơ̆ng klei mplư"

#: content/messages/lua-dao.md:6
msgid "Không đọc mã OTP cho ai. Gọi **113** khi nghi ngờ."
msgstr ""
"Đăm blŭ OTP kơ arăng ôh. {PHONE} Iêu **113** tơdah "
"huĭ."
""".replace("{PHONE}", PHONE)


def test_a_character_no_font_has_is_reported_at_its_po_line_and_refused_by_release(make_project, shared_kit):
    root = make_project({"content/leaflets/bien-gioi.yaml": RAD_LEAFLET,
                         "locales/rad/LC_MESSAGES/messages/lua-dao.po": RAD_PO})
    result = run(root, "build", "--release", "--locale", "rad")
    assert result.exit_code == 1
    where = "locales/rad/LC_MESSAGES/messages/lua-dao.po:14"  # the msgstr line holding ☎, not the msgid
    assert (f"{where}: error: glyph-missing: the fonts have no glyph for '{PHONE}' (U+260E)"
            in result.stderr)
    assert "release-refused: 'bien-gioi.rad' is not fit to print" in result.stderr
    assert not (root / "build" / "bien-gioi").exists()


def test_a_draft_prints_the_missing_character_highlighted(make_project, shared_kit):
    root = make_project({"content/leaflets/bien-gioi.yaml": RAD_LEAFLET,
                         "locales/rad/LC_MESSAGES/messages/lua-dao.po": RAD_PO})
    result = run(root, "build", "--locale", "rad", "--format", "pdf,html")
    assert result.exit_code == 1, result.output  # a missing glyph fails the edition; its draft is written to review
    assert "lua-dao.po:14: error: glyph-missing" in result.stderr
    html = (root / "build" / "bien-gioi" / "bien-gioi.rad.html").read_text(encoding="utf-8")
    assert f'<span class="mc-glyph-missing">{PHONE}</span>' in html
    assert 'class="draft-mark"' in html


def test_a_missing_glyph_in_a_message_names_the_message_line(make_project, shared_kit):
    root = make_project({"content/messages/lua-dao.md":
                         f"---\ntitle: Cảnh giác lừa đảo\nstatus: approved\n---\nDòng một.\n\nGọi {PHONE} 113.\n"})
    result = run(root, "build", "--release")
    assert "content/messages/lua-dao.md:7: error: glyph-missing" in result.stderr
    check = run(root, "check")
    assert "content/messages/lua-dao.md:7: error: glyph-missing" in check.output


def test_check_reports_po_lines_too(make_project, shared_kit):
    root = make_project({"content/leaflets/bien-gioi.yaml": RAD_LEAFLET,
                         "locales/rad/LC_MESSAGES/messages/lua-dao.po": RAD_PO})
    result = run(root, "check")
    assert result.exit_code == 1
    assert "locales/rad/LC_MESSAGES/messages/lua-dao.po:14: error: glyph-missing" in result.output


def test_locate_finds_the_line_below_the_origin(tmp_path):
    (tmp_path / "a.po").write_text('msgid "x"\nmsgstr ""\n"abc"\n"d☎"\n', encoding="utf-8")
    assert locate(tmp_path, "a.po:1", "☎") == ("a.po", 4)
    assert locate(tmp_path, "a.po:1", "q") == ("a.po", 1)


def dejavu_kit(folder: Path) -> FontKit:
    return FontKit(folder, (FontFace("MC Sans", 400, "normal", DEJAVU),), "dejavu")


@pytest.mark.skipif(not DEJAVU.is_file(), reason="DejaVu Sans is not installed")
def test_dejavu_fails_the_stacking_check_and_the_kit_passes(shared_kit, tmp_path):
    problems = check_stacking(DEJAVU)
    assert problems and any(p.startswith("ê̆") for p in problems)
    found = stacking_problems(dejavu_kit(tmp_path))
    assert found and {p.code for p in found} == {"glyph-stacking"} and {p.severity for p in found} == {"error"}
    assert [p.message for p in found] == problems
    kit = prepare_font_kit(shared_kit)
    assert stacking_problems(kit) == []


@pytest.mark.skipif(not DEJAVU.is_file(), reason="DejaVu Sans is not installed")
def test_stacking_is_worked_out_once_per_kit_and_kept_beside_it(tmp_path, monkeypatch):
    """Another process (here: the in-process memory forgotten) reads the kept answer and shapes
    nothing; a kept file that is damaged or from another tool version is worked out again."""
    first = stacking_problems(dejavu_kit(tmp_path))
    kept = tmp_path / "stacking.en.json"
    assert kept.is_file() and first

    def no_shaping(path):
        raise AssertionError(f"{path} was shaped again")

    _glyphs._stacking.cache_clear()
    monkeypatch.setattr(_glyphs, "check_stacking", no_shaping)
    assert stacking_problems(dejavu_kit(tmp_path)) == first
    monkeypatch.undo()
    for damaged in ("{not json", json.dumps({"tool": "0.0.0:old", "faces": {"DejaVuSans.ttf": []}}),
                    json.dumps({"tool": json.loads(kept.read_text())["tool"], "faces": {"DejaVuSans.ttf": [3]}})):
        kept.write_text(damaged, encoding="utf-8")
        _glyphs._stacking.cache_clear()
        assert stacking_problems(dejavu_kit(tmp_path)) == first, damaged
        assert json.loads(kept.read_text())["faces"]["DejaVuSans.ttf"] == [p.message for p in first]


def test_release_lists_every_reason_and_writes_nothing(make_project, shared_kit):
    fuzzy = RAD_PO.replace(PHONE + " ", "").replace('#: content/messages/lua-dao.md:2\n',
                                                    '#: content/messages/lua-dao.md:2\n#, fuzzy\n')
    root = make_project({
        "content/leaflets/bien-gioi.yaml": RAD_LEAFLET,
        "locales/rad/LC_MESSAGES/messages/lua-dao.po": fuzzy,
        "content/messages/cot-moc.md": BASE_FILES["content/messages/cot-moc.md"].replace("approved", "review"),
    })
    result = run(root, "build", "--release", "--locale", "rad")
    assert result.exit_code == 1
    err = result.stderr
    assert "lua-dao.po:10: error: translation-fuzzy: rad: 'Cảnh giác lừa đảo' is fuzzy" in err  # its msgstr
    assert ("content/messages/cot-moc.md:11: error: translation-missing: rad: "
            "'Mỗi cột mốc là tài sản chung. Báo ngay cho {border_post}.' has no translation yet") in err
    assert "locales/rad/LC_MESSAGES/layouts.po: error: translation-missing: rad: 'BẢN NHÁP'" in err
    assert "content/messages/cot-moc.md:7: error: not-approved: message 'cot-moc' is 'review', not approved" in err
    assert "error: release-refused: 'bien-gioi.rad' is not fit to print" in err
    assert not (root / "build" / "bien-gioi").exists()
    # without --release the same leaflet is a draft, marked, and the build succeeds
    draft = run(root, "build", "--locale", "rad", "--format", "html")
    assert draft.exit_code == 0, draft.output
    html = (root / "build" / "bien-gioi" / "bien-gioi.rad.html").read_text(encoding="utf-8")
    assert "BẢN NHÁP" in html and 'class="mc-fuzzy"' in html and 'class="mc-missing"' in html
