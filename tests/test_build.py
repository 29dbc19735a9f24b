"""The walking skeleton end to end: the shipped demo content and ``mobcontent init``."""
from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fontTools.ttLib import TTFont
from print_support import html_blocks, pdf_text, shared_build
from pypdf import PdfReader

from mobcontent.app.cli import main


def embedded_fonts(path: Path) -> list[tuple[str, str]]:
    """(BaseFont, family name inside the embedded font program) of every font in the PDF."""
    found = []
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            found.append((str(font["/BaseFont"]), program["name"].getDebugName(1)))
    return found


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory, font_cache):
    """The repository's demo project, copied and built: every leaflet, locale and format
    (one build for the session, shared with test_layouts.py)."""
    from test_layouts import build_demo
    return shared_build("demo", tmp_path_factory, lambda root: build_demo(root, font_cache))


def test_every_demo_leaflet_gives_a_pdf_and_html(demo_build):
    leaflets = sorted(p.stem for p in (demo_build / "content" / "leaflets").glob("*.yaml"))
    assert len(leaflets) >= 5
    for slug in leaflets:
        assert (demo_build / "build" / slug / f"{slug}.vi.pdf").read_bytes().startswith(b"%PDF-")
        assert (demo_build / "build" / slug / f"{slug}.vi.html").is_file()
        assert (demo_build / "build" / slug / f"{slug}.vi.p1.png").read_bytes().startswith(b"\x89PNG")
        assert (demo_build / "build" / slug / f"{slug}.vi.txt").is_file()
    assert (demo_build / "build" / "phong-chay-rung-mua-kho" / "phong-chay-rung-mua-kho.rad+vi.pdf").is_file()
    assert (demo_build / "build" / "index.html").is_file()


def test_manifest_describes_every_output(demo_build):
    manifest = json.loads((demo_build / "build" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == 1 and manifest["release"] is False
    assert manifest["tool"].startswith("mobcontent ")
    paths = [o["path"] for o in manifest["outputs"]]
    assert paths == sorted(paths) and len(paths) == len(set(paths))
    for output in manifest["outputs"]:
        data = (demo_build / "build" / output["path"]).read_bytes()
        assert output["sha256"] == hashlib.sha256(data).hexdigest()
        assert output["bytes"] == len(data)
        if output["format"] == "pdf":
            assert output["pages"] == len(PdfReader(demo_build / "build" / output["path"]).pages) >= 1
        leaflet = (demo_build / "content" / "leaflets" / f"{output['leaflet']}.yaml").read_text(encoding="utf-8")
        assert set(output["locales"]) <= set(re.search(r"^locales: \[(.*)\]", leaflet, re.M).group(1).split(", "))
        assert output["layout"] in leaflet or output["layout"] == "a5-flyer"
        assert f"content/leaflets/{output['leaflet']}.yaml" in output["inputs"]


def test_noto_is_embedded_and_nothing_else(demo_build):
    for pdf in (demo_build / "build").glob("*/*.vi.pdf"):
        fonts = embedded_fonts(pdf)
        assert fonts, pdf
        assert {family.split()[0:2] == ["Noto", "Sans"] or family.split()[0:2] == ["Noto", "Serif"]
                for _, family in fonts} == {True}, fonts


def test_extracted_text_equals_printed_text(demo_build):
    """Every block the HTML shows comes out of the PDF exactly (the ccmp trap: 'họp' not 'hoịp')."""
    everything = ""
    for html_path in sorted((demo_build / "build").glob("*/*.html")):
        if html_path.name == "index.html":
            continue
        extracted = pdf_text(html_path.with_suffix(".pdf"))
        everything += extracted
        blocks = html_blocks(html_path.read_text(encoding="utf-8"))
        assert len(blocks) > 5
        for text in blocks:
            assert text in extracted, (html_path.name, text)
    for word in ("họp", "bảo", "cột mốc", "Đắk Lắk", "ụ", "ị", "ọ"):  # words Noto's ccmp used to break
        assert word in everything


def test_init_project_builds_at_once_in_three_locales(tmp_path, font_cache, monkeypatch):
    monkeypatch.setenv("MOBCONTENT_FONT_CACHE", str(font_cache))
    runner = CliRunner()
    result = runner.invoke(main, ["init", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["-C", str(tmp_path / "p"), "check"]).exit_code == 0
    result = runner.invoke(main, ["-C", str(tmp_path / "p"), "build"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "p" / "build" / "manifest.json").read_text(encoding="utf-8"))
    pdfs = {o["locales"][0]: o for o in manifest["outputs"] if o["format"] == "pdf"}
    assert set(pdfs) == {"vi", "rad", "cmo"}
    assert not pdfs["vi"]["draft"] and pdfs["rad"]["draft"] and pdfs["cmo"]["draft"]
    assert "BẢN NHÁP" in (tmp_path / "p" / "build" / pdfs["rad"]["path"]).with_suffix(".html").read_text()
    assert "BẢN NHÁP" not in (tmp_path / "p" / "build" / pdfs["vi"]["path"]).with_suffix(".html").read_text()
    again = runner.invoke(main, ["init", str(tmp_path / "p")])
    assert again.exit_code == 2 and "already holds a project" in again.stderr


def test_same_inputs_give_identical_pdfs(make_project, font_cache, monkeypatch):
    monkeypatch.setenv("MOBCONTENT_FONT_CACHE", str(font_cache))
    root = make_project()
    runner = CliRunner()
    assert runner.invoke(main, ["-C", str(root), "build"]).exit_code == 0
    first = (root / "build" / "bien-gioi" / "bien-gioi.vi.pdf").read_bytes()
    shutil.rmtree(root / "build")
    assert runner.invoke(main, ["-C", str(root), "build"]).exit_code == 0
    assert (root / "build" / "bien-gioi" / "bien-gioi.vi.pdf").read_bytes() == first
    assert PdfReader(io.BytesIO(first)).metadata["/CreationDate"].startswith("D:20261101")


def test_unknown_leaflet_and_format_are_usage_errors(make_project, font_cache, monkeypatch):
    monkeypatch.setenv("MOBCONTENT_FONT_CACHE", str(font_cache))
    root = make_project()
    result = CliRunner().invoke(main, ["-C", str(root), "build", "bien-gioj"])
    assert result.exit_code == 2 and "no leaflet named bien-gioj" in result.stderr
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--format", "pdf,docx"])
    assert result.exit_code == 2 and "unknown format docx" in result.stderr


def test_a_failing_leaflet_does_not_stop_the_others(make_project, font_cache, monkeypatch):
    monkeypatch.setenv("MOBCONTENT_FONT_CACHE", str(font_cache))
    root = make_project({
        "content/messages/lua-dao.md": "---\ntitle: T\nstatus: approved\n---\nGọi {border_post}.\n",
        "content/leaflets/a-noi-dia.yaml": "title: Nội địa\naudience: {zone: ea-kiet}\nlocales: [vi]\n"
                                           "messages: [lua-dao]\n",
    })
    result = CliRunner().invoke(main, ["-C", str(root), "build"])
    assert result.exit_code == 1
    assert ("content/messages/lua-dao.md:5: error: variable-unknown: variable {border_post} is not defined "
            "for this audience (zone.ea-kiet)") in result.stderr
    assert "1 leaflet(s) failed." in result.stderr
    assert (root / "build" / "bien-gioi" / "bien-gioi.vi.pdf").is_file()
