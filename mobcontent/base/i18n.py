"""The tool's own interface language: English by default, Vietnamese on request.

Every message the command prints goes through :func:`_` (translate now) or is
marked with :func:`N_` (translate when shown: click help texts, which are built
at import time). This module imports nothing of ours: the
catalog (the PO file shipped in the package, read by :mod:`mobcontent.app.language`)
is handed to it with :func:`install`. Check codes (``avoid-term``, ``glyph-missing``, ...) are
never translated, so docs and CI logs match in both languages.

>>> install("vi", {"the file is missing": "thiếu tệp"})
>>> _("the file is missing"), language()
('thiếu tệp', 'vi')
>>> install("en")
>>> _("the file is missing")
'the file is missing'
"""
from __future__ import annotations

SUPPORTED = ("en", "vi")
_active: dict[str, str] = {}
_active_plural: dict[tuple[str, str], tuple[str, ...]] = {}
_language = "en"


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it (yet)."""
    return message


def _(message: str) -> str:
    """``message`` in the interface language (itself when there is no translation)."""
    return _active.get(message) or message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for ``n`` things (click's own messages use it).

    Vietnamese has one form (``nplurals=1``), so its catalog holds ``msgstr[0]`` only.
    """
    forms = _active_plural.get((singular, plural))
    if forms and all(forms):
        return forms[0] if len(forms) == 1 else forms[0 if n == 1 else 1]
    return singular if n == 1 else plural


def language() -> str:
    """The interface language in use: ``en`` or ``vi``."""
    return _language


def install(code: str, messages: dict[str, str] | None = None,
            plurals: dict[tuple[str, str], tuple[str, ...]] | None = None) -> None:
    """Use ``messages`` (``{msgid: msgstr}``) and ``plurals`` as the interface language ``code``."""
    global _active, _active_plural, _language
    _language = code
    _active, _active_plural = dict(messages or {}), dict(plurals or {})
