"""PO files: strict reading (malformed files, one each), gettext-exact writing, merging."""
from __future__ import annotations

import random
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from mobcontent.formats.po import (
    BOM,
    Entry,
    FuzzyIndex,
    PoError,
    PoFile,
    format_po,
    merge_po,
    read_po,
    wrap_string,
)

GOLDEN = Path(__file__).parent / "golden" / "translate"
HEADER = b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
needs_gettext = pytest.mark.skipif(shutil.which("msgcat") is None, reason="GNU gettext is not installed")


def bad_cases():
    cases = []
    for line in (GOLDEN / "bad-po" / "EXPECTED").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, number, code, fragment = line.split("\t")
            cases.append(pytest.param(name, int(number), code, fragment, id=name))
    return cases


@pytest.mark.parametrize("name, line, code, fragment", bad_cases())
def test_malformed_po_is_rejected_at_its_line(name, line, code, fragment):
    rel = f"locales/rad/LC_MESSAGES/{name}"
    with pytest.raises(PoError) as info:
        read_po((GOLDEN / "bad-po" / name).read_bytes(), rel)
    error = info.value
    assert (error.path, error.line, error.code) == (rel, line, code), str(error)
    assert fragment in error.message
    assert str(error).startswith(f"{rel}:{line}: ")


def test_every_malformed_case_has_an_expectation():
    files = {p.name for p in (GOLDEN / "bad-po").glob("*.po")}
    assert files == {case.values[0] for case in bad_cases()}


def test_bom_is_stripped_with_a_warning_and_the_header_stays_a_header():
    po = read_po(BOM + HEADER + b'msgid "a"\nmsgstr "b"\n', "x.po")
    assert po.field("Content-Type") == "text/plain; charset=UTF-8"
    assert [e.msgid for e in po.entries] == ["a"]
    assert [(w.code, w.line) for w in po.warnings] == [("po-bom", 1)]


def test_reading_keeps_unknown_header_fields_previous_msgid_and_obsolete_entries():
    data = (b'# Translator comment\nmsgid ""\nmsgstr ""\n"Language: rad\\n"\n'
            b'"Content-Type: text/plain; charset=UTF-8\\n"\n"X-Generator: Poedit 3.4\\n"\n'
            b'"Last-Translator: H\xe2\x80\x99Duy\xc3\xaan <h@example.org>\\n"\n\n'
            b'#, fuzzy\n#| msgid "old"\nmsgid "new"\nmsgstr "ko\\"t\\\\\\n"\n\n#~ msgid "gone"\n#~ msgstr "x"\n')
    po = read_po(data, "x.po")
    assert po.field("X-Generator") == "Poedit 3.4"
    assert po.field("Last-Translator") == "H’Duyên <h@example.org>"
    assert po.header.comments == ("Translator comment",)
    new, gone = po.entries
    assert (new.previous_msgid, new.fuzzy, new.msgstr, new.line) == ("old", True, 'ko"t\\\n', 11)
    assert (gone.obsolete, gone.msgstr) == (True, "x")


def test_an_obsolete_entry_may_repeat_an_active_msgid():
    po = read_po(HEADER + b'msgid "a"\nmsgstr "b"\n\n#~ msgid "a"\n#~ msgstr "c"\n', "x.po")
    assert [e.obsolete for e in po.entries] == [False, True]


def test_gettext_wrapping_of_a_long_string():
    text = "Đường biên giới giữa Việt Nam và Campuchia đi qua {zone_name}, tỉnh {province}. Mỗi cột mốc"
    assert wrap_string("msgid", text) == [
        'msgid ""',
        '"Đường biên giới giữa Việt Nam và Campuchia đi qua {zone_name}, tỉnh "',
        '"{province}. Mỗi cột mốc"']
    assert wrap_string("msgstr", "a\nb") == ['msgstr ""', '"a\\n"', '"b"']
    assert wrap_string("msgid", "x\n") == ['msgid "x\\n"']


