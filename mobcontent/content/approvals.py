"""Approvals: sign-off records bound to the exact text they approve.

``mobcontent approve`` appends one record per message to ``content/approvals.yaml``
(the source text) or, with ``--locale``, to ``locales/<code>/approvals.yaml`` (a
review of the message's translation entries). Records are never rewritten: a
later approval is a new record. A message counts as approved when a record holds
the sha256 of its *current* printable source (:func:`printable_source`): title,
summary and body, normalised, with the ``::: only`` conditions; any other change
voids the approval until it is approved again.

The files are read with the strict YAML reader; a broken record is an error at
its line. A record is a claim by whoever committed it (see ``docs/approvals.md``).
"""
from __future__ import annotations

import datetime as _dt
import difflib
import json
import os
import re
from dataclasses import dataclass

from ..base.errors import ContentError, Problem, UsageError
from ..base.files import (
    confine,
    is_file,
    read_bytes,
    read_regular,
    sha256,
    write_atomic,
    write_file,
)
from ..base.i18n import _
from ..base.model import Approval, Message, Project
from ..formats.yamlio import Map, Scalar, Seq, read_yaml

APPROVALS_PATH = "content/approvals.yaml"
SOURCE_KEYS = ("message", "sha256", "by", "date", "note", "text")
REVIEW_KEYS = ("message", "by", "date", "note", "entries")
HEX_RE = re.compile(r"^[0-9a-f]{64}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HEADER = ("# Phê duyệt, ghi bởi 'mobcontent approve'. Chỉ ghi thêm: không sửa, không xoá bản ghi cũ.\n"
          "# Sign-off records written by 'mobcontent approve': append-only, never edit or remove one.\n"
          "# A record is a claim by whoever committed it: see docs/approvals.md.\n")


def review_path(locale: str) -> str:
    """Where a locale's translation reviews are recorded."""
    return f"locales/{locale}/approvals.yaml"


# --------------------------------------------------------------------------- the text that is approved

def printable_source(message: Message) -> str:
    """The text an approval covers: title, summary and body with its conditions, each
    line without trailing blanks and at most one empty line in a row. Anything else in
    the front matter (audience, topics, status, valid) does not print and does not count.

    >>> from mobcontent.base.model import Chunk
    >>> m = Message("m", "m.md", 1, "Tiêu đề", 2, {}, 3, (), "draft", (Chunk("Dòng một  \\n\\n\\n dòng hai", 6),))
    >>> print(printable_source(m))
    title: Tiêu đề
    <BLANKLINE>
    Dòng một
    <BLANKLINE>
     dòng hai
    """
    parts = [f"title: {message.title}"] + ([f"summary: {message.summary}"] if message.summary else [])
    for chunk in message.chunks:
        opened = [f"::: {condition.describe()}" for condition in chunk.conditions]
        parts += ["", *opened, _normalise(chunk.text), *([":::"] * len(opened))]
    return "\n".join(parts)


