"""Golden tests of adaptation and customs: each ``golden/adapt/*.yaml`` case is a project (the
base project with some files replaced), a command (``args``, default ``check``) and the
exact output a user sees, in ``<case>.expected``::

    $ mobcontent check
    content/messages/x.md:7: error: ...
    [exit 1]

``bad-*`` cases must exit non-zero, ``good-*`` cases zero. Regenerate with
``MOBCONTENT_REGEN=1 pytest tests/test_adapt_golden.py`` and review the diff.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mobcontent.app.cli import main
from mobcontent.formats.yamlio import read_yaml, to_plain

CASES = sorted((Path(__file__).parent / "golden" / "adapt").glob("*.yaml"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_adapt_case(case, make_project, shared_kit):
    spec = to_plain(read_yaml(case.read_text(encoding="utf-8"), str(case)))
    root = make_project(spec.get("files", {}))
    args = spec.get("args", ["check"])
    result = CliRunner().invoke(main, ["-C", str(root), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    output = result.output.replace(str(root) + os.sep, "")
    actual = f"$ mobcontent {' '.join(args)}\n{output}[exit {result.exit_code}]\n"
    expected_path = case.with_suffix(".expected")
    if os.environ.get("MOBCONTENT_REGEN"):
        expected_path.write_text(actual, encoding="utf-8")
    assert actual == expected_path.read_text(encoding="utf-8")
    assert (result.exit_code != 0) == case.stem.startswith("bad-"), output
    assert "Traceback" not in output
