"""The typographic report: small projects that used to strand a heading, leave a runt,
split a place name and under-fill a page. Each is built twice: with the layout as it
used to be (the report names the problem at its line) and as it is now (it is gone).

The projects use a tiny layout of their own (``layouts/screen/``, overriding the
package's), so that where a line
or a page ends does not depend on the package's layouts: a 100 × 60 mm page and
paragraphs 9 em wide, where six words of two letters fit on a line and seven do not.
"""
from __future__ import annotations

import json
import re

from conftest import BASE_FILES
from print_support import pdf_text, run
from pypdf import PdfReader

from mobcontent.build.contact import contact_sheet
from mobcontent.build.manifest import Output
from mobcontent.pipeline.keep import keep_together

TINY_HTML = """{%- import "macros.html" as mc -%}
<!DOCTYPE html>
<html lang="{{ page.lang }}"><head>{{ mc.head(page, layout, css, palette, type_size) }}</head>
<body>{{ mc.draft_mark(page) }}<main>
{% for message in messages %}<section class="message" id="m-{{ message.slug }}">{{ message.html }}</section>{% endfor %}
</main></body></html>
"""
TINY_CSS = """@page { size: 100mm 60mm; margin: 5mm; }
p, h2 { margin: 0; }
.message p { width: 9em; }
"""
TINY_YAML = "medium: screen\npages: 3\ntype_size: 10pt\nmin_type_size: 9pt\nmax_type_size: 10pt\n" \
            "keep_chars: 24\nrelease: pdf/a-2b\npng_dpi: 96\n"
LEAFLET = ("title: Thử\naudience: {ethnic: ede, religion: protestant, zone: krong-na}\nlocales: [vi]\n"
           "layout: screen\nmessages: [t]\ndate: 2026-11-01\n")


def tiny_project(make_project, body: str, css: str = "", yaml: str = TINY_YAML):
    return make_project({
        "layouts/screen/layout.html": TINY_HTML, "layouts/screen/layout.css": TINY_CSS + css,
        "layouts/screen/layout.yaml": yaml,
        "content/leaflets/bien-gioi.yaml": LEAFLET,
        "content/messages/t.md": f"---\ntitle: Thử\nstatus: approved\n---\n{body}\n",
    })


def without_keep_together(monkeypatch):
    """The render stage as it used to be: nothing joined with no-break spaces."""
    from mobcontent.pipeline import render
    monkeypatch.setattr(render, "keep_together", lambda markup, values=(), limit=0: markup)


def report(root, *args) -> list[dict]:
    """Build; the typographic problems of the build, from ``--json``."""
    result = run(root, "build", "--format", "pdf,html", "--no-cache", "--json", *args)
    data = json.loads(result.stdout)
    return [p for p in data["problems"] if p["code"] in ("heading-stranded", "runt", "value-split",
                                                          "underfull-page")]


def codes(problems) -> list[str]:
    return [p["code"] for p in problems]


# --- heading-stranded ----------------------------------------------------------------

# A 40 mm paragraph, then a 6 mm heading: the heading fits on page 1 (50 mm of text
# area), the paragraph after it does not.
HEADING_CSS = ".message p { height: 40mm; } .message p + h2 { height: 6mm; line-height: 6mm; font-size: 10pt; }\n"
HEADING_BODY = "Đoạn đầu.\n\n## Tiêu đề mục\n\nĐoạn sau tiêu đề."


def test_a_heading_left_at_the_bottom_of_a_page_is_reported_and_the_layout_keeps_it_with_its_text(
        make_project, shared_kit):
    old = tiny_project(make_project, HEADING_BODY, HEADING_CSS + "h2 { break-after: auto; }\n")  # as it used to be
    (problem,) = report(old)
    assert problem["code"] == "heading-stranded" and problem["severity"] == "warning"
    assert problem["path"] == "content/messages/t.md" and problem["line"] == 7  # the heading's line
    assert "'Tiêu đề mục' ends a column or page" in problem["message"]
    assert report(tiny_project(make_project, HEADING_BODY, HEADING_CSS)) == []  # break-after: avoid (common.css)


