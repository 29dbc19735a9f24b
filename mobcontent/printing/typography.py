"""The typographic report: how a laid-out leaflet reads, from WeasyPrint's boxes.

Not from the PDF's text: the boxes say where every line, column and page ends.
:func:`typeset_report` walks the pages of a laid-out ``weasyprint.Document`` and
returns a :class:`Finding` for each of:

- ``heading-stranded``: a heading that is the last thing in its column, panel or
  page while the text it introduces goes on in the next one;
- ``runt``: a paragraph or list item of two lines or more whose last line holds one
  syllable (Vietnamese, Ê Đê and M'nông syllables are space-separated, so a runt is
  one space-free token: "sinh.", "hôn");
- ``value-split``: a filled value (place, post, organisation, title: ``mc-value``),
  a phone number or personal name (``mc-keep``, ``mc-name``) broken across lines;
- ``underfull-page``: a page whose text area is used less than the layout's
  ``min_fill`` (every page of a print layout; on screen, every slide but the last).

:func:`page_fills` gives the share of each page's text area that is used, which
copyfit also reads to decide whether to grow the type. Absolutely positioned and
fixed boxes (the DRAFT mark, a trifold's back panel and cover) and page-margin
boxes (running headers, the poster's contact strip) are not part of the flow and
are left out; fixed panels are measured by copyfit.
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
PARAGRAPHS = ("p", "li", "dd", "blockquote", "td", "th", "span")
KEEP_CLASSES = ("mc-value", "mc-keep", "mc-name")
WORD_RE = re.compile(r"\w", re.UNICODE)
PHONE_RE = re.compile(r"(?<![\w.])\+?\d{2,5}(?:[ .\n]\d{2,5})+(?![\w])")


@dataclass(frozen=True)
class Finding:
    """One typographic problem, where it is: page, message and the block's origin."""

    code: str  # heading-stranded | runt | value-split | underfull-page
    page: int  # 1-based
    message: str = ""  # the message's slug ("" outside the messages)
    origin: str = ""  # "path:line" the block came from, when the layout says so
    text: str = ""  # what it concerns: the heading, the last line, the value
    fill: float = 1.0  # underfull-page: the share of the page's text area used


@dataclass
class _Leaf:
    """A block that holds lines of text, in flow order."""

    box: object
    element: object
    region: tuple  # (page index, column id): the column, panel or page it sits in
    message: str
    origin: str


def typeset_report(document, layout, values=()) -> list[Finding]:
    """Every typographic finding of a laid-out document, in page order; ``values`` are
    the filled values that must not be split (those longer than the layout's
    ``keep_chars`` may be: they cannot be kept on one line without overflowing; phone
    numbers are found by their form)."""
    leaves, lines_of = _flow(document)
    findings = _stranded_headings(leaves)
    findings += _runts(leaves)
    findings += _split_values(document, leaves, lines_of)
    findings += _split_texts(leaves, [v for v in values if len(v) <= layout.keep_chars])
    fills = page_fills(document)
    for index, fill in enumerate(fills):
        exempt = layout.medium != "print" and index == len(fills) - 1
        if fill < layout.min_fill and not exempt:
            findings.append(Finding("underfull-page", index + 1, fill=round(fill, 3)))
    return sorted(findings, key=lambda f: (f.page, f.code))


def page_fills(document) -> list[float]:
    """The share (0–1) of each page's text area that its flow uses: the empty space
    below the last line of every column (or of the page) counts as unused.

    Worked out once per laid-out document (copyfit, the typographic report and the
    manifest's ``fit`` each ask): a document's boxes do not change once laid out."""
    known = _FILLS.get(document)
    if known is None:
        known = _FILLS[document] = tuple(_page_fills(document))
    return list(known)


_FILLS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _page_fills(document) -> list[float]:
    fills = []
    for page in document.pages:
        page_box = page._page_box
        top, bottom = page_box.content_box_y(), page_box.content_box_y() + page_box.height
        columns = list(_columns(page_box))
        if columns:
            covered = sum(col.width for col in columns)  # the gaps between columns are not text area
            empty = sum(max(bottom - _flow_bottom(col, col.content_box_y()), 0) * col.width for col in columns)
            fills.append(min(1.0, max(1 - empty / max(covered * (bottom - top), 1), 0.0)))
        else:
            used = _flow_bottom(page_box, top) - top
            fills.append(min(1.0, max(used, 0) / max(bottom - top, 1)))
    return fills


# --- the flow ------------------------------------------------------------------------

def _flow(document):
    """The leaves of every page in order, and the line boxes of each inline element."""
    leaves: list[_Leaf] = []
    lines_of: dict[int, set] = {}  # id(element) of a kept span -> ids of the lines it reaches
    for index, page in enumerate(document.pages):
        _walk(page._page_box, (index, 0), "", "", leaves, lines_of, None)
    return leaves, lines_of


def _walk(box, region, message, origin, leaves, lines_of, line):
    from weasyprint.formatting_structure import boxes

    box = getattr(box, "_box", box)
    if isinstance(box, boxes.MarginBox):
        return
    if box.style["position"] in ("absolute", "fixed") and not isinstance(box, boxes.PageBox):
        return
    element = getattr(box, "element", None)
    if element is not None and getattr(box, "element_tag", None):
        ident = element.get("id") or ""
        if ident.startswith("m-") and element.tag == "section":
            message = ident[2:]
        origin = element.get("data-origin") or origin
        if line is not None and any(c in (element.get("class") or "").split() for c in KEEP_CLASSES):
            lines_of.setdefault(id(element), set()).add(id(line))
            lines_of.setdefault(("text", id(element)), _text(box))
    children = list(getattr(box, "children", ()) or ())
    if isinstance(box, boxes.LineBox):
        line = box
    elif any(isinstance(c, boxes.LineBox) for c in children):
        leaves.append(_Leaf(box, element, region, message, origin))
    multicol = box.style["column_width"] != "auto" or box.style["column_count"] != "auto"
    for child in children:
        child_region = region
        inner = getattr(child, "_box", child)
        if multicol and getattr(inner, "element", None) is element and isinstance(inner, boxes.BlockBox):
            child_region = (region[0], id(inner))  # one column of the multi-column box
        _walk(child, child_region, message, origin, leaves, lines_of, line)


