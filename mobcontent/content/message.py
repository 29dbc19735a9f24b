"""A message file: front matter and Markdown body, with ``::: only`` / ``::: except``
conditions, placeholders and the limits that keep Python-Markdown fast.
"""
from __future__ import annotations

import re

from ..base.errors import ContentError
from ..base.i18n import _
from ..base.model import (
    DIMENSION_NAMES,
    DIMENSIONS,
    STATUSES,
    Audiences,
    Chunk,
    Condition,
    Message,
)
from ..formats.yamlio import Map, read_yaml
from .schema import TERM_RE, _closest, _one_of, _Reader, canonical

# --------------------------------------------------------------------------- messages

MESSAGE_KEYS = ("title", "summary", "audience", "topics", "status", "valid")
FENCE_RE = re.compile(r"^:::\s*(\S.*?)?\s*$")
PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def split_front_matter(text: str, rel: str) -> tuple[str, str, int]:
    """Split a message file into (front matter, body, body's first line)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise ContentError(_("the message has no front matter"), rel, 1,
                           _("start the file with a line '---', then title:, audience:, status:, "
                             "then another line '---', then the text"), code="front-matter-missing")
    for i, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    raise ContentError(_("the front matter opened on line 1 is never closed"), rel, 1,
                       _("add a line '---' after the last front-matter line (before the text)"),
                       code="front-matter-unclosed")


def parse_message(text: str, rel: str, slug: str, reader: _Reader, audiences: Audiences | None) -> Message | None:
    """Parse one message file's text; problems go to ``reader``."""
    try:
        head, body, body_line = split_front_matter(text, rel)
        node = read_yaml(head, rel, first_line=2)
    except ContentError as exc:
        reader.problems.append(exc.problem())
        return None
    node = reader.mapping(node if node is not None else Map({}, 2, {}), "", MESSAGE_KEYS, ("title", "status"), 2)
    if node is None:
        return None
    status = reader.string(node.get("status"), "status")
    if status and status not in STATUSES:
        reader.error(node.get("status").line, "bad-status", _("status: '{value}' is not a status").format(value=status),
                     _one_of(STATUSES))
    valid = node.get("valid")
    valid_from = valid_until = ""
    if valid is not None and reader.mapping(valid, "valid", ("from", "until"), line=node.key_lines["valid"]):
        valid_from = reader.date(valid.get("from"), "valid.from")
        valid_until = reader.date(valid.get("until"), "valid.until")
        if valid_from and valid_until and valid_until < valid_from:
            reader.error(valid.line, "bad-date", _("{where}: 'until' is before 'from'").format(where="valid"),
                         _("swap the two dates"))
    title, summary = node.get("title"), node.get("summary")
    return Message(
        slug=slug, path=rel, line=1,
        title=reader.string(title, "title"), title_line=getattr(title, "line", 2),
        audience=_parse_message_audience(node.get("audience"), reader, audiences),
        audience_line=node.key_lines.get("audience", 2),
        topics=reader.strings(node.get("topics"), "topics"),
        status=status,
        chunks=parse_body(body, body_line, reader, audiences),
        summary=reader.string(summary, "summary", required=False),
        summary_line=getattr(summary, "line", 0),
        valid_from=valid_from, valid_until=valid_until, valid_line=node.key_lines.get("valid", 0),
        status_line=node.key_lines.get("status", 0))


def _parse_message_audience(node, reader: _Reader, audiences: Audiences | None) -> dict:
    if node is None:
        return {}
    node = reader.mapping(node, "audience", DIMENSIONS)
    if node is None:
        return {}
    out = {}
    for dim, values_node in node.items.items():
        values = reader.strings(values_node, f"audience.{dim}")
        if not values:
            reader.error(values_node.line, "yaml-missing-value", _("{where}: is empty").format(where=f"audience.{dim}"),
                         _("list at least one {dimension}, or remove the line to mean every {dimension}").format(
                             dimension=_(DIMENSION_NAMES[dim])))
        for value in values:
            _check_value(dim, value, values_node.line, f"audience.{dim}", reader, audiences, groups=True)
        out[dim] = values
    return out


