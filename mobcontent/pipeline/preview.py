"""The preview of an adaptation (``mobcontent show``): one message, one audience, one locale.

It shows what the adapt stage does, so an officer can check it before a build:
the text as that audience reads it, each filled ``{variable}`` highlighted with
the profile it came from, the greeting and sign-off, and every block that was
dropped with its ``::: only``/``::: except`` line and why.

:func:`preview_message` builds a :class:`Preview`; :func:`preview_text` writes it
for a terminal and :func:`preview_html` as a small HTML page. In the HTML the
highlights are ``<mark class="var" title="{village} = ethnic.ede terms.village">``:
the adapt stage wraps each value in private-use sentinel characters before the
Markdown is rendered (the value itself is escaped like any filled value), and
the sentinels become ``<mark>`` only afterwards, so a term can never inject HTML.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Callable

from ..base.errors import ContentError, UsageError
from ..base.i18n import _
from ..base.model import DIMENSION_NAMES, DIMENSIONS, Chunk, Project
from ..content.audience import condition_holds, exclusion
from ..formats.markdown import segment
from .adapt import (
    MARK_CLOSE,
    MARK_MID,
    MARK_OPEN,
    AdaptedMessage,
    Variable,
    adapt_message,
    audience_variables,
    profile_values,
)
from .motifs import motif_band
from .render import render_message
from .translate import Text, catalog_path, read_catalog, translate_message

MARKED_RE = re.compile(f"{MARK_OPEN}(\\d+){MARK_MID}(.*?){MARK_CLOSE}", re.S)
ESCAPE_RE = re.compile(r"\\([\\`*_\[\]])")


@dataclass(frozen=True)
class Preview:
    """A message adapted for one audience and locale, with what the adaptation did."""

    project: Project
    audience: dict
    locale: str
    adapted: AdaptedMessage
    variables: dict  # name -> Variable (every variable the audience defines)
    problems: tuple[ContentError, ...] = ()  # variables the audience lacks
    excluded: str | None = None  # why the message is not for this audience, if it is not

    @property
    def message(self):
        return self.adapted.message

    @property
    def greeting(self) -> Text | None:
        return self.variables["greeting"].value if "greeting" in self.variables else None

    @property
    def signoff(self) -> Text | None:
        return self.variables["signoff"].value if "signoff" in self.variables else None


def preview_message(project: Project, slug: str, audience: dict, locale: str | None = None) -> Preview:
    """Adapt message ``slug`` for ``audience`` (``{dimension: profile id}``) in ``locale``.

    Raises UsageError for an unknown message, profile or locale, and ContentError
    when two profiles define one variable differently.
    """
    locale = locale or project.config.source_locale
    _check_request(project, slug, audience, locale)
    message = project.messages[slug]
    source = project.config.source_locale
    own = locale == source
    variables = audience_variables(audience, project.audiences, _catalog(project, locale, "audiences", own), own)
    translated = translate_message(message, _catalog(project, locale, f"messages/{slug}", own), locale, source)
    problems: list[ContentError] = []
    adapted = adapt_message(translated, audience, project.audiences, variables, problems, mark=True)
    return Preview(project, dict(audience), locale, adapted, variables, tuple(problems),
                   exclusion(message, audience, project.audiences))


def _check_request(project: Project, slug: str, audience: dict, locale: str) -> None:
    if slug not in project.messages:
        raise UsageError(_("no message named '{slug}'").format(slug=slug),
                         hint=_("known messages: {names}").format(names=", ".join(project.messages)))
    for dim, value in audience.items():
        known = project.audiences.profiles(dim)
        if value not in known:
            raise UsageError(_("unknown {dimension} '{value}'").format(dimension=_(DIMENSION_NAMES[dim]), value=value),
                             hint=_("use one of: {values}").format(values=", ".join(known)))
    if locale not in project.locales:
        raise UsageError(_("unknown locale '{code}'").format(code=locale),
                         hint=_("use one of: {values}").format(values=", ".join(project.locales)))


def _catalog(project: Project, locale: str, domain: str, own: bool) -> dict:
    if own:
        return {}
    path = catalog_path(project.root, locale, domain)
    return read_catalog(path, path.relative_to(project.root).as_posix(), locale,
                        project.config.source_locale, project.config.vi_tone_style)


def origin(variable: Variable) -> str:
    """Where a variable's value comes from: ``ethnic.ede terms.village`` and, when
    translated, the catalog entry."""
    profile = variable.profile
    key = next((k for name, _value, k in profile_values(profile) if name == variable.name), variable.name)
    where = f"{profile.dimension}.{profile.id} {key}"
    value = variable.value
    if value.state == "translated" and value.origin and value.origin.startswith("locales/"):
        where += ", " + _("translated in {place}").format(place=value.origin)
    elif value.state == "missing":
        where += ", " + _("missing in audiences.po: shown in the source language")
    elif value.state == "fuzzy":
        where += ", " + _("fuzzy in audiences.po: shown in the source language")
    return where


def dropped_reasons(preview: Preview, chunk: Chunk) -> list[str]:
    """``path:line: ::: only ... (this audience: ...)`` for each condition that drops ``chunk``."""
    out = []
    for condition in chunk.conditions:
        if condition_holds(condition, preview.audience, preview.project.audiences):
            continue
        keys = dict.fromkeys(key for key, _values in condition.criteria)
        mine = ", ".join(f"{key}={preview.audience[key]}" if key in preview.audience
                         else _("every {dimension}").format(dimension=_(DIMENSION_NAMES[key])) for key in keys)
        out.append(f"{preview.message.path}:{condition.line}: ::: {condition.describe()} ("
                   + _("this audience: {audience}").format(audience=mine) + ")")
    return out


# --------------------------------------------------------------------------- terminal

def bracket(value: str, variable: Variable) -> str:
    """The plain-text highlight: ``⟦buôn⟧``."""
    return f"⟦{value}⟧"


def preview_text(preview: Preview, mark: Callable[[str, Variable], str] = bracket) -> str:
    """The preview for a terminal; ``mark`` highlights a filled value (e.g. in colour)."""
    adapted, message = preview.adapted, preview.message
    audience = " ".join(f"{d}={preview.audience[d]}" for d in DIMENSIONS if d in preview.audience) or _("everyone")
    out = [f"{message.slug} · {audience} · {preview.locale} · {message.path}", ""]
    if preview.excluded:
        out += [_("note: this message is not for this audience ({reason})").format(reason=preview.excluded), ""]
    marks = adapted.used

    def show(text: str) -> str:
        return MARKED_RE.sub(lambda m: mark(ESCAPE_RE.sub(r"\1", m.group(2)), marks[int(m.group(1))]), text)

    translated = adapted.translated
    if preview.greeting:
        out += [_("[greeting]") + f" {preview.greeting.text}" + _state(preview.greeting), ""]
    out += [f"# {show(adapted.title.text)}" + _state(translated.title), ""]
    if adapted.summary:
        out += [_("[summary]") + f" {show(adapted.summary.text)}" + _state(translated.summary), ""]
    for chunk in adapted.chunks:
        for block in segment(chunk):
            prefix = {"heading": "## ", "list item": "- ", "block quote": "> "}.get(block.kind, "")
            # the block's own state: a term not translated yet is listed with the variables
            out += [prefix + show(adapted.texts[block.text].text) + _state(translated.texts[block.text]), ""]
    if preview.signoff:
        out += [_("[sign-off]") + f" {preview.signoff.text}" + _state(preview.signoff), ""]
    used = list({v.name: v for v in marks}.values())
    for name in ("greeting", "signoff"):
        if name in preview.variables:
            used.append(preview.variables[name])
    if used:
        out.append(_("Variables filled:"))
        out += [f"  {{{v.name}}} = {v.value.text}  ({origin(v)})" for v in used]
    out.append(_("Dropped blocks:") if adapted.dropped else _("Dropped blocks: none"))
    for chunk in adapted.dropped:
        out += [f"  {reason}" for reason in dropped_reasons(preview, chunk)]
        out.append(f"    “{_first_words(chunk.text)}”")
    for problem in preview.problems:
        out.append(_("error: {message}").format(message=problem))
    return "\n".join(out) + "\n"


def _state(text: Text) -> str:
    if text.state == "missing":
        return "  " + _("[not translated]")
    if text.state == "fuzzy":
        return "  " + _("[fuzzy: not used]")
    return ""


def _first_words(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- HTML

STYLE = """
body { font-family: "Noto Sans", sans-serif; max-width: 44rem; margin: 1.5rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1a1a1a; }
.meta { color: #555; font-size: .9rem; }
.note { background: #fff2cc; padding: .4rem .6rem; }
mark.var { background: #d8ecff; border-bottom: 2px solid #1f5f8b; padding: 0 .1em; }
.mc-missing, .mc-fuzzy { background: #fff2cc; }
.greeting { font-weight: 700; } .signoff { font-style: italic; }
h1 { color: var(--accent); }
table { border-collapse: collapse; } td, th { border: 1px solid #bbb; padding: .2rem .5rem; text-align: left; }
.dropped li { margin-bottom: .4rem; } .dropped q { color: #555; }
.error { color: #a00; }
"""


def preview_html(preview: Preview) -> str:
    """The preview as a standalone HTML page (highlights as ``<mark class="var">``)."""
    adapted, message = preview.adapted, preview.message
    marks = adapted.used
    ethnic = preview.project.audiences.ethnic.get(preview.audience.get("ethnic", ""))
    accent = (ethnic.colour if ethnic is not None and ethnic.colour else "#1f5f8b")
    body = highlight(str(render_message(adapted, preview.locale, True)), marks)
    audience = ", ".join(f"{d}={preview.audience[d]}" for d in DIMENSIONS if d in preview.audience) or _("everyone")
    e = html.escape
    parts = ["<!DOCTYPE html>", f'<html lang="{e(preview.locale)}"><head><meta charset="utf-8">',
             f"<title>{e(message.slug)} · {e(audience)} · {e(preview.locale)}</title>",
             f"<style>{STYLE} :root {{ --accent: {accent}; }}</style></head><body>",
             f'<p class="meta">{e(message.path)} · {e(audience)} · {e(preview.locale)}</p>',
             motif_band(ethnic.motif if ethnic is not None else "", "band", 200)]
    if preview.excluded:
        note = _("This message is not for this audience ({reason}).").format(reason=preview.excluded)
        parts.append(f'<p class="note">{e(note)}</p>')
    if "greeting" in preview.variables:
        parts.append(f'<p class="greeting">{_mark_whole(preview.variables["greeting"])}</p>')
    parts.append(f"<h1>{highlight(e(_unescape(adapted.title.text)), marks)}</h1>")
    if adapted.summary:
        parts.append(f'<p class="summary"><em>{highlight(e(_unescape(adapted.summary.text)), marks)}</em></p>')
    parts.append(f'<article lang="{e(preview.locale)}">{body}</article>')
    if "signoff" in preview.variables:
        parts.append(f'<p class="signoff">{_mark_whole(preview.variables["signoff"])}</p>')
    parts.append('<section class="dropped"><h2>' + e(_("Dropped blocks")) + "</h2>")
    if adapted.dropped:
        parts.append("<ul>")
        for chunk in adapted.dropped:
            reasons = "<br>".join(e(r) for r in dropped_reasons(preview, chunk))
            parts.append(f"<li>{reasons}<br><q>{e(_first_words(chunk.text, 140))}</q></li>")
        parts.append("</ul>")
    else:
        parts.append("<p>" + e(_("None: every block is shown to this audience.")) + "</p>")
    parts.append("</section>")
    used = list({v.name: v for v in marks}.values())
    if used:
        heads = "".join(f"<th>{e(head)}</th>" for head in (_("variable"), _("value"), _("from")))
        parts.append('<section class="vars"><h2>' + e(_("Variables filled")) + f"</h2><table><tr>{heads}</tr>")
        parts += [f"<tr><td><code>{{{e(v.name)}}}</code></td><td>{e(v.value.text)}</td><td>{e(origin(v))}</td></tr>"
                  for v in used]
        parts.append("</table></section>")
    for problem in preview.problems:
        parts.append(f'<p class="error">{e(str(problem))}</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def highlight(markup: str, marks: tuple[Variable, ...]) -> str:
    """Turn the sentinels in rendered (already escaped) HTML into ``<mark class="var">``.

    >>> from mobcontent.pipeline.translate import Text
    >>> from mobcontent.base.model import Profile
    >>> v = Variable("village", Text("buôn", "buôn", "source"), Profile("ethnic", "ede", "Ê Đê", "a.yaml", 1, terms={"village": "buôn"}))
    >>> highlight("Cả \\ue0000\\ue001buôn\\ue002", (v,))
    'Cả <mark class="var" title="{village} = ethnic.ede terms.village">buôn</mark>'
    """
    def replace(match):
        variable = marks[int(match.group(1))]
        title = html.escape(f"{{{variable.name}}} = {origin(variable)}", quote=True)
        return f'<mark class="var" title="{title}">{match.group(2)}</mark>'

    return MARKED_RE.sub(replace, markup)


def _unescape(text: str) -> str:
    """Plain text (a title) with the Markdown escapes of its filled values removed."""
    def plain(match):
        return MARK_OPEN + match.group(1) + MARK_MID + ESCAPE_RE.sub(r"\1", match.group(2)) + MARK_CLOSE

    return MARKED_RE.sub(plain, text)


def _mark_whole(variable: Variable) -> str:
    title = html.escape(f"{{{variable.name}}} = {origin(variable)}", quote=True)
    return f'<mark class="var" title="{title}">{html.escape(variable.value.text)}</mark>'
