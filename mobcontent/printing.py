"""The *print* stage: HTML → PDF with WeasyPrint, reading only what it may.

Rendering reads files through :class:`SafeFetcher`, which allows ``data:``
URLs and regular files inside a few folders (the project's ``content/assets``,
the layouts and the font kit), after resolving symlinks — no network, no other
file. One ``FontConfiguration`` is reused per process.
"""
from __future__ import annotations

import hashlib
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import BuildError

_FONT_CONFIG = None


def font_configuration():
    """The process's one WeasyPrint FontConfiguration (building one costs ~100 ms)."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration
        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def make_fetcher(allowed: list[Path]):
    """A URL fetcher that reads only ``data:`` URLs and regular files under ``allowed``."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    roots = [Path(os.path.realpath(p)) for p in allowed]

    class SafeFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=True)

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                real = Path(os.path.realpath(unquote(urlsplit(url).path)))
                inside = any(real == root or root in real.parents for root in roots)
                if inside and real.is_file() and stat.S_ISREG(real.stat().st_mode):
                    return super().fetch(real.as_uri(), headers)
            raise FatalURLFetchingError(f"blocked resource {url[:200]!r}: only files in content/assets/, "
                                        "the layouts and the font kit may be used")

    return SafeFetcher()


@dataclass(frozen=True)
class Printed:
    """A PDF and what is known about it."""

    pdf: bytes
    pages: int


class _WarningCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def print_pdf(html: str, base_dir: Path, allowed: list[Path], identifier: str) -> tuple[Printed, list[str]]:
    """Render ``html`` to PDF; returns the PDF and the warnings WeasyPrint logged.

    ``identifier`` seeds the PDF's /ID so that the same inputs give the same bytes.
    """
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    collector = _WarningCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        document = HTML(string=html, base_url=base_dir.as_uri() + "/", url_fetcher=make_fetcher(allowed)).render(
            font_config=font_configuration())
        pdf = document.write_pdf(pdf_identifier=hashlib.sha256(identifier.encode()).hexdigest()[:32].encode())
    except FatalURLFetchingError as exc:
        raise BuildError(str(exc.__cause__ or exc), code="resource-blocked") from None
    finally:
        logger.removeHandler(collector)
    return Printed(pdf, len(document.pages)), collector.messages
