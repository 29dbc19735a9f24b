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

from ..base.i18n import N_, SUPPORTED, _, install, ngettext
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
    import click.types
    for kind in (click.types.StringParamType, click.types.UnprocessedParamType, click.types.IntParamType,
                 click.types.IntRange, click.types.FloatParamType, click.types.FloatRange,
                 click.types.BoolParamType, click.types.Path, click.types.File):
        if not isinstance(kind.__dict__.get("name"), TranslatedName):
            kind.name = TranslatedName(kind.__dict__.get("name", "path"))
    click.types._NumberRangeBase._describe_range = describe_range


# The names click gives its types, shown in metavars (``--jobs INTEGER``) and errors
# ("'abc' is not a valid integer"): marked here so the catalog holds them.
CLICK_TYPE_NAMES = (N_("text"), N_("integer"), N_("integer range"), N_("float"), N_("float range"),
                    N_("boolean"), N_("filename"), N_("file"), N_("directory"), N_("path"))


class TranslatedName:
    """A click type's ``name``, kept in English and read in the interface language
    (``click.Path`` sets its own in ``__init__``: the setter keeps that English word)."""

    def __init__(self, default: str):
        self.default = default

    def __get__(self, obj, owner=None) -> str:
        return _(obj.__dict__.get("_name_id", self.default) if obj is not None else self.default)

    def __set__(self, obj, value: str) -> None:
        obj.__dict__["_name_id"] = value


def describe_range(self) -> str:
    """A number range in words (``at least 1``), not click's ``x>=1``."""
    low = (_("more than {number}") if self.min_open else _("at least {number}")).format(number=self.min)
    high = (_("less than {number}") if self.max_open else _("at most {number}")).format(number=self.max)
    if self.min is None:
        return high
    return low if self.max is None else _("{low} and {high}").format(low=low, high=high)


def set_language(code: str | None) -> str:
    """Switch the interface language (``en`` or ``vi``; anything else is English)."""
    code = (code or "en").split("_")[0].split(".")[0].lower()
    code = code if code in SUPPORTED else "en"
    install(code, *(_catalog(code) if code != "en" else ({}, {})))
    return code


def detect_language(explicit: str | None = None, project_setting: str | None = None,
                    environ=os.environ) -> str:
    """The language to use, from the option, the environment and the project."""
    if explicit and explicit not in SUPPORTED:
        explicit = None  # `--lang fr`: click refuses it, in the language the rest would choose
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
