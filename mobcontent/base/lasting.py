"""Objects that live until the process ends, made without the cyclic garbage collector
going through them again and again.

Importing the tool and WeasyPrint makes about 300,000 objects (modules, classes,
functions, tables) that are never freed. Each collection the allocations start goes
through those of them it has not yet promoted, and the full ones through all: about
40 ms of the 0.45 s a build spends before its first leaflet. :func:`lasting` pauses the
collector while they are made, then moves everything into the permanent generation
(:func:`gc.freeze`), where no collection looks; a forked worker then also shares those
pages with its parent rather than copying them when a collection touches them.
"""
from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def lasting():
    """Make what lives until the process ends (see the module docstring); the collector
    is on again afterwards if it was on before. Meant for imports done once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
