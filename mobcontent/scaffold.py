"""``mobcontent init``: copy the small example project shipped in the package."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from .bundle import write_atomic
from .errors import UsageError


def init_project(directory: Path) -> list[Path]:
    """Write the example project into ``directory``; refuse to overwrite a project."""
    if (directory / "mobcontent.yaml").exists():
        raise UsageError(f"{directory} already holds a project (mobcontent.yaml exists)",
                         hint="choose an empty folder: mobcontent init NEW-FOLDER")
    skeleton = resources.files("mobcontent") / "skeleton"
    written = []
    for source, rel in _walk(skeleton, ""):
        target = directory / rel
        if target.exists():
            raise UsageError(f"{target} already exists", hint="choose an empty folder")
        written.append((target, source.read_bytes()))
    for target, data in written:
        write_atomic(target, data)
    return [target for target, _ in written]


def _walk(node, prefix: str):
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        rel = f"{prefix}{child.name}"
        if child.is_dir():
            if child.name != "__pycache__":
                yield from _walk(child, rel + "/")
        else:
            yield child, rel
