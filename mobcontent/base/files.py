"""Files: atomic writes, hashes, strict text reads and the scan that refuses files a
project must not hold (links out of the project, devices, pipes, oversized files).
"""
from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

from .errors import ContentError, Problem
from .i18n import _
from .plainwords import os_reason
from .text import shown_target


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a unique temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_text(path: Path, rel: str) -> str:
    """Read a UTF-8 text file: BOM stripped, CRLF/CR turned into LF."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(_("cannot read the file: {reason}").format(reason=os_reason(exc)), rel, 0,
                           _("check the file exists and you may read it"), code="file-unreadable") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ContentError(_("the file is not UTF-8 text"), rel, line,
                           _("save it as UTF-8 (in your editor: Save As… → Encoding: UTF-8)"),
                           code="encoding") from None
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise ContentError(_("the file contains a NUL character"), rel, line,
                           _("remove the invisible NUL byte (the file may be damaged)"), code="encoding")
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
