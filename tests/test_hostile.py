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
- the run: ``command`` (default ``[check]``), ``exit``, ``seconds`` (a time bound);
- what it must say: ``lines`` (each a whole output line), ``absent`` (text that must not
  appear);
- what it must leave: ``unchanged`` (files that keep their bytes), ``contains`` /
  ``lacks`` (path → texts the file must / must not hold), ``pdf`` (a PDF under build/
  read with pypdf) and ``images`` (how many images it may hold, default 0).
"""
from __future__ import annotations

import base64
import os
import shutil
import time
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
    files = dict(spec.get("files") or {})
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
            handle.write(text)
    for link, target in (spec.get("symlinks") or {}).items():
        (root / link).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / link)
    for rel in spec.get("fifos") or []:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / rel)
    for command in spec.get("setup") or []:  # commands that prepare the case (e.g. extract)
        CliRunner().invoke(main, ["-C", str(root), *command])
    return root, spec


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_hostile_case(case, make_project, shared_kit):
    root, spec = prepare_case(case, make_project)
    before = {rel: (root / rel).read_bytes() for rel in spec.get("unchanged") or []}
    start = time.monotonic()
    result = CliRunner().invoke(main, ["-C", str(root), *(spec.get("command") or ["check"])])
    elapsed = time.monotonic() - start
    output = (result.stdout + result.stderr).replace(str(root) + os.sep, "")
    assert not result.exception or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    assert result.exit_code == int(spec["exit"]), output
    lines = output.splitlines()
    for line in spec.get("lines") or []:
        assert line in lines, f"{line!r} not in:\n{output}"
    for text in spec.get("absent") or []:
        assert text not in output
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
