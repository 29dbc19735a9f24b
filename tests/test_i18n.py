"""The tool speaks Vietnamese: the CLI under ``LANG=vi_VN.UTF-8``, ``--lang`` and
``ui_locale``; English stays the default; the catalog covers every message in the
code (extracted with Babel), is complete, clean for ``msgfmt -c`` and keeps every
``{placeholder}``; first-run help and typo suggestions.

The language is reset to English around every test by the ``english_interface``
fixture in conftest.py.
"""
from __future__ import annotations

import ast
import importlib.util
import shutil
import string
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import mobcontent
from mobcontent.app.cli import main
from mobcontent.app.language import catalog_path, detect_language, set_language
from mobcontent.base.errors import ContentError, Problem
from mobcontent.base.i18n import N_, _, language
from mobcontent.formats.po import read_po
from mobcontent.formats.yamlio import read_yaml

VI = {"LANG": "vi_VN.UTF-8"}
CATALOG = Path(str(catalog_path("vi")))
LEAFLET = "content/leaflets/bien-gioi.yaml"


def run(args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env or {}, prog_name="mobcontent")


def lines(result) -> list[str]:
    return result.output.splitlines()


@pytest.fixture(scope="module")
def ui_catalog():
    """scripts/ui_catalog.py, the extraction the Makefile's ``ui-catalog`` runs."""
    path = Path(__file__).parent.parent / "scripts" / "ui_catalog.py"
    spec = importlib.util.spec_from_file_location("ui_catalog", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def extracted(ui_catalog):
    return ui_catalog.ui_messages()


@pytest.fixture(scope="module")
def catalog():
    return read_po(CATALOG.read_bytes(), str(CATALOG))


# --------------------------------------------------------------------------- Vietnamese errors and help

def test_duplicate_key_in_vietnamese(make_project):
    root = make_project({LEAFLET: "title: Biên giới bình yên\naudience: {ethnic: ede, religion: protestant, zone: krong-na}\n"
                                  "locales: [vi]\nlayout: a5-flyer\nmessages: [cot-moc, lua-dao]\nlayout: a4-poster\n"})
    result = run(["-C", root, "check"], VI)
    assert result.exit_code == 2
    assert lines(result) == [
        f"{LEAFLET}:6: lỗi: yaml-duplicate-key: mục 'layout' bị lặp (lần đầu ở dòng 4) — "
        "xóa một trong hai dòng, hoặc gộp giá trị của chúng",
        "1 vấn đề: chương trình không đọc được dự án."]


def test_unknown_audience_value_in_vietnamese(make_project):
    root = make_project({LEAFLET: "title: Biên giới bình yên\naudience: {ethnic: ede, zone: krongna}\n"
                                  "locales: [vi]\nmessages: [lua-dao]\n"})
    vietnamese = run(["-C", root, "check"], VI)
    assert vietnamese.exit_code == 2
    assert (f"{LEAFLET}:2: lỗi: audience-unknown-value: audience.zone: không có địa bàn nào tên là 'krongna' — "
            "hãy dùng một trong: krong-na, ea-kiet (có phải ý bạn là 'krong-na'?) — "
            "hoặc thêm vào content/audiences.yaml") in lines(vietnamese)
    english = run(["-C", root, "check"])  # the same problem, byte for byte as before
    assert (f"{LEAFLET}:2: error: audience-unknown-value: audience.zone: unknown zone 'krongna' — "
            "use one of: krong-na, ea-kiet (did you mean 'krong-na'?) — or add it to content/audiences.yaml"
            ) in lines(english)


def test_usage_errors_in_vietnamese(make_project):
    root = make_project()
    typo = run(["-C", root, "chek"], VI)
    assert typo.exit_code == 2
    assert "Cách dùng: mobcontent [TÙY_CHỌN] [LỆNH] [THAM_SỐ]..." in lines(typo)
    assert "Gõ 'mobcontent --help' để xem hướng dẫn." in lines(typo)
    assert "Lỗi: Không có lệnh 'chek'. Có phải ý bạn là 'check'?" in lines(typo)
    option = run(["-C", root, "check", "--stirct"], VI)
    assert option.exit_code == 2
    assert "Lỗi: Không có tùy chọn '--stirct'. Có phải ý bạn là '--strict'?" in lines(option)
    missing = run(["-C", root, "show"], VI)
    assert missing.exit_code == 2 and "Lỗi: Thiếu đối số 'TIN_BÀI'." in lines(missing)
    value = run(["-C", root, "list", "--ethnic", "edee"], VI)
    assert value.exit_code == 2
    assert lines(value) == ["lỗi: không có dân tộc nào tên là 'edee' — hãy dùng một trong: ede, mnong"]


def test_help_in_vietnamese():
    result = run(["--help"], VI)
    assert result.exit_code == 0
    text = result.output
    assert text.startswith("Cách dùng: mobcontent [TÙY_CHỌN] [LỆNH] [THAM_SỐ]...\n")
    assert "Tờ rơi tuyên truyền: viết một lần bằng tiếng Việt" in text
    for line in ("Tùy chọn:", "Lệnh:"):
        assert line in lines(result)
    assert "Thư mục của dự án.  [mặc định: .]" in text
    assert "Hiện hướng dẫn này rồi thoát." in text and "Hiện phiên bản rồi thoát." in text
    # the column's width follows the longest command name (glossary, handoff)
    assert any(line.startswith("  check ") and line[8:].lstrip().startswith(
        "Kiểm tra nội dung, đối tượng, tờ rơi và phông chữ") for line in text.split("\n"))
    check = run(["check", "--help"], VI)
    assert "Coi cả cảnh báo là lỗi." in check.output and "In các lỗi ra dạng JSON." in check.output
    assert run(["--version"], VI).output == f"mobcontent, phiên bản {mobcontent.__version__}\n"


def test_output_in_vietnamese(make_project):
    root = make_project()
    result = run(["-C", root, "list"], VI)
    assert result.exit_code == 0
    assert lines(result)[0].split() == ["TÊN", "TỆP", "TÌNH", "TRẠNG", "CHỦ", "ĐỀ", "ĐỐI", "TƯỢNG", "TIÊU", "ĐỀ"]
    assert lines(result)[-1] == "2 tin bài"
    show = run(["-C", root, "show", "cot-moc", "--ethnic", "ede", "--zone", "krong-na"], VI)
    assert "Các từ đã tự điền:" in lines(show)
    assert "Các khối bị bỏ:" in lines(show)  # the protestant-only block, for an audience of every religion
    assert any("(đối tượng này: mọi tôn giáo)" in line for line in lines(show))


def test_preview_pages_in_vietnamese(tmp_path):
    from mobcontent.app.pages import index_body, page, problems_html
    set_language("vi")
    html = page("x", index_body(None, [], [], tmp_path), {"generation": 0, "built": 0, "building": True})
    assert "<html lang='vi'>" in html and "Chưa dựng tờ rơi nào." in html and "đang cập nhật…" in html
    assert "Xem trước một tin bài cho một đối tượng" in html
    problems = problems_html([Problem("yaml-syntax", "error", "a.yaml", 2, "m")])
    assert "Lỗi trong lần dựng gần nhất" in problems and "a.yaml:2: lỗi: yaml-syntax: m" in problems


# --------------------------------------------------------------------------- choosing the language

@pytest.mark.parametrize("env", [{"LANG": "C"}, {"LANG": "en_US.UTF-8"}, {"LANG": "C.UTF-8"}, {}])
def test_english_stays_the_default(env):
    result = run(["chek"], env)
    assert "Error: No such command 'chek'. Did you mean 'check'?" in lines(result)
    assert run(["--help"], env).output.startswith("Usage: mobcontent")


def test_lang_option_beats_the_environment(make_project):
    root = make_project({LEAFLET: "title: x\n"})
    assert "lỗi: yaml-missing-key" in run(["--lang", "vi", "-C", root, "check"], {"LANG": "C"}).output
    assert "lỗi: yaml-missing-key" in run(["--lang=vi", "-C", root, "check"], {"LANG": "C"}).output
    english = run(["--lang", "en", "-C", root, "check"], VI)
    assert f"{LEAFLET}:1: error: yaml-missing-key: the file: missing key 'audience' — add 'audience: ...'" \
        in lines(english)
    assert "Invalid value for '--lang'" in run(["--lang", "fr", "list"]).output


def test_project_ui_locale(make_project, monkeypatch):
    root = make_project({"mobcontent.yaml": "name: Test\nlocales: [vi, rad]\nui_locale: vi\n",
                         LEAFLET: "title: x\n"})
    assert "lỗi: yaml-missing-key" in run(["-C", root, "check"], {"LANG": "C"}).output
    assert "lỗi: yaml-missing-key" in run([f"--project={root}", "check"], {"LANG": "C"}).output
    monkeypatch.chdir(root)
    assert run(["--help"], {"LANG": "C"}).output.startswith("Cách dùng:")
    assert "error: yaml-missing-key" in run(["--lang", "en", "check"], {"LANG": "C"}).output


def test_bad_ui_locale_is_reported(make_project):
    root = make_project({"mobcontent.yaml": "name: Test\nlocales: [vi, rad]\nui_locale: fr\n"})
    result = run(["-C", root, "list"])
    assert result.exit_code == 2
    assert ("mobcontent.yaml:3: error: bad-value: ui_locale: 'fr' is not a language of the tool's interface "
            "— use one of: en, vi") in lines(result)


def test_detect_language():
    assert detect_language(None, None, {"LANG": "vi_VN.UTF-8"}) == "vi"
    assert detect_language(None, None, {"LANG": "C"}) == "en"
    assert detect_language(None, "vi", {"LANG": "en_US.UTF-8"}) == "vi"
    assert detect_language("en", "vi", {"LANG": "vi_VN.UTF-8"}) == "en"
    assert detect_language(None, None, {"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}) == "vi"
    assert detect_language(None, None, {}) == "en"


def test_library_messages_follow_the_language():
    assert language() == "en"  # the fixture's reset
    set_language("vi")
    with pytest.raises(ContentError) as error:
        read_yaml("a: 1\na: 2\n", "x.yaml")
    assert str(error.value) == "x.yaml:2: mục 'a' bị lặp (lần đầu ở dòng 1) — xóa một trong hai dòng, hoặc gộp giá trị của chúng"
    problem = Problem("avoid-term", "warning", "a.md", 3, "m")
    assert problem.format() == "a.md:3: cảnh báo: avoid-term: m"
    assert problem.as_json()["severity"] == "warning"  # JSON keeps the code, in every language
    set_language("en")
    assert problem.format() == "a.md:3: warning: avoid-term: m"


# --------------------------------------------------------------------------- first run

def test_first_run_outside_a_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    english = run([])
    assert english.exit_code == 0
    assert lines(english)[0] == f"This folder is not a mobcontent project: there is no mobcontent.yaml in {tmp_path}."
    assert "  mobcontent init my-project" in lines(english)
    vietnamese = run([], VI)
    assert vietnamese.exit_code == 0
    assert lines(vietnamese)[0] == ("Thư mục này chưa phải là dự án mobcontent: "
                                    f"không có tệp mobcontent.yaml trong {tmp_path}.")
    assert "  mobcontent init du-an-moi" in lines(vietnamese)


def test_first_run_inside_a_project(make_project):
    result = run(["-C", make_project()])
    assert result.exit_code == 0
    assert result.output.startswith("Usage: mobcontent")
    assert lines(result)[-1] == "Try: mobcontent check (find problems), then mobcontent build (make the leaflets)."
    assert lines(run(["-C", make_project()], VI))[-1] == \
        "Hãy thử: mobcontent check (tìm lỗi), rồi mobcontent build (dựng tờ rơi)."


# --------------------------------------------------------------------------- the catalog

def test_every_message_is_translated(extracted, catalog):
    entries = {e.msgid: e for e in catalog.entries if not e.obsolete}
    missing = [m for m in extracted if m not in entries]
    assert not missing, f"not in the catalog (run 'make ui-catalog', then translate): {missing}"
    untranslated = [e.msgid for e in entries.values() if not e.translated or not all(e.msgstr_plural or [e.msgstr])]
    fuzzy = [e.msgid for e in entries.values() if e.fuzzy]
    assert not untranslated, f"untranslated in {CATALOG.name}: {untranslated}"
    assert not fuzzy, f"fuzzy in {CATALOG.name} (review, then remove the fuzzy flag): {fuzzy}"


def test_catalog_has_no_unused_entry(extracted, catalog):
    unused = [e.msgid for e in catalog.entries if e.obsolete or e.msgid not in extracted]
    assert not unused, f"entries the code no longer uses (run 'make ui-catalog'): {unused}"


def test_catalog_keeps_every_placeholder(catalog):
    """A translation must use exactly the fields of its message, or ``.format()``
    breaks (or drops a value) in Vietnamese only."""
    def fields(text: str) -> set:
        return {(name, conversion, spec) for _text, name, spec, conversion in string.Formatter().parse(text)
                if name is not None}

    def printf(text: str) -> set:
        import re
        return set(re.findall(r"%\(\w+\)[sd]", text))

    wrong = []
    for entry in catalog.entries:
        if entry.msgid_plural is None:
            if fields(entry.msgstr) != fields(entry.msgid) or printf(entry.msgstr) != printf(entry.msgid):
                wrong.append(entry.msgid)
        else:  # one Vietnamese form serves both: it may use the fields of either
            allowed = fields(entry.msgid) | fields(entry.msgid_plural)
            if any(not fields(form) <= allowed for form in entry.msgstr_plural):
                wrong.append(entry.msgid)
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="msgfmt (gettext) is not installed")
def test_catalog_passes_msgfmt():
    run_ = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(CATALOG)], capture_output=True, text=True)
    assert run_.returncode == 0, run_.stderr
    assert "warning" not in run_.stderr, run_.stderr