def test_strict_makes_typographic_warnings_errors(make_project, shared_kit):
    root = tiny_project(make_project, HEADING_BODY, HEADING_CSS + "h2 { break-after: auto; }\n")
    result = run(root, "build", "--format", "pdf", "--no-cache", "--strict")
    assert result.exit_code == 1
    assert "content/messages/t.md:7: error: heading-stranded: bien-gioi.vi, page 1:" in result.stderr
    assert run(root, "build", "--format", "pdf", "--no-cache").exit_code == 0  # a warning without --strict


# --- runt --------------------------------------------------------------------------

RUNT_BODY = " ".join(["ba"] * 12) + " sinh."  # six words a line: the 13th alone on line 3


def test_a_paragraph_ending_with_one_syllable_is_reported_and_the_last_two_are_joined(
        make_project, shared_kit, monkeypatch):
    with monkeypatch.context() as patch:
        without_keep_together(patch)
        (problem,) = report(tiny_project(make_project, RUNT_BODY))
    assert problem["code"] == "runt" and problem["line"] == 5
    assert "ends with 'sinh.' alone on its last line" in problem["message"]
    new = tiny_project(make_project, RUNT_BODY)
    assert report(new) == []
    html = (new / "build" / "bien-gioi" / "bien-gioi.vi.html").read_text(encoding="utf-8")
    assert "ba\u00a0sinh.</p>" in html
    # the text extracted from the PDF is still the text written (U+00A0 reads as a space)
    assert " ".join(RUNT_BODY.split()) in pdf_text(new / "build" / "bien-gioi" / "bien-gioi.vi.pdf")


# --- value-split -------------------------------------------------------------------

VALUE_BODY = "ba ba ba ba ba {zone_name} ba ba."  # "xã" fits at the end of line 1, "Krông Na" does not


def test_a_place_name_broken_across_lines_is_reported_and_kept_whole(make_project, shared_kit, monkeypatch):
    with monkeypatch.context() as patch:
        without_keep_together(patch)
        (problem,) = report(tiny_project(make_project, VALUE_BODY))
    assert problem["code"] == "value-split" and problem["line"] == 5
    assert "'xã / Krông Na' is broken across two lines" in problem["message"]
    new = tiny_project(make_project, VALUE_BODY)
    assert report(new) == []
    lines = PdfReader(new / "build" / "bien-gioi" / "bien-gioi.vi.pdf").pages[0].extract_text().splitlines()
    assert any(re.search(r"xã\s+Krông\s+Na", line) for line in lines)


def test_values_phone_numbers_and_paragraph_ends_are_joined_only_when_short_enough():
    html = keep_together("<p>Gọi 0262 3852 123 hoặc báo Đồn Biên phòng Sê-rê-pốk ở xã Krông Na ngay.</p>",
                         ["Đồn Biên phòng Sê-rê-pốk", "xã Krông Na"], limit=20)
    assert "0262\u00a03852\u00a0123" in html and "xã\u00a0Krông\u00a0Na\u00a0ngay." in html
    assert "Đồn Biên phòng Sê-rê-pốk" in html  # 24 characters: longer than the limit, left breakable
    assert keep_together("<p>Khi cần gọi <strong>113</strong>.</p><ul>\n<li>Một hai ba</li></ul>", limit=20) == \
        "<p>Khi cần gọi\u00a0<strong>113</strong>.</p><ul>\n<li>Một hai\u00a0ba</li></ul>"
    assert keep_together("<p>Hai từ.</p>", limit=20) == "<p>Hai từ.</p>"  # one line anyway


# --- underfull-page ----------------------------------------------------------------

