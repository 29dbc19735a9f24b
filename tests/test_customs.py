"""Customs: respectful-language matching, who reads what, calendar windows, motifs."""
from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from conftest import BASE_FILES

from mobcontent.base.model import CalendarEntry, Condition
from mobcontent.checks.customs import (
    calendar_conflicts,
    check_avoid_terms,
    check_calendar,
    check_motifs,
    find_terms,
    message_readers,
    shut_out,
)
from mobcontent.content.load import load_project
from mobcontent.pipeline.motifs import MOTIFS, motif_band, motif_css

AVOID = """\
    avoid:
      - {term: người Thượng, use: đồng bào dân tộc thiểu số, why: Cách gọi cũ.}
      - {term: hủ tục, use: tập quán không còn phù hợp}
"""
AUDIENCES = BASE_FILES["content/audiences.yaml"].replace(
    "    terms: {village: buôn, greeting: Kính gửi bà con buôn làng}\n",
    "    terms: {village: buôn, greeting: Kính gửi bà con buôn làng}\n" + AVOID, 1)


def words(text: str, term: str) -> list[str]:
    return [text[a:b] for a, b in find_terms(text, term)]


# --------------------------------------------------------------------------- matching

@pytest.mark.parametrize("text, found", [
    ("Gọi người Thượng là không đúng.", ["người Thượng"]),
    ("NGƯỜI THƯỢNG", ["NGƯỜI THƯỢNG"]),
    ("người   Thượng", ["người   Thượng"]),  # any run of spaces
    ("người\nThượng", ["người\nThượng"]),  # a line break inside a paragraph
    ("người **Thượng**", ["người **Thượng"]),  # emphasis between the syllables
    ("Thượng tôn pháp luật", []),  # one syllable of the term is not the term
    ("người Thượngx", []),  # not inside a longer word
    ("xngười Thượng", []),
    ("người Thượng-Hạ", []),  # nor inside a hyphenated name
    ("“người Thượng”, (người Thượng).", ["người Thượng", "người Thượng"]),  # punctuation is a boundary
])
def test_terms_match_whole_syllables(text, found):
    assert words(text, "người Thượng") == found


def test_matching_ignores_normalization_and_tone_placement():
    decomposed = unicodedata.normalize("NFD", "người Thượng")
    assert find_terms(decomposed, "người Thượng") == [(0, 12)]  # spans of the canonical (NFC) text
    assert words("giữ hòa khí", "hoà khí") == ["hòa khí"]
    assert words("giữ hoà khí", "hòa khí") == ["hoà khí"]


def test_ede_letters_and_apostrophes_are_inside_words():
    assert words("ê̆a", "ê") == []  # ê + combining breve: another letter
    assert words("bà con M’nông", "nông") == []
    assert words("bà con M'nông", "M’nông") == ["M'nông"]  # the apostrophe is made canonical


def test_placeholders_are_not_text():
    assert words("Gọi {nguoi} ngay", "nguoi") == []


# --------------------------------------------------------------------------- who reads what

def test_readers_of_a_message(make_project):
    project = load_project(make_project({"content/audiences.yaml": AUDIENCES}))
    restricted = message_readers(project, project.messages["cot-moc"], every=False)
    assert restricted == {("ethnic", "ede"), ("ethnic", "mnong"), ("zone", "krong-na"), ("religion", "protestant")}
    # a message for everyone is read by every profile (for respectful language), and for the
    # calendar only by the profiles of the leaflets that carry it
    everyone = project.messages["lua-dao"]
    assert ("ethnic", "mnong") in message_readers(project, everyone)
    assert message_readers(project, everyone, every=False) == {("ethnic", "ede"), ("religion", "protestant"),
                                                              ("zone", "krong-na")}


def test_a_block_only_for_others_is_not_read(make_project):
    project = load_project(make_project())
    only_kinh = (Condition(False, (("ethnic", ("mnong",)),), 1),)
    except_ede = (Condition(True, (("ethnic", ("ede",)),), 1),)
    mixed_except = (Condition(True, (("ethnic", ("ede",)), ("zone", ("border",))), 1),)
    assert shut_out(only_kinh, ("ethnic", "ede"), project)
    assert not shut_out(only_kinh, ("ethnic", "mnong"), project)
    assert not shut_out(only_kinh, ("zone", "krong-na"), project)  # another dimension: unknown
    assert shut_out(except_ede, ("ethnic", "ede"), project)
    assert not shut_out(mixed_except, ("ethnic", "ede"), project)  # depends on the zone too


# --------------------------------------------------------------------------- avoid-term

