"""The Markdown block parser: one Python-Markdown extension splits a message into
blocks (paragraph, heading, list item, table cell), each keeping its inline
Markdown source and line, for extraction and rendering alike.
"""
from __future__ import annotations

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Callable

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from ..base.i18n import _
from ..base.model import Chunk
from .links import SOURCE_ATTRIBUTE, LinkGuard

BLOCK_KINDS = {"p": "paragraph", "li": "list item", "td": "table cell", "th": "table header",
               **{f"h{i}": "heading" for i in range(1, 7)}}


MAX_BRACKETS = 400  # Python-Markdown's link parsing is quadratic in '[': 20,000 of them take a minute
MAX_DEPTH = 20  # lists and quotes nest by recursion: 500 levels overflow Python's stack
_MARKER_RE = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))")


@dataclass(frozen=True)
class Limit:
    """Markdown the parser must not be given, at its line (0-based within the text)."""

    offset: int
    code: str
    message: str
    hint: str


def markdown_limits(text: str) -> list[Limit]:
    """Markdown that would make the parser run away: a paragraph with more than
    :data:`MAX_BRACKETS` ``[``, or lists and quotes nested more than :data:`MAX_DEPTH`
    deep. Checked before the text (a message or a translation) reaches the parser.

    >>> [l.code for l in markdown_limits("> " * 30 + "x")], markdown_limits("- a\\n  - b")
    (['markdown-too-deep'], [])
    """
    out: list[Limit] = []
    count, start = 0, 0
    lines = text.split("\n")
    for number, line in enumerate(lines + [""]):
        if not line.strip():
            if count > MAX_BRACKETS:
                out.append(Limit(start, "markdown-too-complex",
                                 _("this paragraph has {count} '[' characters (at most {limit})").format(
                                     count=count, limit=MAX_BRACKETS),
                                 _("split the paragraph, or write the brackets as \\[ if they are not links")))
            count, start = 0, number + 1
            continue
        count += line.count("[")
        depth = _depth(line)
        if depth > MAX_DEPTH:
            out.append(Limit(number, "markdown-too-deep",
                             _("this block nests lists or quotes {depth} deep (at most {limit})").format(
                                 depth=depth, limit=MAX_DEPTH), _("write it flatter")))
            break
    return out


def _depth(line: str) -> int:
    """How deep a line nests: its indentation in steps of 4, plus its leading ``>`` and
    list markers."""
    expanded = line.expandtabs(4)
    depth = (len(expanded) - len(expanded.lstrip(" "))) // 4
    position = 0
    while match := _MARKER_RE.match(line, position):
        depth += 1
        position = match.end()
    return depth


@dataclass(frozen=True)
class Block:
    """One translatable unit: its kind, its normalized Markdown source, its line."""

    kind: str
    text: str
    line: int


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
            source = normalize_block(element.text)
            result = self.transform(kind, source)
            text, attributes = result if isinstance(result, tuple) else (result, {})
            element.text = text
            element.set(SOURCE_ATTRIBUTE, source)  # for the link guard; it removes the attribute
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


def make_markdown(transform: Callable[[str, str], str], assets=None) -> markdown.Markdown:
    """The one Markdown parser used to extract and to render.

    Link and image targets are checked after the inline stage (:mod:`mobcontent.formats.links`):
    refused ones are removed and listed in ``md.mc_blocked``; images in ``assets`` are
    rewritten to their file URI.
    """
    md = markdown.Markdown(extensions=["tables", "sane_lists", BlockExtension(transform)])
    md.treeprocessors.register(LinkGuard(md, assets), "mobcontent-links", 5)  # after inline (20)
    return md


#: The parsers kept for each thread (:func:`reused_markdown`).
_REUSED = threading.local()


def reused_markdown(name: str, assets=None, prepare: Callable | None = None) -> markdown.Markdown:
    """A parser made by :func:`make_markdown`, kept for this thread under ``name`` and
    ``assets`` and reset for the caller: making one (its extensions, processors and
    patterns) costs as much as converting a message. Its blocks go through its
    ``mc_transform``, which the caller sets; ``prepare(md)`` runs once on a new one."""
    kept = _REUSED.__dict__.setdefault("parsers", {})
    key = (name, str(assets) if assets is not None else None)
    md = kept.get(key)
    if md is None:
        md = make_markdown(lambda kind, text: md.mc_transform(kind, text), assets)
        if prepare is not None:
            prepare(md)
        kept[key] = md
    md.reset()
    md.mc_blocked = []
    return md


def segment(chunk: Chunk) -> list[Block]:
    """The blocks of a chunk, in order, each with its line in the message file.

    Memoized: extraction, checks and every leaflet that carries a message ask for
    the same chunks, and parsing is the costly part.
    """
    return list(_segment(chunk))


@functools.lru_cache(maxsize=8192)
def _segment(chunk: Chunk) -> tuple[Block, ...]:
    found: list[tuple[str, str]] = []

    def collect(kind: str, text: str) -> str:
        found.append((kind, text))
        return text

    md = reused_markdown("segment")
    md.mc_transform = collect
    md.convert(chunk.text)
    lines = chunk.text.split("\n")
    blocks, cursor = [], 0
    for kind, text in found:
        cursor = _find_line(lines, text, cursor)
        blocks.append(Block(kind, text, chunk.line + cursor))
    return tuple(blocks)


def _find_line(lines: list[str], text: str, cursor: int) -> int:
    """Index of the first line at or after ``cursor`` holding the start of ``text``."""
    probe = text.split(" ")[0][:30] if text else ""
    words = " ".join(text.split(" ")[:3])
    for needle in (text[:25], words, probe):
        for index in range(cursor, len(lines)):
            if needle and needle in " ".join(lines[index].split()):
                return index
    return cursor
