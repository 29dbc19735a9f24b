"""Approval checks: a message prints as ready only when its current text is approved,
and (where the project asks for it) every translation entry it prints was reviewed.

- ``not-approved``: the message's status is not ``approved``;
- ``approval-unrecorded``: ``status: approved``, but no record of who approved it;
- ``approval-stale``: approved once, changed since (the problem says what changed);
- ``translation-not-reviewed``: a locale in ``review_translations`` prints a
  translation nobody reviewed, or one changed since its review (one problem per entry).

They are warnings for ``mobcontent check`` and draft reasons for a build: an edition
that prints such a message carries the DRAFT mark, and ``--release`` refuses it
(:data:`DRAFT_CODES` is the hook the build uses). Records are read and written by
:mod:`mobcontent.content.approvals`; this module adds what needs the translations.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..base.errors import MobcontentError, Problem, UsageError
from ..base.i18n import _
from ..base.model import Approval, Message, Project
from ..content.approvals import (
    APPROVALS_PATH,
    append_records,
    approve_messages,
    approved_text,
    change_summary,
    entries_digest,
    entry_sha256,
    find_messages,
    message_approval,
    printable_source,
    review_path,
)
from ..content.audience import leaflet_messages
from ..pipeline.translate import (
    TranslatedMessage,
    catalog_path,
    read_catalog,
    translate_message,
)

DRAFT_CODES = frozenset({"not-approved", "approval-stale", "approval-unrecorded", "translation-not-reviewed"})


@dataclass(frozen=True)
class Entry:
    """One translation entry a message prints: its text, state and place, and its hash."""

    msgid: str
    msgstr: str
    state: str  # translated | fuzzy | missing
    path: str
    line: int
    sha256: str = ""


@dataclass(frozen=True)
class TranslationReview:
    """Whether a message's translation in one locale was reviewed as it is now:
    ``reviewed``, ``changed`` (entries changed since the review), ``not-reviewed``, or
    ``incomplete`` (fuzzy or missing entries: nothing to review yet)."""

    message: Message
    locale: str
    state: str
    required: bool
    entries: tuple[Entry, ...]
    unreviewed: tuple[Entry, ...]  # translated entries whose text no review covers
    records: tuple[Approval, ...]  # reviews covering at least one current entry
    history: tuple[Approval, ...]  # every review of the message in this locale


def entries_of(translated: TranslatedMessage) -> list[Entry]:
    """The catalog entries a translated message prints (texts without letters and no
    entry need none), each with its hash when translated."""
    texts = [translated.title, translated.summary, *translated.texts.values()]
    entries = []
    for text in texts:
        if text is None:
            continue
        path, _sep, line = text.origin.rpartition(":")
        if text.state in ("fuzzy", "missing"):
            entries.append(Entry(text.source, "", text.state, path, int(line) if line.isdigit() else 0))
        elif text.state == "translated" and path.startswith("locales/"):
            entries.append(Entry(text.source, text.text, "translated", path, int(line) if line.isdigit() else 0,
                                 entry_sha256("", text.source, text.text)))
    return entries


def message_entries(project: Project, message: Message, locale: str) -> list[Entry]:
    """The entries ``message`` prints in ``locale``, read from its PO file."""
    domain = f"messages/{message.slug}"
    path = catalog_path(project.root, locale, domain)
    catalog = read_catalog(path, path.relative_to(project.root).as_posix(), locale, project.config.source_locale,
                           project.config.vi_tone_style)
    return entries_of(translate_message(message, catalog, locale, project.config.source_locale))


def review_required(project: Project, locale: str) -> bool:
    """Whether the project asks for reviewed translations in ``locale`` (default: every target)."""
    wanted = project.config.review_translations
    return locale != project.config.source_locale and (wanted is None or locale in wanted)


def translation_review(project: Project, message: Message, locale: str,
                       entries: list[Entry] | None = None) -> TranslationReview:
    """The review state of ``message`` in ``locale`` against ``locales/<code>/approvals.yaml``."""
    entries = tuple(message_entries(project, message, locale) if entries is None else entries)
    history = tuple(a for a in project.approvals if a.locale == locale and a.message == message.slug)
    reviewed = {digest for record in history for digest in record.entries}
    translated = [e for e in entries if e.state == "translated"]
    unreviewed = tuple(e for e in translated if e.sha256 not in reviewed)
    current = {e.sha256 for e in translated}
    records = tuple(a for a in history if current & set(a.entries))
    if len(translated) < len(entries):
        state = "incomplete"
    elif not history and translated:
        state = "not-reviewed"
    else:
        state = "changed" if unreviewed else "reviewed"
    return TranslationReview(message, locale, state, review_required(project, locale), entries, unreviewed,
                             records, history)


def printed_messages(project: Project) -> dict[str, set[str]]:
    """Each message some leaflet prints, with the locales it is printed in."""
    found: dict[str, set[str]] = {}
    for leaflet in project.leaflets.values():
        locales = set(leaflet.locales) | set(leaflet.bilingual)
        for message in leaflet_messages(project, leaflet):
            found.setdefault(message.slug, set()).update(locales)
    return dict(sorted(found.items()))


# --------------------------------------------------------------------------- the checks

def check_approvals(project: Project) -> Iterable[Problem]:
    """``not-approved``, ``approval-unrecorded``, ``approval-stale`` for each printed message."""
    for slug in printed_messages(project):
        message = project.messages[slug]
        state = message_approval(project, message)
        where = (message.path, message.status_line or message.line)
        approve = f'mobcontent approve {slug} --by "…"'
        if state.state == "not-approved":
            yield Problem("not-approved", "warning", *where,
                          _("message '{slug}' is '{status}', not approved: it prints as DRAFT").format(
                              slug=slug, status=message.status),
                          _("once it is approved, record who approved it: {command}").format(command=approve))
        elif state.state == "unrecorded":
            yield Problem("approval-unrecorded", "warning", *where,
                          _("message '{slug}' says 'status: approved', but {path} has no approval of its text").format(
                              slug=slug, path=APPROVALS_PATH),
                          _("the person who approves it records it: {command}").format(command=approve))
        elif state.state == "stale":
            yield Problem("approval-stale", "warning", *where, _stale_message(state),
                          _("see the changes: mobcontent show {slug} --since-approval; then approve it again: "
                            "{command}").format(slug=slug, command=approve))


def _stale_message(state) -> str:
    last = state.last
    before = approved_text(state)
    changes = change_summary(before.text, printable_source(state.message)) if before else ""
    text = _("message '{slug}' changed since {by} approved it on {date}").format(
        slug=state.message.slug, by=last.by, date=last.date)
    return f"{text}: {changes}" if changes else text


def check_reviews(project: Project) -> Iterable[Problem]:
    """``translation-not-reviewed`` for each printed entry no review covers, in the
    locales the project wants reviewed."""
    for slug, locales in printed_messages(project).items():
        message = project.messages[slug]
        for locale in sorted(locales):
            if not review_required(project, locale):
                continue
            try:
                review = translation_review(project, message, locale)
            except MobcontentError:
                continue  # an unreadable PO file: the translation checks report it
            yield from _review_problems(project, review)


def _review_problems(project: Project, review: TranslationReview) -> Iterable[Problem]:
    slug, locale = review.message.slug, review.locale
    approve = f'mobcontent approve --locale {locale} {slug} --by "…"'
    hint = _("a competent speaker checks the translation, then records it: {command}").format(command=approve)
    if not review.history:
        if review.unreviewed:
            po = catalog_path(project.root, locale, f"messages/{slug}").relative_to(project.root).as_posix()
            yield Problem("translation-not-reviewed", "warning", po, review.unreviewed[0].line,
                          _("{locale}: the translation of message '{slug}' was never reviewed ({count} entries)").format(
                              locale=locale, slug=slug, count=len(review.unreviewed)), hint)
        return
    last = review.history[-1]
    for entry in review.unreviewed:
        yield Problem("translation-not-reviewed", "warning", entry.path, entry.line,
                      _("{locale}: '{text}' changed since {by} reviewed message '{slug}' on {date}").format(
                          locale=locale, text=_short(entry.msgid), by=last.by, slug=slug, date=last.date), hint)


def _short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


APPROVAL_CHECKS = [check_approvals, check_reviews]


# --------------------------------------------------------------------------- recording a review

def approve(project: Project, slugs, by: str, date: str, note: str = "",
            locale: str | None = None) -> tuple[list[Approval], list[Entry]]:
    """``mobcontent approve``: the source text of each message, or (``locale``) a review of
    its translation. Returns the records written and the entries that refused a review."""
    if locale:
        return approve_translations(project, locale, slugs, by, date, note)
    return approve_messages(project, slugs, by, date, note), []


def approve_translations(project: Project, locale: str, slugs, by: str, date: str,
                         note: str = "") -> tuple[list[Approval], list[Entry]]:
    """Record a review of each message's entries in ``locale``. Refused (nothing written)
    while an entry is fuzzy or missing: returns ``([], those entries)``; else the records
    written (a message whose entries ``by`` already reviewed gets none)."""
    if locale == project.config.source_locale or locale not in project.config.locales:
        targets = [c for c in project.config.locales if c != project.config.source_locale]
        raise UsageError(_("'{locale}' is not a target locale of the project").format(locale=locale),
                         hint=_("use one of: {values}").format(values=", ".join(targets)))
    if not by.strip():
        raise UsageError(_("--by is empty"), hint=_("say who reviewed: a role or a name"))
    records, refused = [], []
    for message in find_messages(project, slugs):
        entries = message_entries(project, message, locale)
        refused += [e for e in entries if e.state != "translated"]
        hashes = tuple(sorted({e.sha256 for e in entries if e.sha256}))
        done = {d for a in project.approvals if a.locale == locale and a.message == message.slug
                and a.by == by.strip() for d in a.entries}
        if hashes and not set(hashes) <= done:
            records.append(Approval(message.slug, entries_digest(hashes), by.strip(), date, review_path(locale), 0,
                                    note.strip(), locale, entries=hashes))
    if refused:
        return [], refused
    if records:
        append_records(project.root, review_path(locale), records)
    return records, []


# --------------------------------------------------------------------------- traceability

def job_approvals(project: Project, sides) -> list[dict]:
    """The approvals an edition's text rests on (for the manifest): each message's source
    approvals, and the reviews of its translations, as ``{what, message, locale, by, date, sha256}``."""
    source = project.config.source_locale
    found: dict[tuple, dict] = {}
    for side in sides:
        for adapted in side.adapted:
            message = adapted.message
            state = message_approval(project, message)
            for record in state.records if state.state == "approved" else ():
                found.setdefault(("message", message.slug, record.line), _record_json("message", record, source))
            if side.locale == source:
                continue
            review = translation_review(project, message, side.locale, entries_of(adapted.translated))
            if review.state == "reviewed":
                for record in review.records:
                    found.setdefault(("translation", message.slug, side.locale, record.line),
                                     _record_json("translation", record, side.locale))
    return list(found.values())


def job_reviews(project: Project, sides) -> list[Problem]:
    """``translation-not-reviewed`` for what an edition prints (what :func:`check_reviews`
    finds for its messages), from the translations the job already holds: a build knows
    it before the project's checks have run."""
    found = []
    for side in sides:
        if not review_required(project, side.locale):
            continue
        for adapted in side.adapted:
            review = translation_review(project, adapted.message, side.locale, entries_of(adapted.translated))
            found += _review_problems(project, review)
    return found


