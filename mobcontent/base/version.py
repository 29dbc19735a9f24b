"""The version of mobcontent (one place, read by setup.cfg and the manifest)."""

__version__ = "0.1.0"
