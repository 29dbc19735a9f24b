"""Errors the library raises, and the `Problem` record that checks report.

Every error carries where it happened (``path`` and 1-based ``line``), what is
wrong and how to fix it, and prints like a compiler message::

    content/leaflets/x.yaml:4: audience.zone: unknown zone 'krongna' — use one of: krong-na, ea-bung

The library never prints or exits; the command line turns these into output and
exit codes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .i18n import N_, _
from .text import visible

SEVERITIES = {"error": N_("error"), "warning": N_("warning")}  # shown translated; JSON keeps the code


@dataclass(frozen=True)
class Problem:
    """One finding: a stable ``code``, a severity, a place, a message and a hint."""

    code: str
    severity: str  # "error" | "warning"
    path: str
    line: int
    message: str
    hint: str = ""
    column: int = field(default=0, compare=False)  # 1-based, 0 = unknown; for the preview's caret, not in JSON

    def format(self) -> str:
        """Render as ``path:line: severity: code: message — hint`` (the severity word in
        the interface language, the code never translated)."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        severity = _(SEVERITIES[self.severity]) if self.severity in SEVERITIES else self.severity
        text = f"{where}: {severity}: {self.code}: {self.message}" if where else f"{severity}: {self.code}: {self.message}"
        return visible(f"{text} — {self.hint}" if self.hint else text)

    def with_severity(self, severity: str) -> Problem:
        """This finding said as ``severity`` (itself when it already is one): what
        :func:`dataclasses.replace` makes, without its work for each field (a build
        with thousands of check findings makes as many copies, while its workers render).

        >>> from dataclasses import replace
        >>> found = Problem("x", "error", "a.po", 3, "m", "h", column=2)
        >>> found.with_severity("warning")
        Problem(code='x', severity='warning', path='a.po', line=3, message='m', hint='h', column=2)
        >>> copy = found.with_severity("warning")
        >>> copy == replace(found, severity="warning"), hash(copy) == hash(replace(found, severity="warning"))
        (True, True)
        >>> found.with_severity("error") is found, found.severity
        (True, 'error')
        """
        if severity == self.severity:
            return self
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__, severity=severity)
        return copy

    def as_json(self) -> dict:
        return {"code": self.code, "severity": self.severity, "path": self.path,
                "line": self.line, "message": self.message, "hint": self.hint}


class MobcontentError(Exception):
    """Base error: something the user must fix, with where and how."""

    code = "error"

    def __init__(self, message: str, path: str = "", line: int = 0, hint: str = "",
                 code: str | None = None, column: int = 0):
        super().__init__(message)
        self.column = column
        self.message = message
        self.path = str(path)
        self.line = line
        self.hint = hint
        if code:
            self.code = code

    def problem(self) -> Problem:
        return Problem(self.code, "error", self.path, self.line, self.message, self.hint, self.column)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.line else (f"{self.path}: " if self.path else "")
        return visible(f"{where}{self.message}" + (f" — {self.hint}" if self.hint else ""))


class ContentError(MobcontentError):
    """A content file (YAML, Markdown, PO) cannot be read or is invalid."""

    code = "content-invalid"


class ProjectError(MobcontentError):
    """The project cannot be loaded; holds every problem found, not just the first."""

    code = "project-invalid"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        first = self.problems[0] if self.problems else None
        super().__init__(_("{count} problem(s) in the project").format(count=len(self.problems)),
                         first.path if first else "", first.line if first else 0)

    def __str__(self) -> str:
        return "\n".join(p.format() for p in self.problems)


class BuildError(MobcontentError):
    """A leaflet could not be built (render, print or write failed)."""

    code = "build-failed"


class UsageError(MobcontentError):
    """The command was asked for something that does not exist (a leaflet, a locale)."""

    code = "usage"
