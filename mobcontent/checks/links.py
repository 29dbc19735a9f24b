"""Link and image targets in messages and translations that the link guard would
refuse, reported at their message or PO line.
"""
from __future__ import annotations

import re
from typing import Iterable

from ..base.errors import ContentError, Problem
from ..base.files import is_dir, is_file, list_dir, read_at, read_bytes
from ..base.i18n import _
from ..base.model import Project
from ..base.text import shown_target
from ..formats.markdown import markdown_limits, reused_markdown, segment
from ..formats.po.read import read_po
from ..printing.svg import svg_problem


def check_links(project: Project) -> Iterable[Problem]:
    """Link and image targets in messages and translations (see :mod:`mobcontent.formats.links`),
    and SVG pictures in ``content/assets/`` too complex to draw (see :mod:`mobcontent.printing.svg`)."""
    return blocked_targets(project) + svg_assets(project)


def svg_assets(project) -> list:
    """``svg-too-complex`` for every SVG in ``content/assets/`` (and its folders) that the
    printer would refuse: ``check`` says so before a build meets it."""
    problems, folders = [], ["content/assets"]
    while folders and len(folders) < 1000:
        folder = folders.pop()
        for name in list_dir(project.root, folder):
            rel = f"{folder}/{name}"
            if name.startswith("."):
                continue
            if is_dir(project.root, rel):
                folders.append(rel)
            elif name.lower().endswith(".svg") and is_file(project.root, rel):
                try:
                    problem = svg_problem(read_bytes(project.root, rel))
                except ContentError as exc:
                    problems.append(exc.problem())
                    continue
                if problem:
                    problems.append(Problem("svg-too-complex", "error", rel, 1, problem,
                                            _("simplify the drawing, or export it as PNG")))
    return problems


#: What every link or image in Markdown starts with: ``[`` (inline, reference, definition,
#: image) or ``<`` (autolink). A text without either has no target to judge.
MAY_LINK_RE = re.compile(r"[\[<]")


def blocked_targets(project) -> list:
    """``link-blocked`` errors for every refused target in the project's messages (at
    the block's line) and translations (at the PO entry's line)."""

    assets = project.root / "content" / "assets"
    hint = _("use https:// links, and images from content/assets/ only")
    problems = []

    def scan(text: str):
        md = reused_markdown("links", assets)
        md.mc_transform = _as_written
        md.convert(text)
        return md.mc_blocked

    for message in project.messages.values():
        for chunk in message.chunks:
            if not MAY_LINK_RE.search(chunk.text):
                continue
            lines = {block.text: block.line for block in segment(chunk)}
            for source, target, reason in scan(chunk.text):
                problems.append(Problem("link-blocked", "error", message.path, lines.get(source, chunk.line),
                                        _("refused link or image '{target}': {reason}").format(
                                            target=shown_target(target), reason=reason), hint))
    for path in sorted((project.root / "locales").glob("*/LC_MESSAGES/**/*.po")):
        rel = path.relative_to(project.root).as_posix()
        try:
            po = read_po(read_at(path, rel), rel)
        except (ContentError, OSError):
            continue  # the translation checks report an unreadable file
        for entry in po.entries:
            if entry.obsolete or not entry.msgstr or not MAY_LINK_RE.search(entry.msgstr):
                continue
            if markdown_limits(entry.msgstr):
                continue  # refused by the translation checks before any parser sees it
            for _source, target, reason in scan(entry.msgstr):
                problems.append(Problem("link-blocked", "error", rel, entry.line,
                                        _("refused link or image '{target}': {reason}").format(
                                            target=shown_target(target), reason=reason), hint))
    return problems


def _as_written(kind: str, source: str) -> str:
    return source
