"""The orchestrator: load → select → translate → adapt → render → print → bundle.

:func:`build_project` builds every requested leaflet in every requested
locale (and its bilingual edition). A leaflet that fails does not stop the
others; the report lists every output written and every failure, and the
caller decides the exit code.

:func:`build_job` builds one output document and is a function of its
arguments (project, job, font kit, options, the project's check findings):
it reads the project's files and writes only under ``build/<leaflet>/``, so
jobs can run in any order or in parallel.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__
from .adapt import AdaptedMessage, adapt_message, audience_profiles, audience_variables
from .audience import leaflet_messages
from .bundle import Output, sha256, write_atomic, write_manifest
from .i18n import N_, _
from .errors import MobcontentError, Problem, UsageError
from .model import Leaflet, Project
from .render import Layout, MessageView, Page, format_leaflet_date, read_layout, render_message, render_page
from .translate import Text, catalog_path, lookup, read_catalog, translate_message

FORMATS = ("pdf", "png", "html", "script")
DEFAULT_FORMATS = ("pdf", "png", "html")
LAYOUT_STRINGS = {
    "draft": "BẢN NHÁP",
    "edition": "Ấn bản",
    "hotline": "Đường dây nóng",
    "border_post": "Biên phòng",
    "police": "Công an",
    "office": "Liên hệ",
    "emergency": "Công an 113 · Cứu hỏa 114 · Cấp cứu 115 · Bảo vệ trẻ em 111",
    "key_points": "Những điều cần nhớ",
    "contact_us": "Khi cần giúp đỡ, hãy báo ngay",
    "continued": "(tiếp)",
}


@dataclass(frozen=True)
class BuildOptions:
    leaflets: tuple[str, ...] = ()  # empty: all
    locale: str | None = None
    formats: tuple[str, ...] = DEFAULT_FORMATS
    release: bool = False
    jobs: int = 1  # worker processes; 1 builds in this process
    shard: tuple[int, int] | None = None  # (K, N): build the K-th of N parts
    incremental: bool = True  # reuse outputs whose inputs did not change
    time_limit: float = 300.0  # seconds one leaflet may take before it is stopped
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
    results: list = field(default_factory=list)  # JobResult per job, in plan order

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
    unknown = [slug for slug in options.leaflets if slug not in project.leaflets]
    if unknown:
        raise UsageError(_("no leaflet named {names}").format(names=", ".join(unknown)),
                         hint=_("known leaflets: {names}").format(names=", ".join(project.leaflets)))
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
    import hashlib
    return int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16) % count + 1


@dataclass(frozen=True)
class JobResult:
    """What one job gave back: its outputs, its problems, whether it was rendered, how long."""

    name: str
    outputs: tuple
    problems: tuple
    rendered: bool
    seconds: float


def build_project(project: Project, options: BuildOptions = BuildOptions(), progress=None) -> BuildReport:
    """Build the outputs ``options`` asks for into ``<project>/build/`` and write the manifest.

    Outputs whose inputs (the sha256 of every file and PO entry they use, the
    layout, the font kit, the tool) match the previous manifest are reused, not
    rendered again. With ``options.jobs > 1`` the jobs run in a pool of worker
    processes, each preparing the fonts once; results come back in plan order.
    """
    from .bundle import read_manifest
    from .fonts import prepare_font_kit
    from .preflight import harfbuzz_notice, project_findings

    build_dir = project.root / "build"
    report = BuildReport(problems=list(project.warnings))
    jobs = plan_jobs(project, options)
    kit = prepare_font_kit(font_cache_dir(project), project_characters(project))
    previous = read_manifest(build_dir) or {}
    import shutil
    shutil.rmtree(staging_dir(build_dir), ignore_errors=True)  # left by an interrupted build
    cache = previous_outputs(previous, options, build_dir) if options.incremental else {}
    results: dict[str, JobResult] = {}
    for job in jobs:
        reused = fast_reuse(project, job, cache.get(job.name), kit.key, options)
        if reused is not None:
            results[job.name] = JobResult(job.name, tuple(reused), tuple(Problem(**p) for p in reused[0].problems),
                                          False, 0.0)
            if progress:
                progress(results[job.name])
    remaining = [job for job in jobs if job.name not in results]
    findings = project_findings(project) if remaining else ()  # the checks cost more than a no-op build
    for result in run_jobs(project, remaining, kit, options, findings, cache, progress):
        results[result.name] = result
    for result in (results[job.name] for job in jobs):
        report.results.append(result)
        report.outputs.extend(result.outputs)
        report.problems.extend(p for p in result.problems if p not in report.problems)
        (report.rendered if result.rendered else report.reused).append(result.name)
        if any(p.severity == "error" for p in result.problems):
            report.failed_jobs.add(result.name)
            report.refused += options.release and not result.outputs
    if "pdf" in options.formats and report.rendered:
        report.problems.extend(harfbuzz_notice())
    report.outputs = merge_previous(project, previous, report.outputs, jobs, options, report)
    commit_outputs(build_dir, report, jobs,
                   lambda: write_manifest(build_dir, report.outputs, f"mobcontent {__version__}", options.release))
    from .previews import write_contact_sheet
    write_contact_sheet(build_dir, report.outputs, project.config.name)
    return report


def run_jobs(project: Project, jobs: list[Job], kit, options: BuildOptions, findings, cache: dict, progress=None):
    """Yield a JobResult per job, in plan order, in this process or in a pool of workers."""
    if options.jobs <= 1 or len(jobs) <= 1:
        for job in jobs:
            result = _timed_job(project, job, kit, options, findings, cache.get(job.name))
            if progress:
                progress(result)
            yield result
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(options.jobs, len(jobs)), mp_context=context,
                             initializer=_init_worker, initargs=(project, kit, options, findings)) as pool:
        futures = {pool.submit(_worker_job, job.name, cache.get(job.name)): index for index, job in enumerate(jobs)}
        results: dict[int, JobResult] = {}
        for future in as_completed(futures):
            index = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # a worker that died (killed, out of memory) fails its job only
                result = JobResult(jobs[index].name, (), (Problem(
                    "build-failed", "error", jobs[index].leaflet.path, jobs[index].leaflet.line,
                    _("'{job}' failed in a worker process: {error}").format(
                        job=jobs[index].name, error=f"{type(exc).__name__}: {exc}"),
                    _("build it alone with --jobs 1 to see the problem")),), True, 0.0)
            results[index] = result
            if progress:
                progress(result)
        for index in range(len(jobs)):
            yield results[index]


_WORKER: dict = {}


def _init_worker(project, kit, options, findings) -> None:
    """Each worker keeps the project and prepares the fonts once, for all its jobs."""
    from .printing import font_configuration
    _WORKER.update(project=project, kit=kit, options=options, findings=findings)
    font_configuration(kit.key)


def _worker_job(name: str, cached) -> JobResult:
    project, options = _WORKER["project"], _WORKER["options"]
    if "jobs" not in _WORKER:
        _WORKER["jobs"] = {job.name: job for job in plan_jobs(project, options)}
    return _timed_job(project, _WORKER["jobs"][name], _WORKER["kit"], options, _WORKER["findings"], cached)


class JobTimeout(BaseException):
    """Raised by the alarm in a job that ran too long (a BaseException, so that no
    ``except Exception`` inside a library swallows it)."""


def _timed_job(project: Project, job: Job, kit, options: BuildOptions, findings, cached) -> JobResult:
    """Run one job with a time limit (a runaway render is stopped, not waited for)."""
    import signal
    import threading
    import time

    start = time.perf_counter()
    limit = options.time_limit if threading.current_thread() is threading.main_thread() else 0

    def expire(signum, frame):
        raise JobTimeout()

    previous = signal.signal(signal.SIGALRM, expire) if limit else None
    if limit:
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        outputs, problems, rendered = build_job(project, job, kit, options, findings, cached)
    except MobcontentError as exc:
        outputs, problems, rendered = [], [exc.problem()], True
    except JobTimeout:
        outputs, problems, rendered = [], [Problem(
            "build-timeout", "error", job.leaflet.path, job.leaflet.line,
            _("'{job}' took more than {seconds} s and was stopped").format(job=job.name, seconds=f"{limit:g}"),
            _("look for a runaway text or style in this leaflet's messages, translations or layout"))], True
    finally:
        if limit:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return JobResult(job.name, tuple(outputs), tuple(problems), rendered, time.perf_counter() - start)


def previous_outputs(manifest: dict, options: BuildOptions, build_dir: Path) -> dict:
    """The previous build's outputs by job name, when made with the same options."""
    if not manifest or manifest.get("release") != options.release:
        return {}
    by_job: dict[str, list] = {}
    for output in manifest.get("outputs", []):
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
        elif options.partial and path.is_file() and previous.get("release") == options.release:
            kept.append(Output.from_json(output))
    return kept