def _check_value(dim: str, value: str, line: int, where: str, reader: _Reader,
                 audiences: Audiences | None, groups: bool) -> bool:
    if audiences is None:
        return True
    known = list(audiences.profiles(dim)) + (list(audiences.zone_groups) if groups and dim == "zone" else [])
    if value in known:
        return True
    reader.error(line, "audience-unknown-value",
                 _("{where}: unknown {dimension} '{value}'").format(
                     where=where, dimension=_(DIMENSION_NAMES[dim]), value=value),
                 _one_of(known) + _closest(value, known)
                 + " — " + _("or add it to {path}").format(path=audiences.path))
    return False


def parse_body(body: str, first_line: int, reader: _Reader, audiences: Audiences | None) -> tuple[Chunk, ...]:
    """Split a message body at ``::: only``/``::: except``/``:::`` fences into chunks."""
    chunks: list[Chunk] = []
    stack: list[Condition] = []
    current: list[str] = []
    start = first_line
    in_code = False

    def flush(next_line: int):
        nonlocal current, start
        text = "\n".join(current).strip("\n")
        if text.strip():
            offset = next(i for i, line in enumerate(current) if line.strip())
            _check_complexity(current, start, reader)
            chunks.append(Chunk(text, start + offset, tuple(stack)))
        current, start = [], next_line

    for number, line in enumerate(body.split("\n"), start=first_line):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        match = None if in_code else FENCE_RE.match(line)
        if match is None:
            current.append(line)
            _check_placeholders(line, number, reader)
            continue
        flush(number + 1)
        if match.group(1) is None:
            if not stack:
                reader.error(number, "block-unopened", _("':::' closes a block that was never opened"),
                             _("remove this line, or open the block with '::: only KEY=VALUE' above it"))
            else:
                stack.pop()
        else:
            stack.append(_parse_condition(match.group(1), number, reader, audiences))
    flush(first_line)
    for condition in stack:
        reader.error(condition.line, "block-unclosed",
                     _("'::: {condition}' is never closed").format(condition=condition.describe()),
                     _("add a line ':::' where the block ends"))
    return tuple(chunks)


MAX_BRACKETS = 400  # Python-Markdown's link parsing is quadratic in '[': 20,000 of them take a minute


def _check_complexity(lines: list[str], first_line: int, reader: _Reader) -> None:
    """Refuse a paragraph that would make the Markdown parser run away."""
    count, block_start = 0, first_line
    for number, line in enumerate(lines + [""], start=first_line):
        if not line.strip():
            if count > MAX_BRACKETS:
                reader.error(block_start, "markdown-too-complex",
                             _("this paragraph has {count} '[' characters (at most {limit})").format(
                                 count=count, limit=MAX_BRACKETS),
                             _("split the paragraph, or write the brackets as \\[ if they are not links"))
            count, block_start = 0, number + 1
        else:
            count += line.count("[")


def _parse_condition(text: str, line: int, reader: _Reader, audiences: Audiences | None) -> Condition:
    word, _space, rest = text.partition(" ")
    if word not in ("only", "except") or not rest.strip():
        reader.error(line, "condition-invalid", _("'::: {marker}' is not a block marker").format(marker=text),
                     _("write '::: only ethnic=ede' or '::: except religion=protestant,catholic', and ':::' to close"))
        return Condition(False, (), line)
    criteria = []
    for token in rest.split():
        key, eq, values = token.partition("=")
        if not eq or not values or key not in DIMENSIONS:
            reader.error(line, "condition-invalid",
                         _("'{token}' is not KEY=VALUE with KEY one of {keys}").format(
                             token=token, keys=", ".join(DIMENSIONS)),
                         _("write e.g. religion=protestant,catholic"))
            continue
        names = tuple(canonical(v) for v in values.split(",") if v)
        for value in names:
            _check_value(key, value, line, f"'::: {word}'", reader, audiences, groups=True)
        criteria.append((key, names))
    return Condition(word == "except", tuple(criteria), line)


def _check_placeholders(line: str, number: int, reader: _Reader) -> None:
    for match in PLACEHOLDER_RE.finditer(line):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None or not TERM_RE.match(name):
            shown = token if name is None else "{" + name + "}"
            reader.error(number, "placeholder-syntax", _("'{token}' is not a variable").format(token=shown),
                         # no .format(): the braces are shown as they are
                         _("variables look like {village} (lowercase letters, digits, _); "
                           "write {{ and }} for a literal brace"))
