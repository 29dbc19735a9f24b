"""Glyph checks: every character the project prints has a glyph in the font kit,
and ê̆ ô̆ ơ̆ ư̆ stack (breve above the circumflex or horn), each problem at the
line that holds the character.
"""
from __future__ import annotations

import contextlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ..base.errors import ContentError, Problem
from ..base.files import read_regular, write_atomic
from ..base.i18n import _, language
from ..base.model import Project
from ..base.plainwords import describe_char
from ..base.version import tool_fingerprint
from ..pipeline.fontkit import font_cache_dir, project_characters
from ..printing.fonts import SANS, SERIF, prepare_font_kit
from ..printing.stacking import check_stacking


def check_glyphs(project: Project) -> Iterable[Problem]:
    """Every character that can be printed (sources and translations) has a glyph in the
    font kit, and the kit stacks ê̆ ô̆ ơ̆ ư̆ (see :mod:`mobcontent.build.gate`)."""
    return project_glyph_problems(project)


def glyph_problems(root: Path, texts, kit) -> tuple[list[Problem], list[str]]:
    """``glyph-missing`` warnings for characters of ``texts`` no face of ``kit`` has.

    Returns the problems (one per character and line) and the characters, in order.
    """

    problems: dict[tuple, Problem] = {}
    chars: dict[str, None] = {}
    for text in texts:
        missing = dict.fromkeys(kit.missing(text.text, SANS) + kit.missing(text.text, SERIF))
        for char in missing:
            chars.setdefault(char)
            path, line = locate(root, text.origin, char)
            problems.setdefault((path, line, char), Problem(
                "glyph-missing", "warning", path, line,
                _("the fonts have no glyph for {name}").format(name=describe_char(char)),
                _("replace the character (is it a typing mistake or a wrong keyboard layout?); "
                  "a draft build shows it highlighted")))
    return list(problems.values()), list(chars)


def locate(root: Path, origin: str, char: str) -> tuple[str, int]:
    """The file and line where ``char`` of a text from ``origin`` (``path:line``) is written.

    The origin is where the text starts (a message block, a PO entry); the
    character may be a few lines further down (a long paragraph, the ``msgstr``
    after the ``msgid``), so the lines from there are searched.
    """
    path, _sep, line = origin.rpartition(":")
    if not path or not line.isdigit():
        return origin, 0
    start = int(line)
    lines = _file_lines(str(root / path))
    begin = max(start - 1, 0)
    for offset, text in enumerate(lines[begin:begin + 60]):
        if char in text:
            return path, begin + offset + 1
    return path, start


def _file_lines(path: str) -> tuple[str, ...]:
    """The file's lines (cached while the file is unchanged)."""
    try:
        stat = Path(path).stat()
    except OSError:
        return ()
    return _read_lines(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _read_lines(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    try:
        real = Path(os.path.realpath(path))  # a project file: regular, bounded, never a FIFO
        return tuple(read_regular(real, real.name).decode("utf-8").split("\n"))
    except (OSError, UnicodeDecodeError, ContentError):
        return ()


def stacking_problems(kit) -> list[Problem]:
    """``glyph-stacking`` errors: faces of the kit where a breve does not stack on ê ô ơ ư."""
    return list(_stacking(kit.directory, tuple(face.path for face in kit.faces), language()))


@lru_cache(maxsize=8)
def _stacking(directory: Path, paths: tuple[Path, ...], lang: str = "en") -> tuple[Problem, ...]:
    """The kit's stacking errors (cached per interface language: they are worded in it)."""
    found = []
    for path, problems in zip(paths, _stacking_messages(directory, paths, lang)):
        for problem in problems:
            found.append(Problem("glyph-stacking", "error", str(path), 0, problem,
                                 _("the font draws the breve into the circumflex or horn: use the font kit's Noto faces")))
    return tuple(found)


def _stacking_messages(directory: Path, paths: tuple[Path, ...], lang: str) -> list[list[str]]:
    """What :func:`check_stacking` says of each face, kept beside the kit (a kit's faces never
    change once built): shaping and measuring them costs a tenth of a second in every process
    that prints. Worked out again for another tool version or another language."""
    kept = Path(directory) / f"stacking.{lang}.json"
    names = [Path(path).name for path in paths]
    with contextlib.suppress(OSError, ValueError):  # absent, unreadable or not what we write: worked out
        data = json.loads(kept.read_bytes().decode("utf-8"))
        faces = data.get("faces") if isinstance(data, dict) and data.get("tool") == tool_fingerprint() else None
        if isinstance(faces, dict) and all(isinstance(faces.get(name), list) for name in names) \
                and all(isinstance(m, str) for name in names for m in faces[name]):
            return [faces[name] for name in names]
    said = [check_stacking(path) for path in paths]
    with contextlib.suppress(OSError):  # a kit folder that cannot be written only costs time
        write_atomic(kept, json.dumps({"tool": tool_fingerprint(), "faces": dict(zip(names, said))},
                                      ensure_ascii=False).encode("utf-8"))
    return said


def project_glyph_problems(project, kit=None) -> list[Problem]:
    """``glyph-missing`` errors for every character of the project that the kit lacks,
    at its line: message files, PO ``msgstr`` lines, leaflets, audiences, settings.
    Also the kit's ``glyph-stacking`` errors (for ``mobcontent check``)."""

    everything = project_characters(project)
    kit = kit or prepare_font_kit(font_cache_dir(project), everything)
    missing = set(kit.missing(everything, SANS)) | set(kit.missing(everything, SERIF))
    if not missing:  # the kit has every character: no line to look at
        return stacking_problems(kit)
    problems = []
    for rel, number, line in _printed_lines(project):
        for char in sorted(set(line) & missing):
            problems.append(Problem("glyph-missing", "error", rel, number,
                                    _("the fonts have no glyph for {name}").format(name=describe_char(char)),
                                    _("replace the character (is it a typing mistake or a wrong keyboard layout?)")))
    return problems + stacking_problems(kit)


def _printed_lines(project):
    """(path, line number, text) of every line whose text can reach a page."""
    root = project.root
    for message in project.messages.values():
        for chunk in message.chunks:
            for offset, line in enumerate(chunk.text.split("\n")):
                yield message.path, chunk.line + offset, line
        yield message.path, message.title_line, message.title
    yaml_files = [project.config.path, project.audiences.path] + [l.path for l in project.leaflets.values()]
    for rel in yaml_files:
        for number, line in enumerate(_file_lines(str(root / rel)), 1):
            if not line.lstrip().startswith("#"):
                yield rel, number, line
    for path in sorted((root / "locales").glob("*/LC_MESSAGES/**/*.po")):
        rel = path.relative_to(root).as_posix()
        in_msgstr = False
        for number, line in enumerate(_file_lines(str(path)), 1):
            if line.startswith("msgstr"):
                in_msgstr = True
            elif not line.startswith('"'):
                in_msgstr = False
            if in_msgstr:
                yield rel, number, line
