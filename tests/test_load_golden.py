"""Golden tests: each ``golden/load/*.yaml`` case is a project (the base project
with some files replaced) and the exact output a user sees for it.

``bad-*`` cases must fail to load (exit 2) with the lines in ``<case>.expected``;
``good-*`` cases must load, and ``<case>.expected`` holds ``list --json``.
Regenerate with ``MOBCONTENT_REGEN=1 pytest tests/test_load_golden.py`` and
review the diff.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobcontent.app.cli import main
from mobcontent.formats.yamlio import read_yaml, to_plain

CASES = sorted((Path(__file__).parent / "golden" / "load").glob("*.yaml"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_load_case(case, make_project):
    spec = to_plain(read_yaml(case.read_text(encoding="utf-8"), str(case)))
    root = make_project(spec["files"])
    bad = case.stem.startswith("bad-")
    args = ["-C", str(root), "check"] if bad else ["-C", str(root), "list", "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    output = (result.stderr if bad else result.stdout).replace(str(root) + os.sep, "")
    expected_path = case.with_suffix(".expected")
    if os.environ.get("MOBCONTENT_REGEN"):
        expected_path.write_text(output, encoding="utf-8")
    assert result.exit_code == (2 if bad else 0), output
    assert output == expected_path.read_text(encoding="utf-8")
    assert "Traceback" not in result.output
