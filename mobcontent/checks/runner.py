"""The check runner: every check of ``mobcontent check``, problems sorted and
without duplicates.
"""
from __future__ import annotations

from typing import Callable, Iterable

from ..base.errors import Problem
from ..base.files import reading_once
from ..base.model import Project
from ..pipeline.catalogs import keep_catalogs
from .approvals import (
    APPROVAL_CHECKS,  # not-approved, approval-stale, approval-unrecorded, translation-not-reviewed
    check_approvals,
)
from .content import (
    check_empty_leaflets,
    check_leaflet_locales,
    check_variables,
)
from .customs import CUSTOMS_CHECKS
from .glossary import check_glossary
from .glyphs import check_glyphs
from .hygiene import check_hygiene
from .links import check_links
from .orthography import check_orthography
from .privacy import check_personal_numbers
from .translations import check_canonical_text, check_translations
from .typography import check_typography

CHECKS: list[Callable[[Project], Iterable[Problem]]] = [
    check_variables, *APPROVAL_CHECKS, check_leaflet_locales, check_empty_leaflets, check_glyphs,
    check_translations, check_canonical_text, check_hygiene, check_links, *CUSTOMS_CHECKS, check_orthography,
    check_glossary, check_typography, check_personal_numbers,
]

#: The checks that take next to no time (they read nothing but the loaded project): a build runs them before it
#: starts its workers, so every job knows their findings (the approvals: they make an
#: edition a draft; each job finds the reviews of its translations itself). The others
#: (:data:`SLOW_CHECKS`) run in the pool beside the first renders.
QUICK_CHECKS: list[Callable[[Project], Iterable[Problem]]] = [
    check_approvals, check_leaflet_locales, check_empty_leaflets,
]
SLOW_CHECKS = [check for check in CHECKS if check not in QUICK_CHECKS]
#: The checks that read what the last build wrote (``build/``): their findings depend on
#: more than the project's own files, so they are never remembered between runs. A build
#: does not run them: it finds the same things itself, fresh.
BUILD_OUTPUT_CHECKS = [check_typography]
#: What a build runs in its pool beside the first renders: the quick ones again too, so
#: that ``check`` and ``build`` ask for the same findings (remembered between them).
BUILD_CHECKS = [check for check in CHECKS if check not in BUILD_OUTPUT_CHECKS]


def run_checks(project: Project, checks=None) -> list[Problem]:
    """Run every check; problems sorted by path, line and code, duplicates dropped."""
    found = set(project.warnings)
    with reading_once():  # the checks read the same files: each is read from the disk once
        for check in checks or CHECKS:
            found.update(check(project))
    keep_catalogs(project.root)  # those the checks built, for the next build or check
    return sorted(found, key=lambda p: (p.path, p.line, p.code, p.message))


def problem_counts(problems) -> dict[str, int]:
    """``{"error": n, "warning": n}``: what ``check`` prints and puts in its JSON."""
    return {"error": sum(p.severity == "error" for p in problems),
            "warning": sum(p.severity == "warning" for p in problems)}
