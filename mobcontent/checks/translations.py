"""Checks of PO files and source text: placeholders, markup, links and numbers kept,
``msgfmt -c`` findings, and canonical text (NFC, look-alikes, legacy encodings).
"""
from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Iterable

from ..base.canonical import find_fixes
from ..base.errors import ContentError, Problem
from ..base.files import read_at, read_text, user_cache_dir, write_atomic
from ..base.i18n import N_, _, language
from ..base.model import Project
from ..content.settings import target_locales
from ..formats import po as _po
from ..formats.markdown import markdown_limits
from ..pipeline.layout import draft_label_problem
from ..pipeline.translate import PLACEHOLDER_RE


def check_translations(project: Project) -> Iterable[Problem]:
    """PO files: readable, ``msgfmt -c`` clean, placeholders, markup, links, numbers kept,
    canonical text (see :func:`mobcontent.checks.translations.translation_problems`)."""
    return translation_problems(project)


def check_canonical_text(project: Project) -> Iterable[Problem]:
    """Source text that canonical text fixes on read (or cannot fix: legacy font encodings)."""
    return source_text_problems(project)


# --------------------------------------------------------------------------- checks

MARKUP_RE = re.compile(r"\*\*|__|(?<!\*)\*(?!\*)|(?<!_)_(?!_)|`")
LINK_RE = re.compile(r"\[[^\]]*\]\(([^)\s]*)\)")
URL_RE = re.compile(r"(?:https?|ftp|mailto):[^\s)>\]]+|www\.[^\s)>\]]+")
NUMBER_RE = re.compile(r"\d+(?:[.,\s]\d+)*")


def translation_problems(project: Project, msgfmt: str | None = "auto") -> list[Problem]:
    """Problems in every PO file of every translated locale, each with a stable code."""
    import shutil
    tool = shutil.which("msgfmt") if msgfmt == "auto" else msgfmt
    problems: list[Problem] = []
    for code in target_locales(project):
        base = project.root / "locales" / code / "LC_MESSAGES"
        paths = sorted(base.glob("*.po")) + sorted(base.glob("messages/*.po")) if base.is_dir() else []
        for path in paths:
            rel = path.relative_to(project.root).as_posix()
            try:
                po = _po.read_po(read_at(path, rel), rel)
            except ContentError as exc:
                problems.append(exc.problem())
                continue
            problems.extend(po.warnings)
            for entry in po.entries:
                if not entry.obsolete and entry.translated and entry.msgid_plural is None:
                    problems.extend(entry_problems(entry, rel, code))
            if tool:
                problems.extend(msgfmt_problems(tool, path, rel, user_cache_dir("msgfmt")))
    return problems


def entry_problems(entry: _po.Entry, rel: str, locale: str) -> list[Problem]:
    """The checks of one translated entry (fuzzy ones only for canonical text)."""
    out = []

    def add(code: str, severity: str, message: str, hint: str) -> None:
        out.append(Problem(code, severity, rel, entry.msgstr_line or entry.line, message, hint))

    for fix in find_fixes(entry.msgstr, locale):
        add(fix.code, fix.severity, _("translation: {message}").format(message=fix.message), fix.hint)
    for limit in markdown_limits(entry.msgstr):
        add(limit.code, "error", limit.message, limit.hint)
        return out  # nothing else may parse it
    if entry.fuzzy:
        return out
    if entry.msgctxt == "layout.draft" and (problem := draft_label_problem(entry.msgstr)):
        add("draft-mark-invalid", "error", problem,
            _("translate BẢN NHÁP with the word for 'draft' in this language; it is printed beside the Vietnamese"))
    source, text = entry.msgid, entry.msgstr
    wanted = _names(source)
    have = _names(text)
    for name in sorted(set(wanted) - set(have)):
        add("placeholder-missing", "error", _("the translation lacks {variable}").format(variable="{" + name + "}"),
            _("copy {variable} into the translation exactly as in the source").format(variable="{" + name + "}"))
    for name in sorted(set(have) - set(wanted)):
        add("placeholder-added", "error",
            _("the translation has {variable}, which the source does not").format(variable="{" + name + "}"),
            _("remove it, or write {{ and }} for literal braces"))  # no .format(): shown as written
    if sorted(LINK_RE.findall(source)) != sorted(LINK_RE.findall(text)) or \
            sorted(URL_RE.findall(LINK_RE.sub("", source))) != sorted(URL_RE.findall(LINK_RE.sub("", text))):
        add("url-changed", "error", _("a link target or web address differs from the source"),
            _("keep every (https://…) and web address exactly as in the source"))
    if sorted(MARKUP_RE.findall(_apostrophes(source))) != sorted(MARKUP_RE.findall(_apostrophes(text))) or \
            len(LINK_RE.findall(source)) != len(LINK_RE.findall(text)):
        add("markup-changed", "warning",
            _("Markdown markup (**bold**, *italic*, [links](…)) differs from the source"),
            _("keep the same ** and [text](link) marks around the translated words"))
    missing = missing_numbers(source, text)
    if missing:
        add("number-missing", "warning",
            _("number(s) {numbers} of the source are not in the translation").format(numbers=", ".join(missing)),
            _("carry numbers and phone numbers over unchanged"))
    if text == source and len(source.split()) >= 4:
        add("translation-identical", "warning", _("the translation is the source text unchanged"),
            _("translate it, or leave the msgstr empty until it is translated"))
    elif len(source) >= 20 and not 0.4 <= len(text) / len(source) <= 2.5:
        add("length-ratio", "warning",
            _("the translation is {ratio} times as long as the source").format(ratio=f"{len(text) / len(source):.1f}"),
            _("check nothing is missing or repeated"))
    return out