def font_cache_dir(project: Project) -> Path:
    """Where the font kit is cached: ``build/.cache/fonts``, or ``$MOBCONTENT_FONT_CACHE``
    (so CI jobs and test runs can share one kit across projects)."""
    override = os.environ.get("MOBCONTENT_FONT_CACHE")
    return Path(override) if override else project.root / "build" / ".cache" / "fonts"


def project_characters(project: Project) -> str:
    """Every character of the project's text, source and translations (for the kit's subset)."""
    chars = set(project.config.issuer) | set("".join(LAYOUT_STRINGS.values()))
    for message in project.messages.values():
        chars.update(message.title + message.summary)
        for chunk in message.chunks:
            chars.update(chunk.text)
    for leaflet in project.leaflets.values():
        chars.update(leaflet.title + leaflet.tagline + leaflet.edition)
    for dim in ("ethnic", "religion", "zone"):
        for profile in project.audiences.profiles(dim).values():
            chars.update(profile.name)
            for value in list(profile.terms.values()) + list(profile.fields.values()):
                chars.update(value)
    for path in sorted((project.root / "locales").glob("*/LC_MESSAGES/**/*.po")):
        # every character of every catalog: a superset of the msgstrs, read without parsing
        chars.update(path.read_bytes().decode("utf-8", errors="ignore"))
    return "".join(sorted(chars))


