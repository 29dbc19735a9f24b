"""The orchestrator: load → select → translate → adapt → render → print → bundle.

:func:`build_project` builds every requested leaflet in every requested
locale. A leaflet that fails does not stop the others; the report lists every
output written and every failure, and the caller decides the exit code.
"""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .adapt import AdaptedMessage, adapt_message, audience_profiles, audience_variables
from .audience import leaflet_messages
from .bundle import Output, sha256, write_atomic, write_manifest
from .errors import MobcontentError, Problem, UsageError
from .model import Leaflet, Project
from .printing import print_pdf
from .render import FALLBACK_LAYOUT, Page, format_leaflet_date, render_message, render_page, resolve_layout
from .translate import Text, catalog_path, lookup, read_catalog, translate_message

FORMATS = ("pdf", "html")
LAYOUT_STRINGS = {
    "draft": "BẢN NHÁP",
    "edition": "Ấn bản",
    "hotline": "Đường dây nóng",
    "border_post": "Biên phòng",
    "office": "Liên hệ",
    "emergency": "Công an 113 · Cứu hỏa 114 · Cấp cứu 115 · Bảo vệ trẻ em 111",
}


@dataclass(frozen=True)
class BuildOptions:
    leaflets: tuple[str, ...] = ()  # empty: all
    locale: str | None = None
    formats: tuple[str, ...] = FORMATS
    release: bool = False


@dataclass
class BuildReport:
    """What a build did: outputs written, problems found (errors fail the run)."""

    outputs: list[Output] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    refused: int = 0

    @property
    def failed(self) -> int:
        return len({(p.path, p.message) for p in self.problems if p.severity == "error"})


@dataclass(frozen=True)
class Job:
    """One output document: a leaflet in one locale (or a bilingual pair)."""

    leaflet: Leaflet
    locales: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.leaflet.slug}.{'+'.join(self.locales)}"


def plan_jobs(project: Project, options: BuildOptions) -> list[Job]:
    """The outputs to build, in a stable order; unknown leaflet names are a usage error."""
    unknown = [slug for slug in options.leaflets if slug not in project.leaflets]
    if unknown:
        raise UsageError(f"no leaflet named {', '.join(unknown)}",
                         hint=f"known leaflets: {', '.join(project.leaflets)}")
    jobs = []
    for slug, leaflet in project.leaflets.items():
        if options.leaflets and slug not in options.leaflets:
            continue
        for locale in leaflet.locales:
            if options.locale in (None, locale):
                jobs.append(Job(leaflet, (locale,)))
    return jobs


def build_project(project: Project, options: BuildOptions = BuildOptions(), progress=None) -> BuildReport:
    """Build the outputs ``options`` asks for into ``<project>/build/`` and write the manifest."""
    from .fonts import prepare_font_kit

    build_dir = project.root / "build"
    report = BuildReport(problems=list(project.warnings))
    jobs = plan_jobs(project, options)
    kit = prepare_font_kit(font_cache_dir(project), project_characters(project))
    for job in jobs:
        try:
            outputs, problems = build_job(project, job, kit, options)
        except MobcontentError as exc:
            outputs, problems = [], [exc.problem()]
        report.outputs.extend(outputs)
        report.problems.extend(p for p in problems if p not in report.problems)
        if progress:
            progress(job)
    write_manifest(build_dir, report.outputs, f"mobcontent {__version__}", options.release)
    return report


def font_cache_dir(project: Project) -> Path:
    """Where the font kit is cached: ``build/.cache/fonts``, or ``$MOBCONTENT_FONT_CACHE``
    (so CI jobs and test runs can share one kit across projects)."""
    override = os.environ.get("MOBCONTENT_FONT_CACHE")
    return Path(override) if override else project.root / "build" / ".cache" / "fonts"


def project_characters(project: Project) -> str:
    """Every character of the project's source text (for the font kit's subset)."""
    chars = set()
    for message in project.messages.values():
        chars.update(message.title)
        for chunk in message.chunks:
            chars.update(chunk.text)
    for dim in ("ethnic", "religion", "zone"):
        for profile in project.audiences.profiles(dim).values():
            chars.update(profile.name)
            for value in list(profile.terms.values()) + list(profile.fields.values()):
                chars.update(value)
    return "".join(sorted(chars))


