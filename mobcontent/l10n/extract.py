"""``mobcontent extract``: the templates (``locales/templates/*.pot``) of every
message, the audiences, the leaflets and the layout strings.
"""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field, replace

from ..base.errors import Problem
from ..base.files import write_atomic
from ..base.i18n import N_, _
from ..base.model import DIMENSIONS, Message, Project
from ..base.version import __version__
from ..content.audience import expand_values
from ..formats import po as _po
from ..pipeline.adapt import ZONE_VARIABLES
from ..pipeline.layout import LAYOUT_STRINGS
from ..pipeline.translate import PLACEHOLDER_RE, message_blocks, needs_translation

# --------------------------------------------------------------------------- templates (extract)

TEMPLATE_DIR = "locales/templates"
VARIABLE_MEANINGS = {
    "ethnic_name": "the name of the reader's ethnic group",
    "religion_name": "the name of the reader's religion",
    "zone_name": "the name of the reader's commune or zone",
    "province": "the zone's province",
    "border_post": "the zone's border post",
    "hotline": "the zone's hotline (a phone number)",
    "office": "the zone's office to contact",
    "greeting": "the community's greeting",
    "signoff": "the community's closing wish",
}


def project_templates(project: Project) -> dict[str, _po.PoFile]:
    """Every template of the project: ``{domain: PoFile}`` with domains
    ``messages/<slug>``, ``audiences``, ``leaflets`` and ``layouts``."""
    out = {f"messages/{slug}": message_template(project, message) for slug, message in project.messages.items()}
    out["audiences"] = _template(project, "audiences", audience_entries(project))
    out["leaflets"] = _template(project, "leaflets", leaflet_entries(project))
    out["layouts"] = _template(project, "layouts", layout_entries())
    return out


def message_template(project: Project, message: Message) -> _po.PoFile:
    """A message's template: its title, summary and blocks, identical blocks merged."""
    audience = "; ".join(f"{dim}={','.join(v)}" for dim, v in message.audience.items()) or "everyone"
    found: dict[str, dict] = {}

    def add(text: str, kind: str, line: int, conditions: tuple) -> None:
        if not text or not needs_translation(text):
            return
        item = found.setdefault(text, {"kinds": [], "refs": [], "shown": []})
        item["kinds"].append(kind)
        item["refs"].append(f"{message.path}:{line}")
        item["shown"].append(" and ".join(c.describe() for c in conditions) or "always")

    add(message.title, "title of the message", message.title_line, ())
    if message.summary:
        add(message.summary, "summary of the message", message.summary_line, ())
    for block, chunk in message_blocks(message):
        add(block.text, block.kind, block.line, chunk.conditions)
    entries = []
    for text, item in found.items():
        comments = [", ".join(dict.fromkeys(item["kinds"])), f"audience: {audience}"]
        shown = list(dict.fromkeys(item["shown"]))
        if shown != ["always"]:
            comments.append("shown: " + "; ".join(shown))
        comments += variable_comments(project, text, message.audience)
        entries.append(_po.Entry(msgid=text, extracted=tuple(comments), references=tuple(item["refs"]),
                                 flags=_format_flags(text)))
    return _template(project, f"messages/{message.slug}", entries, f"the message “{message.title}”")


def variable_comments(project: Project, text: str, audience: dict) -> list[str]:
    """One ``#.`` line per ``{variable}`` in ``text``: what it means, with examples."""
    names = list(dict.fromkeys(m.group(1) for m in PLACEHOLDER_RE.finditer(text) if m.group(1)))
    if not names:
        return []
    lines = ["keep each {name} exactly as written: it is replaced after translation"]
    for name in names:
        examples = _variable_examples(project, name, audience)
        meaning = VARIABLE_MEANINGS.get(name, f"the term '{name}' of the reader's community")
        lines.append(f"{{{name}}} = {meaning}" + (f", e.g. {examples}" if examples else ""))
    return lines


