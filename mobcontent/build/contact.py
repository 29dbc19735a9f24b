"""The contact sheet ``build/index.html``: every edition with its state and pages.
"""
from __future__ import annotations

import html
import json
from collections import defaultdict
from pathlib import Path

from ..base.files import write_atomic


def write_contact_sheet(build_dir: Path, outputs, title: str = "") -> Path:
    """Write ``build/index.html``: every leaflet, edition and page, for review at a glance."""

    path = build_dir / "index.html"
    write_atomic(path, contact_sheet(outputs, title).encode("utf-8"))
    return path


def contact_sheet(outputs, title: str = "") -> str:
    """The contact sheet's HTML (self-contained, relative links, no script)."""
    editions: dict[tuple[str, tuple], dict] = defaultdict(lambda: {"png": [], "files": {}})
    for output in sorted(outputs, key=lambda o: o.path):
        entry = editions[(output.leaflet, tuple(output.locales))]
        entry["output"] = entry.get("output", output)
        if output.format == "png":
            entry["png"].append(output.path)
        else:
            entry["files"][output.format] = output.path
    by_leaflet: dict[str, list] = defaultdict(list)
    for (leaflet, locales), entry in editions.items():
        by_leaflet[leaflet].append((locales, entry))
    sections = []
    for leaflet in sorted(by_leaflet):
        rows = [_edition_html(locales, entry) for locales, entry in sorted(by_leaflet[leaflet])]
        first = by_leaflet[leaflet][0][1]["output"]
        sections.append(f'<section id="{_e(leaflet)}"><h2>{_e(leaflet)} <small>{_e(first.layout)}'
                        f'{" · " + _e(first.campaign) if getattr(first, "campaign", "") else ""}</small></h2>'
                        + "".join(rows) + "</section>")
    heading = _e(title or "mobcontent")
    return (f"<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{heading} — bản xem trước</title>"
            f"<style>{_STYLE}</style></head><body><h1>{heading} <small>— bản xem trước</small></h1>"
            f"<p class=\"legend\">{len(editions)} ấn phẩm · nhấn vào trang để xem cỡ thật, vào tên tệp để mở.</p>"
            + "".join(sections) + "</body></html>\n")


def _edition_html(locales: tuple, entry: dict) -> str:
    output = entry["output"]
    badges = '<span class="badge draft">BẢN NHÁP</span>' if output.draft else '<span class="badge ok">sẵn sàng</span>'
    done = output.completeness or {}
    total = sum(done.values()) or 1
    ready = done.get("translated", 0) + done.get("source", 0)
    links = " ".join(f'<a href="{_e(path)}">{fmt.upper()}</a>' for fmt, path in sorted(entry["files"].items()))
    pages = "".join(f'<a class="page" href="{_e(path)}"><img src="{_e(path)}" alt="{_e(path)}" loading="lazy"></a>'
                    for path in entry["png"])
    meta = json.dumps(dict(output.audience), ensure_ascii=False)
    return (f'<div class="edition"><h3>{_e("+".join(locales))} {badges}</h3>'
            f'<p class="meta">{links} · dịch xong {ready}/{total} đoạn · {_e(meta)}</p>'
            f'<div class="pages">{pages or "<em>(không có ảnh trang: dựng với --format png)</em>"}</div></div>')


def _e(value) -> str:
    return html.escape(str(value))


_STYLE = """
body { font-family: "Noto Sans", system-ui, sans-serif; margin: 24px; color: #1b1b1b; background: #f4f4f2; }
h1 small, h2 small { font-weight: 400; color: #666; font-size: .6em; }
section { background: #fff; border-radius: 6px; padding: 12px 18px; margin: 0 0 20px; box-shadow: 0 1px 3px #0002; }
.edition { margin: 8px 0 16px; }
.edition h3 { margin: 4px 0; font-size: 1.05em; }
.meta { margin: 2px 0 8px; color: #555; font-size: .9em; }
.pages { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
.page img { height: 260px; border: 1px solid #ccc; background: #fff; box-shadow: 0 1px 2px #0002; }
.badge { font-size: .75em; padding: 2px 6px; border-radius: 3px; color: #fff; vertical-align: middle; }
.badge.draft { background: #c0392b; } .badge.ok { background: #2e7d32; }
"""
