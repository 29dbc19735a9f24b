"""Checks: plain functions that return problems with stable codes, and the runner that
collects them. May import pipeline, content, formats, printing and base; never l10n.
(Until issue 11 lands, the names below are re-exported so ``mobcontent.checks`` works
as the flat module did.)
"""
from .runner import (CHECKS, check_canonical_text, check_empty_leaflets, check_glyphs, check_leaflet_locales,  # noqa: F401
                     check_links, check_translations, check_variables, run_checks)
