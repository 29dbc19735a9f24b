"""The *load* stage: read a content project into frozen dataclasses.

Every file is read strictly (see :mod:`mobcontent.formats.yamlio`) and validated
against a declared schema. Loading collects every problem in the project and
raises one :class:`~mobcontent.base.errors.ProjectError` holding them all, so an
officer fixes them in one pass.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..base.canonical import canonical_text
from ..base.errors import ContentError, Problem, ProjectError
from ..base.files import read_text, unsafe_files
from ..base.i18n import _
from ..base.model import Config, Project
from .approvals import APPROVALS_PATH, load_approvals
from .message import parse_message
from .remembered import remembered
from .schema import _read_yaml_file, _Reader
from .settings import (
    _check_leaflet,
    cldr_locale,
    parse_audiences,
    parse_config,
    parse_leaflet,
    parse_locale,
)

# --------------------------------------------------------------------------- project

def load_project(root: Path | str, keep_going: bool = False) -> Project:
    """Load and validate the project at ``root``; raise ProjectError listing every problem.

    With ``keep_going`` (a draft build, the preview) a message or leaflet file that
    cannot be loaded fails only what uses it: it is left out, every leaflet that
    lists it goes to ``Project.failed`` with the reasons, and every load problem is
    kept in ``Project.unloaded``. The project settings, audiences and locales must
    still load: every leaflet depends on them.

    A project loaded before in exactly this state is read back from the user's cache
    (:mod:`mobcontent.content.remembered`).
    """
    root = Path(os.path.abspath(root))  # -C . must work: layouts and assets become file URIs
    return remembered(root, keep_going, _load_project)


def _load_project(root: Path, keep_going: bool) -> Project:
    problems: list[Problem] = []
    if not (root / "mobcontent.yaml").is_file():
        raise ProjectError([Problem("project-missing", "error", str(root / "mobcontent.yaml"), 0,
                                    _("this folder is not a mobcontent project (no mobcontent.yaml)"),
                                    _("run the command inside the project folder, or create one with "
                                      "'mobcontent init'"))])
    if unsafe := unsafe_files(root):  # links out of the project, /dev/zero, FIFOs: never read
        raise ProjectError(unsafe)
    config = _load_one(root, "mobcontent.yaml", problems, lambda node, r: parse_config(node, "mobcontent.yaml", r))
    audiences = _load_one(root, "content/audiences.yaml", problems,
                          lambda node, r: parse_audiences(node, "content/audiences.yaml", r))
    locales = _load_locales(root, config, problems)
    messages, broken = {}, set()
    for rel, slug in _slugged_files(root, "content/messages", ".md", problems):
        reader = _Reader(rel)
        try:
            message = parse_message(_canonical_source(read_text(root, rel), config), rel, slug, reader,
                                    audiences)
        except ContentError as exc:
            reader.problems.append(exc.problem())
            message = None
        problems.extend(reader.problems)
        if message is not None and not (keep_going and any(q.severity == "error" for q in reader.problems)):
            messages[slug] = message
        else:
            broken.add(slug)
    leaflets = {}
    parts = {"audiences": audiences, "messages": messages, "locales": locales, "broken": broken}
    for rel, slug in _slugged_files(root, "content/leaflets", ".yaml", problems):
        node = _read_yaml_file(root, rel, problems)
        if node is None:
            continue
        reader = _Reader(rel)
        leaflet = parse_leaflet(node, rel, slug, reader, config)
        if leaflet is not None:
            _check_leaflet(leaflet, node, parts, reader)
            leaflets[slug] = leaflet
        problems.extend(reader.problems)
    approvals, unreadable = load_approvals(lambda rel: _optional_text(root, rel, problems), approval_files(root))
    problems += unreadable
    errors = sorted((p for p in problems if p.severity == "error"), key=lambda p: (p.path, p.line))
    if config is None or audiences is None or (errors and not (keep_going and _only_parts(errors))):
        raise ProjectError(errors or problems)
    warnings = tuple(p for p in problems if p.severity == "warning")
    leaflets, failed = split_failed(leaflets, broken, errors)
    return Project(root, config, audiences, messages, leaflets, locales, warnings, failed=failed,
                   unloaded=tuple(errors), approvals=tuple(approvals))


MESSAGES, LEAFLETS = "content/messages/", "content/leaflets/"


def load_problems(project: Project) -> list[Problem]:
    """Every problem of files left out by ``load_project(keep_going=True)``, and of the
    leaflets that fail because of them."""
    found = dict.fromkeys(project.unloaded)
    for reasons in project.failed.values():
        found.update(dict.fromkeys(reasons))
    return list(found)


def _only_parts(errors: list[Problem]) -> bool:
    """Whether every error lies in a message or leaflet file (the rest of the project loads)."""
    return all(p.path.startswith((MESSAGES, LEAFLETS)) for p in errors)


def _paths_slugs(errors: list[Problem], folder: str) -> set[str]:
    """Slugs of the files in ``folder`` that have an error."""
    return {p.path[len(folder):].rpartition(".")[0] for p in errors if p.path.startswith(folder)}


def split_failed(leaflets: dict, broken: set[str], errors: list[Problem]) -> tuple[dict, dict]:
    """``(leaflets that load, {slug: reasons} of those that fail)``: a leaflet fails with its
    own file's errors, or when it lists a message that could not be loaded."""
    bad_leaflets = _paths_slugs(errors, LEAFLETS)
    failed = {slug: tuple(p for p in errors if p.path == f"{LEAFLETS}{slug}.yaml") for slug in sorted(bad_leaflets)}
    for slug, leaflet in leaflets.items():
        if slug in bad_leaflets:
            continue
        used = [m for m in leaflet.messages if m in broken]
        if used:
            failed[slug] = tuple(Problem(
                "message-unloaded", "error", leaflet.path, line,
                _("messages: '{slug}' could not be loaded, so this leaflet cannot be built").format(slug=m),
                _("fix the errors reported in {path}").format(path=f"{MESSAGES}{m}.md"))
                for m, line in zip(leaflet.messages, leaflet.message_lines) if m in broken)
    return {k: v for k, v in leaflets.items() if k not in failed}, dict(sorted(failed.items()))


