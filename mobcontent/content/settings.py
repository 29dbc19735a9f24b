"""Project settings: ``mobcontent.yaml``, ``content/audiences.yaml``, leaflets and
``locales/<code>/locale.yaml``, each parsed against its schema.
"""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from babel import Locale as BabelLocale
from babel import UnknownLocaleError

from ..base.errors import ContentError, UsageError
from ..base.files import read_text
from ..base.i18n import _
from ..base.model import (
    DIMENSION_NAMES,
    DIMENSIONS,
    LAYOUTS,
    Audiences,
    Avoid,
    CalendarEntry,
    Config,
    Leaflet,
    Locale,
    Profile,
    Project,
)
from ..formats.yamlio import Map, Scalar, Seq, read_yaml
from . import audience as _audience
from .message import _check_value
from .schema import TERM_RE, _closest, _items, _known, _one_of, _Reader

ZONE_FIELDS = ("province", "border", "border_post", "hotline", "office")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


# --------------------------------------------------------------------------- config

CONFIG_KEYS = ("name", "source_locale", "locales", "issuer", "vi_tone_style", "default_layout", "ui_locale",
               "review_translations", "public_contacts")
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
                  dict(node.key_lines), ui_locale, _review_locales(node, source, locales, reader),
                  public_contacts=reader.strings(node.get("public_contacts"), "public_contacts"))


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
        node = read_yaml(read_text(Path(root), "mobcontent.yaml"), "mobcontent.yaml")
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

LOCALE_KEYS = ("code", "name", "native_name", "plural_forms", "fallback", "letters", "orthography")
# the data of the orthography check (mobcontent.checks.orthography): lists, and two numbers
ORTHOGRAPHY_LISTS = ("alphabet", "consonants", "nuclei", "codas", "forbidden_clusters")
ORTHOGRAPHY_NUMBERS = ("max_onset", "untranslated_share")
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
    orthography, line = _parse_orthography(node.get("orthography"), reader)
    return Locale(code, reader.string(node.get("name"), "name"),
                  reader.string(node.get("native_name"), "native_name", required=False),
                  plural, reader.string(node.get("fallback"), "fallback", required=False) or "vi",
                  reader.strings(node.get("letters"), "letters"), rel, orthography, line)


def _parse_orthography(node, reader: _Reader) -> tuple[tuple, int]:
    """``orthography:`` of a locale.yaml: lists of letter groups and two numbers."""
    if node is None:
        return (), 0
    node = reader.mapping(node, "orthography", ORTHOGRAPHY_LISTS + ORTHOGRAPHY_NUMBERS)
    if node is None:
        return (), 0
    out = []
    for key in ORTHOGRAPHY_LISTS:
        if key in node.items:
            out.append((key, tuple(v.lower() for v in reader.strings(node.get(key), f"orthography.{key}"))))
    for key in ORTHOGRAPHY_NUMBERS:
        value = reader.string(node.get(key), f"orthography.{key}", required=False)
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            reader.error(node.get(key).line, "bad-value",
                         _("orthography.{key}: '{value}' is not a number").format(key=key, value=value),
                         _("write e.g. {example}").format(example="3" if key == "max_onset" else "0.5"))
            continue
        out.append((key, number))
    return tuple(out), node.line


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


def target_locales(project: Project, only: str | None = None) -> list[str]:
    """The locales that get PO files: every project locale but the source one."""
    codes = [c for c in project.config.locales if c != project.config.source_locale]
    if only is not None:
        if only not in codes:
            raise UsageError(_("'{code}' is not a translated locale of this project").format(code=only),
                             hint=_("use one of: {values}").format(
                                 values=", ".join(codes) or _("(none: add locales to mobcontent.yaml)")))
        return [only]
    return codes
