"""Keeping text together on a line: filled values, phone numbers and paragraph ends.

Applied to a message's HTML after Markdown, on the text between tags only; the
characters never change (no no-break spaces, no look-alikes), so the text a PDF
reader extracts is still the text written. What is kept together is wrapped in a
``white-space: nowrap`` span:

- ``mc-value``: a filled variable (a place, a border post, an organisation, a
  title), so that "xã Ea Bung" or "Đồn Biên phòng Sê-rê-pốk" is never split;
- ``mc-keep``: a phone number written in groups ("0262 3852 123");
- ``mc-tail``: the last two syllables of a paragraph or list item, so that no
  paragraph ends with one syllable alone on its last line (a runt).

Only text no longer than ``limit`` characters is kept together: the layout says
how long a text can be and still fit well within one of its lines, so a kept span
can never overflow its column.
"""
from __future__ import annotations

import html
import re

PHONE_RE = re.compile(r"(?<![\w.])(\+?\d{2,5}(?:[ .]\d{2,5})+)(?![\w])")
BOUNDARY_RE = re.compile(r"</span></(?:li|td|th)>|</(?:p|li|td|th|h[1-6]|blockquote)>|<(?:ul|ol|div|p|table)\b[^>]*>"
                         r"|<span class=\"second[^>]*>")
TAG_RE = re.compile(r"<(/?)([a-zA-Z0-9]+)[^>]*?(/?)>")
SPACE_RE = re.compile(r"\s+")


def keep_together(markup: str, values=(), limit: int = 24) -> str:
    """Wrap values, phone numbers and paragraph ends of ``markup`` in no-break spans.

    >>> keep_together('<p>Báo ngay cho xã Ea Bung hoặc gọi 0262 3852 123 khi cần giúp đỡ.</p>', ["xã Ea Bung"])
    '<p>Báo ngay cho <span class="mc-value">xã Ea Bung</span> hoặc gọi <span class="mc-keep">0262 3852 123</span> khi cần <span class="mc-tail">giúp đỡ.</span></p>'
    """
    markup = _wrap_values(markup, values, limit)
    return _join_tails(markup, limit)


def _wrap_values(markup: str, values, limit: int) -> str:
    wanted = sorted({html.escape(v, quote=False) for v in values
                     if v and len(v) <= limit and (" " in v or "-" in v)}, key=len, reverse=True)
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(v)}(?!\w)" for v in wanted)) if wanted else None
    parts = re.split(r"(<[^>]*>)", markup)
    for index in range(0, len(parts), 2):
        text = parts[index]
        if pattern is not None:
            text = _outside_spans(pattern, text, "mc-value")
        text = _outside_spans(PHONE_RE, text, "mc-keep") if len(text) else text
        parts[index] = text
    return "".join(parts)


def _outside_spans(pattern, text: str, css: str) -> str:
    """Wrap matches of ``pattern`` in ``text`` (a run between tags, so never inside a tag)."""
    return pattern.sub(lambda m: f'<span class="{css}">{m.group(0)}</span>', text)


def _join_tails(markup: str, limit: int) -> str:
    """Wrap the last two words before each block's end in an ``mc-tail`` span."""
    out, last = [], 0
    for match in BOUNDARY_RE.finditer(markup):
        start = match.start()
        out.append(_tail(markup[last:start], limit))
        out.append(match.group(0))
        last = match.end()
    out.append(markup[last:])
    return "".join(out)


def _tail(chunk: str, limit: int) -> str:
    """``chunk`` (what precedes a block's end) with its last two words wrapped, when
    they are plain text, or text whose tags open and close between them."""
    text_end = len(chunk.rstrip())
    visible = re.sub(r"<[^>]*>", "", chunk).rstrip()
    words = visible.split()
    if len(words) < 3 or len(" ".join(words[-2:])) > limit:
        return chunk
    # the offset in ``chunk`` where the second-to-last word starts: after the last gap but one
    gaps = [m.end() for m in SPACE_RE.finditer(chunk[:text_end]) if not _inside_tag(chunk, m.start())]
    if len(gaps) < 2:
        return chunk
    start = gaps[-2]
    inner = chunk[start:text_end]
    if "<span class=\"mc-tail\"" in inner or not _balanced(inner) or "\n" in inner.strip():
        return chunk
    return f'{chunk[:start]}<span class="mc-tail">{inner}</span>{chunk[text_end:]}'


def _inside_tag(chunk: str, position: int) -> bool:
    return chunk.rfind("<", 0, position) > chunk.rfind(">", 0, position)


def _balanced(fragment: str) -> bool:
    """Whether the tags of ``fragment`` open and close within it (no block tags)."""
    stack = []
    for closing, name, empty in TAG_RE.findall(fragment):
        if empty or name.lower() in ("br", "img"):
            if name.lower() == "br":
                return False
            continue
        if not closing:
            stack.append(name.lower())
        elif not stack or stack.pop() != name.lower():
            return False
    return not stack
