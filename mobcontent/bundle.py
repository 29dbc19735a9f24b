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

from .i18n import _

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
    campaign: str = ""
    problems: tuple = ()  # what the checks and the printer said of this output (Problem.as_json())
    sources: dict = field(default_factory=dict)  # sha256 of every file read, whole (fast no-op rebuilds)
    fit: dict = field(default_factory=dict)  # what copyfit chose: body size, scale, floor, page fill

    def as_json(self) -> dict:
        data = asdict(self)
        data["locales"] = list(self.locales)
        data["problems"] = [dict(p) for p in self.problems]
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Output":
        """An output read back from ``build/manifest.json``."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["locales"] = tuple(values.get("locales", ()))
        values["problems"] = tuple(values.get("problems", ()))
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


# --------------------------------------------------------------------------- zip bundles

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no clock in the bundle


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


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A deterministic zip: sorted names, fixed times and modes, no directory entries."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = 3  # unix, whatever machine writes it
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def write_bundle(build_dir: Path, target: Path, manifest: dict) -> list[str]:
    """Zip the manifest's outputs and the manifest itself into ``target``.

    The files are checked against the manifest first, and the zip is read back and
    checked again before it is renamed into place; returns the member names.
    """
    import io
    import zipfile

    from .errors import BuildError

    problems = verify_outputs(build_dir, manifest)
    if problems:
        raise BuildError(_("the build does not match its manifest: {problems}").format(problems="; ".join(problems)),
                         str(build_dir / "manifest.json"), 0,
                         _("run 'mobcontent build' again, then bundle"), code="bundle-mismatch")
    files = {o["path"]: (build_dir / o["path"]).read_bytes() for o in manifest["outputs"]}
    files["manifest.json"] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    data = zip_bytes(files)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for output in manifest["outputs"]:
            if sha256(archive.read(output["path"])) != output["sha256"]:
                raise BuildError(f"{output['path']}: " + _("the zip does not hold what the manifest says"),
                                 str(target), 0, _("try again; check the disk"), code="bundle-mismatch")
    write_atomic(target, data)
    return sorted(files)


def merge_manifests(manifests: list[tuple[str, dict]], expected: set[str] | None = None) -> tuple[dict, list[str]]:
    """Join the manifests of CI shards; report duplicated and missing outputs.

    ``expected`` holds ``leaflet.locales`` names that the whole build must contain.
    """
    problems, seen, outputs = [], {}, []
    releases = {bool(m.get("release")) for _name, m in manifests}
    tools = {m.get("tool") for _name, m in manifests}
    if len(releases) > 1:
        problems.append(_("some shards are release builds and some are not"))
    if len(tools) > 1:
        problems.append(_("the shards were built by different tools: {tools}").format(
            tools=", ".join(sorted(map(str, tools)))))
    for name, manifest in manifests:
        for output in manifest.get("outputs", []):
            if output["path"] in seen:
                problems.append(f"{output['path']}: " + _("built by both {first} and {second}").format(
                    first=seen[output["path"]], second=name))
                continue
            seen[output["path"]] = name
            outputs.append(output)
    if expected is not None:
        present = {f"{o['leaflet']}.{'+'.join(o['locales'])}" for o in outputs}
        problems += [f"{job}: " + _("no shard built it") for job in sorted(expected - present)]
    merged = {"version": MANIFEST_VERSION, "tool": next(iter(tools)) if tools else "",
              "release": releases == {True}, "outputs": sorted(outputs, key=lambda o: o["path"])}
    return merged, problems
