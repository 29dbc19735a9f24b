"""The release gate: what must be true before a leaflet goes to print.

:func:`check_job` runs the checks for one job (a leaflet in one or two locales)
and :meth:`JobCheck.report` adds what printing found: glyph and stacking problems
(:mod:`mobcontent.checks.glyphs`), the reasons a leaflet is not fit to release
(:func:`release_problems`: missing or fuzzy translations; approval comes from the
checks, :mod:`mobcontent.checks.approvals`),
and what WeasyPrint logged (:func:`print_warnings`; its notice that HarfBuzz
subsetting is absent is reported once per build by :func:`harfbuzz_notice`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..base.errors import Problem
from ..base.i18n import N_, _
from ..checks.glyphs import glyph_problems, stacking_problems
from ..printing.pdf import HARFBUZZ_NOTICE, harfbuzz_subset_available

# --- edition states -------------------------------------------------------------------

READY, DRAFT, FAILED = "ready", "draft", "failed"
STATES = (READY, DRAFT, FAILED)
STATE_WORDS = {READY: N_("ready"), DRAFT: N_("draft"), FAILED: N_("failed")}  # shown translated

#: Problems that make an edition unfit even as a draft (DESIGN.md, "Edition states").
#: Any other problem that blocks a release (an error in the release view: a missing or
#: fuzzy translation, a message not approved, an approval that is stale, a failed
#: check...) makes it a draft, whatever its code.
FAILING_CODES = frozenset({
    "text-overflow", "glyph-missing", "variable-unknown", "variable-conflict",
    "control-character", "replacement-character", "mojibake", "legacy-encoding", "legacy-backtick",
    "file-unreadable", "encoding", "unsafe-file", "po-encoding",
    "build-timeout", "build-failed", "build-memory", "internal-error",
})


def edition_state(release_view, marked_draft: bool = False) -> tuple[str, tuple[Problem, ...]]:
    """An edition's state and its reasons, from its problems as a release build sees them
    (errors block a release): ``failed`` when one is in :data:`FAILING_CODES`, ``draft``
    when another blocks a release (or the edition carries the DRAFT mark), else ``ready``.

    >>> edition_state([Problem("message-not-approved", "error", "m.md", 3, "x")])[0]
    'draft'
    >>> edition_state([Problem("text-overflow", "error", "l.yaml", 1, "x")])[0], edition_state([])
    ('failed', ('ready', ()))
    """
    problems = list(dict.fromkeys(release_view))
    failing = [p for p in problems if p.code in FAILING_CODES]
    blocking = [p for p in problems if p.severity == "error"]
    if failing:
        return FAILED, tuple(dict.fromkeys(p.with_severity("error") for p in failing + blocking))
    if blocking or marked_draft:
        return DRAFT, tuple(blocking)
    return READY, ()


@dataclass(frozen=True)
class JobCheck:
    """What preflight found for one job, before it is printed."""

    glyphs: tuple[Problem, ...]  # glyph-missing (warnings; errors in a release)
    missing: tuple[str, ...]  # the characters, to highlight in a draft
    blockers: tuple[Problem, ...]  # why it is not fit to release
    related: tuple[Problem, ...]  # check errors in its files, the kit's stacking errors

    @property
    def makes_draft(self) -> bool:
        return bool(self.blockers or self.missing)

    def report(self, release: bool, fit, printed, job, layout) -> list[Problem]:
        """Every problem of the job once printed: errors in a release, mostly warnings in a draft."""
        problems = list(self.glyphs)
        if fit.overflow:
            problems.append(fit.overflow.problem(job.leaflet, job, layout, fit.scale))
        problems += print_warnings(printed.warnings, job.leaflet, release)
        if not release:  # a draft: printed with the DRAFT mark; what the checks found is said again
            return problems + [p.with_severity("warning") for p in self.related]
        return [p.with_severity("error") for p in problems if p.code == "glyph-missing"] + \
            [p for p in problems if p.code != "glyph-missing"] + list(self.blockers)


def check_job(root: Path, job_name: str, sides, kit, related: list[Problem]) -> JobCheck:
    """Preflight one job: glyphs, translations, approval, its files' check errors, the kit."""
    glyphs, missing = glyph_problems(root, [t for side in sides for t in side.shown], kit)
    related = tuple(related) + tuple(stacking_problems(kit))
    blockers = tuple(release_problems(sides, job_name)) + tuple(p.with_severity("error") for p in related)
    return JobCheck(tuple(glyphs), tuple(missing), blockers, related)


def release_problems(sides, job_name: str) -> list[Problem]:
    """Why the sides of a job are not fit to release (empty when they are)."""
    problems: dict[tuple, Problem] = {}
    for side in sides:
        for text in _checked_texts(side):
            if text.releasable:
                continue
            path, _sep, line = text.origin.rpartition(":")
            code = f"translation-{text.state}"
            what = (_("{locale}: '{text}' is fuzzy (a translator must review it)") if text.state == "fuzzy"
                    else _("{locale}: '{text}' has no translation yet"))
            problems.setdefault((code, path, line, text.source), Problem(
                code, "error", path or text.origin, int(line) if line.isdigit() else 0,
                what.format(locale=side.locale, text=_short(text.source)),
                _("review the entry and remove its fuzzy flag (locales/{locale}/LC_MESSAGES/)").format(locale=side.locale)
                if text.state == "fuzzy" else
                _("translate it in locales/{locale}/LC_MESSAGES/ ('mobcontent update' creates the entry)").format(
                    locale=side.locale)))
    return list(problems.values())


def _checked_texts(side):
    page = side.page
    texts = [page.title, page.tagline, page.greeting, page.signoff, page.issuer, *page.labels.values()]
    texts += [value for _, value in page.contacts]
    for adapted in side.adapted:
        texts += [adapted.title, *adapted.texts.values()]
    return [t for t in texts if t is not None]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def print_warnings(warnings, leaflet, release: bool) -> list[Problem]:
    """WeasyPrint's warnings as problems: errors in a release build, warnings otherwise."""
    severity = "error" if release else "warning"
    seen = dict.fromkeys(w for w in warnings if not w.startswith(HARFBUZZ_NOTICE))
    return [Problem("print-warning", severity, leaflet.path, leaflet.line, _("WeasyPrint: {warning}").format(warning=w),
                    _("a release must print without warnings: fix the layout or the content it names"))
            for w in seen]


def harfbuzz_notice() -> list[Problem]:
    """One note when libharfbuzz-subset is absent (PDFs are right, only slower to make)."""
    if harfbuzz_subset_available():
        return []
    return [Problem("harfbuzz-subset-missing", "warning", "", 0,
                    _("HarfBuzz's subsetting library is not installed: fonts are embedded with fontTools, "
                      "about 10x slower (the PDFs are the same quality)"),
                    _("install it: sudo apt-get install libharfbuzz-subset0"))]
