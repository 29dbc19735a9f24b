"""The translation workflow: segmentation, extract, update, catalogs, stats, checks.

Golden extraction cases are ``tests/golden/translate/extract/<case>.md`` beside
``<case>.expected.pot``; regenerate them with ``MOBCONTENT_REGEN=1 pytest tests/test_translate.py``
and review the diff.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobcontent.app.cli import main
from mobcontent.base.model import Chunk
from mobcontent.checks.translations import translation_problems
from mobcontent.content.load import load_project
from mobcontent.formats.markdown import make_markdown, segment
from mobcontent.formats.po import format_po, read_po
from mobcontent.l10n.extract import extract_project, message_template
from mobcontent.l10n.stats import project_stats
from mobcontent.pipeline.translate import (
    Translation,
    lookup,
    message_blocks,
    read_catalog,
)

GOLDEN = Path(__file__).parent / "golden" / "translate"
DATE = "2026-01-01 00:00+0000"
needs_gettext = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), *args])


def po_path(root: Path, locale: str, domain: str) -> Path:
    return root / "locales" / locale / "LC_MESSAGES" / f"{domain}.po"


def translate_all(path: Path, translate) -> None:
    """Fill every msgstr of a PO file with ``translate(msgid)``, as a translator would."""
    from dataclasses import replace
    po = read_po(path.read_bytes(), str(path))
    entries = tuple(replace(e, msgstr=translate(e.msgid), flags=tuple(f for f in e.flags if f != "fuzzy"),
                            previous_msgid=None) if not e.obsolete else e for e in po.entries)
    path.write_text(format_po(replace(po, entries=entries)), encoding="utf-8")


# --------------------------------------------------------------------------- segmentation and extraction

@pytest.mark.parametrize("case", sorted(p.stem for p in (GOLDEN / "extract").glob("*.md")))
def test_extracted_template_matches_golden(make_project, case):
    source = (GOLDEN / "extract" / f"{case}.md").read_text(encoding="utf-8")
    root = make_project({f"content/messages/{case}.md": source})
    project = load_project(root)
    template = message_template(project, project.messages[case])
    from mobcontent.formats.po import with_fields
    text = format_po(with_fields(template, {"POT-Creation-Date": DATE, "PO-Revision-Date": DATE}))
    expected = GOLDEN / "extract" / f"{case}.expected.pot"
    if os.environ.get("MOBCONTENT_REGEN"):
        expected.write_text(text, encoding="utf-8")
    assert text == expected.read_text(encoding="utf-8")


def test_segmentation_keeps_inline_markdown_and_nested_items():
    chunk = Chunk("- Báo **ngay** cho {border_post}:\n    - khi mốc [đổ](https://x.vn);\n\n> Trích dẫn\n", 10)
    assert [(b.kind, b.text, b.line) for b in segment(chunk)] == [
        ("list item", "Báo **ngay** cho {border_post}:", 10),
        ("list item", "khi mốc [đổ](https://x.vn);", 11),
        ("block quote", "Trích dẫn", 13)]


def test_extract_twice_changes_nothing(make_project):
    root = make_project()
    project = load_project(root)
    first = extract_project(project, now="2026-01-01 00:00+0000")
    before = {p: p.read_bytes() for p in (root / "locales" / "templates").rglob("*.pot")}
    second = extract_project(load_project(root), now="2030-12-31 23:59+0000")
    assert {f.action for f in first.files} == {"created"}
    assert {f.action for f in second.files} == {"unchanged"}
    assert {p: p.read_bytes() for p in before} == before
    assert sorted(p.relative_to(root / "locales/templates").as_posix() for p in before) == [
        "audiences.pot", "layouts.pot", "leaflets.pot", "messages/cot-moc.pot", "messages/lua-dao.pot"]


def test_templates_carry_context_comments_and_flags(make_project):
    root = make_project()
    extract_project(load_project(root), now=DATE)
    pot = (root / "locales/templates/messages/cot-moc.pot").read_text(encoding="utf-8")
    assert ("#. paragraph\n#. audience: ethnic=ede,mnong; zone=border\n#. shown: only religion=protestant\n"
            in pot)
    assert "#. {village} = the term 'village' of the reader's community, e.g. “buôn” (ethnic.ede), “bon” " \
           "(ethnic.mnong)" in pot
    assert "#: content/messages/cot-moc.md:11\n#, python-brace-format\n" in pot
    audiences = read_po((root / "locales/templates/audiences.pot").read_bytes())
    contexts = {e.msgctxt for e in audiences.entries}
    assert {"ethnic.ede.name", "ethnic.ede.terms.village", "zone.krong-na.border_post"} <= contexts
    assert "zone.krong-na.hotline" not in contexts  # "113" needs no translation
    layouts = read_po((root / "locales/templates/layouts.pot").read_bytes())
    assert "layout.draft" in {e.msgctxt for e in layouts.entries}


# --------------------------------------------------------------------------- update

@pytest.fixture
def translated(make_project):
    """The base project with rad PO files created by extract + update."""
    root = make_project({"mobcontent.yaml": "name: Test\nlocales: [vi, rad]\nissuer: Ban tuyên truyền xã\n"})
    assert run(root, "extract").exit_code == 0
    result = run(root, "update")
    assert result.exit_code == 0, result.output
    return root


@needs_gettext
def test_update_creates_msgfmt_clean_files_with_the_locale_header(translated):
    files = sorted((translated / "locales").rglob("*.po")) + sorted((translated / "locales").rglob("*.pot"))
    assert len(files) == 10
    for path in files:
        check = subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        if path.suffix == ".po":
            assert check.stderr == ""  # not even a warning
    po = read_po(po_path(translated, "rad", "messages/cot-moc").read_bytes())
    assert po.field("Language") == "rad"
    assert po.field("Plural-Forms") == "nplurals=1; plural=0;"
    assert po.field("Content-Type") == "text/plain; charset=UTF-8"
    assert not po.header.flags


def test_update_keeps_every_translation(translated):
    path = po_path(translated, "rad", "messages/cot-moc")
    translate_all(path, lambda msgid: f"[rad] {msgid}")
    text = path.read_text(encoding="utf-8").replace('"Last-Translator: \\n"', '"Last-Translator: H’Duyên\\n"')
    text = text.replace('"X-Generator: mobcontent 0.1.0\\n"', '"X-Generator: Poedit 3.4\\n"\n"X-Poedit-Flags: x\\n"')
    path.write_text(text, encoding="utf-8")
    message = translated / "content/messages/cot-moc.md"
    source = message.read_text(encoding="utf-8")
    source = source.replace("Mỗi cột mốc là tài sản chung.", "Mỗi cột mốc là tài sản chung của bà con.")
    source = source.replace("::: only religion=protestant\nHọp vào thứ Bảy, không trùng ngày {day_of_worship}.\n:::\n", "")
    message.write_text(source, encoding="utf-8")
    other = translated / "content/messages/lua-dao.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nHọp vào thứ Bảy, không trùng ngày {day_of_worship}.\n",
                     encoding="utf-8")
    assert run(translated, "extract").exit_code == 0
    result = run(translated, "update", "--locale", "rad")
    assert result.exit_code == 0, result.output
    assert "locales/rad/LC_MESSAGES/messages/cot-moc.po: updated (1 fuzzy, 1 obsolete)" in result.output
    # the moved sentence is the same text, reviewed in cot-moc: translation memory fills it (issue 14)
    assert "locales/rad/LC_MESSAGES/messages/lua-dao.po: updated (1 from memory)" in result.output
    po = read_po(path.read_bytes())
    assert po.field("X-Generator") == "Poedit 3.4" and po.field("Last-Translator") == "H’Duyên"
    assert po.field("X-Poedit-Flags") == "x"
    changed = next(e for e in po.entries if e.msgid.startswith("Mỗi cột mốc"))
    assert changed.fuzzy and changed.msgstr.startswith("[rad] Mỗi cột mốc là tài sản chung.")
    assert changed.previous_msgid.startswith("Mỗi cột mốc là tài sản chung. Báo ngay")
    gone = [e for e in po.entries if e.obsolete]
    assert [e.msgid for e in gone] == ["Họp vào thứ Bảy, không trùng ngày {day_of_worship}."]
    moved = next(e for e in read_po(po_path(translated, "rad", "messages/lua-dao").read_bytes()).entries
                 if e.msgid.startswith("Họp vào"))
    assert not moved.fuzzy and moved.msgstr == "[rad] Họp vào thứ Bảy, không trùng ngày {day_of_worship}."
    assert moved.comments == ("tm: same text translated in messages/cot-moc",)
    again = run(translated, "update")
    assert "0 PO file(s) changed" in again.output


def test_update_never_rewrites_a_file_it_cannot_read(translated):
    path = po_path(translated, "rad", "messages/cot-moc")
    broken = path.read_bytes().replace(b'msgstr ""\n\n#. paragraph', b'msgstr "unterminated\n\n#. paragraph', 1)
    path.write_bytes(broken)
    result = run(translated, "update")
    assert result.exit_code == 1
    assert "locales/rad/LC_MESSAGES/messages/cot-moc.po:" in result.output
    assert "unterminated string" in result.output
    assert path.read_bytes() == broken


def test_an_unknown_locale_is_a_usage_error(translated):
    result = run(translated, "update", "--locale", "jra")
    assert result.exit_code == 2 and "use one of: rad" in result.output


# --------------------------------------------------------------------------- catalogs, lookup, stats, checks

def test_a_decomposed_msgid_finds_its_translation(tmp_path):
    path = tmp_path / "m.po"
    nfd = unicodedata.normalize("NFD", "Cột mốc")
    path.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                    f'msgid "{nfd}"\nmsgstr "Ƀuôn"\n', encoding="utf-8")
    catalog = read_catalog(path, "m.po", "rad")
    text = lookup(catalog, "Cột mốc")
    assert (text.text, text.state, text.origin) == ("Ƀuôn", "translated", "m.po:4")


def test_fuzzy_and_missing_fall_back_to_the_source():
    catalog = {"a": Translation("b", fuzzy=True, path="x.po", line=3)}
    assert (lookup(catalog, "a").text, lookup(catalog, "a").state) == ("a", "fuzzy")
    assert (lookup({}, "a").text, lookup({}, "a").state) == ("a", "missing")


def test_stats_per_locale_and_leaflet(translated):
    translate_all(po_path(translated, "rad", "messages/lua-dao"), lambda m: f"[rad] {m}")
    stats = project_stats(load_project(translated))
    rad = stats["locales"]["rad"]
    assert rad["entries"]["translated"] == 2 and rad["entries"]["fuzzy"] == 0
    assert rad["entries"]["untranslated"] > 0
    leaflet = json.loads(run(translated, "stats", "--json").output)["leaflets"]
    assert leaflet == []  # the base leaflet is in vi only
    text = run(translated, "stats").output
    assert "LOCALE" in text and "rad" in text


def test_translation_checks_have_codes(translated):
    path = po_path(translated, "rad", "messages/cot-moc")
    replies = {
        "Bảo vệ cột mốc": "Bảo vệ cột mốc",  # short: identical is fine
        "Cột mốc của {village}": "Cột mốc",
        "Mỗi cột mốc là tài sản chung. Báo ngay cho {border_post}.":
            "Mỗi cột mốc {border_post} {village} M'nông [x](https://evil.example)",
        "Họp vào thứ Bảy, không trùng ngày {day_of_worship}.": "Họp vào thứ Bảy, không trùng ngày {day_of_worship}.",
    }
    translate_all(path, lambda m: replies.get(m, m))
    codes = {(p.code, p.line) for p in translation_problems(load_project(translated), msgfmt=None)}
    lines = {e.msgid: e.line for e in read_po(path.read_bytes()).entries}
    assert ("placeholder-missing", lines["Cột mốc của {village}"]) in codes
    third = lines["Mỗi cột mốc là tài sản chung. Báo ngay cho {border_post}."]
    assert {("placeholder-added", third), ("url-changed", third), ("apostrophe", third),
            ("markup-changed", third)} <= codes
    assert ("translation-identical", lines["Họp vào thứ Bảy, không trùng ngày {day_of_worship}."]) in codes
    from mobcontent.checks.runner import run_checks
    from mobcontent.checks.translations import check_translations
    assert "placeholder-missing" in {p.code for p in run_checks(load_project(translated), [check_translations])}


@needs_gettext
def test_msgfmt_findings_are_reported(translated):
    path = po_path(translated, "rad", "messages/cot-moc")
    translate_all(path, lambda m: m.replace("{village}", "{villag}"))
    codes = {p.code for p in translation_problems(load_project(translated))}
    assert "po-msgfmt" in codes and "placeholder-missing" in codes


# --------------------------------------------------------------------------- round trips

BLOCK = st.sampled_from(["Cột mốc là tài sản chung", "**Báo ngay** cho {border_post}", "Gọi 113 hoặc 115",
                         "Xem [hướng dẫn](https://x.vn/a_b)", "Dấu {{ngoặc}} và `mã`", "M’nông, Ê Đê: ê̆ ô̆",
                         "*nghiêng* và _gạch_", "a \\* b", "Hai  khoảng   trắng", "“Trích” — ‘dẫn’"])


@st.composite
def markdown_documents(draw):
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["p", "h", "ul", "ol", "quote", "table", "nested"]))
        texts = draw(st.lists(BLOCK, min_size=1, max_size=3))
        if kind == "p":
            parts.append("\n".join(texts))
        elif kind == "h":
            parts.append("#" * draw(st.integers(1, 3)) + " " + texts[0])
        elif kind == "ul":
            parts.append("\n".join(f"- {t}" for t in texts))
        elif kind == "ol":
            parts.append("\n".join(f"{i}. {t}" for i, t in enumerate(texts, 1)))
        elif kind == "quote":
            parts.append("\n".join(f"> {t}" for t in texts))
        elif kind == "table":
            parts.append("| A | B |\n|---|---|\n" + "\n".join(f"| {t} | {t[:5]} |" for t in texts))
        else:
            parts.append(f"- {texts[0]}\n" + "\n".join(f"    - {t}" for t in texts))
    return "\n\n".join(parts) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(markdown_documents())
def test_translating_every_block_into_itself_renders_the_same_html(tmp_path_factory, document):
    """Round trip: extract → PO (msgstr = msgid, written and read back) → render."""
    from mobcontent.base.model import Message
    message = Message("m", "content/messages/m.md", 1, "Tiêu đề", 2, {}, 3, (), "approved",
                      (Chunk(document, 6),))
    entries = {b.text for b, _ in message_blocks(message)}
    from mobcontent.formats.po import Entry, PoFile
    header = Entry(msgid="", msgstr="Content-Type: text/plain; charset=UTF-8\n")
    po = PoFile(header, tuple(Entry(msgid=t, msgstr=t) for t in sorted(entries)))
    path = tmp_path_factory.mktemp("rt") / "m.po"
    path.write_text(format_po(po), encoding="utf-8")
    catalog = read_catalog(path, "m.po", "rad")

    def translated(kind, source):
        text = lookup(catalog, source)
        assert text.state == "translated"
        return text.text

    plain = make_markdown(lambda kind, source: source).convert(document)
    assert make_markdown(translated).convert(document) == plain


def pseudo(text: str) -> str:
    """A made-up locale: every word reversed, placeholders, URLs and Markdown marks kept."""
    import re
    return re.sub(r"\{[a-z_]+\}|\]\([^)]*\)|https?://\S+|[^\W\d_]+",
                  lambda m: m.group(0) if not m.group(0)[0].isalpha() else m.group(0)[::-1], text)


@needs_gettext
def test_pseudo_locale_round_trip_through_a_real_pdf_build(tmp_path, shared_kit):
    from pypdf import PdfReader

    from mobcontent.content.scaffold import init_project
    root = tmp_path / "project"
    init_project(root)
    assert run(root, "extract").exit_code == 0
    assert run(root, "update", "--locale", "rad").exit_code == 0
    for path in (root / "locales/rad/LC_MESSAGES").rglob("*.po"):
        translate_all(path, pseudo)
    result = run(root, "build", "--locale", "rad", "--format", "pdf,html")
    assert result.exit_code == 0, result.output
    pdf = next((root / "build").rglob("*.rad.pdf"))
    text = unicodedata.normalize("NFC", " ".join(p.extract_text() for p in PdfReader(pdf).pages))
    words = " ".join(text.split())
    assert pseudo("Kẻ gian thường giả danh công an") in words  # a message block
    assert pseudo("Cảnh giác với cuộc gọi lừa đảo") in words  # a message title
    assert "Kẻ gian thường" not in words  # nothing fell back to Vietnamese
    html = next((root / "build").rglob("*.rad.html")).read_text(encoding="utf-8")
    assert 'class="mc-missing"' not in html and 'class="mc-fuzzy"' not in html
    # a fuzzy translation falls back to the source, marked, and the leaflet is a draft
    from dataclasses import replace
    path = root / "locales/rad/LC_MESSAGES/messages/phong-chong-lua-dao.po"
    po = read_po(path.read_bytes())
    po = replace(po, entries=tuple(replace(e, flags=("fuzzy",) + e.flags) if e.msgid.startswith("Kẻ gian") else e
                                   for e in po.entries))
    path.write_text(format_po(po), encoding="utf-8")
    result = run(root, "build", "--locale", "rad", "--format", "html")
    assert result.exit_code == 0, result.output
    html = next((root / "build").rglob("*.rad.html")).read_text(encoding="utf-8")
    assert 'class="mc-fuzzy"' in html and "Kẻ gian thường giả danh công an" in html
    manifest = json.loads((root / "build/manifest.json").read_text(encoding="utf-8"))
    assert all(o["draft"] for o in manifest["outputs"])
