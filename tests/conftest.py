"""Shared fixtures: tiny projects made in ``tmp_path`` from a dict of files."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

BASE_FILES = {
    "mobcontent.yaml": "name: Test\nlocales: [vi, rad]\nissuer: Ban tuyên truyền xã\n",
    "content/audiences.yaml": """\
ethnic:
  ede:
    name: Ê Đê
    locales: [rad, vi]
    terms: {village: buôn, greeting: Kính gửi bà con buôn làng}
  mnong:
    name: M’nông
    locales: [cmo, vi]
    terms: {village: bon, greeting: Kính gửi bà con bon làng}
religion:
  none: {name: Không theo tôn giáo}
  protestant: {name: Tin Lành, terms: {day_of_worship: Chủ nhật}}
zone:
  krong-na: {name: xã Krông Na, province: Đắk Lắk, border: "true", border_post: Đồn Biên phòng Sê-rê-pốk, hotline: "113"}
  ea-kiet: {name: xã Ea Kiết, province: Đắk Lắk, border: "false", hotline: "113"}
zone_groups:
  border: [krong-na]
""",
    "content/messages/cot-moc.md": """\
---
title: Bảo vệ cột mốc
audience:
  ethnic: [ede, mnong]
  zone: [border]
topics: [border]
status: approved
---
# Cột mốc của {village}

Mỗi cột mốc là tài sản chung. Báo ngay cho {border_post}.

::: only religion=protestant
Họp vào thứ Bảy, không trùng ngày {day_of_worship}.
:::
""",
    "content/messages/lua-dao.md": """\
---
title: Cảnh giác lừa đảo
topics: [scam]
status: approved
---
Không đọc mã OTP cho ai. Gọi **113** khi nghi ngờ.
""",
    "content/leaflets/bien-gioi.yaml": """\
title: Biên giới bình yên
audience: {ethnic: ede, religion: protestant, zone: krong-na}
locales: [vi]
layout: a5-flyer
messages: [cot-moc, lua-dao]
date: 2026-11-01
""",
    "locales/rad/locale.yaml": "name: Ede\nnative_name: Klei Êđê\nplural_forms: \"nplurals=1; plural=0;\"\n"
                               "letters: [a, ƀ, č, ê̆]\n",
}


def write_files(root: Path, files: dict) -> Path:
    """Write ``{relative path: text or bytes or None}``; ``None`` deletes the file."""
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def english_interface(monkeypatch):
    """Every test starts in English with no language in the environment (the tests
    assert English messages), and leaves the language as it found it."""
    from mobcontent.app.language import set_language
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "MOBCONTENT_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    set_language("en")
    yield
    set_language("en")


@pytest.fixture(scope="session")
def user_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("user-cache")


@pytest.fixture(autouse=True)
def private_cache(user_cache, monkeypatch):
    """Caches (font kit, msgfmt answers) go to a session folder, never the user's own."""
    monkeypatch.setenv("MOBCONTENT_CACHE", str(user_cache))


@pytest.fixture
def make_project(tmp_path):
    """``make_project({...})``: the base project with some files replaced or removed.

    Its messages marked ``status: approved`` are approved as written (a record each in
    ``content/approvals.yaml``, as ``mobcontent approve`` makes), unless the files give
    ``content/approvals.yaml`` themselves or ``approve=False``."""
    def make(files: dict | None = None, base: bool = True, approve: bool = True) -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        write_files(root, {**(BASE_FILES if base else {}), **(files or {})})
        if approve and "content/approvals.yaml" not in (files or {}):
            approve_as_written(root)
        return root
    return make


def approve_as_written(root: Path, locales=()) -> None:
    """Record an approval of every ``status: approved`` message of a loadable project and,
    for each of ``locales``, a review of every message whose entries are all translated
    (the tests' pseudo-translations stand for reviewed ones)."""
    from mobcontent.base.errors import ProjectError
    from mobcontent.checks.approvals import approve_translations, message_entries
    from mobcontent.content.approvals import approve_messages
    from mobcontent.content.load import load_project
    try:
        project = load_project(root)
    except ProjectError:
        return  # a broken project: the test is about that
    slugs = [slug for slug, message in project.messages.items() if message.status == "approved"]
    if slugs:
        approve_messages(project, slugs, "Test fixture", "2026-01-01")
    for locale in locales:
        done = [slug for slug, message in project.messages.items()
                if all(e.state == "translated" for e in message_entries(project, message, locale))]
        if done:
            approve_translations(load_project(root), locale, done, "Test fixture", "2026-01-01")


@pytest.fixture(scope="session")
def font_cache(tmp_path_factory):
    """One font-kit cache for the whole session: instancing the fonts is slow."""
    return tmp_path_factory.mktemp("fonts")


@pytest.fixture(autouse=True)
def session_font_cache(request, monkeypatch):
    """Every test shares the session's font kit unless it sets its own: `check` lays the
    leaflets out too, and a fresh kit costs half a minute."""
    if "MOBCONTENT_FONT_CACHE" not in os.environ:
        monkeypatch.setenv("MOBCONTENT_FONT_CACHE", str(request.getfixturevalue("font_cache")))


@pytest.fixture
def shared_kit(font_cache, monkeypatch):
    """Point builds at the session's font-kit cache."""
    monkeypatch.setenv("MOBCONTENT_FONT_CACHE", str(font_cache))
    return font_cache
