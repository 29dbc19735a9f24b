"""The build's fast paths give the answers of the slow ones (issue 12, "Scaling"):

- the project checks run in the pool beside the first renders; what they find about an
  edition already printed is taken into its result (a draft keeps its print, a ready
  edition is printed again with the DRAFT mark);
- the checks' findings are remembered between ``check`` and ``build`` and never stale;
- copyfit lays a short leaflet out once, at its maximum size, and chooses what the
  steps from the preferred size choose;
- the layouts' stylesheets are parsed once per process and print the same bytes, and
  what WeasyPrint warns of while parsing one is said for every edition.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobcontent.app.cli import main
from mobcontent.build import findings as _findings
from mobcontent.build import job as _job
from mobcontent.build import pool as _pool
from mobcontent.checks.runner import CHECKS
from mobcontent.pipeline.layout import PACKAGE_LAYOUTS
from mobcontent.printing import copyfit as _copyfit
from mobcontent.printing import pdf as _pdf

PRIVATE = "Liên hệ anh Ba: 0912 345 678."
RAD_LEAFLET = ("title: Biên giới bình yên\naudience: {ethnic: ede, religion: protestant, zone: krong-na}\n"
               "locales: [rad]\nlayout: a5-flyer\nmessages: [lua-dao]\ndate: 2026-11-01\n")
RAD_PO = ('msgid ""\nmsgstr ""\n"Language: rad\\n"\n"MIME-Version: 1.0\\n"\n'
          '"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n'
          '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
          '#, fuzzy\nmsgid "Không đọc mã OTP cho ai. Gọi **113** khi nghi ngờ."\n'
          'msgstr "Đăm brei ho mã OTP. Iêu **113**. Ƀuôn 0912 345 678."\n')


def run(root, *args):
    return CliRunner().invoke(main, ["-C", str(root), *args])


def manifest(root) -> dict:
    return json.loads((root / "build" / "manifest.json").read_text(encoding="utf-8"))


def edition(root, name) -> dict:
    return next(e for e in manifest(root)["editions"] if e["name"] == name)


def counting_builds(monkeypatch, log):
    """Every job a worker builds is written to ``log`` (the workers fork from this process)."""
    original = _pool.build_job

    def build_job(project, job, *args, **kwargs):
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(job.name + "\n")
        return original(project, job, *args, **kwargs)

    monkeypatch.setattr(_pool, "build_job", build_job)
    return lambda: log.read_text(encoding="utf-8").split() if log.exists() else []


def counting_layouts(monkeypatch, log):
    """Every layout (one render at one type size) is written to ``log`` as ``job scale``."""
    original = _job._render

    def render(layout, page, views, scale, *args, **kwargs):
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{page.title.text}\t{scale}\n")
        return original(layout, page, views, scale, *args, **kwargs)

    monkeypatch.setattr(_job, "_render", render)
    return lambda: [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


# --------------------------------------------------------------------------- late findings


def test_a_late_finding_prints_a_ready_edition_again_with_the_draft_mark(make_project, shared_kit, monkeypatch,
                                                                        tmp_path):
    """The personal-number check runs in the pool: the vi edition was printed as ready
    before it came, so it is printed again, marked."""
    built = counting_builds(monkeypatch, tmp_path / "built.log")
    root = make_project({"content/messages/lua-dao.md": "---\ntitle: Cảnh giác lừa đảo\ntopics: [scam]\n"
                                                        f"status: approved\n---\nGọi **113** khi nghi ngờ. {PRIVATE}\n"})
    result = run(root, "build", "--format", "pdf,html", "--jobs", "2")
    assert result.exit_code == 0, result.output
    state = edition(root, "bien-gioi.vi")
    assert state["state"] == "draft"
    assert [(r["code"], r["path"], r["line"]) for r in state["reasons"]] == [
        ("personal-number", "content/messages/lua-dao.md", 6)]
    assert "BẢN NHÁP" in (root / "build/bien-gioi/bien-gioi.vi.html").read_text(encoding="utf-8")
    assert built().count("bien-gioi.vi") == 2  # printed as ready, then again with the mark


def test_a_late_finding_joins_a_drafts_reasons_without_a_second_print(make_project, shared_kit, monkeypatch,
                                                                      tmp_path):
    """The rad edition is a draft by itself (a fuzzy translation): the personal number in
    its PO file, found later by the checks, is added to its reasons; it is printed once."""
    built = counting_builds(monkeypatch, tmp_path / "built.log")
    root = make_project({"content/leaflets/bien-gioi.yaml": RAD_LEAFLET,
                         "locales/rad/LC_MESSAGES/messages/lua-dao.po": RAD_PO})
    result = run(root, "build", "--format", "pdf,html", "--jobs", "2")
    assert result.exit_code == 0, result.output
    state = edition(root, "bien-gioi.rad")
    assert state["state"] == "draft"
    reasons = {(r["code"], r["path"], r["line"], r["severity"]) for r in state["reasons"]}
    assert ("personal-number", "locales/rad/LC_MESSAGES/messages/lua-dao.po", 11, "error") in reasons
    assert ("translation-fuzzy", "locales/rad/LC_MESSAGES/messages/lua-dao.po", 11, "error") in reasons
    pdf = next(o for o in manifest(root)["outputs"] if o["path"] == "bien-gioi/bien-gioi.rad.pdf")
    assert pdf["state"] == "draft" and pdf["reasons"] == state["reasons"]
    assert any(p["code"] == "personal-number" and p["severity"] == "warning" for p in pdf["problems"])
    assert "locales/rad/LC_MESSAGES/messages/lua-dao.po:11: warning: personal-number:" in result.output
    assert "BẢN NHÁP" in (root / "build/bien-gioi/bien-gioi.rad.html").read_text(encoding="utf-8")
    assert built() == ["bien-gioi.rad"]



def test_the_manifest_lines_worked_out_in_the_workers_are_what_the_manifest_says(make_project, shared_kit):
    """Each output's manifest line is worked out where the output is made (a worker, or the
    build when a late finding changes it): the manifest is byte for byte the one made from
    the outputs read back, and a changed output never keeps its old line."""
    from dataclasses import replace

    from mobcontent.build.manifest import Output, manifest_json, output_line
    root = make_project({"content/leaflets/bien-gioi.yaml": RAD_LEAFLET,
                         "locales/rad/LC_MESSAGES/messages/lua-dao.po": RAD_PO})
    assert run(root, "build", "--format", "pdf,html", "--jobs", "2").exit_code == 0
    written = (root / "build" / "manifest.json").read_bytes()
    data = json.loads(written)
    again = manifest_json([Output.from_json(o) for o in data["outputs"]], data["tool"], data["release"],
                          data["editions"])
    assert again == written
    output = Output.from_json(data["outputs"][0])
    assert json.loads(output_line(output))["state"] == "draft"
    failed = replace(output, state="failed")
    assert json.loads(output_line(failed))["state"] == "failed" and failed == replace(output, state="failed")
    assert json.loads(output_line(output))["state"] == "draft"


# --------------------------------------------------------------------------- remembered findings


def test_findings_are_remembered_between_check_and_build_and_never_stale(make_project, shared_kit, monkeypatch):
    message = "---\ntitle: Cảnh giác lừa đảo\ntopics: [scam]\nstatus: approved\n---\nGọi **113** khi nghi ngờ. {}\n"
    root = make_project({"content/messages/lua-dao.md": message.format(PRIVATE)})
    first = run(root, "check", "--json")
    assert first.exit_code == 0, first.output

    def no_checks(*args, **kwargs):
        raise AssertionError("the checks ran again on an unchanged project")

    monkeypatch.setattr(_findings, "run_checks", no_checks)  # the remembered answer needs none
    again = run(root, "check", "--json")
    assert json.loads(again.stdout)["problems"] == json.loads(first.stdout)["problems"]
    assert any(p["code"] == "personal-number" for p in json.loads(again.stdout)["problems"])
    build = run(root, "build", "--format", "html")
    assert build.exit_code == 0, build.output
    assert edition(root, "bien-gioi.vi")["state"] == "draft"  # the build took the remembered findings
    monkeypatch.undo()
    (root / "content/messages/lua-dao.md").write_text(message.format(""), encoding="utf-8")
    fixed = run(root, "check", "--json")
    assert not [p for p in json.loads(fixed.stdout)["problems"] if p["code"] == "personal-number"]
    assert run(root, "build", "--format", "html").exit_code == 0
    reasons = {r["code"] for r in edition(root, "bien-gioi.vi")["reasons"]}
    assert reasons == {"approval-stale"}  # the text changed since it was approved; the number is gone


def test_the_findings_key_follows_every_project_file_and_link(make_project, tmp_path):
    root = make_project({})
    checks = list(CHECKS)
    key = _findings.findings_key(root, checks)
    assert key == _findings.findings_key(root, checks)
    (root / "content/notes.txt").write_text("x", encoding="utf-8")
    changed = _findings.findings_key(root, checks)
    assert changed != key
    (root / "content/link.md").symlink_to(tmp_path / "elsewhere.md")
    linked = _findings.findings_key(root, checks)
    assert linked != changed
    (root / "build").mkdir(exist_ok=True)
    (root / "build/anything.pdf").write_bytes(b"%PDF")  # build/ is not read by the remembered checks
    assert _findings.findings_key(root, checks) == linked
    assert _findings.findings_key(root, checks[:1]) != linked


# --------------------------------------------------------------------------- copyfit


def leaflet(slug: str, messages: list[str], layout: str) -> str:
    return (f"title: Tờ {slug}\naudience: {{zone: krong-na}}\nlocales: [vi]\nlayout: {layout}\n"
            f"messages: [{', '.join(messages)}]\ndate: 2026-11-01\n")


def body(words: int) -> str:
    sentence = "Mỗi cột mốc biên giới là tài sản chung của cả buôn làng, hãy cùng nhau giữ gìn."
    return "\n\n".join([sentence] * max(1, words // len(sentence.split())))


def test_copyfit_lays_a_short_leaflet_out_once_and_chooses_what_the_steps_choose(make_project, shared_kit,
                                                                                  monkeypatch, tmp_path):
    files = {f"content/messages/m{n}.md": f"---\ntitle: Tin {n}\nstatus: approved\n---\n{body(n * 40)}\n"
             for n in range(1, 9)}
    files.update({
        "content/leaflets/ngan.yaml": leaflet("ngan", ["m1"], "a5-flyer"),
        "content/leaflets/vua.yaml": leaflet("vua", ["m1", "m3"], "a5-flyer"),
        "content/leaflets/dai.yaml": leaflet("dai", ["m5", "m6", "m7"], "a5-flyer"),
        "content/leaflets/qua-dai.yaml": leaflet("qua-dai", ["m5", "m6", "m7", "m8", "m4"], "a5-flyer"),
        "content/leaflets/to-dan.yaml": leaflet("to-dan", ["m2"], "a4-poster"),
        "content/leaflets/gap-ba.yaml": leaflet("gap-ba", ["m2", "m3"], "a4-trifold"),
    })
    root = make_project(files)
    layouts = counting_layouts(monkeypatch, tmp_path / "fast.log")
    assert run(root, "build", "--format", "pdf", "--no-cache").exit_code in (0, 1)
    fast = {o["path"]: (o["fit"]["scale"], o["sha256"]) for o in manifest(root)["outputs"]}
    fast_layouts = layouts()
    assert [scale for title, scale in fast_layouts if title == "Tờ ngan"] == ["1.091"]  # once, at 12 pt

    monkeypatch.setattr(_copyfit, "_settled_at_top", lambda document, layout: False)  # the steps, every one
    monkeypatch.setattr(_copyfit, "SAFETY", 1e9)
    layouts = counting_layouts(monkeypatch, tmp_path / "steps.log")
    assert run(root, "build", "--format", "pdf", "--no-cache").exit_code in (0, 1)
    steps = {o["path"]: (o["fit"]["scale"], o["sha256"]) for o in manifest(root)["outputs"]}
    assert steps == fast  # the same type size and the same bytes
    assert len(fast) == 7 and len(layouts()) > len(fast_layouts)
    scales = {scale for scale, _sha in fast.values()}
    assert min(scales) < 1.0 and 1.091 in scales  # both ways were taken: shrunk and grown


# --------------------------------------------------------------------------- stylesheets


def test_stylesheets_parsed_once_print_the_same_bytes(make_project, shared_kit, monkeypatch):
    files = {f"content/leaflets/{name}.yaml": leaflet(name, ["lua-dao", "cot-moc"], name)
             for name in ("a5-flyer", "a4-trifold", "a4-poster", "screen")}
    files = {k: v.replace("audience: {zone: krong-na}", "audience: {ethnic: ede, zone: krong-na}")
             for k, v in files.items()}
    root = make_project(files)
    assert run(root, "build", "--format", "pdf", "--no-cache").exit_code == 0
    cached = {o["path"]: o["sha256"] for o in manifest(root)["outputs"]}
    monkeypatch.setattr(_pdf, "_parsed_styles", lambda html, *args: (html, []))  # every <style> in the document
    assert run(root, "build", "--format", "pdf", "--no-cache").exit_code == 0
    assert {o["path"]: o["sha256"] for o in manifest(root)["outputs"]} == cached
    assert len(cached) == 5


def test_a_stylesheet_warning_is_said_for_every_edition(make_project, shared_kit):
    root = make_project({
        "content/leaflets/mot.yaml": leaflet("mot", ["lua-dao"], "a5-flyer"),
        "content/leaflets/hai.yaml": leaflet("hai", ["lua-dao"], "a5-flyer"),
    })
    shutil.copytree(PACKAGE_LAYOUTS / "a5-flyer", root / "layouts/a5-flyer")  # the project's own, with a slip
    with open(root / "layouts/a5-flyer/layout.css", "a", encoding="utf-8") as css:
        css.write("\n.greeting { colour: red; }\n")
    result = run(root, "build", "--format", "pdf", "--jobs", "1")
    warned = {m.group(1) for m in re.finditer(r"content/leaflets/([\w-]+)\.yaml:\d+: warning: print-warning: .*colour",
                                              result.output)}
    assert warned == {"mot", "hai", "bien-gioi"}, result.output


def test_the_remembered_findings_keep_only_the_latest_project_states(make_project, monkeypatch, tmp_path):
    from mobcontent.content.load import load_project
    monkeypatch.setenv("MOBCONTENT_CACHE", str(tmp_path / "cache"))
    root = make_project({})
    for state in range(_findings.KEPT + 3):
        (root / "content/notes.txt").write_text(f"state {state}", encoding="utf-8")
        assert _findings.run_checks_remembered(load_project(root), list(CHECKS)) is not None
    assert len(list((tmp_path / "cache/findings").glob("*.json"))) == _findings.KEPT


def test_a_findings_file_this_version_did_not_write_is_never_trusted(make_project, monkeypatch, tmp_path):
    """The findings come back in order, each once; a kept file in an older layout, damaged
    or cut short makes the checks run again, with the same answer."""
    from mobcontent.content.load import load_project
    monkeypatch.setenv("MOBCONTENT_CACHE", str(tmp_path / "cache"))
    message = "---\ntitle: Cảnh giác lừa đảo\ntopics: [scam]\nstatus: approved\n---\nGọi **113** khi nghi ngờ. {}\n"
    root = make_project({"content/messages/lua-dao.md": message.format(PRIVATE)})
    fresh = _findings.run_checks_remembered(load_project(root), list(CHECKS))
    assert fresh == sorted(set(fresh), key=lambda p: (p.path, p.line, p.code, p.message))
    assert any(p.code == "personal-number" for p in fresh)
    [kept] = (tmp_path / "cache/findings").glob("*.json")
    rows = json.loads(kept.read_text(encoding="utf-8"))
    old_layout = json.dumps([{**p.as_json(), "column": p.column} for p in fresh])
    for damaged in (old_layout, "{", json.dumps({**rows, "format": 1}), json.dumps({"format": rows["format"]}),
                    json.dumps({**rows, "findings": [row[:3] for row in rows["findings"]]})):
        kept.write_text(damaged, encoding="utf-8")
        assert _findings.run_checks_remembered(load_project(root), list(CHECKS)) == fresh
        assert json.loads(kept.read_text(encoding="utf-8")) == rows


WEASYPRINT_WITHOUT_THE_FAST_LOOKUP = r"""
import ctypes.util
import cffi.api
from mobcontent.printing import pdf