def _variable_examples(project: Project, name: str, audience: dict) -> str:
    shown = []
    for dim in DIMENSIONS:
        wanted = audience.get(dim)
        allowed = expand_values(dim, wanted, project.audiences) if wanted else None
        for pid, profile in project.audiences.profiles(dim).items():
            if allowed is not None and pid not in allowed:
                continue
            value = (profile.name if name == f"{dim}_name" else profile.terms.get(name)
                     or profile.fields.get(name))
            if value:
                shown.append(f"“{value}” ({dim}.{pid})")
    return ", ".join(shown[:4]) + (", …" if len(shown) > 4 else "")


def audience_entries(project: Project) -> list[_po.Entry]:
    """Profile names, terms and zone fields, with the msgctxt ``adapt`` looks them up by."""
    entries = []
    for dim in DIMENSIONS:
        for pid, profile in project.audiences.profiles(dim).items():
            pairs = [("name", profile.name, f"name of the {dim} profile '{pid}' (shown as {{{dim}_name}})")]
            pairs += [(f"terms.{key}", value, f"term '{key}' of {dim}.{pid} (shown as {{{key}}})")
                      for key, value in profile.terms.items()]
            pairs += [(key, profile.fields[key], f"{key} of zone '{pid}' (shown as {{{key}}})")
                      for key in ZONE_VARIABLES if key in profile.fields]
            for key, value, meaning in pairs:
                if not value or not needs_translation(value):
                    continue
                entries.append(_po.Entry(msgid=value, msgctxt=f"{dim}.{pid}.{key}", extracted=(meaning,),
                                         references=(f"{project.audiences.path}:{profile.line}",)))
    return entries


def leaflet_entries(project: Project) -> list[_po.Entry]:
    """Leaflet titles and taglines, and the project's issuer."""
    entries = []
    if project.config.issuer:
        entries.append(_po.Entry(msgid=project.config.issuer, msgctxt="project.issuer",
                                 extracted=("the issuing office, printed on every leaflet",),
                                 references=(f"{project.config.path}:1",)))
    for slug, leaflet in project.leaflets.items():
        for key, value, line in (("title", leaflet.title, leaflet.title_line),
                                 ("tagline", leaflet.tagline, leaflet.tagline_line)):
            if value and needs_translation(value):
                entries.append(_po.Entry(msgid=value, msgctxt=f"leaflet.{slug}.{key}",
                                         extracted=(f"{key} of the leaflet '{slug}'",),
                                         references=(f"{leaflet.path}:{line}",), flags=_format_flags(value)))
    return entries


def layout_entries() -> list[_po.Entry]:
    """The fixed strings every layout prints (``build.LAYOUT_STRINGS``)."""
    return [_po.Entry(msgid=text, msgctxt=f"layout.{key}",
                      extracted=(f"layout string '{key}'" + (": the mark on every page of a draft leaflet"
                                                             if key == "draft" else ""),))
            for key, text in LAYOUT_STRINGS.items() if needs_translation(text)]


def _format_flags(text: str) -> tuple[str, ...]:
    return ("python-brace-format",) if any(m.group(1) for m in PLACEHOLDER_RE.finditer(text)) else ()


def _template(project: Project, domain: str, entries: list[_po.Entry], what: str = "") -> _po.PoFile:
    fields = [("Project-Id-Version", f"{project.config.name} {domain}"), ("Report-Msgid-Bugs-To", ""),
              ("POT-Creation-Date", "YEAR-MO-DA HO:MI+ZONE"), ("PO-Revision-Date", "YEAR-MO-DA HO:MI+ZONE"),
              ("Last-Translator", ""), ("Language-Team", ""), ("Language", ""), ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=UTF-8"),
              ("Content-Transfer-Encoding", "8bit"), ("X-Generator", f"mobcontent {__version__}")]
    comments = (f"Translation template for {what or domain} ({project.config.name}).",
                "Generated by 'mobcontent extract': do not edit; translate the PO files made by "
                "'mobcontent update'.")
    header = _po.Entry(msgid="", msgstr=_po.format_header(fields), comments=comments, flags=("fuzzy",))
    merged: dict[str, _po.Entry] = {}
    for entry in entries:  # identical (msgctxt, msgid) share one entry
        if entry.key in merged:
            first = merged[entry.key]
            entry = replace(first, references=tuple(dict.fromkeys(first.references + entry.references)),
                            extracted=tuple(dict.fromkeys(first.extracted + entry.extracted)))
        merged[entry.key] = entry
    return _po.PoFile(header, tuple(merged.values()), f"{TEMPLATE_DIR}/{domain}.pot")


