"""Print finishing, read back from the PDFs with pypdf: boxes, fonts, output intents,
PDF/X-4 and PDF/A-2b, text extraction, reproducibility, release refusals."""
from __future__ import annotations

import io
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from conftest import BASE_FILES, approve_as_written, write_files
from print_support import (
    MM,
    box_mm,
    html_blocks,
    normalized,
    pdf_text,
    run,
    shared_build,
    translate_all,
    xmp,
)
from pypdf import PdfReader
from pypdf.generic import ContentStream

RAD_SUFFIX = " ư̆a Y-Nuel"  # a pseudo Ê Đê translation: every msgstr is its msgid plus this

LEAFLETS = {
    "content/leaflets/gap-ba.yaml": "title: Biên giới bình yên\ntagline: Giữ cột mốc, giữ buôn làng\n"
                                    "audience: {ethnic: ede, religion: protestant, zone: krong-na}\n"
                                    "locales: [vi, rad]\nlayout: a4-trifold\nmessages: [cot-moc, lua-dao]\n"
                                    "date: 2026-10-05\nedition: 2026-10-A\n",
    "content/leaflets/ap-phich.yaml": "title: Cảnh giác lừa đảo\naudience: {zone: ea-kiet}\nlocales: [vi]\n"
                                      "layout: a4-poster\nmessages: [lua-dao]\ndate: 2026-09-01\n",
    "content/leaflets/man-hinh.yaml": "title: Cảnh giác lừa đảo\naudience: {zone: ea-kiet}\nlocales: [vi]\n"
                                      "layout: screen\nmessages: [lua-dao]\ndate: 2026-09-01\n",
    "content/leaflets/bien-gioi.yaml": BASE_FILES["content/leaflets/bien-gioi.yaml"].replace(
        "locales: [vi]", "locales: [vi, rad]\nbilingual: [rad, vi]"),
}


@pytest.fixture(scope="module")
def release(tmp_path_factory, font_cache):
    """A small project in vi and (pseudo-)rad, every entry translated, built with --release."""
    def make(root):
        write_files(root, {**BASE_FILES, **LEAFLETS})
        translate_all(root, "rad", lambda text: text + RAD_SUFFIX if text else text, font_cache)
        result = run(root, "build", "--release", "--format", "pdf,png,html,script", cache=font_cache)
        assert result.exit_code == 0, result.output
    return shared_build("release", tmp_path_factory, make) / "build"


def pdfs(build, layout=None):
    import json
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    return [build / o["path"] for o in manifest["outputs"]
            if o["format"] == "pdf" and (layout is None or o["layout"] == layout)]


def test_release_writes_every_leaflet_and_locale_and_the_bilingual_edition(release):
    names = sorted(p.name for p in pdfs(release))
    assert names == ["ap-phich.vi.pdf", "bien-gioi.rad+vi.pdf", "bien-gioi.rad.pdf", "bien-gioi.vi.pdf",
                     "gap-ba.rad.pdf", "gap-ba.vi.pdf", "man-hinh.vi.pdf"]


def test_print_layouts_are_pdfx4_with_a_cmyk_output_intent(release):
    for path in pdfs(release):
        if path.name.startswith("man-hinh"):
            continue
        reader = PdfReader(path)
        assert reader.pdf_header == "%PDF-1.6", path.name
        intents = reader.trailer["/Root"]["/OutputIntents"]
        assert len(intents) == 1
        intent = intents[0].get_object()
        assert intent["/S"] == "/GTS_PDFX"
        profile = intent["/DestOutputProfile"].get_object()
        assert profile["/N"] == 4 and profile.get_data()[36:40] == b"acsp"  # an ICC profile, CMYK
        assert profile.get_data()[16:20] == b"CMYK"
        rdf = ET.fromstring(xmp(reader).split("?>", 1)[1].rsplit("<?xpacket", 1)[0])
        versions = [e.text for e in rdf.iter() if e.tag.endswith("GTS_PDFXVersion")]
        assert versions and set(versions) == {"PDF/X-4"}
        assert reader.metadata["/Trapped"] == "/False"
        assert reader.metadata["/Title"]


def test_screen_layout_declares_pdfa2b(release):
    (path,) = pdfs(release, "screen")
    reader = PdfReader(path)
    intent = reader.trailer["/Root"]["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"].get_object()["/N"] == 3
    text = xmp(reader)
    assert re.search(r'pdfaid:part[=>"]+2', text) and re.search(r'pdfaid:conformance[=>"]+B', text)
    page = reader.pages[0]
    assert box_mm(page.mediabox) == box_mm(page.trimbox) == box_mm(page.bleedbox)  # no bleed on screen
    assert round(float(page.mediabox.width)) == 810  # 1080 CSS px


@pytest.mark.parametrize("name, size", [("bien-gioi.vi.pdf", (148, 210)), ("gap-ba.vi.pdf", (297, 210)),
                                        ("ap-phich.vi.pdf", (210, 297))])
