"""Hostile and broken input: one case file per attack or fault in ``tests/hostile/``.

Each case is the base test project (tests/conftest.py) with some files replaced,
a command, the exit code it must give, lines that must appear in its output
(exactly, after the project path is removed), and optionally a PDF that must
hold nothing it should not: no embedded files, no file attachments, no links
other than http(s)/mailto/tel, no JavaScript.

Case keys (all optional but ``exit``):

- the project: ``files`` (text), ``binary`` (base64), ``repeat`` (a big generated file:
  path, head, unit, times, tail), ``copy_layout`` (copy a package layout into the
  project's layouts/), ``append`` (path → text added at the end), ``symlinks``
  (path → target), ``fifos`` (paths of named pipes), ``setup`` (commands run first);
- outside the project: ``outside`` (name → text, written in a folder beside the project;
  ``{outside}`` in ``files``, ``symlinks`` and ``setup`` stands for that folder). Every
  case then checks that the outside folder keeps exactly its files and bytes, and that
  the marker ``OUTSIDE-SECRET`` appears in no output and no file of the project;
- the run: ``command`` (default ``[check]``), ``exit``, ``seconds`` (a time bound: the
  command then runs in a subprocess killed after that many seconds, never by a signal
  inside the test process), ``cwd`` (run inside the project with ``-C .``: a subprocess);
- what it must say: ``lines`` (each a whole output line), ``absent`` (text that must not
  appear);
- what it must leave: ``unchanged`` (files that keep their bytes), ``contains`` /
  ``no_controls`` (no control character in the output), ``lacks`` (path → texts the file
  must / must not hold), ``missing`` (files that must
  not exist, in the project or outside), ``pdf`` (a PDF under build/
  read with pypdf) and ``images`` (how many images it may hold, default 0).
"""
from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from mobcontent.app.cli import main
from mobcontent.formats.yamlio import read_yaml, to_plain
from mobcontent.pipeline.layout import PACKAGE_LAYOUTS

CASES = sorted((Path(__file__).parent / "hostile").glob("*.yaml"))


def test_there_are_enough_cases():
    assert len(CASES) >= 30


def prepare_case(case: Path, make_project) -> tuple[Path, dict]:
    """The case's project, made in a temporary folder, and its spec."""
    spec = to_plain(read_yaml(case.read_text(encoding="utf-8"), str(case)))
    outside = make_outside(case, make_project, spec)
    files = {k: v.replace("{outside}", str(outside)) for k, v in (spec.get("files") or {}).items()}
    files.update({k: base64.b64decode(v) for k, v in (spec.get("binary") or {}).items()})
    if spec.get("repeat"):
        r = spec["repeat"]
        files[r["path"]] = r.get("head", "") + r["unit"].replace("\\n", "\n") * int(r["times"]) + r.get("tail", "")
    root = make_project(files)
    if spec.get("copy_layout"):  # a project layout override, to append hostile CSS to
        name = spec["copy_layout"]
        shutil.copytree(PACKAGE_LAYOUTS / name, root / "layouts" / name)
    for rel, text in (spec.get("append") or {}).items():
        with open(root / rel, "a", encoding="utf-8") as handle:
            handle.write(text.replace("{outside}", str(outside)))
    for link, target in (spec.get("symlinks") or {}).items():
        (root / link).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target.replace("{outside}", str(outside)), root / link)
    for rel in spec.get("fifos") or []:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / rel)
    for command in spec.get("setup") or []:  # commands that prepare the case (e.g. extract)
        CliRunner().invoke(main, ["-C", str(root), *[c.replace("{outside}", str(outside)) for c in command]])
    return root, spec


MARKER = "OUTSIDE-SECRET"


def make_outside(case: Path, make_project, spec: dict) -> Path:
    """The folder beside the project that a hostile project tries to reach."""
    outside = make_project({}).parent / "outside"
    for rel, text in (spec.get("outside") or {}).items():
        (outside / rel).parent.mkdir(parents=True, exist_ok=True)
        (outside / rel).write_text(text, encoding="utf-8")
    outside.mkdir(exist_ok=True)
    return outside


