"""The catalogs a build reads, kept between commands: building one from its PO file
(parsing it strictly, canonical text for every entry) costs a fraction of a millisecond,
a whole project's a third of a second for 1,000 files, paid by the checks and again by
the workers of every build and check.

:func:`~mobcontent.pipeline.translate.read_catalog` builds each catalog once per
process for the same bytes read the same way. The catalogs a process built are kept in
the user's cache folder (never in the project: a cache that came with a ``git pull``
could lie), one file per project folder, each catalog under the sha256 of its file's
bytes and how it was read (path, locale, source locale, tone style): a changed file is
simply not found and is built again. The file is thrown away whole when the tool's code
or Python is not the one that wrote it.

It is a pickle, read back by an unpickler that makes only catalog entries
(:class:`~mobcontent.pipeline.translate.Translation`), then checked entry by entry: a
damaged or planted file cannot run code, it is only not used.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import pickle
import sys
from pathlib import Path

from ..base.files import keep_newest, user_cache_dir, write_atomic
from ..base.version import tool_fingerprint
from . import translate
from .translate import Translation

#: The layout of the file, with the tool's code and Python: another is never read.
FORMAT = 1
#: The files kept: of this many project folders (the most recently written).
KEPT = 16


def read_kept_catalogs(root: Path) -> int:
    """Make the catalogs kept for the project at ``root`` known to this process (before a
    build or a check forks its workers: they inherit them). Returns how many."""
    kept = _read(_path(root))
    for key, items in kept.items():
        translate.BUILT.setdefault(key, items)
    return len(kept)


def keep_catalogs(root: Path) -> bool:
    """Keep the catalogs this process knows of the project at ``root`` in the user's cache,
    if it built any itself (the checks read them all). Whether the file was written."""
    if not translate.NEW:
        return False
    found = {key: items for key, items in translate.BUILT.items() if _of_project(items, root)}
    with contextlib.suppress(OSError, pickle.PicklingError):  # a cache that cannot be written only costs time
        path = _path(root)
        write_atomic(path, pickle.dumps({"format": FORMAT, "code": _code(), "catalogs": found},
                                        protocol=pickle.HIGHEST_PROTOCOL))
        keep_newest(path.parent, "*.pickle", KEPT)
        translate.NEW.clear()
        return True
    return False


def _of_project(items: tuple, root: Path) -> bool:
    """Every entry names its file relative to its project: a catalog of another project
    read in the same process (a test, a preview) has a file this one lacks."""
    return not items or (root / items[0][1].path).is_file()


def _path(root: Path) -> Path:
    name = hashlib.sha256(str(Path(root).resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return user_cache_dir("catalogs") / f"{name}.pickle"


def _code() -> str:
    return f"{tool_fingerprint()} {sys.version} {pickle.HIGHEST_PROTOCOL}"


class _Unpickler(pickle.Unpickler):
    """Makes nothing but catalog entries: no function is called, no other class made."""

    def find_class(self, module: str, name: str):
        if (module, name) == (Translation.__module__, Translation.__name__):
            return Translation
        raise pickle.UnpicklingError(f"{module}.{name} is not a catalog entry")


def _read(path: Path) -> dict:
    """The catalogs kept at ``path``, or ``{}`` (absent, unreadable, damaged, planted, or
    written by other code)."""
    try:
        data = _Unpickler(io.BytesIO(path.read_bytes())).load()
    except Exception:  # noqa: BLE001 — any fault in a cache file means: build the catalogs
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("code") != _code():
        return {}
    catalogs = data.get("catalogs")
    if not isinstance(catalogs, dict) or not all(_well_formed(k, v) for k, v in catalogs.items()):
        return {}
    return catalogs


def _well_formed(key, items) -> bool:
    """A key as :func:`~mobcontent.pipeline.translate.read_catalog` makes it, and its
    entries: ``(msgctxt-and-msgid key, Translation)`` with the types a build gives them."""
    return (isinstance(key, tuple) and len(key) == 5 and all(isinstance(part, str) for part in key[:2])
            and all(part is None or isinstance(part, str) for part in key[2:])
            and isinstance(items, tuple)
            and all(isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
                    and type(item[1]) is Translation and isinstance(item[1].text, str)
                    and type(item[1].fuzzy) is bool and isinstance(item[1].path, str)
                    and type(item[1].line) is int for item in items))
