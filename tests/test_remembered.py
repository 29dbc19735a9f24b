"""A loaded project is remembered between commands (:mod:`mobcontent.content.remembered`):
read back only for the very same project state, never stale, never trusted blindly."""
from __future__ import annotations

import os
import pickle

import pytest

from mobcontent.app.language import set_language
from mobcontent.base.errors import ProjectError
from mobcontent.content import load as _load
from mobcontent.content import remembered as _remembered
from mobcontent.content.load import load_project

MESSAGE = "---\ntitle: {title}\ntopics: [scam]\nstatus: draft\n---\nGọi **113** khi nghi ngờ.\n"


def rad_po_with(text: str) -> str:
    return ('msgid ""\nmsgstr ""\n"Language: rad\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            f'#, fuzzy\nmsgid "Gọi **113** khi nghi ngờ."\nmsgstr "{text} **113**."\n')


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("MOBCONTENT_CACHE", str(folder))
    return folder / "projects"


def counting_loads(monkeypatch) -> list:
    """Every real load is listed (a project read back from the cache is not)."""
    loads = []
    real = _load._load_project

    def load(root, keep_going):
        loads.append(keep_going)
        return real(root, keep_going)

    monkeypatch.setattr(_load, "_load_project", load)
    return loads


def test_a_project_is_read_back_as_it_was_loaded_and_loaded_again_once_changed(make_project, cache, monkeypatch):
    root = make_project({"content/messages/lua-dao.md": MESSAGE.format(title="Cảnh giác lừa đảo")})
    made = set(cache.glob("*.pickle"))  # by the fixture: it loads the project to record approvals
    loads = counting_loads(monkeypatch)
    first = load_project(root)
    again = load_project(root)
    assert loads == [False] and again == first and again is not first
    assert len(set(cache.glob("*.pickle")) - made) == 1
    (root / "build").mkdir()
    (root / "build" / "manifest.json").write_text("{}", encoding="utf-8")  # the build's own: not an input
    (root / ".mobcontent.lock").write_text("", encoding="utf-8")
    assert load_project(root) == first and loads == [False]
    (root / "content/messages/lua-dao.md").write_text(MESSAGE.format(title="Cảnh giác lừa đảo qua mạng"),
                                                       encoding="utf-8")
    changed = load_project(root)
    assert changed.messages["lua-dao"].title == "Cảnh giác lừa đảo qua mạng" and loads == [False, False]
    (root / "content/notes.txt").write_text("a file no loader reads still makes a new state", encoding="utf-8")
    assert load_project(root) == changed and loads == [False, False, False]


def test_a_link_out_of_the_project_is_refused_after_a_remembered_load(make_project, cache, tmp_path):
    root = make_project({"content/messages/lua-dao.md": MESSAGE.format(title="Cảnh giác lừa đảo")})
    load_project(root)
    secret = tmp_path / "secret.md"
    secret.write_text(MESSAGE.format(title="Bí mật"), encoding="utf-8")
    os.symlink(secret, root / "content/messages/bi-mat.md")
    with pytest.raises(ProjectError) as refused:
        load_project(root)
    assert "path-outside-project" in {p.code for p in refused.value.problems}


def test_a_broken_project_is_never_remembered_and_keep_going_is_its_own_state(make_project, cache, monkeypatch):
    root = make_project({"content/messages/hong.md": "---\ntitle: [không đóng\n---\nx\n"}, approve=False)
    loads = counting_loads(monkeypatch)
    for _ in range(2):
        with pytest.raises(ProjectError):
            load_project(root)
    assert loads == [False, False] and not list(cache.glob("*.pickle"))  # (the fixture's load failed too)
    partial = load_project(root, keep_going=True)
    assert "hong" not in partial.messages and partial.unloaded
    assert load_project(root, keep_going=True) == partial and loads == [False, False, True]
    with pytest.raises(ProjectError):
        load_project(root)


def test_the_messages_of_a_remembered_load_are_in_the_language_it_is_read_in(make_project, cache):
    root = make_project({"content/messages/hong.md": "---\ntitle: [không đóng\n---\nx\n"}, approve=False)
    english = load_project(root, keep_going=True).unloaded[0].message
    set_language("vi")
    try:
        vietnamese = load_project(root, keep_going=True).unloaded[0].message
    finally:
        set_language("en")
    assert english != vietnamese
    assert load_project(root, keep_going=True).unloaded[0].message == english


def test_a_damaged_or_planted_cache_file_is_never_used(make_project, cache, monkeypatch, tmp_path):
    root = make_project({"content/messages/lua-dao.md": MESSAGE.format(title="Cảnh giác lừa đảo")})
    fresh = load_project(root)
    [kept] = sorted(cache.glob("*.pickle"), key=lambda f: f.stat().st_mtime_ns)[-1:]
    loads = counting_loads(monkeypatch)
    marker = tmp_path / "ran"

    class Planted:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    other = fresh.__class__(**{**fresh.__dict__, "messages": {}})
    for damaged in (b"", b"not a pickle", pickle.dumps(Planted()), pickle.dumps({"root": fresh.root}),
                    pickle.dumps(other)[:-7]):
        kept.write_bytes(damaged)
        assert load_project(root) == fresh
        assert not marker.exists()
    assert len(loads) == 5
    kept.write_bytes(pickle.dumps(fresh.__class__(**{**fresh.__dict__, "root": tmp_path})))
    assert load_project(root) == fresh and len(loads) == 6  # a project kept for another folder is not this one


def test_a_project_that_changes_while_it_loads_is_not_remembered(make_project, cache, monkeypatch):
    root = make_project({"content/messages/lua-dao.md": MESSAGE.format(title="Cảnh giác lừa đảo")})
    made = set(cache.glob("*.pickle"))
    real = _load._load_project

    def load_then_edit(folder, keep_going):
        project = real(folder, keep_going)
        (folder / "content/messages/lua-dao.md").write_text(MESSAGE.format(title="Sửa trong lúc đọc"),
                                                            encoding="utf-8")
        return project

    monkeypatch.setattr(_load, "_load_project", load_then_edit)
    assert load_project(root).messages["lua-dao"].title == "Cảnh giác lừa đảo"
    assert set(cache.glob("*.pickle")) == made
    monkeypatch.undo()
    monkeypatch.setenv("MOBCONTENT_CACHE", str(cache.parent))
    assert load_project(root).messages["lua-dao"].title == "Sửa trong lúc đọc"


def test_only_the_latest_project_states_are_kept(make_project, cache):
    root = make_project({})
    for state in range(_remembered.KEPT + 3):
        (root / "content/notes.txt").write_text(f"state {state}", encoding="utf-8")
        load_project(root)
    assert len(list(cache.glob("*.pickle"))) == _remembered.KEPT


def test_a_link_planted_where_the_key_does_not_look_is_still_refused(make_project, cache, tmp_path):
    """``build/`` and the lock are not part of a project's state, but what the loader refuses
    there (a link out of the project) is refused with a remembered project too."""
    root = make_project({})
    load_project(root)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    os.symlink(victim, root / ".mobcontent.lock")
    with pytest.raises(ProjectError) as refused:
        load_project(root)
    assert [(p.code, p.path) for p in refused.value.problems] == [("path-outside-project", ".mobcontent.lock")]
    assert victim.read_text(encoding="utf-8") == "keep"


def test_the_catalogs_characters_are_read_once_and_follow_every_change(make_project, cache, monkeypatch):
    """The font kit's character set reads every catalog once per state of the catalogs; a
    changed catalog gives its new letters."""
    from mobcontent.pipeline import fontkit as _fontkit
    root = make_project({"locales/rad/LC_MESSAGES/messages/lua-dao.po": rad_po_with("Ƀuôn")})
    assert "Ƀ" in _fontkit.project_characters(load_project(root))

    def no_reading(*args):
        raise AssertionError("a catalog was read again")

    monkeypatch.setattr(_fontkit, "read_at", no_reading)
    again = _fontkit.project_characters(load_project(root, keep_going=True))  # another project object
    assert "Ƀ" in again
    monkeypatch.undo()
    monkeypatch.setenv("MOBCONTENT_CACHE", str(cache.parent))
    (root / "locales/rad/LC_MESSAGES/messages/lua-dao.po").write_text(rad_po_with("Ŭ"), encoding="utf-8")
    changed = _fontkit.project_characters(load_project(root))
    assert "Ŭ" in changed and "Ƀ" not in changed
