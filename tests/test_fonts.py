"""Tests for the font kit: reproducible, cached, complete, stacking, and extractable.

Instancing six faces takes several seconds, so one kit is built per session
(``kit``) and shared; tests that need another kit fake the slow builder.
"""
from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path

import pytest
import uharfbuzz as hb
from fontTools.ttLib import TTFont

from mobcontent.base.errors import ContentError
from mobcontent.printing import fonts
from mobcontent.printing.fonts import (
    FontKit,
    drop_decomposing_lookups,
    prepare_font_kit,
)
from mobcontent.printing.stacking import check_stacking

ROOT = Path(__file__).resolve().parents[1]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# Cyrillic Zhe is not in BASE_REPERTOIRE but Noto has it; Tibetan KA Noto lacks.
EXTRA_CHARS = "Ж\u0F40"

VIETNAMESE = (
    "Cùng bảo vệ cột mốc biên giới. Buổi họp của buôn được tổ chức chiều thứ Bảy; "
    "bà con hãy gọi 113 khi cần. Những người trẻ tuổi, đường dây nóng, nghiêm cấm, "
    "phòng chống mua bán người. Chị Nguyễn Thị Lụa đọc kỹ: ọ ị ụ ậ ặ ộ ẹ ợ ự."
)
EDE = "Ê Đê: ƀuôn, čư, ĕ ĭ ŏ ŭ ñ; ê̆ ô̆ ơ̆ ư̆ Ê̆ Ô̆ Ơ̆ Ư̆. M’nông n’gor."
LIGATURES = "file office fluffy affiliate"


@pytest.fixture(scope="session")
def kit(tmp_path_factory) -> FontKit:
    return prepare_font_kit(tmp_path_factory.mktemp("fonts"), extra_chars=EXTRA_CHARS)


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


# --- reproducibility and the cache ---------------------------------------------

def test_kit_is_byte_identical_when_built_again_in_another_process(kit, tmp_path):
    # Another process with another hash seed: set order must not leak into bytes.
    script = ("import sys; from pathlib import Path; from mobcontent.printing.fonts import prepare_font_kit;"
              " print(prepare_font_kit(Path(sys.argv[1]), sys.argv[2]).directory)")
    env = {**os.environ, "PYTHONHASHSEED": "12345",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path), EXTRA_CHARS],
                            env=env, capture_output=True, text=True, check=True)
    other = Path(result.stdout.strip())
    assert other.name == kit.key
    for face in kit.faces:
        assert (other / face.path.name).read_bytes() == face.path.read_bytes(), face.path.name


def test_kit_fonts_carry_the_source_date_not_the_clock(kit):
    for face in kit.faces:
        font = TTFont(face.path, lazy=True)
        assert font["head"].modified < 3900000000  # 2023-ish; the clock would be later
        assert "fvar" not in font  # static instances, not the variable font


def test_second_call_is_a_cache_hit(kit, monkeypatch):
    before = {face.path: face.path.stat().st_mtime_ns for face in kit.faces}
    monkeypatch.setattr(fonts, "_build_kit", lambda *a: pytest.fail("kit was rebuilt"))
    started = time.perf_counter()
    again = prepare_font_kit(kit.directory.parent, extra_chars=EXTRA_CHARS)
    elapsed = time.perf_counter() - started
    assert again == kit
    assert {face.path: face.path.stat().st_mtime_ns for face in kit.faces} == before
    assert elapsed < 0.1
    assert sorted(p.name for p in kit.directory.parent.iterdir()) == [kit.key]  # no temp dirs


@pytest.fixture
def fake_builder(monkeypatch):
    """Replace instancing by writing placeholder files, slowly enough to race."""
    calls = []

    def build_faces(source, specs, repertoire, into):
        calls.append(into)
        time.sleep(0.05)
        for spec in specs:
            (into / spec.kit_filename).write_bytes(repertoire.encode())

    monkeypatch.setattr(fonts, "_build_faces", build_faces)
    return calls


def test_key_depends_on_the_repertoire_not_its_order(tmp_path, fake_builder):
    base = prepare_font_kit(tmp_path)
    assert prepare_font_kit(tmp_path, "ЖЯ").key == prepare_font_kit(tmp_path, "ЯЖЯ").key
    assert prepare_font_kit(tmp_path, "ЖЯ").key != base.key
    assert prepare_font_kit(tmp_path, "a\n").key == base.key  # already in the base


