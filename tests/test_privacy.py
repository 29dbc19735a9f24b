"""``personal-number``: private phone numbers, e-mail addresses and ID-card-like numbers
are a warning in a draft and an error in a release, at their line; public ones pass."""
from __future__ import annotations

import json

from click.testing import CliRunner

from mobcontent.app.cli import main

MESSAGE = """\
---
title: Cảnh giác lừa đảo
topics: [scam]
status: approved
---
Không đọc mã OTP cho ai. Gọi **113** hoặc 1022 khi nghi ngờ.

Liên hệ anh Ba: 0912 345 678, thư ba.nguyen@gmail.com, CCCD 001203004567.

Phòng tiếp dân: 0262.3852.123.
"""


def run(root, *args):
    return CliRunner().invoke(main, ["-C", str(root), *args], prog_name="mobcontent")


def test_private_numbers_are_warnings_at_their_line(make_project):
    root = make_project({"content/messages/lua-dao.md": MESSAGE})
    result = run(root, "check", "--json")
    found = [(p["line"], p["severity"], p["message"]) for p in json.loads(result.stdout)["problems"]
             if p["code"] == "personal-number"]
    assert found == sorted([
        (8, "warning", "the e-mail address ba.nguyen@gmail.com is not a public address"),
        (8, "warning", "the phone number 0912 345 678 is not a public number"),
        (8, "warning", "001203004567 looks like an identity card number"),
        (10, "warning", "the phone number 0262.3852.123 is not a public number"),
    ])


def test_public_contacts_in_the_settings_pass(make_project):
    root = make_project({"content/messages/lua-dao.md": MESSAGE.replace(
        "Liên hệ anh Ba: 0912 345 678, thư ba.nguyen@gmail.com, CCCD 001203004567.\n", ""),
        "mobcontent.yaml": "name: Test\nlocales: [vi, rad]\npublic_contacts: ['0262 3852 123']\n"})
    result = run(root, "check", "--json")
    assert not [p for p in json.loads(result.stdout)["problems"] if p["code"] == "personal-number"]


def test_draft_warns_and_release_refuses(make_project, shared_kit):
    root = make_project({"content/messages/lua-dao.md": MESSAGE})
    draft = run(root, "build", "--format", "html")
    assert draft.exit_code == 0, draft.output
    assert "content/messages/lua-dao.md:8: warning: personal-number:" in draft.output
    release = run(root, "build", "--release", "--format", "html")
    assert release.exit_code == 1
    assert "content/messages/lua-dao.md:8: error: personal-number:" in release.output
