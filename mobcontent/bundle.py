"""The *bundle* stage: write outputs atomically and describe them in the manifest.

Every file is written under a temporary name starting with ``.`` in its final
folder, flushed to disk, then renamed into place, so a reader (or a crash)
never sees half a file.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

MANIFEST_VERSION = 1


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a unique temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Output:
    """One file the build wrote, as listed in ``build/manifest.json``."""

    leaflet: str
    locales: tuple[str, ...]
    audience: dict
    layout: str
    format: str
    path: str  # relative to build/
    sha256: str
    bytes: int
    pages: int
    completeness: dict
    inputs: dict = field(default_factory=dict)
    draft: bool = False

    def as_json(self) -> dict:
        data = asdict(self)
        data["locales"] = list(self.locales)
        return data


def manifest_json(outputs: list[Output], tool: str, release: bool) -> bytes:
    """The manifest as stable, sorted, indented JSON bytes."""
    ordered = sorted(outputs, key=lambda o: o.path)
    data = {"version": MANIFEST_VERSION, "tool": tool, "release": release,
            "outputs": [o.as_json() for o in ordered]}
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def write_manifest(build_dir: Path, outputs: list[Output], tool: str, release: bool) -> Path:
    path = build_dir / "manifest.json"
    write_atomic(path, manifest_json(outputs, tool, release))
    return path


def read_manifest(build_dir: Path) -> dict | None:
    """The previous manifest, or ``None`` when there is none or it is unreadable."""
    try:
        return json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
