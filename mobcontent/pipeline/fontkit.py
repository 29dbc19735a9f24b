"""The font kit's inputs: where it is cached and which characters it must carry.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..base.files import read_at, user_cache_dir
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
    for path in catalogs:  # every character of every catalog: a superset of the msgstrs, read without parsing
        rel = path.relative_to(project.root).as_posix()
        chars.update(read_at(path, rel).decode("utf-8", errors="ignore"))
    return "".join(sorted(chars))