def test_trim_is_the_paper_size_and_bleed_is_3mm_more_on_each_side(release, name, size):
    (path,) = [p for p in pdfs(release) if p.name == name]
    for page in PdfReader(path).pages:
        left, bottom, right, top = (float(v) for v in page.trimbox)
        assert (round((right - left) / MM), round((top - bottom) / MM)) == size
        bleed = [float(v) for v in page.bleedbox]
        assert bleed == pytest.approx([left - 3 * MM, bottom - 3 * MM, right + 3 * MM, top + 3 * MM], abs=0.01)
        media = [float(v) for v in page.mediabox]
        assert media[0] < bleed[0] and media[1] < bleed[1] and media[2] > bleed[2] and media[3] > bleed[3]


def test_fonts_are_the_kits_noto_faces_and_embedded(release):
    from fontTools.ttLib import TTFont
    for path in pdfs(release):
        for page in PdfReader(path).pages:
            for font in page["/Resources"]["/Font"].values():
                descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
                assert program["name"].getDebugName(1).split()[:2] in (["Noto", "Sans"], ["Noto", "Serif"])


def test_pdfs_have_no_attachments(release):
    for path in pdfs(release):
        root = PdfReader(path).trailer["/Root"]
        assert "/AF" not in root
        assert "/EmbeddedFiles" not in root.get("/Names", {})


def test_print_colours_are_cmyk_and_stray_rgb_is_colour_managed(release):
    """Page content uses CMYK only; WeasyPrint's crop marks (RGB) go through DefaultRGB."""
    for path in pdfs(release):
        if path.name.startswith("man-hinh"):
            continue
        reader = PdfReader(path)
        for page in reader.pages:
            operators = {op for _, op in ContentStream(page.get_contents(), reader).operations}
            assert not operators & {b"rg", b"RG"}, path.name
            spaces = page["/Resources"]["/ColorSpace"]
            assert spaces["/DefaultRGB"][0] == "/ICCBased"


def test_dates_come_from_the_leaflet(release):
    (path,) = [p for p in pdfs(release) if p.name == "gap-ba.vi.pdf"]
    reader = PdfReader(path)
    assert reader.metadata["/CreationDate"].startswith("D:20261005")
    assert reader.metadata["/ModDate"].startswith("D:20261005")
    assert "2026-10-05" in xmp(reader)


def test_extracted_text_equals_the_adapted_source_in_both_languages(release):
    """Every block printed comes back out of the PDF exactly: Vietnamese (the ccmp trap),
    stacked Ê Đê letters (ư̆) and names (Y-Nuel), also in the bilingual edition."""
    for path in pdfs(release):
        html = path.with_suffix(".html").read_text(encoding="utf-8")
        extracted = pdf_text(path)
        blocks = html_blocks(html)
        assert len(blocks) > 3
        for block in blocks:
            assert block in extracted, (path.name, block)
    rad = pdf_text(release / "bien-gioi" / "bien-gioi.rad.pdf")
    # the msgid with the suffix, its {border_post} filled from audiences.po (which has it too)
    assert normalized(f"Mỗi cột mốc là tài sản chung. Báo ngay cho Đồn Biên phòng Sê-rê-pốk{RAD_SUFFIX}."
                      + RAD_SUFFIX) in rad
    both = pdf_text(release / "bien-gioi" / "bien-gioi.rad+vi.pdf")
    # each rad block is followed by its Vietnamese
    assert normalized(f"Họp vào thứ Bảy, không trùng ngày Chủ nhật{RAD_SUFFIX}.{RAD_SUFFIX} "
                      "Họp vào thứ Bảy, không trùng ngày Chủ nhật.") in both


def test_blocks_carry_their_language(release):
    html = (release / "bien-gioi" / "bien-gioi.rad+vi.html").read_text(encoding="utf-8")
    assert re.search(r'<p [^>]*lang="rad"[^>]*>Không đọc mã OTP', html)  # data-origin: where it was written
    assert re.search(r'<p class="second" lang="vi">Không đọc mã OTP', html)
    assert 'hyphens: manual' in html and "text-transform" not in html


def test_same_inputs_give_identical_bytes_after_build_and_font_cache_are_deleted(tmp_path, monkeypatch):
    """The strongest form: nothing kept between the builds but the project's files (the
    font kit lives in build/.cache/ and is made twice)."""
    monkeypatch.delenv("MOBCONTENT_FONT_CACHE", raising=False)
    root = write_files(tmp_path / "p", {**BASE_FILES, **{k: v for k, v in LEAFLETS.items() if "gap-ba" in k}})
    approve_as_written(root)
    args = ("build", "gap-ba", "--locale", "vi", "--release")
    assert run(root, *args).exit_code == 0
    assert (root / "build" / ".cache" / "fonts").is_dir()
    first = {p.name: p.read_bytes() for p in (root / "build" / "gap-ba").iterdir()}
    shutil.rmtree(root / "build")
    result = run(root, *args)
    assert result.exit_code == 0, result.output
    again = {p.name: p.read_bytes() for p in (root / "build" / "gap-ba").iterdir()}
    assert again == first
    assert sorted(first) == ["gap-ba.vi.html", "gap-ba.vi.p1.png", "gap-ba.vi.p2.png", "gap-ba.vi.pdf"]


