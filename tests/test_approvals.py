"""Approvals bound to the exact text: ``approve``, ``approvals``, the approval checks as
draft reasons, ``show --since-approval`` and the manifest's traceability, through the CLI."""
from __future__ import annotations

import json

from conftest import BASE_FILES
from print_support import copy_demo, run, translate_all

from mobcontent.app.serve import PreviewState, index_html

EPOCH = {"SOURCE_DATE_EPOCH": "1764374400"}  # 2025-11-29
LEAFLET = BASE_FILES["content/leaflets/bien-gioi.yaml"]
RAD_LEAFLET = LEAFLET.replace("locales: [vi]", "locales: [vi, rad]").replace("[cot-moc, lua-dao]", "[lua-dao]")
RAD_PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: rad\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

#: content/messages/lua-dao.md:2
msgid "Cảnh giác lừa đảo"
msgstr "(rad) Cảnh giác lừa đảo"

#: content/messages/lua-dao.md:6
msgid "Không đọc mã OTP cho ai. Gọi **113** khi nghi ngờ."
msgstr "(rad) Không đọc mã OTP cho ai. Gọi **113** khi nghi ngờ."
"""
PO_PATH = "locales/rad/LC_MESSAGES/messages/lua-dao.po"


def manifest(root) -> dict:
    return json.loads((root / "build" / "manifest.json").read_text(encoding="utf-8"))


def editions(root, locale="vi") -> dict:
    return {o["leaflet"]: o for o in manifest(root)["outputs"] if o["format"] == "html" and o["locales"] == [locale]}


TYPOGRAPHY = {"heading-stranded", "runt", "value-split", "underfull-page"}  # a tiny test leaflet under-fills


def sign_off_problems(edition: dict) -> list[str]:
    """The codes of an edition's problems, leaving out the typographic report's warnings."""
    return [p["code"] for p in edition["problems"] if p["code"] not in TYPOGRAPHY]


def codes(result) -> list[str]:
    return [line for line in result.output.splitlines() if ": warning: " in line or ": error: " in line]


def test_approve_records_the_text_sets_the_status_and_makes_the_edition_ready(make_project, shared_kit):
    head = "---\r\ntitle: Cảnh giác lừa đảo\r\ntopics: [scam]\r\nstatus:   review   # draft | review | approved\r\n---\r\n"
    root = make_project({"content/messages/lua-dao.md": head + "Không đọc mã OTP cho ai. Gọi **113** khi nghi ngờ.\r\n"},
                        approve=False)
    before = run(root, "build", "--locale", "vi", "--format", "html")
    assert before.exit_code == 0, before.output
    assert editions(root)["bien-gioi"]["draft"]
    assert "content/messages/lua-dao.md:4: warning: not-approved: message 'lua-dao' is 'review'" in before.stderr
    assert "content/messages/cot-moc.md:7: warning: approval-unrecorded" in before.stderr

    result = run(root, "approve", "lua-dao", "cot-moc", "--by", "Ban Dân vận: xã", "--note", "họp ngày 28", env=EPOCH)
    assert result.exit_code == 0, result.output
    assert "lua-dao: approved by Ban Dân vận: xã on 2025-11-29 (sha256 " in result.output
    # every other byte of the front matter is kept: CRLF, spacing, the comment
    text = (root / "content/messages/lua-dao.md").read_bytes().decode("utf-8")
    assert text == head.replace("status:   review", "status:   approved") + \
        "Không đọc mã OTP cho ai. Gọi **113** khi nghi ngờ.\r\n"
    records = (root / "content/approvals.yaml").read_text(encoding="utf-8")
    assert '- message: lua-dao\n  sha256: ' in records and '  by: "Ban Dân vận: xã"\n  date: 2025-11-29\n' in records
    assert '  note: "họp ngày 28"\n  text: |-\n    title: Cảnh giác lừa đảo\n' in records

    after = run(root, "build", "--locale", "vi", "--format", "html")
    assert after.exit_code == 0, after.output
    edition = editions(root)["bien-gioi"]
    assert not edition["draft"] and sign_off_problems(edition) == []
    assert "BẢN NHÁP" not in (root / "build" / edition["path"]).read_text(encoding="utf-8")
    assert run(root, "build", "--locale", "vi", "--format", "html", "--release").exit_code == 0


def test_one_character_changed_voids_the_approval_until_approved_again(make_project, shared_kit):
    root = make_project()
    assert run(root, "check").exit_code == 0
    records = (root / "content/approvals.yaml").read_bytes()
    path = root / "content/messages/lua-dao.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Gọi **113**", "Gọi **114**"), encoding="utf-8")

    check = run(root, "check")
    assert check.exit_code == 0  # a warning for check; a draft reason for a build
    assert ("content/messages/lua-dao.md:4: warning: approval-stale: message 'lua-dao' changed since Test fixture "
            "approved it on 2026-01-01: '**113**' → '**114**' — see the changes: mobcontent show lua-dao "
            "--since-approval; then approve it again: mobcontent approve lua-dao --by \"…\"") in check.output
    diff = run(root, "show", "lua-dao", "--since-approval")
    assert diff.exit_code == 0
    assert "lua-dao: approved by Test fixture on 2026-01-01 (sha256 " in diff.output
    assert "Không đọc mã OTP cho ai. Gọi [-**113**-]{+**114**+} khi nghi ngờ." in diff.output

    draft = run(root, "build", "--locale", "vi", "--format", "html")
    assert draft.exit_code == 0
    edition = editions(root)["bien-gioi"]
    assert edition["draft"] and sign_off_problems(edition) == ["approval-stale"]
    refused = run(root, "build", "--locale", "vi", "--format", "html", "--release")
    assert refused.exit_code == 1
    assert "content/messages/lua-dao.md:4: error: approval-stale: message 'lua-dao' changed" in refused.stderr
    assert "release-refused: 'bien-gioi.vi' is not fit to print" in refused.stderr

    again = run(root, "approve", "lua-dao", "--by", "Chủ tịch UBND xã", "--date", "2026-02-03")
    assert again.exit_code == 0, again.output
    assert (root / "content/approvals.yaml").read_bytes().startswith(records)  # appended, never rewritten
    assert "The text has not changed since." in run(root, "show", "lua-dao", "--since-approval").output
    ready = run(root, "build", "--locale", "vi", "--format", "html", "--release")
    assert ready.exit_code == 0, ready.output
    assert not editions(root)["bien-gioi"]["draft"]


def test_status_approved_without_a_record_is_unrecorded_with_the_command_that_records_it(make_project, shared_kit):
    root = make_project(approve=False)
    result = run(root, "check", "--json")
    problems = [p for p in json.loads(result.output)["problems"] if p["code"] == "approval-unrecorded"]
    assert [(p["path"], p["line"], p["severity"]) for p in problems] == [
        ("content/messages/cot-moc.md", 7, "warning"), ("content/messages/lua-dao.md", 4, "warning")]
    assert problems[1]["message"] == ("message 'lua-dao' says 'status: approved', but content/approvals.yaml has "
                                      "no approval of its text")
    assert problems[1]["hint"] == "the person who approves it records it: mobcontent approve lua-dao --by \"…\""
    assert run(root, "check", "--strict").exit_code == 1
    refused = run(root, "build", "--release", "--format", "html")
    assert refused.exit_code == 1
    assert "content/messages/lua-dao.md:4: error: approval-unrecorded" in refused.stderr


def test_a_translation_review_is_refused_while_an_entry_is_fuzzy(make_project):
    fuzzy = RAD_PO.replace("#: content/messages/lua-dao.md:6\n", "#: content/messages/lua-dao.md:6\n#, fuzzy\n")
    root = make_project({"content/leaflets/bien-gioi.yaml": RAD_LEAFLET, PO_PATH: fuzzy})
    result = run(root, "approve", "--locale", "rad", "lua-dao", "--by", "Người dịch kiểm tra")
    assert result.exit_code == 1
    assert (f"{PO_PATH}:13: fuzzy: Không đọc mã OTP cho ai. Gọi **113** khi nghi ngờ.") in result.stderr
    assert "Nothing recorded: 1 entry(ies) in rad are fuzzy or not translated" in result.stderr
    assert not (root / "locales/rad/approvals.yaml").exists()
    assert run(root, "approve", "--locale", "vi", "lua-dao", "--by", "X").exit_code == 2  # the source is not a target


def test_a_reviewed_translation_edited_is_not_reviewed_on_that_entry_only(make_project):
    root = make_project({"content/leaflets/bien-gioi.yaml": RAD_LEAFLET, PO_PATH: RAD_PO})
    never = run(root, "check")
    assert (f"{PO_PATH}:8: warning: translation-not-reviewed: rad: the translation of message 'lua-dao' was "
            "never reviewed (2 entries)") in never.output
    result = run(root, "approve", "--locale", "rad", "lua-dao", "--by", "Người Ê Đê thạo tiếng", env=EPOCH)
    assert result.exit_code == 0, result.output
    assert "lua-dao [rad]: approved by Người Ê Đê thạo tiếng on 2025-11-29" in result.output
    review = (root / "locales/rad/approvals.yaml").read_text(encoding="utf-8")
    assert review.count("\n    - ") == 2 and "  entries:\n" in review
    assert [c for c in codes(run(root, "check")) if "translation-not-reviewed" in c] == []

    po = root / PO_PATH
    po.write_text(RAD_PO.replace('msgstr "(rad) Không', 'msgstr "(rad) Đừng'), encoding="utf-8")
    found = [c for c in codes(run(root, "check")) if "translation-not-reviewed" in c]
    assert found == [f"{PO_PATH}:12: warning: translation-not-reviewed: rad: 'Không đọc mã OTP cho ai. Gọi **113** "
                     "khi nghi ngờ.' changed since Người Ê Đê thạo tiếng reviewed message 'lua-dao' on 2025-11-29 — "
                     "a competent speaker checks the translation, then records it: mobcontent approve --locale rad "
                     "lua-dao --by \"…\""]
    report = json.loads(run(root, "approvals", "--json").output)
    rad = [item for m in report["messages"] if m["slug"] == "lua-dao" for item in m["locales"] if item["locale"] == "rad"]
    assert rad == [{"locale": "rad", "kind": "translation", "state": "changed", "required": True, "entries": 2,
                    "unreviewed": 1, "approvals": [{"what": "translation", "message": "lua-dao", "locale": "rad",
                                                    "by": "Người Ê Đê thạo tiếng", "date": "2025-11-29",
                                                    "sha256": rad[0]["approvals"][0]["sha256"]}]}]


def test_review_translations_lists_the_locales_that_need_a_review(make_project):
    config = BASE_FILES["mobcontent.yaml"] + "review_translations: []\n"
    root = make_project({"mobcontent.yaml": config, "content/leaflets/bien-gioi.yaml": RAD_LEAFLET, PO_PATH: RAD_PO})
    assert [c for c in codes(run(root, "check")) if "translation-not-reviewed" in c] == []
    root2 = make_project({"mobcontent.yaml": BASE_FILES["mobcontent.yaml"] + "review_translations: [vi]\n"})
    result = run(root2, "check")
    assert result.exit_code == 2
    assert "mobcontent.yaml:4: error: bad-value: review_translations: 'vi' is not a target locale" in result.stderr


def test_the_manifest_lists_the_approvals_each_output_rests_on(make_project, shared_kit):
    root = make_project({"content/leaflets/bien-gioi.yaml": RAD_LEAFLET.replace("[vi, rad]", "[vi, rad]\nbilingual: [rad, vi]")})
    translate_all(root, "rad", lambda text: f"(rad) {text}" if text else text, shared_kit)  # and reviews them
    result = run(root, "build", "--format", "html,pdf")
    assert result.exit_code == 0, result.output
    report = json.loads(run(root, "approvals", "--json").output)
    lua = next(m for m in report["messages"] if m["slug"] == "lua-dao")
    source = lua["locales"][0]["approvals"][0]
    review = lua["locales"][1]["approvals"][0]
    assert source == {"what": "message", "message": "lua-dao", "locale": "vi", "by": "Test fixture",
                      "date": "2026-01-01", "sha256": lua["locales"][0]["sha256"]}
    assert review["what"] == "translation" and review["locale"] == "rad" and len(review["sha256"]) == 64
    outputs = {(o["format"], "+".join(o["locales"])): o for o in manifest(root)["outputs"]}
    assert outputs[("pdf", "vi")]["approvals"] == [source]
    assert outputs[("html", "rad")]["approvals"] == [source, review]
    assert outputs[("pdf", "rad+vi")]["approvals"] == [source, review]
    assert not any(o["draft"] for o in outputs.values())
    sheet = (root / "build" / "index.html").read_text(encoding="utf-8")
    assert "bản dịch <b>lua-dao</b> [rad]: Test fixture, 2026-01-01" in sheet
    assert f'<code title="{source["sha256"]}">' in sheet
    page = index_html(root, PreviewState())  # the preview server's index shows them too
    assert "nội dung <b>lua-dao</b> [vi]: Test fixture, 2026-01-01" in page
    # a record for this leaflet's text changes its state: the build notices without --no-cache
    (root / "content/messages/lua-dao.md").write_text(
        BASE_FILES["content/messages/lua-dao.md"].replace("approved", "review"), encoding="utf-8")
    assert run(root, "build", "--format", "html,pdf").exit_code == 0
    assert editions(root)["bien-gioi"]["draft"] and editions(root)["bien-gioi"]["approvals"] == []
    assert run(root, "approve", "lua-dao", "--by", "Ban Dân vận").exit_code == 0
    assert run(root, "build", "--format", "html,pdf").exit_code == 0
    assert not editions(root)["bien-gioi"]["draft"]


def test_a_hand_edited_record_is_an_error_at_its_line(make_project):
    root = make_project()
    path = root / "content/approvals.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith("  sha256:")) + 1
    lines[number - 1] = "  sha256: 12345"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run(root, "check")
    assert result.exit_code == 2
    assert (f"content/approvals.yaml:{number}: error: approval-invalid: sha256: '12345' is not a sha256 "
            "(64 hexadecimal digits) — records are written by 'mobcontent approve' and never edited: restore the "
            "file from git (git checkout -- content/approvals.yaml), then approve again") in result.stderr
    # the text kept with a record must be the text its hash names
    root_text = path.read_text(encoding="utf-8").replace("  sha256: 12345", "  sha256: " + "0" * 64)
    path.write_text(root_text.replace("title: Bảo vệ cột mốc", "title: Bảo vệ cột mốc!"), encoding="utf-8")
    assert "error: approval-invalid: text: does not match the record's sha256" in run(root, "list").stderr
    path.write_text("- message: x\n  by: A\n  by: B\n", encoding="utf-8")
    result = run(root, "approvals")
    assert result.exit_code == 2
    assert "content/approvals.yaml:3: error: yaml-duplicate-key: duplicate key 'by' (first at line 2)" in result.stderr


def test_approvals_lists_every_message_and_locale(make_project):
    root = make_project({"content/messages/lua-dao.md": BASE_FILES["content/messages/lua-dao.md"].replace(
        "approved", "draft")})
    result = run(root, "approvals")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["MESSAGE", "LOCALE", "STATE", "DATE", "BY"]
    assert lines[1].split()[:3] == ["cot-moc", "vi", "approved"] and lines[1].endswith("2026-01-01  Test fixture")
    assert lines[2].split()[:4] == ["cot-moc", "rad", "translation", "incomplete"]
    assert lines[3].split()[:4] == ["lua-dao", "vi", "not", "approved"]


def test_approve_refuses_an_unknown_message_and_an_empty_role(make_project):
    root = make_project()
    result = run(root, "approve", "khong-co", "--by", "A")
    assert result.exit_code == 2 and "no message named khong-co" in result.stderr
    assert run(root, "approve", "lua-dao", "--by", "  ").exit_code == 2
    assert run(root, "approve", "lua-dao", "--by", "A", "--date", "29/11/2026").exit_code == 2


def test_the_demo_ships_approvals_of_its_vietnamese_messages_and_no_reviews(tmp_path):
    root = copy_demo(tmp_path / "demo")
    report = json.loads(run(root, "approvals", "--json").output)
    for message in report["messages"]:
        source, *translations = message["locales"]
        if message["status"] == "approved":
            assert source["state"] == "approved", message["slug"]
            assert {a["by"] for a in source["approvals"]} == {"Ban Dân vận (bản mẫu)"}
        assert all(t["approvals"] == [] for t in translations), message["slug"]
    assert not list(root.glob("locales/*/approvals.yaml"))
    problems = json.loads(run(root, "check", "--json").output)["problems"]
    assert [p for p in problems if p["code"] in ("not-approved", "approval-stale", "approval-unrecorded")] == []


def test_approve_keeps_a_bom_and_quotes_style_aside_every_byte(make_project):
    text = '\ufeff---\ntitle: Cảnh giác lừa đảo\nstatus: "review"  # chờ duyệt\ntopics: [scam]\n---\nGọi 113.\n'
    root = make_project({"content/messages/lua-dao.md": text}, approve=False)
    assert run(root, "approve", "lua-dao", "--by", "A", "--date", "2026-05-06").exit_code == 0
    assert (root / "content/messages/lua-dao.md").read_text(encoding="utf-8") == text.replace('"review"', "approved")
    again = run(root, "approve", "lua-dao", "--by", "A")
    assert again.exit_code == 0
    assert "lua-dao: this text already has an approval by the same person; nothing added" in again.output
