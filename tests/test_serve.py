"""``mobcontent serve`` in a real headless Chromium: listing, live reload, errors on the page.

Needs Debian's ``chromium`` and the ``playwright`` Python package (its driver only:
the browser download is blocked here, so Chromium comes from the system). Without
them the browser tests skip, with the reason shown in the test summary.
"""
from __future__ import annotations

import shutil
import threading
import urllib.request

import pytest

from mobcontent.app.serve import snapshot

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture
def server(make_project, shared_kit):
    """A preview server on a free loopback port, for the base test project."""
    from mobcontent.app.serve import serve
    root = make_project()
    started = threading.Event()
    holder = {}

    def ready(srv):
        holder["server"] = srv
        started.set()

    thread = threading.Thread(target=serve, args=(root, "127.0.0.1", 0),
                              kwargs={"log": lambda line: None, "ready": ready, "formats": ("pdf", "html")},
                              daemon=True)
    thread.start()
    assert started.wait(60)
    yield root, f"http://127.0.0.1:{holder['server'].server_address[1]}"
    holder["server"].shutdown()


@pytest.fixture
def browser():
    if not CHROMIUM:
        pytest.skip("no chromium on this machine (apt-get install chromium) — browser tests not run")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def test_snapshot_sees_edits_and_ignores_hidden_files(make_project):
    root = make_project()
    before = snapshot(root)
    assert "content/messages/cot-moc.md" in before and "mobcontent.yaml" in before
    (root / "content" / ".swap").write_text("x")
    assert snapshot(root) == before
    (root / "content" / "messages" / "cot-moc.md").write_text("changed", encoding="utf-8")
    assert snapshot(root) != before


def test_only_build_files_are_served(server):
    root, url = server
    (root / "secret.txt").write_text("do not serve")
    for path in ("/build/../secret.txt", "/build/%2e%2e/secret.txt", "/build/../mobcontent.yaml"):
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(url + path)
        assert info.value.code == 404
    assert urllib.request.urlopen(url + "/build/manifest.json").status == 200


def test_index_lists_leaflets_and_reloads_on_edit(server, browser):
    root, url = server
    page = browser.new_page()
    page.goto(url + "/")
    assert "bien-gioi" in page.inner_text("#leaflet-bien-gioi")
    assert "Biên giới bình yên" in page.inner_text("body")
    page.goto(url + "/build/bien-gioi/bien-gioi.vi.html")
    assert "Mỗi cột mốc là tài sản chung" in page.inner_text("body")
    message = root / "content" / "messages" / "cot-moc.md"
    message.write_text(message.read_text(encoding="utf-8").replace(
        "Mỗi cột mốc là tài sản chung", "Cột mốc là niềm tự hào của buôn"), encoding="utf-8")
    page.wait_for_function("document.body.innerText.includes('Cột mốc là niềm tự hào của buôn')", timeout=20000)


def test_errors_appear_on_the_page_with_file_and_line(server, browser):
    root, url = server
    page = browser.new_page()
    page.goto(url + "/")
    leaflet = root / "content" / "leaflets" / "bien-gioi.yaml"
    leaflet.write_text(leaflet.read_text(encoding="utf-8") + "layout: a5-flyer\n", encoding="utf-8")
    # the panel may already list the first build's warnings (the tiny leaflet under-fills its page)
    page.wait_for_function("(document.querySelector('#problems') || {innerText: ''}).innerText"
                           ".includes('yaml-duplicate-key')", timeout=20000)
    assert ("content/leaflets/bien-gioi.yaml:7: error: yaml-duplicate-key: duplicate key 'layout' "
            "(first at line 4)") in page.inner_text("#problems")


def test_message_view_shows_adaptation_and_reloads(server, browser):
    root, url = server
    page = browser.new_page()
    page.goto(url + "/message?slug=cot-moc&ethnic=mnong&religion=none&zone=krong-na&locale=vi")
    text = page.inner_text("body")
    assert "Cột mốc của bon" in text
    assert "bon" in page.locator("mark.var").all_inner_texts()  # the filled {village}, highlighted
    assert "Dropped blocks" in text and "Họp vào thứ Bảy" in text  # the protestant-only block, listed
    message = root / "content" / "messages" / "cot-moc.md"
    message.write_text(message.read_text(encoding="utf-8").replace("tài sản chung", "tài sản quý"),
                       encoding="utf-8")
    page.wait_for_function("document.body.innerText.includes('tài sản quý')", timeout=20000)
