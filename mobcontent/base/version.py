"""The version of mobcontent (one place, read by setup.cfg and the manifest), and the
fingerprint of its code (what the caches key on)."""
from __future__ import annotations

import hashlib
from pathlib import Path

__version__ = "0.1.0"

_FINGERPRINT: list[str] = []


def tool_fingerprint() -> str:
    """The tool's version and a hash of its code and layouts: outputs of an older
    mobcontent (or one edited in development) are not reused."""
    if not _FINGERPRINT:
        digest = hashlib.sha256(__version__.encode())
        package = Path(__file__).parents[1]
        for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".html", ".css",
                                                                                          ".yaml")):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        _FINGERPRINT.append(f"{__version__}:{digest.hexdigest()[:16]}")
    return _FINGERPRINT[0]
