"""The manifest ``build/manifest.json``: every output with its sha256, inputs and state.

Files are written atomically (:func:`mobcontent.base.files.write_atomic`); the
manifest is what ``bundle`` verifies and the incremental cache compares with.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..base.files import sha256, write_atomic
from ..base.i18n import _

MANIFEST_VERSION = 1


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
    campaign: str = ""
    problems: tuple = ()  # what the checks and the printer said of this output (Problem.as_json())
    sources: dict = field(default_factory=dict)  # sha256 of every file read, whole (fast no-op rebuilds)
    approvals: tuple = ()  # the approvals its text rests on: {what, message, locale, by, date, sha256}
    fit: dict = field(default_factory=dict)  # what copyfit chose: body size, scale, floor, page fill

    def as_json(self) -> dict:
        data = asdict(self)
        data["locales"] = list(self.locales)
        data["problems"] = [dict(p) for p in self.problems]
        data["approvals"] = [dict(a) for a in self.approvals]
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Output":
        """An output read back from ``build/manifest.json``."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["locales"] = tuple(values.get("locales", ()))
        values["problems"] = tuple(values.get("problems", ()))
        values["approvals"] = tuple(values.get("approvals", ()))
        return cls(**values)


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


def verify_outputs(build_dir: Path, manifest: dict) -> list[str]:
    """Every way the files in ``build_dir`` differ from the manifest (empty: all match)."""
    problems = []
    for output in manifest.get("outputs", []):
        path = build_dir / output["path"]
        if not path.is_file():
            problems.append(f"{output['path']}: " + _("missing"))
            continue
        data = path.read_bytes()
        if sha256(data) != output["sha256"] or len(data) != output["bytes"]:
            problems.append(f"{output['path']}: " + _("differs from the manifest (changed after the build)"))
    return problems


def select_outputs(manifest: dict, campaign: str | None) -> dict:
    """The manifest restricted to one campaign's outputs (all when ``campaign`` is None)."""
    if campaign is None:
        return manifest
    return {**manifest, "outputs": [o for o in manifest["outputs"] if o.get("campaign") == campaign]}
