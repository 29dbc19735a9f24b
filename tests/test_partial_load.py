"""One bad file fails only what uses it: a draft build and ``serve`` report the broken
message or leaflet (exit 1), fail the leaflets that use it and build every other one;
``check`` still reports everything, and ``--release`` refuses the whole project."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mobcontent.app.cli import main
from mobcontent.base.errors import ProjectError
from mobcontent.content.load import load_problems, load_project

BROKEN = "---\ntitle: Cảnh giác\n  topics: [scam\n---\nKhông đọc mã OTP.\n"
OTHER = ("title: Chỉ cột mốc\naudience: {ethnic: ede, religion: protestant, zone: krong-na}\n"
         "locales: [vi]\nlayout: a5-flyer\nmessages: [cot-moc]\ndate: 2026-11-01\n")


@pytest.fixture
def broken(make_project, shared_kit):
    return make_project({"content/messages/lua-dao.md": BROKEN, "content/leaflets/cot-moc-rieng.yaml": OTHER})


def run(root, *args):
    return CliRunner().invoke(main, ["-C", str(root), *args], prog_name="mobcontent")


def test_strict_load_still_refuses(broken):
    with pytest.raises(ProjectError):
        load_project(broken)


def test_keep_going_leaves_out_the_message_and_fails_its_leaflets(broken):
    project = load_project(broken, keep_going=True)
    assert "lua-dao" not in project.messages and "cot-moc" in project.messages
    assert list(project.leaflets) == ["cot-moc-rieng"]
    assert list(project.failed) == ["bien-gioi"]
    codes = {(p.path, p.code) for p in load_problems(project)}
    assert ("content/messages/lua-dao.md", "yaml-syntax") in codes
    assert ("content/leaflets/bien-gioi.yaml", "message-unloaded") in codes


def test_draft_build_builds_every_other_leaflet(broken):
    result = run(broken, "build", "--format", "html", "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    status = {job["name"]: job["status"] for job in report["jobs"]}
    assert status["bien-gioi"] == "failed" and status["cot-moc-rieng.vi"] in ("ok", "draft")
    assert set(status) == {"cot-moc-rieng.vi", "bien-gioi"}
    assert (broken / "build" / "cot-moc-rieng" / "cot-moc-rieng.vi.html").is_file()
    assert any(p["path"] == "content/messages/lua-dao.md" for p in report["problems"])


def test_a_broken_leaflet_fails_alone(make_project, shared_kit):
    root = make_project({"content/leaflets/cot-moc-rieng.yaml": OTHER,
                         "content/leaflets/hong.yaml": "title: [x\n"})
    result = run(root, "build", "--format", "html")
    assert result.exit_code == 1
    assert "content/leaflets/hong.yaml:" in result.output
    assert (root / "build" / "bien-gioi" / "bien-gioi.vi.html").is_file()


def test_check_reports_everything_and_release_refuses(broken):
    result = run(broken, "check")
    assert result.exit_code == 2
    assert "content/messages/lua-dao.md:3: error: yaml-syntax" in result.stderr
    assert "content/leaflets/bien-gioi.yaml:5: error: message-unloaded" in result.stderr
    release = run(broken, "build", "--release", "--format", "html")
    assert release.exit_code == 2
    assert "content/messages/lua-dao.md:3" in release.output
    assert not (broken / "build" / "cot-moc-rieng").exists()
