"""Terminology checks against the per-locale glossary (``locales/<code>/glossary.yaml``)
and across a locale's PO files.

- ``glossary-term`` (warning; an error with ``--strict``): a translated entry whose
  source holds a glossary term but whose translation lacks the approved equivalent, or
  uses one of the term's forbidden variants.
- ``inconsistent-translation`` (warning): the same Vietnamese sentence (no msgctxt)
  translated two different ways in one locale; each later variant names the first.
- ``glossary-invalid`` (error): the glossary file itself cannot be read.
"""
from __future__ import annotations

from typing import Iterable

from ..base.canonical import canonical_text
from ..base.errors import Problem
from ..base.i18n import _
from ..base.model import Project
from ..content.glossary import Glossary, contains_word, read_glossary
from ..content.settings import target_locales
from ..formats import po as _po
from .orthography import readable_catalogs


def entry_terms(entry: _po.Entry, glossary: Glossary, rel: str) -> list[Problem]:
    """``glossary-term`` findings of one translated entry."""
    out = []
    for term in glossary.terms_in(entry.msgid):
        if term.translation and not contains_word(entry.msgstr, term.translation):
            out.append(Problem("glossary-term", "warning", rel, entry.line, _(
                "the source has '{term}' but the translation lacks its approved translation '{translation}'").format(
                term=term.term, translation=term.translation),
                _("use '{translation}' (see {path}), or ask to change the glossary").format(
                    translation=term.translation, path=glossary.path)))
        for variant in term.forbidden:
            if contains_word(entry.msgstr, variant):
                out.append(Problem("glossary-term", "warning", rel, entry.line, _(
                    "the translation uses '{variant}', a variant the glossary forbids for '{term}'").format(
                    variant=variant, term=term.term),
                    _("write '{translation}' instead").format(translation=term.translation or "?")))
    return out


def check_glossary(project: Project) -> Iterable[Problem]:
    """Glossary terms kept, forbidden variants avoided, one translation per sentence."""
    source, tone = project.config.source_locale, project.config.vi_tone_style
    for code in target_locales(project):
        glossary = read_glossary(project, code)
        yield from glossary.problems
        seen: dict[str, tuple[str, str, int]] = {}  # sentence -> (translation, path, line)
        for rel, po in readable_catalogs(project, code):
            for entry in po.entries:
                if not entry.translated or entry.fuzzy or entry.obsolete or entry.msgid_plural is not None:
                    continue
                yield from entry_terms(entry, glossary, rel)
                if entry.msgctxt is not None:
                    continue  # a context says the meaning differs (audiences, leaflets, layouts)
                key = canonical_text(entry.msgid, source, tone)
                text = canonical_text(entry.msgstr.strip(), code)
                first = seen.setdefault(key, (text, rel, entry.line))
                if first[0] != text:
                    yield Problem("inconsistent-translation", "warning", rel, entry.line, _(
                        "this sentence is translated differently in {path}:{line} (“{other}”)").format(
                        path=first[1], line=first[2], other=_short(first[0])),
                        _("use one translation for the same sentence, or say why in a translator comment"))


def _short(text: str) -> str:
    return text if len(text) <= 50 else text[:47] + "…"