def build_job(project: Project, job: Job, kit, options: BuildOptions) -> tuple[list[Output], list[Problem]]:
    """Build one leaflet in one locale: every stage of the pipeline, then write the files."""
    leaflet, locale = job.leaflet, job.locales[0]
    source = project.config.source_locale
    own = locale == source
    inputs = InputHashes(project.root)
    messages = leaflet_messages(project, leaflet)
    audience_catalog = inputs.catalog(locale, "audiences", own)
    variables = audience_variables(leaflet.audience, project.audiences, audience_catalog, own)
    adapted = [adapt_message(translate_message(m, inputs.catalog(locale, f"messages/{m.slug}", own), locale, source),
                             leaflet.audience, project.audiences, variables)
               for m in messages]
    for message in messages:
        inputs.add(message.path)
    inputs.add(project.audiences.path)
    inputs.add(leaflet.path)
    inputs.add(project.config.path)
    layout, layout_dir = resolve_layout(project.root, leaflet.layout)
    problems = []
    if leaflet.bilingual:
        problems.append(Problem("bilingual-pending", "warning", leaflet.path, leaflet.line,
                                "bilingual leaflets are not built yet; built one leaflet per locale instead",
                                "keep 'locales' for now"))
    if layout != leaflet.layout:
        problems.append(Problem("layout-pending", "warning", leaflet.path, leaflet.line,
                                f"layout '{leaflet.layout}' is not available yet; built with '{FALLBACK_LAYOUT}'",
                                "the other layouts come with the print work"))
    page = make_page(project, leaflet, locale, adapted, variables, inputs, kit)
    body = [(a, render_message(a, locale, page.draft)) for a in adapted]
    html = render_page(layout_dir, page, body)
    missing = kit.missing(_visible_text(page, adapted))
    if missing:
        page = _with_draft(page)
        html = render_page(layout_dir, page, [(a, render_message(a, locale, True)) for a in adapted])
    for name in sorted(os.listdir(layout_dir)):
        inputs.add_file(layout_dir / name, f"layout:{layout}/{name}")
    inputs.hashes["font-kit"] = kit.key
    inputs.hashes["tool"] = __version__
    completeness = _completeness(adapted, page)
    outputs = []
    base = f"{leaflet.slug}/{leaflet.slug}.{locale}"
    common = dict(leaflet=leaflet.slug, locales=job.locales, audience=dict(leaflet.audience), layout=layout,
                  completeness=completeness, inputs=dict(sorted(inputs.hashes.items())), draft=page.draft)
    build_dir = project.root / "build"
    if "html" in options.formats:
        data = html.encode("utf-8")
        write_atomic(build_dir / f"{base}.html", data)
        outputs.append(Output(format="html", path=f"{base}.html", sha256=sha256(data), bytes=len(data),
                              pages=0, **common))
    if "pdf" in options.formats:
        printed, _warnings = print_pdf(html, layout_dir, [project.root / "content" / "assets", layout_dir,
                                                          kit.directory], identifier=base + str(inputs.hashes))
        write_atomic(build_dir / f"{base}.pdf", printed.pdf)
        outputs.append(Output(format="pdf", path=f"{base}.pdf", sha256=sha256(printed.pdf),
                              bytes=len(printed.pdf), pages=printed.pages, **common))
    return outputs, problems


class InputHashes:
    """The sha256 of every input a job reads, and the catalogs it reads."""

    def __init__(self, root: Path):
        self.root = root
        self.hashes: dict[str, str] = {}

    def add(self, rel: str) -> None:
        self.add_file(self.root / rel, rel)

    def add_file(self, path: Path, key: str) -> None:
        if path.is_file():
            self.hashes[key] = sha256(path.read_bytes())

    def catalog(self, locale: str, domain: str, own: bool) -> dict:
        if own:
            return {}
        path = catalog_path(self.root, locale, domain)
        rel = path.relative_to(self.root).as_posix()
        self.add(rel)
        return read_catalog(path, rel)


def make_page(project: Project, leaflet: Leaflet, locale: str, adapted: list[AdaptedMessage],
              variables: dict, inputs: InputHashes, kit) -> Page:
    """The layout's view of a leaflet: titles, greeting, contacts, labels, draft state."""
    own = locale == project.config.source_locale
    leaflets = inputs.catalog(locale, "leaflets", own)
    layouts = inputs.catalog(locale, "layouts", own)
    labels = {key: lookup(layouts, text, "", own, f"layout.{key}")
              for key, text in LAYOUT_STRINGS.items()}

    def leaflet_text(key: str, value: str, line: int) -> Text | None:
        if not value:
            return None
        return lookup(leaflets, value, f"{leaflet.path}:{line}", own, f"leaflet.{leaflet.slug}.{key}")

    issuer = (lookup(leaflets, project.config.issuer, "mobcontent.yaml:1", own, "project.issuer")
              if project.config.issuer else None)
    contacts = tuple((labels[key], variables[key].value) for key in ("hotline", "border_post", "office")
                     if key in variables)
    texts = [a.title for a in adapted] + [t for a in adapted for t in a.texts.values()]
    page = Page(
        lang=locale,
        title=leaflet_text("title", leaflet.title, leaflet.title_line),
        tagline=leaflet_text("tagline", leaflet.tagline, leaflet.tagline_line),
        greeting=variables["greeting"].value if "greeting" in variables else None,
        signoff=variables["signoff"].value if "signoff" in variables else None,
        issuer=issuer, contacts=contacts, edition=leaflet.edition,
        date=leaflet_date(project, leaflet), date_text=format_leaflet_date(leaflet_date(project, leaflet), locale),
        draft=False, labels=labels,
        motif=_shared(audience_profiles(leaflet.audience, project.audiences), "motif"),
        colour=_shared(audience_profiles(leaflet.audience, project.audiences), "colour"),
        fonts_css=kit.css())
    shown = [page.title, page.tagline, page.greeting, page.signoff, page.issuer] + [v for _, v in contacts]
    draft = (any(not t.releasable for t in texts + [t for t in shown if t is not None])
             or any(a.message.status != "approved" for a in adapted))
    return _with_draft(page) if draft else page


def _with_draft(page: Page) -> Page:
    from dataclasses import replace
    return replace(page, draft=True)


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
    paths = [project.root / leaflet.path, project.root / project.audiences.path]
    newest = max(p.stat().st_mtime for p in paths if p.exists())
    return _dt.datetime.fromtimestamp(newest, _dt.timezone.utc).date().isoformat()


def _visible_text(page: Page, adapted: list[AdaptedMessage]) -> str:
    parts = [page.title.text, page.labels["draft"].text]
    parts += [t.text for t in (page.tagline, page.greeting, page.signoff, page.issuer) if t]
    parts += [a.title.text for a in adapted] + [t.text for a in adapted for t in a.texts.values()]
    return "\n".join(parts)


def _completeness(adapted: list[AdaptedMessage], page: Page) -> dict:
    counts = {"translated": 0, "fuzzy": 0, "missing": 0, "source": 0}
    for a in adapted:
        for text in [a.title, *a.texts.values()]:
            counts[text.state] += 1
    return counts