FILL_YAML = (TINY_YAML.replace("max_type_size: 10pt", "max_type_size: 24pt").replace("medium: screen", "medium: print")
             .replace("pdf/a-2b", "pdf/x-4") + "min_fill: 0.7\n")  # print: the last page is judged too
FILL_CSS = ".message p { width: auto; }\n"
FILL_BODY = "Mùa khô kéo dài từ tháng 11 đến tháng 4. Một tàn thuốc cũng có thể làm cháy cả cánh rừng."


def test_an_underfull_page_is_reported_and_copyfit_grows_the_type_to_fill_it(make_project, shared_kit):
    old = tiny_project(make_project, FILL_BODY, FILL_CSS, FILL_YAML.replace("max_type_size: 24pt",
                                                                            "max_type_size: 10pt"))
    (problem,) = report(old)
    assert problem["code"] == "underfull-page" and problem["path"] == "content/leaflets/bien-gioi.yaml"
    assert re.search(r"page 1: only \d+ % of the text area is used", problem["message"])
    new = tiny_project(make_project, FILL_BODY, FILL_CSS, FILL_YAML)
    assert report(new) == []
    manifest = json.loads((new / "build" / "manifest.json").read_text(encoding="utf-8"))
    (fit,) = {json.dumps(o["fit"]) for o in manifest["outputs"] if o["format"] == "pdf"}
    fit = json.loads(fit)
    assert 10 < fit["body_pt"] <= 24 and fit["fill"][0] >= 0.7
    assert fit["floor"] == "9 pt" and fit["preferred"] == "10 pt" and fit["max"] == "24 pt"


# --- check, the build table, the contact sheet --------------------------------------

def test_check_repeats_the_typographic_warnings_of_the_last_build(make_project, shared_kit):
    root = tiny_project(make_project, HEADING_BODY, HEADING_CSS + "h2 { break-after: auto; }\n")
    assert run(root, "build", "--format", "pdf").exit_code == 0
    result = run(root, "check", "--json")
    found = [p for p in json.loads(result.stdout)["problems"] if p["code"] == "heading-stranded"]
    assert [(p["path"], p["line"], p["severity"]) for p in found] == [("content/messages/t.md", 7, "warning")]
    assert run(root, "check", "--strict").exit_code == 1
    (root / "content" / "messages" / "t.md").write_text("---\ntitle: Thử\nstatus: approved\n---\nNgắn.\n",
                                                       encoding="utf-8")
    assert "heading-stranded" not in run(root, "check").output  # the message changed: that build is stale


def test_the_build_table_and_json_say_the_type_size_chosen(make_project, shared_kit):
    root = make_project()
    result = run(root, "build", "--format", "pdf")
    assert re.search(r"bien-gioi\.vi\s+ok\s+1\s+1[12](\.\d+)? pt\s", result.stdout), result.stdout
    data = json.loads(run(root, "build", "--format", "pdf", "--no-cache", "--json").stdout)
    (job,) = data["jobs"]
    assert job["fit"]["floor"] == "9.5 pt" and 11 <= job["fit"]["body_pt"] <= 12


def test_the_contact_sheet_orders_pages_and_says_state_and_size_in_words():
    def output(path, fmt="png", **extra):
        return Output(leaflet="x", locales=("vi",), audience={"zone": "krong-na"}, layout="screen", format=fmt,
                      path=path, sha256="0", bytes=1, pages=1, completeness={"source": 3, "missing": 2}, **extra)
    pages = [output(f"x/x.vi.p{n}.png", draft=True) for n in (1, 10, 2, 3, 4, 5, 6, 7, 8, 9)]
    pdf = output("x/x.vi.pdf", "pdf", draft=True, fit={"body": "38 px", "body_pt": 28.5})
    sheet = contact_sheet(pages + [pdf], "Demo")
    numbers = [int(n) for n in re.findall(r'<img src="x/x\.vi\.p(\d+)\.png"', sheet)]
    assert numbers == list(range(1, 11))
    assert "BẢN NHÁP" in sheet and "2 đoạn chưa dịch" in sheet and "cỡ chữ 38 px" in sheet
    assert "địa bàn: krong-na" in sheet and "{" not in sheet.split("</style>")[1]  # words, no raw JSON
    failed = output("y/y.vi.pdf", "pdf", problems=({"code": "text-overflow", "severity": "error",
                                                     "message": "does not fit"},))
    assert "lỗi, không in được" in contact_sheet([failed]) and "text-overflow: does not fit" in contact_sheet([failed])
    assert "<script" not in sheet and "http" not in sheet.split("</style>")[1]


