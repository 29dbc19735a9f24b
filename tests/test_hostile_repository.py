"""End to end: a hostile content repository, made with ``git init`` and one commit, cloned
and put through ``check``, ``build``, ``bundle`` and ``extract`` as CI would. Nothing
outside the clone is read, written or deleted, and no command shows a traceback.

The repository holds, at once: a project layout that reaches for Python's ``os`` through
Jinja2 globals; a committed ``build/manifest.json`` listing
outside files (absolute and ``../``) for a leaflet that no longer exists; a forged font
kit and msgfmt cache under ``build/.cache/``; the DRAFT mark translated as "CHÍNH
THỨC"; a translation with 60,000 ``[``; and an SVG whose ``<use>`` elements nest 13 deep.
(Links out of the project stop the load itself: tests/hostile/*-symlink* hold those.)
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BASE_FILES, write_files

from mobcontent.pipeline.layout import PACKAGE_LAYOUTS

MARKER = "OUTSIDE-SECRET"
PO_HEAD = ('msgid ""\nmsgstr ""\n"Language: rad\\n"\n"MIME-Version: 1.0\\n"\n'
           '"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n'
           '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n')


def _bomb() -> str:
    svg = ("<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' "
           "width='10' height='10'><defs><circle id='a0' r='1'/>")
    for i in range(1, 13):
        svg += f"<g id='a{i}'>" + f"<use xlink:href='#a{i - 1}'/>" * 4 + "</g>"
    return svg + "</defs><use xlink:href='#a12'/></svg>\n"


def make_hostile_repository(origin: Path, outside: Path) -> None:
    important = f"{MARKER} important\n".encode()
    outputs = [{"leaflet": "gone", "locales": ["vi"], "layout": "a5-flyer", "format": "html", "path": path,
                "sha256": hashlib.sha256(important).hexdigest(), "bytes": len(important)}
               for path in (str(outside / "important.txt"), "../../outside/important.txt")]
    write_files(origin, {
        **BASE_FILES,
        "content/leaflets/bien-gioi.yaml": BASE_FILES["content/leaflets/bien-gioi.yaml"].replace(
            "locales: [vi]", "locales: [vi, rad]"),
        "content/messages/hinh.md": "---\ntitle: Hình\nstatus: approved\n---\n![x](bomb.svg)\n",
        "content/leaflets/hinh.yaml": "title: Hình\naudience: {zone: ea-kiet}\nlocales: [vi]\nlayout: screen\n"
                                      "messages: [hinh]\n",
        "content/assets/bomb.svg": _bomb(),
        "locales/rad/LC_MESSAGES/layouts.po": PO_HEAD + 'msgctxt "layout.draft"\nmsgid "BẢN NHÁP"\nmsgstr "CHÍNH THỨC"\n',
        "locales/rad/LC_MESSAGES/messages/lua-dao.po": PO_HEAD + 'msgid "Không đọc mã OTP cho ai. Gọi **113** khi '
                                                       'nghi ngờ."\nmsgstr "' + "[" * 60000 + '"\n',
        "build/manifest.json": json.dumps({"version": 1, "tool": "mobcontent 0.1.0", "release": False,
                                           "outputs": outputs}),
        "build/.cache/msgfmt/forged.json": "[]",
        "build/.cache/fonts/kit/NotoSans-Regular.ttf": b"not a font",
    })
    shutil.copytree(PACKAGE_LAYOUTS / "a5-flyer", origin / "layouts" / "a5-flyer")
    with open(origin / "layouts" / "a5-flyer" / "layout.html", "a", encoding="utf-8") as handle:
        handle.write(f"{{{{ cycler.__init__.__globals__.os.popen('touch {outside}/pwned').read() }}}}\n")
    subprocess.run(["git", "init", "-q", str(origin)], check=True)
    subprocess.run(["git", "-C", str(origin), "add", "-A", "-f"], check=True)
    subprocess.run(["git", "-C", str(origin), "-c", "user.name=x", "-c", "user.email=x@example.org",
                    "commit", "-q", "-m", "hostile"], check=True)


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_cloned_hostile_repository_touches_nothing_outside(tmp_path, font_cache):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "important.txt").write_text(f"{MARKER} important\n", encoding="utf-8")
    (outside / "leak.html").write_text(f"<p>{MARKER}</p>\n", encoding="utf-8")
    origin, clone = tmp_path / "origin", tmp_path / "clone"
    make_hostile_repository(origin, outside)
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    before = snapshot(outside)
    env = {**os.environ, "MOBCONTENT_FONT_CACHE": str(font_cache), "CI": "true", "LANG": "C.UTF-8"}
    outputs = []
    for command in (["check"], ["extract"], ["build", "--format", "html,pdf"], ["bundle"], ["check", "--json"]):
        done = subprocess.run([sys.executable, "-m", "mobcontent", "-C", str(clone), *command], env=env,
                              capture_output=True, text=True, timeout=600)
        output = done.stdout + done.stderr
        outputs.append(output)
        assert "Traceback" not in output, output
        assert done.returncode in (0, 1, 2), (command, done.returncode, output)
        assert MARKER not in output, output
    assert snapshot(outside) == before
    assert not (outside / "pwned").exists()
    for path in clone.rglob("*"):
        if path.is_file() and not path.is_symlink() and ".git" not in path.parts:
            assert MARKER.encode() not in path.read_bytes(), path
    everything = "\n".join(outputs)
    assert "layout-unsafe" in everything and "svg-too-complex" in everything
    assert "manifest-invalid" in everything
    assert "draft-mark-invalid" in everything and "markdown-too-complex" in everything