def _columns(page_box):
    """The column boxes on a page (children of a multi-column box that repeat its element)."""
    from weasyprint.formatting_structure import boxes

    def visit(box):
        box = getattr(box, "_box", box)
        if isinstance(box, boxes.MarginBox) or (box.style["position"] in ("absolute", "fixed")
                                                and not isinstance(box, boxes.PageBox)):
            return
        children = list(getattr(box, "children", ()) or ())
        if box.style["column_width"] != "auto" or box.style["column_count"] != "auto":
            for child in children:
                if getattr(child, "element", None) is box.element and isinstance(child, boxes.BlockBox):
                    yield child
            return
        for child in children:
            yield from visit(child)
    yield from visit(page_box)


def _flow_bottom(box, bottom: float) -> float:
    """The lowest bottom edge of the in-flow text under ``box``."""
    from weasyprint.formatting_structure import boxes

    for child in getattr(box, "children", ()) or ():
        child = getattr(child, "_box", child)
        if isinstance(child, boxes.MarginBox) or child.style["position"] in ("absolute", "fixed"):
            continue
        if isinstance(child, boxes.LineBox):
            bottom = max(bottom, child.position_y + child.height)
        elif getattr(child, "position_y", None) is not None:
            bottom = _flow_bottom(child, bottom)
    return bottom


# --- the checks ----------------------------------------------------------------------

def _stranded_headings(leaves: list[_Leaf]) -> list[Finding]:
    """Headings that end a column, panel or page with more of the flow after them."""
    found = []
    for leaf, after in zip(leaves, leaves[1:]):
        if leaf.region == after.region or not _is_heading(leaf):
            continue
        found.append(Finding("heading-stranded", leaf.region[0] + 1, leaf.message, leaf.origin,
                             _short(_text(leaf.box))))
    return found


def _runts(leaves: list[_Leaf]) -> list[Finding]:
    """Paragraphs and list items whose last line is a single syllable."""
    from weasyprint.formatting_structure import boxes

    found = []
    for leaf in leaves:
        if _is_heading(leaf):
            continue
        lines = [c for c in leaf.box.children if isinstance(c, boxes.LineBox)]
        if len(lines) < 2:
            continue
        last = _text(lines[-1]).split()
        if len(last) == 1 and WORD_RE.search(last[0]):
            found.append(Finding("runt", leaf.region[0] + 1, leaf.message, leaf.origin, last[0]))
    return found


def _split_values(document, leaves, lines_of) -> list[Finding]:
    """Kept spans (values, phone numbers, names) whose text reaches two lines or more."""
    found = []
    where = {}
    for leaf in leaves:
        for box in _descendants(leaf.box):
            element = getattr(box, "element", None)
            if element is not None and id(element) in lines_of:
                where.setdefault(id(element), leaf)
    for key, lines in lines_of.items():
        if isinstance(key, tuple) or len(lines) < 2:
            continue
        leaf = where.get(key)
        text = lines_of.get(("text", key), "")
        found.append(Finding("value-split", (leaf.region[0] + 1) if leaf else 1, leaf.message if leaf else "",
                             leaf.origin if leaf else "", _short(text)))
    return found


def _split_texts(leaves, values) -> list[Finding]:
    """Values and phone numbers that a paragraph's lines break apart (at a space or
    after a hyphen): found in the text of its lines joined with line ends."""
    from weasyprint.formatting_structure import boxes

    wanted = sorted({" ".join(v.split()) for v in values if v and (" " in v.strip() or "-" in v)},
                    key=len, reverse=True)
    patterns = [_value_regex(v) for v in wanted]
    patterns.append(PHONE_RE)
    found = []
    for leaf in leaves:
        lines = [" ".join(_text(c).split()) for c in leaf.box.children if isinstance(c, boxes.LineBox)]
        if len(lines) < 2:
            continue
        text = "\n".join(lines)
        for pattern in patterns:
            for match in pattern.finditer(text):
                if "\n" in match.group(0):
                    found.append(Finding("value-split", leaf.region[0] + 1, leaf.message, leaf.origin,
                                         _short(match.group(0).replace("\n", " / "))))
    return found


def _value_regex(value: str):
    """A value as it may be laid out: a line end for any space, or after a hyphen.

    >>> bool(_value_regex("Đồn Biên phòng Sê-rê-pốk").search("cho Đồn Biên\\nphòng Sê-\\nrê-pốk."))
    True
    """
    words = ["-\n?".join(re.escape(piece) for piece in word.split("-")) for word in value.split()]
    return re.compile(r"(?<!\w)" + "[ \n]".join(words) + r"(?!\w)")


def _descendants(box):
    box = getattr(box, "_box", box)
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _descendants(child)


def _is_heading(leaf: _Leaf) -> bool:
    element = leaf.element
    return element is not None and element.tag in HEADINGS


def _text(box) -> str:
    """The text of a box's text boxes, in order."""
    text = getattr(box, "text", None)
    if isinstance(text, str):
        return text
    return "".join(_text(c) for c in getattr(box, "children", ()) or ())


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
