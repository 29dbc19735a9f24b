"""Bundles: a deterministic zip of ``build/`` verified against its manifest, and the
merge of shard manifests (``bundle --merge``).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..base.errors import BuildError, UsageError
from ..base.files import read_bytes, sha256, write_atomic, write_file
from ..base.i18n import _
from .gate import STATE_WORDS
from .manifest import MANIFEST_VERSION, checked_manifest, select_outputs, verify_outputs

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


def write_bundle(build_dir: Path, target: Path | str, manifest: dict) -> list[str]:
    """Zip the manifest's outputs and the manifest itself into ``target`` (a path the
    command line gave, or a path relative to the project such as ``build/bundles/all.zip``).

    ``manifest`` must be sound (:func:`~.manifest.manifest_errors`): every member is a
    normalised path inside build/, read through the confined file layer. The files are
    checked against the manifest first, and the zip is read back and checked again before
    it is renamed into place; returns the member names.
    """
    import io
    import zipfile


    problems = verify_outputs(build_dir, manifest)
    if problems:
        raise BuildError(_("the build does not match its manifest: {problems}").format(problems="; ".join(problems)),
                         str(build_dir / "manifest.json"), 0,
                         _("run 'mobcontent build' again, then bundle"), code="bundle-mismatch")
    files = {o["path"]: read_bytes(build_dir.parent, f"build/{o['path']}") for o in manifest["outputs"]}
    files["manifest.json"] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    data = zip_bytes(files)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for output in manifest["outputs"]:
            if sha256(archive.read(output["path"])) != output["sha256"]:
                raise BuildError(f"{output['path']}: " + _("the zip does not hold what the manifest says"),
                                 str(target), 0, _("try again; check the disk"), code="bundle-mismatch")
    if isinstance(target, str):
        write_file(build_dir.parent, target, data)
    else:
        write_atomic(target, data)
    return sorted(files)


def bundle_selection(manifest: dict, release: bool) -> tuple[dict, list[str], list[str]]:
    """What a bundle holds: ``(manifest of the outputs bundled, editions left out,
    editions that refuse a release)``.

    A failed edition is never bundled; a draft bundle leaves it out and says so. A
    release bundle refuses to be made when any edition is not ``ready``.

    >>> m = {"outputs": [{"leaflet": "a", "locales": ["vi"], "path": "a/a.vi.pdf", "state": "ready"},
    ...                  {"leaflet": "b", "locales": ["rad"], "path": "b/b.rad.pdf", "state": "failed"}]}
    >>> kept, left, refusing = bundle_selection(m, release=False)
    >>> [o["path"] for o in kept["outputs"]], left, refusing
    (['a/a.vi.pdf'], ['b.rad (failed)'], ['b.rad (failed)'])
    """
    def edition(output):
        state = output.get("state", "ready")
        return f"{output['leaflet']}.{'+'.join(output['locales'])} ({_(STATE_WORDS.get(state, state))})"

    outputs = manifest.get("outputs", [])
    known = outputs + [e for e in manifest.get("editions", []) if isinstance(e, dict) and "leaflet" in e]
    left = sorted({edition(o) for o in known if o.get("state", "ready") == "failed"})
    refusing = sorted({edition(o) for o in known if o.get("state", "ready") != "ready"})
    kept = [o for o in outputs if o.get("state", "ready") != "failed"]
    return {**manifest, "outputs": kept}, left, refusing


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
    editions = {e["name"]: e for _name, m in manifests for e in m.get("editions", []) if "name" in e}
    merged = {"version": MANIFEST_VERSION, "tool": next(iter(tools)) if tools else "",
              "release": releases == {True}, "outputs": sorted(outputs, key=lambda o: o["path"]),
              "editions": [editions[name] for name in sorted(editions)]}
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
    for shard in shards:  # the file names are the user's; their content is checked like any manifest
        path = Path(os.path.abspath(shard))
        manifests.append((shard, checked_manifest(path.parent, path.name, shard)))
    merged, problems = merge_manifests(manifests, expected)
    if problems:
        raise ShardsMismatch(problems)
    write_file(build_dir.parent, "build/manifest.json",
               (json.dumps(merged, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def bundle_build(build_dir: Path, target: Path | None, campaign: str | None,
                 release: bool) -> tuple[Path, list[str], list[str]]:
    """Zip the build's outputs (one campaign's, or all) to ``target`` after verifying them.

    Returns the zip's path, its member names and the editions left out (failed: never
    bundled). No manifest is a :class:`UsageError`; a draft build asked for as a
    release, a release with an edition that is not ``ready``, nothing to bundle or a
    file that differs from the manifest is a :class:`BuildError`.
    """
    if not os.path.lexists(build_dir / "manifest.json"):
        raise UsageError(_("{path} is missing or unreadable — run 'mobcontent build' first").format(
            path=build_dir / "manifest.json"))
    manifest = checked_manifest(build_dir.parent, "build/manifest.json")
    if release and not manifest.get("release"):
        raise BuildError(_("this is a draft build (manifest says release: false) — "
                           "run 'mobcontent build --release' first"))
    selected = select_outputs(manifest, campaign)
    if campaign is not None:
        leaflets = {o["leaflet"] for o in selected["outputs"]}
        selected["editions"] = [e for e in manifest.get("editions", []) if e.get("leaflet") in leaflets]
    manifest, left, refusing = bundle_selection(selected, release)
    if release and refusing:
        raise BuildError(_("not every edition is ready, so there is no release bundle: {editions}").format(
            editions=", ".join(refusing)), code="bundle-not-ready")
    if not manifest["outputs"]:
        raise BuildError(_("no output belongs to campaign '{campaign}'").format(campaign=campaign) if campaign
                         else _("nothing to bundle: no edition can go in a bundle") + (
                             " (" + ", ".join(left) + ")" if left else ""))
    path = target or f"build/bundles/{campaign or 'all'}.zip"
    names = write_bundle(build_dir, path, manifest)
    return (path if isinstance(path, Path) else build_dir.parent / path), names, left
