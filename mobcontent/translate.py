"""The *translate* stage: split messages into blocks and look each one up.

One Python-Markdown extension does the splitting for extraction and for
rendering, so what a translator sees is exactly what gets printed: every
paragraph, heading, list item, table cell and block-quote paragraph is one
block; inline Markdown (``**bold**``, ``[link](url)``, ``{variable}``) stays in
the block's text as written. The extension runs before Python-Markdown's inline
stage, when each block element still holds its Markdown source.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Callable

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .model import Chunk, Message

BLOCK_KINDS = {"p": "paragraph", "li": "list item", "td": "table cell", "th": "table header",
               **{f"h{i}": "heading" for i in range(1, 7)}}


@dataclass(frozen=True)
class Block:
    """One translatable unit: its kind, its normalized Markdown source, its line."""

    kind: str
    text: str
    line: int


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


def normalize_block(text: str) -> str:
    """The block's Markdown with its lines joined: the form used as msgid.

    >>> normalize_block("Cột mốc là\\n   tài sản chung ")
    'Cột mốc là tài sản chung'
    """
    lines = [line.strip() for line in text.strip().split("\n")]
    return unicodedata.normalize("NFC", " ".join(line for line in lines if line))


class _BlockProcessor(Treeprocessor):
    """Hands each block's Markdown source to ``transform`` and keeps what it returns.

    ``transform`` returns the new Markdown source, or ``(source, attributes)``
    to also set HTML attributes on the block element (``lang``, a class).
    """

    def __init__(self, md, transform: Callable[[str, str], str]):
        super().__init__(md)
        self.transform = transform

    def run(self, root):
        parents = {child: parent for parent in root.iter() for child in parent}
        for element in root.iter():
            kind = BLOCK_KINDS.get(element.tag)
            if kind is None or not (element.text or "").strip():
                continue
            if kind == "paragraph" and parents.get(element) is not None and parents[element].tag == "blockquote":
                kind = "block quote"
            result = self.transform(kind, normalize_block(element.text))
            text, attributes = result if isinstance(result, tuple) else (result, {})
            element.text = text
            for name, value in attributes.items():
                element.set(name, value)


class BlockExtension(Extension):
    """Python-Markdown extension: route every block through ``transform(kind, text)``.

    Raw HTML is never passed through: its preprocessors are removed, so ``<b>``
    prints as the characters ``<b>``.
    """

    def __init__(self, transform: Callable[[str, str], str], **kwargs):
        self.transform = transform
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_BlockProcessor(md, self.transform), "mobcontent-blocks", 30)


def make_markdown(transform: Callable[[str, str], str]) -> markdown.Markdown:
    """The one Markdown parser used to extract and to render."""
    return markdown.Markdown(extensions=["tables", "sane_lists", BlockExtension(transform)])


def segment(chunk: Chunk) -> list[Block]:
    """The blocks of a chunk, in order, each with its line in the message file."""
    found: list[tuple[str, str]] = []

    def collect(kind: str, text: str) -> str:
        found.append((kind, text))
        return text

    make_markdown(collect).convert(chunk.text)
    lines = chunk.text.split("\n")
    blocks, cursor = [], 0
    for kind, text in found:
        cursor = _find_line(lines, text, cursor)
        blocks.append(Block(kind, text, chunk.line + cursor))
    return blocks


def _find_line(lines: list[str], text: str, cursor: int) -> int:
    """Index of the first line at or after ``cursor`` holding the start of ``text``."""
    probe = text.split(" ")[0][:30] if text else ""
    words = " ".join(text.split(" ")[:3])
    for needle in (words, probe):
        for index in range(cursor, len(lines)):
            if needle and needle in " ".join(lines[index].split()):
                return index
    return cursor


def message_blocks(message: Message) -> list[tuple[Block, Chunk]]:
    """Every block of a message with the chunk (and so the conditions) it is in."""
    return [(block, chunk) for chunk in message.chunks for block in segment(chunk)]


def lookup(catalog: dict, source: str, origin: str = "", is_source_locale: bool = False,
           context: str | None = None) -> Text:
    """Find ``source`` (under ``context``) in ``catalog``; fall back to the source text.

    >>> lookup({"a": Translation("b")}, "a").text, lookup({}, "a").state
    ('b', 'missing')
    """
    if is_source_locale:
        return Text(source, source, "source", origin)
    entry = catalog.get(context_key(context, source))
    if entry is None or not entry.text:
        return Text(source, source, "missing", origin)
    where = f"{entry.path}:{entry.line}" if entry.path else origin
    return Text(source, entry.text, "fuzzy" if entry.fuzzy else "translated", where)


def translate_message(message: Message, catalog: dict, locale: str, source_locale: str) -> TranslatedMessage:
    """Look up the title, summary and every block of ``message`` in ``catalog``."""
    own = locale == source_locale
    texts = {}
    for block, _ in message_blocks(message):
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


def read_catalog(path, rel: str) -> dict:
    """Read a PO file into ``{key: Translation}``; an absent file is an empty catalog."""
    from babel.messages.pofile import PoFileError, read_po

    from .errors import ContentError

    if not path.is_file():
        return {}
    try:
        with open(path, "rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:
        raise ContentError(f"cannot read the PO file: {exc}", rel, 0,
                           "check it with 'msgfmt -c' and fix the reported line", code="po-invalid") from None
    out = {}
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        text = message.string if isinstance(message.string, str) else ""
        line = message.lineno + 1 if message.lineno is not None else 0
        key = context_key(message.context, unicodedata.normalize("NFC", message.id))
        out[key] = Translation(unicodedata.normalize("NFC", text), message.fuzzy, rel, line)
    return out
