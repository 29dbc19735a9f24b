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
from markdown.util import AMP_SUBSTITUTE

from .i18n import _

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


def plain_target(url: str) -> str:
    """A target as the reader's PDF viewer will see it: Python-Markdown writes an e-mail
    autolink (``<ai@example.com>``) as numeric character references behind a placeholder.

    >>> plain_target("\\x02amp\\x03#109;\\x02amp\\x03#97;ilto:x")
    'mailto:x'
    """
    return re.sub(re.escape(AMP_SUBSTITUTE) + r"#(x[0-9a-fA-F]{1,6}|[0-9]{1,7});",
                  lambda m: _char(m[1]), url)


def _char(reference: str) -> str:
    code = int(reference[1:], 16) if reference[0] == "x" else int(reference)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def shown_target(url: str) -> str:
    """A refused target as it may be printed in an error line: control characters
    escaped (no terminal escape sequences), at most 120 characters.

    >>> shown_target("javascript:\\x1b[2J" + "x" * 200)[:20]
    'javascript:\\\\x1b[2Jxx'
    """
    url = re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda m: f"\\x{ord(m[0]):02x}", plain_target(url))
    return url if len(url) <= 120 else url[:119] + "…"


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


def blocked_targets(project) -> list:
    """``link-blocked`` errors for every refused target in the project's messages (at
    the block's line) and translations (at the PO entry's line)."""
    from .errors import Problem
    from .po import PoError, read_po
    from .translate import make_markdown, segment

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
            po = read_po(path.read_bytes(), rel)
        except (PoError, OSError):
            continue  # the translation checks report an unreadable file
        for entry in po.entries:
            if entry.obsolete or not entry.msgstr or ("](" not in entry.msgstr and "<" not in entry.msgstr):
                continue
            for _source, target, reason in scan(entry.msgstr):
                problems.append(Problem("link-blocked", "error", rel, entry.line,
                                        _("refused link or image '{target}': {reason}").format(
                                            target=shown_target(target), reason=reason), hint))
    return problems


# --- files the tool reads as text ------------------------------------------------

#: What ``load``, ``update``, ``check`` and ``build`` read as text (``content/assets/`` is
#: only read by the renderer, through the link guard and the URL fetcher).
READ_PATHS = ("mobcontent.yaml", "content/audiences.yaml", "content/messages", "content/leaflets",
              "locales", "layouts")
#: The largest text file read, by suffix (YAML has its own, smaller limit in yamlio).
TEXT_LIMITS = {".md": 1_000_000, ".po": 20_000_000, ".pot": 20_000_000, ".yaml": 20_000_000,
               ".yml": 20_000_000, ".html": 5_000_000, ".css": 5_000_000}


def unsafe_files(root: Path) -> list:
    """``unsafe-file`` errors for what must not be read at all: a link out of the project,
    a device, pipe or socket (``/dev/zero``, a FIFO — reading them never ends), a text
    file too large to be a message or a catalog. Found before anything is read."""
    from .errors import Problem

    top = Path(os.path.realpath(root))
    problems: list = []
    seen: set = set()

    def report(rel: str, message: str, hint: str):
        problems.append(Problem("unsafe-file", "error", rel, 0, message, hint))

    def visit(path: Path, rel: str, depth: int):
        try:
            info = path.lstat()
        except OSError:
            return
        if stat.S_ISLNK(info.st_mode):
            real = Path(os.path.realpath(path))
            if real != top and top not in real.parents:
                return report(rel, _("the file is a link to {target}, outside the project").format(
                    target=shown_target(str(real))), _("copy the file into the project instead of linking to it"))
            try:
                info = real.stat()
            except OSError:
                return  # a dangling link: reading it says the file cannot be read
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in seen or depth > 20:
                return
            seen.add(key)
            try:
                names = sorted(os.listdir(path))
            except OSError:
                return
            for name in names:
                visit(path / name, f"{rel}/{name}", depth + 1)
        elif not stat.S_ISREG(info.st_mode):
            report(rel, _("the file is not a regular file (a device, a pipe or a socket)"),
                   _("replace it with an ordinary text file"))
        elif info.st_size > TEXT_LIMITS.get(path.suffix.lower(), info.st_size):
            report(rel, _("the file is too large ({size} bytes, at most {limit})").format(
                size=info.st_size, limit=TEXT_LIMITS[path.suffix.lower()]),
                _("split it into smaller files"))

    for rel in READ_PATHS:
        visit(Path(root) / rel, rel, 0)
    return problems