def _record_json(what: str, record: Approval, locale: str) -> dict:
    return {"what": what, "message": record.message, "locale": locale, "by": record.by, "date": record.date,
            "sha256": record.sha256}


def approvals_report(project: Project) -> dict:
    """``mobcontent approvals --json``: per message and locale, what is approved, stale or missing."""
    source = project.config.source_locale
    targets = [c for c in project.config.locales if c != source]
    rows = []
    for message in project.messages.values():
        state = message_approval(project, message)
        locales = [{"locale": source, "kind": "source", "state": state.state, "required": True,
                    "sha256": state.sha256, "approvals": [_record_json("message", a, source) for a in state.records]}]
        for locale in targets:
            try:
                review = translation_review(project, message, locale)
            except MobcontentError as exc:
                locales.append({"locale": locale, "kind": "translation", "state": "unreadable",
                                "required": review_required(project, locale), "error": str(exc)})
                continue
            locales.append({"locale": locale, "kind": "translation", "state": review.state,
                            "required": review.required, "entries": len(review.entries),
                            "unreviewed": len(review.unreviewed),
                            "approvals": [_record_json("translation", a, locale) for a in review.records]})
        rows.append({"slug": message.slug, "path": message.path, "status": message.status, "locales": locales})
    return {"messages": rows}