def _names(text: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER_RE.finditer(text) if m.group(1)]


def _apostrophes(text: str) -> str:
    """A backtick between letters reads as an apostrophe (N`Trang), not as code markup."""
    return BACKTICK_APOSTROPHE_RE.sub("\u2019", text)


BACKTICK_APOSTROPHE_RE = re.compile(r"(?<=[^\W\d_])`(?=[^\W\d_])")


def _numbers(text: str) -> list[list[str]]:
    """Each number as its digit groups: ``"0262 3852 123"`` → ``[["0262", "3852", "123"]]``."""
    plain = URL_RE.sub(" ", LINK_RE.sub(" ", PLACEHOLDER_RE.sub(" ", text)))
    return [re.split(r"[.,\s]", n) for n in NUMBER_RE.findall(plain)]


def missing_numbers(source: str, text: str) -> list[str]:
    """Numbers of ``source`` not in ``text``, compared as multisets: a number is found when
    the translation has it whole (``1.000`` = ``1000``) or as a run of digit groups inside a
    longer number (``114`` in ``… 150 114.``); each number of the translation counts once.

    >>> missing_numbers("Gọi 114.", "Hơi 150 114."), missing_numbers("113 và 113", "113")
    ([], ['113'])
    """
    pool = _numbers(text)
    missing = []
    for groups in _numbers(source):
        wanted = "".join(groups)
        if not _take_number(pool, wanted):
            missing.append(wanted)
    return missing


def _take_number(pool: list[list[str]], wanted: str) -> bool:
    """Remove ``wanted`` from ``pool`` (a whole number, else a run of groups); True if found."""
    for index, groups in enumerate(pool):
        if "".join(groups) == wanted:
            del pool[index]
            return True
    for index, groups in enumerate(pool):
        for start in range(len(groups)):
            for end in range(start + 1, len(groups) + 1):
                if "".join(groups[start:end]) == wanted:
                    pool[index:index + 1] = [g for g in (groups[:start], groups[end:]) if g]
                    return True
    return False


def msgfmt_problems(tool: str, path: Path, rel: str, cache_dir: Path | None = None) -> list[Problem]:
    """What ``msgfmt -c`` says about a PO file, as problems (code ``po-msgfmt``).

    With ``cache_dir`` (the user's cache, never the project: a cache that arrives with
    the project could hide an error), the answer is kept under the sha256 of the file's
    bytes: a project of a thousand PO files pays the thousand processes once, not every check.
    """
    import hashlib
    import json
    if cache_dir is not None:
        digest = hashlib.sha256(read_at(path, rel) + f"\0{rel}\0{tool}\0{language()}".encode()).hexdigest()
        cached = cache_dir / f"{digest}.json"
        try:
            return [Problem(**p) for p in json.loads(cached.read_text(encoding="utf-8"))]
        except (OSError, ValueError, TypeError):
            pass
        problems = msgfmt_problems(tool, path, rel)
        with contextlib.suppress(OSError):
            write_atomic(cached, json.dumps([p.as_json() for p in problems], ensure_ascii=False).encode("utf-8"))
        return problems
    import subprocess
    data = read_at(path, rel)
    if data.startswith(_po.BOM):  # msgfmt reads a BOM as a syntax error; it is reported as po-bom instead
        data = data[len(_po.BOM):]
    try:
        # msgfmt speaks the user's language too: run it in the C locale so its output parses the same everywhere
        run = subprocess.run([tool, "-c", "-o", os.devnull, "-"], input=data, capture_output=True,
                             timeout=60, env={**os.environ, "LC_ALL": "C.UTF-8", "LANGUAGE": ""})
    except (OSError, subprocess.TimeoutExpired):
        return []
    run = subprocess.CompletedProcess(run.args, run.returncode, "", run.stderr.decode("utf-8", "replace"))
    out = []
    for line in run.stderr.splitlines():
        match = re.match(r"^(.*?):(\d+): (.*)$", line)
        if match and "warning" not in match.group(3):
            what, fix = msgfmt_kind(match.group(3))
            out.append(Problem("po-msgfmt", "error", rel, int(match.group(2)), "msgfmt -c: " + what, fix))
    if run.returncode != 0 and not out:
        out.append(Problem("po-msgfmt", "error", rel, 0, _("msgfmt -c rejects the file"),
                           _("run 'msgfmt -c' on it to see why")))
    return out


