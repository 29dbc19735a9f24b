"""The locale registry: what a language code means, for catalogs, dates and numbers.

``vi`` (and any code CLDR knows) comes from Babel; ``rad``, ``cmo`` and any other
language from ``locales/<code>/locale.yaml`` (read by :mod:`mobcontent.content.load` into
:class:`~mobcontent.base.model.Locale`). A locale CLDR lacks formats dates and numbers
like its ``fallback`` (``vi`` unless it says otherwise), and its plural rule is the
one its ``locale.yaml`` declares — never Babel's default ``nplurals=2``.

>>> from mobcontent.base.model import Locale
>>> registry = {"rad": Locale("rad", "Ede", "Klei Êđê")}
>>> format_date("2026-11-01", "rad", registry), format_number(12500.5, "rad", registry)
('ngày 01 tháng 11 năm 2026', '12.500,5')
>>> plural_forms("rad", registry)
'nplurals=1; plural=0;'
"""
from __future__ import annotations

import datetime as _dt

from babel import Locale as BabelLocale
from babel import UnknownLocaleError
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal

VIETNAMESE_DATE = "'ngày' dd 'tháng' MM 'năm' y"  # the form of Vietnamese documents


def cldr_code(code: str, registry: dict) -> str:
    """The CLDR locale that formats ``code``: itself if CLDR knows it, else its fallback chain."""
    seen = set()
    while code not in seen:
        seen.add(code)
        if _known(code):
            return code
        locale = registry.get(code)
        if locale is None or not locale.fallback:
            break
        code = locale.fallback
    return "vi"


def format_date(value, code: str, registry: dict) -> str:
    """A date (``date`` or ISO text) as readers of ``code`` write it."""
    if not value:
        return ""
    date = value if isinstance(value, _dt.date) else _dt.date.fromisoformat(value)
    base = cldr_code(code, registry)
    if base == "vi":
        return _babel_date(date, VIETNAMESE_DATE, locale="vi")
    return _babel_date(date, format="long", locale=base)


def format_number(value, code: str, registry: dict) -> str:
    """A number with the decimal and group marks of ``code`` (``vi``: ``12.500,5``)."""
    return format_decimal(value, locale=cldr_code(code, registry))


def plural_forms(code: str, registry: dict) -> str:
    """The gettext ``Plural-Forms`` of ``code``: from ``locale.yaml``, else from CLDR."""
    locale = registry.get(code)
    if locale is not None and locale.plural_forms:
        return locale.plural_forms
    from babel.messages.plurals import get_plural
    try:
        plural = get_plural(code)
    except (UnknownLocaleError, ValueError):
        return "nplurals=1; plural=0;"  # the rule of vi, rad and cmo; never Babel's guess
    return f"nplurals={plural.num_plurals}; plural={plural.plural_expr};"


def display_name(code: str, registry: dict) -> str:
    """``Ede (Klei Êđê)``: the English and native names, for headers and reports."""
    locale = registry.get(code)
    if locale is None:
        return code
    return f"{locale.name} ({locale.native_name})" if locale.native_name else locale.name


def _known(code: str) -> bool:
    try:
        BabelLocale.parse(code)
        return True
    except (UnknownLocaleError, ValueError):
        return False