real = cffi.api._load_backend_lib

def only_by_the_search(backend, name, flags):  # a system where the loader alone does not find Pango
    if "pango-1.0" in str(name) and ctypes.util.find_library is pdf._no_library_search:
        raise OSError("not found without the library search")
    return real(backend, name, flags)

cffi.api._load_backend_lib = only_by_the_search
pdf.load_weasyprint()
from weasyprint.text import ffi
print("pango", ffi.pango is not None, "search restored", ctypes.util.find_library is not pdf._no_library_search)
"""


def test_weasyprint_is_imported_without_the_library_search_and_with_it_where_needed(tmp_path):
    """The fast import finds Pango and HarfBuzz (with subsetting) by their file names; on a
    system where only the library search finds them, the import is done again with it,
    and WeasyPrint's message about the failed first try is never printed."""
    import subprocess
    import sys
    fast = subprocess.run([sys.executable, "-c", "from mobcontent.printing import pdf; pdf.load_weasyprint();"
                           "import ctypes.util; print(pdf.harfbuzz_subset_available(),"
                           " ctypes.util.find_library is not pdf._no_library_search)"],
                          capture_output=True, text=True, timeout=120)
    assert fast.stdout == "True True\n", fast.stderr
    again = subprocess.run([sys.executable, "-c", WEASYPRINT_WITHOUT_THE_FAST_LOOKUP],
                           capture_output=True, text=True, timeout=120)
    assert again.stdout == "pango True search restored True\n", again.stdout + again.stderr


