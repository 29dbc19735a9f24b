"""Ready means ready (issue 12): one edition state everywhere, text hygiene, blame at the
line to edit, a build engine that cannot hang, and clear exits — each through the CLI on a
project in tmp_path, asserting the state, the exit code, the line and what `bundle` does.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobcontent.app.cli import main
from mobcontent.base.canonical import canonical_text
from mobcontent.pipeline.layout import PACKAGE_LAYOUTS

PO_HEADER = ('msgid ""\nmsgstr ""\n"Language: rad\\n"\n"MIME-Version: 1.0\\n"\n'
             '"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n'
             '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n')  # 8 lines: the first entry starts at line 9

RAD_LEAFLET = ("title: Biên giới bình yên\naudience: {ethnic: ede, religion: protestant, zone: krong-na}\n"
               "locales: [vi, rad]\nlayout: a5-flyer\nmessages: [lua-dao]\ndate: 2026-11-01\n")


def run(root, *args):
    return CliRunner().invoke(main, ["-C", str(root), *args])


def manifest(root):
    return json.loads((root / "build" / "manifest.json").read_text(encoding="utf-8"))


def states(root) -> dict:
    """``{edition: (state, [reason codes])}`` from the manifest's editions."""
    return {e["name"]: (e["state"], sorted({r["code"] for r in e["reasons"]})) for e in manifest(root)["editions"]}


def bundled(root) -> list[str]:
    with zipfile.ZipFile(root / "build" / "bundles" / "all.zip") as archive:
        return archive.namelist()


def problem_lines(result, code) -> set[str]:
    """``path:line`` of every problem with ``code`` in a command's output."""
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    return {line.split(": ")[0] for line in text.splitlines() if f": {code}: " in line}


def rad_po(msgstr: str) -> str:
    """A catalog for the lua-dao message whose one entry is translated as ``msgstr`` (line 10)."""
    return PO_HEADER + f'msgid "Không đọc mã OTP cho ai. Gọi **113** khi nghi ngờ."\nmsgstr "{msgstr}"\n'


# --------------------------------------------------------------------------- overflow


def test_overflowing_leaflet_is_failed_marked_draft_and_left_out_of_the_bundle(make_project, shared_kit):
    long_text = "\n\n".join(f"Đoạn {i}: mỗi cột mốc biên giới là tài sản chung của cả buôn làng, "
                            "hãy cùng nhau giữ gìn và báo ngay khi thấy hư hỏng." for i in range(60))
    root = make_project({
        "content/messages/dai.md": f"---\ntitle: Rất dài\nstatus: approved\n---\n{long_text}\n",
        "content/leaflets/qua-dai.yaml": "title: Quá dài\naudience: {zone: krong-na}\nlocales: [vi]\n"
                                         "layout: a5-flyer\nmessages: [dai]\ndate: 2026-11-01\n",
    })
    result = run(root, "build", "--format", "pdf,html")
    assert result.exit_code == 1
    assert problem_lines(result, "text-overflow") == {"content/leaflets/qua-dai.yaml:1"}
    assert states(root)["qua-dai.vi"] == ("failed", ["text-overflow"])
    assert states(root)["bien-gioi.vi"] == ("ready", [])
    assert re.search(r"qua-dai\.vi +failed", result.output)
    assert "BẢN NHÁP" in (root / "build/qua-dai/qua-dai.vi.html").read_text(encoding="utf-8")  # marked for review
    pdf = [o for o in manifest(root)["outputs"] if o["path"] == "qua-dai/qua-dai.vi.pdf"][0]
    assert pdf["state"] == "failed" and pdf["reasons"][0]["code"] == "text-overflow" and pdf["draft"] is True
    sheet = (root / "build/index.html").read_text(encoding="utf-8")
    assert 'badge failed' in sheet and 'badge ready' in sheet
    bundle = run(root, "bundle")
    assert bundle.exit_code == 0 and "Left out of the bundle" in bundle.stderr and "qua-dai.vi (failed)" in bundle.stderr
    assert "qua-dai/qua-dai.vi.pdf" not in bundled(root) and "bien-gioi/bien-gioi.vi.pdf" in bundled(root)
    check = run(root, "check")
    assert check.exit_code == 1 and problem_lines(check, "text-overflow") == {"content/leaflets/qua-dai.yaml:1"}
    (root / "build").rename(root / "old-build")  # check lays out without the build, and caches what it found
    first = run(root, "check")
    assert problem_lines(first, "text-overflow") == {"content/leaflets/qua-dai.yaml:1"}
    assert not list((root / "build").glob("**/*.pdf"))  # nothing printed
    second = run(root, "check", "--json")
    assert "text-overflow" in {p["code"] for p in json.loads(second.stdout)["problems"]}
    assert json.loads(second.stdout)["layouts"] == {"laid_out": 0, "cached": 2}


