"""The ``mobcontent`` command: parse arguments, call the library, print, exit.

Exit codes: 0 fine; 1 problems found (check failed, build failed or refused);
2 bad usage or a project that cannot be loaded.

Every message is in the interface language (see :mod:`mobcontent.base.i18n`), chosen
before click reads the arguments, so help, usage errors and click's own words
("Usage:", "No such option") are translated too. Help texts are marked with
``N_`` at import time and translated when shown (:class:`TranslatedHelp`).
"""
from __future__ import annotations

import atexit
import contextlib
import difflib
import functools
import json
import os
import re
import sys
import threading
from pathlib import Path

import click

from ..base.errors import MobcontentError, ProjectError
from ..base.files import write_atomic
from ..base.i18n import N_, _, ngettext
from ..base.lock import project_lock
from ..base.plainwords import os_reason
from ..base.text import visible
from ..base.version import __version__
from ..build.bounded import run_bounded
from ..build.bundle import ShardsMismatch, bundle_build, merge_shards
from ..build.engine import build_project, check_project
from ..build.manifest import ManifestInvalid
from ..build.plan import BuildOptions, build_options, plan_jobs
from ..build.report import job_fit, report_json, state_text
from ..checks.approvals import approvals_report, approve
from ..checks.runner import problem_counts
from ..checks.translations import entry_problems
from ..content.approvals import approval_date, since_approval
from ..content.audience import filter_messages, messages_json
from ..content.load import load_problems, load_project
from ..content.scaffold import init_project
from ..l10n.extract import extract_project
from ..l10n.glossary import write_glossary_tbx, write_seeded_glossary
from ..l10n.handoff import describe_outcome, export_handoff, import_handoff
from ..l10n.stats import project_stats
from ..l10n.tm import export_memory, import_memory, memory_path
from ..l10n.update import update_project
from ..pipeline.preview import bracket, preview_html, preview_message, preview_text
from .language import choose_language, translate_click
from .serve import serve


class TranslatedHelp:
    """``help`` and ``short_help`` hold the English text (a message id marked with
    ``N_``) and read back in the interface language whenever click shows them."""

    @property
    def help(self):
        text = getattr(self, "_help_id", None)
        return _(text) if text else text

    @help.setter
    def help(self, value):
        self._help_id = value

    @property
    def short_help(self):
        text = getattr(self, "_short_help_id", None)
        return _(text) if text else text

    @short_help.setter
    def short_help(self, value):
        self._short_help_id = value


METAVAR_RE = re.compile(r"[A-Z][A-Z_]*(?: RANGE)?")
METAVARS = (N_("[OPTIONS]"), N_("[COMMAND] [ARGS]..."), N_("SECONDS"), N_("LEAFLETS"), N_("MESSAGE"),
            N_("DIRECTORY"))  # the usage line's words, translated when shown


def _metavar(text: str) -> str:
    """A metavar in the interface language: ``[LEAFLETS]...`` → ``[TỜ_RƠI]...``."""
    return METAVAR_RE.sub(lambda m: _(m.group(0)), text)


class Option(TranslatedHelp, click.Option):
    """A click option whose help and metavar are translated when shown."""

    def make_metavar(self, ctx):
        return _metavar(super().make_metavar(ctx))


class Argument(click.Argument):
    """A click argument whose name in usage lines and errors is translated."""

    def make_metavar(self, ctx):
        return _metavar(super().make_metavar(ctx))

    @property
    def human_readable_name(self):
        return _metavar(super().human_readable_name)


class TranslatedMetavars:
    """``[OPTIONS]`` and ``[COMMAND] [ARGS]...`` in the usage line, in the interface language."""

    @property
    def options_metavar(self):
        return _(self._options_metavar) if self._options_metavar else self._options_metavar

    @options_metavar.setter
    def options_metavar(self, value):
        self._options_metavar = value

    @property
    def subcommand_metavar(self):
        return _(self._subcommand_metavar)

    @subcommand_metavar.setter
    def subcommand_metavar(self, value):
        self._subcommand_metavar = value


