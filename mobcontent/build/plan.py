"""What a build makes: the options, the jobs (a leaflet in one locale, or its
bilingual edition) in a stable order, shards, and the report's shape.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from ..base.errors import Problem, UsageError
from ..base.i18n import _
from ..base.model import Leaflet, Project
from .manifest import Output

FORMATS = ("pdf", "png", "html", "script")
DEFAULT_FORMATS = ("pdf", "png", "html")


@dataclass(frozen=True)
class BuildOptions:
    leaflets: tuple[str, ...] = ()  # empty: all
    locale: str | None = None
    formats: tuple[str, ...] = DEFAULT_FORMATS
    release: bool = False
    jobs: int = 1  # worker processes; 1 builds in this process
    shard: tuple[int, int] | None = None  # (K, N): build the K-th of N parts
    incremental: bool = True  # reuse outputs whose inputs did not change
    time_limit: float = 300.0  # seconds one leaflet may take before its worker is killed
    memory_limit: int = 2048  # megabytes of address space per worker (0: no cap)
    check_only: bool = False  # lay out and check, write nothing but the check cache (`mobcontent check`)
    strict: bool = False  # typographic warnings are errors

    @property
    def partial(self) -> bool:
        """Whether this build makes only part of the project's outputs."""
        return bool(self.leaflets or self.locale or self.shard)


@dataclass
class BuildReport:
    """What a build did: outputs written, problems found (errors fail the run)."""

    outputs: list[Output] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    refused: int = 0  # leaflets a release build refused
    failed_jobs: set = field(default_factory=set)  # names of jobs with an error
    rendered: list = field(default_factory=list)  # names of jobs rendered (not reused from the cache)
    reused: list = field(default_factory=list)  # names of jobs whose outputs were reused
    removed: list = field(default_factory=list)  # paths of outputs of jobs no longer in the project
    removed_sha256: dict = field(default_factory=dict)  # their sha256 in the old manifest: deleted only if it holds
    results: list = field(default_factory=list)  # JobResult per job, in plan order
    not_released: list = field(default_factory=list)  # paths of drafts a refused release kept

    @property
    def failed(self) -> int:
        """How many leaflets (jobs) failed or were refused."""
        return len(self.failed_jobs) or len({(p.path, p.message) for p in self.problems if p.severity == "error"})


@dataclass(frozen=True)
class Job:
    """One output document: a leaflet in one locale, or its bilingual edition."""

    leaflet: Leaflet
    locales: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.leaflet.slug}.{'+'.join(self.locales)}"

    @property
    def bilingual(self) -> bool:
        return len(self.locales) > 1


def plan_jobs(project: Project, options: BuildOptions) -> list[Job]:
    """The outputs to build, in a stable order; unknown leaflet names are a usage error.

    ``--locale X`` keeps the leaflets' X editions and the bilingual editions that include X.
    """
    unknown = [slug for slug in options.leaflets if slug not in project.leaflets and slug not in project.failed]
    if unknown:
        raise UsageError(_("no leaflet named {names}").format(names=", ".join(unknown)),
                         hint=_("known leaflets: {names}").format(names=", ".join(project.leaflets)))
    if options.locale is not None:
        known = sorted({code for leaflet in project.leaflets.values()
                        for code in (*leaflet.locales, *(leaflet.bilingual or ()))})
        if options.locale not in known:
            raise UsageError(_("no leaflet is built in locale '{locale}'").format(locale=options.locale),
                             hint=_("locales of the leaflets: {names}").format(names=", ".join(known)))
    jobs = []
    for slug, leaflet in project.leaflets.items():
        if options.leaflets and slug not in options.leaflets:
            continue
        editions = [(locale,) for locale in leaflet.locales]
        if leaflet.bilingual:
            editions.append(tuple(leaflet.bilingual))
        jobs += [Job(leaflet, locales) for locales in editions
                 if options.locale is None or options.locale in locales]
    if options.shard:
        jobs = [job for job in jobs if shard_of(job.name, options.shard[1]) == options.shard[0]]
    return jobs


def shard_of(name: str, count: int) -> int:
    """The shard (1..count) a job belongs to: a stable hash, the same on every machine.

    >>> shard_of("bien-gioi.vi", 1)
    1
    """
    return int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16) % count + 1


@dataclass(frozen=True)
class JobResult:
    """What one job gave back: its outputs, its problems, whether it was rendered, how long,
    and the edition's state (``ready`` | ``draft`` | ``failed``) with the reasons."""

    name: str
    outputs: tuple
    problems: tuple
    rendered: bool
    seconds: float
    state: str = "failed"
    reasons: tuple = ()
    read: tuple = ()  # the project files and catalogs it read (which check findings concern it)

    @property
    def refused(self) -> bool:
        """A release build that wrote nothing for this edition."""
        return not self.outputs and any(p.code == "release-refused" for p in self.problems)


def failed_results(project: Project, options: BuildOptions) -> list[JobResult]:
    """A failed result for each leaflet the build asked for that could not be loaded
    (``load_project(keep_going=True)``): it is reported and counted, the others build."""
    return [JobResult(slug, (), tuple(reasons), False, 0.0, reasons=tuple(reasons))
            for slug, reasons in project.failed.items()
            if not options.leaflets or slug in options.leaflets]


def build_options(leaflets=(), locale: str | None = None, formats: str = ",".join(DEFAULT_FORMATS),
                  release: bool = False, jobs: int | None = None, shard: str | None = None,
                  incremental: bool = True, time_limit: float = 300.0, strict: bool = False,
                  memory_limit: int = 2048) -> BuildOptions:
    """Options from the command line's words; a bad format or shard is a :class:`UsageError`.

    >>> build_options(formats="pdf, html", shard="2/4", jobs=2).shard
    (2, 4)
    """
    return BuildOptions(tuple(leaflets), locale, parse_formats(formats), release, jobs=jobs or os.cpu_count() or 1,
                        shard=parse_shard(shard), incremental=incremental, time_limit=time_limit, strict=strict,
                        memory_limit=memory_limit)


def parse_formats(text: str) -> tuple[str, ...]:
    """``"pdf,png"`` → ``("pdf", "png")``; an unknown format is a :class:`UsageError`."""
    wanted = tuple(f.strip() for f in text.split(",") if f.strip())
    bad = [f for f in wanted if f not in FORMATS]
    if bad:
        raise UsageError(_("unknown format {formats} — use: {values}").format(formats=", ".join(bad),
                                                                              values=", ".join(FORMATS)))
    return wanted


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"2/4"`` → ``(2, 4)``; anything but K/N with 1 ≤ K ≤ N is a :class:`UsageError`."""
    if not text:
        return None
    k, _slash, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise UsageError(_("--shard '{value}' is not K/N with 1 ≤ K ≤ N (e.g. 2/4)").format(value=text))
    return int(k), int(n)
