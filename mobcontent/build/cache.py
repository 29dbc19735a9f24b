"""The incremental cache: the sha256 of every input a job reads (files, the PO
entries it looked up, layout, font kit, tool), and the reuse of outputs made from
exactly those inputs.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import replace
from pathlib import Path

from ..base.errors import MobcontentError, Problem
from ..base.files import confine, file_sha256, sha256, user_cache_dir, write_atomic
from ..base.model import Project
from ..base.version import tool_fingerprint
from ..content.approvals import APPROVALS_PATH, review_path
from ..pipeline.layout import COMMON_LAYOUT, Layout, leaflet_date, read_layout
from ..pipeline.translate import catalog_path, read_catalog
from .manifest import Output, is_build_path
from .plan import BuildOptions, BuildReport, Job, plan_jobs


def previous_outputs(manifest: dict, options: BuildOptions, build_dir: Path) -> dict:
    """The previous build's outputs by job name, when made with the same options."""
    if not manifest or manifest.get("release") != options.release:
        return {}
    by_job: dict[str, list] = {}
    for output in manifest.get("outputs", []):
        if options.release and output.get("state", "ready") != "ready":
            continue  # a draft kept by a refused release is never reused as a release
        by_job.setdefault(f"{output['leaflet']}.{'+'.join(output['locales'])}", []).append(output)
    return by_job


def merge_previous(project: Project, previous: dict, outputs: list, jobs: list[Job], options: BuildOptions,
                   report: BuildReport) -> list:
    """The manifest's outputs: this build's, plus (for a partial build) the earlier ones of
    jobs it did not plan. Outputs of jobs no longer in the project go to ``report.removed``."""
    if options.shard:
        return outputs  # a shard's manifest lists its own outputs; `bundle --merge` joins them
    planned = {job.name for job in jobs}
    existing = {job.name for job in plan_jobs(project, BuildOptions())}
    kept = list(outputs)
    for output in previous.get("outputs", []):
        name = f"{output['leaflet']}.{'+'.join(output['locales'])}"
        path = project.root / "build" / output["path"]
        if name in planned:
            continue
        if name not in existing:
            report.removed.append(output["path"])  # deleted once the new manifest is written
            report.removed_sha256[output["path"]] = output["sha256"]
        elif options.partial and path.is_file() and previous.get("release") == options.release:
            kept.append(Output.from_json(output))
    return kept


def not_released(previous: dict, report: BuildReport, build_dir: Path) -> list[Output]:
    """The earlier outputs of editions a release build refused: their files stay in
    ``build/`` (a refusal never deletes a draft) and the manifest lists them with the
    edition's state and reasons now, so that no bundle takes them for released."""
    refused = {r.name: r for r in report.results if r.refused}
    kept = []
    for output in previous.get("outputs", []):
        result = refused.get(f"{output['leaflet']}.{'+'.join(output['locales'])}")
        if result is None or not (build_dir / output["path"]).is_file():
            continue
        kept.append(replace(Output.from_json(output), state=result.state, draft=True,
                            reasons=tuple(p.as_json() for p in result.reasons)))
        report.not_released.append(output["path"])
    return kept


def fit_cache_path(root: Path, name: str) -> Path:
    """Where ``mobcontent check`` keeps what laying out one job found: in the user's cache
    (a folder per project), never in the project, whose build/ arrives through git."""
    project = hashlib.sha256(str(Path(root).absolute()).encode()).hexdigest()[:16]
    return user_cache_dir("check") / project / f"{name}.json"


