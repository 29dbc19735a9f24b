"""What the system says, in the officer's words: OS errors by their errno, characters
by their letters and code point. Never the operating system's or Unicode's English.

>>> install("en")
>>> os_reason(FileNotFoundError(2, "No such file or directory"))
'not found'
>>> describe_char("ɓ")
"'ɓ' (U+0253)"
>>> describe_char("ê̆"[1])
"'◌̆' (U+0306, a breve mark)"
"""
from __future__ import annotations

import errno
import unicodedata

from .i18n import N_, _, install  # noqa: F401 - install: the doctest above

REASONS = {
    errno.ENOENT: N_("not found"),
    errno.EACCES: N_("permission denied (you may not read or write here)"),
    errno.EPERM: N_("permission denied (you may not read or write here)"),
    errno.EADDRINUSE: N_("this address is already in use (another program, perhaps another preview, uses the port)"),
    errno.EADDRNOTAVAIL: N_("this address does not belong to this computer"),
    errno.ENOSPC: N_("the disk is full"),
    errno.EDQUOT: N_("the disk is full"),
    errno.EROFS: N_("the disk is read-only"),
    errno.EISDIR: N_("it is a folder, not a file"),
    errno.ENOTDIR: N_("a part of the path is a file, not a folder"),
    errno.EEXIST: N_("it already exists"),
    errno.ENAMETOOLONG: N_("the name is too long"),
    errno.EMFILE: N_("too many files are open"),
}

MARKS = {
    0x0300: N_("a grave accent"), 0x0301: N_("an acute accent"), 0x0302: N_("a circumflex"),
    0x0303: N_("a tilde"), 0x0306: N_("a breve mark"), 0x0309: N_("a hook above"),
    0x030C: N_("a caron"), 0x031B: N_("a horn"), 0x0323: N_("a dot below"), 0x02D8: N_("a spacing breve"),
}


def os_reason(exc: OSError) -> str:
    """Why an operation on a file or a port failed, from its errno, in the interface language."""
    text = REASONS.get(getattr(exc, "errno", None) or 0)
    if text:
        return _(text)
    return _("the system refused (error number {number})").format(number=getattr(exc, "errno", None) or "?")


def describe_char(char: str) -> str:
    """``'ɓ' (U+0253)``: the character itself (a mark on a dotted circle) and its code
    point, with the name of a combining mark the officer would recognise."""
    code = ord(char)
    shown = f"◌{char}" if unicodedata.combining(char) else char
    if code in MARKS:
        return f"'{shown}' (U+{code:04X}, {_(MARKS[code])})"
    if unicodedata.category(char)[0] in "CZ":  # invisible: the code point says it all
        return f"U+{code:04X}"
    return f"'{shown}' (U+{code:04X})"