# --------------------------------------------------------------------------- text hygiene


def test_c1_control_character_in_a_translation_fails_the_edition_at_the_po_line(make_project, shared_kit):
    root = make_project({"content/leaflets/bien-gioi.yaml": RAD_LEAFLET,
                         "locales/rad/LC_MESSAGES/messages/lua-dao.po": rad_po("M\u00c3\u0080\u0099nông 113 **x**")})
    check = run(root, "check")
    assert check.exit_code == 1
    assert problem_lines(check, "control-character") == {"locales/rad/LC_MESSAGES/messages/lua-dao.po:10"}
    result = run(root, "build", "--format", "html")
    assert result.exit_code == 1
    assert states(root)["bien-gioi.rad"][0] == "failed" and "control-character" in states(root)["bien-gioi.rad"][1]
    assert states(root)["bien-gioi.vi"][0] == "ready"
    bundle = run(root, "bundle")
    assert bundle.exit_code == 0 and "bien-gioi.rad (failed)" in bundle.stderr
    assert "bien-gioi/bien-gioi.rad.html" not in bundled(root)


@pytest.mark.parametrize("msgstr, code", [
    ("ke#č Thuo#t 113 **x**", "legacy-encoding"),
    ("gơ`u 113 **x**", "legacy-encoding"),
    ("arÄƒ anei mÃ¢o 113 **x**", "mojibake"),
    ("ÉƒuÃ´n 113 **x**", "mojibake"),
    ("bị mất \ufffd 113 **x**", "replacement-character"),
])
def test_legacy_font_text_and_mojibake_never_pass_a_release(make_project, shared_kit, msgstr, code):
    root = make_project({"content/leaflets/bien-gioi.yaml": RAD_LEAFLET,
                         "locales/rad/LC_MESSAGES/messages/lua-dao.po": rad_po(msgstr)})
    check = run(root, "check")
    assert check.exit_code == 1
    assert problem_lines(check, code) == {"locales/rad/LC_MESSAGES/messages/lua-dao.po:10"}
    result = run(root, "build", "--release", "--format", "html")
    assert result.exit_code == 1
    assert states(root)["bien-gioi.rad"][0] == "failed" and code in states(root)["bien-gioi.rad"][1]
    assert not (root / "build/bien-gioi/bien-gioi.rad.html").exists()
    bundle = run(root, "bundle", "--release")
    assert bundle.exit_code == 1 and "bien-gioi.rad (failed)" in bundle.stderr


def test_backtick_and_mojibake_are_never_fixed_into_an_apostrophe():
    assert canonical_text("gơ`u") == "gơ`u"
    assert canonical_text("ÉƒuÃ´n") == "ÉƒuÃ´n"
    assert canonical_text("M'nông") == "M’nông"


def test_bom_is_one_warning_read_correctly_and_removed_by_update(make_project, shared_kit):
    root = make_project({"content/leaflets/bien-gioi.yaml": RAD_LEAFLET})
    path = root / "locales/rad/LC_MESSAGES/messages/lua-dao.po"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xef\xbb\xbf" + rad_po("Đăm ƀuh OTP. Gọi **113**.").encode("utf-8"))
    check = run(root, "check", "--json")
    problems = [p for p in json.loads(check.stdout)["problems"] if p["path"].endswith("lua-dao.po")]
    assert ("po-bom", "warning", 1) in [(p["code"], p["severity"], p["line"]) for p in problems]
    assert not [p for p in problems if p["severity"] == "error"]  # never a msgfmt syntax error
    assert not problem_lines(check, "po-msgfmt")
    build = run(root, "build", "--format", "html", "--json")
    rad = [j for j in json.loads(build.stdout)["jobs"] if j["name"] == "bien-gioi.rad"][0]
    assert "Đăm ƀuh OTP" in (root / "build/bien-gioi/bien-gioi.rad.html").read_text(encoding="utf-8")
    assert all(p["severity"] == "warning" for p in rad["problems"] if p["code"] == "po-bom")
    assert run(root, "extract").exit_code == 0
    update = run(root, "update")
    assert update.exit_code == 0, update.output
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf") and "Đăm ƀuh OTP" in path.read_text(encoding="utf-8")
    assert not any(p["path"].endswith("lua-dao.po")
                   for p in json.loads(run(root, "check", "--json").stdout)["problems"] if p["code"] == "po-bom")