def snapshot(folder: Path) -> dict:
    """``{relative path: bytes}`` of every file under ``folder`` (links not followed)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() and not p.is_symlink() else None
            for p in sorted(folder.rglob("*"))}


@dataclass
class Run:
    output: str
    exit_code: int
    exception: BaseException | None
    seconds: float


def run_command(root: Path, spec: dict, env: dict) -> Run:
    """Run the case's command through the CLI: in a subprocess with a hard timeout when the
    case bounds its time or runs inside the project, else in-process with click's runner."""
    command = [c.replace("{outside}", str(root.parent / "outside")) for c in spec.get("command") or ["check"]]
    start = time.monotonic()
    if spec.get("seconds") or spec.get("cwd"):
        args = [sys.executable, "-m", "mobcontent", "-C", "." if spec.get("cwd") else str(root), *command]
        try:
            done = subprocess.run(args, cwd=root if spec.get("cwd") else None, capture_output=True, text=True,
                                  timeout=float(spec.get("seconds") or 120), env={**os.environ, **env})
        except subprocess.TimeoutExpired:
            pytest.fail(f"{command} still running after {spec.get('seconds')} s")
        return Run(done.stdout + done.stderr, done.returncode, None, time.monotonic() - start)
    result = CliRunner().invoke(main, ["-C", str(root), *command])
    return Run(result.stdout + result.stderr, result.exit_code, result.exception, time.monotonic() - start)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_hostile_case(case, make_project, shared_kit):
    root, spec = prepare_case(case, make_project)
    outside = root.parent / "outside"
    before = {rel: (root / rel).read_bytes() for rel in spec.get("unchanged") or []}
    outside_before = snapshot(outside)
    result = run_command(root, spec, {"MOBCONTENT_FONT_CACHE": str(shared_kit)})
    elapsed = result.seconds
    output = result.output.replace(str(root) + os.sep, "").replace(str(outside), "{outside}")
    assert not result.exception or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output, output
    assert snapshot(outside) == outside_before, "a file outside the project was changed, created or deleted"
    assert MARKER not in output, output
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert MARKER.encode() not in path.read_bytes(), f"{path} holds an outside file's text"
    assert result.exit_code == int(spec["exit"]), output
    lines = output.splitlines()
    for line in spec.get("lines") or []:
        assert line in lines, f"{line!r} not in:\n{output}"
    for text in spec.get("absent") or []:
        assert text not in output
    if spec.get("no_controls"):  # nothing that a terminal would act on
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", output), repr(output)
    for rel, data in before.items():
        assert (root / rel).read_bytes() == data, f"{rel} was changed"
    for rel, texts in (spec.get("contains") or {}).items():
        written = (root / rel).read_text(encoding="utf-8")
        for text in texts:
            assert text in written, f"{text!r} not in {rel}:\n{written}"
    for rel, texts in (spec.get("lacks") or {}).items():
        written = (root / rel).read_bytes().decode("utf-8", "replace")
        for text in texts:
            assert text not in written, f"{text!r} in {rel}"
    if spec.get("seconds"):
        assert elapsed < float(spec["seconds"])
    for rel in spec.get("missing") or []:
        assert not (root / rel).exists() and not (outside / rel).exists(), f"{rel} was written"
    if spec.get("pdf"):
        assert_nothing_leaked(root / "build" / spec["pdf"], images=int(spec.get("images", 0)))


