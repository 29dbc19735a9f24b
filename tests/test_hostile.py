"""Hostile and broken input: one case file per attack or fault in ``tests/hostile/``.

Each case is the base test project (tests/conftest.py) with some files replaced,
a command, the exit code it must give, lines that must appear in its output
(exactly, after the project path is removed), and optionally a PDF that must
hold nothing it should not: no embedded files, no file attachments, no links
other than http(s)/mailto/tel, no JavaScript.

Case keys: ``files`` (text), ``binary`` (base64), ``symlinks`` (path → target),
``repeat`` (a big generated file: path, head, unit, times, tail), ``setup`` (commands
run first), ``command``
(default ``[check]``), ``exit``, ``lines`` (each must be a whole output line),
``absent`` (text that must not appear), ``pdf`` (path under build/), ``unchanged``
(files that must keep their bytes), ``seconds`` (a time bound).
"""
from __future__ import annotations

import base64
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from mobcontent.cli import main
from mobcontent.yamlio import read_yaml, to_plain

CASES = sorted((Path(__file__).parent / "hostile").glob("*.yaml"))


def test_there_are_enough_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_hostile_case(case, make_project, shared_kit):
    spec = to_plain(read_yaml(case.read_text(encoding="utf-8"), str(case)))
    files = dict(spec.get("files") or {})
    files.update({k: base64.b64decode(v) for k, v in (spec.get("binary") or {}).items()})
    if spec.get("repeat"):
        r = spec["repeat"]
        files[r["path"]] = r.get("head", "") + r["unit"].replace("\\n", "\n") * int(r["times"]) + r.get("tail", "")
    root = make_project(files)
    for link, target in (spec.get("symlinks") or {}).items():
        (root / link).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / link)
    for command in spec.get("setup") or []:  # commands that prepare the case (e.g. extract)
        CliRunner().invoke(main, ["-C", str(root), *command])
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
    if spec.get("seconds"):
        assert elapsed < float(spec["seconds"])
    if spec.get("pdf"):
        assert_nothing_leaked(root / "build" / spec["pdf"])


def assert_nothing_leaked(path: Path) -> None:
    """The PDF embeds no file, attaches none, links only to the web, runs no script."""
    reader = PdfReader(path)
    catalog = reader.trailer["/Root"]
    names = catalog.get("/Names", {})
    assert "/EmbeddedFiles" not in names and "/JavaScript" not in names and "/OpenAction" not in catalog
    for page in reader.pages:
        for annotation in page.get("/Annots", []) or []:
            annotation = annotation.get_object()
            assert annotation.get("/Subtype") != "/FileAttachment"
            action = annotation.get("/A", {})
            uri = str(action.get("/URI", ""))
            assert action.get("/S") in (None, "/URI", "/GoTo"), action
            assert not uri or uri.startswith(("http://", "https://", "mailto:", "tel:")), uri
    raw = path.read_bytes()
    assert b"root:x:0:0" not in raw and b"/EmbeddedFile" not in raw


def test_a_layout_cannot_reach_the_network(make_project, shared_kit):
    """A project layout whose CSS points at a local web server: the server sees no request,
    and the build fails with resource-blocked instead of printing without it."""
    import shutil
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from mobcontent.render import PACKAGE_LAYOUTS

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
