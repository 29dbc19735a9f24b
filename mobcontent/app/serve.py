"""``mobcontent serve``: a live preview on loopback that answers an edit in under a second.

- ``watchfiles`` (inotify, debounced 50 ms) watches ``mobcontent.yaml``,
  ``content/``, ``locales/`` and ``layouts/``;
- every change bumps the *generation* and is pushed at once to every open page over
  Server-Sent Events (``/events``); a page reloads and shows the fresh content: an
  edition's live HTML (``/live/<edition>``) is rendered straight from the project
  with the print layout, CSS and fonts (:func:`mobcontent.build.preview.live_html`);
- the build (PDF, PNG, manifest) runs in the background after each change; pages
  show "updating…" meanwhile, then reload with the new pages and states;
- one broken message or leaflet fails only what uses it (``keep_going``); its
  problems are shown on every page with the offending source line.

Only files under ``build/`` (and the font kit's faces) are served; :func:`resolve`
maps a request path to a page, the one place a request validator plugs in.
"""
from __future__ import annotations

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
from ..base.i18n import _
from ..base.model import DIMENSIONS
from ..build.engine import build_project
from ..build.manifest import read_manifest
from ..build.plan import BuildOptions
from ..build.preview import (
    default_audience,
    editions,
    find_job,
    live_html,
    pending_edition,
    side_by_side,
)
from ..content.load import load_problems, load_project
from ..pipeline.fontkit import font_cache_dir, project_characters
from ..pipeline.preview import preview_html, preview_message
from ..printing.fonts import prepare_font_kit
from . import pages

WATCHED = ("mobcontent.yaml", "content", "locales", "layouts")
FONT_FILES = (".ttf", ".otf", ".woff", ".woff2")