# --- one job ------------------------------------------------------------------------

@dataclass(frozen=True)
class Side:
    """A leaflet in one language, translated and adapted, ready to render."""

    locale: str
    adapted: tuple[AdaptedMessage, ...]
    variables: dict
    page: Page
    shown: tuple[Text, ...]  # every text this side prints, each with its origin


def build_job(project: Project, job: Job, kit, options: BuildOptions,
              findings: tuple[Problem, ...] = (), cached=None) -> tuple[list[Output], list[Problem], bool]:
    """Build one output document: every stage of the pipeline, then write its files.

    Returns the outputs, the problems, and whether it was rendered: when
    ``cached`` (the previous manifest's outputs of this job) was made from the
    same inputs and its files are intact, they are reused and nothing is rendered.
    A release build writes nothing for a leaflet that is not fit to print and
    returns every reason as an error; a draft build prints it marked DRAFT.
    """
    from .copyfit import fit_layout
    from .preflight import check_job
    from .typography import typeset_report
    from .printing import PdfSettings, write_pdf

    inputs = InputHashes(project.root)
    sides = [prepare_side(project, job.leaflet, locale, inputs, kit) for locale in job.locales]
    layout = read_layout(project.root, job.leaflet.layout)
    checked = check_job(project.root, job.name, sides, kit, _related_findings(findings, inputs))
    page = _combine(sides, draft=checked.makes_draft and not options.release)
    inputs.add_layout(layout)
    inputs.add_used_entries()
    inputs.hashes.update({"font-kit": kit.key, "tool": tool_fingerprint(), "date": page.date})
    reused = reuse_outputs(project.root / "build", cached, inputs.hashes, options)
    if reused is not None:
        return reused, [Problem(**p) for p in reused[0].problems], False
    views = message_views(sides, page.draft, project.root / "content" / "assets", layout.keep_chars)
    allowed = [project.root / "content" / "assets", layout.directory, kit.directory]
    variant = layout.release if options.release else None
    fit = fit_layout(lambda scale: _render(layout, page, views, scale, checked.missing, allowed, variant,
                                           kit.key), layout)
    printed = write_pdf(fit.rendered, PdfSettings(f"{job.name}:{sorted(inputs.hashes.items())}:{variant}",
                                                  variant, layout.bleed_mm))
    problems = checked.report(options.release, fit, printed, job, layout)
    findings = typeset_report(fit.rendered.document, layout, filled_values(sides))
    problems += typography_problems(findings, project, job, options.strict)
    if options.release and any(p.severity == "error" for p in problems):
        return [], _with_refusal(problems, job.leaflet, job), True  # its old files go at commit
    outputs = write_outputs(project, job, layout, sides, page, inputs, printed, fit, options, kit, problems)
    return outputs, problems, True


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes ("" when absent), remembered while its size and mtime hold."""
    try:
        stat = path.stat()
    except OSError:
        return ""
    return _file_sha256(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=65536)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


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
    """The file behind a ``sources`` key: a project path, or ``layout:<name>/<file>``."""
    if not key.startswith("layout:"):
        return project.root / key
    from .render import COMMON_LAYOUT, read_layout
    name, _sep, filename = key[len("layout:"):].partition("/")
    folder = COMMON_LAYOUT if name == "_common" else read_layout(project.root, name).directory
    return folder / filename


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


_FINGERPRINT: list[str] = []


def tool_fingerprint() -> str:
    """The tool's version and a hash of its code and layouts: outputs of an older
    mobcontent (or one edited in development) are not reused."""
    if not _FINGERPRINT:
        import hashlib
        digest = hashlib.sha256(__version__.encode())
        package = Path(__file__).parent
        for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".html", ".css",
                                                                                          ".yaml")):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        _FINGERPRINT.append(f"{__version__}:{digest.hexdigest()[:16]}")
    return _FINGERPRINT[0]


def prepare_side(project: Project, leaflet: Leaflet, locale: str, inputs: InputHashes, kit) -> Side:
    """Translate and adapt every message of ``leaflet`` into ``locale``; make its page."""
    source = project.config.source_locale
    own = locale == source
    messages = leaflet_messages(project, leaflet)
    audience_catalog = inputs.catalog(locale, "audiences", own, project)
    variables = audience_variables(leaflet.audience, project.audiences, audience_catalog, own)
    adapted = tuple(adapt_message(translate_message(m, inputs.catalog(locale, f"messages/{m.slug}", own, project),
                                                    locale, source),
                                  leaflet.audience, project.audiences, variables)
                    for m in messages)
    for message in messages:
        inputs.add(message.path)
    inputs.add(project.audiences.path)
    inputs.add(leaflet.path)
    inputs.add(project.config.path)
    page = make_page(project, leaflet, locale, list(adapted), variables, inputs, kit)
    return Side(locale, adapted, variables, page, _shown_texts(page, adapted, variables, leaflet))


def _combine(sides: list[Side], draft: bool) -> Page:
    """The page of a job: the first side's, with the second language beside it."""
    first = sides[0].page
    second = sides[1].page if len(sides) > 1 else None
    is_draft = draft or any(s.page.draft for s in sides)
    if second is not None:
        second = replace(second, draft=is_draft)
    return replace(first, second=second, draft=is_draft)


