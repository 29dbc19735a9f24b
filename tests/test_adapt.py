"""Adapt: conditional blocks and variables for one audience."""
import pytest

from mobcontent.base.errors import ContentError
from mobcontent.content.load import load_project
from mobcontent.pipeline.adapt import adapt_message, audience_variables
from mobcontent.pipeline.render import plain_text, render_message
from mobcontent.pipeline.translate import translate_message


def adapted_text(project, slug, audience):
    variables = audience_variables(audience, project.audiences, {}, True)
    message = project.messages[slug]
    adapted = adapt_message(translate_message(message, {}, "vi", "vi"), audience, project.audiences, variables)
    return adapted, plain_text(render_message(adapted, "vi", False))


def test_protestant_ede_in_krong_na_gets_filled_variables_and_the_block(make_project):
    project = load_project(make_project())
    adapted, text = adapted_text(project, "cot-moc", {"ethnic": "ede", "religion": "protestant", "zone": "krong-na"})
    assert text == ("Cột mốc của buôn Mỗi cột mốc là tài sản chung. Báo ngay cho Đồn Biên phòng Sê-rê-pốk. "
                    "Họp vào thứ Bảy, không trùng ngày Chủ nhật.")
    assert adapted.dropped == ()


def test_mnong_without_religion_drops_the_block(make_project):
    project = load_project(make_project())
    adapted, text = adapted_text(project, "cot-moc", {"ethnic": "mnong", "religion": "none", "zone": "krong-na"})
    assert text == "Cột mốc của bon Mỗi cột mốc là tài sản chung. Báo ngay cho Đồn Biên phòng Sê-rê-pốk."
    assert [c.line for c in adapted.dropped] == [14]


def test_literal_braces_and_markdown_in_values(make_project):
    root = make_project({"content/messages/lua-dao.md":
                         "---\ntitle: T\nstatus: approved\n---\nMẫu {{village}} ở {village} *x*\n"})
    project = load_project(root)
    _, text = adapted_text(project, "lua-dao", {"ethnic": "ede"})
    assert text == "Mẫu {village} ở buôn x"


def test_unknown_variable_names_line_variable_and_profiles(make_project):
    root = make_project({"content/messages/lua-dao.md":
                         "---\ntitle: T\nstatus: approved\n---\nDòng một.\n\nGọi {border_post}.\n"})
    project = load_project(root)
    with pytest.raises(ContentError) as info:
        adapted_text(project, "lua-dao", {"ethnic": "ede", "zone": "ea-kiet"})
    assert str(info.value) == ("content/messages/lua-dao.md:7: variable {border_post} is not defined for this "
                               "audience (ethnic.ede, zone.ea-kiet) — add 'border_post' to the terms of one of "
                               "these profiles in content/audiences.yaml, or remove it from the message")


def test_conflicting_definitions_name_both_profiles(make_project):
    root = make_project({"content/audiences.yaml": """\
ethnic: {ede: {name: Ê Đê, terms: {village: buôn}}}
religion: {none: {name: Không, terms: {village: làng}}}
zone: {krong-na: {name: xã Krông Na}}
""", "content/messages/cot-moc.md": None, "content/leaflets/bien-gioi.yaml": None})
    project = load_project(root)
    with pytest.raises(ContentError) as info:
        audience_variables({"ethnic": "ede", "religion": "none"}, project.audiences, {}, True)
    assert info.value.code == "variable-conflict"
    assert "ethnic.ede ('buôn') and religion.none ('làng')" in info.value.message


NESTED = """---
title: T
status: approved
---
Mở đầu.

::: only ethnic=ede,mnong religion=protestant
Cho bà con Ê Đê, M’nông theo đạo Tin Lành.

::: except zone=border
Ở xã không giáp biên: {day_of_worship}.
:::

Vẫn trong khối ngoài.
:::
"""


@pytest.mark.parametrize("audience, shown, dropped", [
    ({"ethnic": "ede", "religion": "protestant", "zone": "ea-kiet"},
     "Mở đầu. Cho bà con Ê Đê, M’nông theo đạo Tin Lành. Ở xã không giáp biên: Chủ nhật. Vẫn trong khối ngoài.", []),
    ({"ethnic": "mnong", "religion": "protestant", "zone": "krong-na"},  # krong-na is in the group 'border'
     "Mở đầu. Cho bà con Ê Đê, M’nông theo đạo Tin Lành. Vẫn trong khối ngoài.", [11]),
    ({"ethnic": "ede", "religion": "none", "zone": "ea-kiet"}, "Mở đầu.", [8, 11, 14]),
    ({"zone": "ea-kiet"}, "Mở đầu.", [8, 11, 14]),  # a mixed audience matches no 'only' value
])
def test_nested_blocks_and_zone_groups(make_project, audience, shown, dropped):
    project = load_project(make_project({"content/messages/lua-dao.md": NESTED}))
    adapted, text = adapted_text(project, "lua-dao", audience)
    assert text == shown
    assert [c.line for c in adapted.dropped] == dropped
