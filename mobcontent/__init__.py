"""mobcontent: outreach messages, written once, adapted, translated and printed."""

__version__ = "0.1.0"
