"""The ``mobcontent`` command: parse arguments, call the library, print, exit.

Exit codes: 0 fine; 1 problems found (check failed, build failed or refused);
2 bad usage or a project that cannot be loaded.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import MobcontentError, ProjectError


def _load(root: str):
    from .load import load_project
    try:
        return load_project(Path(root))
    except ProjectError as exc:
        for problem in exc.problems:
            click.echo(problem.format(), err=True)
        click.echo(f"{len(exc.problems)} problem(s): the project could not be loaded.", err=True)
        sys.exit(2)


def _writer_lock(root: str, command: str):
    """Serialize commands that write (build, update) on one project; say so when waiting."""
    from .lock import project_lock
    return project_lock(Path(root), command, on_wait=lambda holder: click.echo(
        f"Waiting for {holder} to finish with this project…", err=True))


def _fail_usage(exc: MobcontentError):
    click.echo(f"error: {exc}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "--project", "root", default=".", show_default=True, type=click.Path(file_okay=False),
              help="The content project's folder.")
@click.version_option(__version__, prog_name="mobcontent")
@click.pass_context
def main(ctx, root):
    """Outreach leaflets: write once in Vietnamese, adapt, translate, print."""
    ctx.obj = root


@main.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
def init_command(directory):
    """Create a small, working content project in DIRECTORY."""
    from .scaffold import init_project
    try:
        written = init_project(Path(directory))
    except MobcontentError as exc:
        _fail_usage(exc)
    click.echo(f"Created a content project in {directory} ({len(written)} files).")
    click.echo(f"Next: cd {directory} && mobcontent build")


@main.command("list")
@click.option("--ethnic", help="Only messages for this ethnic group (e.g. ede).")
@click.option("--religion", help="Only messages for this religion.")
@click.option("--zone", help="Only messages for this zone.")
@click.option("--topic", help="Only messages with this topic.")
@click.option("--status", type=click.Choice(["draft", "review", "approved"]), help="Only messages with this status.")
@click.option("--json", "as_json", is_flag=True, help="Print stable JSON.")
@click.pass_obj
def list_command(root, ethnic, religion, zone, topic, status, as_json):
    """List messages, filtered by audience, topic or status."""
    from .audience import filter_messages
    project = _load(root)
    for dim, value in (("ethnic", ethnic), ("religion", religion), ("zone", zone)):
        known = list(project.audiences.profiles(dim)) + (list(project.audiences.zone_groups) if dim == "zone" else [])
        if value is not None and value not in known:
            click.echo(f"error: unknown {dim} '{value}' — use one of: {', '.join(known)}", err=True)
            sys.exit(2)
    messages = filter_messages(project, ethnic=ethnic, religion=religion, zone=zone, topic=topic, status=status)
    if as_json:
        data = {"messages": [{"slug": m.slug, "path": m.path, "title": m.title,
                              "audience": {k: list(v) for k, v in m.audience.items()},
                              "topics": list(m.topics), "status": m.status} for m in messages]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rows = [(m.slug, m.status, ", ".join(m.topics), _audience_text(m.audience), m.title) for m in messages]
    _table(("SLUG", "STATUS", "TOPICS", "AUDIENCE", "TITLE"), rows)
    click.echo(f"{len(rows)} message(s)")


def _audience_text(audience: dict) -> str:
    return "; ".join(f"{dim}={','.join(values)}" for dim, values in audience.items()) or "everyone"


def _table(header, rows):
    widths = [max([len(header[i])] + [len(r[i]) for r in rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])


@main.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.pass_obj
def check_command(root, as_json, strict):
    """Check content, audiences, leaflets and fonts; exit 1 on errors."""
    from .checks import run_checks
    project = _load(root)
    problems = run_checks(project)
    counts = {"error": sum(p.severity == "error" for p in problems),
              "warning": sum(p.severity == "warning" for p in problems)}
    if as_json:
        click.echo(json.dumps({"problems": [p.as_json() for p in problems], "counts": counts},
                              ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            click.echo(problem.format())
        click.echo(f"{counts['error']} error(s), {counts['warning']} warning(s)")
    sys.exit(1 if counts["error"] or (strict and counts["warning"]) else 0)


@main.command("build")
@click.argument("leaflets", nargs=-1)
@click.option("--locale", help="Build only this locale.")
@click.option("--format", "formats", default="pdf,png,html", show_default=True,
              help="Comma-separated formats: pdf, png (page previews), html, script (loudspeaker text).")
@click.option("--release", is_flag=True, help="Refuse anything not fit to print.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the machine's cores).")
@click.option("--shard", metavar="K/N", help="Build only part K of N (for parallel CI jobs).")
@click.option("--no-cache", is_flag=True, help="Render everything again, even what did not change.")
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON (for CI).")
@click.pass_obj
def build_command(root, leaflets, locale, formats, release, jobs, shard, no_cache, as_json):
    """Build leaflets into build/<leaflet>/ and write build/manifest.json."""
    from .build import FORMATS, BuildOptions, build_project, plan_jobs
    project = _load(root)
    wanted = tuple(f.strip() for f in formats.split(",") if f.strip())
    bad = [f for f in wanted if f not in FORMATS]
    if bad:
        click.echo(f"error: unknown format {', '.join(bad)} — use: {', '.join(FORMATS)}", err=True)
        sys.exit(2)
    options = BuildOptions(tuple(leaflets), locale, wanted, release, jobs=jobs or os.cpu_count() or 1,
                           shard=_parse_shard(shard), incremental=not no_cache)
    try:
        total = len(plan_jobs(project, options))
        with _writer_lock(root, "build"), _progress(total, quiet=as_json) as progress:
            report = build_project(project, options, progress=progress)
    except MobcontentError as exc:
        if exc.code == "usage":
            _fail_usage(exc)
        raise
    if as_json:
        click.echo(json.dumps(_build_json(report, options), ensure_ascii=False, indent=2))
    else:
        for problem in report.problems:
            click.echo(problem.format(), err=True)
        _build_summary(report)
    if report.failed:
        if not as_json:
            click.echo(f"{report.failed} leaflet(s) failed" + (" or were refused." if release else "."), err=True)
        sys.exit(1)


def _parse_shard(text: str | None):
    if not text:
        return None
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        click.echo(f"error: --shard '{text}' is not K/N with 1 ≤ K ≤ N (e.g. 2/4)", err=True)
        sys.exit(2)
    return int(k), int(n)


class _progress:
    """A progress bar on a terminal; one plain line per leaflet in CI or when piped."""

    def __init__(self, total: int, quiet: bool = False):
        self.total, self.quiet, self.done, self.bar = total, quiet, 0, None
        self.plain = os.environ.get("CI", "").lower() in ("1", "true", "yes") or not sys.stderr.isatty()

    def __enter__(self):
        if not self.quiet and not self.plain and self.total:
            self.bar = click.progressbar(length=self.total, label="Building", file=sys.stderr,
                                         item_show_func=lambda name: name or "")
            self.bar.__enter__()
        return self

    def __call__(self, result):
        self.done += 1
        if self.bar is not None:
            self.bar.update(1, result.name)
        elif not self.quiet:
            how = f"rendered in {result.seconds:.2f} s" if result.rendered else "unchanged"
            state = " FAILED" if any(p.severity == "error" for p in result.problems) else ""
            click.echo(f"[{self.done}/{self.total}] {result.name}: {how}{state}", err=True)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


def _job_status(result) -> str:
    if any(p.severity == "error" for p in result.problems):
        return "refused" if not result.outputs and any(p.code == "release-refused" for p in result.problems) \
            else "failed"
    return "draft" if any(o.draft for o in result.outputs) else "ok"


def _build_summary(report) -> None:
    rows = []
    for result in report.results:
        pages = max([o.pages for o in result.outputs if o.format == "pdf"] or [0])
        rows.append((result.name, _job_status(result), str(pages) if pages else "-",
                     f"{result.seconds:.2f} s" if result.rendered else "unchanged"))
    if rows:
        _table(("LEAFLET", "STATUS", "PAGES", "TIME"), rows)
    drafts = sum(1 for r in report.results if _job_status(r) == "draft")
    click.echo(f"{len(report.outputs)} file(s) in build/: {len(report.rendered)} leaflet(s) rendered, "
               f"{len(report.reused)} unchanged" + (f", {drafts} marked DRAFT" if drafts else "")
               + (f", {len(report.removed)} old file(s) removed" if report.removed else ""))


def _build_json(report, options) -> dict:
    """The build report for CI: every job's status and problems, and the counts."""
    jobs = [{"name": r.name, "status": _job_status(r), "rendered": r.rendered, "seconds": round(r.seconds, 3),
             "outputs": [o.path for o in r.outputs], "problems": [p.as_json() for p in r.problems]}
            for r in report.results]
    problems = [p.as_json() for p in report.problems]
    counts = {"jobs": len(jobs), "rendered": len(report.rendered), "reused": len(report.reused),
              "failed": report.failed, "refused": report.refused,
              "error": sum(p["severity"] == "error" for p in problems),
              "warning": sum(p["severity"] == "warning" for p in problems)}
    return {"release": options.release, "jobs": jobs, "problems": problems, "counts": counts,
            "removed": report.removed}


