"""PNG pages beside each PDF and the build/index.html contact sheet."""
from __future__ import annotations

import re

from PIL import Image
from print_support import run

from mobcontent.printing.previews import render_pngs


def test_png_pages_show_the_trimmed_sheet(make_project, shared_kit):
    root = make_project()
    result = run(root, "build")  # pdf, png, html by default
    assert result.exit_code == 0, result.output
    folder = root / "build" / "bien-gioi"
    pngs = sorted(folder.glob("bien-gioi.vi.p*.png"))
    assert [p.name for p in pngs] == ["bien-gioi.vi.p1.png"]
    with Image.open(pngs[0]) as image:
        width, height = image.size  # A5 at 151 dpi, without bleed or marks: over 1240 px on the long side
        assert abs(width - 148 / 25.4 * 151) <= 1.5 and abs(height - 210 / 25.4 * 151) <= 1.5
        assert height >= 1240
    pdf = (folder / "bien-gioi.vi.pdf").read_bytes()
    assert render_pngs(pdf, 151) == [pngs[0].read_bytes()]  # the same bytes every time


def test_the_contact_sheet_shows_every_edition_and_page(make_project, shared_kit):
    extra = {"content/leaflets/man-hinh.yaml": "title: Lừa đảo\naudience: {zone: ea-kiet}\nlocales: [vi, rad]\n"
                                               "layout: screen\nmessages: [lua-dao]\ndate: 2026-09-01\n"}
    root = make_project(extra)
    assert run(root, "build").exit_code == 0
    sheet = (root / "build" / "index.html").read_text(encoding="utf-8")
    for src in re.findall(r'<img src="([^"]+)"', sheet):
        assert (root / "build" / src).is_file()
    pages = sorted(p.relative_to(root / "build").as_posix() for p in (root / "build").glob("*/*.png"))
    assert sorted(re.findall(r'<img src="([^"]+)"', sheet)) == pages
    assert '<a href="man-hinh/man-hinh.rad.pdf">PDF</a>' in sheet
    assert sheet.count("BẢN NHÁP") == 1 and sheet.count("sẵn sàng") == 2  # rad is a draft


def test_stale_pages_of_an_earlier_build_are_removed(make_project, shared_kit):
    long = "\n\n".join(["Một đoạn văn khá dài để tờ rơi sang trang sau. " * 10] * 5)
    root = make_project({"content/messages/lua-dao.md": f"---\ntitle: T\nstatus: approved\n---\n{long}\n"})
    assert run(root, "build").exit_code == 0
    assert (root / "build" / "bien-gioi" / "bien-gioi.vi.p2.png").is_file()
    root = make_project({"content/messages/lua-dao.md": "---\ntitle: T\nstatus: approved\n---\nNgắn.\n"})
    assert run(root, "build").exit_code == 0
    assert not (root / "build" / "bien-gioi" / "bien-gioi.vi.p2.png").exists()
