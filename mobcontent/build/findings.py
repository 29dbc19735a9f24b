"""The project checks' findings, remembered between runs: ``mobcontent check`` then
``mobcontent build`` (what CI does) checks the project once, and a second ``check``
of an unchanged project answers at once.

The findings are kept in the user's cache folder (never in the project), under a key
made of everything they depend on: the sha256 of every file in the project but
``build/`` (and where each symbolic link points), the tool's code, the checks asked
for, the language of the messages, the font kit and the ``msgfmt`` that checks PO
files. Any change to one of them is a new key: the checks run again.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

from ..base.errors import Problem
from ..base.files import keep_newest, state_key, user_cache_dir, write_atomic
from ..base.i18n import language
from ..base.model import Project
from ..base.version import tool_fingerprint
from ..checks.runner import BUILD_OUTPUT_CHECKS, run_checks

#: The findings kept: of this many project states (the most recently written).
KEPT = 8
#: The layout of a findings file: each finding a row (code, severity, path, line,
#: message, hint, column), which reads back in half the time of one object each.
FORMAT = 2


def run_checks_remembered(project: Project, checks: list, kit_key: str = "") -> list[Problem]:
    """:func:`mobcontent.checks.runner.run_checks`, answered from the cache when the
    project, the tool and the checks are what they were (see the module docstring);
    sorted by path, line, code and message, each finding once."""
    live = [check for check in checks if check in BUILD_OUTPUT_CHECKS]  # they read build/: never remembered
    kept = [check for check in checks if check not in live]
    key = findings_key(project.root, kept, kit_key)
    path = user_cache_dir("findings") / f"{key}.json" if key else None
    found = _read(path) if path else None
    if found is None:
        found = run_checks(project, kept) if kept else []  # in order, each once: what _in_order makes
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            if path:
                write_atomic(path, json.dumps({"format": FORMAT, "findings": [
                    [p.code, p.severity, p.path, p.line, p.message, p.hint, p.column] for p in found]},
                    ensure_ascii=False).encode("utf-8"))
                keep_newest(path.parent, "*.json", KEPT)
    fresh = [problem for check in live for problem in check(project)]
    return _in_order([*found, *fresh]) if fresh else found


def _in_order(problems) -> list[Problem]:
    """Each finding once, sorted by path, line, code and message."""
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.code, p.message))


def findings_key(root: Path, checks: list, kit_key: str = "") -> str | None:
    """The cache key of the checks' findings on the project at ``root``, or None when the
    project is too large to list (or cannot be listed)."""
    msgfmt = shutil.which("msgfmt") or ""
    version = os.stat(msgfmt).st_mtime_ns if msgfmt else 0
    return state_key(Path(root), tool_fingerprint(), language(), kit_key, msgfmt, str(version),
                     *(f"{check.__module__}.{check.__name__}" for check in checks))


def _read(path: Path) -> list[Problem] | None:
    """The findings kept at ``path`` (in order, each once: as written), or None (absent,
    unreadable, not what this version writes)."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        return [Problem(*row) for row in data["findings"]]
    except (OSError, ValueError, TypeError, KeyError):
        return None