def approval_files(root: Path) -> list[str]:
    """``content/approvals.yaml`` and every ``locales/<code>/approvals.yaml``."""
    found = [APPROVALS_PATH] if (root / APPROVALS_PATH).is_file() else []
    return found + [p.relative_to(root).as_posix() for p in sorted((root / "locales").glob("*/approvals.yaml"))]


def _optional_text(root: Path, rel: str, problems: list[Problem]) -> str | None:
    try:
        return read_text(root, rel)
    except ContentError as exc:
        problems.append(exc.problem())
        return None


def _canonical_source(text: str, config: Config | None) -> str:
    """A message file in canonical text, with the project's Vietnamese tone style."""
    if config is None:
        return canonical_text(text)
    return canonical_text(text, config.source_locale, config.vi_tone_style)


def _load_one(root: Path, rel: str, problems: list[Problem], parse):
    if not (root / rel).is_file():
        problems.append(Problem("file-missing", "error", rel, 0, _("the file is missing"),
                                _("create {path} (see 'mobcontent init' for an example)").format(path=rel)))
        return None
    before = len(problems)
    node = _read_yaml_file(root, rel, problems)
    if len(problems) > before:  # unreadable: checks against it would only echo the first error
        return None
    reader = _Reader(rel)
    result = parse(node, reader)
    problems.extend(reader.problems)
    return result


def _slugged_files(root: Path, folder: str, suffix: str, problems: list[Problem]):
    """``(relative path, slug)`` of each file in ``folder``, sorted; bad names reported."""
    base = root / folder
    if not base.is_dir():
        return []
    out = []
    for path in sorted(base.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        rel = f"{folder}/{path.name}"
        if path.suffix != suffix:
            problems.append(Problem("file-ignored", "warning", rel, 0,
                                    _("not a {suffix} file, ignored").format(suffix=suffix),
                                    _("rename it to end in {suffix} or move it out of {folder}").format(
                                        suffix=suffix, folder=f"{folder}/")))
            continue
        slug = path.name[:-len(suffix)]
        reader = _Reader(rel)
        if reader.slug(slug, 0, _("file name")):
            out.append((rel, slug))
        problems.extend(reader.problems)
    return out


def _load_locales(root: Path, config: Config | None, problems: list[Problem]) -> dict:
    locales = {}
    base = root / "locales"
    if base.is_dir():
        for path in sorted(base.glob("*/locale.yaml")):
            code = path.parent.name
            rel = f"locales/{code}/locale.yaml"
            reader = _Reader(rel)
            if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", code):
                reader.error(0, "bad-slug", _("'{code}' is not a locale code").format(code=code),
                             _("use a 2- or 3-letter ISO 639 code, e.g. rad, cmo"))
                problems.extend(reader.problems)
                continue
            node = _read_yaml_file(root, rel, problems)
            locale = parse_locale(node, rel, code, reader)
            problems.extend(reader.problems)
            if locale is not None:
                locales[code] = locale
    for code in (config.locales if config else ("vi",)) + ((config.source_locale,) if config else ()):
        if code not in locales:
            locale = cldr_locale(code)
            if locale is None:
                line = config.lines.get("locales", 1) if config else 1
                problems.append(Problem("locale-unknown", "error", "mobcontent.yaml", line,
                                        _("locales: '{code}' is not known to CLDR and has no {path}").format(
                                            code=code, path=f"locales/{code}/locale.yaml"),
                                        _("create {path} with name, plural_forms and letters").format(
                                            path=f"locales/{code}/locale.yaml")))
            else:
                locales[code] = locale
    return dict(sorted(locales.items()))
