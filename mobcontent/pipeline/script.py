"""Loudspeaker scripts: a leaflet as plain text to read on the commune loudspeaker.

The script follows the reading order of the leaflet (greeting, each message's
title and blocks, the closing wish, whom to call), with Markdown removed and
numbers written as they are read: phone numbers digit by digit ("113" → "một
một ba"), other numbers as words ("ngày 3 tháng 3" → "ngày ba tháng ba").
Numbers are read in Vietnamese in every locale — the officers' and the
listeners' common way of saying them — until a locale defines its own.

A short header for the reader (in Vietnamese: it is not read out) gives the
estimated reading time at a slow, clear announcing pace
(:data:`WORDS_PER_MINUTE` syllables a minute).
"""
from __future__ import annotations

import html
import math
import re

from ..formats.markdown import reused_markdown, segment

WORDS_PER_MINUTE = 120
DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
EMERGENCY_NUMBERS = {"111", "112", "113", "114", "115"}
PHONE_WORDS = ("gọi", "số", "điện thoại", "đường dây nóng", "hotline", "zalo", "liên hệ", "nhắn tin")
PHONE_RE = re.compile(r"(?<![\d.,])(?:\+84|0)\d{2,3}(?:[ .]?\d{2,4}){2,3}(?![\d])")
NUMBER_RE = re.compile(r"(?<![\w])(\d+(?:[.,]\d+)*)(\s?%)?")