# --------------------------------------------------------------------------- blame


def test_variable_typo_in_a_translation_is_blamed_on_the_po_line_with_a_suggestion(make_project, shared_kit):
    root = make_project({
        "content/leaflets/bien-gioi.yaml": RAD_LEAFLET.replace("[lua-dao]", "[cot-moc]"),
        "locales/rad/LC_MESSAGES/messages/cot-moc.po": PO_HEADER + '#, python-brace-format\n'
                                                       'msgid "Cột mốc của {village}"\nmsgstr "Kŭ cột mốc {vilage}"\n',
        "content/messages/moi.md": "---\ntitle: Mới\nstatus: approved\n---\nXin chào\n\nbà con {vilage}.\n",
    })
    check = run(root, "check")
    assert check.exit_code == 1
    assert problem_lines(check, "variable-unknown") == {"locales/rad/LC_MESSAGES/messages/cot-moc.po:11",
                                                        "content/messages/moi.md:7"}
    assert "did you mean {village}?" in check.output and "add 'vilage'" not in check.output.split("did you mean")[0]
    result = run(root, "build", "--format", "html")
    assert result.exit_code == 1
    assert problem_lines(result, "variable-unknown") == {"locales/rad/LC_MESSAGES/messages/cot-moc.po:11"}
    assert states(root)["bien-gioi.rad"] == ("failed", ["variable-unknown"])
    bundle = run(root, "bundle")
    assert bundle.exit_code == 0 and "bien-gioi.rad (failed)" in bundle.stderr


# --------------------------------------------------------------------------- release keeps drafts


def test_a_refused_release_keeps_the_earlier_draft_and_says_it_is_not_released(make_project, shared_kit):
    root = make_project({"content/leaflets/bien-gioi.yaml": RAD_LEAFLET})  # rad: no translation yet
    draft = run(root, "build", "--format", "html")
    assert draft.exit_code == 0
    assert states(root)["bien-gioi.rad"] == ("draft", ["translation-missing"])
    old = (root / "build/bien-gioi/bien-gioi.rad.html").read_bytes()
    release = run(root, "build", "--release", "--format", "html")
    assert release.exit_code == 1
    assert "bien-gioi.rad  draft (not released)" in release.output
    assert "not released: bien-gioi/bien-gioi.rad.html" in release.stderr
    assert (root / "build/bien-gioi/bien-gioi.rad.html").read_bytes() == old  # never deleted
    outputs = {o["path"]: o for o in manifest(root)["outputs"]}
    assert outputs["bien-gioi/bien-gioi.rad.html"]["state"] == "draft"
    assert outputs["bien-gioi/bien-gioi.vi.html"]["state"] == "ready"
    refused = run(root, "bundle", "--release")
    assert refused.exit_code == 1 and "bien-gioi.rad (draft)" in refused.stderr
    again = run(root, "build", "--release", "--format", "html")  # the kept draft is never reused as a release
    assert again.exit_code == 1 and (root / "build/bien-gioi/bien-gioi.rad.html").read_bytes() == old


# --------------------------------------------------------------------------- the watchdog

POSTER = PACKAGE_LAYOUTS / "a4-poster"
RUNAWAY_HTML = (POSTER / "layout.html").read_text(encoding="utf-8").replace(
    "<main", "{% for i in range(60000) %}<p>{{ i }} {{ i * 7 }} {{ i * 13 }}</p>{% endfor %}<main", 1)


def runaway_project(make_project):
    """bien-gioi (an ordinary A5 leaflet) and chay-mai, on the project's own a4-poster layout that
    keeps WeasyPrint busy for minutes (60,000 paragraphs)."""
    files = {f"layouts/a4-poster/{p.name}": p.read_text(encoding="utf-8") for p in POSTER.iterdir() if p.is_file()}
    files["layouts/a4-poster/layout.html"] = RUNAWAY_HTML
    files["content/leaflets/chay-mai.yaml"] = ("title: Chạy mãi\naudience: {zone: krong-na}\nlocales: [vi]\n"
                                               "layout: a4-poster\nmessages: [lua-dao]\ndate: 2026-11-01\n")
    return make_project(files)


