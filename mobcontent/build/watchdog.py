"""Watched worker processes: run tasks where a runaway or a crash cannot hang the caller.

Every task runs in a worker process (a :mod:`pebble` process pool, forked, so the
workers share what the parent loaded). The parent watches them:

- a task that runs past ``Limits.seconds`` has its worker killed and replaced; the
  task ends as ``failure="timeout"`` and the others go on;
- a worker that dies (killed, segfault in a C library, out of memory) fails only the
  task it was running: ``failure="crash"``, ``detail`` names the signal or exit code;
- a worker's address space is capped at ``Limits.memory_mb`` (RLIMIT_AS, 0: no cap);
  a task that hits the cap ends as ``failure="memory"``;
- the workers' temporary files go to a folder of the run's own, removed when the run
  ends: a worker is stopped, not asked to exit, so nothing it made would clean up after
  it (WeasyPrint keeps each process's fonts in a ``weasyprint-*`` folder, 0.6 MB). The
  folder of a run whose process was killed before it could remove it is removed by the
  next run (:func:`scratch_folder`).

Nothing here raises from a signal handler inside the working process, so no library
(a gc callback, a ``__del__``, a C callback) can swallow the stop. One worker is
watched the same way as many: ``workers=1`` is the serial path.

The API is two names::

    for done in run_watched(function, [(a, b), (c, d)], workers=2, limits=Limits(60, 2048)):
        done.index, done.value, done.failure, done.detail

``function`` must be a module-level function (it is sent to the worker by name);
``initializer(*initargs)`` runs once in each worker before its first task (an
exception there fails that worker's tasks with ``failure="error"`` instead of
restarting it for ever).

Each task runs inside :func:`roomy_call` (CPython 3.11 and 3.12 would otherwise map and
unmap a chunk of their frame stack each time a deep call crosses one's end).
"""
from __future__ import annotations

import gc
import os
import shutil
import signal
import stat
import sys
import tempfile
import types
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

#: ``Finished.failure`` values
TIMEOUT, CRASH, MEMORY, ERROR = "timeout", "crash", "memory", "error"


@dataclass(frozen=True)
class Limits:
    """What one task may use: seconds of wall time, megabytes of address space (0: no cap)."""

    seconds: float = 300.0
    memory_mb: int = 0


@dataclass(frozen=True)
class Finished:
    """A task that ended: its index in the task list, and its value or why it failed."""

    index: int
    value: object = None
    failure: str = ""  # "" | TIMEOUT | CRASH | MEMORY | ERROR
    detail: str = ""  # the signal ("SIGKILL"), the exit code or the error


class _MemoryCapHit(Exception):
    """Raised in the worker when a task hit the memory cap (picklable, sent to the parent)."""


#: How often pebble's threads in the parent look at the workers (its ``CONSTS.sleep_unit``,
#: 0.1 s by default): a time limit is seen this much late at most, and stopping the pool
#: at the end of a build waits up to twice this long.
POLL_SECONDS = 0.02

_STATE: dict = {}

#: CPython 3.11 and 3.12 keep the frames of Python calls in chunks of 16 KiB, each mapped
#: when a call crosses into it and unmapped when that call returns (python/cpython#142183,
#: fixed in 3.13). WeasyPrint's layout recursion goes back and forth across a chunk's end
#: hundreds of times per leaflet: about 400 mmap/munmap pairs and 380 page faults each,
#: 3-4 ms of system time per leaflet (4 % of a job). A task therefore runs inside a frame
#: with this many local slots, never used: CPython gives that frame a chunk of 256 KiB,
#: and the task's own frames fit in the ~130 KiB left after it (one mapping per task).
#: ``(slots + 1000) * 8`` bytes just over 128 KiB is what makes the chunk twice that.
ROOM_SLOTS = 15385
_ROOMY: list = []  # the roomy call, made once per process (before the workers fork)


