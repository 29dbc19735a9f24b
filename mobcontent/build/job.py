"""One job: a leaflet in one locale (or its bilingual edition), every stage of the
pipeline, then its files.

:func:`build_job` is a function of its arguments (project, job, font kit, options,
the project's check findings): it reads the project's files and writes only into
the staging folder, so jobs can run in any order or in parallel.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from ..base.errors import Problem
from ..base.files import sha256, write_file
from ..base.i18n import _
from ..base.model import Leaflet, Project
from ..base.version import tool_fingerprint
from ..checks.approvals import DRAFT_CODES, job_approvals, job_reviews
from ..checks.privacy import RELEASE_ERRORS
from ..checks.typography import typography_problems
from ..content.audience import leaflet_messages
from ..pipeline.adapt import (
    AdaptedMessage,
    adapt_message,
    audience_profiles,
    audience_variables,
)
from ..pipeline.layout import (
    LAYOUT_STRINGS,
    Layout,
    MessageView,
    Page,
    format_leaflet_date,
    leaflet_date,
    read_layout,
)
from ..pipeline.render import render_message, render_page
from ..pipeline.script import make_script
from ..pipeline.translate import Text, lookup, translate_message
from ..printing.copyfit import fit_layout
from ..printing.pdf import PdfSettings, render_document, write_pdf
from ..printing.previews import render_pngs
from ..printing.typography import page_fills, typeset_report
from .cache import InputHashes, read_fit_cache, reuse_outputs, write_fit_cache
from .gate import FAILING_CODES, READY, check_job, edition_state
from .manifest import Output, output_line
from .plan import BuildOptions, Job, JobResult

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
              findings: tuple[Problem, ...] = (), cached=None) -> JobResult:
    """Build one edition: every stage of the pipeline, then write its files.

    Returns its outputs, problems, whether it was rendered, and its state: when
    ``cached`` (the previous manifest's outputs of this job) was made from the
    same inputs and its files are intact, they are reused and nothing is rendered.
    An edition that is not ``ready`` is printed with the DRAFT mark in a draft
    build; a release build writes nothing for it and returns every reason as an error.
    """

    inputs = InputHashes(project.root)
    sides = [prepare_side(project, job.leaflet, locale, inputs, kit) for locale in job.locales]
    layout = read_layout(project.root, job.leaflet.layout)
    read = tuple(sorted(set(inputs.hashes) | set(inputs.catalogs)))
    known = list(dict.fromkeys(related_findings(findings, read) + job_reviews(project, sides)))
    checked = check_job(project.root, job.name, sides, kit, known)
    page = _combine(sides, draft=checked.makes_draft and not options.release)
    inputs.add_layout(layout)
    inputs.add_used_entries()
    approvals = inputs.add_approvals(job_approvals(project, sides), job.locales)
    inputs.hashes.update({"font-kit": kit.key, "tool": tool_fingerprint(), "date": page.date})
    if options.check_only:
        known = read_fit_cache(project.root, job.name, inputs.hashes)
        if known is not None:
            return JobResult(job.name, (), known, False, 0.0, *edition_state(known), read=read)
    reused = reuse_outputs(project.root / "build", cached, inputs.hashes, options)
    if reused is not None:
        return replace(reused_result(job.name, reused), read=read)
    assets = project.root / "content" / "assets"
    views = message_views(sides, page.draft, assets, layout.keep_chars)
    allowed = [assets, layout.directory, kit.directory]
    variant = layout.release if options.release else None
    short = False

    def render(page, views, scale):
        return _render(layout, page, views, scale, checked.missing, allowed, variant, kit.key, short=short)

    fit = fit_layout(lambda scale: render(page, views, scale), layout)
    if fit.rendered.pages < layout.min_pages:  # a trifold whose messages all fit on the flap: begin inside
        short = True
        fit = fit_layout(lambda scale: render(page, views, scale), layout)
    if options.check_only:  # `mobcontent check`: what the layout found, remembered for the next check
        found = tuple(p.with_severity("error") for p in checked.glyphs) + \
            ((fit.overflow.problem(job.leaflet, job, layout, fit.scale),) if fit.overflow else ())
        write_fit_cache(project.root, job.name, inputs.hashes, found)
        return JobResult(job.name, (), found, True, 0.0, *edition_state(found), read=read)
    printed = write_pdf(fit.rendered, PdfSettings(f"{job.name}:{sorted(inputs.hashes.items())}:{variant}",
                                                  variant, layout.bleed_mm))
    typeset = typography_problems(typeset_report(fit.rendered.document, layout, filled_values(sides)), project,
                                  job.leaflet, job.name, options.strict)
    state, reasons = edition_state(checked.report(True, fit, printed, job, layout) + typeset, page.draft)
    problems = _failing_as_errors(checked.report(options.release, fit, printed, job, layout)) + typeset
    if options.release and state != READY:
        return JobResult(job.name, (), tuple(_with_refusal(problems, job.leaflet, job)), True, 0.0, state, reasons,
                         read)
    if state != READY and not page.draft:  # found only once laid out (overflow, printer warnings): mark it
        page = _combine(sides, draft=True)
        views = message_views(sides, True, assets, layout.keep_chars)
        fit = replace(fit, rendered=render(page, views, fit.scale))
        printed = write_pdf(fit.rendered, PdfSettings(f"{job.name}:{sorted(inputs.hashes.items())}:{variant}",
                                                      variant, layout.bleed_mm))
    outputs = write_outputs(project, job, layout, sides, page, inputs, printed, fit, options, kit, problems,
                            approvals, (state, reasons))
    return JobResult(job.name, tuple(outputs), tuple(problems), True, 0.0, state, reasons, read)


def reused_result(name: str, outputs: list[Output]) -> JobResult:
    """A job whose previous outputs are reused: its problems and state as they were."""
    first = outputs[0]
    return JobResult(name, tuple(outputs), tuple(Problem(**p) for p in first.problems), False, 0.0,
                     first.state, tuple(Problem(**p) for p in first.reasons))


def _failing_as_errors(problems: list[Problem]) -> list[Problem]:
    """What makes an edition fail is an error in a draft build too (it fails the build)."""
    return [p.with_severity("error") if p.code in FAILING_CODES else p for p in problems]


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


def _render(layout: Layout, page: Page, views, scale: float, missing, allowed, variant, fonts_key, short=False):
    html = render_page(layout, page, views, scale=scale, missing=missing, short=short)
    return render_document(html, layout.directory, allowed, variant, fonts_key)


def write_outputs(project: Project, job: Job, layout: Layout, sides: list[Side], page: Page,
                  inputs: InputHashes, printed, fit, options: BuildOptions, kit, problems=(),
                  approvals=(), state: tuple = (READY, ())) -> list[Output]:
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
                  state=state[0], reasons=tuple(p.as_json() for p in state[1]),
                  sources=dict(sorted(inputs.sources.items())), approvals=tuple(approvals),
                  fit=fit_summary(layout, fit))
    files: list[tuple[str, str, bytes, int]] = []  # (format, path, data, pages)
    if "html" in options.formats:
        files.append(("html", f"{base}.html", _portable_html(fit.rendered.html, kit, build_dir / leaflet.slug), 0))
    if "pdf" in options.formats:
        files.append(("pdf", f"{base}.pdf", printed.pdf, printed.pages))
    if "png" in options.formats:
        for number, png in enumerate(render_pngs(printed.pdf, layout.png_dpi, trim=layout.medium == "print"), 1):
            files.append(("png", f"{base}.p{number}.png", png, 1))
    if "script" in options.formats:
        files.append(("script", f"{base}.txt", make_script(project, leaflet, sides).encode("utf-8"), 0))
    outputs = []
    for fmt, rel, data, pages in files:
        write_file(project.root, f"build/.staging/{rel}", data)  # moved into place by commit_outputs
        outputs.append(Output(format=fmt, path=rel, sha256=sha256(data), bytes=len(data), pages=pages, **common))
        output_line(outputs[-1])  # its manifest line, worked out here rather than at the build's end
    return outputs


def fit_summary(layout: Layout, fit) -> dict:
    """What copyfit chose, for the manifest's ``fit``, the build table and ``--json``:
    the body size (and in points), the scale, the layout's floor, preferred size and
    maximum, and the share of each page's text area used."""
    size = round(layout.type_size * fit.scale, 2)
    points = size if layout.type_unit == "pt" else round(size * 0.75, 2)
    return {"body_pt": points, "body": f"{size:g} {layout.type_unit}", "scale": fit.scale,
            "floor": f"{layout.floor:g} {layout.type_unit}", "preferred": f"{layout.type_size:g} {layout.type_unit}",
            "max": f"{layout.ceiling:g} {layout.type_unit}",
            "fill": [round(f, 3) for f in page_fills(fit.rendered.document)]}


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


def with_findings(result: JobResult, extra: list[Problem], release: bool) -> JobResult | None:
    """``result`` with the check findings ``extra`` that came after its job was built (they
    concern files it read), as if the job had known them: said again as warnings (errors
    when they make it fail), and the edition a draft at least. None when the job must be
    built again with them: an edition printed as ready needs the DRAFT mark, and a release
    build refuses it."""
    if release or result.state == READY:
        return None
    said = _failing_as_errors([p.with_severity("warning") for p in extra])
    problems = tuple(dict.fromkeys(result.problems + tuple(said)))
    state, reasons = edition_state(list(result.reasons) + [p.with_severity("error") for p in extra], True)
    outputs = tuple(replace(o, problems=tuple(p.as_json() for p in problems), state=state,
                            reasons=tuple(p.as_json() for p in reasons)) for o in result.outputs)
    for output in outputs:  # while the workers render: not at the build's end, one core idle
        output_line(output)
    return replace(result, outputs=outputs, problems=problems, state=state, reasons=reasons)


def related_findings(findings, read) -> list[Problem]:
    """The project's check errors about the files a job read (its leaflet, messages, catalogs),
    and the approval warnings about them (``DRAFT_CODES``: they make the edition a draft)."""
    index = findings if isinstance(findings, dict) else findings_by_path(findings)
    return [p for path in sorted(set(read)) for p in index.get(path, ())]


def findings_by_path(findings) -> dict[str, list[Problem]]:
    """The findings that concern a job which read their file (:func:`related_findings`), by
    file: a build with thousands of findings looks each job's up rather than through all."""
    index: dict[str, list[Problem]] = {}
    for p in findings:
        if concerns_jobs(p):
            index.setdefault(p.path, []).append(p)
    return index


def concerns_jobs(p: Problem) -> bool:
    """Whether a check finding can change an edition that read its file: an error, an
    approval or review warning, or a warning that a release refuses (the other warnings
    are the checks' to report, not the build's)."""
    return (p.severity == "error" or p.code in DRAFT_CODES or p.code in RELEASE_ERRORS) and p.code not in PER_AUDIENCE


#: Check errors that hold for one audience only: each job finds its own when it adapts.
PER_AUDIENCE = frozenset({"variable-unknown", "variable-conflict"})


def _with_refusal(problems: list[Problem], leaflet: Leaflet, job: Job) -> list[Problem]:
    reasons = sum(p.severity == "error" for p in problems)
    return problems + [Problem("release-refused", "error", leaflet.path, leaflet.line,
                               _("'{job}' is not fit to print: {count} reason(s) above; nothing was written").format(
                                   job=job.name, count=reasons),
                               _("fix them, or build without --release to get a DRAFT copy to review"))]


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
    # approval (message status and records) reaches the draft state through the checks (DRAFT_CODES)
    draft = any(not t.releasable for t in texts + [t for t in shown if t is not None] + list(labels.values()))
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


def _completeness(sides: list[Side]) -> dict:
    counts = {"translated": 0, "fuzzy": 0, "missing": 0, "source": 0}
    for side in sides:
        for a in side.adapted:
            for text in [a.title, *a.texts.values()]:
                counts[text.state] += 1
    return counts
