"""The ``personal-number`` check: leaflets carry only public numbers, never a person's.

DESIGN.md: the library stores messages, never people. A phone number that is not a
public one (113, 111, 114, 115, 1022, and those listed under ``public_contacts`` in
``mobcontent.yaml``), an e-mail address not listed there, and a number shaped like an
identity card (9 or 12 digits) are reported at their line: a warning in a draft (the
leaflet prints marked DRAFT) and an error in a release (``RELEASE_ERRORS``).

>>> [kind for kind, _text in find_personal("Gọi 113 hoặc 0912 345 678, thư: a.b@gmail.com", set())]
['email', 'phone']
>>> find_personal("Số CCCD 001203004567, năm 2026, mã 12345", set())
[('id', '001203004567')]
"""
from __future__ import annotations

import re
from typing import Iterable

from ..base.errors import ContentError, Problem
from ..base.files import read_text
from ..base.i18n import N_, _
from ..base.model import Project

PUBLIC_NUMBERS = ("113", "111", "114", "115", "1022")
RELEASE_ERRORS = frozenset({"personal-number"})  # warnings in a draft, errors in a release
PHONE_RE = re.compile(r"(?<![\w+])(?:\+84|0)(?:[ .\-]?\d){8,10}(?![\w])")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Nine digits, each pair at most one space, dot or hyphen apart: every phone number and
#: ID-card number above holds such a run.
NINE_DIGITS_RE = re.compile(r"\d(?:[ .\-]?\d){8}")
ID_RE = re.compile(r"(?<!\w)(?<!\d[.,-])(?:\d{12}|\d{9})(?!\w|[.,-]\d)")
KINDS = {"phone": N_("the phone number {text} is not a public number"),
         "email": N_("the e-mail address {text} is not a public address"),
         "id": N_("{text} looks like an identity card number")}


def digits(text: str) -> str:
    """Only the digits of a number, ``+84`` read as ``0``: how numbers are compared."""
    text = text.strip()
    if text.startswith("+84"):
        text = "0" + text[3:]
    return re.sub(r"\D", "", text)


def find_personal(line: str, allowed: set[str]) -> list[tuple[str, str]]:
    """``(kind, text)`` of each phone number, e-mail address or ID-card-like number of
    ``line`` that is not in ``allowed`` (digits of numbers, lower-case addresses)."""
    found = []
    for match in EMAIL_RE.finditer(line):
        if match.group(0).lower() not in allowed:
            found.append(("email", match.group(0)))
    rest = EMAIL_RE.sub(" ", line)
    for match in PHONE_RE.finditer(rest):
        number = digits(match.group(0))
        if number not in allowed and len(number) in (10, 11):
            found.append(("phone", match.group(0)))
    rest = PHONE_RE.sub(" ", rest)
    found += [("id", m.group(0)) for m in ID_RE.finditer(rest) if m.group(0) not in allowed]
    return found


def check_personal_numbers(project: Project) -> Iterable[Problem]:
    """Phone numbers, e-mail addresses and ID-card-like numbers that are not public,
    in messages, leaflets, audiences and translations, each at its line."""
    allowed = {digits(c) if "@" not in c else c.lower() for c in (*PUBLIC_NUMBERS, *project.config.public_contacts)}
    for rel in _scanned_files(project):
        try:
            text = read_text(project.root, rel)
        except ContentError:
            continue  # unreadable files are reported by the load and the translation checks
        if "@" not in text and not NINE_DIGITS_RE.search(text):
            continue  # no address, and no run of nine digits: nothing any pattern could find
        for number, line in enumerate(text.splitlines(), 1):
            for kind, found in find_personal(line, allowed):
                yield Problem("personal-number", "warning", rel, number, _(KINDS[kind]).format(text=found),
                              _("print only public numbers and addresses (113, 111, 114, 115, 1022, an office); "
                                "list a public one under public_contacts in mobcontent.yaml"))


def _scanned_files(project: Project) -> list[str]:
    files = [m.path for m in project.messages.values()] + [leaflet.path for leaflet in project.leaflets.values()]
    files.append(project.audiences.path)
    locales = project.root / "locales"
    if locales.is_dir():
        files += sorted(p.relative_to(project.root).as_posix() for p in locales.rglob("*.po") if p.is_file())
    return files
