"""One message, two audiences, three locales: variables and blocks after translation.

The base project's ``cot-moc`` message, built for Ê Đê Protestants in Krông Na and for
M’nông with no religion in Krông Na, in ``vi`` and through small ``rad`` and ``cmo``
catalogs written here (test strings, not real translations).
"""
from __future__ import annotations

import pytest
from conftest import BASE_FILES

from mobcontent.content.load import load_project
from mobcontent.pipeline.adapt import adapt_message, audience_variables
from mobcontent.pipeline.render import plain_text, render_message
from mobcontent.pipeline.translate import catalog_path, read_catalog, translate_message

EDE = {"ethnic": "ede", "religion": "protestant", "zone": "krong-na"}
MNONG = {"ethnic": "mnong", "religion": "none", "zone": "krong-na"}


def po(*entries: tuple) -> str:
    """A PO file from ``(msgctxt or None, msgid, msgstr)`` triples."""
    out = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"',
           '"Plural-Forms: nplurals=1; plural=0;\\n"', ""]
    for context, msgid, msgstr in entries:
        if "{" in msgid:
            out.append("#, python-brace-format")
        if context:
            out.append(f'msgctxt "{context}"')
        out += [f'msgid "{msgid}"', f'msgstr "{msgstr}"', ""]
    return "\n".join(out)


FILES = {
    "mobcontent.yaml": "name: Test\nlocales: [vi, rad, cmo]\n",
    "locales/cmo/locale.yaml": "name: Mnong\nplural_forms: \"nplurals=1; plural=0;\"\n",
    "locales/rad/LC_MESSAGES/messages/cot-moc.po": po(
        (None, "Bảo vệ cột mốc", "RAD Kiă cột mốc"),
        (None, "Cột mốc của {village}", "RAD Cột mốc hlăm {village}"),
        (None, "Mỗi cột mốc là tài sản chung. Báo ngay cho {border_post}.", "RAD Hưn kơ {border_post}."),
        (None, "Họp vào thứ Bảy, không trùng ngày {day_of_worship}.", "RAD Bi kƀĭn, amâo djŏ {day_of_worship}.")),
    "locales/rad/LC_MESSAGES/audiences.po": po(
        ("ethnic.ede.terms.village", "buôn", "ƀuôn"),
        ("ethnic.ede.terms.greeting", "Kính gửi bà con buôn làng", "RAD kơ ayŏng adei"),
        ("religion.protestant.terms.day_of_worship", "Chủ nhật", "RAD hruê Ađăt"),
        ("zone.krong-na.border_post", "Đồn Biên phòng Sê-rê-pốk", "RAD Đồn Sê-rê-pốk")),
    "locales/cmo/LC_MESSAGES/messages/cot-moc.po": po(
        (None, "Bảo vệ cột mốc", "CMO Cột mốc"),
        (None, "Cột mốc của {village}", "CMO Cột mốc {village}"),
        (None, "Mỗi cột mốc là tài sản chung. Báo ngay cho {border_post}.", "CMO Lah ma {border_post}."),
        (None, "Họp vào thứ Bảy, không trùng ngày {day_of_worship}.", "CMO {day_of_worship}.")),
    "locales/cmo/LC_MESSAGES/audiences.po": po(
        ("ethnic.mnong.terms.village", "bon", "CMO bon"),
        ("zone.krong-na.border_post", "Đồn Biên phòng Sê-rê-pốk", "CMO Đồn Sê-rê-pốk")),
}


def adapt(project, slug: str, audience: dict, locale: str):
    """The adapted message and its body as plain text, catalogs read from the project."""
    own = locale == project.config.source_locale

    def catalog(domain: str) -> dict:
        path = catalog_path(project.root, locale, domain)
        return {} if own else read_catalog(path, path.relative_to(project.root).as_posix(), locale)

    variables = audience_variables(audience, project.audiences, catalog("audiences"), own)
    translated = translate_message(project.messages[slug], catalog(f"messages/{slug}"), locale, "vi")
    adapted = adapt_message(translated, audience, project.audiences, variables)
    return adapted, variables, plain_text(render_message(adapted, locale, False))


@pytest.fixture
def project(make_project):
    return load_project(make_project(FILES))


@pytest.mark.parametrize("audience, locale, title, text", [
    (EDE, "vi", "Bảo vệ cột mốc",
     "Cột mốc của buôn Mỗi cột mốc là tài sản chung. Báo ngay cho Đồn Biên phòng Sê-rê-pốk. "
     "Họp vào thứ Bảy, không trùng ngày Chủ nhật."),
    (EDE, "rad", "RAD Kiă cột mốc",
     "RAD Cột mốc hlăm ƀuôn RAD Hưn kơ RAD Đồn Sê-rê-pốk. RAD Bi kƀĭn, amâo djŏ RAD hruê Ađăt."),
    (MNONG, "vi", "Bảo vệ cột mốc",
     "Cột mốc của bon Mỗi cột mốc là tài sản chung. Báo ngay cho Đồn Biên phòng Sê-rê-pốk."),
    (MNONG, "cmo", "CMO Cột mốc", "CMO Cột mốc CMO bon CMO Lah ma CMO Đồn Sê-rê-pốk."),
], ids=["ede-vi", "ede-rad", "mnong-vi", "mnong-cmo"])
def test_same_message_for_two_audiences_in_each_locale(project, audience, locale, title, text):
    adapted, _, body = adapt(project, "cot-moc", audience, locale)
    assert adapted.title.text == title
    assert body == text
    assert all(t.releasable for t in adapted.texts.values())


def test_the_protestant_block_is_dropped_for_mnong_without_religion(project):
    ede, _, _ = adapt(project, "cot-moc", EDE, "rad")
    mnong, _, _ = adapt(project, "cot-moc", MNONG, "cmo")
    assert ede.dropped == ()
    assert [(c.line, c.conditions[0].describe()) for c in mnong.dropped] == [(14, "only religion=protestant")]


def test_greeting_is_a_translated_term(project):
    _, rad, _ = adapt(project, "cot-moc", EDE, "rad")
    _, cmo, _ = adapt(project, "cot-moc", MNONG, "cmo")
    assert rad["greeting"].value.text == "RAD kơ ayŏng adei"
    assert rad["greeting"].value.state == "translated"
    # the cmo catalog lacks the M’nông greeting: it falls back to Vietnamese, and the
    # leaflet cannot be released until a translator provides it
    assert cmo["greeting"].value.text == "Kính gửi bà con bon làng"
    assert not cmo["greeting"].value.releasable


def test_an_untranslated_term_keeps_the_block_from_release(make_project):
    files = {**FILES, "locales/rad/LC_MESSAGES/audiences.po": po(("ethnic.ede.terms.village", "buôn", ""))}
    project = load_project(make_project(files))
    adapted, _, body = adapt(project, "cot-moc", EDE, "rad")
    heading = adapted.texts["Cột mốc của {village}"]
    assert heading.text == "RAD Cột mốc hlăm buôn"  # the Vietnamese term, for a draft
    assert heading.state == "missing" and not heading.releasable


def test_a_term_with_markdown_stays_text(make_project):
    files = {**FILES, "content/audiences.yaml": BASE_FILES["content/audiences.yaml"].replace(
        "village: buôn,", "village: \"*buôn* [x](http://a) <b>\",")}
    project = load_project(make_project(files))
    adapted, _, body = adapt(project, "cot-moc", EDE, "vi")
    html = str(render_message(adapted, "vi", False))
    assert "<b>" not in html and "<em>" not in html and "<a " not in html
    assert body.startswith("Cột mốc của *buôn* [x](http://a) <b>")