def test_avoid_terms_in_source_translation_and_terms(make_project):
    root = make_project({
        "content/audiences.yaml": AUDIENCES.replace("village: buôn,", "village: hủ tục,"),
        "content/messages/lua-dao.md": "---\ntitle: Người THƯỢNG\ntopics: [scam]\nstatus: approved\n---\n"
                                       "Không gọi người\nThượng.\n\n::: only ethnic=mnong\nngười Thượng\n:::\n",
        "locales/rad/LC_MESSAGES/messages/lua-dao.po":
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            'msgid "Không gọi người Thượng."\nmsgstr "Amâo người thượng."\n',
    })
    problems = sorted(check_avoid_terms(load_project(root)), key=lambda p: (p.path, p.line))
    assert [(p.path, p.line) for p in problems] == [
        ("content/audiences.yaml", 5),  # the term value
        ("content/messages/lua-dao.md", 2),  # the title
        ("content/messages/lua-dao.md", 6),  # the body, on the line where the term starts
        ("locales/rad/LC_MESSAGES/messages/lua-dao.po", 6),  # the translation (its msgstr line)
    ]  # not line 10: that block is only for M’nông, whose list is empty
    assert problems[2].format() == (
        "content/messages/lua-dao.md:6: error: avoid-term: 'người Thượng' is on the avoid list of Ê Đê "
        "(ethnic.ede): Cách gọi cũ. — write 'đồng bào dân tộc thiểu số' instead "
        "(avoid list: content/audiences.yaml:7)")
    assert problems[3].message.startswith("in the rad translation: 'người thượng' is on the avoid list")
    assert all(p.severity == "error" for p in problems)


def test_one_problem_names_every_profile_that_avoids_the_term(make_project):
    audiences = AUDIENCES.replace(
        "    terms: {village: bon, greeting: Kính gửi bà con bon làng}\n",
        "    terms: {village: bon, greeting: Kính gửi bà con bon làng}\n"
        "    avoid: [{term: người thượng, use: gọi đúng tên dân tộc}]\n")
    root = make_project({"content/audiences.yaml": audiences,
                         "content/messages/lua-dao.md": "---\ntitle: T\nstatus: approved\n---\nngười Thượng\n"})
    [problem] = check_avoid_terms(load_project(root))
    assert "avoid list of Ê Đê (ethnic.ede), M’nông (ethnic.mnong)" in problem.message
    assert problem.hint.startswith("write instead: 'đồng bào dân tộc thiểu số' for Ê Đê; "
                                   "'gọi đúng tên dân tộc' for M’nông")


# --------------------------------------------------------------------------- calendar

FESTIVAL = CalendarEntry("Lễ mừng lúa mới", "a.yaml", 3, "11-01", "12-31")
YEAR_END = CalendarEntry("Cuối năm", "a.yaml", 4, "12-15", "01-15")
SUNDAY = CalendarEntry("Chủ nhật", "a.yaml", 5, weekday="sunday")


def spans(first, last, entry, weekdays=True):
    return [(str(c.start), str(c.end)) for c in calendar_conflicts(first, last, entry, weekdays)]


def test_period_overlap():
    assert spans("2026-10-20", "2026-11-05", FESTIVAL) == [("2026-11-01", "2026-11-05")]
    assert spans("2026-10-01", "2026-10-31", FESTIVAL) == []
    assert spans("2026-12-31", "2026-12-31", FESTIVAL) == [("2026-12-31", "2026-12-31")]


def test_periods_wrap_the_year_end():
    assert spans("2027-01-10", "2027-02-01", YEAR_END) == [("2027-01-10", "2027-01-15")]
    assert spans("2026-12-01", "2026-12-16", YEAR_END) == [("2026-12-15", "2026-12-16")]
    assert spans("2026-01-16", "2026-12-14", YEAR_END) == []


def test_weekdays_count_on_the_first_day_only():
    assert dt.date(2026, 10, 4).strftime("%A") == "Sunday"
    assert spans("2026-10-04", "2026-10-20", SUNDAY) == [("2026-10-04", "2026-10-04")]
    assert spans("2026-10-05", "2026-10-20", SUNDAY) == []
    assert spans("2026-10-04", "2026-10-20", SUNDAY, weekdays=False) == []


def test_windows_of_a_year_or_more_are_not_checked():
    assert spans("2026-01-01", "2026-12-31", FESTIVAL) == []
    assert spans("2026-01-01", "2026-12-30", FESTIVAL) == [("2026-11-01", "2026-12-30")]


def test_february_29_in_a_common_year():
    leap = CalendarEntry("x", "a.yaml", 1, "02-29", "03-02")
    assert spans("2027-02-28", "2027-02-28", leap) == [("2027-02-28", "2027-02-28")]


