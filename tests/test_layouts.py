"""The four layouts, built from the shipped demo content and read back from the PDFs."""
from __future__ import annotations

import json
import re

import pytest
from conftest import BASE_FILES, write_files
from print_support import MM, copy_demo, pdf_text, run, shared_build
from pypdf import PdfReader

from mobcontent.pipeline.layout import PACKAGE_LAYOUTS


def build_demo(root, cache):
    copy_demo(root)
    result = run(root, "build", "--format", "pdf,png,html,script", cache=cache)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def demo(tmp_path_factory, font_cache):
    """The demo project, every leaflet in every locale (rad and cmo untranslated: drafts)."""
    return shared_build("demo", tmp_path_factory, lambda root: build_demo(root, font_cache))


def outputs(demo, fmt="pdf"):
    manifest = json.loads((demo / "build" / "manifest.json").read_text(encoding="utf-8"))
    return [o for o in manifest["outputs"] if o["format"] == fmt]


def positions(page):
    """(x mm, y mm from the bottom of the trim, text) of every text run on a page."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((x / MM, y / MM, text.strip()))
    page.extract_text(visitor_text=visit)
    return found


SIZES = {"a5-flyer": ((148, 210), 2), "a4-trifold": ((297, 210), 2), "a4-poster": ((210, 297), 1),
         "screen": ((285.75, 357.19), 8)}  # 1080 x 1350 px


def test_every_demo_leaflet_is_built_in_its_own_layout(demo):
    layouts = {o["layout"] for o in outputs(demo)}
    assert layouts == set(SIZES)
    for output in outputs(demo):
        (width, height), most = SIZES[output["layout"]]
        reader = PdfReader(demo / "build" / output["path"])
        assert 1 <= len(reader.pages) <= most, output["path"]
        if output["layout"] == "a4-trifold":
            assert len(reader.pages) == 2
        for page in reader.pages:
            trim = page.trimbox
            assert (float(trim.width) / MM, float(trim.height) / MM) == pytest.approx((width, height), abs=0.1)


def test_every_layout_shows_title_issuer_contacts_edition_and_date(demo):
    for output in outputs(demo):
        if output["locales"] != ["vi"]:
            continue
        text = pdf_text(demo / "build" / output["path"])
        leaflet = (demo / "content" / "leaflets" / f"{output['leaflet']}.yaml").read_text(encoding="utf-8")
        title = re.search(r"^title: (.*)$", leaflet, re.M).group(1)
        edition = re.search(r'^edition: "(.*)"$', leaflet, re.M).group(1)
        day, month, year = reversed(re.search(r"^date: (.*)$", leaflet, re.M).group(1).split("-"))
        for expected in (title, "Ủy ban nhân dân xã (bản mẫu)", "Đường dây nóng", "113", edition,
                         f"ngày {day} tháng {month} năm {year}", "Cứu hỏa 114"):
            assert expected in text, (output["path"], expected)


def test_trifold_panels_follow_the_fold_order(demo):
    """Page 1 (outside): inside flap (greeting, first message) | back panel (whom to call,
    key points) | cover; page 2: three 99 mm panels, each starting with a message."""
    reader = PdfReader(demo / "build" / "bien-gioi-binh-yen" / "bien-gioi-binh-yen.vi.pdf")
    outside = positions(reader.pages[0])

    def x_of(text):
        return next(x for x, _, t in outside if t.startswith(text))
    assert x_of("Kính gửi bà con") < 99 - 8                # the flap, read right after the cover
    assert x_of("Cùng bảo vệ cột mốc") < 99 - 8            # ... where the first message starts
    assert 99 + 8 < x_of("Khi cần giúp đỡ") < 198 - 8    # the back panel
    assert 99 + 8 < x_of("Những điều cần nhớ") < 198 - 8
    assert x_of("Biên giới") > 198 + 8                    # the cover, right-hand panel
    panels = [(8, 91), (107, 190), (206, 289)]
    inside = positions(reader.pages[1])
    for x, _, text in inside:
        assert any(low - 0.5 <= x <= high for low, high in panels), (x, text)
    # every inside panel starts with a message's title: none straddles a fold
    titles = ["Không xuất cảnh", "Cảnh giác với mua bán người", "Hòa giải ở cơ sở"]
    for (low, high), title in zip(panels, titles):
        column = sorted(((y, t) for x, y, t in inside if low - 0.5 <= x <= high), reverse=True)
        assert column[0][1].startswith(title), (title, column[:2])


def test_every_panel_of_a_draft_trifold_carries_the_mark(demo):
    """BẢN NHÁP on each of the three panels of both pages, the cover included."""
    reader = PdfReader(demo / "build" / "bien-gioi-binh-yen" / "bien-gioi-binh-yen.rad.pdf")
    for page in reader.pages:
        marks = [x for x, _, t in positions(page) if "BẢN NHÁP" in t]
        panels = {int(x // 99) for x in marks}
        assert panels == {0, 1, 2}, marks


def test_a_draft_has_the_mark_on_every_page_and_a_release_ready_leaflet_none(demo):
    for output in outputs(demo):
        reader = PdfReader(demo / "build" / output["path"])
        marked = ["BẢN NHÁP" in page.extract_text() for page in reader.pages]
        assert marked == [output["draft"]] * len(marked), output["path"]
    assert {o["draft"] for o in outputs(demo) if o["locales"] == ["vi"]} == {False}
    assert {o["draft"] for o in outputs(demo) if o["locales"] != ["vi"]} == {True}


def test_each_audience_gets_its_motif_band(demo):
    html = {o["leaflet"] + "." + "+".join(o["locales"]): (demo / "build" / o["path"]).read_text(encoding="utf-8")
            for o in outputs(demo, "html")}
    assert "mc-motif-ede-brocade" in html["bien-gioi-binh-yen.vi"]
    assert "mc-motif-mnong-brocade" in html["bon-lang-an-toan.cmo"]
    assert "mc-motif-neutral" in html["canh-giac-lua-dao.vi"]  # Kinh
    assert "mc-motif-neutral" in html["thong-tin-xa-ia-rve.vi"]  # a mixed audience


def test_the_bilingual_poster_keeps_each_block_with_its_vietnamese(demo):
    path = demo / "build" / "phong-chay-rung-mua-kho" / "phong-chay-rung-mua-kho.rad+vi.pdf"
    html = path.with_suffix(".html").read_text(encoding="utf-8")
    pairs = re.findall(r'<div class="pair">\s*<(p|h\d) [^>]*lang="rad"[^>]*>(.*?)</\1>\s*'
                       r'<\1 class="second[^"]*" lang="vi">', html, flags=re.S)
    assert len(pairs) >= 4  # a poster's message is short
    items = re.findall(r'<li class="[^"]*pair"[^>]*lang="rad"[^>]*>[^<]*<span class="second[^"]*" lang="vi">', html)
    assert len(items) >= 2
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(path).pages]
    assert len(pages) == 1  # the poster fits (copyfit)


def test_screen_pages_are_1080_pixels_wide(demo):
    from PIL import Image
    pngs = [o for o in outputs(demo, "png") if o["layout"] == "screen"]
    assert pngs
    for output in pngs:
        with Image.open(demo / "build" / output["path"]) as image:
            assert image.size == (1080, 1350)


def test_layout_css_never_transforms_or_hyphenates_text():
    for css in PACKAGE_LAYOUTS.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert "text-transform" not in text, css
        assert not re.search(r"hyphens:\s*auto", text), css


@pytest.mark.parametrize("layout", sorted(SIZES))
def test_every_layout_builds_a_bilingual_edition(layout, tmp_path, font_cache):
    leaflet = BASE_FILES["content/leaflets/bien-gioi.yaml"].replace("layout: a5-flyer", f"layout: {layout}")
    root = write_files(tmp_path, {**BASE_FILES, "content/leaflets/bien-gioi.yaml":
                                  leaflet.replace("locales: [vi]", "locales: [vi]\nbilingual: [rad, vi]")})
    result = run(root, "build", "--format", "pdf,html", cache=font_cache)
    assert result.exit_code == 0, result.output
    path = root / "build" / "bien-gioi" / "bien-gioi.rad+vi.pdf"
    html = path.with_suffix(".html").read_text(encoding="utf-8")
    assert html.count('class="pair"') >= 3
    assert re.search(r'class="title second[^"]*" lang="vi"', html)
    text = pdf_text(path)
    assert text.count("Không đọc mã OTP cho ai.") == 2  # once per language