@main.command("extract")
@click.pass_obj
def extract_command(root):
    """Write the translation templates locales/templates/**.pot."""
    from .translate import extract_project
    report = extract_project(_load(root))
    for change in report.changed:
        click.echo(change.describe())
    click.echo(f"{len(report.changed)} template(s) written, {len(report.files) - len(report.changed)} unchanged")


@main.command("update")
@click.option("--locale", help="Update only this locale's PO files.")
@click.pass_obj
def update_command(root, locale):
    """Merge the templates into locales/<code>/LC_MESSAGES/**.po (creating missing files)."""
    from .translate import update_project
    project = _load(root)
    try:
        with _writer_lock(root, "update"):
            report = update_project(project, locale)
    except MobcontentError as exc:
        _fail_usage(exc)
    for change in report.changed:
        click.echo(change.describe())
    for problem in report.problems:
        click.echo(problem.format(), err=True)
    unchanged = len(report.files) - len(report.changed)
    click.echo(f"{len(report.changed)} PO file(s) changed, {unchanged} unchanged")
    errors = [p for p in report.problems if p.severity == "error"]
    if errors:
        click.echo(f"{len(errors)} PO file(s) could not be read and were left as they are.", err=True)
        sys.exit(1)


@main.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print stable JSON.")
@click.pass_obj
def stats_command(root, as_json):
    """Translated, fuzzy and untranslated entries and words, per locale and leaflet."""
    from .translate import project_stats
    stats = project_stats(_load(root))
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    rows = []
    for code, data in stats["locales"].items():
        e, w = data["entries"], data["words"]
        rows.append((code, str(e["translated"]), str(e["fuzzy"]), str(e["untranslated"]), str(e["obsolete"]),
                     f"{w['translated']}/{sum(w[s] for s in ('translated', 'fuzzy', 'untranslated'))}"))
    _table(("LOCALE", "TRANSLATED", "FUZZY", "UNTRANSLATED", "OBSOLETE", "WORDS DONE"), rows)
    click.echo("")
    rows = []
    for item in stats["leaflets"]:
        e = item["entries"]
        rows.append((item["leaflet"], item["locale"], str(e["translated"]), str(e["fuzzy"]), str(e["missing"]),
                     "ready" if item["releasable"] else "needs: " + "; ".join(item["needs"])))
    _table(("LEAFLET", "LOCALE", "TRANSLATED", "FUZZY", "MISSING", "RELEASE"), rows)