def _normalise(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


def message_sha256(message: Message) -> str:
    """sha256 of the message's printable source."""
    return sha256(printable_source(message).encode("utf-8"))


def entry_sha256(msgctxt: str, msgid: str, msgstr: str) -> str:
    """sha256 of one translation entry as reviewed (context, source text, translation)."""
    return sha256(json.dumps([msgctxt or "", msgid, msgstr], ensure_ascii=False).encode("utf-8"))


def entries_digest(entries) -> str:
    """sha256 over a set of entry hashes: what a review record covers, as one hash."""
    return sha256("\n".join(sorted(set(entries))).encode("ascii"))


# --------------------------------------------------------------------------- state of a message

@dataclass(frozen=True)
class MessageApproval:
    """Whether a message's current text is approved: ``approved``, ``stale`` (approved once,
    changed since), ``unrecorded`` (``status: approved`` with no record) or ``not-approved``."""

    message: Message
    state: str
    sha256: str
    records: tuple[Approval, ...]  # the records of the current text
    history: tuple[Approval, ...]  # every record of the message, in file order

    @property
    def last(self) -> Approval | None:
        """The latest record of the message, whatever text it approved."""
        return self.history[-1] if self.history else None


def message_approval(project: Project, message: Message) -> MessageApproval:
    """The sign-off state of ``message`` against the project's records."""
    current = message_sha256(message)
    mine = [a for a in project.approvals if not a.locale and a.message == message.slug]
    matching = tuple(a for a in mine if a.sha256 == current)
    if message.status != "approved":
        state = "not-approved"
    elif matching:
        state = "approved"
    elif mine:
        state = "stale"
    else:
        state = "unrecorded"
    return MessageApproval(message, state, current, matching, tuple(mine))


def approved_text(state: MessageApproval) -> Approval | None:
    """The latest record of the message that keeps its text (for a diff), if any."""
    kept = [a for a in state.history if a.text]
    return kept[-1] if kept else None


def word_diff(old: str, new: str) -> str:
    """``new`` with words removed since ``old`` as ``[-…-]`` and added ones as ``{+…+}``.

    >>> word_diff("Gọi số 0912 ngay", "Gọi số 0913 ngay")
    'Gọi số [-0912-]{+0913+} ngay'
    """
    out = []
    for op, removed, added in _changes(old, new):
        if op == "equal":
            out.append(added)
            continue
        out.append((f"[-{removed}-]" if removed else "") + (f"{{+{added}+}}" if added else ""))
    return "".join(out)


def change_summary(old: str, new: str, limit: int = 3) -> str:
    """The first changes as ``'old' → 'new'``, for a one-line problem message."""
    items = []
    for op, removed, added in _changes(old, new):
        if op != "equal" and (removed.strip() or added.strip()):
            items.append(f"'{_short(removed.strip())}' → '{_short(added.strip())}'")
    more = len(items) - limit
    return "; ".join(items[:limit]) + (f"; … (+{more})" if more > 0 else "")


def _changes(old: str, new: str):
    a, b = re.findall(r"\s+|\S+", old), re.findall(r"\s+|\S+", new)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        yield op, "".join(a[i1:i2]), "".join(b[j1:j2])


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


# --------------------------------------------------------------------------- reading

def read_approvals(text: str, rel: str, locale: str = "") -> tuple[list[Approval], list[Problem]]:
    """Parse an approvals file: every record, and a problem at the line of each broken one.

    >>> records, problems = read_approvals("- message: x\\n  sha256: nope\\n  by: A\\n  date: 2026-01-01\\n", "a.yaml")
    >>> records, (problems[0].path, problems[0].line, problems[0].code, problems[0].message)
    ([], ('a.yaml', 2, 'approval-invalid', "sha256: 'nope' is not a sha256 (64 hexadecimal digits)"))
    """
    try:
        root = read_yaml(text, rel)
    except ContentError as exc:
        return [], [exc.problem()]
    if root is None:
        return [], []
    if not isinstance(root, Seq):
        return [], [_invalid(rel, root.line, _("the file must be a list of records, each starting with '- message:'"))]
    records, problems = [], []
    for node in root.items:
        record = _read_record(node, rel, locale, problems)
        if record is not None:
            records.append(record)
    return records, problems


def _invalid(rel: str, line: int, message: str) -> Problem:
    return Problem("approval-invalid", "error", rel, line, message,
                   _("records are written by 'mobcontent approve' and never edited: restore the file from git "
                     "(git checkout -- {path}), then approve again").format(path=rel))


def _read_record(node, rel: str, locale: str, problems: list[Problem]) -> Approval | None:
    keys = REVIEW_KEYS if locale else SOURCE_KEYS
    if not isinstance(node, Map):
        problems.append(_invalid(rel, node.line, _("a record must be a mapping (key: value lines)")))
        return None
    before = len(problems)
    for key in node.items:
        if key not in keys:
            problems.append(_invalid(rel, node.key_lines[key], _("unknown key '{key}' (known keys: {keys})").format(
                key=key, keys=", ".join(keys))))
    values = {}
    for key in keys:
        value = node.get(key)
        if value is None:
            continue
        if key == "entries":
            values[key] = _hashes(value, rel, problems)
        elif not isinstance(value, Scalar):
            problems.append(_invalid(rel, value.line, _("{key}: must be a single value").format(key=key)))
        else:
            values[key] = value.value
    required = ("message", "by", "date", "entries") if locale else ("message", "sha256", "by", "date")
    for key in required:
        if key not in node.items:
            problems.append(_invalid(rel, node.line, _("the record has no '{key}'").format(key=key)))
    _check_values(node, values, rel, problems)
    if len(problems) > before:
        return None
    entries = tuple(values.get("entries", ()))
    digest = entries_digest(entries) if locale else values["sha256"]
    return Approval(values["message"], digest, values["by"].strip(), values["date"], rel, node.line,
                    values.get("note", "").strip(), locale, values.get("text", ""), entries)


def _check_values(node: Map, values: dict, rel: str, problems: list[Problem]) -> None:
    def line(key):
        return node.key_lines.get(key, node.line)
    if "message" in values and not SLUG_RE.match(values["message"]):
        problems.append(_invalid(rel, line("message"), _("message: '{value}' is not a message name").format(
            value=values["message"])))
    if "sha256" in values and not HEX_RE.match(values["sha256"]):
        problems.append(_invalid(rel, line("sha256"), _("sha256: '{value}' is not a sha256 (64 hexadecimal digits)")
                                 .format(value=values["sha256"])))
    if "by" in values and not values["by"].strip():
        problems.append(_invalid(rel, line("by"), _("by: is empty (who approved?)")))
    if "date" in values and not _is_date(values["date"]):
        problems.append(_invalid(rel, line("date"), _("date: '{value}' is not a date (YYYY-MM-DD)").format(
            value=values["date"])))
    text, digest = values.get("text"), values.get("sha256", "")
    if text is not None and HEX_RE.match(digest) and sha256(text.encode("utf-8")) != digest:
        problems.append(_invalid(rel, line("text"), _("text: does not match the record's sha256 (the record was "
                                                      "edited by hand)")))


def _hashes(node, rel: str, problems: list[Problem]) -> list[str]:
    if not isinstance(node, Seq):
        problems.append(_invalid(rel, node.line, _("entries: must be a list of sha256 values")))
        return []
    out = []
    for item in node.items:
        if not isinstance(item, Scalar) or not HEX_RE.match(item.value):
            problems.append(_invalid(rel, item.line, _("entries: '{value}' is not a sha256 (64 hexadecimal digits)")
                                     .format(value=getattr(item, "value", "…"))))
        else:
            out.append(item.value)
    return out


def _is_date(value: str) -> bool:
    try:
        _dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


# --------------------------------------------------------------------------- writing

def approval_date(explicit: str | None = None, environ=os.environ) -> str:
    """The date an approval records: ``--date``, else ``SOURCE_DATE_EPOCH``, else today
    (the clock is read here, when somebody approves, never by a build)."""
    if explicit:
        if not _is_date(explicit):
            raise UsageError(_("--date '{value}' is not a date").format(value=explicit),
                             hint=_("write dates as YYYY-MM-DD, e.g. 2026-11-01"))
        return explicit
    epoch = environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date().isoformat()
    return _dt.date.today().isoformat()


def format_record(record: Approval) -> str:
    """One record as YAML, as appended to the file.

    >>> print(format_record(Approval("x", "ab" * 32, "Ban: A", "2026-11-01", "", 0, note="ok")), end="")
    - message: x
      sha256: abababababababababababababababababababababababababababababababab
      by: "Ban: A"
      date: 2026-11-01
      note: "ok"
    """
    lines = [f"- message: {record.message}"]
    if not record.locale:
        lines.append(f"  sha256: {record.sha256}")
    lines += [f"  by: {_quoted(record.by)}", f"  date: {record.date}"]
    if record.note:
        lines.append(f"  note: {_quoted(record.note)}")
    if record.text:
        lines += _text_block(record.text)
    if record.locale:
        lines += ["  entries:"] + [f"    - {digest}" for digest in record.entries]
    return "\n".join(lines) + "\n"


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _text_block(text: str) -> list[str]:
    """``text: |-`` and the text indented; a quoted string when a block would not read back
    as the same text."""
    block = ["  text: |-"] + [f"    {line}" if line else "" for line in text.split("\n")]
    probe = read_yaml("- message: probe\n" + "\n".join(block) + "\n", "<text>")
    if isinstance(probe, Seq) and isinstance(probe.items[0], Map) and \
            getattr(probe.items[0].get("text"), "value", None) == text:
        return block
    return [f"  text: {_quoted(text)}"]


def append_records(root, rel: str, records: list[Approval]) -> None:
    """Append ``records`` to the file ``rel`` (created with a header), never rewriting
    what is there; the whole new file is read back before it replaces the old one."""
    old = read_bytes(root, rel).decode("utf-8") if is_file(root, rel) else HEADER  # bytes kept as they are (CRLF too)
    if old and not old.endswith("\n"):
        old += "\n"
    new = old + "".join(format_record(record) for record in records)
    parsed, problems = read_approvals(new, rel, records[0].locale if records else "")
    if problems:
        raise ContentError(problems[0].message, problems[0].path, problems[0].line, problems[0].hint,
                           code=problems[0].code)
    write_file(root, rel, new.encode("utf-8"))


def approve_messages(project: Project, slugs, by: str, date: str, note: str = "") -> list[Approval]:
    """Approve each message's current text: append a record each to ``content/approvals.yaml``
    and set ``status: approved`` in its front matter. A message whose current text already
    has a record by the same ``by`` gets no second one. Returns the records written."""
    messages = find_messages(project, slugs)
    if not by.strip():
        raise UsageError(_("--by is empty"), hint=_("say who approves: a role or a name, e.g. --by \"Ban Dân vận\""))
    records = []
    for message in messages:
        state = message_approval(project, message)
        if any(a.by == by.strip() for a in state.records):
            continue
        records.append(Approval(message.slug, state.sha256, by.strip(), date, APPROVALS_PATH, 0, note.strip(),
                                text=printable_source(message)))
    if records:
        append_records(project.root, APPROVALS_PATH, records)
    for message in messages:
        set_status_approved(project.root / message.path)
    return records


def find_messages(project: Project, slugs) -> list[Message]:
    unknown = [slug for slug in slugs if slug not in project.messages]
    if unknown:
        raise UsageError(_("no message named {names}").format(names=", ".join(unknown)),
                         hint=_("known messages: {names}").format(names=", ".join(project.messages)))
    return [project.messages[slug] for slug in dict.fromkeys(slugs)]


STATUS_RE = re.compile(r"^(status[ \t]*:[ \t]*)(\"[^\"\n]*\"|'[^'\n]*'|[^\s#]*)(.*)$", re.S)


def set_status_approved(path) -> bool:
    """Set ``status: approved`` in a message's front matter, keeping every other byte
    (comments, quotes style aside, line endings, BOM); written atomically. False when
    it already was approved."""
    real = confine(path.parent, path.name)  # a message file: no link out, regular, bounded
    data = read_regular(real, path.name)
    text = data.decode("utf-8")
    lines = text.splitlines(keepends=True)
    start = 1 if lines and lines[0].lstrip("\ufeff").rstrip("\r\n") == "---" else None
    for index in range(start or 0, len(lines)) if start else ():
        body = lines[index].rstrip("\r\n")
        if body.rstrip() in ("---", "..."):
            break
        match = STATUS_RE.match(body)
        if match:
            if match.group(2).strip("\"'") == "approved":
                return False
            ending = lines[index][len(body):]
            lines[index] = match.group(1) + "approved" + match.group(3) + ending
            write_atomic(real, "".join(lines).encode("utf-8"))
            return True
    raise ContentError(_("no 'status:' line in the front matter"), str(path), 1,
                       _("add 'status: approved' to the front matter"), code="front-matter-missing")


def load_approvals(read, rel_paths) -> tuple[list[Approval], list[Problem]]:
    """Every record of the approvals files ``rel_paths`` (``read(rel)`` gives a file's text,
    ``None`` when absent), in order, and the problems of broken ones."""
    records, problems = [], []
    for rel in rel_paths:
        text = read(rel)
        if text is None:
            continue
        locale = "" if rel == APPROVALS_PATH else rel.split("/")[1]
        found, broken = read_approvals(text, rel, locale)
        records += found
        problems += broken
    return records, problems


def since_approval(project: Project, slug: str) -> tuple[MessageApproval, Approval | None, str]:
    """What changed in message ``slug`` since its text was last approved: its state, the
    record compared with (``None`` if none keeps a text) and a word diff (``""`` if none)."""
    message = find_messages(project, [slug])[0]
    state = message_approval(project, message)
    record = state.records[-1] if state.records else approved_text(state)
    if record is None or record.sha256 == state.sha256:
        return state, record, ""
    return state, record, word_diff(record.text, printable_source(message))
