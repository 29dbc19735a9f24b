"""Preflight: what must be true before a leaflet goes to print.

:func:`check_job` runs the checks for one job (a leaflet in one or two locales)
and :meth:`JobCheck.report` adds what printing found:

- :func:`glyph_problems`: every character a leaflet prints has a glyph in the
  font kit, reported at the line it came from (the message line, or the PO
  file's ``msgstr`` line for a translation);
- :func:`stacking_problems`: ê̆ ô̆ ơ̆ ư̆ and their capitals stack in every face
  of the kit (:func:`mobcontent.fonts.check_stacking`, which DejaVu fails);
- :func:`release_problems`: the reasons a leaflet is not fit to release
  (missing or fuzzy translations; approval comes from the checks);
- :func:`print_warnings`: what WeasyPrint logged while printing (errors in a
  release build), except its notice that HarfBuzz subsetting is absent, which
  :func:`harfbuzz_notice` reports once per build.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from .i18n import _, language
from .errors import Problem


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
            return problems + [replace(p, severity="warning") for p in self.related]
        return [replace(p, severity="error") for p in problems if p.code == "glyph-missing"] + \
            [p for p in problems if p.code != "glyph-missing"] + list(self.blockers)


def check_job(root: Path, job_name: str, sides, kit, related: list[Problem]) -> JobCheck:
    """Preflight one job: glyphs, translations, approval, its files' check errors, the kit."""
    glyphs, missing = glyph_problems(root, [t for side in sides for t in side.shown], kit)
    related = tuple(related) + tuple(stacking_problems(kit))
    blockers = tuple(release_problems(sides, job_name)) + tuple(replace(p, severity="error") for p in related)
    return JobCheck(tuple(glyphs), tuple(missing), blockers, related)


def glyph_problems(root: Path, texts, kit) -> tuple[list[Problem], list[str]]:
    """``glyph-missing`` warnings for characters of ``texts`` no face of ``kit`` has.

    Returns the problems (one per character and line) and the characters, in order.
    """
    from .fonts import SANS, SERIF

    problems: dict[tuple, Problem] = {}
    chars: dict[str, None] = {}
    for text in texts:
        missing = dict.fromkeys(kit.missing(text.text, SANS) + kit.missing(text.text, SERIF))
        for char in missing:
            chars.setdefault(char)
            path, line = locate(root, text.origin, char)
            problems.setdefault((path, line, char), Problem(
                "glyph-missing", "warning", path, line,
                _("the fonts have no glyph for '{char}' ({name})").format(char=char, name=describe_char(char)),
                _("replace the character (is it a typing mistake or a wrong keyboard layout?); "
                  "a draft build shows it highlighted")))
    return list(problems.values()), list(chars)


def describe_char(char: str) -> str:
    """``U+0F40 TIBETAN LETTER KA``."""
    name = unicodedata.name(char, "") or _("unnamed character")
    return f"U+{ord(char):04X} {name}"


def locate(root: Path, origin: str, char: str) -> tuple[str, int]:
    """The file and line where ``char`` of a text from ``origin`` (``path:line``) is written.

    The origin is where the text starts (a message block, a PO entry); the
    character may be a few lines further down (a long paragraph, the ``msgstr``
    after the ``msgid``), so the lines from there are searched.
    """
    path, _sep, line = origin.rpartition(":")
    if not path or not line.isdigit():
        return origin, 0
    start = int(line)
    lines = _file_lines(str(root / path))
    begin = max(start - 1, 0)
    for offset, text in enumerate(lines[begin:begin + 60]):
        if char in text:
            return path, begin + offset + 1
    return path, start


