"""Staging and commit: a build writes into ``build/.staging`` and moves the files
into place once every job is done, so an interrupted build changes nothing.
"""
from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

from ..base.files import (
    confine,
    list_dir,
    make_dirs,
    read_bytes,
    remove_empty_dir,
    remove_file,
    sha256,
)
from .plan import BuildReport, Job


def staging_dir(build_dir: Path) -> Path:
    """Where a build writes its new files until they are committed."""
    return build_dir / ".staging"


def clear_staging(build_dir: Path) -> None:
    """Remove ``build/.staging`` (a link in its place is removed, never followed)."""
    root = build_dir.parent
    staging = confine(root, "build/.staging") if os.path.lexists(staging_dir(build_dir)) else None
    if staging is None:
        return
    if os.path.islink(staging_dir(build_dir)) or not stat.S_ISDIR(os.lstat(staging).st_mode):
        remove_file(root, "build/.staging")
    else:
        shutil.rmtree(staging, ignore_errors=True)  # rmtree does not follow links inside


def commit_outputs(build_dir: Path, report: BuildReport, jobs: list[Job], write) -> None:
    """Move the staged files into place, drop each rendered job's stale files, then
    ``write()`` the manifest. A build killed before this point changed nothing in
    ``build/``; the next build cleans the staging folder."""
    root = build_dir.parent
    by_name = {job.name: job for job in jobs}
    folders: dict[str, Path] = {}  # each leaflet's folder is made (and checked) once, not once per file
    for result in report.results:
        if not result.rendered or result.refused:
            continue  # a refused release keeps the edition's earlier draft (listed as not released)
        keep = {o.path for o in result.outputs}
        for rel in sorted(keep):
            parent = f"build/{Path(rel).parent.as_posix()}"
            if parent not in folders:
                folders[parent] = make_dirs(root, parent)
            os.replace(confine(root, f"build/.staging/{rel}"), folders[parent] / Path(rel).name)
        remove_outputs(build_dir, by_name[result.name], keep)
    write()
    for rel in report.removed:
        remove_written(root, f"build/{rel}", report.removed_sha256.get(rel, ""))
    clear_staging(build_dir)


def remove_written(root: Path, rel: str, digest: str) -> None:
    """Delete a file an earlier build wrote, only if it still holds what the manifest says
    (``rel`` comes from a checked manifest: inside build/); then its folder, if empty."""
    try:
        if sha256(read_bytes(root, rel)) != digest:
            return
        remove_file(root, rel)
    except (OSError, ValueError, Exception):  # noqa: BLE001 — a file that cannot be checked stays
        return
    remove_empty_dir(root, Path(rel).parent.as_posix())


def remove_outputs(build_dir: Path, job: Job, keep: set[str] = frozenset()) -> None:
    """Delete the job's files left by an earlier build, except those in ``keep``."""
    root = build_dir.parent
    for name in list_dir(root, f"build/{job.leaflet.slug}"):
        rel = f"{job.leaflet.slug}/{name}"
        if rel not in keep and _is_output_of(name, job.name):
            remove_file(root, f"build/{rel}")


def _is_output_of(filename: str, name: str) -> bool:
    """``x.vi.pdf``, ``x.vi.html``, ``x.vi.txt``, ``x.vi.p3.png`` belong to job ``x.vi``.

    >>> _is_output_of("x.vi.p3.png", "x.vi"), _is_output_of("x.vi.pdf", "x"), _is_output_of("x.vipdf", "x.vi")
    (True, False, False)
    """
    return filename.startswith(name + ".") and OUTPUT_SUFFIX_RE.fullmatch(filename, len(name) + 1) is not None


OUTPUT_SUFFIX_RE = re.compile(r"pdf|html|txt|p\d+\.png")
