"""``mobcontent serve`` in a real headless Chromium: reload after an edit, the name
choosers and the default audience, the page view, the side-by-side view, an error
with its source line and recovery after the fix, one broken file among good ones.

The server runs as a subprocess (``mobcontent serve --port 0``, the port read from
its first line) under ``LANG=vi_VN.UTF-8``. Chromium is Debian's
(``apt-get install chromium``; ``.ci/system-deps`` installs it), driven by the
``playwright`` package's driver; without them the browser tests skip, with the
reason shown in the summary. Every wait is on a page condition (Playwright's
``expect`` with generous timeouts), never a sleep.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from mobcontent.app.serve import resolve, snapshot

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SLOW = 180_000  # ms: the first build prepares the fonts
QUICK = 30_000  # ms: an edit shows well within a second on an idle machine; shared CI machines are slower
PO_HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: rad\\n"\n'
             '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n')
PO = PO_HEADER + ('msgid "Bảo vệ cột mốc"\nmsgstr "Mgang kơ cột mốc"\n\n'
                  '#, fuzzy, python-brace-format\nmsgid "Cột mốc của {village}"\nmsgstr "Cột mốc {village}"\n')
LEAFLET = ("title: Biên giới bình yên\naudience: {ethnic: ede, religion: protestant, zone: krong-na}\n"
           "locales: [vi, rad]\nlayout: a5-flyer\nmessages: [cot-moc, lua-dao]\ndate: 2026-11-01\n")


@pytest.fixture
def server(make_project, shared_kit, tmp_path):
    """``mobcontent serve`` on a free loopback port, in a subprocess, for the base project."""
    root = make_project({"content/leaflets/bien-gioi.yaml": LEAFLET,
                         "locales/rad/LC_MESSAGES/messages/cot-moc.po": PO,
                         "content/leaflets/chi-lua-dao.yaml": LEAFLET.replace("cot-moc, lua-dao", "lua-dao")
                         .replace("locales: [vi, rad]", "locales: [vi]")})
    env = {**os.environ, "LANG": "vi_VN.UTF-8", "MOBCONTENT_FONT_CACHE": str(shared_kit)}
    process = subprocess.Popen([sys.executable, "-m", "mobcontent", "-C", str(root), "serve", "--port", "0"],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    try:
        first = process.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        assert match, f"the server did not start: {first}{process.stderr.read() if process.poll() else ''}"
        yield root, f"http://127.0.0.1:{match.group(1)}"
    finally:
        process.terminate()
        process.wait(30)


@pytest.fixture
def browser(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("no /usr/bin/chromium on this machine (apt-get install -y chromium) — browser tests not run")
    api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, args=ARGS, headless=True)
        context.set_default_navigation_timeout(SLOW)  # the first page may wait for the first build's fonts
        yield context
        context.close()


@pytest.fixture
def expect():
    return pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_snapshot_sees_edits_and_ignores_hidden_files(make_project):
    root = make_project()
    before = snapshot(root)
    assert "content/messages/cot-moc.md" in before and "mobcontent.yaml" in before
    (root / "content" / ".swap").write_text("x")
    assert snapshot(root) == before
    (root / "content" / "messages" / "cot-moc.md").write_text("changed", encoding="utf-8")
    assert snapshot(root) != before


def test_routes():
    assert resolve("/edition/bien-gioi.vi").handler == "edition"
    assert resolve("/side/bien-gioi.rad").arg == "bien-gioi.rad"
    assert resolve("/nothing") is None


def test_only_build_files_are_served(server):
    root, url = server
    (root / "secret.txt").write_text("do not serve")
    for path in ("/build/../secret.txt", "/build/%2e%2e/secret.txt", "/build/../mobcontent.yaml",
                 "/fonts/x/../../mobcontent.yaml"):
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(url + path)
        assert info.value.code == 404


def test_reload_after_an_edit(server, browser, expect):
    root, url = server
    page = browser.new_page()
    page.goto(url + "/edition/bien-gioi.vi")
    live = page.frame_locator("iframe.live").locator("body")
    expect(live).to_contain_text("Mỗi cột mốc là tài sản chung", timeout=SLOW)
    edit(root / "content" / "messages" / "cot-moc.md", "Mỗi cột mốc là tài sản chung", "Cột mốc là niềm tự hào")
    expect(page.frame_locator("iframe.live").locator("body")).to_contain_text("Cột mốc là niềm tự hào",
                                                                               timeout=QUICK)
    expect(page.locator(".pages img").first).to_be_visible(timeout=SLOW)  # then the PDF and PNG pages


def test_name_choosers_and_default_audience(server, browser, expect):
    _root, url = server
    page = browser.new_page()
    page.goto(url + "/message?slug=cot-moc")
    religion = page.locator("fieldset", has_text="Tin Lành")
    expect(religion.locator("label", has_text="Tin Lành").locator("small")).to_have_text("protestant")
    expect(page.locator("fieldset", has_text="Krông Na")).to_contain_text("xã Krông Na")
    # the first leaflet that uses the message: Ê Đê, Tin Lành, xã Krông Na — every word filled
    expect(page.locator("input[name=ethnic][value=ede]")).to_be_checked()
    expect(page.locator("input[name=religion][value=protestant]")).to_be_checked()
    expect(page.locator("article")).to_contain_text("Cột mốc của buôn")
    expect(page.locator("body")).not_to_contain_text("variable-unknown")
    page.locator("label", has_text="M’nông").click()
    expect(page.locator("article")).to_contain_text("Cột mốc của bon", timeout=QUICK)


def test_page_view(server, browser, expect):
    _root, url = server
    page = browser.new_page()
    page.goto(url + "/")
    page.locator("#edition-bien-gioi\\.rad a").first.click(timeout=SLOW)
    expect(page).to_have_url(re.compile(r"/edition/bien-gioi\.rad$"))
    expect(page.locator(".state")).to_have_text("bản nháp: chưa được phát", timeout=SLOW)
    expect(page.locator(".reasons")).to_contain_text("chưa có bản dịch")
    expect(page.locator("body")).to_contain_text(re.compile(r"cỡ chữ \d+(\.\d)? pt"))
    expect(page.locator("a[href$='bien-gioi.rad.pdf']")).to_be_visible()
    image = page.locator(".pages img").first
    expect(image).to_be_visible(timeout=SLOW)
    before = image.bounding_box()["width"]
    page.get_by_role("button", name="+").click()
    page.wait_for_function(f"document.querySelector('.pages img').getBoundingClientRect().width > {before}")


def test_side_by_side(server, browser, expect):
    _root, url = server
    page = browser.new_page()
    page.goto(url + "/side/bien-gioi.rad")
    rows = page.locator("table.side tr")
    title = rows.filter(has_text="Bảo vệ cột mốc")
    expect(title).to_contain_text("Mgang kơ cột mốc")
    expect(title).to_contain_text("đã dịch")
    expect(title).to_contain_text("locales/rad/LC_MESSAGES/messages/cot-moc.po:8")  # the msgstr line
    expect(rows.filter(has_text="Cột mốc của {village}")).to_contain_text("cần xem lại")
    expect(rows.filter(has_text="Báo ngay cho")).to_contain_text("chưa dịch")


def test_error_with_a_snippet_and_recovery(server, browser, expect):
    root, url = server
    page = browser.new_page()
    page.goto(url + "/edition/chi-lua-dao.vi")
    expect(page.frame_locator("iframe.live").locator("body")).to_contain_text("Không đọc mã OTP", timeout=SLOW)
    message = root / "content" / "messages" / "cot-moc.md"
    good = message.read_text(encoding="utf-8")
    message.write_text(good.replace("audience:\n  ethnic:", "audience:\n\tethnic:"), encoding="utf-8")
    problems = page.locator("#problems")
    expect(problems).to_contain_text("content/messages/cot-moc.md:4", timeout=QUICK)
    expect(problems).to_contain_text("dùng dấu cách, không dùng phím Tab")
    expect(problems.locator(".src mark").first).to_be_attached()
    font = problems.locator(".src").first.evaluate("node => getComputedStyle(node).fontFamily")
    assert "mono" not in font.lower()
    # one broken message fails only what uses it: this edition still shows
    expect(page.frame_locator("iframe.live").locator("body")).to_contain_text("Không đọc mã OTP")
    message.write_text(good, encoding="utf-8")
    expect(page.locator("#problems")).to_have_count(0, timeout=QUICK)