def assert_nothing_leaked(path: Path, images: int = 0) -> None:
    """The PDF embeds no file, attaches none, links only to the web, runs no script,
    and holds no more than ``images`` images."""
    reader = PdfReader(path)
    catalog = reader.trailer["/Root"]
    names = catalog.get("/Names", {})
    assert "/EmbeddedFiles" not in names and "/JavaScript" not in names and "/OpenAction" not in catalog
    assert "/AF" not in catalog  # PDF/A-3 associated files
    found = 0
    for page in reader.pages:
        found += len(page.images)
        for annotation in page.get("/Annots", []) or []:
            annotation = annotation.get_object()
            assert annotation.get("/Subtype") in ("/Link",), annotation.get("/Subtype")
            action = annotation.get("/A", {})
            uri = str(action.get("/URI", ""))
            assert action.get("/S") in (None, "/URI", "/GoTo"), action
            assert not uri or uri.startswith(("http://", "https://", "mailto:", "tel:")), uri
    assert found <= images, f"{found} image(s) in the PDF"
    raw = path.read_bytes()
    assert b"root:x:0:0" not in raw and b"/EmbeddedFile" not in raw and b"/FileAttachment" not in raw
    assert b"/Launch" not in raw and b"/JavaScript" not in raw and b"file:" not in raw


