"""Copyfit: long Ê Đê text is set smaller until it fits; text that never fits fails the build."""
from __future__ import annotations

import re

from conftest import BASE_FILES
from print_support import run, translate_all
from pypdf import PdfReader

from mobcontent.pipeline.layout import Layout
from mobcontent.printing.copyfit import Overflow, _scales, measure
from mobcontent.printing.pdf import render_document

SENTENCE = ("Bà con trong buôn hãy cùng nhau giữ gìn an ninh trật tự, báo ngay cho già làng và "
            "cán bộ xã khi thấy người lạ đến hỏi đường ra biên giới hoặc rủ đi làm ăn xa.")
FILLER = "Ƀuôn sang ê̆a klei mơ̆ng ư̆a kơ jih jang mnuih hlăm ƀuôn, "  # pseudo Ê Đê, with stacked letters


def long_message(paragraphs: int) -> str:
    body = "\n\n".join(" ".join([SENTENCE] * 3) for _ in range(paragraphs))
    return f"---\ntitle: Giữ gìn an ninh buôn làng\nstatus: approved\n---\n{body}\n"


def longer(text: str) -> str:
    """A pseudo Ê Đê translation about twice as long as the Vietnamese."""
    if not text:
        return text
    words = len(text.split())
    filler = (FILLER * (words // 12 + 1)).split()[:words]
    return f"{text} {' '.join(filler)}"


def font_size(html: str) -> float:
    return float(re.findall(r"html \{ font-size: ([0-9.]+)pt; \}", html)[-1])


def test_scales_step_down_to_the_minimum():
    assert _scales(0.82) == [1.0, 0.96, 0.92, 0.88, 0.84, 0.82]
    assert _scales(0.8)[-2:] == [0.84, 0.8]


def test_long_ede_text_is_set_smaller_until_it_fits(make_project, shared_kit):
    root = make_project({
        "content/messages/lua-dao.md": long_message(3),
        "content/leaflets/bien-gioi.yaml": BASE_FILES["content/leaflets/bien-gioi.yaml"].replace(
            "locales: [vi]", "locales: [vi, rad]"),
    })
    translate_all(root, "rad", longer, shared_kit)
    result = run(root, "build", "--format", "pdf,html")
    assert result.exit_code == 0, result.output
    folder = root / "build" / "bien-gioi"
    vi = font_size((folder / "bien-gioi.vi.html").read_text(encoding="utf-8"))
    assert 11.0 <= vi <= 12.0  # the preferred size, or larger to fill an under-full page
    rad = font_size((folder / "bien-gioi.rad.html").read_text(encoding="utf-8"))
    assert 9.5 <= rad < 11.0  # smaller, never below the A5 floor
    assert len(PdfReader(folder / "bien-gioi.rad.pdf").pages) == 2
    assert "text-overflow" not in result.output


def test_text_that_never_fits_fails_with_leaflet_locale_layout_and_how_much(make_project, shared_kit):
    root = make_project({"content/messages/lua-dao.md": long_message(30)})
    result = run(root, "build", "--format", "pdf,html")
    assert result.exit_code == 1
    message = re.search(r"content/leaflets/bien-gioi.yaml:1: error: text-overflow: (.*)", result.stderr).group(1)
    assert message.startswith("bien-gioi.vi (vi, layout a5-flyer) does not fit even with the type shrunk to 9.5 pt: "
                              "it takes ")
    pages, percent = re.search(r"takes (\d+) pages where the layout has 2 — about (\d+) % too much text", message).groups()
    assert int(pages) > 2 and int(percent) > 20
    assert "1 leaflet(s) failed." in result.stderr
    # a draft still writes it, for the officer to see what overflows; a release does not
    assert (root / "build" / "bien-gioi" / "bien-gioi.vi.pdf").is_file()
    assert run(root, "build", "--release").exit_code == 1
    assert not (root / "build" / "bien-gioi" / "bien-gioi.vi.pdf").exists()


PANEL_HTML = """<!DOCTYPE html><html><head><style>
@page {{ size: 200mm 100mm; margin: 0 }}
.mc-frame {{ position: absolute; top: 0; left: 0; width: 60mm; height: 40mm; overflow: hidden; font-size: 12pt }}
</style></head><body><section class="panel flap mc-frame">{text}</section></body></html>"""


def test_measure_finds_a_panel_that_overflows_and_by_how_much(tmp_path):
    layout = Layout("test", tmp_path, pages=1)
    fits = render_document(PANEL_HTML.format(text="<p>Ngắn.</p>"), tmp_path, [tmp_path])
    assert measure(fits.document, layout) is None
    long = render_document(PANEL_HTML.format(text="<p>" + SENTENCE * 6 + "</p>"), tmp_path, [tmp_path])
    overflow = measure(long.document, layout)
    assert isinstance(overflow, Overflow)
    (name, mm), = overflow.frames
    assert name == "flap" and mm > 10
    assert overflow.ratio > 1.2
    assert "the 'flap' panel is" in overflow.describe() and "% too much text" in overflow.describe()
