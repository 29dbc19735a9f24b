"""What a leaflet may point at: link and image targets, checked with their line.

Markdown in a message or a translation can hold link and image targets. A PDF
link to ``file:///etc/passwd`` leaks a path and invites a click; an image
``file:///etc/passwd`` (or ``../../secret.png``, or a symlink out of the assets
folder, or ``/dev/zero``) would make the renderer read a file it has no business
reading. :class:`LinkGuard` runs after Python-Markdown's inline stage and allows:

- links to ``http:``, ``https:``, ``mailto:``, ``tel:`` and ``#fragments``;
- images that are ``data:image/png|jpeg|gif|webp`` URLs, or relative paths that
  resolve (symlinks followed) to a regular file inside ``content/assets/`` — those
  are rewritten to that file's absolute ``file:`` URI, which the print stage's URL
  fetcher also allows.

Anything else is removed from the HTML and recorded with the block it came from,
so the caller can report the message line or PO line (code ``link-blocked``).

>>> link_problem("javascript:alert(1)")
"the link scheme 'javascript' is not allowed"
>>> link_problem("https://dichvucong.gov.vn") is None
True
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown.treeprocessors import Treeprocessor

from ..base.i18n import _
from ..base.text import plain_target, shown_target

LINK_SCHEMES = ("http", "https", "mailto", "tel")
IMAGE_DATA_RE = re.compile(r"^data:image/(?:png|jpeg|gif|webp)[;,]", re.IGNORECASE)
SOURCE_ATTRIBUTE = "data-mc-source"


def link_problem(url: str) -> str | None:
    """Why a link target is refused, or ``None`` when it is fine.

    >>> link_problem(" MAILTO:ai@example.com") is None
    True
    """
    url = plain_target(url).strip()
    if url.startswith("#"):
        return None
    scheme = urlsplit(url).scheme.lower()
    if not scheme:
        return _("a link must be a full web address (https://…), a phone (tel:) or an e-mail (mailto:)")
    if scheme not in LINK_SCHEMES:
        return _("the link scheme '{scheme}' is not allowed").format(scheme=scheme)
    return None


def image_target(src: str, assets: Path | None) -> tuple[str | None, str | None]:
    """``(new src, None)`` for an allowed image, ``(None, reason)`` for a refused one."""
    src = src.strip()
    if IMAGE_DATA_RE.match(src):
        return src, None
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith(("/", "\\")):
        return None, _("an image must be a file in content/assets/ (a relative path), not '{target}'").format(
            target=shown_target(src))
    if assets is None:
        return None, _("images are not allowed here")
    root = Path(os.path.realpath(assets))
    real = Path(os.path.realpath(root / unquote(parts.path)))
    if root not in real.parents:
        return None, _("the image '{target}' is outside content/assets/").format(target=shown_target(src))
    try:
        regular = stat.S_ISREG(real.stat().st_mode)
    except OSError:
        return None, _("the image '{target}' does not exist in content/assets/").format(target=shown_target(src))
    if not regular:
        return None, _("the image '{target}' is not a regular file").format(target=shown_target(src))
    return real.as_uri(), None


class LinkGuard(Treeprocessor):
    """Removes refused link and image targets; records ``(block source, target, reason)``
    in ``md.mc_blocked``. The block processor marks each block with its source."""

    def __init__(self, md, assets: Path | None):
        super().__init__(md)
        self.assets = assets
        md.mc_blocked = []

    def run(self, root):
        self._walk(root, None)

    def _walk(self, element, source):
        source = element.attrib.pop(SOURCE_ATTRIBUTE, source)
        if element.tag == "a" and element.get("href") is not None:
            reason = link_problem(element.get("href"))
            if reason:
                self.md.mc_blocked.append((source, element.attrib.pop("href"), reason))
        elif element.tag == "img":
            new, reason = image_target(element.get("src", ""), self.assets)
            if reason:
                self.md.mc_blocked.append((source, element.attrib.pop("src", ""), reason))
            else:
                element.set("src", new)
        for child in element:
            self._walk(child, source)