#: Variables that are sentences, not names: never kept on one line.
SENTENCE_VARIABLES = ("greeting", "signoff")


def filled_values(sides: list[Side]) -> list[str]:
    """The texts ``{variables}`` are filled with (names, places, posts, numbers) in
    every language of a job: what must never be split across lines."""
    return [v.value.text for side in sides for name, v in side.variables.items() if name not in SENTENCE_VARIABLES]


def message_views(sides: list[Side], draft: bool, assets: Path | None = None,
                  keep_chars: int = 0) -> list[MessageView]:
    """What the layout shows of each message, in both languages for a bilingual job;
    filled values kept on one line up to ``keep_chars`` characters."""
    first, second = sides[0], (sides[1] if len(sides) > 1 else None)
    values = filled_values(sides)
    views = []
    for index, adapted in enumerate(first.adapted):
        other = second.adapted[index] if second else None
        html = render_message(adapted, first.locale, draft, other, second.locale if second else "", assets,
                              values, keep_chars)
        views.append(MessageView(
            slug=adapted.message.slug, title=adapted.title, html=html,
            summary=adapted.summary, lang=first.locale,
            second_title=other.title if other else None,
            second_summary=other.summary if other else None,
            second_lang=second.locale if second else ""))
    return views


def _render(layout: Layout, page: Page, views, scale: float, missing, allowed, variant, fonts_key):
    from .printing import render_document
    html = render_page(layout, page, views, scale=scale, missing=missing)
    return render_document(html, layout.directory, allowed, variant, fonts_key)