def test_catalog_is_in_the_package():
    assert CATALOG.is_file() and CATALOG.is_relative_to(Path(mobcontent.__file__).parent)


def test_messages_are_extractable():
    """Babel finds ``_("literal")`` only: an f-string as message id, or a ``_()`` call
    inside an f-string (invisible to the extractor on Python 3.11), escapes the catalog."""
    found = []
    for path in sorted(Path(mobcontent.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Call) and getattr(inner.func, "id", "") in ("_", "N_") \
                            and inner.args and isinstance(inner.args[0], ast.Constant):
                        found.append(f"{path.name}:{inner.lineno}: _(\"...\") inside an f-string")
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("_", "N_") and node.args \
                    and isinstance(node.args[0], ast.JoinedStr):
                found.append(f"{path.name}:{node.lineno}: f-string as message id")
    assert not found, found


def test_marking_and_translating():
    assert N_("Usage:") == "Usage:"
    set_language("vi")
    assert _("Usage:") == "Cách dùng:"
    assert _("a message nobody wrote") == "a message nobody wrote"
    assert language() == "vi"


def test_print_side_messages_in_vietnamese(make_project, shared_kit):
    """A release refusal and its reasons come out in Vietnamese; the codes stay English."""
    from click.testing import CliRunner as Runner

    from mobcontent.app.cli import main as cli
    root = make_project({"content/messages/lua-dao.md":
                         "---\ntitle: Cảnh giác lừa đảo\ntopics: [scam]\nstatus: review\n---\nGọi 113.\n"})
    result = Runner().invoke(cli, ["-C", str(root), "build", "--release", "--format", "pdf"],
                             env={"LANG": "vi_VN.UTF-8"})
    assert result.exit_code == 1
    assert "not-approved: tin bài 'lua-dao' đang ở tình trạng 'review', chưa được duyệt: sẽ in thành BẢN NHÁP" \
        in result.stderr
    assert "release-refused: 'bien-gioi.vi' chưa đủ điều kiện để in" in result.stderr


def test_overflow_and_missing_glyph_in_vietnamese(make_project, shared_kit):
    """text-overflow and glyph-missing, with their hints, in Vietnamese; the codes stay English."""
    sentence = "Bà con trong buôn hãy báo ngay cho già làng khi thấy người lạ đến hỏi đường ra biên giới. "
    body = "\n\n".join([sentence * 6] * 30)
    root = make_project({"content/messages/lua-dao.md":
                         f"---\ntitle: Cảnh giác lừa đảo\ntopics: [scam]\nstatus: approved\n---\nGọi ☎ 113.\n\n{body}\n"})
    result = run(["-C", root, "build", "--format", "pdf"], VI)
    assert result.exit_code == 1
    assert ("content/messages/lua-dao.md:6: lỗi: glyph-missing: phông chữ không có ký tự '☎' "
            "(U+260E) — hãy thay ký tự này (có thể do gõ nhầm hoặc sai bộ gõ?); "
            "bản nháp sẽ tô sáng chỗ đó") in lines(result)
    overflow = next(line for line in lines(result) if ": text-overflow: " in line)
    assert overflow.startswith(f"{LEAFLET}:1: lỗi: text-overflow: bien-gioi.vi (vi, mẫu a5-flyer) vẫn không vừa "
                               "dù đã thu nhỏ chữ còn 9.5 pt: nội dung cần ")  # the A5 floor
    assert overflow.endswith("— hãy rút gọn tin bài, chuyển bớt một tin bài sang tờ rơi khác, hoặc dùng mẫu "
                             "rộng chỗ hơn")


@pytest.mark.skipif(not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").is_file(),
                    reason="DejaVu Sans is not installed")
def test_stacking_errors_follow_the_language(tmp_path):
    """glyph-stacking messages are worded in the interface language (cached per language)."""
    from mobcontent.checks.glyphs import stacking_problems
    from mobcontent.printing.fonts import FontFace, FontKit

    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    kit = FontKit(tmp_path, (FontFace("MC Sans", 400, "normal", dejavu),), "dejavu")
    english = stacking_problems(kit)
    assert english[0].message.startswith("ê̆: breve overlaps the circumflex (breve bottom ")
    set_language("vi")
    vietnamese = stacking_problems(kit)
    assert vietnamese[0].code == "glyph-stacking"
    assert vietnamese[0].message.startswith("ê̆: dấu trăng đè lên dấu mũ (chân dấu trăng ")
    assert vietnamese[0].hint == ("phông chữ vẽ dấu trăng đè lên dấu mũ hoặc dấu móc: "
                                  "hãy dùng phông Noto của bộ phông")
