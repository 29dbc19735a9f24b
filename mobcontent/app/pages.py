"""The preview's HTML pages: the index, an edition's page view, the side-by-side
view, the message view and errors with their source line. Pure functions from the
library's preview data (:mod:`mobcontent.build.preview`) to HTML strings; the
server (:mod:`mobcontent.app.serve`) decides which to show.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

from ..base.errors import Problem
from ..base.i18n import N_, _, language
from ..base.model import DIMENSION_NAMES, DIMENSIONS, Project
from ..build.contact import approvals_html
from ..build.preview import (
    STATES,
    TEXT_STATES,
    Edition,
    Pair,
    audience_text,
    source_snippet,
)

e = html.escape
WORDS = {"updating": N_("updating…"), "problems": N_("Problems in the last build"),
         "one_message": N_("Preview one message for one audience"), "side": N_("Side by side"),
         "live": N_("Live preview (HTML, same layout and fonts as the print)"), "all": N_("all leaflets"),
         "download": N_("Download"), "pages": N_("Pages"), "show": N_("Show")}  # the pages' words


def t(key: str) -> str:
    """A word of the pages, translated and escaped."""
    return e(_(WORDS[key]))

STYLE = """
body { font-family: "Noto Sans", "Segoe UI", system-ui, sans-serif; margin: 0 auto; padding: 1rem 1.5rem;
       max-width: 80rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 1.6rem; } small, .id { color: #666; font-size: .8em; }
#updating { display: none; position: fixed; top: .5rem; right: .5rem; background: #1f5f8b; color: #fff;
            padding: .4rem .8rem; border-radius: .3rem; }