def random_entries(seed: int, count: int) -> list[Entry]:
    """Entries with the text a PO file of this project meets: Vietnamese, Ê Đê letters,
    Markdown, placeholders, URLs, numbers, quotes, dashes, escapes."""
    rng = random.Random(seed)
    words = ("Đường biên giới giữa Việt Nam và Campuchia đi qua tỉnh mốc Sê-rê-pốk M’nông ê̆ô̆ơ̆ư̆ "
             "buôn bon 113 1.000 2026-01-01 https://dichvucong.gov.vn/p/home (cấp cứu) **báo ngay** "
             "[link](https://x.vn) {village} {zone_name}, … — – \"quoted\" 'single' a/b 50% $5 +84 x! "
             "y? z; w: ‘q’ “dq” H’Duyêt Y-Nuel ¿ · • 10-20 \\back tab\there _a_ *b* |p| ).( ]a [b {{x}}").split(" ")
    out = []
    for i in range(count):
        tokens = [rng.choice(words) + rng.choice([" ", " ", "", "  "]) for _ in range(rng.randint(1, 40))]
        text = "".join(tokens).strip()
        translated = rng.random() < 0.6
        fuzzy = translated and rng.random() < 0.3
        out.append(Entry(msgid=f"{i} {text}", msgstr=" ".join(reversed(text.split(" "))) if translated else "",
                         msgctxt=("ctx." * rng.randint(0, 25)) or None,
                         references=tuple(f"content/messages/m{rng.randint(0, 99999)}.md:{j}"
                                          for j in range(rng.randint(0, 8))),
                         extracted=("paragraph", "audience: everyone"),
                         flags=(("fuzzy",) if fuzzy else ()) + (("python-brace-format",) if "{v" in text else ()),
                         previous_msgid=text[:rng.randint(0, len(text))] if fuzzy else None,
                         obsolete=translated and rng.random() < 0.1))
    active = [e for e in out if not e.obsolete]
    return active + [replace(e, extracted=(), references=(), flags=e.flags[:1] if e.fuzzy else ())
                     for e in out if e.obsolete]


@needs_gettext
def test_written_po_is_what_msgcat_writes_byte_for_byte(tmp_path):
    header = Entry(msgid="", msgstr="Language: rad\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
                   "Content-Transfer-Encoding: 8bit\nPlural-Forms: nplurals=1; plural=0;\n"
                   "X-Long: " + "word " * 25 + "\n")
    text = format_po(PoFile(header, tuple(random_entries(7, 1500))))
    path = tmp_path / "x.po"
    path.write_text(text, encoding="utf-8")
    theirs = subprocess.run(["msgcat", str(path)], capture_output=True, text=True, check=True).stdout
    assert theirs == text
    check = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


@needs_gettext
def test_babel_trap_a_long_previous_msgid_stays_valid_and_survives_a_read_write_cycle(tmp_path):
    long = "Khi đi rẫy, đi rừng gần biên giới, nếu thấy cột mốc bị đổ, bị nghiêng, bị cây cỏ che lấp " * 2
    po = read_po(HEADER + b"")
    po = replace(po, entries=(Entry(msgid=long + "!", msgstr="x", flags=("fuzzy",), previous_msgid=long),))
    text = format_po(po)
    again = format_po(read_po(text.encode()))
    assert again == text and "#| msgid" in text
    path = tmp_path / "p.po"
    path.write_text(text, encoding="utf-8")
    run = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def entry(msgid, msgstr="", **kw):
    return Entry(msgid=msgid, msgstr=msgstr, **kw)


def make(entries, fields=b"") -> PoFile:
    return replace(read_po(HEADER.replace(b'charset=UTF-8\\n"\n', b'charset=UTF-8\\n"\n' + fields)),
                   entries=tuple(entries))


