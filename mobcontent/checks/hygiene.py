"""Text hygiene in every text file the tool reads: control characters, U+FFFD,
mojibake and legacy-font markers, each at its exact line (the rules are in
:mod:`mobcontent.base.hygiene`).

Messages and YAML files are judged line by line; in a PO file, control characters
anywhere and the other rules in ``msgstr`` lines only (the ``msgid`` is the source
text, judged in its own file).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..base.errors import ContentError, Problem
from ..base.files import read_bytes
from ..base.hygiene import is_clean, line_problems
from ..base.model import Project

TEXT_GLOBS = ("mobcontent.yaml", "content/audiences.yaml", "content/messages/*.md", "content/leaflets/*.yaml",
              "locales/*/locale.yaml", "locales/*/LC_MESSAGES/*.po", "locales/*/LC_MESSAGES/messages/*.po")


def check_hygiene(project: Project) -> Iterable[Problem]:
    """Hygiene problems in every text file of the project."""
    problems = []
    for pattern in TEXT_GLOBS:
        for path in sorted(project.root.glob(pattern)):
            rel = path.relative_to(project.root).as_posix()
            problems += file_hygiene(_read(project.root, rel), rel)
    return problems


def file_hygiene(text: str, rel: str) -> list:
    """The hygiene problems of one file's text, by the rules of its kind."""
    if is_clean(text):
        return []
    lines = text.split("\n")
    if rel.endswith(".po"):
        return [p for number, line, judged in _po_lines(lines) for p in line_problems(line, rel, number, judged)
                if judged or p.code == "control-character"]
    code = False
    problems = []
    for number, line in enumerate(lines, start=1):
        if rel.endswith(".md") and line.lstrip().startswith(("```", "~~~")):
            code = not code
        comment = not rel.endswith(".md") and line.lstrip().startswith("#")
        problems += line_problems(line, rel, number, legacy=not (code or comment))
    return problems


def _po_lines(lines: list[str]):
    """``(number, line, judged)``: judged when the line is part of a ``msgstr``."""
    in_msgstr = False
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip()
        if stripped.startswith("msgstr"):
            in_msgstr = True
        elif not stripped.startswith('"'):
            in_msgstr = False
        yield number, line, in_msgstr and not stripped.startswith("#")


def _read(root: Path, rel: str) -> str:
    """The file's text as the tool reads it (through the confined layer), BOM dropped
    ("" when it cannot be read or is not UTF-8: loading reports that, with its line)."""
    try:
        data = read_bytes(root, rel)
    except (OSError, ContentError):
        return ""
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        return ""
