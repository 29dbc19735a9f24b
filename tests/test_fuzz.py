"""Fuzzing: the readers of untrusted text never crash, they answer or refuse with a line.

Bounded in the normal suite; ``MOBCONTENT_FUZZ=long pytest tests/test_fuzz.py`` runs
many more examples. Whatever a long run finds becomes a case file in ``tests/hostile/``.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobcontent.base.errors import ContentError
from mobcontent.base.model import Chunk
from mobcontent.content.message import parse_message
from mobcontent.content.schema import _Reader
from mobcontent.formats.markdown import segment
from mobcontent.formats.po import format_po, read_po
from mobcontent.formats.yamlio import read_yaml

LONG = os.environ.get("MOBCONTENT_FUZZ") == "long"
FUZZ = settings(max_examples=3000 if LONG else 120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# Text made of the characters that matter to these formats, plus Vietnamese and Ê Đê letters.
SPECIAL = list(":-[]{}&*!|>#'\"\\\n\t ,?%@`~<>=/") + list("aăâbƀčđêĕĭŏŭơưñ\u0306\u0302\ufeff\x00\r")
text = st.text(alphabet=st.sampled_from(SPECIAL) | st.characters(codec="utf-8"), max_size=300)
lines = st.lists(st.sampled_from([
    "msgid \"\"", "msgstr \"\"", "msgid \"a\"", "msgstr \"b\"", "msgctxt \"c\"", "#, fuzzy", "#| msgid \"x\"",
    "#~ msgid \"o\"", "\"Language: rad\\n\"", "\"Content-Type: text/plain; charset=UTF-8\\n\"", "msgid \"a", "\"\\q\"",
    "msgid_plural \"p\"", "msgstr[0] \"x\"", "", "# comment", "#: f.md:1", "\"x\"",
]), max_size=30).map("\n".join)


def assert_clean(exc: ContentError) -> None:
    assert exc.code and isinstance(exc.line, int) and exc.line >= 0
    assert str(exc)


@FUZZ
@given(text)
def test_yaml_reader_answers_or_refuses_with_a_line(source):
    try:
        read_yaml(source, "f.yaml")
    except ContentError as exc:
        assert_clean(exc)


@FUZZ
@given(text)
def test_message_parser_never_crashes(body):
    reader = _Reader("content/messages/m.md")
    parse_message(body, "content/messages/m.md", "m", reader, None)
    assert all(p.line >= 0 and p.code for p in reader.problems)


@FUZZ
@given(st.one_of(lines, text).map(lambda t: t.encode("utf-8", "surrogatepass")) | st.binary(max_size=300))
def test_po_reader_answers_or_refuses_with_a_line(data):
    try:
        po = read_po(data, "x.po")
    except ContentError as exc:
        assert_clean(exc)
        return
    again = read_po(format_po(po).encode("utf-8"), "x.po")  # what we write, we read back the same
    assert [(e.msgctxt, e.msgid, e.msgstr, e.fuzzy) for e in again.entries] == \
        [(e.msgctxt, e.msgid, e.msgstr, e.fuzzy) for e in po.entries]


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("ab *_-#>|[]()!`{}<\n\t1.ọê\u0306")), max_size=200))
def test_segmenter_never_crashes(markdown_text):
    for block in segment(Chunk(markdown_text, 1)):
        assert block.line >= 1 and block.text
