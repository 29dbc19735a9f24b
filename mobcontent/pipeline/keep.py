"""Keeping text together on a line: filled values, phone numbers and paragraph ends.

Applied to a message's HTML after Markdown, on the text between tags only. The
spaces inside what must stay on one line become no-break spaces (U+00A0):

- a filled variable (a place, a border post, an organisation, a title), so that
  "xã Ea Bung" or "Đồn Biên phòng Sê-rê-pốk" is never split at a space;
- a phone number written in groups ("0262 3852 123");
- the last two syllables of a paragraph or list item, so that no paragraph ends
  with one syllable alone on its last line (a runt).

Why no-break spaces and not ``white-space: nowrap`` spans: WeasyPrint breaks a
line too early before an inline box that does not fit (about one paragraph in
fifty: "Làm / đường ranh cản lửa …"), while Pango never breaks at U+00A0. The
letters stay the same, and a PDF reader extracts a space-like character where the
writer typed a space, so search and text comparison (which treat U+00A0 as a
space) still find the text.

Only text no longer than ``limit`` characters is joined: the layout says how long
a text can be and still fit well within one of its lines, so a joined text can
never overflow its column.
"""
from __future__ import annotations

import functools
import html
import re

NBSP = "\u00a0"
PHONE_RE = re.compile(r"(?<![\w.])\+?\d{2,5}(?:[ .]\d{2,5})+(?![\w])")
BOUNDARY_RE = re.compile(r"</span></(?:li|td|th)>|</(?:p|li|td|th|h[1-6]|blockquote)>|<(?:ul|ol|div|p|table)\b[^>]*>"
                         r"|<span class=\"second[^>]*>")


def keep_together(markup: str, values=(), limit: int = 24) -> str:
    """Join values, phone numbers and paragraph ends of ``markup`` with no-break spaces.

    >>> keep_together('<p>Báo cho xã Ea Bung hoặc gọi 0262 3852 123 khi cần giúp đỡ.</p>', ["xã Ea Bung"]) == (
    ...     '<p>Báo cho xã\\xa0Ea\\xa0Bung hoặc gọi 0262\\xa03852\\xa0123 khi cần giúp\\xa0đỡ.</p>')
    True
    """
    markup = _join_values(markup, values, limit)
    return _join_tails(markup, limit)


def value_pattern(values, limit: int = 10 ** 6):
    """A regex matching any of ``values`` (longest first), or None when there are none."""
    return _value_pattern(tuple(values), limit)


@functools.lru_cache(maxsize=256)
def _value_pattern(values: tuple, limit: int):
    """Compiled once per process for each set of values (every message of a job asks)."""
    wanted = sorted({v for v in values if v and len(v) <= limit and " " in v.strip()}, key=len, reverse=True)
    if not wanted:
        return None
    return re.compile("|".join(rf"(?<!\w){re.escape(html.escape(v, quote=False))}(?!\w)" for v in wanted))


def _join_values(markup: str, values, limit: int) -> str:
    pattern = value_pattern(values, limit)
    parts = re.split(r"(<[^>]*>)", markup)
    for index in range(0, len(parts), 2):
        text = parts[index]
        if pattern is not None:
            text = pattern.sub(lambda m: m.group(0).replace(" ", NBSP), text)
        parts[index] = PHONE_RE.sub(lambda m: m.group(0).replace(" ", NBSP), text)
    return "".join(parts)


def _join_tails(markup: str, limit: int) -> str:
    """Join the last two words before each block's end (when they are in one text run)."""
    out, last = [], 0
    for match in BOUNDARY_RE.finditer(markup):
        out.append(_tail(markup[last:match.start()], limit))
        out.append(match.group(0))
        last = match.end()
    out.append(markup[last:])
    return "".join(out)


def _tail(chunk: str, limit: int) -> str:
    """``chunk`` (the inline content before a block's end) with the space before its
    last word made a no-break space, when the last two words are short enough. The
    space may sit before an inline tag ("gọi <strong>113</strong>."): Pango keeps
    a no-break space there too."""
    parts = re.split(r"(<[^>]*>)", chunk)
    visible = "".join(parts[::2]).rstrip()
    position = visible.rfind(" ")
    words = visible.split()
    if position < 0 or len(words) < 3 or NBSP in visible[position:]:
        return chunk
    if len(words[-2]) + 1 + len(words[-1]) > limit:
        return chunk
    offset = 0
    for index in range(0, len(parts), 2):
        if offset + len(parts[index]) > position:
            at = position - offset
            parts[index] = parts[index][:at] + NBSP + parts[index][at + 1:]
            return "".join(parts)
        offset += len(parts[index])
    return chunk