def test_racing_builds_leave_one_complete_kit(tmp_path, fake_builder):
    results = []
    threads = [threading.Thread(target=lambda: results.append(prepare_font_kit(tmp_path)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and len({kit.key for kit in results}) == 1
    assert [p.name for p in tmp_path.iterdir()] == [results[0].key]  # no temp dirs left
    assert all(face.path.is_file() for face in results[0].faces)


def test_a_kit_with_a_deleted_file_is_rebuilt(tmp_path, fake_builder):
    kit = prepare_font_kit(tmp_path)
    kit.faces[0].path.unlink()
    prepare_font_kit(tmp_path)
    assert kit.faces[0].path.is_file()
    assert [p.name for p in tmp_path.iterdir()] == [kit.key]


def test_missing_font_package_names_the_pip_package(tmp_path, monkeypatch):
    real = fonts.importlib.util.find_spec
    monkeypatch.setattr(fonts.importlib.util, "find_spec",
                        lambda name: None if name == "fontpkg_noto_serif" else real(name))
    with pytest.raises(ContentError) as error:
        prepare_font_kit(tmp_path)
    assert "fontpkg-noto-serif is not installed" in str(error.value)
    assert error.value.hint == "install it: pip install fontpkg-noto-serif"


# --- the ccmp trap and stacking -------------------------------------------------

def source_font(filename: str = "NotoSans[wdth,wght].ttf") -> Path:
    import fontpkg_noto_sans
    return Path(fontpkg_noto_sans.__file__).parent / "files" / filename


def glyph_count(font_path: Path, text: str) -> int:
    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(font_path))))
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(font, buffer, {})
    return len(buffer.glyph_infos)


def test_only_the_decomposing_ccmp_lookup_is_dropped_from_noto_sans():
    dropped = drop_decomposing_lookups(TTFont(source_font()))
    assert {label for label in dropped if label.startswith("ccmp:")} == {"ccmp:6"}


def test_kit_draws_dot_below_letters_as_one_glyph(kit):
    # Noto as shipped decomposes ọ into o + U+0323: the cause of "hoịp".
    assert glyph_count(source_font(), "ọ") == 2
    for face in kit.faces:
        assert glyph_count(face.path, "ọ ị ụ ẹ") == 7, face.path.name


def test_kit_draws_each_breve_letter_as_one_glyph(kit):
    # A mark drawn apart extracts with a stray space ("ư̆ a"); one glyph does not.
    for face in kit.faces:
        assert glyph_count(face.path, "ê̆ô̆ơ̆ư̆Ê̆Ô̆Ơ̆Ư̆") == 8, face.path.name


def test_breve_stacks_in_every_kit_face(kit):
    for face in kit.faces:
        assert check_stacking(face.path) == [], face.path.name


def test_stacking_check_looks_inside_the_kit_ligatures(kit, tmp_path):
    font = TTFont(kit.faces[0].path)
    ligature = hb.Font(hb.Face(hb.Blob.from_file_path(str(kit.faces[0].path))))
    buffer = hb.Buffer()
    buffer.add_str("ê̆")
    buffer.guess_segment_properties()
    hb.shape(ligature, buffer, {})
    glyph = font["glyf"][font.getGlyphName(buffer.glyph_infos[0].codepoint)]
    glyph.components[-1].y = 0  # drop the breve onto the circumflex
    font.save(tmp_path / "broken.ttf")
    problems = check_stacking(tmp_path / "broken.ttf")
    assert problems == ["ê̆: breve overlaps the circumflex (breve bottom 606 < base top 766)"]


@pytest.mark.skipif(not DEJAVU.is_file(), reason=f"DejaVu Sans not installed ({DEJAVU}); "
                    "apt-get install fonts-dejavu-core")
def test_breve_does_not_stack_in_dejavu_sans():
    problems = check_stacking(DEJAVU)
    assert problems[0].startswith("ê̆: breve overlaps the circumflex (breve bottom ")
    assert {problem[:2] for problem in problems} >= {"ê̆", "ô̆", "Ê̆", "Ô̆"}


# --- coverage -------------------------------------------------------------------

def test_missing_reports_characters_the_kit_lacks(kit):
    assert kit.missing("Cột mốc ཀ 😀 ཀ") == ["ཀ", "😀"]
    assert kit.missing("☃", family="MC Serif") == ["☃"]


def test_missing_accepts_vietnamese_ede_and_project_extras(kit):
    text = f"{VIETNAMESE}\n{EDE}\t{LIGATURES} Ж ₫ № – “ ” \u00a0\u2011\u2060"
    assert kit.missing(text) == []
    assert kit.missing(text, family="MC Serif") == []


