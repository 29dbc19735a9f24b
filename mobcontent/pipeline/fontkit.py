"""The font kit's inputs: where it is cached and which characters it must carry.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from ..base.files import file_sha256, keep_newest, read_at, user_cache_dir, write_atomic
from ..base.model import Project
from .layout import LAYOUT_STRINGS


def font_cache_dir(project: Project) -> Path:
    """Where the font kit is cached: in the user's cache (:func:`~mobcontent.base.files.user_cache_dir`),
    never in the untrusted project; ``$MOBCONTENT_FONT_CACHE`` names the folder itself."""
    override = os.environ.get("MOBCONTENT_FONT_CACHE")
    return Path(override) if override else user_cache_dir("fonts")


def project_characters(project: Project) -> str:
    """Every character of the project's text, source and translations (for the kit's subset).

    Remembered for the loaded ``project`` while its catalogs keep their size and time: a
    build asks in the parent, in the checks and in each job's preflight."""
    catalogs = sorted((project.root / "locales").glob("*/LC_MESSAGES/**/*.po"))
    stats = [os.lstat(path) for path in catalogs]  # a link is read (and refused) below, never followed here
    key = (id(project), tuple((str(p), s.st_size, s.st_mtime_ns, s.st_ino) for p, s in zip(catalogs, stats)))
    known = _CHARACTERS.get(key)
    if known is not None and known[0] is project:
        return known[1]
    chars = _characters(project, catalogs)
    if len(_CHARACTERS) >= 8:
        _CHARACTERS.clear()
    _CHARACTERS[key] = (project, chars)
    return chars


_CHARACTERS: dict[tuple, tuple[Project, str]] = {}


def _characters(project: Project, catalogs: list[Path]) -> str:
    chars = set(project.config.issuer) | set("".join(LAYOUT_STRINGS.values()))
    for message in project.messages.values():
        chars.update(message.title + message.summary)
        for chunk in message.chunks:
            chars.update(chunk.text)
    for leaflet in project.leaflets.values():
        chars.update(leaflet.title + leaflet.tagline + leaflet.edition)
    for dim in ("ethnic", "religion", "zone"):
        for profile in project.audiences.profiles(dim).values():
            chars.update(profile.name)
            for value in list(profile.terms.values()) + list(profile.fields.values()):
                chars.update(value)
    chars.update(_catalog_characters(project.root, catalogs))
    return "".join(sorted(chars))


def _catalog_characters(root: Path, catalogs: list[Path]) -> str:
    """Every character of every catalog: a superset of the msgstrs, read without parsing.

    Kept in the user's cache under the sha256 of the catalogs' bytes (reading a thousand
    catalogs costs a tenth of a second; their hashes are known once the project is loaded)."""
    digest = hashlib.sha256()
    for path in catalogs:
        sha = file_sha256(path)
        if not sha:  # a link or not a regular file: read below, where it is refused or followed
            return _read_characters(root, catalogs)
        digest.update(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape") + b"\0" + sha.encode())
    kept = user_cache_dir("characters") / f"{digest.hexdigest()}.txt"
    with contextlib.suppress(OSError, UnicodeDecodeError):
        return kept.read_bytes().decode("utf-8")
    found = _read_characters(root, catalogs)
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        write_atomic(kept, found.encode("utf-8"))
        keep_newest(kept.parent, "*.txt", KEPT_CHARACTERS)
    return found


def _read_characters(root: Path, catalogs: list[Path]) -> str:
    chars: set[str] = set()
    for path in catalogs:
        chars.update(read_at(path, path.relative_to(root).as_posix()).decode("utf-8", errors="ignore"))
    return "".join(sorted(chars))


#: The catalogs' characters kept: of this many states of the catalogs.
KEPT_CHARACTERS = 16
