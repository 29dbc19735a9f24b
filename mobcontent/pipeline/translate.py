"""The *translate* stage: look each block of a message up in the locale's catalog.

Messages are split into blocks by :mod:`mobcontent.formats.markdown`, so what a
translator sees is exactly what gets printed. :func:`read_catalog` reads a PO file
strictly and canonically for a build; :func:`translate_message` gives every block,
the title and the summary with its origin (source, translated, fuzzy, missing).
Extraction, update and statistics live in :mod:`mobcontent.l10n`.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..base.canonical import canonical_text
from ..base.files import read_at
from ..base.model import Chunk, Message
from ..formats import po as _po
from ..formats.markdown import Block, markdown_limits, segment

PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([a-z][a-z0-9_]*)\}")


@dataclass(frozen=True)
class Translation:
    """A catalog entry: the translated text, whether it is fuzzy, and where it is."""

    text: str
    fuzzy: bool = False
    path: str = ""
    line: int = 0


@dataclass(frozen=True)
class Text:
    """A text as it will be shown, with its state: ``source`` (the locale is the
    source language), ``translated``, ``fuzzy`` or ``missing`` (both fall back to
    the source text)."""

    source: str
    text: str
    state: str
    origin: str = ""  # path:line of the catalog entry or the message line

    @property
    def releasable(self) -> bool:
        return self.state in ("source", "translated")


@dataclass(frozen=True)
class TranslatedMessage:
    """A message with every block and its title looked up in one locale."""

    message: Message
    locale: str
    title: Text
    summary: Text | None
    texts: dict = field(default_factory=dict)  # block source -> Text


def message_blocks(message: Message) -> list[tuple[Block, Chunk]]:
    """Every block of a message with the chunk (and so the conditions) it is in."""
    return [(block, chunk) for chunk in message.chunks for block in segment(chunk)]


def lookup(catalog: dict, source: str, origin: str = "", is_source_locale: bool = False,
           context: str | None = None) -> Text:
    """Find ``source`` (under ``context``) in ``catalog``; fall back to the source text.

    A fuzzy translation is not used: the text falls back to the source, in state
    ``fuzzy``, so a draft build shows what the reader would get once it is
    reviewed. Text without letters (a phone number) needs no translation.

    >>> lookup({"a": Translation("b")}, "a").text, lookup({}, "a").state
    ('b', 'missing')
    >>> lookup({"a": Translation("b", fuzzy=True)}, "a").text, lookup({}, "113").state
    ('a', 'translated')
    """
    if is_source_locale:
        return Text(source, source, "source", origin)
    entry = catalog.get(context_key(context, source))
    if entry is None or not entry.text:
        if not needs_translation(source):
            return Text(source, source, "translated", origin)
        return Text(source, source, "missing", origin)
    where = f"{entry.path}:{entry.line}" if entry.path else origin
    if entry.fuzzy:
        return Text(source, source, "fuzzy", where)
    return Text(source, entry.text, "translated", where)


def needs_translation(text: str) -> bool:
    """Whether ``text`` has a letter outside ``{placeholders}`` (a bare number does not).

    >>> needs_translation("113"), needs_translation("{hotline}"), needs_translation("Gọi 113")
    (False, False, True)
    """
    return any(c.isalpha() for c in PLACEHOLDER_RE.sub("", text))


def translate_message(message: Message, catalog: dict, locale: str, source_locale: str) -> TranslatedMessage:
    """Look up the title, summary and every block of ``message`` in ``catalog``."""
    own = locale == source_locale
    texts = {}
    for block, _chunk in message_blocks(message):
        texts.setdefault(block.text, lookup(catalog, block.text, f"{message.path}:{block.line}", own))
    title = lookup(catalog, message.title, f"{message.path}:{message.title_line}", own)
    summary = (lookup(catalog, message.summary, f"{message.path}:{message.summary_line}", own)
               if message.summary else None)
    return TranslatedMessage(message, locale, title, summary, texts)


def context_key(context: str | None, msgid: str) -> str:
    """Catalog key of an entry: gettext's ``ctxt\\x04msgid``, or the msgid alone."""
    return f"{context}\x04{msgid}" if context else msgid


def catalog_path(root, locale: str, domain: str):
    """``locales/<code>/LC_MESSAGES/<domain>.po`` (domain ``messages/<slug>`` for a message)."""
    return root / "locales" / locale / "LC_MESSAGES" / f"{domain}.po"




# --------------------------------------------------------------------------- catalogs for a build

def read_catalog(path, rel: str, locale: str | None = None, source_locale: str = "vi",
                 tone_style: str = "keep") -> dict:
    """Read a PO file strictly into ``{key: Translation}``; an absent file is an empty catalog.

    Keys and translations are canonical text (see :mod:`mobcontent.base.canonical`), so an
    NFD msgid still finds its NFC source. Obsolete and header entries are left out.
    Raises :class:`~mobcontent.formats.po.PoError` (``path:line``) for a file that cannot be read.

    A catalog is built once per process for the same bytes read the same way, and once
    for all while the file's bytes are the same when the catalogs are kept in the user's
    cache (:mod:`mobcontent.pipeline.catalogs`).
    """
    path = Path(path)
    try:
        path.stat()
    except OSError:
        return {}
    if not path.is_file():
        return {}
    data = read_at(path, rel)
    key = (hashlib.sha256(data).hexdigest(), rel, locale, source_locale, tone_style)
    built = BUILT.get(key)
    if built is None:
        built = _built_catalog(data, rel, locale, source_locale, tone_style)
        BUILT[key] = built
        NEW.add(key)
        while len(BUILT) > BUILT_KEPT:  # the oldest first (another thread may be at it too)
            oldest = next(iter(BUILT), None)
            BUILT.pop(oldest, None)
            NEW.discard(oldest)
    return dict(built)


#: The catalogs built in this process or read back from the user's cache: ``{(sha256 of the
#: file, rel, locale, source locale, tone style): ((key, Translation), ...)}``, oldest first.
BUILT: dict = {}
BUILT_KEPT = 8192
#: The keys of :data:`BUILT` this process built itself (not read back).
NEW: set = set()


def _built_catalog(data: bytes, rel: str, locale, source_locale: str, tone_style: str) -> tuple:
    po = _po.read_po(data, rel)
    out = {}
    for entry in po.entries:
        if entry.obsolete or entry.msgid_plural is not None:
            continue
        for limit in markdown_limits(entry.msgstr):  # never handed to the Markdown parser
            raise _po.PoError(limit.message, rel, entry.line, limit.hint, code=limit.code)
        msgid = canonical_text(entry.msgid, source_locale, tone_style)
        key = context_key(entry.msgctxt, msgid)
        out[key] = Translation(canonical_text(entry.msgstr, locale), entry.fuzzy, rel, entry.msgstr_line or entry.line)
    return tuple(out.items())
