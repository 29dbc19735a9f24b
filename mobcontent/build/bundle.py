"""Bundles: a deterministic zip of ``build/`` verified against its manifest, and the
merge of shard manifests (``bundle --merge``).
"""
from __future__ import annotations

import json
from pathlib import Path

from ..base.errors import BuildError, UsageError
from ..base.files import sha256, write_atomic
from ..base.i18n import _
from ..base.plainwords import os_reason
from .manifest import MANIFEST_VERSION, read_manifest, select_outputs, verify_outputs

# --------------------------------------------------------------------------- zip bundles

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no clock in the bundle


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


class ShardsMismatch(BuildError):
    """The shard manifests do not make one whole build; ``problems`` says why."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(_("{count} problem(s): the shards do not make one whole build.").format(count=len(problems)))


def merge_shards(build_dir: Path, shards: list[str], expected: set[str]) -> None:
    """``bundle --merge``: join the shard manifests into ``build/manifest.json``.

    ``expected`` is every job the project plans; a missing or doubled one raises
    :class:`ShardsMismatch`, an unreadable shard a :class:`UsageError`.
    """
    manifests = []
    for shard in shards:
        try:
            manifests.append((shard, json.loads(Path(shard).read_text(encoding="utf-8"))))
        except (OSError, ValueError) as exc:
            reason = os_reason(exc) if isinstance(exc, OSError) else _("it is not valid JSON")
            raise UsageError(_("cannot read the shard manifest: {error}").format(error=reason), path=shard) from None
    merged, problems = merge_manifests(manifests, expected)
    if problems:
        raise ShardsMismatch(problems)
    write_atomic(build_dir / "manifest.json", (json.dumps(merged, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def bundle_build(build_dir: Path, target: Path | None, campaign: str | None, release: bool) -> tuple[Path, list[str]]:
    """Zip the build's outputs (one campaign's, or all) to ``target`` after verifying them.

    Returns the zip's path and member names. No manifest is a :class:`UsageError`;
    a draft build asked for as a release, an empty campaign or a file that differs
    from the manifest is a :class:`BuildError`.
    """
    manifest = read_manifest(build_dir)
    if manifest is None:
        raise UsageError(_("{path} is missing or unreadable — run 'mobcontent build' first").format(
            path=build_dir / "manifest.json"))
    if release and not manifest.get("release"):
        raise BuildError(_("this is a draft build (manifest says release: false) — "
                           "run 'mobcontent build --release' first"))
    manifest = select_outputs(manifest, campaign)
    if not manifest["outputs"]:
        raise BuildError(_("no output belongs to campaign '{campaign}'").format(campaign=campaign))
    path = target or build_dir / "bundles" / f"{campaign or 'all'}.zip"
    return path, write_bundle(build_dir, path, manifest)