# msgfmt's findings by kind (matched in its C-locale words, never shown) and what a translator reads.
MSGFMT_KINDS = (
    (("format specification", "format specifications", "number of format"),
     N_("the names in braces differ between the source text and the translation"),
     N_("copy every name in braces from the msgid into the msgstr unchanged")),
    (("do not both begin with", "do not both end with"),
     N_("the source text and the translation must both begin (and end) with a line break, or neither"),
     N_("add or remove the line break at the start or end of the msgstr")),
    (("header field",), N_("a header field of the PO file is missing or wrong"),
     N_("let 'mobcontent update' rewrite the header, or copy it from another PO file of the locale")),
    (("plural", "nplurals"), N_("the plural forms of the file are wrong"),
     N_("write Plural-Forms: nplurals=1; plural=0; in the header")),
    (("duplicate message definition",), N_("this entry is in the file twice"),
     N_("delete one of the two entries (keep the better translation)")),
    (("syntax error", "end-of-line within string", "missing", "keyword", "invalid control sequence"),
     N_("the PO file is not written correctly here (a quote, a keyword or a line is wrong)"),
     N_("compare this entry with one that works: msgid \"...\" then msgstr \"...\", each on its own line")),
    (("invalid multibyte", "charset"), N_("the file is not saved as UTF-8"),
     N_("save it again with the encoding UTF-8")),
)


def msgfmt_kind(text: str) -> tuple[str, str]:
    """``(what is wrong, how to fix it)`` for one finding of ``msgfmt -c``, in the interface language.

    >>> msgfmt_kind("'msgid' and 'msgstr' entries do not both end with '\\n'")[0]
    'the source text and the translation must both begin (and end) with a line break, or neither'
    """
    for starts, what, fix in MSGFMT_KINDS:
        if any(word in text for word in starts):
            return _(what), _(fix)
    return _("msgfmt -c rejects this entry"), _("fix the entry at this line (msgfmt checks placeholders and the header)")


YAML_VALUE_RE = re.compile(r"^\s*(?:-\s+)?[\w-]+:\s+(?![{\[|>&*!])(.+?)\s*$")


def source_text_problems(project: Project) -> list[Problem]:
    """Canonical-text findings in the source files, line by line: message bodies and
    titles, and plain ``key: value`` lines of the YAML files."""
    source, tone = project.config.source_locale, project.config.vi_tone_style
    out = []
    files = [m.path for m in project.messages.values()] + [project.audiences.path, project.config.path]
    files += [leaflet.path for leaflet in project.leaflets.values()]
    for rel in files:
        try:
            text = read_text(project.root, rel)
        except ContentError:
            continue
        for number, value in _text_lines(text, rel.endswith(".md")):
            for fix in find_fixes(value, source, tone):
                out.append(Problem(fix.code, fix.severity, rel, number, fix.message, fix.hint))
    return out


def _text_lines(text: str, markdown: bool):
    """``(line number, text)`` of the lines that hold text a reader sees."""
    lines = text.split("\n")
    in_front = markdown and lines[:1] == ["---"]
    in_code = False
    for number, line in enumerate(lines, start=1):
        if markdown and number > 1 and in_front and line.rstrip() in ("---", "..."):
            in_front = False
            continue
        if markdown and not in_front:
            if line.lstrip().startswith(("```", "~~~")):
                in_code = not in_code
            if not in_code and not line.lstrip().startswith(":::"):
                yield number, line
            continue
        if line.lstrip().startswith("#"):
            continue
        match = YAML_VALUE_RE.match(line)
        if match:
            yield number, match.group(1).strip("'\"")
