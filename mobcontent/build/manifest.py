"""The manifest ``build/manifest.json``: every output with its sha256, inputs and state.

Files are written atomically (:func:`mobcontent.base.files.write_atomic`); the
manifest is what ``bundle`` verifies and the incremental cache compares with.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..base.errors import ContentError, Problem, UsageError
from ..base.files import read_bytes, sha256, write_file
from ..base.i18n import N_, _
from ..base.text import shown_target

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
    state: str = "ready"  # the edition's state: ready | draft | failed (build/gate.py)
    reasons: tuple = ()  # why it is not ready (Problem.as_json())
    approvals: tuple = ()  # the approvals its text rests on: {what, message, locale, by, date, sha256}
    fit: dict = field(default_factory=dict)  # what copyfit chose: body size, scale, floor, page fill

    def as_json(self) -> dict:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}  # not deep-copied: it is written
        data["locales"] = list(self.locales)
        data["problems"] = [dict(p) for p in self.problems]
        data["reasons"] = [dict(p) for p in self.reasons]
        data["approvals"] = [dict(a) for a in self.approvals]
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Output":
        """An output read back from ``build/manifest.json``."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["locales"] = tuple(values.get("locales", ()))
        values["problems"] = tuple(values.get("problems", ()))
        values["reasons"] = tuple(values.get("reasons", ()))
        values["approvals"] = tuple(values.get("approvals", ()))
        return cls(**values)


def manifest_json(outputs: list[Output], tool: str, release: bool, editions: list[dict] = ()) -> bytes:
    """The manifest as stable, sorted JSON bytes, one output (and edition) per line.

    ``editions`` lists every edition the build knows with its state and reasons, also
    those with no file (a failed or refused edition), so that ``bundle`` can say what
    it leaves out.
    """
    ordered = sorted(outputs, key=lambda o: o.path)
    head = {"version": MANIFEST_VERSION, "tool": tool, "release": release}
    # One output, one edition per line: diffs stay readable, and json's C encoder is fast
    # (an indented manifest of 600 outputs took seconds to write). The lines are joined
    # once, as bytes: a manifest of 600 outputs with their problems is 30 MB.
    editions = [json.dumps(e, ensure_ascii=False).encode("utf-8") for e in sorted(editions, key=lambda e: e["name"])]
    return b"".join([json.dumps(head, ensure_ascii=False)[:-1].encode("utf-8"), b",\n",
                     *_listed(b"outputs", [output_line(o) for o in ordered]), b",\n",
                     *_listed(b"editions", editions), b"\n}\n"])


def _listed(key: bytes, lines: list[bytes]) -> list[bytes]:
    """``"key": [``, one item per line, ``]``: a fragment of the manifest."""
    return [b'"' + key + b'": [\n', b",\n".join(lines), b"\n]" if lines else b"]"]


def output_line(output: Output) -> bytes:
    """The output's line in the manifest (compact JSON, UTF-8), worked out once per output object.

    The worker that writes an output works it out there, beside the other leaflets
    (``build/job.py``), rather than the build alone at its end, with one core idle: 0.2 s
    of a 600-leaflet build. The line is kept on the object itself, outside its fields: a
    changed output (``dataclasses.replace``) is a new object, without it."""
    line = output.__dict__.get("_manifest_line")
    if line is None:
        line = json.dumps(output.as_json(), ensure_ascii=False).encode("utf-8")
        object.__setattr__(output, "_manifest_line", line)  # a cache, not a field (frozen dataclass)
    return line


MANIFEST = "build/manifest.json"


def edition_json(name: str, leaflet: str, locales, state: str, reasons) -> dict:
    """One edition as the manifest lists it."""
    return {"name": name, "leaflet": leaflet, "locales": list(locales), "state": state,
            "reasons": [p if isinstance(p, dict) else p.as_json() for p in reasons]}


def write_manifest(build_dir: Path, outputs: list[Output], tool: str, release: bool,
                   editions: list[dict] = ()) -> Path:
    return write_file(build_dir.parent, MANIFEST, manifest_json(outputs, tool, release, editions))


def read_manifest(build_dir: Path, problems: list | None = None) -> dict | None:
    """The previous manifest, or ``None`` when there is none. The manifest is untrusted
    input: one that cannot be read or fails :func:`manifest_errors` is ``None`` too, with
    a ``manifest-invalid`` warning added to ``problems`` (the build starts afresh)."""
    try:
        data = load_manifest(build_dir.parent, MANIFEST)
    except ContentError as exc:
        if exc.code != "file-unreadable" and problems is not None:
            problems.append(_invalid_warning(exc.message))
        return None
    return data


