"""``mobcontent init``: copy the small example project shipped in the package.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..base.errors import UsageError
from ..base.files import write_atomic
from ..base.i18n import _


def init_project(directory: Path) -> list[Path]:
    """Write the example project into ``directory``; refuse to overwrite a project."""
    if (directory / "mobcontent.yaml").exists():
        raise UsageError(_("{folder} already holds a project (mobcontent.yaml exists)").format(folder=directory),
                         hint=_("choose an empty folder: mobcontent init NEW-FOLDER"))
    skeleton = resources.files("mobcontent") / "skeleton"
    written = []
    for source, rel in _walk(skeleton, ""):
        target = directory / rel
        if target.exists():
            raise UsageError(_("{path} already exists").format(path=target), hint=_("choose an empty folder"))
        written.append((target, source.read_bytes()))
    for target, data in written:
        write_atomic(target, data)
    return [target for target, _data in written]


def _walk(node, prefix: str):
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        rel = f"{prefix}{child.name}"
        if child.is_dir():
            if child.name != "__pycache__":
                yield from _walk(child, rel + "/")
        else:
            yield child, rel
