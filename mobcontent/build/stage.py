"""Staging and commit: a build writes into ``build/.staging`` and moves the files
into place once every job is done, so an interrupted build changes nothing.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .plan import BuildReport, Job


def staging_dir(build_dir: Path) -> Path:
    """Where a build writes its new files until they are committed."""
    return build_dir / ".staging"


def commit_outputs(build_dir: Path, report: BuildReport, jobs: list[Job], write) -> None:
    """Move the staged files into place, drop each rendered job's stale files, then
    ``write()`` the manifest. A build killed before this point changed nothing in
    ``build/``; the next build cleans the staging folder."""
    import shutil
    staging = staging_dir(build_dir)
    by_name = {job.name: job for job in jobs}
    for result in report.results:
        if not result.rendered:
            continue
        keep = {o.path for o in result.outputs}
        for rel in sorted(keep):
            (build_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, build_dir / rel)
        remove_outputs(build_dir, by_name[result.name], keep)
    write()
    for rel in report.removed:
        with contextlib.suppress(OSError):
            (build_dir / rel).unlink()
        with contextlib.suppress(OSError):
            (build_dir / rel).parent.rmdir()  # only when empty
    shutil.rmtree(staging, ignore_errors=True)


def remove_outputs(build_dir: Path, job: Job, keep: set[str] = frozenset()) -> None:
    """Delete the job's files left by an earlier build (a refused release writes nothing,
    and must not leave an older draft behind), except those in ``keep``."""
    folder = build_dir / job.leaflet.slug
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        rel = f"{job.leaflet.slug}/{path.name}"
        if rel not in keep and _is_output_of(path.name, job.name):
            path.unlink()


def _is_output_of(filename: str, name: str) -> bool:
    """``x.vi.pdf``, ``x.vi.html``, ``x.vi.txt``, ``x.vi.p3.png`` belong to job ``x.vi``."""
    import re
    return re.fullmatch(re.escape(name) + r"\.(pdf|html|txt|p\d+\.png)", filename) is not None