ACTIONS = {"created": N_("created"), "updated": N_("updated"), "unchanged": N_("unchanged"),
           "removed": N_("removed"), "skipped": N_("skipped")}
COUNTED = {"new": N_("{count} new"), "fuzzy": N_("{count} fuzzy"), "obsolete": N_("{count} obsolete"),
           "revived": N_("{count} revived"), "missing": N_("{count} missing"),
           "filled": N_("{count} from memory")}


@dataclass(frozen=True)
class FileReport:
    """What one command did to one file (the paths and counts a user sees, the
    words in the interface language)."""

    path: str
    action: str  # "created", "updated", "unchanged", "removed", "skipped"
    new: int = 0
    fuzzy: int = 0
    obsolete: int = 0
    revived: int = 0
    filled: int = 0  # translated from the same text elsewhere in the locale (translation memory)

    def describe(self) -> str:
        counts = [_(COUNTED[what]).format(count=n) for n, what in ((self.new, "new"), (self.fuzzy, "fuzzy"),
                                                                   (self.filled, "filled"),
                                                                   (self.obsolete, "obsolete"),
                                                                   (self.revived, "revived")) if n]
        return f"{self.path}: {_(ACTIONS.get(self.action, self.action))}" + (
            f" ({', '.join(counts)})" if counts else "")


@dataclass
class Report:
    """Files written or left alone, and problems (a file that could not be read is skipped)."""

    files: list[FileReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> list[FileReport]:
        return [f for f in self.files if f.action not in ("unchanged",)]


def extract_project(project: Project, now: str | None = None) -> Report:
    """Write ``locales/templates/**.pot``. A template whose entries did not change is not
    rewritten (so its ``POT-Creation-Date`` stays); templates of deleted messages go."""
    report = Report()
    root = project.root
    templates = project_templates(project)
    for domain, template in templates.items():
        rel = f"{TEMPLATE_DIR}/{domain}.pot"
        path = root / rel
        old = None
        if path.is_file():
            try:
                old = _po.read_po(path.read_bytes(), rel)
            except _po.PoError:
                old = None  # a generated file: a broken one is simply replaced
        if old is not None and old.entries == template.entries and _same_header(old, template):
            report.files.append(FileReport(rel, "unchanged"))
            continue
        date = now or creation_date()
        stamped = _po.with_fields(template, {"POT-Creation-Date": date, "PO-Revision-Date": date})
        write_atomic(path, _po.format_po(stamped).encode("utf-8"))
        report.files.append(FileReport(rel, "updated" if old is not None else "created", new=len(template.entries)))
    stale_dir = root / TEMPLATE_DIR / "messages"
    if stale_dir.is_dir():
        for path in sorted(stale_dir.glob("*.pot")):
            if f"messages/{path.stem}" not in templates:
                path.unlink()
                report.files.append(FileReport(path.relative_to(root).as_posix(), "removed"))
    return report


def _same_header(old: _po.PoFile, new: _po.PoFile) -> bool:
    drop = {"pot-creation-date", "po-revision-date"}
    return ([f for f in old.fields if f[0].lower() not in drop] == [f for f in new.fields if f[0].lower() not in drop]
            and old.header.comments == new.header.comments)


def creation_date() -> str:
    """Now (or ``SOURCE_DATE_EPOCH``) as gettext writes dates: ``2026-11-26 23:24+0000``."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (_dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc) if epoch and epoch.isdigit()
              else _dt.datetime.now(_dt.timezone.utc))
    return moment.strftime("%Y-%m-%d %H:%M+0000")