def read_fit_cache(root: Path, name: str, inputs: dict) -> tuple | None:
    """The layout problems of a job laid out from exactly ``inputs`` before, else ``None``."""
    import json
    try:
        data = json.loads(fit_cache_path(root, name).read_text(encoding="utf-8"))
        if data.get("inputs") == inputs:
            return tuple(Problem(**p) for p in data["problems"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass
    return None


def write_fit_cache(root: Path, name: str, inputs: dict, problems) -> None:
    """Remember what laying out a job found (a check that cannot write its cache still works)."""
    import contextlib
    import json
    data = {"inputs": inputs, "problems": [p.as_json() for p in problems]}
    with contextlib.suppress(OSError):
        write_atomic(fit_cache_path(root, name), json.dumps(data, ensure_ascii=False).encode("utf-8"))


def fast_reuse(project: Project, job: Job, cached, kit_key: str, options: BuildOptions) -> list[Output] | None:
    """The previous outputs of a job when every file it read is byte-identical, without
    translating or adapting anything: what makes a no-op rebuild of a large project fast.
    Anything else goes through :func:`build_job`, which compares the exact entries used."""
    if not cached or {o["format"] for o in cached} != set(options.formats):
        return None
    first = cached[0]
    sources, inputs = first.get("sources") or {}, first.get("inputs") or {}
    if not sources or inputs.get("font-kit") != kit_key or inputs.get("tool") != tool_fingerprint() \
            or inputs.get("date") != leaflet_date(project, job.leaflet):
        return None
    for rel, digest in sources.items():
        path = _source_path(project, rel)
        if path is None or file_sha256(path) != digest:
            return None
    return reuse_outputs(project.root / "build", cached, inputs, options)


def _source_path(project: Project, key: str) -> Path | None:
    """The file behind a ``sources`` key: a project path, or ``layout:<name>/<file>``; None
    for a key no build writes (the manifest is untrusted: a key that leaves the project,
    or names a layout that does not exist, only means "render again")."""
    if not key.startswith("layout:"):
        try:
            return confine(project.root, key) if is_build_path(key) else None
        except MobcontentError:
            return None
    name, _sep, filename = key[len("layout:"):].partition("/")
    if not re.fullmatch(r"[a-z0-9_][a-z0-9_-]{0,80}", name) or not is_build_path(filename) or "/" in filename:
        return None
    try:
        folder = COMMON_LAYOUT if name == "_common" else read_layout(project.root, name).directory
        return confine(folder, filename)
    except MobcontentError:
        return None


def reuse_outputs(build_dir: Path, cached, inputs: dict, options: BuildOptions) -> list[Output] | None:
    """The previous outputs of a job, if they were made from exactly ``inputs`` in the
    same formats and their files are unchanged; else ``None`` (render again)."""
    if not cached or {o["format"] for o in cached} != set(options.formats):
        return None
    outputs = []
    for output in cached:
        if output.get("inputs") != inputs:
            return None
        path = build_dir / output["path"]
        if file_sha256(path) != output["sha256"]:
            return None
        outputs.append(Output.from_json(output))
    return outputs


class InputHashes:
    """The sha256 of every input a job reads, and the catalogs it reads."""

    def __init__(self, root: Path):
        self.root = root
        self.hashes: dict[str, str] = {}
        self.catalogs: set[str] = set()
        self.used: dict[str, _RecordingCatalog] = {}
        self.sources: dict[str, str] = {}  # every file read, whole (the fast reuse check)

    def add(self, rel: str) -> None:
        self.add_file(self.root / rel, rel)

    def add_file(self, path: Path, key: str) -> None:
        if path.is_file():
            self.hashes[key] = sha256(path.read_bytes())
            self.sources[key] = self.hashes[key]

    def add_approvals(self, approvals: list[dict], locales) -> list[dict]:
        """The approvals the job rests on are an input (a new record makes a draft ready);
        the files are sources, so a record about another message does not re-render it."""
        for rel in [APPROVALS_PATH] + [review_path(locale) for locale in locales]:
            self.sources[rel] = file_sha256(self.root / rel)
        self.hashes["approvals"] = sha256(repr(approvals).encode("utf-8"))
        return approvals

    def add_layout(self, layout: Layout) -> None:
        for folder, prefix in ((layout.directory, layout.name), (COMMON_LAYOUT, "_common")):
            for name in sorted(os.listdir(folder)):
                self.add_file(folder / name, f"layout:{prefix}/{name}")

    def catalog(self, locale: str, domain: str, own: bool, project: Project | None = None) -> dict:
        """The catalog, wrapped so that the entries the job looks up are recorded: the job's
        input is those entries, not the whole file (a change to another leaflet's title in
        leaflets.po does not rebuild this one)."""
        if own:
            return {}
        path = catalog_path(self.root, locale, domain)
        rel = path.relative_to(self.root).as_posix()
        self.catalogs.add(rel)
        self.sources[rel] = file_sha256(path)
        if rel not in self.used:
            if project is None:
                entries = read_catalog(path, rel, locale)
            else:
                entries = read_catalog(path, rel, locale, project.config.source_locale, project.config.vi_tone_style)
            self.used[rel] = _RecordingCatalog(entries)
        return self.used[rel]

    def add_used_entries(self) -> None:
        """One hash per catalog over the entries looked up (and whether each was found)."""
        import json
        for rel, catalog in sorted(self.used.items()):
            used = sorted((key, catalog.data.get(key)) for key in catalog.asked)
            blob = json.dumps([(k, [e.text, e.fuzzy] if e else None) for k, e in used], ensure_ascii=False)
            self.hashes[rel] = sha256(blob.encode("utf-8"))


class _RecordingCatalog(dict):
    """A catalog that remembers which keys were asked for."""

    def __init__(self, data: dict):
        super().__init__(data)
        self.data = data
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)