def read_number(number: int) -> str:
    """A whole number in Vietnamese words.

    >>> read_number(21), read_number(105), read_number(2026), read_number(15)
    ('hai mươi mốt', 'một trăm linh năm', 'hai nghìn không trăm hai mươi sáu', 'mười lăm')
    >>> read_number(1_500_000)
    'một triệu năm trăm nghìn'
    """
    if number < 10:
        return DIGITS[number]
    units = ("", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ")
    groups = []
    while number:
        groups.append(number % 1000)
        number //= 1000
    words = []
    for index in range(len(groups) - 1, -1, -1):
        value = groups[index]
        if value == 0:
            continue
        full = index < len(groups) - 1  # not the leading group: "không trăm", "linh"
        words.append(_read_hundreds(value, full))
        if units[index]:
            words.append(units[index])
    return " ".join(words)


def _read_hundreds(value: int, full: bool) -> str:
    hundreds, tens, ones = value // 100, value // 10 % 10, value % 10
    words = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if ones and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if ones:
        if ones == 1 and tens > 1:
            words.append("mốt")
        elif ones == 4 and tens > 1:
            words.append("tư")
        elif ones == 5 and tens >= 1:
            words.append("lăm")
        else:
            words.append(DIGITS[ones])
    return " ".join(words)


def read_digits(text: str) -> str:
    """A phone number digit by digit, its groups separated by commas.

    >>> read_digits("113"), read_digits("0262 3852 123")
    ('một một ba', 'không hai sáu hai, ba tám năm hai, một hai ba')
    """
    groups = [g for g in re.split(r"[ .]", text.replace("+84", "0")) if g]
    return ", ".join(" ".join(DIGITS[int(d)] for d in group if d.isdigit()) for group in groups)


def spell_numbers(text: str, phones: set[str] = frozenset()) -> str:
    """``text`` with its numbers written as read aloud.

    >>> spell_numbers("Gọi 113 ngay. Ngày 3 tháng 4 năm 2026, 30% số hộ")
    'Gọi một một ba ngay. Ngày ba tháng tư năm hai nghìn không trăm hai mươi sáu, ba mươi phần trăm số hộ'
    """
    text = PHONE_RE.sub(lambda m: read_digits(m.group(0)), text)
    text = re.sub(r"(\d+)\s?[–-]\s?(\d+)", r"\1 đến \2", text)
    text = re.sub(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", r"\1 tháng \2 năm \3", text)
    text = re.sub(r"\b(\d{1,2})/(\d{1,2})\b", r"\1 tháng \2", text)

    def replace(match):
        raw, percent = match.group(1), match.group(2)
        before = text[:match.start()].lower().rstrip()
        leading_zero = raw.startswith("0") and len(raw) > 1 and raw.isdigit()  # a code, not a quantity
        if raw in phones or raw in EMERGENCY_NUMBERS or leading_zero or before.endswith(PHONE_WORDS):
            return read_digits(raw) + (" phần trăm" if percent else "")
        return _read_quantity(raw, before) + (" phần trăm" if percent else "")

    return NUMBER_RE.sub(replace, text)


def _read_quantity(raw: str, before: str) -> str:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):  # 1.500.000: thousands separators
        return read_number(int(raw.replace(".", "")))
    if re.fullmatch(r"\d+,\d+", raw):  # 1,5: decimal comma
        whole, fraction = raw.split(",")
        return f"{read_number(int(whole))} phẩy {' '.join(DIGITS[int(d)] for d in fraction)}"
    if not raw.isdigit():
        return " ".join(read_number(int(part)) for part in re.split(r"[.,]", raw) if part)
    number = int(raw)
    if before.endswith("thứ") and number in (1, 4):
        return {1: "nhất", 4: "tư"}[number]
    if before.endswith("tháng") and number == 4:
        return "tư"
    return read_number(number)


def reading_time(text: str) -> tuple[int, int]:
    """(words, seconds) to read ``text`` aloud at :data:`WORDS_PER_MINUTE`."""
    words = len(re.findall(r"\w+", text))
    return words, math.ceil(words * 60 / WORDS_PER_MINUTE)


def make_script(project, leaflet, sides) -> str:
    """The loudspeaker script of a job (one side, or two for a bilingual leaflet)."""
    phones = {v.value.text for side in sides for k, v in side.variables.items() if k in ("hotline",)}
    page = sides[0].page
    body: list[str] = []

    def say(*texts):
        lines = [spell_numbers(t, phones) for t in texts if t]
        if lines:
            body.append("\n".join(lines))

    say(*(_text(s.page.title) for s in sides))
    say(*(_text(s.page.greeting) for s in sides))
    for index, adapted in enumerate(sides[0].adapted):
        others = [s.adapted[index] for s in sides]
        if adapted.title.text != _text(page.title):  # a one-message leaflet: its title is said once
            say(*(_text(a.title) for a in others))
        for chunk in adapted.chunks:
            for block in segment(chunk):
                say(*(_inline(a.texts[block.text].text, block.kind) for a in others))
    say(*(_text(s.page.signoff) for s in sides))
    for number in range(len(page.contacts)):
        say(*(_contact_line(*s.page.contacts[number]) for s in sides))
    hotline = sides[0].variables["hotline"].value.text if "hotline" in sides[0].variables else ""
    if hotline:
        say(f"Nhắc lại: {spell_numbers(hotline, phones | {hotline})}.")
    say(*(_text(s.page.issuer) for s in sides))
    text = "\n\n".join(body)
    words, seconds = reading_time(text)
    header = [
        f"KỊCH BẢN ĐỌC TRÊN LOA — {leaflet.slug} ({'+'.join(s.locale for s in sides)})",
        f"Thời lượng ước tính: khoảng {_duration(seconds)} ({words} tiếng, đọc chậm {WORDS_PER_MINUTE} tiếng/phút).",
        f"Ấn bản {leaflet.edition or '—'} · {page.date_text or page.date}" + (" · BẢN NHÁP: chưa được duyệt để phát"
                                                                           if page.draft else ""),
        "Số điện thoại đã viết thành chữ để đọc từng số. Đọc chậm, rõ; nghỉ một nhịp giữa các đoạn.",
        "=" * 40,
    ]
    return "\n".join(header) + "\n\n" + text + "\n\n" + "=" * 40 + "\nHẾT\n"


def _contact_line(label, value) -> str:
    return f"{label.text}: {value.text}." if label is not None else f"{value.text}."


def _duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} giây"
    return f"{minutes} phút" + (f" {rest} giây" if rest else "")


def _text(text) -> str:
    return text.text if text is not None else ""


def _inline(markdown_text: str, kind: str) -> str:
    """A block's Markdown as plain text, ending like a sentence (list items too)."""
    md = reused_markdown("script")
    md.mc_transform = lambda kind, text: text
    markup = md.convert(markdown_text)
    plain = " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())  # inline tags: no space
    if kind in ("list item", "heading", "table cell") and plain and plain[-1] not in ".!?:;…":
        plain += "."
    return plain
