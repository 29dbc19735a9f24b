"""Merging a template into a PO file as ``msgmerge`` does: translations kept,
changed entries fuzzy with their previous msgid, removed ones obsolete.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable

from .model import Entry, PoFile, with_fields

# --------------------------------------------------------------------------- merging

@dataclass
class MergeCounts:
    """What a merge did to one file."""

    new: int = 0  # entries with no translation to offer
    fuzzy: int = 0  # entries given a similar (or moved) translation, marked fuzzy
    obsolete: int = 0  # translated entries no longer in the template, kept as #~
    revived: int = 0  # obsolete entries back in the template
    kept: int = 0  # entries whose translation carried over as it was
    filled: int = 0  # new entries given the same text's reviewed translation from another file


class FuzzyIndex:
    """Finds the closest translated msgid among many, fast.

    A word-bigram index (word unigrams and character trigrams for short texts)
    narrows the candidates to a handful, then rapidfuzz scores only those:
    linear in the number of entries instead of quadratic like Babel's and
    ``msgmerge``'s search.
    """

    def __init__(self, entries: Iterable[tuple[str, object]], cutoff: float = 70.0, candidates: int = 8):
        self.items: list[tuple[str, object]] = []
        self.postings: dict[str, list[int]] = {}
        self.cutoff = cutoff
        self.candidates = candidates
        for text, payload in entries:
            self.add(text, payload)

    def add(self, text: str, payload) -> None:
        index = len(self.items)
        self.items.append((text, payload))
        for token in _tokens(text):
            self.postings.setdefault(token, []).append(index)

    def best(self, text: str, accept=None):
        """``(score, matched text, payload)`` of the best match at or above the cutoff, or None."""
        from rapidfuzz import fuzz

        counts: dict[int, int] = {}
        for token in _tokens(text):
            posting = self.postings.get(token)
            if posting is None or len(posting) > 2000:
                continue  # a token in thousands of entries narrows nothing
            for index in posting:
                counts[index] = counts.get(index, 0) + 1
        ranked = sorted(counts, key=lambda i: (-counts[i], i))[:self.candidates * 4]
        best = None
        for index in ranked:
            candidate, payload = self.items[index]
            if accept is not None and not accept(payload):
                continue
            score = fuzz.ratio(text, candidate, score_cutoff=self.cutoff)
            if score and (best is None or score > best[0]):
                best = (score, candidate, payload)
        return best


def _tokens(text: str) -> set[str]:
    words = re.findall(r"\w+", text.casefold())
    tokens = {f"{a} {b}" for a, b in zip(words, words[1:])}
    if len(words) < 6:
        tokens.update(words)
        if len(text) < 40:
            folded = text.casefold()
            tokens.update("#" + folded[i:i + 3] for i in range(max(1, len(folded) - 2)))
    return tokens


def merge_po(template: PoFile, old: PoFile | None, header: dict[str, str],
             suggest=None, canonical=lambda text: text) -> tuple[PoFile, MergeCounts]:
    """Merge ``template`` into ``old`` (``msgmerge``'s job) and return the new file and counts.

    - an entry in both keeps its translation, translator comments and fuzzy state, and
      takes the template's comments, references and flags;
    - an obsolete ``#~`` entry whose msgid is back is revived;
    - otherwise ``suggest(entry)`` may offer ``(msgid, Entry, same_file[, fuzzy[, note]])``:
      its translation is kept, marked fuzzy (unless ``fuzzy`` is False) with ``#| msgid``
      the text it translated, and ``note`` added as a translator comment;
    - a translated entry no longer in the template becomes obsolete; untranslated ones go.

    ``canonical`` maps msgids before matching (so an NFD msgid still matches). ``header``
    fields are set in the result; every other header field of ``old`` is kept.
    """
    counts = MergeCounts()
    active = {canonical_key(e, canonical): e for e in old.entries if not e.obsolete} if old else {}
    gone = {canonical_key(e, canonical): e for e in old.entries if e.obsolete} if old else {}
    used: set[str] = set()
    entries = []
    for entry in template.entries:
        key = canonical_key(entry, canonical)
        found = active.get(key) or gone.get(key)
        if found is not None and found.translated:
            used.add(key)
            if found.obsolete:
                counts.revived += 1
            else:
                counts.kept += 1
            entries.append(_carry(entry, found, fuzzy=found.fuzzy, previous=found if found.fuzzy else None))
            continue
        if found is not None:
            used.add(key)
        suggestion = suggest(entry) if suggest else None
        if suggestion is not None:
            source, offered, same_file, *more = suggestion
            fuzzy, note = (list(more) + [True, ""])[:2]
            if same_file:
                used.add(canonical_key(offered, canonical))
            if fuzzy:
                counts.fuzzy += 1
            else:
                counts.filled += 1
            carried = _carry(entry, offered, fuzzy=fuzzy, previous=offered if fuzzy else None)
            # translator comments stay with their translation when it moves within the file
            # (a changed source), as msgmerge keeps them; an entry's own comments win
            comments = (found.comments if found is not None and found.comments
                        else offered.comments if same_file else ())
            if note:  # a note from the suggester replaces its own earlier note ("tm: …")
                tag = note.split(" ", 1)[0]
                comments = tuple(c for c in comments if c.split(" ", 1)[0] != tag) + (note,)
            entries.append(replace(carried, comments=comments))
            continue
        if found is None:
            counts.new += 1
        entries.append(replace(entry, comments=found.comments if found is not None else ()))
    obsolete = [e for k, e in gone.items() if k not in used]
    for key, entry in active.items():
        if key in used:
            continue
        if entry.translated:
            counts.obsolete += 1
            obsolete.append(replace(entry, obsolete=True, extracted=(), references=(),
                                    flags=("fuzzy",) if entry.fuzzy else ()))
    base = old if old is not None else template
    merged = PoFile(base.header, tuple(entries) + tuple(obsolete), base.path)
    merged = with_fields(merged, header, order=HEADER_ORDER)
    if old is None:
        merged = replace(merged, header=replace(merged.header, flags=()))
    return merged, counts


HEADER_ORDER = ("Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date", "PO-Revision-Date",
                "Last-Translator", "Language-Team", "Language", "MIME-Version", "Content-Type",
                "Content-Transfer-Encoding", "Plural-Forms", "X-Generator")


def canonical_key(entry: Entry, canonical) -> str:
    msgid = canonical(entry.msgid)
    return f"{entry.msgctxt}\x04{msgid}" if entry.msgctxt is not None else msgid


def _carry(entry: Entry, old: Entry, fuzzy: bool, previous: Entry | None) -> Entry:
    """The template ``entry`` with ``old``'s translation (and its previous msgid when fuzzy)."""
    flags = (("fuzzy",) if fuzzy else ()) + tuple(f for f in entry.flags if f != "fuzzy")
    prev_ctxt = prev_id = prev_plural = None
    if previous is not None:
        if previous.previous_msgid is not None and previous is old and old.fuzzy:
            prev_ctxt, prev_id, prev_plural = (old.previous_msgctxt, old.previous_msgid,
                                               old.previous_msgid_plural)
        elif previous.msgid != entry.msgid or previous.msgctxt != entry.msgctxt:
            prev_ctxt, prev_id, prev_plural = previous.msgctxt, previous.msgid, previous.msgid_plural
    plural = entry.msgid_plural is not None
    raw_strings = old.raw_strings + tuple(r for r in entry.raw_strings if r[0] not in ("msgstr",))
    return replace(entry, raw_strings=raw_strings, msgstr="" if plural else old.msgstr,
                   msgstr_plural=old.msgstr_plural if plural else (), flags=flags,
                   comments=old.comments, previous_msgctxt=prev_ctxt, previous_msgid=prev_id,
                   previous_msgid_plural=prev_plural, obsolete=False)