def _file_lines(path: str) -> tuple[str, ...]:
    """The file's lines (cached while the file is unchanged)."""
    try:
        stat = Path(path).stat()
    except OSError:
        return ()
    return _read_lines(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _read_lines(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    try:
        return tuple(Path(path).read_text(encoding="utf-8").split("\n"))
    except (OSError, UnicodeDecodeError):
        return ()


def stacking_problems(kit) -> list[Problem]:
    """``glyph-stacking`` errors: faces of the kit where a breve does not stack on ê ô ơ ư."""
    return list(_stacking(tuple(face.path for face in kit.faces), language()))


@lru_cache(maxsize=8)
def _stacking(paths: tuple[Path, ...], lang: str = "en") -> tuple[Problem, ...]:
    """The kit's stacking errors (cached per interface language: they are worded in it)."""
    from .fonts import check_stacking
    found = []
    for path in paths:
        for problem in check_stacking(path):
            found.append(Problem("glyph-stacking", "error", str(path), 0, problem,
                                 _("the font draws the breve into the circumflex or horn: use the font kit's Noto faces")))
    return tuple(found)


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
    from .printing import HARFBUZZ_NOTICE
    severity = "error" if release else "warning"
    seen = dict.fromkeys(w for w in warnings if not w.startswith(HARFBUZZ_NOTICE))
    return [Problem("print-warning", severity, leaflet.path, leaflet.line, _("WeasyPrint: {warning}").format(warning=w),
                    _("a release must print without warnings: fix the layout or the content it names"))
            for w in seen]


def harfbuzz_notice() -> list[Problem]:
    """One note when libharfbuzz-subset is absent (PDFs are right, only slower to make)."""
    from .printing import harfbuzz_subset_available
    if harfbuzz_subset_available():
        return []
    return [Problem("harfbuzz-subset-missing", "warning", "", 0,
                    _("HarfBuzz's subsetting library is not installed: fonts are embedded with fontTools, "
                      "about 10x slower (the PDFs are the same quality)"),
                    _("install it: sudo apt-get install libharfbuzz-subset0"))]


def project_findings(project) -> tuple[Problem, ...]:
    """The project's check problems (a leaflet with a failed check is not fit to release)."""
    from .checks import run_checks
    return tuple(run_checks(project))


def project_glyph_problems(project, kit=None) -> list[Problem]:
    """``glyph-missing`` errors for every character of the project that the kit lacks,
    at its line: message files, PO ``msgstr`` lines, leaflets, audiences, settings.
    Also the kit's ``glyph-stacking`` errors (for ``mobcontent check``)."""
    from .build import font_cache_dir, project_characters
    from .fonts import SANS, SERIF, prepare_font_kit

    kit = kit or prepare_font_kit(font_cache_dir(project), project_characters(project))
    everything = project_characters(project)
    missing = set(kit.missing(everything, SANS)) | set(kit.missing(everything, SERIF))
    problems = []
    for rel, number, line in _printed_lines(project):
        for char in sorted(set(line) & missing):
            problems.append(Problem("glyph-missing", "error", rel, number,
                                    _("the fonts have no glyph for '{char}' ({name})").format(
                                        char=char, name=describe_char(char)),
                                    _("replace the character (is it a typing mistake or a wrong keyboard layout?)")))
    return problems + stacking_problems(kit)


def _printed_lines(project):
    """(path, line number, text) of every line whose text can reach a page."""
    root = project.root
    for message in project.messages.values():
        for chunk in message.chunks:
            for offset, line in enumerate(chunk.text.split("\n")):
                yield message.path, chunk.line + offset, line
        yield message.path, message.title_line, message.title
    yaml_files = [project.config.path, project.audiences.path] + [l.path for l in project.leaflets.values()]
    for rel in yaml_files:
        for number, line in enumerate(_file_lines(str(root / rel)), 1):
            if not line.lstrip().startswith("#"):
                yield rel, number, line
    for path in sorted((root / "locales").glob("*/LC_MESSAGES/**/*.po")):
        rel = path.relative_to(root).as_posix()
        in_msgstr = False
        for number, line in enumerate(_file_lines(str(path)), 1):
            if line.startswith("msgstr"):
                in_msgstr = True
            elif not line.startswith('"'):
                in_msgstr = False
            if in_msgstr:
                yield rel, number, line
