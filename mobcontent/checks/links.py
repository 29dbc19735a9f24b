"""Link and image targets in messages and translations that the link guard would
refuse, reported at their message or PO line.
"""
from __future__ import annotations

from typing import Iterable

from ..base.errors import ContentError, Problem
from ..base.files import read_at
from ..base.i18n import _
from ..base.model import Project
from ..base.text import shown_target
from ..formats.markdown import make_markdown, markdown_limits, segment
from ..formats.po.model import PoError
from ..formats.po.read import read_po


def check_links(project: Project) -> Iterable[Problem]:
    """Link and image targets in messages and translations (see :mod:`mobcontent.formats.links`)."""
    return blocked_targets(project)


def blocked_targets(project) -> list:
    """``link-blocked`` errors for every refused target in the project's messages (at
    the block's line) and translations (at the PO entry's line)."""

    assets = project.root / "content" / "assets"
    hint = _("use https:// links, and images from content/assets/ only")
    problems = []

    def scan(text: str):
        md = make_markdown(lambda kind, source: source, assets)
        md.convert(text)
        return md.mc_blocked

    for message in project.messages.values():
        for chunk in message.chunks:
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
            if entry.obsolete or not entry.msgstr or ("](" not in entry.msgstr and "<" not in entry.msgstr):
                continue
            if markdown_limits(entry.msgstr):
                continue  # refused by the translation checks before any parser sees it
            for _source, target, reason in scan(entry.msgstr):
                problems.append(Problem("link-blocked", "error", rel, entry.line,
                                        _("refused link or image '{target}': {reason}").format(
                                            target=shown_target(target), reason=reason), hint))
    return problems