class TranslatedHelpOption:
    """Click builds ``--help`` once per command and keeps it; its text is set again
    each time, so it follows the language in use (tests switch languages in one process)."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option


class Command(TranslatedMetavars, TranslatedHelpOption, TranslatedHelp, click.Command):
    """A click command whose help is translated when shown."""


class Group(TranslatedMetavars, TranslatedHelpOption, TranslatedHelp, click.Group):
    """The ``mobcontent`` group: picks the interface language before click parses
    anything, and suggests the closest command for a typo."""

    command_class = Command

    def main(self, args=None, prog_name=None, **extra):
        args = list(sys.argv[1:] if args is None else args)
        choose_language(args)
        translate_click()
        return super().main(args, prog_name, **extra)

    def __call__(self, *args, **extra):
        """The command as a program (the ``mobcontent`` script, ``python -m mobcontent``;
        click's test runner calls :meth:`main`): it ends with :func:`end_process`."""
        try:
            return super().__call__(*args, **extra)
        except SystemExit as exc:
            end_process(exc.code)
            raise

    def resolve_command(self, ctx, args):
        name = args[0] if args else ""
        if (name and name[0].isalnum() and not ctx.resilient_parsing
                and self.get_command(ctx, name) is None):
            message = _("No such command {name!r}.").format(name=name)
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            if close:  # click's own words, so the catalog holds them once
                message += " " + ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)",
                                          1).format(possibility=repr(close[0]), possibilities=repr(close[0]))
            raise click.UsageError(message, ctx)
        return super().resolve_command(ctx, args)


def end_process(code) -> None:
    """End the process with exit status ``code`` once its output is written and its exit
    handlers have run, without tearing the interpreter down: freeing, one by one, the
    objects of a command that is over anyway took 0.10-0.14 s after a build (0.07 s once
    WeasyPrint is imported), on every command. Returns, for Python to exit as usual, when
    that could lose something: a thread other than the main one still running, a status
    that is not a number, or output that cannot be written (a closed pipe)."""
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)  # CPython's own, what an exit runs
    if run_exit_handlers is None or not isinstance(code, (int, type(None))):
        return
    if any(thread is not threading.main_thread() and not thread.daemon for thread in threading.enumerate()):
        return
    if not _flushed():
        return
    run_exit_handlers()  # each runs once: Python forgets them once run
    if _flushed():
        os._exit(int(code or 0))


