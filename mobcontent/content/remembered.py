"""A loaded project, remembered between commands: loading a large project costs a
quarter of a second (reading and validating every message, leaflet and YAML file);
reading it back costs a few milliseconds.

The loaded form is kept in the user's cache folder (never in the project, like every
cache: one that came with a ``git pull`` could lie), under a key made of everything the
load depends on: the sha256 of every file in the project but ``build/`` (and where each
link points: :func:`~mobcontent.base.files.project_listing`), the project's folder, the
tool's code, the language of the messages, Python and the libraries that parse, and
whether a broken file may be left out (``keep_going``). Any change is a new key: the
project is loaded again. A project that does not load (a :class:`ProjectError`) is never
kept; nor one whose files changed while it loaded. What must never be read (a link out of
the project, a FIFO: :func:`~mobcontent.base.files.unsafe_files`) is looked for again
before a remembered project is used, in ``build/`` and the lock too.

The file is a pickle, read back by an unpickler that makes only the project's own data
classes and paths (:data:`ALLOWED`): a damaged or planted file cannot run code, it is
only not used.
"""
from __future__ import annotations

import contextlib
import dataclasses
import io
import pickle
import sys
from collections.abc import Callable
from pathlib import Path

import babel
import yaml

from ..base import model
from ..base.errors import Problem, ProjectError
from ..base.files import (
    keep_newest,
    state_key,
    unsafe_files,
    user_cache_dir,
    write_atomic,
)
from ..base.i18n import language
from ..base.model import Project
from ..base.version import tool_fingerprint

#: The loaded projects kept: of this many project states (the most recently written).
KEPT = 16
#: What the unpickler may make: the data classes of a loaded project, and paths.
ALLOWED = frozenset({("mobcontent.base.model", cls.__name__) for cls in vars(model).values()
                     if isinstance(cls, type) and dataclasses.is_dataclass(cls)}
                    | {("mobcontent.base.errors", "Problem"), ("pathlib", "PosixPath"),
                       ("pathlib", "PurePosixPath")})


def remembered(root: Path, keep_going: bool, load: Callable[[Path, bool], Project]) -> Project:
    """``load(root, keep_going)``, or what it gave for this very project state before."""
    key = load_key(root, keep_going)
    path = user_cache_dir("projects") / f"{key}.pickle" if key else None
    if path is not None:
        kept = _read(path)
        if kept is not None and kept.root == root:
            if unsafe := unsafe_files(root):  # build/ and the lock are not in the key; links may now lead out
                raise ProjectError(unsafe)
            return kept
    project = load(root, keep_going)
    if path is not None and load_key(root, keep_going) == key:  # nothing changed while it loaded
        with contextlib.suppress(OSError, pickle.PicklingError):  # a cache that cannot be written only costs time
            write_atomic(path, pickle.dumps(project, protocol=pickle.HIGHEST_PROTOCOL))
            keep_newest(path.parent, "*.pickle", KEPT)
    return project


def load_key(root: Path, keep_going: bool) -> str | None:
    """The key of the loaded form of the project at ``root`` as it is now, or None when it
    cannot be listed (too many files, a folder that cannot be read)."""
    return state_key(root, str(root), str(keep_going), tool_fingerprint(), language(), sys.version,
                     yaml.__version__, babel.__version__, str(pickle.HIGHEST_PROTOCOL))


class _Unpickler(pickle.Unpickler):
    """Makes nothing but :data:`ALLOWED`: no function is called, no other class made."""

    def find_class(self, module: str, name: str):
        if (module, name) in ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a loaded project")


def _read(path: Path) -> Project | None:
    """The project kept at ``path``, or None (absent, unreadable, damaged, not ours)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        project = _Unpickler(io.BytesIO(data)).load()
    except Exception:  # noqa: BLE001 — any fault in a cache file means: load the project
        return None
    return project if isinstance(project, Project) and _well_formed(project) else None


def _well_formed(project: Project) -> bool:
    """The parts every command relies on have the types a load gives them."""
    return (isinstance(project.root, Path) and isinstance(project.config, model.Config)
            and isinstance(project.audiences, model.Audiences)
            and all(isinstance(m, model.Message) for m in project.messages.values())
            and all(isinstance(leaflet, model.Leaflet) for leaflet in project.leaflets.values())
            and all(isinstance(p, Problem) for p in (*project.warnings, *project.unloaded)))