def test_without_a_date_the_newest_input_or_source_date_epoch_dates_the_pdf(make_project, shared_kit):
    import os
    root = make_project({"content/leaflets/bien-gioi.yaml":
                         BASE_FILES["content/leaflets/bien-gioi.yaml"].replace("date: 2026-11-01\n", "")})
    for rel in ("content/leaflets/bien-gioi.yaml", "content/audiences.yaml", "mobcontent.yaml",
                "content/messages/cot-moc.md", "content/messages/lua-dao.md"):
        os.utime(root / rel, (1767225600, 1767225600))  # 2026-01-01
    assert run(root, "build", "--format", "pdf").exit_code == 0
    reader = PdfReader(root / "build" / "bien-gioi" / "bien-gioi.vi.pdf")
    assert reader.metadata["/CreationDate"].startswith("D:20260101")
    assert run(root, "build", "--format", "pdf", env={"SOURCE_DATE_EPOCH": "1780000000"}).exit_code == 0
    reader = PdfReader(root / "build" / "bien-gioi" / "bien-gioi.vi.pdf")
    assert reader.metadata["/CreationDate"].startswith("D:20260528")


def test_release_without_the_cmyk_profile_fails_naming_the_package(make_project, shared_kit):
    root = make_project()
    result = run(root, "build", "--release", env={"MOBCONTENT_CMYK_PROFILE": "/nonexistent/cmyk.icc"})
    assert result.exit_code == 1
    assert "output-intent-missing" in result.stderr and "libgs-common" in result.stderr
    assert not (root / "build" / "bien-gioi" / "bien-gioi.vi.pdf").exists()


BAD_LAYOUT = ".message p { colour: red; }\n"  # a typo WeasyPrint warns about


def test_a_weasyprint_warning_refuses_a_release_but_not_a_draft(make_project, shared_kit):
    from mobcontent.pipeline.layout import PACKAGE_LAYOUTS
    files = {f"layouts/a5-flyer/{name}": (PACKAGE_LAYOUTS / "a5-flyer" / name).read_text(encoding="utf-8")
             for name in ("layout.html", "layout.css", "layout.yaml")}
    files["layouts/a5-flyer/layout.css"] += BAD_LAYOUT
    root = make_project(files)
    draft = run(root, "build", "--format", "pdf")
    assert draft.exit_code == 0, draft.output
    assert "warning: print-warning: WeasyPrint: Ignored `colour: red`" in draft.stderr
    result = run(root, "build", "--release", "--format", "pdf")
    assert result.exit_code == 1
    assert "content/leaflets/bien-gioi.yaml:1: error: print-warning: WeasyPrint: Ignored `colour: red`" in result.stderr
    assert "error: release-refused: 'bien-gioi.vi' is not fit to print" in result.stderr
    assert not (root / "build" / "bien-gioi" / "bien-gioi.vi.pdf").exists()


def test_personal_names_never_break_at_their_hyphen(make_project, shared_kit):
    words = " ".join(f"Già làng Y-Nuel{i % 3 and '' or ''} và bà H’Duyêt gặp ông Y-Bhin Niê lần {i}." for i in range(40))
    root = make_project({"content/messages/lua-dao.md": f"---\ntitle: Tên người\nstatus: approved\n---\n{words}\n"})
    assert run(root, "build", "--format", "pdf,html").exit_code == 0
    html = (root / "build" / "bien-gioi" / "bien-gioi.vi.html").read_text(encoding="utf-8")
    assert '<span class="mc-name">Y-Nuel</span>' in html and '<span class="mc-name">H’Duyêt</span>' in html
    lines = "\n".join(p.extract_text() for p in PdfReader(root / "build" / "bien-gioi" / "bien-gioi.vi.pdf").pages)
    assert lines.count("Y-Nuel") == 40 and lines.count("Y-Bhin") == 40 and lines.count("H’Duyêt") == 40
    assert not re.search(r"Y-\n|H’\n", lines)


def test_without_harfbuzz_subsetting_the_build_works_and_says_so_once(make_project, shared_kit, monkeypatch):
    """WeasyPrint then subsets with fontTools and warns on every font; a release must not
    take that notice for a layout warning."""
    from weasyprint.pdf import fonts as pdf_fonts
    from weasyprint.text import ffi
    monkeypatch.setattr(pdf_fonts, "harfbuzz_subset", None)
    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    root = make_project({"content/leaflets/gap-ba.yaml": LEAFLETS["content/leaflets/gap-ba.yaml"]
                         .replace("locales: [vi, rad]", "locales: [vi]")})
    result = run(root, "build", "--release", "--format", "pdf")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if "harfbuzz-subset-missing" in line]
    assert len(notes) == 1 and "sudo apt-get install libharfbuzz-subset0" in notes[0]
    assert "print-warning" not in result.stderr