def test_a_layout_cannot_reach_the_network(make_project, shared_kit):
    """A project layout whose CSS points at a local web server: the server sees no request,
    and the build fails with resource-blocked instead of printing without it."""
    import shutil
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from mobcontent.pipeline.layout import PACKAGE_LAYOUTS

    hits = []

    class Counter(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        root = make_project()
        shutil.copytree(PACKAGE_LAYOUTS / "a5-flyer", root / "layouts" / "a5-flyer")
        css = root / "layouts" / "a5-flyer" / "layout.css"
        url = f"http://127.0.0.1:{server.server_address[1]}"
        css.write_text(f'body {{ background: url("{url}/bg.png"); }}\n' + css.read_text(encoding="utf-8"),
                       encoding="utf-8")
        result = CliRunner().invoke(main, ["-C", str(root), "build", "--format", "pdf"])
    finally:
        server.shutdown()
    assert hits == []
    assert result.exit_code == 1
    assert "resource-blocked" in result.stderr and f"{url}/bg.png" in result.stderr


# --- the preview server ------------------------------------------------------------------

def _serve_project(root: Path):
    """A preview server on a free loopback port for ``root`` (no build, no watcher)."""
    import threading
    from http.server import ThreadingHTTPServer

    from mobcontent.app.serve import PreviewState, make_handler

    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(root, PreviewState()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _get(server, path: str, host: str | None = None) -> tuple[int, bytes]:
    import http.client
    port = server.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", f"127.0.0.1:{port}" if host is None else host)
    connection.endheaders()
    response = connection.getresponse()
    return response.status, response.read()


def test_serve_refuses_hidden_parts_nul_links_out_and_foreign_hosts(make_project):
    """/build/.hidden/…, /build/.cache/…, a NUL, a link out of build/, a manifest naming an
    outside HTML file, and a Host that is not this loopback server: nothing outside is shown."""
    root = make_project({"build/.hidden/f.txt": "hidden\n", "build/.cache/msgfmt/x.json": "[]\n",
                         "build/a/ok.txt": "fine\n"})
    outside = root.parent / "outside"
    outside.mkdir()
    (outside / "t.html").write_text(f"<title>{MARKER}</title>", encoding="utf-8")
    os.symlink(outside / "t.html", root / "build" / "a" / "leak.html")
    data = b"<title>x</title>"
    import hashlib
    import json
    manifest = {"version": 1, "tool": "t", "release": False, "outputs": [
        {"leaflet": "x", "locales": ["vi"], "layout": "a5-flyer", "format": "html", "path": "../../outside/t.html",
         "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}]}
    (root / "build" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    server = _serve_project(root)
    try:
        port = server.server_address[1]
        assert _get(server, "/build/a/ok.txt") == (200, b"fine\n")
        for host in (f"localhost:{port}", f"[::1]:{port}"):
            assert _get(server, "/build/a/ok.txt", host)[0] == 200
        assert _get(server, "/build/.hidden/f.txt")[0] == 404
        assert _get(server, "/build/.cache/msgfmt/x.json")[0] == 404
        assert _get(server, "/build/a%2F.hidden")[0] == 404
        assert _get(server, "/build/a%00")[0] == 404
        assert _get(server, "/build/%ff%fe")[0] in (400, 404)
        assert _get(server, "/build/a/leak.html")[0] == 404
        assert _get(server, "/build/../../outside/t.html")[0] == 404
        for host in ("evil.example", f"evil.example:{port}", "127.0.0.1:1", f"127.0.0.1.evil:{port}", ""):
            assert _get(server, "/", host)[0] == 400
        status, body = _get(server, "/")
        assert status == 200 and MARKER.encode() not in body
    finally:
        server.shutdown()
        server.server_close()


def test_serve_binds_to_loopback_by_default():
    import inspect

    from mobcontent.app.serve import serve
    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"


# --- caches ----------------------------------------------------------------------------

def test_caches_live_in_the_users_cache_never_in_the_project(make_project, monkeypatch, tmp_path):
    """The font kit and msgfmt answers are cached in $MOBCONTENT_CACHE (else the platform's
    user cache, which follows $XDG_CACHE_HOME): never under the project, whose build/.cache
    could arrive poisoned through git."""
    from mobcontent.base.files import user_cache_dir
    from mobcontent.content.load import load_project
    from mobcontent.pipeline.fontkit import font_cache_dir

    root = make_project()
    monkeypatch.delenv("MOBCONTENT_FONT_CACHE", raising=False)
    monkeypatch.setenv("MOBCONTENT_CACHE", str(tmp_path / "c"))
    assert font_cache_dir(load_project(root)) == tmp_path / "c" / "fonts"
    monkeypatch.delenv("MOBCONTENT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert user_cache_dir("msgfmt") == tmp_path / "xdg" / "mobcontent" / "msgfmt"
    assert root not in font_cache_dir(load_project(root)).parents


def test_a_forged_msgfmt_answer_in_the_project_hides_nothing(make_project):
    """A build/.cache/msgfmt/*.json that says 'no problem' for a PO file msgfmt rejects
    (written under the key the old cache used) is never read."""
    import hashlib
    import shutil as _shutil
    if not _shutil.which("msgfmt"):
        pytest.skip("msgfmt (gettext) is not installed")
    po = ('msgid ""\nmsgstr ""\n"Language: rad\\n"\n"MIME-Version: 1.0\\n"\n'
          '"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n'
          '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n#, python-brace-format\n'
          'msgid "Cột mốc của {village}"\nmsgstr "Cột mốc của {buon}"\n')
    rel = "locales/rad/LC_MESSAGES/messages/cot-moc.po"
    root = make_project({rel: po})
    tool = _shutil.which("msgfmt")
    for lang in ("en", "vi"):
        digest = hashlib.sha256(po.encode() + f"\0{rel}\0{tool}\0{lang}".encode()).hexdigest()
        forged = root / "build" / ".cache" / "msgfmt" / f"{digest}.json"
        forged.parent.mkdir(parents=True, exist_ok=True)
        forged.write_text("[]", encoding="utf-8")
    result = CliRunner().invoke(main, ["-C", str(root), "check", "--json"])
    import json
    codes = {p["code"] for p in json.loads(result.stdout)["problems"] if p["path"] == rel}
    assert "po-msgfmt" in codes, codes


# --- time limits for check, extract, update ----------------------------------------------

def _sleep_forever(seconds):
    import time as _time
    _time.sleep(seconds)


def test_commands_other_than_build_stop_at_the_time_limit():
    """check's project checks, extract and update run through run_bounded: a task that
    would run for ever (or swallow every exception) has its worker killed at the limit."""
    from mobcontent.base.errors import MobcontentError
    from mobcontent.build.bounded import run_bounded

    start = time.monotonic()
    with pytest.raises(MobcontentError) as caught:
        run_bounded(_sleep_forever, (600,), 1.0, "extract")
    assert caught.value.code == "command-timeout" and time.monotonic() - start < 30
    assert "'extract' took more than 1 s" in str(caught.value)


def test_time_limit_options_exist_on_check_extract_update():
    for command in ("check", "extract", "update"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert "--time-limit" in result.output, command
