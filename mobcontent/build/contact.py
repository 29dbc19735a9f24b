"""The contact sheet ``build/index.html``: every edition with its state and pages.
"""
from __future__ import annotations

import html
import re
from collections import defaultdict
from pathlib import Path

from ..base.files import write_file


def write_contact_sheet(build_dir: Path, outputs, title: str = "") -> Path:
    """Write ``build/index.html``: every leaflet, edition and page, for review at a glance."""

    return write_file(build_dir.parent, "build/index.html", contact_sheet(outputs, title).encode("utf-8"))


def contact_sheet(outputs, title: str = "") -> str:
    """The contact sheet's HTML: plain, self-contained (relative links, no script, no
    server needed), every edition with its state in words, its type size and its pages
    in page order, each a 240 px thumbnail linked to the full-size PNG."""
    editions: dict[tuple[str, tuple], dict] = defaultdict(lambda: {"png": [], "files": {}})
    for output in sorted(outputs, key=lambda o: o.path):
        entry = editions[(output.leaflet, tuple(output.locales))]
        entry["output"] = entry.get("output", output)
        if output.format == "png":
            entry["png"].append(output.path)
        else:
            entry["files"][output.format] = output.path
            if output.format == "pdf":
                entry["output"] = output  # the PDF's record has the pages and the fit
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


#: An edition's state in words (DESIGN.md, "Edition states").
STATES = {"ready": "sẵn sàng in", "draft": "BẢN NHÁP", "failed": "lỗi, không in được"}
DIMENSIONS = {"ethnic": "dân tộc", "religion": "tôn giáo", "zone": "địa bàn"}


def edition_state(output) -> tuple[str, list[str]]:
    """``(state, reasons)`` of an edition from its manifest record, as the build decided
    them (build/gate.py: one notion of state everywhere); the reasons in words."""
    state = getattr(output, "state", "") or "ready"
    if output.draft and state == "ready":  # a record that carries the DRAFT mark is never ready
        state = "draft"
    reasons = [f'{p.get("code", "")}: {p.get("message", "")}' for p in (dict(r) for r in output.reasons)]
    if state == "draft" and not reasons:
        done = output.completeness or {}
        reasons = [text.format(count=done[key]) for key, text in
                   (("missing", "{count} đoạn chưa dịch"), ("fuzzy", "{count} đoạn dịch cần xem lại"))
                   if done.get(key)] or ["có tin bài chưa duyệt hoặc kiểm tra còn lỗi"]
    return state, reasons


def _page_number(path: str) -> int:
    match = re.search(r"\.p(\d+)\.png$", path)
    return int(match.group(1)) if match else 0


def _edition_html(locales: tuple, entry: dict) -> str:
    output = entry["output"]
    state, reasons = edition_state(output)
    badge = f'<span class="badge {state}">{_e(STATES[state])}</span>'
    done = output.completeness or {}
    total = sum(done.values()) or 1
    ready = done.get("translated", 0) + done.get("source", 0)
    links = " ".join(f'<a href="{_e(path)}">{fmt.upper()}</a>' for fmt, path in sorted(entry["files"].items()))
    pages = "".join(f'<a class="page" href="{_e(path)}"><img src="{_e(path)}" alt="trang {_page_number(path)}" '
                    f'loading="lazy"><span>trang {_page_number(path)}</span></a>'
                    for path in sorted(entry["png"], key=_page_number))
    size = (getattr(output, "fit", None) or {}).get("body")
    audience = " · ".join(f"{DIMENSIONS.get(k, k)}: {v}" for k, v in dict(output.audience).items()) or "mọi bà con"
    why = "".join(f"<li>{_e(reason)}</li>" for reason in reasons)
    return (f'<div class="edition"><h3>{_e("+".join(locales))} {badge}</h3>'
            f'<p class="meta">{links} · dịch xong {ready}/{total} đoạn'
            f'{" · cỡ chữ " + _e(size) if size else ""} · {_e(audience)}</p>'
            f'{"<ul class=reasons>" + why + "</ul>" if why else ""}'
            + approvals_html(getattr(output, "approvals", ())) +
            f'<div class="pages">{pages or "<em>(không có ảnh trang: dựng với --format png)</em>"}</div></div>')


APPROVAL_KINDS = {"message": "nội dung", "translation": "bản dịch"}


def approvals_html(approvals) -> str:
    """The approvals an edition rests on (who, when, which text), or that it has none."""
    if not approvals:
        return '<p class="approvals none">Chưa có phê duyệt nào cho nội dung của ấn phẩm này.</p>'
    items = "".join(f'<li>{_e(APPROVAL_KINDS.get(a["what"], a["what"]))} <b>{_e(a["message"])}</b> '
                    f'[{_e(a["locale"])}]: {_e(a["by"])}, {_e(a["date"])} '
                    f'<code title="{_e(a["sha256"])}">{_e(a["sha256"][:12])}</code></li>' for a in approvals)
    return f'<details class="approvals"><summary>Phê duyệt ({len(approvals)})</summary><ul>{items}</ul></details>'


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
.page { text-align: center; color: #555; font-size: .8em; text-decoration: none; }
.page img { display: block; max-width: 240px; max-height: 240px; border: 1px solid #ccc; background: #fff;
            box-shadow: 0 1px 2px #0002; margin: 0 0 2px; }
.reasons { margin: 0 0 8px; padding-left: 20px; color: #7a2318; font-size: .85em; }
.badge { font-size: .75em; padding: 2px 6px; border-radius: 3px; color: #fff; vertical-align: middle; }
.badge.draft { background: #c0392b; } .badge.ready { background: #2e7d32; } .badge.failed { background: #000; }
"""
