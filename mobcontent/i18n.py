"""The tool's own interface language: English by default, Vietnamese on request.

Every message the command prints goes through :func:`_` (translate now) or is
marked with :func:`N_` (translate when shown: click help texts, which are built
at import time). The Vietnamese catalog is the PO file shipped in the package,
``mobcontent/locale/vi/LC_MESSAGES/mobcontent.po``, read at run time with our
own strict PO reader, so a plain ``pip install`` has it and a translator edits
an ordinary PO file. Check codes (``avoid-term``, ``glyph-missing``, ...) are
never translated, so docs and CI logs match in both languages.

The language is chosen, first match wins: ``--lang``, ``MOBCONTENT_LANG``, the
project's ``ui_locale`` setting, then ``LC_ALL`` / ``LC_MESSAGES`` / ``LANG``
(``vi_VN.UTF-8`` → Vietnamese).

>>> set_language("en")
'en'
>>> _("the file is missing")
'the file is missing'
"""
from __future__ import annotations

import os
from importlib import resources

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


def set_language(code: str | None) -> str:
    """Switch the interface language (``en`` or ``vi``; anything else is English)."""
    global _active, _active_plural, _language
    code = (code or "en").split("_")[0].split(".")[0].lower()
    _language = code if code in SUPPORTED else "en"
    _active, _active_plural = _catalog(_language) if _language != "en" else ({}, {})
    return _language


def detect_language(explicit: str | None = None, project_setting: str | None = None,
                    environ=os.environ) -> str:
    """The language to use, from the option, the environment and the project."""
    for value in (explicit, environ.get("MOBCONTENT_LANG"), project_setting,
                  environ.get("LC_ALL"), environ.get("LC_MESSAGES"), environ.get("LANG")):
        if value:
            code = value.split("_")[0].split(".")[0].lower()
            if code in ("c", "posix"):
                return "en"
            return code if code in SUPPORTED else "en"
    return "en"


_CACHE: dict[str, tuple[dict, dict]] = {}


def catalog_path(code: str):
    """The tool's own catalog for ``code``, inside the installed package."""
    return resources.files("mobcontent") / "locale" / code / "LC_MESSAGES" / "mobcontent.po"


def _catalog(code: str) -> tuple[dict, dict]:
    """``({msgid: msgstr}, {(msgid, msgid_plural): msgstr forms})``: translated entries only."""
    if code not in _CACHE:
        from .po import read_po
        try:
            po = read_po(catalog_path(code).read_bytes(), f"mobcontent/locale/{code}/LC_MESSAGES/mobcontent.po")
        except Exception:  # a broken UI catalog must never stop the tool: English then
            _CACHE[code] = ({}, {})
        else:
            usable = [e for e in po.entries if e.translated and not e.fuzzy and not e.obsolete]
            _CACHE[code] = ({e.msgid: e.msgstr for e in usable if e.msgid_plural is None},
                            {(e.msgid, e.msgid_plural): e.msgstr_plural for e in usable
                             if e.msgid_plural is not None})
    return _CACHE[code]