@main.command("bundle")
@click.option("--output", "target", type=click.Path(dir_okay=False),
              help="The zip to write (default: build/bundles/<campaign or all>.zip).")
@click.option("--campaign", help="Only the outputs of leaflets in this campaign.")
@click.option("--release", is_flag=True, help="Accept only a release build.")
@click.option("--merge", "shards", multiple=True, type=click.Path(dir_okay=False),
              help="Join these shard manifests into build/manifest.json first (repeat the option).")
@click.pass_obj
def bundle_command(root, target, campaign, release, shards):
    """Zip build/ with its manifest, after checking every file against it."""
    from .bundle import merge_manifests, read_manifest, select_outputs, write_atomic, write_bundle
    build_dir = Path(root) / "build"
    if shards:
        from .build import BuildOptions, plan_jobs
        project = _load(root)
        manifests = []
        for shard in shards:
            try:
                manifests.append((shard, json.loads(Path(shard).read_text(encoding="utf-8"))))
            except (OSError, ValueError) as exc:
                click.echo(f"{shard}: error: cannot read the shard manifest: {exc}", err=True)
                sys.exit(2)
        expected = {job.name for job in plan_jobs(project, BuildOptions())}
        merged, problems = merge_manifests(manifests, expected)
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        if problems:
            click.echo(f"{len(problems)} problem(s): the shards do not make one whole build.", err=True)
            sys.exit(1)
        write_atomic(build_dir / "manifest.json",
                     (json.dumps(merged, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    manifest = read_manifest(build_dir)
    if manifest is None:
        click.echo(f"error: {build_dir / 'manifest.json'} is missing or unreadable — run 'mobcontent build' first",
                   err=True)
        sys.exit(2)
    if release and not manifest.get("release"):
        click.echo("error: this is a draft build (manifest says release: false) — "
                   "run 'mobcontent build --release' first", err=True)
        sys.exit(1)
    manifest = select_outputs(manifest, campaign)
    if not manifest["outputs"]:
        click.echo(f"error: no output belongs to campaign '{campaign}'", err=True)
        sys.exit(1)
    path = Path(target) if target else build_dir / "bundles" / f"{campaign or 'all'}.zip"
    try:
        names = write_bundle(build_dir, path, manifest)
    except MobcontentError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{path}: {len(names)} file(s), verified against the manifest")


@main.command("serve")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback: only this computer can see the preview).")
@click.pass_obj
def serve_command(root, port, host):
    """Preview leaflets in the browser; rebuild and reload on every edit."""
    from .serve import serve
    _load(root)  # a project that cannot be loaded at all is reported here, not on a blank page
    try:
        serve(Path(root), host, port, log=lambda line: click.echo(line, err=True))
    except OSError as exc:
        click.echo(f"error: cannot listen on {host}:{port}: {exc.strerror} — try another --port", err=True)
        sys.exit(2)


@main.command("show")
@click.argument("message")
@click.option("--ethnic", help="The ethnic profile (e.g. ede); left out: a mixed audience.")
@click.option("--religion", help="The religion profile (e.g. protestant).")
@click.option("--zone", help="The zone profile (e.g. krong-na).")
@click.option("--locale", help="The language to show (default: the source language).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False),
              help="Also write the preview as an HTML page to this file.")
@click.pass_obj
def show_command(root, message, ethnic, religion, zone, locale, html_path):
    """Show MESSAGE adapted for one audience: filled variables highlighted, dropped blocks listed."""
    from .preview import bracket, preview_html, preview_message, preview_text
    project = _load(root)
    audience = {dim: value for dim, value in (("ethnic", ethnic), ("religion", religion), ("zone", zone)) if value}
    try:
        preview = preview_message(project, message, audience, locale)
    except MobcontentError as exc:
        if exc.code == "usage":
            _fail_usage(exc)
        click.echo(exc.problem().format(), err=True)
        sys.exit(1)
    colour = sys.stdout.isatty()
    mark = (lambda value, variable: click.style(value, fg="cyan", bold=True, underline=True)) if colour else bracket
    click.echo(preview_text(preview, mark), nl=False)
    if html_path:
        Path(html_path).write_text(preview_html(preview), encoding="utf-8")
        click.echo(f"HTML preview written to {html_path}")
    sys.exit(1 if preview.problems else 0)
