"""The check runner and ``mobcontent check``: codes, severities, JSON, exit codes."""
import json

from click.testing import CliRunner

from mobcontent.app.cli import main
from mobcontent.base.errors import Problem
from mobcontent.checks.runner import CHECKS, run_checks
from mobcontent.content.load import load_project

REVIEW = "---\ntitle: Cảnh giác lừa đảo\ntopics: [scam]\nstatus: review\n---\nKhông đọc mã OTP.\n"


def test_clean_project_passes(make_project, shared_kit):
    result = CliRunner().invoke(main, ["-C", str(make_project()), "check"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "0 error(s), 0 warning(s)"


def test_warning_fails_only_with_strict(make_project, shared_kit):
    root = make_project({"content/messages/lua-dao.md": REVIEW})
    result = CliRunner().invoke(main, ["-C", str(root), "check"])
    assert result.exit_code == 0
    assert ("content/messages/lua-dao.md:4: warning: not-approved: message 'lua-dao' is 'review', not approved: "
            "it prints as DRAFT — once it is approved, record who approved it: mobcontent approve lua-dao "
            "--by \"…\"") in result.stdout
    assert CliRunner().invoke(main, ["-C", str(root), "check", "--strict"]).exit_code == 1


def test_json_report_is_stable_and_complete(make_project, shared_kit):
    root = make_project({"content/messages/lua-dao.md": REVIEW.replace("OTP.", "OTP {hotline} ཀ.")})
    result = CliRunner().invoke(main, ["-C", str(root), "check", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["counts"] == {"error": 1, "warning": 1}
    assert [(p["code"], p["severity"], p["path"], p["line"]) for p in report["problems"]] == [
        ("not-approved", "warning", "content/messages/lua-dao.md", 4),
        ("glyph-missing", "error", "content/messages/lua-dao.md", 6),
    ]
    assert set(report["problems"][0]) == {"code", "severity", "path", "line", "message", "hint"}


def test_adding_a_check_is_one_function(make_project):
    project = load_project(make_project())

    def check_titles_short(project):
        for message in project.messages.values():
            if len(message.title) > 10:
                yield Problem("title-long", "warning", message.path, message.title_line, "title is long")

    problems = run_checks(project, [check_titles_short])
    assert [(p.code, p.path) for p in problems] == [("title-long", "content/messages/cot-moc.md"),
                                                    ("title-long", "content/messages/lua-dao.md")]
    assert all(callable(check) for check in CHECKS)


def test_unloadable_project_is_exit_2_for_every_command(make_project):
    root = make_project({"mobcontent.yaml": "name: [unclosed\n"})
    for args in (["check"], ["list"], ["build"]):
        result = CliRunner().invoke(main, ["-C", str(root), *args])
        assert result.exit_code == 2, args
        assert result.stderr.startswith("mobcontent.yaml:2: error: yaml-syntax: YAML syntax error")


def test_not_a_project_says_what_to_do(tmp_path):
    result = CliRunner().invoke(main, ["-C", str(tmp_path), "list"])
    assert result.exit_code == 2
    assert "not a mobcontent project" in result.stderr and "mobcontent init" in result.stderr
