"""``mobcontent serve``: a local preview that rebuilds on every edit.

A polling watcher (every half second, over ``mobcontent.yaml``, ``content/``,
``locales/`` and ``layouts/`` — a few hundred small files, so polling costs
nothing and needs no dependency) runs the incremental build when a file
changes. The page polls ``/api/state`` and reloads itself when a new build is
ready; the errors of the last build are shown on the page with file and line.
Only files under ``build/`` are served, and the server binds to loopback unless
told otherwise.
"""
from __future__ import annotations

import html
import json
import mimetypes
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ..base.errors import MobcontentError, Problem, ProjectError
from ..base.files import read_bytes
from ..base.i18n import N_, _, language
from ..base.model import DIMENSIONS
from ..build.contact import approvals_html
from ..build.engine import build_project
from ..build.gate import STATE_WORDS
from ..build.manifest import read_manifest
from ..build.plan import BuildOptions
from ..content.load import load_project
from ..pipeline.preview import preview_html, preview_message

WATCHED = ("mobcontent.yaml", "content", "locales", "layouts")
LABELS = {"slug": N_("slug"), "ethnic": N_("ethnic"), "religion": N_("religion"), "zone": N_("zone"),
          "locale": N_("locale")}  # the message page's choosers


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """``{relative path: (mtime_ns, size)}`` of every watched file."""
    found = {}
    for name in WATCHED:
        top = root / name
        paths = [top] if top.is_file() else (p for p in top.rglob("*") if p.is_file()) if top.is_dir() else []
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            found[path.relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return found


@dataclass
class PreviewState:
    """What the page shows: the build generation, its problems, whether one is running."""

    generation: int = 0
    problems: list = field(default_factory=list)
    building: bool = False
    changed: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_json(self) -> dict:
        with self.lock:
            return {"generation": self.generation, "building": self.building, "changed": self.changed,
                    "problems": [p.as_json() for p in self.problems]}


def rebuild(root: Path, state: PreviewState, changed: list[str], formats=None) -> None:
    """Load the project and build it; record the problems for the page."""

    with state.lock:
        state.building = True
    problems: list[Problem] = []
    try:
        project = load_project(root)
        options = BuildOptions(formats=formats) if formats else BuildOptions()
        report = build_project(project, options)
        problems = list(report.problems)
    except ProjectError as exc:
        problems = list(exc.problems)
    except MobcontentError as exc:
        problems = [exc.problem()]
    except Exception as exc:  # a bug must not kill the preview; show it and keep watching
        problems = [Problem("internal-error", "error", "", 0, f"{type(exc).__name__}: {exc}",
                            _("this is a bug in mobcontent: please report it with the files you changed"))]
    with state.lock:
        state.problems = problems
        state.changed = changed
        state.generation += 1
        state.building = False


def watch(root: Path, state: PreviewState, stop: threading.Event, interval: float = 0.5, formats=None,
          log=None) -> None:
    """Rebuild whenever a watched file changes, until ``stop`` is set."""
    seen = snapshot(root)
    while not stop.wait(interval):
        now = snapshot(root)
        if now == seen:
            continue
        changed = sorted(k for k in set(now) | set(seen) if now.get(k) != seen.get(k))
        seen = now
        if log:
            files = ", ".join(changed[:5]) + (" …" if len(changed) > 5 else "")
            log(_("changed: {files} — rebuilding").format(files=files))
        rebuild(root, state, changed, formats)
        if log:
            errors = len([p for p in state.problems if p.severity == "error"])
            log(_("rebuilt ({count} error(s))").format(count=errors))


# --------------------------------------------------------------------------- pages

PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem; color: #1a1a1a; }}
h1 {{ font-size: 1.5rem; }} h2 {{ font-size: 1.15rem; margin-top: 1.6rem; }}
.problems {{ background: #fde8e8; border: 1px solid #c0392b; padding: .6rem 1rem; }}
.problems li {{ font-family: monospace; margin: .2rem 0; }}
.leaflet {{ border-top: 1px solid #ccc; padding: .6rem 0; }}
.pages img {{ height: 240px; border: 1px solid #999; margin: 0 .4rem .4rem 0; }}
.status {{ color: #555; font-size: .9rem; }}
mark.var {{ background: #fff2a8; }}
.dropped {{ color: #777; }}
</style></head>
<body data-generation="{generation}">
{body}
{script}
</body></html>"""

RELOAD_SCRIPT = """<script>
const shown = {generation};
async function poll() {{
  try {{
    const state = await (await fetch('/api/state', {{cache: 'no-store'}})).json();
    if (state.generation !== shown && !state.building) {{ location.reload(); return; }}
  }} catch (e) {{}}
  setTimeout(poll, 700);
}}
setTimeout(poll, 700);
</script>"""


def page(title: str, generation: int, body: str) -> str:
    return PAGE.format(lang=language(), title=html.escape(title), generation=generation, body=body,
                       script=RELOAD_SCRIPT.format(generation=generation))


def problems_html(problems: list[Problem]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li class='{p.severity}'>{html.escape(p.format())}</li>" for p in problems)
    heading = html.escape(_("Problems in the last build"))
    return f"<section class='problems' id='problems'><strong>{heading}</strong><ul>{items}</ul></section>"


def index_html(root: Path, state: PreviewState) -> str:
    """Leaflets grouped by audience, each locale with its PNG pages and links."""

    manifest = read_manifest(root / "build") or {"outputs": []}
    groups: dict[str, dict[str, dict[str, list]]] = {}
    for output in manifest["outputs"]:
        audience = ", ".join(f"{k}={v}" for k, v in sorted(output["audience"].items())) or _("everyone")
        locale = "+".join(output["locales"])
        groups.setdefault(audience, {}).setdefault(output["leaflet"], {}).setdefault(locale, []).append(output)
    titles = _leaflet_titles(root / "build", manifest)
    status = _("Build {number}").format(number=state.generation)
    if state.changed:
        status += " · " + _("changed: {files}").format(files=", ".join(state.changed[:5]))
    parts = [f"<h1>mobcontent — {html.escape(root.resolve().name)}</h1>",
             f"<p class='status'>{html.escape(status)}</p>",
             problems_html(state.problems)]
    for audience, leaflets in sorted(groups.items()):
        parts.append(f"<h2>{html.escape(audience)}</h2>")
        for slug, locales in sorted(leaflets.items()):
            parts.append(f"<div class='leaflet' id='leaflet-{html.escape(slug)}'><h3>{html.escape(slug)}</h3>"
                         f"<p>{html.escape(titles.get(slug, ''))}</p>")
            for locale, outputs in sorted(locales.items()):
                links = " · ".join(f"<a href='/build/{html.escape(o['path'])}'>{o['format'].upper()}</a>"
                                   for o in sorted(outputs, key=lambda o: o["path"]) if o["format"] != "png")
                images = "".join(f"<img src='/build/{html.escape(o['path'])}?g={state.generation}' alt=''>"
                                 for o in sorted(outputs, key=lambda o: o["path"]) if o["format"] == "png")
                states = {o.get("state", "draft" if o.get("draft") else "ready") for o in outputs}
                worst = "failed" if "failed" in states else "draft" if "draft" in states else "ready"
                draft = f" <strong class='state-{worst}'>{html.escape(_(STATE_WORDS[worst]))}</strong>"
                parts.append(f"<div class='locale'><p>{html.escape(locale)}{draft}: {links}</p>"
                             + approvals_html(outputs[0].get("approvals", ()))
                             + f"<div class='pages'>{images}</div></div>")
            parts.append("</div>")
    if not groups:
        parts.append("<p>" + html.escape(_("Nothing built yet.")) + "</p>")
    parts.insert(2, "<p><a href='/message'>" + html.escape(_("Preview one message for one audience")) + "</a></p>")
    return page(_("mobcontent preview"), state.generation, "\n".join(parts))


def _leaflet_titles(build_dir: Path, manifest: dict) -> dict:
    """Each leaflet's title as its first HTML output shows it (the index lists them)."""
    import re
    titles = {}
    for output in manifest["outputs"]:
        if output["format"] == "html" and output["leaflet"] not in titles:
            try:  # a checked manifest's path, read through the confined layer
                text = read_bytes(build_dir.parent, f"build/{output['path']}").decode("utf-8", "replace")
            except (OSError, MobcontentError):
                continue
            match = re.search(r"<title>(.*?)</title>", text, flags=re.S)
            if match:
                titles[output["leaflet"]] = html.unescape(match.group(1)).strip()
    return titles


def message_page(root: Path, state: PreviewState, params: dict) -> str:
    """One message adapted for a chosen audience and locale (the ``show`` preview), with a form."""

    try:
        project = load_project(root)
    except ProjectError as exc:
        return page(_("message preview"), state.generation, problems_html(exc.problems))
    e = html.escape

    def select(name: str, values, chosen: str, blank: str = "") -> str:
        options = [f"<option value=''>{e(blank)}</option>"] if blank else []
        options += [f"<option value='{e(v)}'{' selected' if v == chosen else ''}>{e(v)}</option>" for v in values]
        return f"<label>{e(_(LABELS[name]))} <select name='{e(name)}'>{''.join(options)}</select></label> "

    slug = params.get("slug") or next(iter(project.messages), "")
    audience = {d: params[d] for d in DIMENSIONS if params.get(d)}
    locale = params.get("locale") or project.config.source_locale
    form = ("<form method='get' action='/message' class='chooser'>"
            + select("slug", project.messages, slug)
            + "".join(select(d, project.audiences.profiles(d), audience.get(d, ""), _("(every)")) for d in DIMENSIONS)
            + select("locale", project.locales, locale)
            + "<button type='submit'>" + e(_("Show")) + "</button> <a href='/'>" + e(_("all leaflets")) + "</a></form>")
    try:
        document = preview_html(preview_message(project, slug, audience, locale))
    except MobcontentError as exc:
        return page(_("message preview"), state.generation, form + problems_html([exc.problem()]))
    head, _tag, rest = document.partition("<body>")
    body, _tag, tail = rest.rpartition("</body>")
    script = RELOAD_SCRIPT.format(generation=state.generation)
    return f"{head}<body>{form}{problems_html(state.problems)}{body}{script}</body>{tail}"


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def request_refusal(target: str, host: str | None, port: int, bound: str = "127.0.0.1") -> int | None:
    """The status that refuses a request (None: serve it): 400 for a ``Host`` header that
    is not this loopback server (a DNS-rebinding page) or a path that does not parse, 404
    for a path with a part that starts with a dot (``/build/.cache/…``) or holds NUL.

    >>> request_refusal("/build/a/b.pdf", "localhost:8000", 8000), request_refusal("/", "evil.example:8000", 8000)
    (None, 400)
    >>> request_refusal("/build/.hidden/f.txt", "127.0.0.1:8000", 8000), request_refusal("/build/a%00", "[::1]:8000", 8000)
    (404, 404)
    """
    name, _colon, given_port = (host or "").strip().lower().rpartition(":")
    names = LOOPBACK_NAMES + ((bound.lower(),) if bound not in ("0.0.0.0", "::", "") else ())
    if not name or name not in names or given_port != str(port):
        return 400
    try:
        path = unquote(urlsplit(target).path, errors="strict")
    except (ValueError, UnicodeDecodeError):
        return 400
    parts = path.split("/")
    if any(part.startswith(".") or "\x00" in part or "\\" in part for part in parts):
        return 404
    return None


def make_handler(root: Path, state: PreviewState):
    build_dir = (root / "build").resolve()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # the terminal shows rebuilds, not every request
            pass

        def send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            address = self.server.server_address
            refused = request_refusal(self.path, self.headers.get("Host"), address[1], address[0])
            if refused:
                return self.send(refused, b"not found" if refused == 404 else b"bad request", "text/plain")
            url = urlsplit(self.path)
            if url.path == "/":
                return self.send(200, index_html(root, state).encode("utf-8"), "text/html; charset=utf-8")
            if url.path == "/api/state":
                return self.send(200, json.dumps(state.as_json(), ensure_ascii=False).encode(), "application/json")
            if url.path == "/message":
                text = message_page(root, state, {k: v[0] for k, v in parse_qs(url.query).items()})
                return self.send(200, text.encode("utf-8"), "text/html; charset=utf-8")
            if url.path.startswith("/build/"):
                return self.send_file(unquote(url.path[len("/build/"):]))
            self.send(404, b"not found", "text/plain")

        def send_file(self, rel: str) -> None:
            try:  # inside build/, no link out, a regular file, bounded
                data = read_bytes(root, f"build/{rel}")
            except (MobcontentError, OSError, ValueError):
                return self.send(404, b"not found", "text/plain")
            path = Path(rel)
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if kind == "text/html":  # a built leaflet reloads itself too, and shows the last errors
                kind += "; charset=utf-8"
                extra = problems_html(state.problems) + RELOAD_SCRIPT.format(generation=state.generation)
                data = data.replace(b"</body>", extra.encode("utf-8") + b"</body>", 1)
            self.send(200, data, kind)

    return Handler


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, log=print, formats=None,
          ready=None) -> None:
    """Build once, then serve the preview and rebuild on changes until interrupted."""
    state = PreviewState()
    rebuild(root, state, [], formats)
    server = ThreadingHTTPServer((host, port), make_handler(root, state))
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(root, state, stop), kwargs={"formats": formats, "log": log},
                               daemon=True)
    watcher.start()
    log(_("Preview at {url} — press Ctrl+C to stop").format(url=f"http://{host}:{server.server_address[1]}/"))
    if ready:
        ready(server)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