# --- screen slides, bilingual editions -------------------------------------------------

def test_a_screen_slide_that_continues_a_message_repeats_its_title(make_project, shared_kit):
    long = "\n\n".join(["Một đoạn văn khá dài để tin bài sang trang sau, đọc trên điện thoại. " * 4] * 6)
    root = make_project({
        "content/messages/lua-dao.md": f"---\ntitle: Cảnh giác lừa đảo\nstatus: approved\n---\n{long}\n",
        "content/leaflets/bien-gioi.yaml": BASE_FILES["content/leaflets/bien-gioi.yaml"].replace(
            "layout: a5-flyer", "layout: screen").replace("messages: [cot-moc, lua-dao]", "messages: [lua-dao, cot-moc]"),
    })
    assert run(root, "build", "--format", "pdf").exit_code == 0
    pages = [page.extract_text() for page in PdfReader(root / "build" / "bien-gioi" / "bien-gioi.vi.pdf").pages]
    assert len(pages) >= 3
    assert "(tiếp)" not in pages[0]
    assert "Cảnh giác lừa đảo (tiếp)" in pages[1]  # the slide starts inside the message
    start = next(i for i, text in enumerate(pages) if "Bảo vệ cột mốc" in text)
    assert "Bảo vệ cột mốc (tiếp)" not in pages[start]  # a slide that starts a message needs no repeat


def test_a_bilingual_edition_sets_the_second_language_at_85_percent_and_never_repeats_a_label(
        make_project, shared_kit):
    from weasyprint import HTML

    leaflet = BASE_FILES["content/leaflets/bien-gioi.yaml"].replace("locales: [vi]", "locales: [vi]\nbilingual: [rad, vi]")
    root = make_project({"content/leaflets/bien-gioi.yaml": leaflet})
    assert run(root, "build", "--format", "pdf,html").exit_code == 0
    path = root / "build" / "bien-gioi" / "bien-gioi.rad+vi.html"
    document = HTML(filename=str(path), base_url=path.parent.as_uri() + "/").render()

    def walk(box, parent=None):
        box = getattr(box, "_box", box)
        yield parent, box
        for child in getattr(box, "children", ()) or ():
            yield from walk(child, box)
    first_size = {}  # id(parent box) -> font size of the last first-language text in it
    checked = 0
    for page in document.pages:
        for parent, box in walk(page._page_box):
            element = getattr(box, "element", None)
            if element is None or not getattr(box, "element_tag", None):
                continue
            if "second" in (element.get("class") or "").split():
                reference = first_size.get(id(parent))
                if reference is None and getattr(parent, "element", None) is not None \
                        and parent.element.get("lang") == "rad":
                    reference = parent.style["font_size"]  # a list item and the span beneath its text
                if reference:
                    assert box.style["font_size"] >= 0.85 * reference - 0.01, element.text
                    checked += 1
            elif element.get("lang") == "rad" and parent is not None:
                first_size[id(parent)] = box.style["font_size"]  # the text just before its translation
    assert checked >= 3
    text = pdf_text(path.with_suffix(".pdf"))
    assert "Ấn bản · Ấn bản" not in text and "Biên phòng Đồn Biên phòng" not in text
    assert "· Đường dây nóng" not in text and "· Công an 113" not in text