def write_outputs(project: Project, job: Job, layout: Layout, sides: list[Side], page: Page,
                  inputs: InputHashes, printed, fit, options: BuildOptions, kit, problems=()) -> list[Output]:
    """Write the job's files into the staging folder and describe each for the manifest.

    :func:`commit_outputs` moves them into place once every job is done, so an
    interrupted build leaves the previous outputs and manifest as they were.
    """
    leaflet = job.leaflet
    build_dir = project.root / "build"
    base = f"{leaflet.slug}/{job.name}"
    common = dict(leaflet=leaflet.slug, locales=job.locales, audience=dict(leaflet.audience), layout=layout.name,
                  completeness=_completeness(sides), inputs=dict(sorted(inputs.hashes.items())), draft=page.draft,
                  campaign=leaflet.campaign, problems=tuple(p.as_json() for p in problems),
                  fit=fit_summary(layout, fit),
                  sources=dict(sorted(inputs.sources.items())))
    files: list[tuple[str, str, bytes, int]] = []  # (format, path, data, pages)
    if "html" in options.formats:
        files.append(("html", f"{base}.html", _portable_html(fit.rendered.html, kit, build_dir / leaflet.slug), 0))
    if "pdf" in options.formats:
        files.append(("pdf", f"{base}.pdf", printed.pdf, printed.pages))
    if "png" in options.formats:
        from .previews import render_pngs
        for number, png in enumerate(render_pngs(printed.pdf, layout.png_dpi, trim=layout.medium == "print"), 1):
            files.append(("png", f"{base}.p{number}.png", png, 1))
    if "script" in options.formats:
        from .script import make_script
        files.append(("script", f"{base}.txt", make_script(project, leaflet, sides).encode("utf-8"), 0))
    outputs = []
    for fmt, rel, data, pages in files:
        write_atomic(staging_dir(build_dir) / rel, data)  # moved into place by commit_outputs
        outputs.append(Output(format=fmt, path=rel, sha256=sha256(data), bytes=len(data), pages=pages, **common))
    return outputs


def fit_summary(layout: Layout, fit) -> dict:
    """What copyfit chose, for the manifest's ``fit``, the build table and ``--json``:
    the body size (and in points), the scale, the layout's floor, preferred size and
    maximum, and the share of each page's text area used."""
    from .typography import page_fills
    size = round(layout.type_size * fit.scale, 2)
    points = size if layout.type_unit == "pt" else round(size * 0.75, 2)
    return {"body_pt": points, "body": f"{size:g} {layout.type_unit}", "scale": fit.scale,
            "floor": f"{layout.floor:g} {layout.type_unit}", "preferred": f"{layout.type_size:g} {layout.type_unit}",
            "max": f"{layout.ceiling:g} {layout.type_unit}",
            "fill": [round(f, 3) for f in page_fills(fit.rendered.document)]}


