"""The *load* stage: read a content project into frozen dataclasses.

Every file is read strictly (see :mod:`mobcontent.yamlio`) and validated
against a declared schema. Loading collects every problem in the project and
raises one :class:`~mobcontent.errors.ProjectError` holding them all, so an
officer fixes them in one pass.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from pathlib import Path

from babel import Locale as BabelLocale, UnknownLocaleError

from . import audience as _audience
from .errors import ContentError, Problem, ProjectError
from .i18n import _
from .model import (DIMENSION_NAMES, DIMENSIONS, LAYOUTS, STATUSES, Audiences, Avoid, CalendarEntry, Chunk,
                    Condition, Config, Leaflet, Locale, Message, Profile, Project)
from .content.approvals import APPROVALS_PATH, load_approvals
from .yamlio import Map, Scalar, Seq, read_yaml

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TERM_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_SLUG = 80
ZONE_FIELDS = ("province", "border", "border_post", "hotline", "office")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


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
    comparison and lookup uses (see :mod:`mobcontent.canonical`)."""
    from .canonical import canonical_text
    return canonical_text(text)


def read_text(path: Path, rel: str) -> str:
    """Read a UTF-8 text file: BOM stripped, CRLF/CR turned into LF."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(_("cannot read the file: {reason}").format(reason=exc.strerror), rel, 0,
                           _("check the file exists and you may read it"), code="file-unreadable") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ContentError(_("the file is not UTF-8 text"), rel, line,
                           _("save it as UTF-8 (in your editor: Save As… → Encoding: UTF-8)"),
                           code="encoding") from None
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise ContentError(_("the file contains a NUL character"), rel, line,
                           _("remove the invisible NUL byte (the file may be damaged)"), code="encoding")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_yaml_file(root: Path, rel: str, problems: list[Problem]):
    try:
        return read_yaml(read_text(root / rel, rel), rel)
    except ContentError as exc:
        problems.append(exc.problem())
        return None


# --------------------------------------------------------------------------- config

CONFIG_KEYS = ("name", "source_locale", "locales", "issuer", "vi_tone_style", "default_layout", "ui_locale",
               "review_translations")
UI_LOCALES = ("en", "vi")


def parse_config(node, rel: str, reader: _Reader) -> Config:
    node = reader.mapping(node if node is not None else Map({}, 1, {}), "", CONFIG_KEYS, ("name",))
    if node is None:
        return Config(rel, "")
    source = reader.string(node.get("source_locale"), "source_locale", required=False) or "vi"
    locales = reader.strings(node.get("locales"), "locales") or (source,)
    tone = reader.string(node.get("vi_tone_style"), "vi_tone_style", required=False) or "keep"
    if tone not in ("old", "new", "keep"):
        reader.error(node.get("vi_tone_style").line, "bad-value",
                     _("vi_tone_style: '{value}' is not a tone style").format(value=tone),
                     _one_of(("old", "new", "keep")))
    layout = reader.string(node.get("default_layout"), "default_layout", required=False) or "a5-flyer"
    ui_locale = reader.string(node.get("ui_locale"), "ui_locale", required=False)
    if ui_locale and ui_locale not in UI_LOCALES:
        reader.error(node.get("ui_locale").line, "bad-value",
                     _("ui_locale: '{value}' is not a language of the tool's interface").format(value=ui_locale),
                     _one_of(UI_LOCALES))
        ui_locale = ""
    return Config(rel, reader.string(node.get("name"), "name"), source, locales,
                  reader.string(node.get("issuer"), "issuer", required=False), tone, layout,
                  dict(node.key_lines), ui_locale, _review_locales(node, source, locales, reader))


def _review_locales(node, source: str, locales: tuple, reader: _Reader) -> tuple[str, ...] | None:
    """``review_translations``: the locales whose translations need a recorded review
    (absent: every target locale; ``[]``: none)."""
    if "review_translations" not in node.items:
        return None
    value = node.get("review_translations")
    codes = () if isinstance(value, Seq) and not value.items else reader.strings(value, "review_translations")
    for code in codes:
        if code not in locales or code == source:
            reader.error(value.line, "bad-value",
                         _("review_translations: '{value}' is not a target locale of the project").format(value=code),
                         _one_of([c for c in locales if c != source]))
    return codes


def read_ui_locale(root: Path | str) -> str:
    """The project's ``ui_locale`` setting, read before anything else: the interface
    language must be known before the first message. ``""`` when the folder is not a
    project or the setting is absent; a broken file is reported later, by the load."""
    try:
        node = read_yaml(read_text(Path(root) / "mobcontent.yaml", "mobcontent.yaml"), "mobcontent.yaml")
    except ContentError:
        return ""
    value = node.get("ui_locale") if isinstance(node, Map) else None
    return value.value.strip() if isinstance(value, Scalar) else ""


# --------------------------------------------------------------------------- audiences

PROFILE_KEYS = {
    "ethnic": ("name", "locales", "terms", "avoid", "motif", "colour", "calendar"),
    "religion": ("name", "locales", "terms", "avoid", "calendar"),
    "zone": ("name", "locales", "terms", "avoid", "calendar") + ZONE_FIELDS,
}


def parse_audiences(node, rel: str, reader: _Reader) -> Audiences:
    top = reader.mapping(node, "", DIMENSIONS + ("zone_groups",), DIMENSIONS)
    dims = {}
    for dim in DIMENSIONS:
        dims[dim] = {}
        section = top.get(dim) if top else None
        if section is None or reader.mapping(section, dim, tuple(section.items) if isinstance(section, Map) else ()) is None:
            continue
        for pid, pnode in section.items.items():
            if reader.slug(pid, section.key_lines[pid], _("{dimension} id").format(dimension=_(DIMENSION_NAMES[dim]))):
                dims[dim][pid] = _parse_profile(dim, pid, pnode, section.key_lines[pid], reader)
    groups = {}
    gnode = top.get("zone_groups") if top else None
    if gnode is not None and reader.mapping(gnode, "zone_groups", tuple(gnode.items) if isinstance(gnode, Map) else ()):
        for group, members in gnode.items.items():
            line = gnode.key_lines[group]
            reader.slug(group, line, _("zone group"))
            if group in dims["zone"]:
                reader.error(line, "audience-duplicate",
                             _("zone_groups.{group}: a zone has the same id").format(group=group),
                             _("give the group a different name"))
            zones = reader.strings(members, f"zone_groups.{group}")
            for zone in zones:
                if zone not in dims["zone"]:
                    reader.error(getattr(members, "line", line), "audience-unknown-value",
                                 _("zone_groups.{group}: unknown zone '{zone}'").format(group=group, zone=zone),
                                 _one_of(dims["zone"]) + _closest(zone, dims["zone"]))
            groups[group] = zones
    return Audiences(rel, dims["ethnic"], dims["religion"], dims["zone"], groups)


def _parse_profile(dim: str, pid: str, node, line: int, reader: _Reader) -> Profile:
    where = f"{dim}.{pid}"
    node = reader.mapping(node, where, PROFILE_KEYS[dim], ("name",), line)
    if node is None:
        return Profile(dim, pid, pid, reader.path, line)
    terms = {}
    tnode = node.get("terms")
    if tnode is not None and reader.mapping(tnode, f"{where}.terms", tuple(tnode.items) if isinstance(tnode, Map) else ()):
        for key, value in tnode.items.items():
            if not TERM_RE.match(key):
                reader.error(tnode.key_lines[key], "bad-term-name",
                             _("{where}.terms: '{key}' is not a valid term name").format(where=where, key=key),
                             _("use lowercase letters, digits and '_', starting with a letter (e.g. border_post)"))
            terms[key] = reader.string(value, f"{where}.terms.{key}")
    fields = {key: reader.string(node.get(key), f"{where}.{key}", required=False)
              for key in ZONE_FIELDS if dim == "zone" and node.get(key) is not None}
    if "border" in fields and fields["border"] not in ("true", "false"):
        reader.error(node.get("border").line, "bad-value",
                     _("{where}.border: '{value}' must be true or false").format(where=where, value=fields["border"]),
                     _("write border: true or border: false"))
    return Profile(dim, pid, reader.string(node.get("name"), f"{where}.name"), reader.path, line,
                   locales=reader.strings(node.get("locales"), f"{where}.locales"),
                   terms=terms, fields=fields,
                   avoid=_parse_avoid(node.get("avoid"), where, reader),
                   calendar=_parse_calendar(node.get("calendar"), where, reader),
                   motif=reader.string(node.get("motif"), f"{where}.motif", required=False),
                   colour=_parse_colour(node.get("colour"), where, reader))


def _parse_colour(node, where: str, reader: _Reader) -> str:
    value = reader.string(node, f"{where}.colour", required=False)
    if value and not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        reader.error(node.line, "bad-value",
                     _("{where}.colour: '{value}' is not a colour").format(where=where, value=value),
                     _("write a colour as #rrggbb, e.g. \"#8b1e1e\" (with quotes)"))
        return ""
    return value


def _items(node, where: str, reader: _Reader):
    if node is None:
        return []
    if not isinstance(node, Seq):
        reader.error(node.line, "yaml-type", _("{where}: must be a list").format(where=where),
                     _("start each item with '- '"))
        return []
    return list(enumerate(node.items))


def _parse_avoid(node, where: str, reader: _Reader) -> tuple[Avoid, ...]:
    out = []
    for i, item in _items(node, f"{where}.avoid", reader):
        item = reader.mapping(item, f"{where}.avoid[{i}]", ("term", "use", "why"), ("term", "use"))
        if item is not None:
            out.append(Avoid(reader.string(item.get("term"), f"{where}.avoid[{i}].term"),
                             reader.string(item.get("use"), f"{where}.avoid[{i}].use"),
                             reader.string(item.get("why"), f"{where}.avoid[{i}].why", required=False),
                             reader.path, item.line))
    return tuple(out)


def _parse_calendar(node, where: str, reader: _Reader) -> tuple[CalendarEntry, ...]:
    out = []
    for i, item in _items(node, f"{where}.calendar", reader):
        at = f"{where}.calendar[{i}]"
        item = reader.mapping(item, at, ("name", "from", "until", "weekday", "why"), ("name",))
        if item is None:
            continue
        start = reader.string(item.get("from"), f"{at}.from", required=False)
        until = reader.string(item.get("until"), f"{at}.until", required=False) or start
        weekday = reader.string(item.get("weekday"), f"{at}.weekday", required=False).lower()
        for value, key in ((start, "from"), (until, "until")):
            if value and not _month_day(value):
                reader.error(item.get(key).line, "bad-date",
                             _("{where}: '{value}' is not a month-day").format(where=f"{at}.{key}", value=value),
                             _("write it as MM-DD, e.g. 11-15"))
        if weekday and weekday not in WEEKDAYS:
            reader.error(item.get("weekday").line, "bad-value",
                         _("{where}: '{value}' is not a weekday").format(where=f"{at}.weekday", value=weekday),
                         _one_of(WEEKDAYS))
        if not start and not weekday:
            reader.error(item.line, "yaml-missing-key",
                         _("{where}: needs 'from' (and 'until') or 'weekday'").format(where=at),
                         _("add from: MM-DD or weekday: sunday"))
        out.append(CalendarEntry(reader.string(item.get("name"), f"{at}.name"), reader.path, item.line,
                                 start, until, weekday, reader.string(item.get("why"), f"{at}.why", required=False)))
    return tuple(out)


def _month_day(value: str) -> bool:
    try:
        _dt.date.fromisoformat("2024-" + value)  # a leap year, so 02-29 is valid
        return len(value) == 5
    except ValueError:
        return False


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


# --------------------------------------------------------------------------- leaflets

LEAFLET_KEYS = ("title", "tagline", "audience", "locales", "bilingual", "layout", "messages", "select",
                "campaign", "date", "edition", "distribute")


def parse_leaflet(node, rel: str, slug: str, reader: _Reader, config: Config) -> Leaflet | None:
    node = reader.mapping(node, "", LEAFLET_KEYS, ("title", "audience", "locales"))
    if node is None:
        return None
    audience = {}
    anode = node.get("audience")
    if anode is not None and reader.mapping(anode, "audience", DIMENSIONS):
        audience = {dim: reader.string(value, f"audience.{dim}") for dim, value in anode.items.items()}
    messages, lines, topics = (), (), None
    if ("messages" in node.items) == ("select" in node.items):
        reader.error(node.line, "leaflet-no-messages", _("a leaflet needs either 'messages' or 'select' (one of them)"),
                     # no .format(): the braces are YAML
                     _("add 'messages: [slug, ...]' or 'select: {topics: [...]}'"))
    if "messages" in node.items:
        mnode = node.get("messages")
        messages = reader.strings(mnode, "messages")
        lines = tuple(item.line for item in mnode.items) if isinstance(mnode, Seq) else (mnode.line,) * len(messages)
    if "select" in node.items and reader.mapping(node.get("select"), "select", ("topics",)):
        topics = reader.strings(node.get("select").get("topics"), "select.topics")
    distribute = node.get("distribute")
    dist = ("", "")
    if distribute is not None and reader.mapping(distribute, "distribute", ("from", "until"), ("from", "until")):
        dist = (reader.date(distribute.get("from"), "distribute.from"),
                reader.date(distribute.get("until"), "distribute.until"))
        if dist[0] and dist[1] and dist[1] < dist[0]:
            reader.error(distribute.line, "bad-date", _("{where}: 'until' is before 'from'").format(where="distribute"),
                         _("swap the two dates"))
    title, tagline = node.get("title"), node.get("tagline")
    return Leaflet(
        slug=slug, path=rel, line=1,
        title=reader.string(title, "title"), title_line=getattr(title, "line", 1),
        audience=audience, audience_line=node.key_lines.get("audience", 1),
        locales=reader.strings(node.get("locales"), "locales"),
        layout=reader.string(node.get("layout"), "layout", required=False) or config.default_layout,
        messages=messages, message_lines=lines, select_topics=topics,
        bilingual=reader.strings(node.get("bilingual"), "bilingual"),
        tagline=reader.string(tagline, "tagline", required=False), tagline_line=getattr(tagline, "line", 0),
        campaign=reader.string(node.get("campaign"), "campaign", required=False),
        date=reader.date(node.get("date"), "date"),
        edition=reader.string(node.get("edition"), "edition", required=False),
        distribute_from=dist[0], distribute_until=dist[1], distribute_line=node.key_lines.get("distribute", 0))


def _check_leaflet(leaflet: Leaflet, node, project_parts: dict, reader: _Reader) -> None:
    """Cross-file checks: audience values, locales, layout, listed messages."""
    audiences, messages, locales = project_parts["audiences"], project_parts["messages"], project_parts["locales"]
    line_of = (lambda key: node.key_lines.get(key, 1)) if isinstance(node, Map) else (lambda key: 1)
    anode = node.get("audience") if isinstance(node, Map) else None
    for dim, value in leaflet.audience.items():
        line = anode.items[dim].line if isinstance(anode, Map) else leaflet.audience_line
        _check_value(dim, value, line, f"audience.{dim}", reader, audiences, groups=False)
    for key, codes in (("locales", leaflet.locales), ("bilingual", leaflet.bilingual)):
        for code in codes:
            if code not in locales:
                reader.error(line_of(key), "locale-unknown",
                             _("{where}: unknown locale '{code}'").format(where=key, code=code),
                             _one_of(locales) + " — " + _("or add {path}").format(path=f"locales/{code}/locale.yaml"))
    if leaflet.bilingual and len(leaflet.bilingual) != 2:
        reader.error(line_of("bilingual"), "bad-value", _("bilingual: must name exactly two locales"),
                     _("write e.g. bilingual: [rad, vi]"))
    if leaflet.layout not in LAYOUTS:
        reader.error(line_of("layout"), "layout-unknown",
                     _("layout: unknown layout '{layout}'").format(layout=leaflet.layout),
                     _one_of(LAYOUTS) + _closest(leaflet.layout, LAYOUTS))
    if all(_known(audiences, d, v) for d, v in leaflet.audience.items()):
        _check_listed_messages(leaflet, messages, project_parts["broken"], audiences, reader)


def _known(audiences: Audiences | None, dim: str, value: str) -> bool:
    return audiences is not None and value in audiences.profiles(dim)


def _check_listed_messages(leaflet: Leaflet, messages: dict, broken: set, audiences: Audiences,
                           reader: _Reader) -> None:
    for slug, line in zip(leaflet.messages, leaflet.message_lines):
        message = messages.get(slug)
        if message is None and slug in broken:
            continue  # its own errors are reported
        if message is None:
            reader.error(line, "message-unknown", _("messages: no message '{slug}'").format(slug=slug),
                         _("create {path} or fix the name").format(path=f"content/messages/{slug}.md")
                         + _closest(slug, messages))
            continue
        reason = _audience.exclusion(message, leaflet.audience, audiences)
        if reason:
            reader.error(line, "message-not-for-audience",
                         _("messages: '{slug}' does not fit this leaflet's audience ({reason})").format(
                             slug=slug, reason=reason),
                         _("remove it from the leaflet, or widen 'audience' in {path}").format(path=message.path))


# --------------------------------------------------------------------------- locales

LOCALE_KEYS = ("code", "name", "native_name", "plural_forms", "fallback", "letters")
PLURAL_RE = re.compile(r"^\s*nplurals\s*=\s*\d+\s*;\s*plural\s*=\s*[^;]+;?\s*$")


def parse_locale(node, rel: str, code: str, reader: _Reader) -> Locale | None:
    node = reader.mapping(node, "", LOCALE_KEYS, ("name", "plural_forms"))
    if node is None:
        return None
    declared = reader.string(node.get("code"), "code", required=False)
    if declared and declared != code:
        reader.error(node.get("code").line, "locale-mismatch",
                     _("code: '{declared}' but the folder is '{code}'").format(declared=declared, code=code),
                     _("write code: {code}, or move the file to {folder}").format(
                         code=code, folder=f"locales/{declared}/"))
    plural = reader.string(node.get("plural_forms"), "plural_forms")
    if plural and not PLURAL_RE.match(plural):
        reader.error(node.get("plural_forms").line, "bad-value",
                     _("plural_forms: '{value}' is not a gettext plural rule").format(value=plural),
                     _("write e.g. \"nplurals=1; plural=0;\""))
    return Locale(code, reader.string(node.get("name"), "name"),
                  reader.string(node.get("native_name"), "native_name", required=False),
                  plural, reader.string(node.get("fallback"), "fallback", required=False) or "vi",
                  reader.strings(node.get("letters"), "letters"), rel)


def cldr_locale(code: str) -> Locale | None:
    """A locale CLDR knows (``vi``), with its plural rule; ``None`` if unknown."""
    try:
        babel = BabelLocale.parse(code)
    except (UnknownLocaleError, ValueError):
        return None
    from babel.messages.plurals import get_plural
    plural = get_plural(code)
    return Locale(code, babel.english_name, babel.get_display_name(code) or code,
                  f"nplurals={plural.num_plurals}; plural={plural.plural_expr};", "", ())


# --------------------------------------------------------------------------- project

def load_project(root: Path | str) -> Project:
    """Load and validate the project at ``root``; raise ProjectError listing every problem."""
    root = Path(root)
    problems: list[Problem] = []
    if not (root / "mobcontent.yaml").is_file():
        raise ProjectError([Problem("project-missing", "error", str(root / "mobcontent.yaml"), 0,
                                    _("this folder is not a mobcontent project (no mobcontent.yaml)"),
                                    _("run the command inside the project folder, or create one with "
                                      "'mobcontent init'"))])
    from .safety import unsafe_files
    if unsafe := unsafe_files(root):  # links out of the project, /dev/zero, FIFOs: never read
        raise ProjectError(unsafe)
    config = _load_one(root, "mobcontent.yaml", problems, lambda node, r: parse_config(node, "mobcontent.yaml", r))
    audiences = _load_one(root, "content/audiences.yaml", problems,
                          lambda node, r: parse_audiences(node, "content/audiences.yaml", r))
    locales = _load_locales(root, config, problems)
    messages, broken = {}, set()
    for rel, slug in _slugged_files(root, "content/messages", ".md", problems):
        reader = _Reader(rel)
        try:
            message = parse_message(_canonical_source(read_text(root / rel, rel), config), rel, slug, reader,
                                    audiences)
        except ContentError as exc:
            reader.problems.append(exc.problem())
            message = None
        problems.extend(reader.problems)
        if message is not None:
            messages[slug] = message
        else:
            broken.add(slug)
    leaflets = {}
    parts = {"audiences": audiences, "messages": messages, "locales": locales, "broken": broken}
    for rel, slug in _slugged_files(root, "content/leaflets", ".yaml", problems):
        node = _read_yaml_file(root, rel, problems)
        if node is None:
            continue
        reader = _Reader(rel)
        leaflet = parse_leaflet(node, rel, slug, reader, config)
        if leaflet is not None:
            _check_leaflet(leaflet, node, parts, reader)
            leaflets[slug] = leaflet
        problems.extend(reader.problems)
    approvals, broken = load_approvals(lambda rel: _optional_text(root, rel, problems), approval_files(root))
    problems += broken
    errors = [p for p in problems if p.severity == "error"]
    if errors or config is None or audiences is None:
        raise ProjectError(sorted(errors, key=lambda p: (p.path, p.line)) or problems)
    warnings = tuple(p for p in problems if p.severity == "warning")
    return Project(root, config, audiences, messages, leaflets, locales, warnings, tuple(approvals))


def approval_files(root: Path) -> list[str]:
    """``content/approvals.yaml`` and every ``locales/<code>/approvals.yaml``."""
    found = [APPROVALS_PATH] if (root / APPROVALS_PATH).is_file() else []
    return found + [p.relative_to(root).as_posix() for p in sorted((root / "locales").glob("*/approvals.yaml"))]


def _optional_text(root: Path, rel: str, problems: list[Problem]) -> str | None:
    try:
        return read_text(root / rel, rel)
    except ContentError as exc:
        problems.append(exc.problem())
        return None


def _canonical_source(text: str, config: Config | None) -> str:
    """A message file in canonical text, with the project's Vietnamese tone style."""
    from .canonical import canonical_text
    if config is None:
        return canonical_text(text)
    return canonical_text(text, config.source_locale, config.vi_tone_style)


