"""The project lock: a second writer waits, says so, then runs; a killed holder frees it."""
import os
import signal
import subprocess
import sys
import time

from mobcontent.base.lock import LOCK_NAME, project_lock

HOLD = """
import sys, time
from pathlib import Path
from mobcontent.base.lock import project_lock
with project_lock(Path(sys.argv[1]), "build"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def start_holder(root, seconds):
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(root), str(seconds)], stdout=subprocess.PIPE,
                               text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def test_second_writer_waits_and_says_who_for(tmp_path):
    holder = start_holder(tmp_path, 1.0)
    waited = []
    start = time.monotonic()
    with project_lock(tmp_path, "update", on_wait=waited.append):
        elapsed = time.monotonic() - start
    holder.wait()
    assert waited == [f"pid {holder.pid} (build)"]
    assert elapsed >= 0.5


def test_killed_holder_does_not_block(tmp_path):
    holder = start_holder(tmp_path, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (tmp_path / LOCK_NAME).read_text().startswith(str(holder.pid))  # its note is still there
    waited = []
    start = time.monotonic()
    with project_lock(tmp_path, "build", on_wait=waited.append):
        pass
    assert waited == [] and time.monotonic() - start < 1


def test_uncontended_lock_is_taken_at_once(tmp_path):
    with project_lock(tmp_path, "build") as _:
        assert (tmp_path / LOCK_NAME).read_text() == f"{os.getpid()} build\n"
    assert (tmp_path / LOCK_NAME).read_text() == ""