TYPOGRAPHY_TEXTS = {
    "heading-stranded": (N_("{job}, page {page}: the heading '{text}' ends a column or page, apart from its text"),
                         N_("the layout keeps headings with their text; if this persists, shorten the text "
                            "before it or split the message")),
    "runt": (N_("{job}, page {page}: a paragraph ends with '{text}' alone on its last line"),
             N_("the last two syllables are kept together where that cannot overflow; rephrase the "
                "sentence if it persists")),
    "value-split": (N_("{job}, page {page}: '{text}' is broken across two lines"),
                    N_("names, places and phone numbers are kept on one line when they are short enough; "
                       "shorten the value in content/audiences.yaml")),
    "underfull-page": (N_("{job}, page {page}: only {percent} % of the text area is used, with the type "
                          "as large as fits"),
                       N_("add a message, choose a layout with less room, or let a message start on this page")),
}


def typography_problems(findings, project: Project, job: Job, strict: bool) -> list[Problem]:
    """The typographic report as problems at the message line they concern (the
    leaflet's line for a page): warnings, or errors with ``--strict``."""
    problems = []
    for finding in findings:
        message, hint = TYPOGRAPHY_TEXTS[finding.code]
        path, line = job.leaflet.path, job.leaflet.line
        source = project.messages.get(finding.message)
        if source is not None:
            path, line = source.path, source.line
        where, _sep, number = finding.origin.rpartition(":")
        if where and number.isdigit() and int(number) > 0:
            path, line = where, int(number)
        problems.append(Problem(finding.code, "error" if strict else "warning", path, line,
                                _(message).format(job=job.name, page=finding.page, text=finding.text,
                                                  percent=round(finding.fill * 100)), _(hint)))
    return problems


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


def _portable_html(html: str, kit, folder: Path) -> bytes:
    """The HTML as saved: font URLs relative to its folder when the kit is inside build/
    (so the file does not depend on where the project is), absolute otherwise."""
    try:
        relative = Path(os.path.relpath(kit.directory, folder)).as_posix()
    except ValueError:
        return html.encode("utf-8")
    if relative.startswith("../.cache/"):
        html = html.replace(kit.directory.absolute().as_uri(), relative)
    return html.encode("utf-8")


def _related_findings(findings, inputs: InputHashes) -> list[Problem]:
    """The project's check errors about this job's own files (its leaflet, messages, catalogs)."""
    paths = set(inputs.hashes) | set(inputs.catalogs)
    return [p for p in findings if p.severity == "error" and p.path in paths]


def _with_refusal(problems: list[Problem], leaflet: Leaflet, job: Job) -> list[Problem]:
    reasons = sum(p.severity == "error" for p in problems)
    return problems + [Problem("release-refused", "error", leaflet.path, leaflet.line,
                               _("'{job}' is not fit to print: {count} reason(s) above; nothing was written").format(
                                   job=job.name, count=reasons),
                               _("fix them, or build without --release to get a DRAFT copy to review"))]


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

    def add_layout(self, layout: Layout) -> None:
        from .render import COMMON_LAYOUT
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