CALENDAR_AUDIENCES = AUDIENCES.replace("  protestant: {name: Tin Lành, terms: {day_of_worship: Chủ nhật}}\n", """\
  protestant:
    name: Tin Lành
    terms: {day_of_worship: Chủ nhật}
    calendar:
      - {name: Chủ nhật — ngày thờ phượng, weekday: sunday, why: Bà con đi nhóm.}
      - {name: Lễ Giáng sinh, from: "12-20", until: "12-26"}
""")


def test_calendar_conflicts_of_leaflets_and_messages(make_project):
    root = make_project({
        "content/audiences.yaml": CALENDAR_AUDIENCES,
        "content/leaflets/bien-gioi.yaml": BASE_FILES["content/leaflets/bien-gioi.yaml"]
        + "distribute: {from: 2026-12-20, until: 2027-01-05}\n",
        "content/messages/lua-dao.md": "---\ntitle: T\nstatus: approved\nvalid: {from: 2026-12-01, until: 2026-12-21}\n"
                                       "---\nKhông đọc mã OTP.\n",
    })
    problems = list(check_calendar(load_project(root)))
    # the leaflet's own window: it starts on a Sunday and meets Christmas; the message is
    # only carried by that leaflet, which has its own window, so its 'valid' is not checked
    assert [p.format() for p in problems] == [
        "content/leaflets/bien-gioi.yaml:7: warning: calendar-conflict: distribute: the window starts on a "
        "Sunday (2026-12-20), 'Chủ nhật — ngày thờ phượng' of Tin Lành (religion.protestant) — "
        "Bà con đi nhóm: start it on another day (content/audiences.yaml:19)",
        "content/leaflets/bien-gioi.yaml:7: warning: calendar-conflict: distribute: 2026-12-20 – 2027-01-05 "
        "overlaps 'Lễ Giáng sinh' of Tin Lành (religion.protestant), 12-20 – 12-26 every year "
        "(2026-12-20 – 2026-12-26) — move the window, or agree the dates with the community "
        "(content/audiences.yaml:20)",
    ]


def test_a_message_window_is_checked_for_the_profiles_it_names(make_project):
    root = make_project({
        "content/audiences.yaml": CALENDAR_AUDIENCES,
        "content/messages/cot-moc.md": BASE_FILES["content/messages/cot-moc.md"].replace(
            "status: approved\n", "status: approved\nvalid: {from: 2026-12-24, until: 2027-01-31}\n"),
    })
    [problem] = check_calendar(load_project(root))
    assert (problem.path, problem.line, problem.severity) == ("content/messages/cot-moc.md", 8, "warning")
    assert "valid: 2026-12-24 – 2027-01-31 overlaps 'Lễ Giáng sinh'" in problem.message


# --------------------------------------------------------------------------- motifs

def test_unknown_motif_is_an_error(make_project):
    root = make_project({"content/audiences.yaml": AUDIENCES.replace(
        "    locales: [cmo, vi]\n", "    locales: [cmo, vi]\n    motif: mnong-brocad\n")})
    [problem] = check_motifs(load_project(root))
    assert problem.format() == ("content/audiences.yaml:12: error: motif-unknown: ethnic.mnong.motif: unknown "
                                "motif 'mnong-brocad' — use one of: neutral, ede-brocade, mnong-brocade")


@pytest.mark.parametrize("motif", MOTIFS)
def test_motif_bands_are_self_contained_and_cmyk_in_print(motif):
    band = str(motif_band(motif, "band", 50))
    assert band.startswith("<style>") and f'class="band mc-motif mc-motif-{motif}"' in band
    css = motif_css(motif)
    assert "gradient" not in css and "url(" not in css  # gradients and images would print in RGB
    assert ".medium-print" in css and "device-cmyk(" in css


def test_unknown_motif_and_mixed_audience_draw_the_neutral_band():
    assert "mc-motif-neutral" in motif_band("") and "mc-motif-neutral" in motif_band("tapestry")
    assert '"band&lt;b&gt; mc-motif' in motif_band("", "band<b>")


def test_release_build_refuses_a_leaflet_with_an_avoided_term(make_project, shared_kit):
    from click.testing import CliRunner

    from mobcontent.app.cli import main
    root = make_project({"content/audiences.yaml": AUDIENCES,
                         "content/messages/lua-dao.md": "---\ntitle: T\nstatus: approved\n---\n"
                                                        "Không đọc mã OTP cho người Thượng.\n"})
    result = CliRunner().invoke(main, ["-C", str(root), "build", "--release", "--format", "pdf"])
    assert result.exit_code == 1
    assert "content/messages/lua-dao.md:5: error: avoid-term: 'người Thượng'" in result.output
    assert "release-refused" in result.output
    assert not (root / "build" / "bien-gioi" / "bien-gioi.vi.pdf").exists()
