"""Under ``LANG=vi`` the tool speaks only Vietnamese.

Every command (its help, its usage errors, its work) and every error path the other
tests exercise — the golden load and adaptation cases, YAML syntax errors of each
kind, OS errors, the release gate, a broken file among good ones — is run under
``LANG=vi_VN.UTF-8``; the output must hold no word of a list of common English
words outside code (check codes, ``--options``, ``{names}``), paths and quoted
source (``'...'``, ``"..."``, ``“...”``, ``⟦...⟧``).
"""
from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobcontent.app.cli import main
from mobcontent.formats.yamlio import read_yaml, to_plain

VI = {"LANG": "vi_VN.UTF-8"}
GOLDEN = Path(__file__).parent / "golden"
# Common English words. Left out: words that are Vietnamese too ("an", "to", "in", "do", "no", "on", "can").
ENGLISH = set("""
the not found error errors invalid file files missing cannot could unknown such usage option options command
commands warning warnings value values please must should is are with from and or this that these expected
allowed permission denied address already directory integer range try help show message messages line lines
key keys there which when your you has have was were of at by it its yes done failed built leaflet leaflets
draft ready refused unchanged rendered changed preview building updating page pages problem problems text
name names wrong write read use used using character characters instead remove delete add check run none
every nothing empty than more less least most between but into over only also same other
""".split())
QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|“[^”\n]*”|‘[^’\n]*’|⟦[^⟧\n]*⟧|`[^`\n]*`|«[^»\n]*»")
COMMAND = re.compile(r"\bmobcontent(?:\s+(?:-\S+|[a-z][a-z-]*\b))*"  # a command line,
                     r"|^\s{2}[a-z]+(?=\s{2})"  # a command in the help's list,
                     r"|:::\s*[a-z]+"  # a block marker,
                     r"|\b[a-z][\w-]*(?:, [a-z][\w-]*)+")  # a list of ids (keys, values): code
CODE = re.compile(r"\S*[/\\._=<>{}\[\]@#$%|~-]\S*|\S*\d\S*|\S+:(?=\s|$)")


def english_words(output: str) -> list[str]:
    """The English words of ``output`` outside quotes, code and paths.

    >>> english_words("content/a.yaml:2: lỗi: yaml-syntax: dấu 'not here' — file missing")
    ['file', 'missing']
    """
    found = []
    for line in output.splitlines():
        plain = CODE.sub(" ", COMMAND.sub(" ", QUOTED.sub(" ", line)))  # noqa: the order matters
        found += [w for w in re.findall(r"[A-Za-z]+", plain) if w.lower() in ENGLISH]
    return found


def run_vi(args: list) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args], env=VI, prog_name="mobcontent")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.output


def assert_vietnamese(output: str, what: str) -> None:
    words = english_words(output)
    assert not words, f"English under LANG=vi in `{what}`: {sorted(set(words))}\n{output}"


COMMANDS = ["init", "list", "check", "build", "extract", "update", "stats", "bundle", "serve", "show"]
USAGE_ERRORS = [
    [], ["--help"], ["bulid"], ["--lang", "fr", "check"], ["build", "-j", "0"], ["build", "--jobs", "x"],
    ["build", "--format", "docx"], ["build", "--shard", "5/2"], ["build", "--time-limit", "0"],
    ["serve", "--port", "abc"], ["show"], ["show", "khong-co"], ["list", "--zone", "krongna"],
    ["list", "--status", "done"], ["build", "khong-co"], ["build", "--nope"], ["update", "--locale", "xx"],
    ["bundle", "--release"], ["bundle", "--merge", "khong-co.json"], ["init", "."], ["--version"],
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_is_vietnamese(command, make_project):
    root = make_project()
    assert_vietnamese(run_vi(["-C", root, command, "--help"]), f"{command} --help")


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=lambda a: " ".join(a) or "(nothing)")
def test_usage_errors_are_vietnamese(args, make_project):
    root = make_project()
    assert_vietnamese(run_vi(["-C", root, *args]), " ".join(args))


def test_outside_a_project(tmp_path):
    assert_vietnamese(run_vi(["-C", tmp_path]), "mobcontent (outside a project)")
    assert_vietnamese(run_vi(["-C", tmp_path, "check"]), "check (outside a project)")


CASES = sorted((GOLDEN / "load").glob("*.yaml")) + sorted((GOLDEN / "adapt").glob("*.yaml"))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.stem}" for c in CASES])
def test_golden_cases_are_vietnamese(case, make_project, shared_kit):
    spec = to_plain(read_yaml(case.read_text(encoding="utf-8"), str(case)))
    root = make_project(spec.get("files", {}))
    args = spec.get("args", ["check"])
    assert_vietnamese(run_vi(["-C", root, *args]), f"{case.name}: {' '.join(args)}")


YAML_FAULTS = {
    "tab": "title: Biên giới\naudience:\n\tethnic: ede\n",
    "colon": "title: Giờ họp: 8 giờ\n",
    "indent": "title: Biên giới\naudience: {ethnic: ede}\n  locales: [vi]\n",
    "list": "title: Biên giới\nlocales: [vi, rad\n",
    "group": "title: Biên giới\naudience: {ethnic: ede\n",
    "quote": "title: \"Biên giới\n",
    "start": "title: @biên-giới\n",
    "escape": "title: \"Biên\\qgiới\"\n",
    "control": "title: Biên\x07giới\n",
}


@pytest.mark.parametrize("fault", YAML_FAULTS)
def test_yaml_faults_are_vietnamese(fault, make_project):
    root = make_project({"content/leaflets/bien-gioi.yaml": YAML_FAULTS[fault]})
    output = run_vi(["-C", root, "check"])
    assert "yaml-syntax" in output or "control" in output or "lỗi" in output
    assert_vietnamese(output, f"check with a YAML {fault} fault")


def test_a_tab_says_use_spaces(make_project):
    root = make_project({"content/leaflets/bien-gioi.yaml": YAML_FAULTS["tab"]})
    assert "dùng dấu cách, không dùng phím Tab" in run_vi(["-C", root, "check"])


def test_work_and_failures_are_vietnamese(make_project, shared_kit):
    """A draft build with a broken message beside a good leaflet, a refused release,
    the other commands, and a port already in use."""
    root = make_project({"content/leaflets/khac.yaml": "title: Khác\naudience: {ethnic: ede, zone: krong-na, "
                         "religion: none}\nlocales: [vi, rad]\nlayout: a5-flyer\nmessages: [lua-dao]\n"
                         "date: 2026-11-01\n"})
    for args in (["list"], ["show", "cot-moc", "--ethnic", "ede", "--zone", "krong-na"], ["extract"], ["update"],
                 ["stats"], ["check"], ["build", "--format", "html,script"], ["build", "--release", "--format", "html"],
                 ["bundle"], ["bundle", "--release"]):
        assert_vietnamese(run_vi(["-C", root, *args]), " ".join(args))
    (root / "content" / "messages" / "cot-moc.md").write_text("---\ntitle: [x\n---\n", encoding="utf-8")
    for args in (["build", "--format", "html"], ["check"], ["build", "--release", "--format", "html"]):
        assert_vietnamese(run_vi(["-C", root, *args]), f"{' '.join(args)} (a broken message)")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        output = run_vi(["-C", root, "serve", "--port", taken.getsockname()[1]])
    assert "đang được dùng" in output
    assert_vietnamese(output, "serve on a port in use")


def test_an_unreadable_file_is_vietnamese(make_project):
    root = make_project()
    message = root / "content" / "messages" / "cot-moc.md"
    message.chmod(0)
    try:
        if message.stat().st_mode and _readable(message):
            pytest.skip("running as root: every file is readable")
        assert_vietnamese(run_vi(["-C", root, "check"]), "check with an unreadable message")
    finally:
        message.chmod(0o644)


def _readable(path: Path) -> bool:
    try:
        path.read_bytes()
    except OSError:
        return False
    return True


def test_translation_glyph_and_privacy_findings_are_vietnamese(make_project):
    """msgfmt's findings by kind, a character the fonts lack (named by its code point),
    a private phone number."""
    po = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: rad\\n"\n'
          '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n#, python-brace-format\n'
          'msgid "Cột mốc của {village}"\nmsgstr "Cột mốc {buon}"\n\nmsgid "Bảo vệ cột mốc"\nmsgstr "Mgang\\n"\n')
    root = make_project({"locales/rad/LC_MESSAGES/messages/cot-moc.po": po,
                         "content/messages/lua-dao.md": "---\ntitle: Cảnh giác lừa đảo\ntopics: [scam]\n"
                                                        "status: approved\n---\nGọi ☎ 113 hoặc 0912 345 678.\n"})
    output = run_vi(["-C", root, "check"])
    assert "personal-number" in output and "glyph-missing" in output and "po-msgfmt" in output
    assert_vietnamese(output, "check with translation, glyph and privacy findings")


def test_preview_pages_are_vietnamese(make_project, shared_kit):
    """The preview's pages (index, page view, side-by-side, message, a broken file) as text."""
    from mobcontent.app.language import set_language
    from mobcontent.app.serve import (
        PreviewState,
        edition_page,
        index_page,
        message_page,
        rebuild,
        side_page,
    )
    root = make_project({"content/leaflets/bien-gioi.yaml": "title: Biên giới bình yên\naudience: {ethnic: ede, "
                         "religion: protestant, zone: krong-na}\nlocales: [vi, rad]\nlayout: a5-flyer\n"
                         "messages: [cot-moc, lua-dao]\ndate: 2026-11-01\n"})
    set_language("vi")
    state = PreviewState()
    rebuild(root, state, ("pdf", "png", "html"))
    (root / "content" / "messages" / "lua-dao.md").write_text("---\ntitle: x\n\ttopics: [a]\n---\n", encoding="utf-8")
    for name, html in (("index", index_page(root, state)), ("edition", edition_page(root, state, "bien-gioi.rad")),
                       ("side", side_page(root, state, "bien-gioi.rad")), ("message", message_page(root, state, {}))):
        assert html is not None, name
        # ids in small type and the pages' code are code; the rest is what an officer reads
        text = re.sub(r"<(style|script)\b.*?</\1>|<small class='id'>.*?</small>|<[^>]+>", "\n", html, flags=re.S)
        assert_vietnamese(text, f"the preview's {name} page")
