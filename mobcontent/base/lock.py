"""One writer at a time: a lock file that serializes ``update`` and ``build``.

The lock is an advisory ``flock`` on ``<project>/.mobcontent.lock``. The kernel
releases it when its holder exits for any reason (even SIGKILL), so a lock left
by a killed process never blocks anyone: the next command takes it over. The
file holds the holder's pid and command, only to tell a waiting user who they
are waiting for.

The lock file is in the untrusted project: it is opened through the confined file
layer, without following a link and without blocking, must be a regular file, and is
never truncated (the holder's line is written over the start of the file).
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import time
from pathlib import Path

from .errors import ContentError
from .files import LOCK_NAME, confine, outside_error
from .i18n import _

HOLDER_BYTES = 80  # the holder's line, padded: written in place, never truncated


@contextlib.contextmanager
def project_lock(root: Path, command: str, on_wait=None, poll: float = 0.2):
    """Hold the project's lock for the ``with`` body; wait (saying so once) while another holds it."""
    fd = _open_lock(root)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait(_holder(fd))
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    time.sleep(poll)
        line = f"{os.getpid()} {command}"[:HOLDER_BYTES - 1].ljust(HOLDER_BYTES - 1) + "\n"
        with contextlib.suppress(OSError):
            os.pwrite(fd, line.encode("ascii", "replace"), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.pwrite(fd, b" " * (HOLDER_BYTES - 1) + b"\n", 0)  # blanked, not truncated
        os.close(fd)  # closing releases the flock


def _open_lock(root: Path) -> int:
    """The lock file's descriptor: inside the project, not a link, a regular file."""
    path = confine(root, LOCK_NAME)
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == 40:  # ELOOP: a link appeared in its place
            raise outside_error(LOCK_NAME) from None
        raise ContentError(_("cannot open the lock file: {reason}").format(reason=exc.strerror), LOCK_NAME, 0,
                           _("check that the project folder is writable"), code="lock-unusable") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ContentError(_("the file is not a regular file (a device, a pipe or a socket)"), LOCK_NAME, 0,
                           _("delete it; the next command creates it again"), code="unsafe-file")
    return fd


def _holder(fd: int) -> str:
    """``"pid 123 (build)"`` from the lock file, or ``"another process"``."""
    try:
        text = os.pread(fd, HOLDER_BYTES, 0).decode("ascii", "replace")
    except OSError:
        return _("another process")
    pid, _space, command = text.strip().partition(" ")
    command = "".join(c for c in command.strip() if c.isalnum() or c in "-_ ")[:40]
    return f"pid {pid} ({command})" if pid.isdigit() else _("another process")