body.updating #updating { display: block; }
.problems { background: #fdf0f0; border: 1px solid #c0392b; padding: .6rem 1rem; border-radius: .3rem; }
.problem { margin: .6rem 0; } .problem .where { font-weight: 700; }
.src { background: #fff; border-left: 3px solid #c0392b; padding: .2rem .6rem; white-space: pre-wrap;
       font-family: inherit; margin: .2rem 0; }
.src .ln { color: #777; margin-right: .6rem; } .src mark { background: #f5b7b1; outline: 1px solid #c0392b; }
.fix { color: #1e5631; }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; }
.card { border: 1px solid #ccc; border-radius: .3rem; padding: .6rem; width: 22rem; }
.card img { width: 100%; border: 1px solid #999; }
.state { display: inline-block; padding: .1rem .5rem; border-radius: .8rem; font-size: .85rem; }
.state-ready { background: #d4efdf; } .state-draft { background: #fcf3cf; } .state-failed { background: #f5b7b1; }
.pages img { width: calc(100% * var(--zoom, 1)); border: 1px solid #999; margin-bottom: 1rem; display: block; }
.zoom button { font-size: 1rem; min-width: 2.2rem; }
iframe.live { width: 100%; height: 80vh; border: 1px solid #999; background: #fff; }
table.side { border-collapse: collapse; width: 100%; } .side td, .side th { border: 1px solid #bbb;
       padding: .3rem .5rem; vertical-align: top; text-align: left; }
.side tr.missing td { background: #fdecea; } .side tr.fuzzy td { background: #fef5e7; }
fieldset { border: 1px solid #ccc; margin: .4rem 0; } fieldset label { margin-right: 1rem; white-space: nowrap; }
mark.var { background: #d8ecff; }
"""

SCRIPT = """<script>
const shown = %s;
const events = new EventSource('/events');
let leaving = false;  // a chooser or a link is opening another page: a reload now would cancel it
window.addEventListener('beforeunload', () => { leaving = true; events.close(); });
events.onmessage = (message) => {
  if (leaving) return;
  const state = JSON.parse(message.data);
  document.body.classList.toggle('updating', state.building || state.generation !== shown.generation);
  if (state.generation !== shown.generation || (!state.building && state.built !== shown.built)) {
    events.close(); location.reload();
  }
};
</script>"""


def page(title: str, body: str, state: dict) -> str:
    """A whole page: the style, the "updating…" badge and the script that reloads it."""
    script = SCRIPT % json.dumps({"generation": state["generation"], "built": state["built"]})
    updating = " class='updating'" if state["building"] else ""
    return (f"<!DOCTYPE html><html lang='{language()}'><head><meta charset='utf-8'><title>{e(title)}</title>"
            f"<meta name='viewport' content='width=device-width'><style>{STYLE}</style></head>"
            f"<body{updating} data-generation='{state['generation']}'>"
            f"<div id='updating'>{t('updating')}</div>{body}{script}</body></html>")


def problems_html(problems: list[Problem], root: Path | None = None) -> str:
    """The problems of the last build or load: file, line, the source line with the fault
    marked, what is wrong and how to fix it."""
    if not problems:
        return ""
    items = "".join(_problem_html(p, root) for p in problems)
    return (f"<section class='problems' id='problems'><strong>{t('problems')}</strong>"
            f"{items}</section>")


def _problem_html(problem: Problem, root: Path | None) -> str:
    where = f"{problem.path}:{problem.line}" if problem.line else problem.path
    text = f"{where}: {_(problem.severity)}: {problem.code}: {problem.message}"
    snippet = source_snippet(root, problem) if root is not None else None
    source = ""
    if snippet is not None:
        col = snippet.column
        line = (e(snippet.text[:col - 1]) + f"<mark>{e(snippet.text[col - 1:col] or ' ')}</mark>"
                + e(snippet.text[col:])) if col else f"<mark>{e(snippet.text) or ' '}</mark>"
        source = f"<div class='src'><span class='ln'>{snippet.number}</span>{line}</div>"
    fix = f"<div class='fix'>→ {e(problem.hint)}</div>" if problem.hint else ""
    return f"<div class='problem {e(problem.severity)}'><div class='where'>{e(text)}</div>{source}{fix}</div>"


def state_badge(edition: Edition) -> str:
    return f"<span class='state state-{e(edition.state)}'>{e(_(STATES[edition.state]))}</span>"


def index_body(project: Project | None, editions: list[Edition], problems, root: Path) -> str:
    """Editions grouped by audience (by name), each with its first page and its state."""
    groups: dict[str, list[Edition]] = {}
    for edition in editions:
        label = audience_text(project, edition.audience) if project else ""
        groups.setdefault(label, []).append(edition)
    parts = [f"<h1>mobcontent — {e(root.resolve().name)}</h1>",
             f"<p><a href='/message'>{t('one_message')}</a></p>",
             problems_html(problems, root)]
    for label, items in sorted(groups.items()):
        parts.append(f"<h2>{e(label)}</h2><div class='cards'>" + "".join(map(_card, items)) + "</div>")
    if not editions:
        parts.append("<p>" + e(_("Nothing built yet.")) + "</p>")
    return "\n".join(parts)


def _card(edition: Edition) -> str:
    link = f"/edition/{e(edition.name)}"
    first = (edition.files.get("png") or [""])[0]
    image = f"<a href='{link}'><img src='/build/{e(first)}' alt=''></a>" if first else ""
    return (f"<div class='card' id='edition-{e(edition.name)}'><a href='{link}'><strong>{e(edition.name)}</strong></a>"
            f" {state_badge(edition)}{image}{approvals_html(edition.approvals) if edition.locales else ''}</div>")


def edition_body(project: Project | None, edition: Edition, generation: int) -> str:
    """The page view of one edition: state and reasons, type size, downloads, the live
    HTML and the pages at full width (zoomable)."""
    reasons = "".join(f"<li>{e(_where(r))}{e(r.get('message', ''))}</li>" for r in edition.reasons)
    fit = edition.fit
    size = _("type size {size}").format(size=fit["body"]) if fit.get("body") else ""
    downloads = " · ".join(f"<a href='/build/{e(path)}' download>{e(path.rpartition('/')[2])}</a>"
                           for fmt in ("pdf", "png", "html", "script") for path in edition.files.get(fmt, []))
    sides = "".join(f" · <a href='/side/{e(edition.leaflet)}.{e(code)}'>{t('side')}: vi ↔ {e(code)}</a>"
                    for code in edition.locales if project and code != project.config.source_locale)
    pages = "".join(f"<img src='/build/{e(path)}' alt=''>" for path in edition.files.get("png", []))
    zoom = ("<p class='zoom'>" + e(_("Zoom")) + " <button onclick='zoom(-0.25)'>−</button>"
            "<button onclick='zoom(0.25)'>+</button></p><script>function zoom(d){const s=document.body.style;"
            "s.setProperty('--zoom',Math.max(.25,(+s.getPropertyValue('--zoom')||1)+d));}</script>")
    live = (f"<h2>{t('live')}</h2>"
            f"<iframe class='live' src='/live/{e(edition.name)}?g={generation}'></iframe>") if edition.locales else ""
    return (f"<p><a href='/'>← {t('all')}</a>{sides}</p><h1>{e(edition.name)}</h1>"
            f"<p>{state_badge(edition)} {e(size)}</p><ul class='reasons'>{reasons}</ul>"
            f"{approvals_html(edition.approvals) if edition.locales else ''}"
            f"<p>{t('download')}: {downloads}</p>{live}<h2>{t('pages')}</h2>{zoom}<div class='pages'>{pages}</div>")


def _where(reason: dict) -> str:
    if not reason.get("path"):
        return ""
    return f"{reason['path']}:{reason['line']}: " if reason.get("line") else f"{reason['path']}: "


def side_body(title: str, locale: str, messages: list[tuple[str, list[Pair]]]) -> str:
    """Each Vietnamese block beside its translation, its state and its PO entry."""
    heads = "".join(f"<th>{e(h)}</th>" for h in (_("Vietnamese"), locale, _("state"), _("PO file and line")))
    parts = [f"<p><a href='/'>← {t('all')}</a></p><h1>{e(title)}</h1>"]
    for message_title, pairs in messages:
        rows = "".join(f"<tr class='{e(p.state)}'><td>{e(p.source)}</td><td lang='{e(locale)}'>"
                       f"{e(p.text if p.state in ('translated', 'source') else '')}</td>"
                       f"<td>{e(_(TEXT_STATES[p.state]))}</td><td>{e(p.where)}</td></tr>" for p in pairs)
        parts.append(f"<h2>{e(message_title)}</h2><table class='side'><tr>{heads}</tr>{rows}</table>")
    return "\n".join(parts)


CHOOSER_LABELS = {"slug": N_("message"), "locale": N_("language")}


def chooser(project: Project, slug: str, audience: dict, locale: str) -> str:
    """The message page's form: messages and languages as lists, each audience dimension
    as buttons showing the profiles' names, the id in small type."""
    def radios(name: str, options: list[tuple[str, str]], chosen: str) -> str:
        items = "".join(f"<label><input type='radio' name='{name}' value='{e(v)}' onchange='this.form.submit()'"
                        f"{' checked' if v == chosen else ''}> {e(text)} <small class='id'>{e(v)}</small></label>"
                        for v, text in options)
        return f"<fieldset><legend>{e(_(DIMENSION_NAMES.get(name, CHOOSER_LABELS.get(name, name))))}</legend>{items}</fieldset>"

    every = [("", _("(every)"))]
    dims = "".join(radios(d, every + [(pid, p.name) for pid, p in project.audiences.profiles(d).items()],
                          audience.get(d, "")) for d in DIMENSIONS)
    return ("<form method='get' action='/message' class='chooser'>"
            + radios("slug", [(s, m.title) for s, m in project.messages.items()], slug) + dims
            + radios("locale", [(c, loc.native_name or loc.name) for c, loc in project.locales.items()], locale)
            + f"<noscript><button type='submit'>{t('show')}</button></noscript></form>")
