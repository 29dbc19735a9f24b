"""One writer at a time: a lock file that serializes ``update`` and ``build``.

The lock is an advisory ``flock`` on ``<project>/.mobcontent.lock``. The kernel
releases it when its holder exits for any reason (even SIGKILL), so a lock left
by a killed process never blocks anyone: the next command takes it over. The
file holds the holder's pid and command, only to tell a waiting user who they
are waiting for.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path

from .i18n import _

LOCK_NAME = ".mobcontent.lock"


@contextlib.contextmanager
def project_lock(root: Path, command: str, on_wait=None, poll: float = 0.2):
    """Hold the project's lock for the ``with`` body; wait (saying so once) while another holds it."""
    path = Path(root) / LOCK_NAME
    handle = open(path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait(_holder(path))
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    time.sleep(poll)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {command}\n")
        handle.flush()
        yield
    finally:
        with contextlib.suppress(OSError):
            handle.seek(0)
            handle.truncate()
        handle.close()  # closing releases the flock


def _holder(path: Path) -> str:
    """``"pid 123 (build)"`` from the lock file, or ``"another process"``."""
    try:
        pid, _space, command = path.read_text(encoding="utf-8").strip().partition(" ")
    except OSError:
        return _("another process")
    return f"pid {pid} ({command})" if pid.isdigit() else _("another process")