def roomy_call(function: Callable, args: tuple):
    """``function(*args)``, called from a frame that leaves its calls room to recurse in
    one chunk of CPython's frame stack (see :data:`ROOM_SLOTS`); a plain call where
    that stack has no such cost."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 13):
        return function(*args)
    if not _ROOMY:  # _call_plainly's code with ROOM_SLOTS more locals, none of them ever set
        code = _call_plainly.__code__
        names = tuple(f"_room{index}" for index in range(ROOM_SLOTS))
        roomy = code.replace(co_varnames=code.co_varnames + names, co_nlocals=code.co_nlocals + ROOM_SLOTS)
        _ROOMY.append(types.FunctionType(roomy, globals(), "roomy_call"))
    return _ROOMY[0](function, args)


def _call_plainly(function: Callable, args: tuple):
    return function(*args)


def run_watched(function: Callable, arguments: Iterable[tuple], workers: int, limits: Limits,
                initializer: Callable | None = None, initargs: tuple = ()) -> Iterator[Finished]:
    """Run ``function(*args)`` for every ``args`` in watched worker processes; yield each
    task as it finishes (completion order), never raising for a task that failed."""
    import multiprocessing
    from concurrent.futures import as_completed

    from pebble import CONSTS, ProcessPool

    tasks = list(arguments)
    if not tasks:
        return
    CONSTS.sleep_unit = min(CONSTS.sleep_unit, POLL_SECONDS)
    roomy_call(int, ())  # the roomy frame's code is made here, once: the workers inherit it
    scratch = scratch_folder()
    gc.freeze()  # what the workers inherit stays out of their collections: not copied page by page
    pool = None
    try:
        pool = ProcessPool(max_workers=max(1, min(workers, len(tasks))), context=multiprocessing.get_context("fork"),
                           initializer=_start_worker, initargs=(initializer, tuple(initargs), limits.memory_mb,
                                                                scratch))
        futures = {pool.schedule(_call, args=(function, tuple(args)), timeout=limits.seconds or None): index
                   for index, args in enumerate(tasks)}
        for future in as_completed(futures):
            yield _finished(futures[future], future)
    finally:  # every task has ended (or the caller stopped early): the idle workers are stopped,
        if pool is not None:  # not asked to exit, which waits for each to tear its interpreter down
            pool.stop()
            pool.join()
        gc.unfreeze()
        shutil.rmtree(scratch, ignore_errors=True)  # what the stopped workers left


SCRATCH_PREFIX = "mobcontent-workers-"


def scratch_folder() -> str:
    """A new temporary folder for one run's workers (``mkdtemp``: 0700), named after this
    process and its PID namespace. First, the folders that earlier runs left: a process
    killed (SIGKILL, or SIGTERM: ``serve`` stopped by a service manager) could not remove
    its own."""
    base = tempfile.gettempdir()
    space = _pid_namespace()
    _remove_left_folders(base, space)
    return tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{space}-{os.getpid()}-", dir=base)


def _remove_left_folders(base: str, space: str) -> None:
    """Remove the scratch folders in ``base`` of processes of this PID namespace that are
    gone: only real folders (never a link) owned by this user; a process that is alive, or
    that this user may not signal, keeps its folder."""
    try:
        entries = list(os.scandir(base))
    except OSError:
        return
    prefix = f"{SCRATCH_PREFIX}{space}-"
    for entry in entries:
        pid = entry.name[len(prefix):].split("-", 1)[0] if entry.name.startswith(prefix) else ""
        if not pid.isdigit() or _alive(int(pid)):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid():
            shutil.rmtree(entry.path, ignore_errors=True)  # never follows a link inside


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _pid_namespace() -> str:
    """Which PID namespace this process is in (the number in ``/proc/self/ns/pid``), so that
    a temporary folder shared with containers is judged by the PIDs it was named after;
    ``0`` where the system does not say."""
    try:
        return "".join(ch for ch in os.readlink("/proc/self/ns/pid") if ch.isdigit()) or "0"
    except OSError:
        return "0"


def _finished(index: int, future) -> Finished:
    """What became of one task, from its future."""
    from pebble import ProcessExpired

    try:
        return Finished(index, future.result())
    except TimeoutError:
        return Finished(index, failure=TIMEOUT)
    except ProcessExpired as exc:
        return Finished(index, failure=CRASH, detail=describe_exit(exc.exitcode))
    except _MemoryCapHit as exc:
        return Finished(index, failure=MEMORY, detail=str(exc))
    except BaseException as exc:  # a bug in the task: the task fails, the pool goes on
        return Finished(index, failure=ERROR, detail=f"{type(exc).__name__}: {exc}")


def describe_exit(code: int | None) -> str:
    """A worker's end in words.

    >>> describe_exit(-9), describe_exit(3)
    ('SIGKILL', 'exit code 3')
    """
    if code is not None and code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _start_worker(initializer, initargs, memory_mb: int, scratch: str) -> None:
    """In each worker: temporary files in the run's ``scratch`` folder, the caller's
    initializer, then the memory cap (so the set-up is not counted against it). Never
    raises: pebble would restart a failing worker for ever."""
    _STATE.clear()
    tempfile.tempdir = scratch  # Python's own (WeasyPrint's fonts), and what C libraries and commands make
    os.environ["TMPDIR"] = scratch
    try:
        if initializer is not None:
            initializer(*initargs)
    except BaseException as exc:  # reported by every task of this worker
        _STATE["error"] = f"{type(exc).__name__}: {exc}"
    if memory_mb:
        import resource
        cap = int(memory_mb) * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        _STATE["memory_mb"] = memory_mb


def _call(function, args):
    """The task as it runs in the worker."""
    if "error" in _STATE:
        raise RuntimeError(_STATE["error"])
    try:
        return roomy_call(function, args)
    except MemoryError:
        raise _MemoryCapHit(f"{_STATE.get('memory_mb', 0)} MB") from None