REPEAT = int(os.environ.get("MOBCONTENT_REPEAT", "1"))  # MOBCONTENT_REPEAT=20: the flakiness proof


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    """The temporary folder of this process and the workers it forks, to see what is left in it."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("TMPDIR", str(temp))
    return temp


@pytest.mark.parametrize("repeat", range(REPEAT))
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_runaway_job_has_its_worker_killed_and_the_others_go_on(make_project, shared_kit, jobs, repeat, temp_dir):
    root = runaway_project(make_project)
    result = run(root, "build", "--format", "html", "--jobs", jobs, "--time-limit", "10")
    assert result.exit_code == 1
    assert problem_lines(result, "build-timeout") == {"content/leaflets/chay-mai.yaml:1"}
    assert "'chay-mai.vi' took more than 10 s and was stopped" in result.stderr
    assert states(root) == {"bien-gioi.vi": ("ready", []), "chay-mai.vi": ("failed", ["build-timeout"])}
    bundle = run(root, "bundle")
    assert bundle.exit_code == 0 and "chay-mai.vi (failed)" in bundle.stderr
    assert list(temp_dir.iterdir()) == []  # the killed worker's fonts folder too


def test_a_build_removes_the_temporary_folders_of_runs_whose_process_was_killed(make_project, shared_kit,
                                                                                 temp_dir, tmp_path):
    # A build killed by SIGKILL (or `serve` by SIGTERM) cannot remove its workers' folder: the next run does,
    # but only a real folder of this user, of a process gone, in this PID namespace.
    from mobcontent.build.watchdog import SCRATCH_PREFIX, scratch_folder
    own = Path(scratch_folder())
    space = own.name[len(SCRATCH_PREFIX):].split("-")[0]
    own.rmdir()
    dead = int(python_program("import os; print(os.getpid())", tmp_path).stdout)  # ended and reaped: gone
    left = temp_dir / f"{SCRATCH_PREFIX}{space}-{dead}-x1"
    (left / "weasyprint-x").mkdir(parents=True)
    (left / "weasyprint-x" / "font").write_bytes(b"0" * 1000)
    kept = [temp_dir / f"{SCRATCH_PREFIX}{space}-{os.getpid()}-x2",  # a process alive (this one)
            temp_dir / f"{SCRATCH_PREFIX}1-{dead}-x3"]  # another PID namespace: its PIDs are not ours
    for folder in kept:
        folder.mkdir()
    if os.geteuid() == 0:  # another user's folder
        kept.append(temp_dir / f"{SCRATCH_PREFIX}{space}-{dead}-x4")
        kept[-1].mkdir()
        os.chown(kept[-1], 12345, 12345)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("kept", encoding="utf-8")
    link = temp_dir / f"{SCRATCH_PREFIX}{space}-{dead}-x5"
    link.symlink_to(outside, target_is_directory=True)
    root = make_project()
    assert run(root, "build", "--format", "html").exit_code == 0
    assert not left.exists()
    assert all(folder.is_dir() for folder in kept)
    assert link.is_symlink() and (outside / "keep.txt").read_text(encoding="utf-8") == "kept"
    assert sorted(temp_dir.iterdir()) == sorted([*kept, link])  # and the build's own folder is gone


def _die_on_cot_moc(project, job, *args, **kwargs):
    """Stands in for build_job in the workers: the cot-moc job's worker kills itself."""
    if job.leaflet.slug == "chi-cot-moc":
        os.kill(os.getpid(), signal.SIGKILL)
    return _REAL_BUILD_JOB(project, job, *args, **kwargs)


from mobcontent.build import pool as _pool  # noqa: E402

_REAL_BUILD_JOB = _pool.build_job


@pytest.mark.parametrize("repeat", range(REPEAT))
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_worker_that_dies_fails_only_its_own_job(make_project, shared_kit, monkeypatch, jobs, repeat, temp_dir):
    root = make_project({"content/leaflets/chi-cot-moc.yaml": "title: Cột mốc\naudience: {ethnic: mnong, religion: "
                                                              "none, zone: krong-na}\nlocales: [vi]\nlayout: a5-flyer\n"
                                                              "messages: [cot-moc]\ndate: 2026-11-01\n"})
    monkeypatch.setattr(_pool, "build_job", _die_on_cot_moc)  # the workers fork from this process
    result = run(root, "build", "--format", "html", "--jobs", jobs)
    assert result.exit_code == 1
    assert problem_lines(result, "build-failed") == {"content/leaflets/chi-cot-moc.yaml:1"}
    assert "its worker process died (SIGKILL)" in result.stderr
    assert states(root) == {"bien-gioi.vi": ("ready", []), "chi-cot-moc.vi": ("failed", ["build-failed"])}
    assert (root / "build/bien-gioi/bien-gioi.vi.html").is_file()
    assert list(temp_dir.iterdir()) == []  # what the workers made there (WeasyPrint's fonts) is gone