def _load_one(root: Path, rel: str, problems: list[Problem], parse):
    if not (root / rel).is_file():
        problems.append(Problem("file-missing", "error", rel, 0, _("the file is missing"),
                                _("create {path} (see 'mobcontent init' for an example)").format(path=rel)))
        return None
    before = len(problems)
    node = _read_yaml_file(root, rel, problems)
    if len(problems) > before:  # unreadable: checks against it would only echo the first error
        return None
    reader = _Reader(rel)
    result = parse(node, reader)
    problems.extend(reader.problems)
    return result


def _slugged_files(root: Path, folder: str, suffix: str, problems: list[Problem]):
    """``(relative path, slug)`` of each file in ``folder``, sorted; bad names reported."""
    base = root / folder
    if not base.is_dir():
        return []
    out = []
    for path in sorted(base.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        rel = f"{folder}/{path.name}"
        if path.suffix != suffix:
            problems.append(Problem("file-ignored", "warning", rel, 0,
                                    _("not a {suffix} file, ignored").format(suffix=suffix),
                                    _("rename it to end in {suffix} or move it out of {folder}").format(
                                        suffix=suffix, folder=f"{folder}/")))
            continue
        slug = path.name[:-len(suffix)]
        reader = _Reader(rel)
        if reader.slug(slug, 0, _("file name")):
            out.append((rel, slug))
        problems.extend(reader.problems)
    return out


def _load_locales(root: Path, config: Config | None, problems: list[Problem]) -> dict:
    locales = {}
    base = root / "locales"
    if base.is_dir():
        for path in sorted(base.glob("*/locale.yaml")):
            code = path.parent.name
            rel = f"locales/{code}/locale.yaml"
            reader = _Reader(rel)
            if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", code):
                reader.error(0, "bad-slug", _("'{code}' is not a locale code").format(code=code),
                             _("use a 2- or 3-letter ISO 639 code, e.g. rad, cmo"))
                problems.extend(reader.problems)
                continue
            node = _read_yaml_file(root, rel, problems)
            locale = parse_locale(node, rel, code, reader)
            problems.extend(reader.problems)
            if locale is not None:
                locales[code] = locale
    for code in (config.locales if config else ("vi",)) + ((config.source_locale,) if config else ()):
        if code not in locales:
            locale = cldr_locale(code)
            if locale is None:
                line = config.lines.get("locales", 1) if config else 1
                problems.append(Problem("locale-unknown", "error", "mobcontent.yaml", line,
                                        _("locales: '{code}' is not known to CLDR and has no {path}").format(
                                            code=code, path=f"locales/{code}/locale.yaml"),
                                        _("create {path} with name, plural_forms and letters").format(
                                            path=f"locales/{code}/locale.yaml")))
            else:
                locales[code] = locale
    return dict(sorted(locales.items()))