def test_missing_rejects_an_unknown_family(kit):
    with pytest.raises(ValueError, match="no MC Mono 400 normal face"):
        kit.missing("a", family="MC Mono")


# --- WeasyPrint -----------------------------------------------------------------

HTML_BODY = f"""
<p>{VIETNAMESE}</p>
<p><b>{VIETNAMESE}</b></p>
<p><i>Buổi họp của buôn</i> và <b><i>đường dây nóng 113</i></b>.</p>
<p class="serif">{EDE} <b>{EDE}</b></p>
<p>{LIGATURES} <span class="serif">{LIGATURES}</span></p>
"""


def kit_only_fetcher(kit: FontKit):
    """A URL fetcher like the real build's: only files inside the kit directory."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class KitOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(kit.directory.as_uri() + "/"):
                raise FatalURLFetchingError(f"not in the font kit: {url}")
            return super().fetch(url, headers)

    return KitOnly(fail_on_errors=True)


@pytest.fixture(scope="module")
def rendered(kit) -> tuple[bytes, list[logging.LogRecord]]:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        config = FontConfiguration()
        fetcher = kit_only_fetcher(kit)
        style = (kit.css() + '\n@page { size: A5; margin: 12mm }'
                 '\nbody { font-family: "MC Sans"; font-size: 10pt }'
                 '\n.serif { font-family: "MC Serif" }')
        css = CSS(string=style, font_config=config, url_fetcher=fetcher)
        html = HTML(string=f"<html lang='vi'><body>{HTML_BODY}</body></html>", url_fetcher=fetcher)
        pdf = html.write_pdf(stylesheets=[css], font_config=config)
    finally:
        logger.removeHandler(handler)
    return pdf, records


def test_kit_css_is_valid_for_weasyprint(kit, rendered):
    _, records = rendered
    assert [record.getMessage() for record in records] == []
    assert kit.css().count("@font-face") == 6
    for url in re.findall(r'url\("([^"]+)"\)', kit.css()):
        assert url.startswith("file:///") and url.endswith(".ttf")


def test_text_extracted_from_the_pdf_equals_the_text_printed(rendered):
    from pypdf import PdfReader

    pdf, _ = rendered
    reader = PdfReader(io.BytesIO(pdf))
    extracted = " ".join(page.extract_text() for page in reader.pages)
    expected = re.sub(r"<[^>]+>", "", HTML_BODY)  # paragraphs are on their own lines
    assert collapse(extracted) == collapse(expected)


def test_pdf_embeds_only_kit_fonts(rendered):
    from pypdf import PdfReader

    pdf, _ = rendered
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            embedded = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            assert embedded["name"].getDebugName(1) in ("Noto Sans", "Noto Serif")
            names.add(re.sub(r"^/[A-Z]{6}\+", "", font["/BaseFont"]))
    assert names == {"MC-Sans", "MC-Sans-Bold", "MC-Sans-Italic", "MC-Sans-Bold-Italic",
                     "MC-Serif", "MC-Serif-Bold"}


def test_a_process_that_laid_out_with_the_kit_leaves_no_fonts_folder_behind(kit, tmp_path):
    # WeasyPrint copies each @font-face font into a folder of its own, removed when its font
    # configuration is dropped: at the exit handlers, so also when the program ends quickly.
    temp = tmp_path / "temp"
    temp.mkdir()
    script = ("import sys; from pathlib import Path\n"
              "from mobcontent.printing.fonts import prepare_font_kit\n"
              "from mobcontent.printing.pdf import render_document\n"
              "from mobcontent.app.cli import end_process\n"
              "kit = prepare_font_kit(Path(sys.argv[1]), sys.argv[2])\n"
              "html = '<style>' + kit.css() + ' p { font-family: \"MC Sans\" }</style><p>Buôn Ma Thuột</p>'\n"
              "pages = render_document(html, Path(sys.argv[3]), [kit.directory], fonts_key=kit.key).document.pages\n"
              "print(len(pages), len(list(Path(sys.argv[3]).iterdir())), flush=True)\n"
              "end_process(0)\n")
    env = {**os.environ, "TMPDIR": str(temp),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", script, str(kit.directory.parent), EXTRA_CHARS, str(temp)],
                            env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "1"]  # one page, laid out while the fonts folder was there
    assert list(temp.iterdir()) == []
