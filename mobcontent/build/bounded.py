"""Commands other than ``build`` under the same time limit: ``check``'s project checks,
``extract`` and ``update`` run as one task in a watched worker process
(:mod:`.watchdog`), so that a runaway input cannot hang them and no library that
swallows exceptions can defeat the limit.
"""
from __future__ import annotations

from ..base.errors import BuildError, MobcontentError
from ..base.i18n import _
from .watchdog import TIMEOUT, Limits, run_watched

DEFAULT_SECONDS = 300.0  # as build's --time-limit


def run_bounded(function, args: tuple, seconds: float = DEFAULT_SECONDS, what: str = ""):
    """``function(*args)`` in a watched worker: its value; its own MobcontentError raised
    again here; ``command-timeout`` (or ``command-failed``) when the worker had to stop."""
    done = next(run_watched(_guarded, [(function, args)], workers=1, limits=Limits(seconds)))
    if done.failure == TIMEOUT:
        raise BuildError(_("'{command}' took more than {seconds} s and was stopped").format(
            command=what or function.__name__, seconds=f"{seconds:g}"), hint=_(
            "look for a runaway text in the project's messages, translations or layouts"), code="command-timeout")
    if done.failure:
        raise BuildError(_("'{command}' failed in a worker process: {error}").format(
            command=what or function.__name__, error=done.detail or done.failure), code="command-failed")
    kind, value = done.value
    if kind == "error":
        raise value
    return value


def _guarded(function, args):
    """In the worker: the value, or the library's own error as a value (it pickles)."""
    try:
        return "ok", function(*args)
    except MobcontentError as exc:
        return "error", BuildError(exc.message, exc.path, exc.line, exc.hint, code=exc.code)
