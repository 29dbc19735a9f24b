"""Edit-to-reload time of ``mobcontent serve`` for the edition on screen, in Chromium.

    .venv/bin/python benchmarks/bench_serve.py [--edits 7] [--write]

On a copy of the demo project it starts ``mobcontent serve`` (a subprocess), waits for
the first build, opens the page view of an edition whose message is used by the
most leaflets, then edits that message several times. Each time it measures, in the
browser, from the moment the file is written to the moment the edition's live HTML
shows the new text (watchfiles → Server-Sent Event → page reload → HTML rendered
from the project with the print layout and fonts). Target: median ≤ 1 s. With
``--write`` the result replaces the "Preview" section of docs/performance.md.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from mobcontent.content.audience import leaflet_messages  # noqa: E402
from mobcontent.content.load import load_project  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SECTION = "## Preview: edit to reload"


def busiest_message(root: Path) -> tuple[str, str, int]:
    """``(message slug, an edition showing it, how many leaflets use it)``."""
    project = load_project(root)
    users: dict[str, list[str]] = {}
    for slug, leaflet in project.leaflets.items():
        for message in leaflet_messages(project, leaflet):
            users.setdefault(message.slug, []).append(slug)
    message, leaflets = max(users.items(), key=lambda item: (len(item[1]), item[0]))
    leaflet = project.leaflets[leaflets[0]]
    return message, f"{leaflet.slug}.{leaflet.locales[0]}", len(leaflets)


def start_server(root: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "mobcontent", "-C", str(root), "serve", "--port", "0"],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                               env={**os.environ, "LANG": "vi_VN.UTF-8"})
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", process.stderr.readline())
    if not match:
        raise SystemExit("the preview server did not start")
    return process, f"http://127.0.0.1:{match.group(1)}"


def measure(url: str, path: Path, edition: str, edits: int) -> list[float]:
    """Seconds from each edit to the new text in the live HTML of ``edition``."""
    from playwright.sync_api import expect, sync_playwright
    times = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=ARGS,
                                                                headless=True)
        context.set_default_navigation_timeout(600_000)  # the first build prepares the font kit
        page = context.new_page()
        page.goto(f"{url}/edition/{edition}")
        page.wait_for_function("document.body && !document.body.classList.contains('updating')", timeout=600_000)
        original = path.read_text(encoding="utf-8")
        body = original.split("\n---\n", 1)
        for number in range(edits):
            marker = f"Lần sửa thử số {number + 1} của bản đo."
            start = time.perf_counter()
            path.write_text(f"{body[0]}\n---\n{marker}\n\n{body[1]}", encoding="utf-8")
            expect(page.frame_locator("iframe.live").locator("body")).to_contain_text(marker, timeout=60_000)
            times.append(time.perf_counter() - start)
            page.wait_for_function("!document.body.classList.contains('updating')", timeout=600_000)
        path.write_text(original, encoding="utf-8")
        context.close()
    return times


def report(times: list[float], message: str, edition: str, users: int) -> str:
    median = statistics.median(times)
    rows = ", ".join(f"{t:.2f}" for t in times)
    return (f"{SECTION}\n\n`benchmarks/bench_serve.py` on a copy of the demo project: the page view of "
            f"`{edition}` open in Chromium, message `{message}` (used by {users} leaflets) edited "
            f"{len(times)} times; each time from writing the file to the new text in the edition's live HTML "
            f"(watchfiles, Server-Sent Event, reload, HTML rendered with the print layout and fonts). "
            f"The PDF and PNG pages follow from the background build.\n\n"
            f"| measure | result | target |\n|---|---|---|\n"
            f"| edit to reload, median of {len(times)} | {median:.2f} s | ≤ 1 s |\n"
            f"| each edit (s) | {rows} | |\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "demo"
        root.mkdir()
        for name in ("mobcontent.yaml", "content", "locales", "layouts"):
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, root / name)
            elif source.is_file():
                shutil.copy2(source, root / name)
        message, edition, users = busiest_message(root)
        process, url = start_server(root)
        try:
            times = measure(url, root / "content" / "messages" / f"{message}.md", edition, args.edits)
        finally:
            process.terminate()
            process.wait(30)
    text = report(times, message, edition, users)
    print(text)
    if args.write:
        doc = REPO / "docs" / "performance.md"
        current = doc.read_text(encoding="utf-8")
        before = current.split(SECTION)[0].rstrip("\n")
        after = current.split(SECTION)[1].split("\n## ", 1)[1] if SECTION in current and "\n## " in \
            current.split(SECTION)[1] else ""
        doc.write_text(before + "\n\n" + text + ("\n## " + after if after else ""), encoding="utf-8")


if __name__ == "__main__":
    main()
