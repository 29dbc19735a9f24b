"""The interface language: which one, its catalog, and click's own messages.

It is chosen from ``--lang``, ``MOBCONTENT_LANG``, the project's ``ui_locale``
setting, then ``LC_ALL`` / ``LC_MESSAGES`` / ``LANG`` (``vi_VN.UTF-8`` →
Vietnamese), first match wins. The Vietnamese catalog is the PO file shipped in the
package, ``mobcontent/locale/vi/LC_MESSAGES/mobcontent.po``, read with our own strict
PO reader and installed into :mod:`mobcontent.base.i18n`; click's own messages are
pointed at it too.
"""
from __future__ import annotations

import gettext
import os
from importlib import resources
from pathlib import Path

from ..base.i18n import SUPPORTED, _, install, ngettext
from ..content.settings import read_ui_locale
from ..formats.po.read import read_po


def choose_language(args: list[str]) -> str:
    """Set the interface language from ``--lang``, ``MOBCONTENT_LANG``, the project's
    ``ui_locale`` (the project is ``-C DIR``, else the current folder), then
    ``LC_ALL`` / ``LC_MESSAGES`` / ``LANG``."""
    explicit, root = None, "."
    for index, arg in enumerate(args):
        if arg == "--":
            break
        following = args[index + 1] if index + 1 < len(args) else None
        if arg == "--lang":
            explicit = following
        elif arg.startswith("--lang="):
            explicit = arg.split("=", 1)[1]
        elif arg in ("-C", "--project") and following is not None:
            root = following
        elif arg.startswith("--project="):
            root = arg.split("=", 1)[1]
        elif arg.startswith("-C") and len(arg) > 2:
            root = arg[2:]
    setting = None
    if (Path(root) / "mobcontent.yaml").is_file():
        setting = read_ui_locale(root) or None
    return set_language(detect_language(explicit, setting, os.environ))


CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types")


def translate_click() -> None:
    """Translate click's own messages ("Usage:", "Error:", "No such option", ...).

    Click marks them with the standard library's ``gettext`` functions, imported
    into each of its modules as ``_`` and ``ngettext``; those names are pointed at
    our catalog, which holds click's messages too (``make ui-catalog`` extracts
    them). In English the catalog returns every message unchanged.
    """
    import importlib
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if getattr(module, "_", None) is gettext.gettext:
            module._ = _
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = ngettext


def set_language(code: str | None) -> str:
    """Switch the interface language (``en`` or ``vi``; anything else is English)."""
    code = (code or "en").split("_")[0].split(".")[0].lower()
    code = code if code in SUPPORTED else "en"
    install(code, *(_catalog(code) if code != "en" else ({}, {})))
    return code


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