def _flushed() -> bool:
    """Whether standard output and error are written out (not closed, and there at all)."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        return False
    return True


option = functools.partial(click.option, cls=Option)
argument = functools.partial(click.argument, cls=Argument)


def _load(root: str, keep_going: bool = False):
    """The project, or exit 2 after every problem; with ``keep_going`` a broken message or
    leaflet fails only what uses it (see :func:`load_project`)."""
    try:
        return load_project(Path(root), keep_going)
    except ProjectError as exc:
        _echo_unloaded(exc.problems)
        sys.exit(2)


def _echo_unloaded(problems) -> None:
    for problem in problems:
        click.echo(problem.format(), err=True)
    click.echo(_("{count} problem(s): the project could not be loaded.").format(count=len(problems)), err=True)


@contextlib.contextmanager
def _reported():
    """Library errors as messages and exit codes: a usage error exits 2, anything else 1."""
    try:
        yield
    except MobcontentError as exc:
        if exc.code == "usage":
            _fail_usage(exc)
        click.echo(exc.problem().format(), err=True)
        sys.exit(1)


time_limit_option = option(
    "--time-limit", type=click.FloatRange(min=0, min_open=True), default=300, show_default=True, metavar="SECONDS",
    help=N_("Stop the command if it takes longer than this (a runaway text)."))


def _writer_lock(root: str, command: str):
    """Serialize commands that write (build, update) on one project; say so when waiting."""
    return project_lock(Path(root), command, on_wait=lambda holder: click.echo(
        _("Waiting for {holder} to finish with this project…").format(holder=holder), err=True))


def _error(message) -> str:
    return _("error: {message}").format(message=message)


def _fail_usage(exc: MobcontentError):
    click.echo(_error(exc), err=True)
    sys.exit(2)


@click.group(cls=Group, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]},
             help=N_("Outreach leaflets: write once in Vietnamese, adapt, translate, print."))
@option("-C", "--project", "root", default=".", show_default=True, type=click.Path(file_okay=False),
        help=N_("The content project's folder."))
@option("--lang", type=click.Choice(["en", "vi"]),
        help=N_("Language of the tool's messages (default: the project's ui_locale, else LANG)."))
@option("--version", is_flag=True, expose_value=False, is_eager=True,
        callback=lambda ctx, _param, value: _version(ctx, value), help=N_("Show the version and exit."))
@click.pass_context
def main(ctx, root, lang):
    ctx.obj = root  # lang was applied before parsing (Group.main), so help and errors use it
    if ctx.invoked_subcommand is None:
        _first_run(ctx, root)


def _version(ctx, value) -> None:
    """``--version``, in the interface language (click's own option fixes its text at import)."""
    if value and not ctx.resilient_parsing:
        click.echo(_("%(prog)s, version %(version)s") % {"prog": "mobcontent", "version": __version__})
        ctx.exit()


def _first_run(ctx, root: str) -> None:
    """``mobcontent`` alone: what to do next, in or outside a project."""
    if (Path(root) / "mobcontent.yaml").is_file():
        click.echo(ctx.get_help())
        click.echo("")
        click.echo(_("Try: mobcontent check (find problems), then mobcontent build (make the leaflets)."))
        return
    folder = _("my-project")
    click.echo(_("This folder is not a mobcontent project: there is no mobcontent.yaml in {folder}.").format(
        folder=os.path.abspath(root)))
    click.echo(_("To start, create a project with a working example:"))
    click.echo("")
    click.echo(f"  mobcontent init {folder}\n  cd {folder}\n  mobcontent build")
    click.echo("")
    click.echo(_("All commands: mobcontent --help"))


@main.command("init", help=N_("Create a small, working content project in DIRECTORY."))
@argument("directory", default=".", type=click.Path(file_okay=False))
def init_command(directory):
    try:
        written = init_project(Path(directory))
    except MobcontentError as exc:
        _fail_usage(exc)
    click.echo(_("Created a content project in {folder} ({count} files).").format(folder=directory,
                                                                                 count=len(written)))
    click.echo(_("Next: {command}").format(command=f"cd {directory} && mobcontent build"))


@main.command("list", help=N_("List messages, filtered by audience, topic or status."))
@option("--ethnic", help=N_("Only messages for this ethnic group (e.g. ede)."))
@option("--religion", help=N_("Only messages for this religion."))
@option("--zone", help=N_("Only messages for this zone."))
@option("--topic", help=N_("Only messages with this topic."))
@option("--status", type=click.Choice(["draft", "review", "approved"]), help=N_("Only messages with this status."))
@option("--json", "as_json", is_flag=True, help=N_("Print stable JSON."))
@click.pass_obj
def list_command(root, ethnic, religion, zone, topic, status, as_json):
    project = _load(root)
    with _reported():
        messages = filter_messages(project, ethnic=ethnic, religion=religion, zone=zone, topic=topic, status=status)
    if as_json:
        click.echo(json.dumps(messages_json(messages), ensure_ascii=False, indent=2))
        return
    rows = [(m.slug, m.status, ", ".join(m.topics), _audience_text(m.audience), m.title) for m in messages]
    _table((_("SLUG"), _("STATUS"), _("TOPICS"), _("AUDIENCE"), _("TITLE")), rows)
    click.echo(_("{count} message(s)").format(count=len(rows)))


def _audience_text(audience: dict) -> str:
    return "; ".join(f"{dim}={','.join(values)}" for dim, values in audience.items()) or _("everyone")


def _table(header, rows):
    rows = [tuple(visible(cell) for cell in row) for row in rows]  # titles come from the project
    widths = [max([len(header[i])] + [len(r[i]) for r in rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])


@main.command("check", help=N_("Check content, audiences, leaflets and fonts; exit 1 on errors."))
@option("--json", "as_json", is_flag=True, help=N_("Print the problems as JSON."))
@option("--strict", is_flag=True, help=N_("Fail on warnings too."))
@time_limit_option
@click.pass_obj
def check_command(root, as_json, strict, time_limit):
    project = _load(root, keep_going=True)  # every other file is still checked
    unloaded = load_problems(project)
    if unloaded and not as_json:
        _echo_unloaded(unloaded)
    problems, layouts = check_project(project, os.cpu_count() or 1, time_limit)
    problems += unloaded if as_json else []
    counts = problem_counts(problems)
    if as_json:
        click.echo(json.dumps({"problems": [p.as_json() for p in problems], "counts": counts, "layouts": layouts},
                              ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            click.echo(problem.format())
        if problems or not unloaded:
            click.echo(_("{errors} error(s), {warnings} warning(s)").format(errors=counts["error"],
                                                                           warnings=counts["warning"]))
    sys.exit(2 if unloaded else 1 if counts["error"] or (strict and counts["warning"]) else 0)


@main.command("build", help=N_("Build leaflets into build/<leaflet>/ and write build/manifest.json."))
@argument("leaflets", nargs=-1)
@option("--locale", help=N_("Build only this locale."))
@option("--format", "formats", default="pdf,png,html", show_default=True,
        help=N_("Comma-separated formats: pdf, png (page previews), html, script (loudspeaker text)."))
@option("--release", is_flag=True, help=N_("Refuse anything not fit to print."))
@option("-j", "--jobs", type=click.IntRange(min=1), default=None,
        help=N_("Worker processes (default: the machine's cores)."))
@option("--shard", metavar="K/N", help=N_("Build only part K of N (for parallel CI jobs)."))
@option("--no-cache", is_flag=True, help=N_("Render everything again, even what did not change."))
@option("--json", "as_json", is_flag=True, help=N_("Print the build report as JSON (for CI)."))
@option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=300, show_default=True,
        metavar="SECONDS", help=N_("Stop a leaflet that takes longer than this (a runaway text or style)."))
@option("--strict", is_flag=True, help=N_("Make typographic warnings (stranded headings, runts, split names, "
                                          "under-full pages) errors."))
@option("--memory-limit", type=click.IntRange(min=0), default=2048, show_default=True, metavar="MB",
        help=N_("Stop a leaflet whose worker needs more memory than this (0: no limit)."))
@click.pass_obj
def build_command(root, leaflets, locale, formats, release, jobs, shard, no_cache, as_json, time_limit, strict,
                  memory_limit):
    project = _load(root, keep_going=not release)  # a release refuses the project while any file fails
    with _reported(), _unwritable_build(root):
        options = build_options(leaflets, locale, formats, release, jobs, shard, not no_cache, time_limit, strict,
                                memory_limit)
        total = len(plan_jobs(project, options))
        with _writer_lock(root, "build"), _progress(total, quiet=as_json) as progress:
            report = build_project(project, options, progress=progress)
    if as_json:
        click.echo(json.dumps(report_json(report, options), ensure_ascii=False, indent=2))
    else:
        for problem in report.problems:
            click.echo(problem.format(), err=True)
        _build_summary(report)
    if report.failed:
        if not as_json:
            click.echo((_("{count} leaflet(s) failed or were refused.") if release
                        else _("{count} leaflet(s) failed.")).format(count=report.failed), err=True)
        sys.exit(1)


@contextlib.contextmanager
def _unwritable_build(root: str):
    """build/ unwritable, disk full: say where, keep what was there (exit 1)."""
    try:
        yield
    except OSError as exc:
        click.echo(_("error: cannot write the build: {path}: {reason} — check that build/ is a folder you may "
                     "write to, and that the disk is not full").format(
            path=exc.filename or os.path.join(root, "build"), reason=os_reason(exc)), err=True)
        sys.exit(1)


class _progress:
    """A progress bar on a terminal; one plain line per leaflet in CI or when piped."""

    def __init__(self, total: int, quiet: bool = False):
        self.total, self.quiet, self.done, self.bar = total, quiet, 0, None
        self.plain = os.environ.get("CI", "").lower() in ("1", "true", "yes") or not sys.stderr.isatty()

    def __enter__(self):
        if not self.quiet and not self.plain and self.total:
            self.bar = click.progressbar(length=self.total, label=_("Building"), file=sys.stderr,
                                         item_show_func=lambda name: name or "")
            self.bar.__enter__()
        return self

    def __call__(self, result):
        self.done += 1
        if self.bar is not None:
            self.bar.update(1, result.name)
        elif not self.quiet:
            how = (_("rendered in {seconds} s").format(seconds=f"{result.seconds:.2f}") if result.rendered
                   else _("unchanged"))
            click.echo(f"[{self.done}/{self.total}] {result.name}: {how}, {state_text(result)}", err=True)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


def _build_summary(report) -> None:
    rows = []
    for result in report.results:
        pages = max([o.pages for o in result.outputs if o.format == "pdf"] or [0])
        rows.append((result.name, state_text(result), str(pages) if pages else "-",
                     job_fit(result).get("body", "-"), f"{result.seconds:.2f} s" if result.rendered else _("unchanged")))
    if rows:
        _table((_("LEAFLET"), _("STATE"), _("PAGES"), _("TYPE"), _("TIME")), rows)
    drafts = sum(1 for r in report.results if r.state != "ready" and r.outputs)
    click.echo(_("{files} file(s) in build/: {rendered} leaflet(s) rendered, {reused} unchanged").format(
                   files=len(report.outputs), rendered=len(report.rendered), reused=len(report.reused))
               + (", " + _("{count} marked DRAFT").format(count=drafts) if drafts else "")
               + (", " + _("{count} old file(s) removed").format(count=len(report.removed)) if report.removed else ""))
    if report.not_released:
        click.echo(_("{count} earlier draft file(s) kept, not released: {paths}").format(
            count=len(report.not_released), paths=", ".join(report.not_released[:5])), err=True)


@main.command("extract", help=N_("Write the translation templates locales/templates/**.pot."))
@time_limit_option
@click.pass_obj
def extract_command(root, time_limit):
    project = _load(root)
    with _reported():
        report = run_bounded(extract_project, (project,), time_limit, "extract")
    for change in report.changed:
        click.echo(change.describe())
    click.echo(_("{written} template(s) written, {unchanged} unchanged").format(
        written=len(report.changed), unchanged=len(report.files) - len(report.changed)))


@main.command("update",
              help=N_("Merge the templates into locales/<code>/LC_MESSAGES/**.po (creating missing files)."))
@option("--locale", help=N_("Update only this locale's PO files."))
@time_limit_option
@click.pass_obj
def update_command(root, locale, time_limit):
    project = _load(root)
    try:
        with _writer_lock(root, "update"):
            report = run_bounded(update_project, (project, locale), time_limit, "update")
    except MobcontentError as exc:
        if exc.code in ("command-timeout", "command-failed"):
            click.echo(exc.problem().format(), err=True)
            sys.exit(1)
        _fail_usage(exc)
    for change in report.changed:
        click.echo(change.describe())
    for problem in report.problems:
        click.echo(problem.format(), err=True)
    unchanged = len(report.files) - len(report.changed)
    click.echo(_("{changed} PO file(s) changed, {unchanged} unchanged").format(changed=len(report.changed),
                                                                              unchanged=unchanged))
    errors = [p for p in report.problems if p.severity == "error"]
    if errors:
        click.echo(_("{count} PO file(s) could not be read and were left as they are.").format(count=len(errors)),
                   err=True)
        sys.exit(1)


@main.command("stats", help=N_("Translated, fuzzy and untranslated entries and words, per locale and leaflet."))
@option("--json", "as_json", is_flag=True, help=N_("Print stable JSON."))
@click.pass_obj
def stats_command(root, as_json):
    stats = project_stats(_load(root))
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    rows = []
    for code, data in stats["locales"].items():
        e, w = data["entries"], data["words"]
        rows.append((code, str(e["translated"]), str(e["fuzzy"]), str(e["untranslated"]), str(e["obsolete"]),
                     f"{w['translated']}/{sum(w[s] for s in ('translated', 'fuzzy', 'untranslated'))}"))
    _table((_("LOCALE"), _("TRANSLATED"), _("FUZZY"), _("UNTRANSLATED"), _("OBSOLETE"), _("WORDS DONE")), rows)
    click.echo("")
    rows = []
    for item in stats["leaflets"]:
        e = item["entries"]
        rows.append((item["leaflet"], item["locale"], str(e["translated"]), str(e["fuzzy"]), str(e["missing"]),
                     _("ready") if item["releasable"] else _("needs: {items}").format(items="; ".join(item["needs"]))))
    _table((_("LEAFLET"), _("LOCALE"), _("TRANSLATED"), _("FUZZY"), _("MISSING"), _("RELEASE")), rows)


@main.command("bundle", help=N_("Zip build/ with its manifest, after checking every file against it."))
@option("--output", "target", type=click.Path(dir_okay=False),
        help=N_("The zip to write (default: build/bundles/<campaign or all>.zip)."))
@option("--campaign", help=N_("Only the outputs of leaflets in this campaign."))
@option("--release", is_flag=True, help=N_("Accept only a release build."))
@option("--merge", "shards", multiple=True, type=click.Path(dir_okay=False),
        help=N_("Join these shard manifests into build/manifest.json first (repeat the option)."))
@click.pass_obj
def bundle_command(root, target, campaign, release, shards):
    build_dir = Path(root) / "build"
    try:
        if shards:
            merge_shards(build_dir, list(shards), {job.name for job in plan_jobs(_load(root), BuildOptions())})
        path, names, left = bundle_build(build_dir, Path(target) if target else None, campaign, release)
    except ManifestInvalid as exc:  # a manifest that is not what a build writes: every problem, exit 2
        for problem in exc.problems:
            click.echo(problem.format(), err=True)
        sys.exit(2)
    except ShardsMismatch as exc:
        for problem in exc.problems:
            click.echo(_error(problem), err=True)
        click.echo(exc.message, err=True)
        sys.exit(1)
    except MobcontentError as exc:
        click.echo(_error(exc), err=True)
        sys.exit(2 if exc.code == "usage" else 1)
    if left:
        click.echo(_("Left out of the bundle (failed, not fit even as a draft): {editions}").format(
            editions=", ".join(left)), err=True)
    click.echo(f"{path}: " + _("{count} file(s), verified against the manifest").format(count=len(names)))


@main.command("serve", help=N_("Preview leaflets in the browser; rebuild and reload on every edit."))
@option("--port", default=8000, show_default=True, help=N_("Port to listen on."))
@option("--host", default="127.0.0.1", show_default=True,
        help=N_("Address to listen on (loopback: only this computer can see the preview)."))
@click.pass_obj
def serve_command(root, port, host):
    _load(root, keep_going=True)  # a project that cannot be loaded at all is reported here, not on a blank page
    try:
        serve(Path(root), host, port, log=lambda line: click.echo(line, err=True))
    except OSError as exc:
        click.echo(_error(_("cannot listen on {address}: {reason} — try another --port").format(
            address=f"{host}:{port}", reason=os_reason(exc))), err=True)
        sys.exit(2)


@main.command("show",
              help=N_("Show MESSAGE adapted for one audience: filled variables highlighted, dropped blocks listed."))
@argument("message")
@option("--ethnic", help=N_("The ethnic profile (e.g. ede); left out: a mixed audience."))
@option("--religion", help=N_("The religion profile (e.g. protestant)."))
@option("--zone", help=N_("The zone profile (e.g. krong-na)."))
@option("--locale", help=N_("The language to show (default: the source language)."))
@option("--html", "html_path", type=click.Path(dir_okay=False),
        help=N_("Also write the preview as an HTML page to this file."))
@option("--since-approval", is_flag=True,
        help=N_("Show instead what changed, word by word, since the message's text was approved."))
@click.pass_obj
def show_command(root, message, ethnic, religion, zone, locale, html_path, since_approval):
    project = _load(root)
    if since_approval:
        _show_since_approval(project, message)
        return
    audience = {dim: value for dim, value in (("ethnic", ethnic), ("religion", religion), ("zone", zone)) if value}
    with _reported():
        preview = preview_message(project, message, audience, locale)
    colour = sys.stdout.isatty()
    style = (lambda value, variable: click.style(value, fg="cyan", bold=True, underline=True)) if colour else bracket
    marks = []

    def mark(value, variable):  # styled after the text is made safe for the terminal
        marks.append((value, variable))
        return f"\ue010{len(marks) - 1}\ue011"

    text = visible(preview_text(preview, mark))
    text = re.sub("\ue010(\\d+)\ue011", lambda m: style(visible(marks[int(m[1])][0]), marks[int(m[1])][1]), text)
    click.echo(text, nl=False)
    if html_path:
        _write_preview(Path(html_path), preview_html(preview))
    sys.exit(1 if preview.problems else 0)


def _write_preview(path: Path, html_text: str) -> None:
    """``show --html``: write the page, or say clearly why it cannot be written (exit 2)."""
    try:
        if not path.parent.is_dir():
            raise NotADirectoryError(2, _("the folder does not exist"))
        write_atomic(path, html_text.encode("utf-8"))
    except OSError as exc:
        click.echo(_error(_("cannot write {path}: {reason} — choose a file in a folder that exists and that you "
                            "may write to").format(path=path, reason=exc.strerror or exc)), err=True)
        sys.exit(2)
    click.echo(_("HTML preview written to {path}").format(path=path))


@main.command("approve", help=N_("Record who approved the exact text of each MESSAGE (with --locale: who reviewed "
                                  "its translation). Appends to content/approvals.yaml or "
                                  "locales/<code>/approvals.yaml and sets 'status: approved'."))
@click.argument("messages", nargs=-1, required=True)
@option("--by", required=True, help=N_("Who approves: a role or a name, e.g. \"Ban Dân vận\"."))
@option("--locale", help=N_("Record a review of the message's translation in this locale."))
@option("--note", default="", help=N_("A note kept with the record."))
@option("--date", help=N_("The date to record, YYYY-MM-DD (default: SOURCE_DATE_EPOCH, else today)."))
@click.pass_obj
def approve_command(root, messages, by, locale, note, date):
    project = _load(root)
    with _reported(), _writer_lock(root, "approve"):
        records, refused = approve(project, messages, by, approval_date(date), note, locale)
    if refused:
        _print_refused(refused, locale)
        sys.exit(1)
    _print_recorded(records, messages)


def _print_refused(entries, locale: str) -> None:
    for entry in entries:
        state = _("fuzzy") if entry.state == "fuzzy" else _("not translated")
        click.echo(f"{entry.path}:{entry.line}: {state}: {entry.msgid}", err=True)
    click.echo(_("Nothing recorded: {count} entry(ies) in {locale} are fuzzy or not translated; a translator "
                 "finishes them, then the review is recorded.").format(count=len(entries), locale=locale), err=True)


def _print_recorded(records, slugs) -> None:
    for record in records:
        where = f" [{record.locale}]" if record.locale else ""
        click.echo(_("{slug}{where}: approved by {by} on {date} (sha256 {digest}…)").format(
            slug=record.message, where=where, by=record.by, date=record.date, digest=record.sha256[:12]))
    done = {record.message for record in records}
    for slug in dict.fromkeys(slugs):
        if slug not in done:
            click.echo(_("{slug}: this text already has an approval by the same person; nothing added").format(
                slug=slug))


def _show_since_approval(project, slug: str) -> None:
    with _reported():
        state, record, diff = since_approval(project, slug)
    if record is None:
        click.echo(_("{slug}: no approval of this message keeps its text; nothing to compare").format(slug=slug))
        return
    click.echo(_("{slug}: approved by {by} on {date} (sha256 {digest}…)").format(
        slug=slug, by=record.by, date=record.date, digest=record.sha256[:12]))
    if not diff:
        click.echo(_("The text has not changed since."))
        return
    click.echo(_("Changed since ([-removed-] {{+added+}}):"))
    click.echo(diff)


APPROVAL_STATES = {"approved": N_("approved"), "stale": N_("changed since approved"),
                   "not-approved": N_("not approved"), "unrecorded": N_("approved, not recorded"),
                   "reviewed": N_("reviewed"), "changed": N_("changed since reviewed"),
                   "not-reviewed": N_("not reviewed"), "incomplete": N_("translation incomplete"),
                   "unreadable": N_("PO file unreadable")}


@main.command("approvals", help=N_("What is approved, stale or missing, per message and locale."))
@option("--json", "as_json", is_flag=True, help=N_("Print stable JSON."))
@click.pass_obj
def approvals_command(root, as_json):
    report = approvals_report(_load(root))
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    rows = []
    for message in report["messages"]:
        for item in message["locales"]:
            last = item.get("approvals") or [{}]
            state = _(APPROVAL_STATES[item["state"]]) + ("" if item["required"] else " " + _("(not required)"))
            rows.append((message["slug"], item["locale"], state, last[-1].get("date", "-"), last[-1].get("by", "-")))
    _table((_("MESSAGE"), _("LOCALE"), _("STATE"), _("DATE"), _("BY")), rows)
# --------------------------------------------------------------------------- translators: handoff, tm, glossary

def _library_call(call, code_on_error: int = 1):
    """Run a library call; a usage error exits 2, any other library error prints its
    ``path:line`` and exits ``code_on_error``."""
    try:
        return call()
    except MobcontentError as exc:
        if exc.code == "usage":
            _fail_usage(exc)
        click.echo(exc.problem().format(), err=True)
        sys.exit(code_on_error)


@main.group("handoff", cls=Group, help=N_("Translator files in Word or Excel: export, then import them back."))
def handoff_group():
    pass


@handoff_group.command("export", help=N_("Write one Word or Excel file for a translator of LOCALE."))
@click.argument("leaflets", nargs=-1)
@option("--locale", required=True, help=N_("The language to translate into (e.g. rad)."))
@option("--message", "messages", multiple=True, help=N_("Only this message (repeatable)."))
@option("--format", "fmt", type=click.Choice(["docx", "xlsx"]), default="xlsx", show_default=True,
        help=N_("Word (docx) or Excel (xlsx)."))
@option("--output", type=click.Path(dir_okay=False), help=N_("The file to write (default: handoff/<locale>.<format>)."))
@click.pass_obj
def handoff_export_command(root, leaflets, locale, messages, fmt, output):
    project = _load(root)
    path, count = _library_call(lambda: export_handoff(project, locale, fmt, Path(output) if output else None,
                                                       leaflets, messages))
    click.echo(_("{path}: {count} entries to translate into {locale}").format(path=path, count=count, locale=locale))


@handoff_group.command("import", help=N_("Merge a translator's Word or Excel FILE into the PO files."))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@option("--ours", "prefer", flag_value="ours", help=N_("On a conflict keep the PO file's translation."))
@option("--theirs", "prefer", flag_value="theirs", help=N_("On a conflict take the file's translation."))
@option("--json", "as_json", is_flag=True, help=N_("Print stable JSON."))
@click.pass_obj
def handoff_import_command(root, file, prefer, as_json):
    project = _load(root)
    with _writer_lock(root, "handoff import"):
        report = _library_call(lambda: import_handoff(project, Path(file), prefer, entry_problems), 2)
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        for outcome in report.outcomes:
            if outcome.status != "unchanged" or outcome.why:
                click.echo(describe_outcome(outcome, file), err=outcome.status in ("conflict", "rejected"))
        for change in report.changed:
            click.echo(change.describe())
        click.echo(report.summary())
    sys.exit(0 if report.ok else 1)


@main.group("glossary", cls=Group, help=N_("The per-locale glossary: seed it from the audiences, export it as TBX."))
def glossary_group():
    pass


@glossary_group.command("seed", help=N_("Add the audiences' terms to locales/<locale>/glossary.yaml."))
@option("--locale", required=True, help=N_("The glossary's language (e.g. rad)."))
@click.pass_obj
def glossary_seed_command(root, locale):
    project = _load(root)
    path, added = _library_call(lambda: write_seeded_glossary(project, locale))
    click.echo(_("{path}: {count} term(s) added").format(path=path, count=added))


@glossary_group.command("export", help=N_("Write the glossary of a locale as TBX (for Weblate)."))
@option("--locale", required=True, help=N_("The glossary's language (e.g. rad)."))
@click.argument("target", type=click.Path(dir_okay=False))
@click.pass_obj
def glossary_export_command(root, locale, target):
    project = _load(root)
    count = _library_call(lambda: write_glossary_tbx(project, locale, Path(target)))
    click.echo(_("{path}: {count} term(s)").format(path=target, count=count))


@main.group("tm", cls=Group, help=N_("Translation memory: share it as TMX (Weblate, OmegaT) or PO compendia."))
def tm_group():
    pass


@tm_group.command("export", help=N_("Write the reviewed translations of a locale as TMX (or a PO compendium: FILE.po)."))
@option("--locale", required=True, help=N_("The language (e.g. rad)."))
@click.argument("target", type=click.Path(dir_okay=False))
@click.pass_obj
def tm_export_command(root, locale, target):
    project = _load(root)
    count = _library_call(lambda: export_memory(project, locale, Path(target)))
    click.echo(_("{path}: {count} translation unit(s)").format(path=target, count=count))


@tm_group.command("import", help=N_("Add a TMX file or PO compendium to locales/<locale>/memory.po (offered as fuzzy)."))
@option("--locale", required=True, help=N_("The language (e.g. rad)."))
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def tm_import_command(root, locale, source):
    project = _load(root)
    with _writer_lock(root, "tm import"):
        added, known = _library_call(lambda: import_memory(project, locale, Path(source)))
    click.echo(_("{path}: {added} added, {known} already known").format(path=memory_path(locale), added=added,
                                                                       known=known))