@dataclass
class PreviewState:
    """What the pages show: the content generation (bumped by every edit), the build
    generation, whether a build runs, the last build's problems."""

    generation: int = 0
    built: int = 0
    building: bool = False
    problems: list = field(default_factory=list)
    kits: dict = field(default_factory=dict)  # font kit key -> its folder (the live HTML's fonts)
    dirty: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def as_json(self) -> dict:
        return {"generation": self.generation, "built": self.built, "building": self.building,
                "problems": [p.as_json() for p in self.problems]}

    def update(self, **values) -> None:
        """Change the state and wake every page waiting on ``/events``."""
        with self.changed:
            for key, value in values.items():
                setattr(self, key, value)
            self.changed.notify_all()


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """``{relative path: (mtime_ns, size)}`` of every watched file (hidden files left out)."""
    found = {}
    for top in watched_paths(root):
        for path in [top] if top.is_file() else top.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                stat = path.stat()
                found[path.relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return found


def watched_paths(root: Path) -> list[Path]:
    return [root / name for name in WATCHED if (root / name).exists()]


def rebuild(root: Path, state: PreviewState, formats=None) -> None:
    """Load the project (a broken file fails only what uses it) and build it."""
    state.update(building=True)
    try:
        project = load_project(root, keep_going=True)
        report = build_project(project, BuildOptions(formats=formats) if formats else BuildOptions())
        problems = list(report.problems)
    except ProjectError as exc:
        problems = list(exc.problems)
    except MobcontentError as exc:
        problems = [exc.problem()]
    except Exception as exc:  # a bug must not kill the preview; show it and keep watching
        problems = [Problem("internal-error", "error", "", 0, f"{type(exc).__name__}: {exc}",
                            _("this is a bug in mobcontent: please report it with the files you changed"))]
    state.update(problems=problems, built=state.built + 1, building=state.dirty.is_set())


def build_loop(root: Path, state: PreviewState, stop: threading.Event, formats=None, log=None) -> None:
    """Build once, then again after every change, until ``stop`` is set."""
    state.dirty.set()
    while not stop.is_set():
        if not state.dirty.wait(0.2):
            continue
        state.dirty.clear()
        rebuild(root, state, formats)
        if log:
            errors = len([p for p in state.problems if p.severity == "error"])
            log(_("rebuilt ({count} error(s))").format(count=errors))


def watch(root: Path, state: PreviewState, stop: threading.Event, log=None) -> None:
    """Push every change to the pages at once, and ask the builder for a build."""
    import watchfiles

    def wanted(change, path: str) -> bool:
        return not Path(path).name.startswith(".")

    for changes in watchfiles.watch(*watched_paths(root), watch_filter=wanted, debounce=50, step=20,
                                    stop_event=stop, rust_timeout=500, yield_on_timeout=False):
        state.dirty.set()
        state.update(generation=state.generation + 1, building=True)
        if log:
            files = sorted(os.path.relpath(path, root) for _change, path in changes)
            log(_("changed: {files} — rebuilding").format(files=", ".join(files[:5])))


# --------------------------------------------------------------------------- pages

@dataclass(frozen=True)
class Target:
    """What a request asks for: a page (``handler``) and its argument."""

    handler: str
    arg: str = ""


ROUTES = (("/edition/", "edition"), ("/side/", "side"), ("/live/", "live"), ("/build/", "build_file"),
          ("/fonts/", "font_file"))
PAGES = {"/": "index", "/message": "message", "/events": "events", "/api/state": "api_state"}


def resolve(path: str) -> Target | None:
    """The page a request path asks for (``None``: not found)."""
    if path in PAGES:
        return Target(PAGES[path])
    for prefix, handler in ROUTES:
        if path.startswith(prefix):
            return Target(handler, unquote(path[len(prefix):]))
    return None


def _project(root: Path):
    """The project for a page, or ``(None, problems)`` when it cannot be loaded at all."""
    try:
        project = load_project(root, keep_going=True)
    except ProjectError as exc:
        return None, list(exc.problems)
    return project, load_problems(project)


def index_page(root: Path, state: PreviewState) -> str:
    project, problems = _project(root)
    found = editions(read_manifest(root / "build"), project.failed if project else {})
    body = pages.index_body(project, found, problems or state.problems, root)
    return pages.page(_("mobcontent preview"), body, state.as_json())


index_html = index_page  # the name the approvals tests know


def edition_page(root: Path, state: PreviewState, name: str) -> str | None:
    project, problems = _project(root)
    found = next((ed for ed in editions(read_manifest(root / "build"), project.failed if project else {})
                  if ed.name == name), None) or (pending_edition(project, name) if project else None)
    if found is None:
        return None
    body = pages.problems_html(problems, root) + pages.edition_body(project, found, state.generation)
    return pages.page(name, body, state.as_json())


def live_page(root: Path, state: PreviewState, name: str) -> str | None:
    """An edition rendered now from the project (the fast preview), or its problems."""
    project, problems = _project(root)
    job = find_job(project, name) if project else None
    if job is None:
        return pages.problems_html(problems, root) if problems else None
    kit = prepare_font_kit(font_cache_dir(project), project_characters(project))
    state.kits[kit.key] = kit.directory
    outputs = (read_manifest(root / "build") or {}).get("outputs", [])
    scale = next((o["fit"]["scale"] for o in outputs if o.get("fit") and
                  f"{o['leaflet']}.{'+'.join(o['locales'])}" == name), 1.0)
    try:
        return live_html(project, job, kit, scale, f"/fonts/{kit.key}/")
    except MobcontentError as exc:
        return pages.problems_html([exc.problem()], root)


def side_page(root: Path, state: PreviewState, name: str) -> str | None:
    project, problems = _project(root)
    slug, _dot, locale = name.partition(".")
    if project is None or slug not in project.leaflets or locale not in project.locales:
        return pages.page(name, pages.problems_html(problems, root), state.as_json()) if problems else None
    body = pages.problems_html(problems, root) + pages.side_body(name, locale, side_by_side(project, slug, locale))
    return pages.page(name, body, state.as_json())


def message_page(root: Path, state: PreviewState, params: dict) -> str:
    """One message adapted for an audience: by default the first leaflet audience that uses it."""
    project, problems = _project(root)
    if project is None or not project.messages:
        return pages.page(_("message preview"), pages.problems_html(problems, root), state.as_json())
    slug = params.get("slug") if params.get("slug") in project.messages else next(iter(project.messages))
    chosen = {d: params[d] for d in DIMENSIONS if params.get(d)}
    audience = chosen if any(d in params for d in DIMENSIONS) else default_audience(project, slug)
    locale = params.get("locale") or project.config.source_locale
    form = pages.chooser(project, slug, audience, locale)
    try:
        document = preview_html(preview_message(project, slug, audience, locale))
    except MobcontentError as exc:
        return pages.page(_("message preview"), form + pages.problems_html([exc.problem()], root), state.as_json())
    body = document.partition("<body>")[2].rpartition("</body>")[0]
    return pages.page(_("message preview"), form + pages.problems_html(problems, root) + body, state.as_json())


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


class PreviewHandler(BaseHTTPRequestHandler):
    """The preview's pages; :func:`make_handler` gives it its project and state."""

    root: Path
    state: PreviewState
    stop: threading.Event

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

    def send_html(self, text: str | None) -> None:
        if text is None:
            return self.not_found()
        self.send(200, text.encode("utf-8"), "text/html; charset=utf-8")

    def not_found(self) -> None:
        self.send(404, _("not found").encode("utf-8"), "text/plain; charset=utf-8")

    def do_GET(self):
        address = self.server.server_address
        refused = request_refusal(self.path, self.headers.get("Host"), address[1], address[0])
        if refused:
            return self.send(refused, b"not found" if refused == 404 else b"bad request", "text/plain")
        url = urlsplit(self.path)
        target = resolve(url.path)
        if target is None:
            return self.not_found()
        getattr(self, "get_" + target.handler)(target.arg, {k: v[0] for k, v in parse_qs(url.query).items()})

    def get_index(self, _arg, _query):
        self.send_html(index_page(self.root, self.state))

    def get_edition(self, name, _query):
        self.send_html(edition_page(self.root, self.state, name))

    def get_live(self, name, _query):
        self.send_html(live_page(self.root, self.state, name))

    def get_side(self, name, _query):
        self.send_html(side_page(self.root, self.state, name))

    def get_message(self, _arg, query):
        self.send_html(message_page(self.root, self.state, query))

    def get_api_state(self, _arg, _query):
        self.send(200, json.dumps(self.state.as_json(), ensure_ascii=False).encode(), "application/json")

    def get_events(self, _arg, _query):
        stream_events(self, self.state, self.stop)

    def get_build_file(self, rel, _query):
        try:  # inside build/, no link out, a regular file, bounded
            data = read_bytes(self.root, f"build/{rel}")
        except (MobcontentError, OSError, ValueError):
            return self.not_found()
        kind = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        self.send(200, data, kind + ("; charset=utf-8" if kind.startswith("text/") else ""))

    def get_font_file(self, rel, _query):
        key, _slash, name = rel.partition("/")
        if key in self.state.kits and name.endswith(FONT_FILES):
            return self.send_file(self.state.kits[key], name)
        self.not_found()

    def send_file(self, top: Path, rel: str) -> None:
        """A file of the font kit (the user's cache, not the project)."""
        path = Path(os.path.realpath(top / rel))
        if top.resolve() not in path.parents or not path.is_file() or any(
                part.startswith(".") for part in path.relative_to(top.resolve()).parts):
            return self.not_found()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.send(200, path.read_bytes(), kind + ("; charset=utf-8" if kind.startswith("text/") else ""))


def make_handler(root: Path, state: PreviewState, stop: threading.Event | None = None):
    """A request handler class for the preview of ``root``."""
    return type("Handler", (PreviewHandler,), {"root": root, "state": state, "stop": stop or threading.Event()})


def stream_events(handler, state: PreviewState, stop: threading.Event) -> None:
    """Server-Sent Events: the state now, then again whenever it changes (and every 15 s)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Cache-Control", "no-store")
    handler.end_headers()
    try:
        while not stop.is_set():
            handler.wfile.write(f"data: {json.dumps(state.as_json(), ensure_ascii=False)}\n\n".encode("utf-8"))
            handler.wfile.flush()
            with state.changed:
                state.changed.wait(15)
    except OSError:  # the page went away
        pass


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, log=print, formats=None,
          ready=None) -> None:
    """Serve the preview, build in the background and push every edit, until interrupted."""
    state, stop = PreviewState(), threading.Event()
    server = ThreadingHTTPServer((host, port), make_handler(root, state, stop))
    server.daemon_threads = True
    for target, args in ((build_loop, (root, state, stop, formats, log)), (watch, (root, state, stop, log))):
        threading.Thread(target=target, args=args, daemon=True).start()
    log(_("Preview at {url} — press Ctrl+C to stop").format(url=f"http://{host}:{server.server_address[1]}/"))
    if ready:
        ready(server)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        with state.changed:
            state.changed.notify_all()
        server.server_close()
