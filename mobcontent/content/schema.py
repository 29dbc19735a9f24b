"""The schema reader: typed access to the strict YAML tree that collects every
problem with its path, line and key path.
"""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from ..base.canonical import canonical_text
from ..base.errors import ContentError, Problem
from ..base.files import read_text
from ..base.i18n import _
from ..base.model import Audiences
from ..formats.yamlio import Map, Scalar, Seq, read_yaml

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TERM_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_SLUG = 80


class _Reader:
    """Validates one file's node tree and collects its problems."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []

    def error(self, line: int, code: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(code, "error", self.path, line, message, hint))

    def warn(self, line: int, code: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(code, "warning", self.path, line, message, hint))

    def mapping(self, node, where: str, known: tuple[str, ...], required: tuple[str, ...] = (),
                line: int = 1) -> Map | None:
        """Check ``node`` is a mapping with only ``known`` keys and all ``required`` ones."""
        if not isinstance(node, Map):
            self.error(getattr(node, "line", line), "yaml-type",
                       _("{where} must be a mapping (key: value lines)").format(where=where or _("the file")),
                       _("write it as 'key: value' lines; known keys: {keys}").format(keys=", ".join(known)))
            return None
        for key in node.items:
            if key not in known:
                self.error(node.key_lines[key], "yaml-unknown-key",
                           _("{where}: unknown key '{key}'").format(where=_at(where, key), key=key),
                           _("known keys: {keys}").format(keys=", ".join(known)) + _closest(key, known))
        for key in required:
            if key not in node.items:
                self.error(node.line, "yaml-missing-key",
                           _("{where}: missing key '{key}'").format(where=where or _("the file"), key=key),
                           _("add '{key}: ...'").format(key=key))
        return node

    def string(self, node, where: str, required: bool = True, line: int = 1) -> str:
        if node is None:
            return ""
        if not isinstance(node, Scalar):
            self.error(getattr(node, "line", line), "yaml-type",
                       _("{where}: must be a single value, not a list or mapping").format(where=where),
                       _("write it as plain text on the same line as the key"))
            return ""
        if required and not node.value.strip():
            self.error(node.line, "yaml-missing-value", _("{where}: is empty").format(where=where),
                       _("write a value after the colon"))
        return canonical(node.value.strip())

    def strings(self, node, where: str) -> tuple[str, ...]:
        """A list of values; a single value is accepted as a list of one."""
        if node is None:
            return ()
        if isinstance(node, Scalar):
            return (canonical(node.value.strip()),) if node.value.strip() else ()
        if isinstance(node, Seq):
            return tuple(self.string(item, f"{where}[{i}]") for i, item in enumerate(node.items))
        self.error(node.line, "yaml-type", _("{where}: must be a list like [a, b]").format(where=where),
                   _("write the values as [a, b]"))
        return ()

    def slug(self, value: str, line: int, what: str) -> bool:
        if not SLUG_RE.match(value) or len(value) > MAX_SLUG:
            self.error(line, "bad-slug", _("{what} '{value}' is not a valid name").format(what=what, value=value),
                       _("use lowercase letters a-z, digits and single hyphens, at most {count} characters"
                         " (e.g. bao-ve-cot-moc)").format(count=MAX_SLUG))
            return False
        return True

    def date(self, node, where: str) -> str:
        value = self.string(node, where, required=False)
        if value:
            try:
                _dt.date.fromisoformat(value)
            except ValueError:
                self.error(node.line, "bad-date",
                           _("{where}: '{value}' is not a date").format(where=where, value=value),
                           _("write dates as YYYY-MM-DD, e.g. 2026-11-01"))
                return ""
        return value


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _closest(word: str, choices) -> str:
    import difflib
    close = difflib.get_close_matches(word, list(choices), n=1)
    return " " + _("(did you mean '{name}'?)").format(name=close[0]) if close else ""


def _one_of(values) -> str:
    return _("use one of: {values}").format(values=", ".join(values))


def canonical(text: str) -> str:
    """Canonical text (NFC, mark order, Đ look-alikes, apostrophes): the form every
    comparison and lookup uses (see :mod:`mobcontent.base.canonical`)."""
    return canonical_text(text)


def _read_yaml_file(root: Path, rel: str, problems: list[Problem]):
    try:
        return read_yaml(read_text(root, rel), rel)
    except ContentError as exc:
        problems.append(exc.problem())
        return None


def _items(node, where: str, reader: _Reader):
    if node is None:
        return []
    if not isinstance(node, Seq):
        reader.error(node.line, "yaml-type", _("{where}: must be a list").format(where=where),
                     _("start each item with '- '"))
        return []
    return list(enumerate(node.items))


def _known(audiences: Audiences | None, dim: str, value: str) -> bool:
    return audiences is not None and value in audiences.profiles(dim)