def load_manifest(root: Path, rel: str) -> dict:
    """A manifest read through the confined file layer and checked against its schema;
    ``manifest-invalid`` (naming the first bad key) if it does not hold."""
    data = read_bytes(root, rel)
    try:
        manifest = json.loads(data.decode("utf-8"))
    except ValueError as exc:
        raise ContentError(_("not valid JSON: {error}").format(error=shown_target(str(exc))), rel, 0,
                           code="manifest-invalid") from None
    errors = manifest_errors(manifest)
    if errors:
        raise ContentError(errors[0], rel, 0, code="manifest-invalid")
    return manifest


class ManifestInvalid(UsageError):
    """A manifest (``build/manifest.json`` or a shard's) that is not what a build writes;
    ``problems`` names every bad key. Nothing is bundled from it."""

    code = "manifest-invalid"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(first.message, first.path, first.line, first.hint, code="manifest-invalid")


def checked_manifest(root: Path, rel: str, shown: str | None = None) -> dict:
    """The manifest at ``rel``, sound (:func:`manifest_errors`), else :class:`ManifestInvalid`."""
    manifest, problems = manifest_problems(root, rel, shown)
    if manifest is None:
        raise ManifestInvalid(problems)
    return manifest


def manifest_problems(root: Path, rel: str, shown: str | None = None) -> tuple[dict | None, list[Problem]]:
    """A manifest for ``bundle`` (``build/manifest.json`` or a shard's): the manifest, or
    ``None`` and every ``manifest-invalid`` error, each naming its key."""
    shown = shown or rel
    hint = _("run 'mobcontent build' again, then bundle")
    try:
        data = read_bytes(root, rel)
    except ContentError as exc:
        return None, [Problem(exc.code, "error", shown, 0, exc.message, hint)]
    try:
        manifest = json.loads(data.decode("utf-8"))
    except ValueError as exc:
        return None, [Problem("manifest-invalid", "error", shown, 0,
                              _("not valid JSON: {error}").format(error=shown_target(str(exc))), hint)]
    errors = manifest_errors(manifest)
    if errors:
        return None, [Problem("manifest-invalid", "error", shown, 0, error, hint) for error in errors]
    return manifest, []


def _invalid_warning(message: str) -> Problem:
    return Problem("manifest-invalid", "warning", MANIFEST, 0, message,
                   _("the manifest is ignored and everything is built again; do not edit build/manifest.json by hand"))


_TEXT, _LIST, _MAP, _INT, _BOOL = "text", "list", "map", "int", "bool"
#: Every key an output may have, with its type; the first seven are required.
OUTPUT_SCHEMA = {"leaflet": _TEXT, "locales": _LIST, "layout": _TEXT, "format": _TEXT, "path": _TEXT,
                 "sha256": _TEXT, "bytes": _INT, "audience": _MAP, "pages": _INT, "completeness": _MAP,
                 "inputs": _MAP, "draft": _BOOL, "campaign": _TEXT, "problems": _LIST, "sources": _MAP,
                 "state": _TEXT, "reasons": _LIST, "approvals": _LIST, "fit": _MAP}
#: Every key an edition may have (``editions``, issue 12's edition states), all required.
EDITION_SCHEMA = {"name": _TEXT, "leaflet": _TEXT, "locales": _LIST, "state": _TEXT, "reasons": _LIST}
STATES = ("ready", "draft", "failed")
REQUIRED = ("leaflet", "locales", "layout", "format", "path", "sha256", "bytes")
_TYPES = {_TEXT: str, _LIST: list, _MAP: dict, _INT: int, _BOOL: bool}
_TYPE_NAMES = {_TEXT: N_("a text"), _LIST: N_("a list"), _MAP: N_("a mapping"), _INT: N_("a number"),
               _BOOL: N_("true or false")}


