"""A loaded project is remembered between commands (:mod:`mobcontent.content.remembered`):
read back only for the very same project state, never stale, never trusted blindly."""
from __future__ import annotations

import os
import pickle

import pytest

from mobcontent.app.language import set_language
from mobcontent.base.errors import ProjectError
from mobcontent.checks.runner import run_checks
from mobcontent.content import load as _load
from mobcontent.content import remembered as _remembered
from mobcontent.content.load import load_project
from mobcontent.pipeline import translate as _translate
from mobcontent.pipeline.catalogs import read_kept_catalogs
from mobcontent.pipeline.translate import read_catalog

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


# --------------------------------------------------------------------------- kept catalogs

def _fresh_catalogs(monkeypatch) -> list:
    """This process forgets the catalogs it built; every catalog built from now on is listed."""
    built = []
    real = _translate._built_catalog
    monkeypatch.setattr(_translate, "BUILT", {})
    monkeypatch.setattr(_translate, "NEW", set())

    def build(data, rel, *args):
        built.append(rel)
        return real(data, rel, *args)

    monkeypatch.setattr(_translate, "_built_catalog", build)
    return built


def test_catalogs_are_kept_by_the_checks_and_read_back_only_for_the_same_bytes(make_project, cache, monkeypatch):
    """``check`` keeps the catalogs it built; a later process reads them back instead of
    building them, and builds again only the file whose bytes changed."""
    rel = "locales/rad/LC_MESSAGES/messages/lua-dao.po"
    root = make_project({"content/messages/lua-dao.md": MESSAGE.format(title="Cảnh giác lừa đảo"),
                         rel: rad_po_with("Iêu")})
    built = _fresh_catalogs(monkeypatch)
    run_checks(load_project(root))
    assert rel in built
    assert [p.name for p in (cache.parent / "catalogs").glob("*.pickle")] != []
    expected = read_catalog(root / rel, rel, "rad")

    built = _fresh_catalogs(monkeypatch)  # a new process, as far as catalogs go
    assert read_kept_catalogs(root) >= 1
    assert read_catalog(root / rel, rel, "rad") == expected and built == []
    assert [t.text for t in expected.values()] == ["Iêu **113**."]

    (root / rel).write_text(rad_po_with("Ƀuôn"), encoding="utf-8")  # new bytes
    changed = read_catalog(root / rel, rel, "rad")
    assert built == [rel] and [t.text for t in changed.values()] == ["Ƀuôn **113**."]
    read_catalog(root / rel, rel, "cmo")  # the same bytes read for another locale: another catalog
    assert built == [rel, rel]


def test_a_damaged_planted_or_foreign_catalog_file_is_never_used(make_project, cache, monkeypatch, tmp_path):
    rel = "locales/rad/LC_MESSAGES/messages/lua-dao.po"
    root = make_project({"content/messages/lua-dao.md": MESSAGE.format(title="Cảnh giác lừa đảo"),
                         rel: rad_po_with("Iêu")})
    _fresh_catalogs(monkeypatch)
    run_checks(load_project(root))
    [kept] = (cache.parent / "catalogs").glob("*.pickle")
    good = pickle.loads(kept.read_bytes())
    marker = tmp_path / "ran"

    class Planted:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    [key] = [k for k in good["catalogs"] if k[1] == rel]
    entry_key, entry = good["catalogs"][key][0]
    wrong_type = {**good, "catalogs": {key: ((entry_key, entry.__class__(1, False, rel, 1)),)}}
    wrong_key = {**good, "catalogs": {key[:4]: good["catalogs"][key]}}
    for damaged in (b"", b"not a pickle", pickle.dumps(Planted()), pickle.dumps({**good, "catalogs": Planted()}),
                    pickle.dumps({**good, "code": "mobcontent 0.0.1 other"}), pickle.dumps({**good, "format": 0}),
                    pickle.dumps(wrong_type), pickle.dumps(wrong_key), kept.read_bytes()[:-9]):
        kept.write_bytes(damaged)
        built = _fresh_catalogs(monkeypatch)
        assert read_kept_catalogs(root) == 0
        assert [t.text for t in read_catalog(root / rel, rel, "rad").values()] == ["Iêu **113**."]
        assert built == [rel] and not marker.exists()
