"""CI at scale: incremental and parallel builds, shards, bundles, the release report."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile

import pytest
from click.testing import CliRunner

from mobcontent.app.cli import main
from mobcontent.build.engine import build_project
from mobcontent.build.plan import BuildOptions, plan_jobs, shard_of
from mobcontent.content.load import load_project

PO_HEADER = ('msgid ""\nmsgstr ""\n"Language: rad\\n"\n"MIME-Version: 1.0\\n"\n'
             '"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n'
             '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n')

FILES = {
    "mobcontent.yaml": "name: Test\nlocales: [vi, rad]\nissuer: Ban tuyên truyền xã\n",
    "content/leaflets/bien-gioi.yaml": "title: Biên giới bình yên\naudience: {ethnic: ede, religion: protestant, "
                                       "zone: krong-na}\nlocales: [vi, rad]\nlayout: a5-flyer\n"
                                       "messages: [cot-moc, lua-dao]\ndate: 2026-11-01\n",
    "content/leaflets/lua-dao-poster.yaml": "title: Cảnh giác\naudience: {zone: ea-kiet}\nlocales: [vi, rad]\n"
                                            "layout: a4-poster\nmessages: [lua-dao]\ndate: 2026-11-01\n",
    "content/leaflets/chi-cot-moc.yaml": "title: Cột mốc\naudience: {ethnic: mnong, religion: none, "
                                         "zone: krong-na}\nlocales: [vi]\nlayout: a5-flyer\n"
                                         "messages: [cot-moc]\ndate: 2026-11-01\n",
    "locales/rad/LC_MESSAGES/leaflets.po": PO_HEADER + 'msgctxt "leaflet.bien-gioi.title"\n'
                                           'msgid "Biên giới bình yên"\nmsgstr "Biên giới (rad)"\n\n'
                                           'msgctxt "leaflet.lua-dao-poster.title"\nmsgid "Cảnh giác"\n'
                                           'msgstr "Cảnh giác (rad)"\n',
}

OPTIONS = BuildOptions(formats=("pdf", "html"))


@pytest.fixture
def project_root(make_project, shared_kit):
    return make_project(FILES)


def build(root, **changes):
    options = BuildOptions(**{**OPTIONS.__dict__, **changes})
    return build_project(load_project(root), options)


def manifest(root):
    return json.loads((root / "build" / "manifest.json").read_text(encoding="utf-8"))


def test_manifest_hashes_match_and_list_inputs(project_root):
    report = build(project_root)
    assert report.failed == 0
    data = manifest(project_root)
    assert len(data["outputs"]) == 10  # 5 jobs × pdf, html
    for output in data["outputs"]:
        blob = (project_root / "build" / output["path"]).read_bytes()
        assert output["sha256"] == hashlib.sha256(blob).hexdigest() and output["bytes"] == len(blob)
        assert {"font-kit", "tool", "content/audiences.yaml", f"content/leaflets/{output['leaflet']}.yaml"} \
            <= set(output["inputs"])
    rad = next(o for o in data["outputs"] if o["path"] == "bien-gioi/bien-gioi.rad.pdf")
    assert "locales/rad/LC_MESSAGES/leaflets.po" in rad["inputs"]
    assert set(rad["completeness"]) == {"translated", "fuzzy", "missing", "source"}


def test_second_build_renders_nothing(project_root):
    first = build(project_root)
    assert len(first.rendered) == 5
    before = {p: p.stat().st_mtime_ns for p in (project_root / "build").rglob("*.pdf")}
    second = build(project_root)
    assert second.rendered == [] and len(second.reused) == 5
    assert {p: p.stat().st_mtime_ns for p in (project_root / "build").rglob("*.pdf")} == before
    assert manifest(project_root)["outputs"] == json.loads(json.dumps(
        [o.as_json() for o in sorted(first.outputs, key=lambda o: o.path)], ensure_ascii=False))


def test_one_po_entry_rebuilds_exactly_the_outputs_that_use_it(project_root):
    build(project_root)
    po = project_root / "locales/rad/LC_MESSAGES/leaflets.po"
    po.write_text(po.read_text(encoding="utf-8").replace("Cảnh giác (rad)", "Cảnh giác! (rad)"), encoding="utf-8")
    report = build(project_root)
    assert report.rendered == ["lua-dao-poster.rad"]


def test_a_changed_layout_rebuilds_the_leaflets_on_it(project_root):
    build(project_root)
    from mobcontent.pipeline.layout import PACKAGE_LAYOUTS
    shutil.copytree(PACKAGE_LAYOUTS / "a4-poster", project_root / "layouts" / "a4-poster")
    css = project_root / "layouts" / "a4-poster" / "layout.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.title { letter-spacing: .01em; }\n", encoding="utf-8")
    report = build(project_root)
    assert sorted(report.rendered) == ["lua-dao-poster.rad", "lua-dao-poster.vi"]


def test_a_changed_message_rebuilds_the_leaflets_that_carry_it(project_root):
    build(project_root)
    message = project_root / "content/messages/lua-dao.md"
    message.write_text(message.read_text(encoding="utf-8").replace("cho ai", "cho bất kỳ ai"), encoding="utf-8")
    report = build(project_root)
    assert sorted(report.rendered) == ["bien-gioi.rad", "bien-gioi.vi", "lua-dao-poster.rad", "lua-dao-poster.vi"]


def test_removed_leaflet_disappears_from_build_and_manifest(project_root):
    build(project_root)
    assert (project_root / "build/chi-cot-moc/chi-cot-moc.vi.pdf").is_file()
    (project_root / "content/leaflets/chi-cot-moc.yaml").unlink()
    report = build(project_root)
    assert report.rendered == []
    assert not (project_root / "build/chi-cot-moc").exists()
    assert not any(o["leaflet"] == "chi-cot-moc" for o in manifest(project_root)["outputs"])


def test_partial_build_keeps_the_rest_of_the_manifest(project_root):
    build(project_root)
    report = build(project_root, locale="rad", incremental=False)
    assert sorted(report.rendered) == ["bien-gioi.rad", "lua-dao-poster.rad"]
    assert len(manifest(project_root)["outputs"]) == 10


def test_tampered_output_is_rendered_again(project_root):
    build(project_root)
    pdf = project_root / "build/bien-gioi/bien-gioi.vi.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"%tampered\n")
    assert build(project_root).rendered == ["bien-gioi.vi"]


def test_two_jobs_give_the_same_bytes_in_the_same_order(project_root, tmp_path):
    one = build(project_root, incremental=False)
    first = {o.path: o.sha256 for o in one.outputs}
    two = build(project_root, incremental=False, jobs=2)
    assert [r.name for r in two.results] == [r.name for r in one.results]
    assert {o.path: o.sha256 for o in two.outputs} == first


def test_a_job_that_runs_too_long_is_stopped(project_root):
    report = build(project_root, leaflets=("bien-gioi",), locale="vi", incremental=False, time_limit=0.001)
    assert [p.code for p in report.problems if p.severity == "error"] == ["build-timeout"]
    assert "took more than 0.001 s and was stopped" in report.problems[-1].message


def test_shards_make_the_whole(project_root, tmp_path):
    project = load_project(project_root)
    whole = [j.name for j in plan_jobs(project, OPTIONS)]
    parts = [[j.name for j in plan_jobs(project, BuildOptions(shard=(k, 2)))] for k in (1, 2)]
    assert sorted(parts[0] + parts[1]) == sorted(whole) and not set(parts[0]) & set(parts[1])
    assert all(shard_of(name, 2) == 1 for name in parts[0])
    runner = CliRunner()
    shard_dirs = []
    for k in (1, 2):
        copy = tmp_path / f"shard{k}"
        shutil.copytree(project_root, copy, ignore=shutil.ignore_patterns("build"))
        result = runner.invoke(main, ["-C", str(copy), "build", "--format", "pdf,html", "--shard", f"{k}/2"])
        assert result.exit_code == 0, result.output
        shard_dirs.append(copy)
    merged = tmp_path / "merged"
    shutil.copytree(project_root, merged, ignore=shutil.ignore_patterns("build"))
    for k, copy in enumerate(shard_dirs, 1):
        shutil.copytree(copy / "build", merged / "build", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("manifest.json", "index.html", ".cache"))
        shutil.copy(copy / "build/manifest.json", merged / f"m{k}.json")
    result = runner.invoke(main, ["-C", str(merged), "bundle", "--merge", str(merged / "m1.json"),
                                  "--merge", str(merged / "m2.json")])
    assert result.exit_code == 0, result.output
    build(project_root, incremental=False)
    assert {o["path"]: o["sha256"] for o in manifest(merged)["outputs"]} == \
        {o["path"]: o["sha256"] for o in manifest(project_root)["outputs"]}
    again = runner.invoke(main, ["-C", str(merged), "bundle", "--merge", str(merged / "m1.json"),
                                 "--merge", str(merged / "m1.json")])
    assert again.exit_code == 1 and "built by both" in again.stderr and "no shard built it" in again.stderr


def test_bundles_are_deterministic_and_refuse_tampering(project_root):
    runner = CliRunner()
    assert runner.invoke(main, ["-C", str(project_root), "build", "--format", "pdf,html"]).exit_code == 0
    zip_path = project_root / "build/bundles/all.zip"
    assert runner.invoke(main, ["-C", str(project_root), "bundle"]).exit_code == 0
    first = zip_path.read_bytes()
    assert runner.invoke(main, ["-C", str(project_root), "bundle"]).exit_code == 0
    assert zip_path.read_bytes() == first
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        assert names == sorted(names) and "manifest.json" in names
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert json.loads(archive.read("manifest.json"))["release"] is False
    refused = runner.invoke(main, ["-C", str(project_root), "bundle", "--release"])
    assert refused.exit_code == 1 and "draft build" in refused.stderr
    pdf = project_root / "build/bien-gioi/bien-gioi.vi.pdf"
    pdf.write_bytes(pdf.read_bytes()[:-10])
    tampered = runner.invoke(main, ["-C", str(project_root), "bundle"])
    assert tampered.exit_code == 1
    assert "bien-gioi/bien-gioi.vi.pdf: differs from the manifest" in tampered.stderr
    assert zip_path.read_bytes() == first  # the old bundle stays as it was


def test_release_report_as_json(project_root):
    result = CliRunner().invoke(main, ["-C", str(project_root), "build", "--release", "--json", "--format", "pdf"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    status = {job["name"]: job["status"] for job in report["jobs"]}
    assert status["bien-gioi.vi"] == "ok" and status["bien-gioi.rad"] == "refused"
    codes = {p["code"] for job in report["jobs"] if job["name"] == "bien-gioi.rad" for p in job["problems"]}
    assert "release-refused" in codes and len(codes) >= 2
    assert report["counts"]["refused"] == 2 and report["release"] is True  # the two rad editions


def test_killed_build_leaves_outputs_and_manifest_consistent(project_root):
    build(project_root)
    message = project_root / "content/messages/cot-moc.md"
    message.write_text(message.read_text(encoding="utf-8").replace("tài sản chung", "tài sản quý"), encoding="utf-8")
    env = {**os.environ, "CI": "true"}
    process = subprocess.Popen([sys.executable, "-m", "mobcontent", "-C", str(project_root), "build", "-j", "1",
                                "--format", "pdf,html"], stderr=subprocess.PIPE, text=True, env=env)
    line = process.stderr.readline()  # the first job is done: kill in the middle of the build
    assert line.startswith("[1/"), line
    process.send_signal(signal.SIGKILL)
    process.wait()
    for output in manifest(project_root)["outputs"]:
        blob = (project_root / "build" / output["path"]).read_bytes()
        assert hashlib.sha256(blob).hexdigest() == output["sha256"], output["path"]
    report = build(project_root)
    assert report.failed == 0 and "bien-gioi.vi" in report.rendered
    assert not (project_root / "build/.staging").exists()
