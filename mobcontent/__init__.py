"""mobcontent: outreach messages, written once, adapted, translated and printed.

The package is layered (see DESIGN.md, "Architecture"): ``app`` → ``build`` →
{``checks``, ``l10n``} → ``pipeline`` → ``content`` → {``formats``, ``printing``} → ``base``.
"""
from .base.version import __version__

__all__ = ["__version__"]