def test_a_job_past_the_memory_cap_is_stopped(make_project, shared_kit):
    root = runaway_project(make_project)
    with open("/proc/self/status", encoding="ascii") as status:  # the workers are forks of this process
        size = next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmSize:"))
    result = run(root, "build", "chay-mai", "--format", "html", "--time-limit", "120",
                 "--memory-limit", str(size + 150))
    assert result.exit_code == 1
    codes = states(root)["chay-mai.vi"]
    assert codes[0] == "failed" and codes[1] in (["build-memory"], ["build-failed"]), result.output
    if codes[1] == ["build-memory"]:
        assert f"needed more than {size + 150} MB of memory" in result.stderr


# --------------------------------------------------------------------------- files and exits


def test_outputs_follow_the_umask(make_project, shared_kit):
    root = make_project()
    old = os.umask(0o022)
    try:
        assert run(root, "build", "--format", "html").exit_code == 0
    finally:
        os.umask(old)
    for rel in ("build/manifest.json", "build/index.html", "build/bien-gioi/bien-gioi.vi.html"):
        assert oct((root / rel).stat().st_mode & 0o777) == "0o644", rel


@pytest.mark.parametrize("args, expected", [
    (["build", "--locale", "xx"], "no leaflet is built in locale 'xx' — locales of the leaflets: vi"),
    (["build", "nope"], "no leaflet named nope — known leaflets: bien-gioi"),
    (["build", "--shard", "3/2"], "--shard '3/2' is not K/N"),
    (["show", "cot-moc", "--ethnic", "ede", "--html", "{root}/mobcontent.yaml/x.html"], "cannot write"),
])
def test_clear_usage_errors_exit_2_without_a_traceback(make_project, args, expected):
    root = make_project()
    result = run(root, *[a.replace("{root}", str(root)) for a in args])
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def python_program(code: str, cwd) -> subprocess.CompletedProcess:
    """``code`` run as a program of its own (the ``mobcontent`` command is one)."""
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300,
                          check=False)


def test_the_program_ends_with_all_its_output_its_exit_handlers_run_once_and_its_status(make_project):
    root = make_project()
    done = python_program("import atexit, sys\n"
                          "atexit.register(print, 'exit handler ran')\n"
                          "from mobcontent.app.cli import main\n"
                          f"sys.argv = ['mobcontent', '-C', {str(root)!r}, 'build', 'nope']\n"
                          "main()\n", root)
    assert done.returncode == 2
    assert "no leaflet named nope — known leaflets: bien-gioi" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == "exit handler ran\n"
    listed = python_program("import sys\nfrom mobcontent.app.cli import main\n"
                            f"sys.argv = ['mobcontent', '-C', {str(root)!r}, 'list', '--json']\nmain()\n", root)
    assert listed.returncode == 0, listed.stderr
    assert [m["slug"] for m in json.loads(listed.stdout)["messages"]]  # all of it, written before the end


def test_the_program_waits_for_a_thread_still_running_before_it_ends(tmp_path):
    done = python_program("import threading\n"
                          "from mobcontent.app.cli import end_process\n"
                          "go = threading.Event()\n"
                          "threading.Thread(target=lambda: (go.wait(), print('thread done'))).start()\n"
                          "end_process(3)\n"
                          "print('returned', flush=True)\n"
                          "go.set()\n", tmp_path)
    assert (done.returncode, done.stdout) == (0, "returned\nthread done\n")


def test_a_title_too_long_for_the_first_screen_slide_is_not_ready(make_project, shared_kit):
    title = ("Biên giới bình yên " * 30).strip()  # 570 characters: more than the first slide holds
    root = make_project({"content/leaflets/bien-gioi.yaml": f"title: {title}\naudience: {{zone: krong-na}}\n"
                                                            "locales: [vi]\nlayout: screen\nmessages: [lua-dao]\n"
                                                            "date: 2026-11-01\n"})
    result = run(root, "build", "--format", "html")
    assert result.exit_code == 1
    assert problem_lines(result, "text-overflow") == {"content/leaflets/bien-gioi.yaml:1"}
    assert "the 'masthead' panel is" in result.stderr
    assert states(root)["bien-gioi.vi"] == ("failed", ["text-overflow"])
    bundle = run(root, "bundle")
    assert bundle.exit_code == 1 and "bien-gioi.vi (failed)" in bundle.stderr  # nothing left to bundle
