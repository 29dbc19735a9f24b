"""The preview of an adaptation: highlighted variables that never inject HTML."""
from __future__ import annotations

import re

from click.testing import CliRunner
from conftest import BASE_FILES

from mobcontent.app.cli import main
from mobcontent.content.load import load_project
from mobcontent.pipeline.preview import preview_html, preview_message, preview_text

EDE = {"ethnic": "ede", "religion": "protestant", "zone": "krong-na"}


def test_html_marks_each_filled_value_with_its_origin(make_project):
    preview = preview_message(load_project(make_project()), "cot-moc", EDE)
    page = preview_html(preview)
    marks = re.findall(r'<mark class="var" title="([^"]*)">([^<]*)</mark>', page)
    assert ("{village} = ethnic.ede terms.village", "buôn") in marks
    assert ("{border_post} = zone.krong-na border_post", "Đồn Biên phòng Sê-rê-pốk") in marks
    assert ("{greeting} = ethnic.ede terms.greeting", "Kính gửi bà con buôn làng") in marks
    assert "mc-motif-neutral" in page  # the base profiles have no motif
    assert "\ue000" not in page and "\ue001" not in page and "\ue002" not in page


def test_html_lists_dropped_blocks(make_project):
    preview = preview_message(load_project(make_project()), "cot-moc",
                              {"ethnic": "mnong", "religion": "none", "zone": "krong-na"})
    page = preview_html(preview)
    assert ("content/messages/cot-moc.md:13: ::: only religion=protestant (this audience: religion=none)"
            in page)
    assert "Họp vào thứ Bảy" not in page.split('<section class="dropped">')[0]


def test_a_term_value_cannot_inject_html(make_project):
    evil = '<img src=x onerror="alert(1)"> **đậm** [link](javascript:x) \ue0000\ue001'
    audiences = BASE_FILES["content/audiences.yaml"].replace(
        "village: buôn,", "village: '" + evil.replace("'", "''") + "',")
    preview = preview_message(load_project(make_project({"content/audiences.yaml": audiences})), "cot-moc", EDE)
    page = preview_html(preview)
    assert "<img" not in page and "<strong>" not in page and "<a " not in page
    assert "&lt;img src=x onerror=" in page
    assert page.count('<mark class="var"') == page.count("</mark>")


def test_text_marks_values_and_lists_variables(make_project):
    preview = preview_message(load_project(make_project()), "cot-moc", EDE)
    text = preview_text(preview, lambda value, variable: f"<<{variable.name}:{value}>>")
    assert "## Cột mốc của <<village:buôn>>" in text
    assert "  {day_of_worship} = Chủ nhật  (religion.protestant terms.day_of_worship)" in text


def test_show_writes_html(make_project, tmp_path):
    root = make_project()
    target = tmp_path / "preview.html"
    result = CliRunner().invoke(main, ["-C", str(root), "show", "cot-moc", "--ethnic", "ede", "--religion",
                                       "protestant", "--zone", "krong-na", "--html", str(target)])
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"HTML preview written to {target}\n")
    assert '<mark class="var"' in target.read_text(encoding="utf-8")


def test_show_unknown_message_is_a_usage_error(make_project):
    result = CliRunner().invoke(main, ["-C", str(make_project()), "show", "cot-mok"])
    assert result.exit_code == 2
    assert result.output == "error: no message named 'cot-mok' — known messages: cot-moc, lua-dao\n"
