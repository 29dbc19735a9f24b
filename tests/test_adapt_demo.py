"""The demo content uses adaptation, and the printed PDFs show it.

Four demo leaflets built in Vietnamese: Ê Đê Protestants in Krông Na (A4 trifold),
M’nông Protestants in Krông Na (A5), Kinh Catholics in Ea Kiết (A5) and the whole commune
of Ia Rvê (screen). The text extracted from each PDF holds its audience's greeting, sign-off
and terms, the blocks for it, and not the blocks for others; each carries its audience's
motif band, the neutral one for a mixed audience.
"""
from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from mobcontent.app.cli import main
from mobcontent.content.load import load_project

REPO = Path(__file__).resolve().parent.parent
LEAFLETS = ("bien-gioi-binh-yen", "bon-lang-an-toan", "thon-xom-dong-thuan", "thong-tin-xa-ia-rve")


def pdf_text(path: Path) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFC", re.sub(r"•", " ", text)).split())


@pytest.fixture(scope="module")
def built(tmp_path_factory, font_cache):
    root = tmp_path_factory.mktemp("demo-adapt")
    shutil.copy(REPO / "mobcontent.yaml", root)
    for folder in ("content", "locales"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("*.pot"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MOBCONTENT_FONT_CACHE", str(font_cache))
        result = CliRunner().invoke(main, ["-C", str(root), "build", *LEAFLETS, "--locale", "vi",
                                           "--format", "pdf,html"])
    assert result.exit_code == 0, result.output
    return root


def read(root: Path, slug: str) -> tuple[str, str]:
    folder = root / "build" / slug
    return pdf_text(folder / f"{slug}.vi.pdf"), (folder / f"{slug}.vi.html").read_text(encoding="utf-8")


def test_ede_protestant_border_leaflet(built):
    text, html = read(built, "bien-gioi-binh-yen")
    assert "mc-motif-ede-brocade" in html
    for shown in ("Kính gửi bà con buôn làng",  # greeting
                  "Chúc bà con mạnh khỏe, buôn làng bình yên, no ấm!",  # sign-off
                  "Cột mốc là tài sản của cả buôn",  # {village}
                  "Đồn Biên phòng Sê-rê-pốk",  # {border_post}
                  "Luật tục tốt đẹp của người Ê Đê",  # ::: except ethnic=kinh, {ethnic_name}
                  "Bà con theo đạo Tin Lành",  # ::: only religion=protestant,catholic
                  "Lưu ý ở vùng biên giới"):  # ::: only zone=border
        assert shown in text, shown
    assert "{" not in text and "}" not in text


def test_mnong_protestant_leaflet(built):
    text, html = read(built, "bon-lang-an-toan")
    for shown in ("Kính gửi bà con trong bon", "bon làng bình yên, no ấm!", "đường vào bon",
                  "nhờ mục sư, truyền đạo",  # a religion term inside ::: only religion=...
                  "hãy báo ngay cho già làng hoặc Đồn Biên phòng"):  # ::: only zone=border
        assert shown in text, shown
    assert "mc-motif-mnong-brocade" in html


def test_kinh_catholic_leaflet_drops_the_blocks_for_others(built):
    text, html = read(built, "thon-xom-dong-thuan")
    assert "Kính gửi bà con trong thôn" in text and "Tổ hòa giải ở thôn" in text
    assert "Bà con theo đạo Công giáo" in text  # only religion=protestant,catholic: kept
    assert "Luật tục" not in text  # except ethnic=kinh: dropped
    assert "mc-motif-neutral" in html


def test_mixed_audience_gets_the_neutral_band_and_no_greeting(built):
    text, html = read(built, "thong-tin-xa-ia-rve")
    assert "mc-motif-neutral" in html and "brocade" not in html
    assert "Kính gửi" not in text and "Ủy ban nhân dân xã Ia Rvê" in text  # {office} of the zone


def test_demo_uses_customs_in_enough_messages_and_leaflets():
    project = load_project(REPO)
    with_blocks = [m.slug for m in project.messages.values() if any(c.conditions for c in m.chunks)]
    with_variables = [m.slug for m in project.messages.values()
                      if any(re.search(r"\{[a-z_]+\}", c.text) for c in m.chunks)]
    assert len(with_blocks) >= 4 and len(with_variables) >= 4
    ethnic = [l.slug for l in project.leaflets.values() if "ethnic" in l.audience]
    assert len(ethnic) >= 2
    profiles = project.audiences
    assert all(p.avoid and p.calendar and p.motif for p in (profiles.ethnic["ede"], profiles.ethnic["mnong"]))
