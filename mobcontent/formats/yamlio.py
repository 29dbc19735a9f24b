"""Strict, bounded YAML reading that keeps line numbers.

PyYAML's ``safe_load`` turns ``no`` into ``False``, ``010`` into 8 and
``2026-01-01`` into a date, follows aliases (a 477-byte alias bomb expands to
gigabytes) and silently keeps the last of two duplicate keys. Here the parser's
event stream is turned into a small tree of :class:`Scalar`, :class:`Seq` and
:class:`Map` nodes in which every scalar is the string as written and every node
knows its 1-based line. Aliases, anchors, explicit tags, duplicate keys, complex
keys, several documents, deep nesting and huge inputs are errors with a line.

>>> doc = read_yaml("a: no\\nb: [010, 2026-01-01]\\n", "x.yaml")
>>> to_plain(doc)
{'a': 'no', 'b': ['010', '2026-01-01']}
>>> doc.items["b"].items[1].line
2
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from ..base.errors import ContentError
from ..base.i18n import N_, _

try:  # the C parser is ~10x faster; both produce the same events
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.parser import Parser as _Parser  # type: ignore[assignment]
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, _Parser):  # type: ignore[no-redef]
        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)

MAX_BYTES = 2_000_000
MAX_DEPTH = 50
MAX_NODES = 200_000


@dataclass(frozen=True)
class Scalar:
    value: str
    line: int


@dataclass(frozen=True)
class Seq:
    items: tuple
    line: int


@dataclass(frozen=True)
class Map:
    items: dict  # key (str) -> node; insertion order is file order
    line: int
    key_lines: dict = field(default_factory=dict)  # key -> line of the key

    def get(self, key, default=None):
        return self.items.get(key, default)


Node = Scalar | Seq | Map


def _fail(path: str, line: int, message: str, hint: str, code: str) -> ContentError:
    return ContentError(message, path, line, hint, code=code)


def read_yaml(text: str, path: str = "<string>", first_line: int = 1) -> Node | None:
    """Parse one YAML document strictly; ``first_line`` offsets lines (front matter).

    Returns ``None`` for an empty document. Raises :class:`ContentError` with a
    stable ``code`` (``yaml-syntax``, ``yaml-alias``, ``yaml-tag``,
    ``yaml-duplicate-key``, ``yaml-too-large``, ``yaml-too-deep``).
    """
    if len(text) > MAX_BYTES:
        raise _fail(path, first_line,
                    _("the file is too large for a YAML file ({count} characters)").format(count=len(text)),
                    _("keep YAML files under {size} kB").format(size=MAX_BYTES // 1000), "yaml-too-large")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        events = list(_events(text, path, first_line))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem, hint = syntax_problem(exc.problem or exc.context or "", _character_at(text, mark))
        raise ContentError(_("YAML syntax error: {problem}").format(problem=problem), path, line, hint,
                           code="yaml-syntax", column=(mark.column + 1) if mark else 0) from None
    except yaml.YAMLError as exc:
        code = getattr(exc, "character", None)
        problem = (_("the character U+{code:04X} is not allowed in a YAML file").format(code=code)
                   if isinstance(code, int) else _("the text cannot be read as YAML"))
        raise _fail(path, first_line, _("YAML syntax error: {problem}").format(problem=problem),
                    _("delete that character, or retype the line"), "yaml-syntax") from None
    return _build(events, path, first_line)


# The parser's problems, by kind: PyYAML's and libyaml's words for each (matched on the
# stable start of the problem, never shown), and what an officer reads instead.
SYNTAX_KINDS = (
    (("mapping values are not allowed",), N_("a colon ':' stands where it is not allowed"),
     N_("put a value that holds ': ' in double quotes, or indent this line like the keys above it")),
    (("could not find expected ':'",), N_("a key has no colon ':' after it"),
     N_("write 'key: value', with a space after the colon")),
    (("expected ',' or ']'", "did not find expected ',' or ']'"), N_("a list opened with '[' is not closed"),
     N_("close it with ']' and separate its items with commas")),
    (("expected ',' or '}'", "did not find expected ',' or '}'"), N_("a group opened with a curly bracket is not closed"),
     N_("close it with a closing curly bracket and separate its items with commas")),
    (("found unexpected end of stream",), N_("a quotation mark is never closed"),
     N_("close the quote on the same line")),
    (("found unknown escape character",), N_("a backslash inside double quotes starts an unknown sequence"),
     N_("use single quotes around the text, or write the backslash twice")),
    (("expected <block end>", "did not find expected key", "did not find expected '-'",
      "expected <block mapping start>", "block sequence entries are not allowed"),
     N_("this line is not indented like the lines above it"),
     N_("indent with spaces, so that keys of one level start in the same column")),
    (("expected the node content", "did not find expected node content"), N_("a value is missing here"),
     N_("write a value after the colon, or put the text in double quotes")),
)


def syntax_problem(problem: str, character: str) -> tuple[str, str]:
    """``(what is wrong, how to fix it)`` for a parser problem, in the interface language.

    The kind is found from the parser's own problem and the character it stopped at;
    its English words are never shown.

    >>> syntax_problem("found character '\\\\t' that cannot start any token", "\\t")[1]
    'use spaces, not the Tab key'
    >>> syntax_problem("mapping values are not allowed here", ":")[0]
    "a colon ':' stands where it is not allowed"
    """
    if character == "\t" or "tab" in problem:
        return _("a Tab character is used here"), _("use spaces, not the Tab key")
    for starts, what, fix in SYNTAX_KINDS:
        if problem.startswith(starts):
            return _(what), _(fix)
    if "cannot start any token" in problem and character:
        return (_("the character '{char}' cannot begin a value").format(char=character),
                _("put the whole value in double quotes"))
    return _("the text cannot be read as YAML here"), _("check indentation, colons and quotes on this line or the one above")


def _character_at(text: str, mark) -> str:
    """The character the parser stopped at ("" past the end)."""
    if mark is None:
        return ""
    lines = text.splitlines()
    if mark.line >= len(lines):
        return ""
    return lines[mark.line][mark.column:mark.column + 1]


def _events(text: str, path: str, first_line: int):
    parser = _Parser(text)
    try:
        count = 0
        while True:
            event = parser.get_event()
            if event is None:
                return
            count += 1
            if count > MAX_NODES:
                raise _fail(path, first_line + event.start_mark.line, _("the YAML document has too many items"),
                            _("a content file should hold fewer than {count} items").format(count=MAX_NODES),
                            "yaml-too-large")
            yield event
            if isinstance(event, yaml.StreamEndEvent):
                return
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose:
            dispose()


#: Control characters (C0 but tab, new line and carriage return, DEL, C1): never in a value.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _build(events, path: str, first_line: int) -> Node | None:
    stack: list = []  # frames: [node_kind, line, items, pending_key, key_lines]
    root = None
    documents = 0
    for event in events:
        line = first_line + event.start_mark.line
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _fail(path, line, _("the file holds more than one YAML document"),
                            _("remove the extra '---' line"), "yaml-syntax")
            continue
        if isinstance(event, yaml.AliasEvent):
            raise _fail(path, line, _("YAML alias '*{name}' is not allowed").format(name=event.anchor),
                        _("write the value out in full instead of using anchors and aliases"), "yaml-alias")
        if isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if event.anchor is not None:
                raise _fail(path, line, _("YAML anchor '&{name}' is not allowed").format(name=event.anchor),
                            _("write the value out in full instead of using anchors and aliases"), "yaml-alias")
            if event.tag not in (None, "!") and not _implicit(event):
                raise _fail(path, line, _("YAML tag '{tag}' is not allowed").format(tag=event.tag),
                            _("remove the tag: every value is read as text"), "yaml-tag")
        if isinstance(event, yaml.ScalarEvent):
            if bad := CONTROL_RE.search(event.value):  # "\0", "\e" escapes of a quoted scalar
                raise _fail(path, line, _("the value holds a control character ({code})").format(
                    code=f"U+{ord(bad.group(0)):04X}"), _("remove it: escapes such as \\0 or \\e have no place in text"),
                    "control-char")
            _add(stack, Scalar(event.value, line), path, line)
            if not stack:
                root = Scalar(event.value, line)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(stack) >= MAX_DEPTH:
                raise _fail(path, line, _("the YAML is nested more than {count} levels deep").format(count=MAX_DEPTH),
                            _("flatten the structure"), "yaml-too-deep")
            kind = "seq" if isinstance(event, yaml.SequenceStartEvent) else "map"
            stack.append([kind, line, [] if kind == "seq" else {}, None, {}])
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            kind, start, items, _pending, key_lines = stack.pop()
            node = Seq(tuple(items), start) if kind == "seq" else Map(items, start, key_lines)
            if stack:
                _add(stack, node, path, start)
            else:
                root = node
    return root


def _implicit(event) -> bool:
    implicit = getattr(event, "implicit", False)
    return any(implicit) if isinstance(implicit, tuple) else bool(implicit)


def _add(stack: list, node: Node, path: str, line: int) -> None:
    if not stack:
        return
    frame = stack[-1]
    kind, _start, items, pending, key_lines = frame
    if kind == "seq":
        items.append(node)
    elif pending is None:
        if not isinstance(node, Scalar):
            raise _fail(path, line, _("a YAML key must be plain text"),
                        _("use a simple word as the key"), "yaml-syntax")
        if node.value in items:
            raise _fail(path, line, _("duplicate key '{key}' (first at line {line})").format(
                            key=node.value, line=key_lines[node.value]),
                        _("remove one of the two, or merge their values"), "yaml-duplicate-key")
        frame[3] = node
    else:
        items[pending.value] = node
        key_lines[pending.value] = pending.line
        frame[3] = None


def to_plain(node: Node | None):
    """Turn a node tree into plain ``dict``/``list``/``str`` (lines dropped)."""
    if node is None:
        return None
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Seq):
        return [to_plain(item) for item in node.items]
    return {key: to_plain(value) for key, value in node.items.items()}