def test_what_lasts_until_the_end_is_made_with_the_collector_paused_then_kept_out_of_its_way():
    """Imports done once (the program's modules, WeasyPrint's) run with the cyclic
    collector off, then what they made goes to the permanent generation; the collector
    is on again afterwards only if it was on before."""
    import gc

    from mobcontent.base.lasting import lasting

    try:
        for was_on in (True, False):
            (gc.enable if was_on else gc.disable)()
            frozen = gc.get_freeze_count()
            with lasting():
                assert not gc.isenabled()
                made = [[index] for index in range(1000)]
                made[0].append(made)  # a cycle: the collector would follow it
            assert gc.isenabled() is was_on
            assert gc.get_freeze_count() >= frozen + 1000
            with pytest.raises(KeyError), lasting():  # an error inside leaves the collector as it was
                raise KeyError("x")
            assert gc.isenabled() is was_on
    finally:
        gc.enable()
        gc.unfreeze()  # what this test froze goes back to the collector


def test_the_program_imports_its_modules_and_weasyprint_as_lasting_objects(tmp_path):
    """``python -m mobcontent`` (and the ``mobcontent`` script, which runs the same module)
    imports the tool with the collector paused and freezes what it made; WeasyPrint is
    imported the same way when a command first needs it."""
    import subprocess
    probe = ("import gc, sys\n"
             "sys.argv = ['mobcontent', '--version']\n"
             "import mobcontent.__main__ as program\n"
             "after_tool = gc.get_freeze_count()\n"
             "from mobcontent.printing import pdf\n"
             "pdf.load_weasyprint()\n"
             "print(after_tool > 50000, gc.get_freeze_count() > after_tool + 50000, gc.isenabled(),"
             " callable(program.main))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout == "True True True True\n", done.stderr
    version = subprocess.run([sys.executable, "-m", "mobcontent", "--version"], capture_output=True, text=True,
                             timeout=120, check=False, cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("mobcontent, version "), version.stderr


def test_an_array_of_each_size_weasyprint_embeds_a_font_with_is_not_parsed_again(monkeypatch):
    """WeasyPrint asks cffi for ``hb_codepoint_t[N]`` with each glyph count N it subsets a
    font to: the type is made as cffi's parser makes it, without parsing C for each size,
    and every other type name is parsed as before."""
    import cffi
    import cffi.cparser

    _pdf.load_weasyprint()
    from weasyprint.text import ffi as _ffi
    ffi = _ffi.ffi
    source = Path(_ffi.__file__).read_text(encoding="utf-8").split("ffi.cdef('''", 1)[1].split("''')", 1)[0]
    reference = cffi.FFI()
    reference.cdef(source)

    def described(where, name):
        try:
            ctype = where.typeof(name)
        except (cffi.CDefError, ValueError) as exc:
            return type(exc).__name__
        size = where.sizeof(ctype) if ctype.kind != "array" or ctype.length is not None else None
        return ctype.cname, ctype.kind, getattr(ctype, "length", None), size

    names = ["hb_codepoint_t[487]", "hb_codepoint_t[1]", "char[0]", "int[010]", "unsigned int[3]",
             "unsigned long long[7]", "PangoRectangle[2]", "struct _PangoRectangle[2]", "FcChar8 **", "char[]",
             "char *[3]", "hb_codepoint_t[]", "no_such_type[4]"]
    assert [described(ffi, n) for n in names] == [described(reference, n) for n in names]
    assert described(ffi, "hb_codepoint_t[487]") == ("uint32_t[487]", "array", 487, 1948)
    assert list(ffi.new("hb_codepoint_t[3]", [7, 8, 9])) == [7, 8, 9]

    parsed = []
    original = cffi.cparser.Parser._parse
    monkeypatch.setattr(cffi.cparser.Parser, "_parse", lambda self, csource: parsed.append(csource) or
                        original(self, csource))
    for size in range(5000, 5040):
        assert ffi.typeof(f"hb_codepoint_t[{size}]").length == size
    assert parsed == []
    ffi.typeof("hb_codepoint_t *")  # any other new type name is parsed, as before
    assert len(parsed) == 1


# --------------------------------------------------------------------------- files read once by the checks


def test_the_checks_read_each_project_file_from_the_disk_once(make_project, monkeypatch):
    from mobcontent.base import files as _files
    from mobcontent.checks.runner import run_checks
    from mobcontent.content.load import load_project

    root = make_project({"locales/rad/LC_MESSAGES/messages/lua-dao.po": RAD_PO})
    project = load_project(root)
    reads = []
    original = _files.read_regular

    def read_regular(path, rel, limit=None):
        reads.append(rel)
        return original(path, rel, limit)

    monkeypatch.setattr(_files, "read_regular", read_regular)
    found = run_checks(project)
    po = "locales/rad/LC_MESSAGES/messages/lua-dao.po"
    assert reads.count(po) == 1, reads  # the checks' parser, the catalogs, msgfmt's, links, hygiene: one read
    assert any(p.code == "personal-number" and p.path == po for p in found)  # and every check saw it
    reads.clear()
    run_checks(project)  # a new run reads the disk again: nothing is kept after a run
    assert reads.count(po) == 1


def test_a_read_once_scope_keeps_the_first_bytes_and_never_a_failure_or_a_link_out(tmp_path):
    from mobcontent.base.errors import ContentError
    from mobcontent.base.files import read_at, read_bytes, reading_once

    root = tmp_path / "p"
    (root / "content").mkdir(parents=True)
    note = root / "content" / "note.md"
    note.write_text("first", encoding="utf-8")
    (tmp_path / "secret.md").write_text("outside", encoding="utf-8")
    with reading_once():
        assert read_bytes(root, "content/note.md") == b"first"
        note.write_text("second", encoding="utf-8")
        assert read_at(note, "content/note.md") == b"first"  # one run sees one version of a file
        try:
            read_bytes(root, "content/later.md")
            raise AssertionError("a missing file was read")
        except ContentError as exc:
            assert exc.code == "file-unreadable"
        (root / "content" / "later.md").write_text("now here", encoding="utf-8")
        assert read_bytes(root, "content/later.md") == b"now here"  # a failure is not kept
        (root / "content" / "link.md").symlink_to(tmp_path / "secret.md")
        for _attempt in range(2):
            try:
                read_bytes(root, "content/link.md")
                raise AssertionError("a link out of the project was read")
            except ContentError as exc:
                assert exc.code == "path-outside-project"
    assert read_bytes(root, "content/note.md") == b"second"  # after the scope, the disk again


def _dive(depth: int) -> int:
    return 0 if depth == 0 else _dive(depth - 1)


def _faults_while_diving(times: int, depth: int) -> int:
    """Minor page faults while recursing ``depth`` calls deep ``times`` over."""
    import resource
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(times):
        _dive(depth)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


@pytest.mark.skipif(sys.implementation.name != "cpython" or sys.version_info >= (3, 13) or os.name != "posix",
                    reason="CPython 3.11/3.12 map a new frame chunk each time a call crosses into it")
def test_a_task_recursing_back_and_forth_does_not_map_its_frames_each_time():
    """300 dives 400 calls deep cross the end of a 16 KiB frame chunk at least twice each:
    called plainly, that is a fresh mapping (a page fault at least) every time; in a
    watched task the calls stay in the room its frame left (a fault now and then)."""
    from mobcontent.build.watchdog import Limits, roomy_call, run_watched
    plain = _faults_while_diving(300, 400)
    done = next(run_watched(_faults_while_diving, [(300, 400)], workers=1, limits=Limits(60)))
    assert not done.failure, done.detail
    assert plain >= 300, plain  # the cost the roomy frame removes, in this interpreter
    # A tenth of that at most: a forked worker also takes a fault for each page it first writes
    # after the fork (16-17 alone, 61 once inside the whole suite, against 2,400-2,700 plainly).
    assert done.value * 10 < plain, (done.value, plain)
    assert roomy_call(_faults_while_diving, (300, 400)) * 10 < plain  # the same in this process
    assert roomy_call(divmod, (7, 2)) == (3, 1)
    with pytest.raises(ZeroDivisionError):
        roomy_call(divmod, (1, 0))