def make_page(project: Project, leaflet: Leaflet, locale: str, adapted: list[AdaptedMessage],
              variables: dict, inputs: InputHashes, kit) -> Page:
    """The layout's view of a leaflet: titles, greeting, contacts, labels, draft state."""
    own = locale == project.config.source_locale
    leaflets = inputs.catalog(locale, "leaflets", own, project)
    layouts = inputs.catalog(locale, "layouts", own, project)
    labels = {key: lookup(layouts, text, f"locales/{locale}/LC_MESSAGES/layouts.po:0", own, f"layout.{key}")
              for key, text in LAYOUT_STRINGS.items()}

    def leaflet_text(key: str, value: str, line: int) -> Text | None:
        if not value:
            return None
        return lookup(leaflets, value, f"{leaflet.path}:{line}", own, f"leaflet.{leaflet.slug}.{key}")

    issuer = (lookup(leaflets, project.config.issuer, f"{project.config.path}:{_config_line(project, 'issuer')}",
                     own, "project.issuer") if project.config.issuer else None)
    zone = project.audiences.zone.get(leaflet.audience.get("zone", ""))
    inland = zone is not None and zone.fields.get("border") == "false"
    contacts = tuple(_contact(labels["police" if key == "border_post" and inland else key], variables[key].value)
                     for key in ("hotline", "border_post", "office") if key in variables)
    date = leaflet_date(project, leaflet)
    profiles = audience_profiles(leaflet.audience, project.audiences)
    page = Page(
        lang=locale,
        title=leaflet_text("title", leaflet.title, leaflet.title_line),
        tagline=leaflet_text("tagline", leaflet.tagline, leaflet.tagline_line),
        greeting=variables["greeting"].value if "greeting" in variables else None,
        signoff=variables["signoff"].value if "signoff" in variables else None,
        issuer=issuer, contacts=contacts, edition=leaflet.edition,
        date=date, date_text=format_leaflet_date(date, locale, project.locales),
        draft=False, labels=labels,
        motif=_shared(profiles, "motif"), colour=_shared(profiles, "colour"),
        fonts_css=kit.css())
    texts = [a.title for a in adapted] + [t for a in adapted for t in a.texts.values()]
    shown = [page.title, page.tagline, page.greeting, page.signoff, page.issuer] + [v for _, v in contacts]
    draft = (any(not t.releasable for t in texts + [t for t in shown if t is not None] + list(labels.values()))
             or any(a.message.status != "approved" for a in adapted))
    return replace(page, draft=True) if draft else page


def _contact(label: Text, value: Text) -> tuple:
    """A contact line; no label when the value already says it ("Công an xã Ea Kiết",
    "Đồn Biên phòng Sê-rê-pốk" under "Biên phòng": the two would read as one run)."""
    return (None if label.text.casefold() in value.text.casefold() else label, value)


def _config_line(project: Project, key: str) -> int:
    return project.config.lines.get(key, 1) if isinstance(project.config.lines, dict) else 1


def _shown_texts(page: Page, adapted, variables: dict, leaflet: Leaflet) -> tuple[Text, ...]:
    """Every text a side prints, unfilled where possible, so each character has its true origin."""
    texts = [page.title, page.tagline, page.issuer, *page.labels.values()]
    texts += [v.value for v in variables.values()]
    for a in adapted:
        texts += [a.translated.title, *(a.translated.texts[k] for k in a.texts)]
        if a.translated.summary is not None:
            texts.append(a.translated.summary)
    texts.append(Text(leaflet.edition, leaflet.edition, "source", f"{leaflet.path}:{leaflet.line}"))
    texts.append(Text(page.date_text, page.date_text, "source", f"{leaflet.path}:{leaflet.line}"))
    return tuple(t for t in texts if t is not None)


def _shared(profiles, attribute: str) -> str:
    """A visual attribute (motif, colour) from the ethnic profile, if the leaflet has one."""
    for profile in profiles:
        if profile.dimension == "ethnic" and getattr(profile, attribute):
            return getattr(profile, attribute)
    return ""


def leaflet_date(project: Project, leaflet: Leaflet) -> str:
    """The leaflet's date: its own, else SOURCE_DATE_EPOCH, else the newest input's mtime."""
    if leaflet.date:
        return leaflet.date
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date().isoformat()
    paths = [project.root / leaflet.path, project.root / project.audiences.path, project.root / project.config.path]
    paths += [project.root / m.path for m in leaflet_messages(project, leaflet)]
    newest = max(p.stat().st_mtime for p in paths if p.exists())
    return _dt.datetime.fromtimestamp(newest, _dt.timezone.utc).date().isoformat()


def _completeness(sides: list[Side]) -> dict:
    counts = {"translated": 0, "fuzzy": 0, "missing": 0, "source": 0}
    for side in sides:
        for a in side.adapted:
            for text in [a.title, *a.texts.values()]:
                counts[text.state] += 1
    return counts