def test_merge_keeps_changes_obsoletes_and_reorders():
    old = make([entry("Một", "Sa"), entry("Hai câu rất dài về cột mốc biên giới", "Dua"), entry("Ba", "Tlâo"),
                entry("Bốn", "")], b'"X-Generator: Poedit 3.4\\n"\n')
    template = make([entry("Ba", extracted=("list item",)), entry("Năm"),
                     entry("Hai câu rất dài về cột mốc biên giới!"), entry("Một", references=("m.md:2",))])
    index = FuzzyIndex([(e.msgid, e) for e in old.entries if e.translated])

    def suggest(e):
        found = index.best(e.msgid)
        return (found[1], found[2], True) if found else None

    merged, counts = merge_po(template, old, {"Language": "rad"}, suggest)
    assert [(e.msgid, e.msgstr, e.fuzzy, e.previous_msgid, e.obsolete) for e in merged.entries] == [
        ("Ba", "Tlâo", False, None, False),
        ("Năm", "", False, None, False),
        ("Hai câu rất dài về cột mốc biên giới!", "Dua", True, "Hai câu rất dài về cột mốc biên giới", False),
        ("Một", "Sa", False, None, False)]
    assert merged.entries[0].extracted == ("list item",) and merged.entries[3].references == ("m.md:2",)
    assert (counts.new, counts.fuzzy, counts.obsolete, counts.kept) == (1, 1, 0, 2)
    assert merged.field("X-Generator") == "Poedit 3.4" and merged.field("Language") == "rad"


def test_merge_turns_removed_translations_obsolete_and_revives_them():
    old = make([entry("Một", "Sa", comments=("checked by the team",)), entry("Hai", "")])
    gone, counts = merge_po(make([]), old, {})
    assert [(e.msgid, e.obsolete, e.comments) for e in gone.entries] == [("Một", True, ("checked by the team",))]
    assert counts.obsolete == 1
    back, counts = merge_po(make([entry("Một")]), gone, {})
    assert [(e.msgid, e.msgstr, e.obsolete) for e in back.entries] == [("Một", "Sa", False)]
    assert counts.revived == 1


def test_merge_matches_a_decomposed_msgid_through_canonical_text():
    import unicodedata
    old = make([entry(unicodedata.normalize("NFD", "buôn làng"), "ƀuôn")])
    merged, _ = merge_po(make([entry("buôn làng")]), old, {},
                         canonical=lambda t: unicodedata.normalize("NFC", t))
    assert [(e.msgid, e.msgstr, e.fuzzy) for e in merged.entries] == [("buôn làng", "ƀuôn", False)]


@needs_gettext
def test_a_file_rewrapped_by_msgcat_is_not_changed_by_a_merge(tmp_path):
    entries = [e for e in random_entries(3, 200) if not e.obsolete]
    po = make(entries, b'"Language: rad\\n"\n')
    path = tmp_path / "x.po"
    path.write_text(format_po(po), encoding="utf-8")
    subprocess.run(["msgcat", "-w", "50", "-o", str(path), str(path)], check=True)
    rewrapped = read_po(path.read_bytes())
    template = make([replace(e, msgstr="", flags=tuple(f for f in e.flags if f != "fuzzy"), previous_msgid=None)
                     for e in entries])
    merged, _ = merge_po(template, rewrapped, {"Language": "rad"})
    assert merged == rewrapped  # update writes nothing
    extra = make(list(template.entries) + [entry("Một câu mới")])
    merged, counts = merge_po(extra, rewrapped, {"Language": "rad"})
    text = format_po(merged, rewrapped)
    assert counts.new == 1 and text.startswith(path.read_text(encoding="utf-8").rstrip("\n"))


def test_fuzzy_index_finds_a_typo_and_ignores_unrelated_text():
    texts = [f"Câu số {i}: bà con buôn {i % 7} hãy báo ngay cho đồn biên phòng khi thấy mốc hư" for i in range(500)]
    index = FuzzyIndex([(t, n) for n, t in enumerate(texts)])
    assert index.best("Câu số 123: bà con buôn 4 hãy báo ngay cho đồn biên phòng khi thấy mốc hu")[2] == 123
    assert index.best("Không uống rượu khi lái xe máy trên đường") is None