def manifest_errors(manifest) -> list[str]:
    """What is wrong with a manifest read from disk, each naming its key (empty: sound).

    >>> manifest_errors({"version": 1, "tool": "t", "release": False, "outputs": [{"path": "../x"}]})[0]
    'outputs[0].leaflet: missing'
    """
    if not isinstance(manifest, dict):
        return [_("the manifest is not a JSON object")]
    errors = []
    for key, kind in (("version", _INT), ("tool", _TEXT), ("release", _BOOL), ("outputs", _LIST)):
        errors += _type_errors(manifest, key, kind, key)
    if errors:
        return errors
    for index, output in enumerate(manifest["outputs"]):
        where = f"outputs[{index}]"
        if not isinstance(output, dict):
            errors.append(f"{where}: " + _("not a mapping"))
            continue
        for key, kind in OUTPUT_SCHEMA.items():
            if key in output or key in REQUIRED:
                errors += _type_errors(output, key, kind, f"{where}.{key}")
        if isinstance(output.get("path"), str) and not is_build_path(output["path"]):
            errors.append(f"{where}.path: " + _("'{path}' is not a path inside build/").format(
                path=shown_target(output["path"])))
        if isinstance(output.get("sha256"), str) and not re.fullmatch(r"[0-9a-f]{64}", output["sha256"]):
            errors.append(f"{where}.sha256: " + _("not a sha256 in hex"))
        errors += _problem_list_errors(output, where)
        for key in output.get("sources") or {} if isinstance(output.get("sources"), dict) else ():
            if not (is_build_path(key) or (key.startswith("layout:") and is_build_path(key[len("layout:"):]))):
                errors.append(f"{where}.sources: " + _("'{path}' is not a path inside the project").format(
                    path=shown_target(key)))
                break
    if "editions" in manifest:
        errors += _type_errors(manifest, "editions", _LIST, "editions")
        for index, edition in enumerate(manifest["editions"] if isinstance(manifest["editions"], list) else ()):
            where = f"editions[{index}]"
            if not isinstance(edition, dict):
                errors.append(f"{where}: " + _("not a mapping"))
                continue
            for key, kind in EDITION_SCHEMA.items():
                errors += _type_errors(edition, key, kind, f"{where}.{key}")
            errors += _problem_list_errors(edition, where)
    return errors


def _problem_list_errors(data: dict, where: str) -> list[str]:
    errors = []
    if isinstance(data.get("state"), str) and data["state"] not in STATES:
        errors.append(f"{where}.state: " + _("not one of {states}").format(states=", ".join(STATES)))
    if not all(isinstance(v, str) for v in data.get("locales") or []):
        errors.append(f"{where}.locales: " + _("not a list of texts"))
    for key in ("problems", "reasons"):
        if not all(isinstance(p, dict) and set(p) == set(PROBLEM_KEYS) for p in data.get(key) or []):
            errors.append(f"{where}.{key}: " + _("not a list of problems"))
    return errors


PROBLEM_KEYS = ("code", "severity", "path", "line", "message", "hint")


def _type_errors(data: dict, key: str, kind: str, where: str) -> list[str]:
    if key not in data:
        return [f"{where}: " + _("missing")]
    value = data[key]
    if not isinstance(value, _TYPES[kind]) or (kind == _INT and isinstance(value, bool)):
        return [f"{where}: " + _("not {kind}").format(kind=_(_TYPE_NAMES[kind]))]
    return []


def is_build_path(path: str) -> bool:
    """Whether a manifest path is a normalised relative path inside build/, as a build
    writes them (``leaflet/leaflet.vi.pdf``): no absolute path, no ``..``, no ``.``
    part, no hidden file, no backslash or control character.

    >>> [is_build_path(p) for p in ("a/a.vi.pdf", "/etc/x", "../x", "a/../b", "a//b", ".cache/x", "a\\b")]
    [True, False, False, False, False, False, False]
    """
    if not path or len(path) > 1000 or re.search(r"[\x00-\x1f\x7f\\\\]", path):
        return False
    parts = path.split("/")
    return (not PurePosixPath(path).is_absolute() and PurePosixPath(path).as_posix() == path
            and all(part and not part.startswith(".") for part in parts))


def verify_outputs(build_dir: Path, manifest: dict) -> list[str]:
    """Every way the files in ``build_dir`` differ from the manifest (empty: all match).
    Only a sound manifest (:func:`manifest_errors`) may be given: its paths are inside build/."""
    problems = []
    for output in manifest.get("outputs", []):
        try:
            data = read_bytes(build_dir.parent, f"build/{output['path']}")
        except ContentError:
            problems.append(f"{output['path']}: " + _("missing"))
            continue
        if sha256(data) != output["sha256"] or len(data) != output["bytes"]:
            problems.append(f"{output['path']}: " + _("differs from the manifest (changed after the build)"))
    return problems


def select_outputs(manifest: dict, campaign: str | None) -> dict:
    """The manifest restricted to one campaign's outputs (all when ``campaign`` is None)."""
    if campaign is None:
        return manifest
    return {**manifest, "outputs": [o for o in manifest["outputs"] if o.get("campaign") == campaign]}
