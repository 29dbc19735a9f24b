"""Untrusted text shown to a person: link targets as a reader sees them, with
control and invisible characters made visible.
"""
from __future__ import annotations

import re

from markdown.util import AMP_SUBSTITUTE


def plain_target(url: str) -> str:
    """A target as the reader's PDF viewer will see it: Python-Markdown writes an e-mail
    autolink (``<ai@example.com>``) as numeric character references behind a placeholder.

    >>> plain_target("\\x02amp\\x03#109;\\x02amp\\x03#97;ilto:x")
    'mailto:x'
    """
    return re.sub(re.escape(AMP_SUBSTITUTE) + r"#(x[0-9a-fA-F]{1,6}|[0-9]{1,7});",
                  lambda m: _char(m[1]), url)


def _char(reference: str) -> str:
    code = int(reference[1:], 16) if reference[0] == "x" else int(reference)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


_UNSAFE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Text for a terminal or a log: control characters (and bidirectional overrides, which
    reorder what a reader sees) written as escapes; tabs and new lines kept.

    >>> visible("a\\x1b[31mb\\u202ec\\n")
    'a\\\\x1b[31mb\\\\u202ec\\n'
    """
    return _UNSAFE_RE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


def shown_target(url: str) -> str:
    """A refused target as it may be printed in an error line: control characters
    escaped (no terminal escape sequences), at most 120 characters.

    >>> shown_target("javascript:\\x1b[2J" + "x" * 200)[:20]
    'javascript:\\\\x1b[2Jxx'
    """
    url = re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda m: f"\\x{ord(m[0]):02x}", plain_target(url))
    return url if len(url) <= 120 else url[:119] + "…"
