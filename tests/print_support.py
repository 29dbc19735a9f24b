"""Helpers for the print tests: running builds, translating projects, reading PDFs."""
from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner
from conftest import approve_as_written
from pypdf import PdfReader

from mobcontent.app.cli import main

REPO = Path(__file__).resolve().parent.parent
MM = 72 / 25.4  # PDF points per millimetre

_BUILT: dict[str, Path] = {}  # one build per key and test session, shared by the modules


def run(root: Path, *args: str, cache: Path | None = None, env: dict | None = None):
    """``mobcontent -C root ARGS`` through click's runner, with the shared font kit."""
    environment = dict(env or {})
    if cache is not None:
        environment["MOBCONTENT_FONT_CACHE"] = str(cache)
    return CliRunner().invoke(main, ["-C", str(root), *args], env=environment)


def copy_demo(root: Path) -> Path:
    """The repository's demo project, copied into ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mobcontent.yaml", root)
    for folder in ("content", "locales"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("*.pot", "*.po"))
    return root


def shared_build(key: str, tmp_path_factory, make) -> Path:
    """Build a project once per session under ``key`` (``make(root)`` writes and builds it)."""
    if key not in _BUILT:
        root = tmp_path_factory.mktemp(key)
        make(root)
        _BUILT[key] = root
    return _BUILT[key]


def translate_all(root: Path, locale: str, transform, cache: Path) -> None:
    """Extract and update the project's catalogs, then translate every entry with ``transform``."""
    from mobcontent.formats.po import format_po, read_po

    for command in (("extract",), ("update", "--locale", locale)):
        result = run(root, *command, cache=cache)
        assert result.exit_code == 0, result.output
    for path in sorted((root / "locales" / locale / "LC_MESSAGES").rglob("*.po")):
        po = read_po(path.read_bytes(), str(path))
        entries = tuple(replace(e, msgstr=transform(e.msgid), flags=tuple(f for f in e.flags if f != "fuzzy"))
                        for e in po.entries)
        path.write_text(format_po(replace(po, entries=entries)), encoding="utf-8")
    approve_as_written(root, (locale,))


def normalized(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def pdf_text(path: Path) -> str:
    """The PDF's text, without list bullets, page numbers ("1/2", "1 / 3") and the DRAFT
    mark, which the extractor places wherever they fall on the page (mid-paragraph at a
    page break), nor the running title "… (tiếp)" of a screen slide that continues a message."""
    pages = [page.extract_text() for page in PdfReader(path).pages]
    text = " ".join("\n".join(line for line in page.splitlines() if not line.rstrip().endswith("(tiếp)"))
                    for page in pages)
    text = text.replace("BẢN NHÁP", " ")
    text = re.sub(r"(?<=\w-)\n(?=\w)", "", text)  # "Sê-rê-" at a line end, "pốk" on the next: one word
    return normalized(re.sub(r"•|(?<!\S)\d+ ?/ ?\d+(?!\S)", " ", text))


def html_blocks(html: str) -> list[str]:
    """The visible text of every block element (p, li, h1-h6) of an HTML document's body."""
    from html import unescape
    body = html.split("<body", 1)[1]
    body = re.sub(r'<div class="draft-mark".*?</div>', "", body, flags=re.S)
    found = []
    for _, inner in re.findall(r"<(p|li|h[1-6])\b[^>]*>(.*?)</\1>", body, flags=re.S):
        inner = re.sub(r"<(ul|ol)\b.*", "", inner, flags=re.S)  # a nested list is its own block
        # inline tags vanish; a second-language span is a block of its own (a space)
        text = normalized(unescape(re.sub(r"<[^>]+>", lambda m: " " if "second" in m.group(0) else "", inner)))
        if text:
            found.append(text)
    return found


def box_mm(box) -> list[float]:
    return [round(float(v) / MM, 2) for v in box]


def xmp(reader: PdfReader) -> str:
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
