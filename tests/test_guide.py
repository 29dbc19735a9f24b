"""The officer's guide (docs/huong-dan-can-bo.md) says what a new user types and sees.

Its ``sh`` code blocks are run, doctest-style, in a fresh folder: ``mobcontent init``
makes the project the guide describes, ``cd`` moves into it, ``ls`` must show the
names the guide lists, and every ``mobcontent`` line must run (exit 0, or 1 where the
guide says a check or a release finds problems) — never a usage error (exit 2),
never a traceback. A guide that names a command, option, leaflet or message that
does not exist fails here.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobcontent.app.cli import main

GUIDE = Path(__file__).parent.parent / "docs" / "huong-dan-can-bo.md"
BLOCK = re.compile(r"^(?P<indent> *)```sh\n(?P<body>.*?)^(?P=indent)```", re.M | re.S)


def guide_commands(text: str) -> list[str]:
    """Every line of every ``sh`` block of the guide, in order.

    >>> guide_commands("x\\n   ```sh\\n   mobcontent list\\n   ls\\n   ```\\n")
    ['mobcontent list', 'ls']
    """
    return [line.strip() for match in BLOCK.finditer(text) for line in match.group("body").splitlines()
            if line.strip()]


def test_the_guide_has_commands():
    commands = guide_commands(GUIDE.read_text(encoding="utf-8"))
    assert commands[0] == "mobcontent --version" and "mobcontent init du-an-mau" in commands
    assert not [c for c in commands if ".venv" in c or c.startswith("make")]


def test_the_guide_never_claims_a_makefile_or_venv():
    text = GUIDE.read_text(encoding="utf-8")
    assert "Makefile" not in text and ".venv" not in text and "make build" not in text


def test_the_guide_commands_run_on_a_fresh_project(tmp_path, shared_kit):
    cwd = tmp_path
    env = {**os.environ, "LANG": "vi_VN.UTF-8", "CI": "true"}
    for command in guide_commands(GUIDE.read_text(encoding="utf-8")):
        words = shlex.split(command)
        if words[0] == "cd":
            cwd = (cwd / words[1]).resolve()
            assert cwd.is_dir(), f"the guide says `{command}`, but there is no such folder"
            continue
        if words[0] == "ls":
            shown = sorted(p.name for p in cwd.iterdir() if not p.name.startswith("."))
            assert {"content", "locales", "mobcontent.yaml"} <= set(shown), shown
            continue
        assert words[0] == "mobcontent", f"the guide asks to type `{command}`, which this test cannot run"
        run = subprocess.run([sys.executable, "-m", "mobcontent", *words[1:]], cwd=cwd, env=env,
                             capture_output=True, text=True, timeout=600)
        output = run.stdout + run.stderr
        assert "Traceback" not in output, f"`{command}`:\n{output}"
        assert run.returncode in (0, 1), f"`{command}` exited {run.returncode}:\n{output}"
        if "--release" not in command and "--strict" not in command:
            assert run.returncode == 0, f"`{command}` exited {run.returncode}:\n{output}"


@pytest.mark.parametrize("name", ["content", "locales", "mobcontent.yaml"])
def test_init_makes_what_the_guide_lists(tmp_path, name):
    CliRunner().invoke(main, ["init", str(tmp_path / "du-an-mau")])
    assert (tmp_path / "du-an-mau" / name).exists()


def test_topics_agree_with_init(tmp_path):
    CliRunner().invoke(main, ["init", str(tmp_path / "p")])
    topics = set()
    for path in (tmp_path / "p" / "content" / "messages").glob("*.md"):
        topics |= set(re.search(r"^topics: \[(.*)\]", path.read_text(encoding="utf-8"), re.M).group(1).split(", "))
    listed = GUIDE.read_text(encoding="utf-8")
    assert all(f"`{topic}`" in listed for topic in topics), topics
