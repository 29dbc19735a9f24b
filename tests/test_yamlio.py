"""Strict YAML: every scalar a string, no aliases or tags, bounded, with lines."""
import time

import pytest

from mobcontent.base.errors import ContentError
from mobcontent.formats.yamlio import Map, read_yaml, to_plain


def codes(text):
    with pytest.raises(ContentError) as info:
        read_yaml(text, "f.yaml")
    return info.value.code, info.value.line


def test_scalars_stay_as_written():
    doc = read_yaml("a: no\nb: 010\nc: 2026-01-01\nd: ~\ne: 1e3\nf: 'yes'\n", "f.yaml")
    assert to_plain(doc) == {"a": "no", "b": "010", "c": "2026-01-01", "d": "~", "e": "1e3", "f": "yes"}


def test_lines_are_one_based_and_kept_for_keys():
    doc = read_yaml("# comment\na: x\nb:\n  - y\n  - z\n", "f.yaml")
    assert isinstance(doc, Map)
    assert doc.key_lines == {"a": 2, "b": 3}
    assert [item.line for item in doc.items["b"].items] == [4, 5]


@pytest.mark.parametrize("text, code, line", [
    ("a: 1\nb: 2\na: 3\n", "yaml-duplicate-key", 3),
    ("a: &x 1\nb: *x\n", "yaml-alias", 1),
    ("a: !!python/object:os.system x\n", "yaml-tag", 1),
    ("a: !!int 3\n", "yaml-tag", 1),
    ("a: [1, 2\n", "yaml-syntax", 2),
    ("a: 1\n---\nb: 2\n", "yaml-syntax", 2),
    ("? [a, b]\n: c\n", "yaml-syntax", 1),
])
def test_refused_constructs(text, code, line):
    assert codes(text) == (code, line)


def test_alias_bomb_is_refused_at_once():
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join('*' + chr(97 + i) for _ in range(9))}]\n" for i in range(8))
    start = time.perf_counter()
    assert codes(bomb)[0] == "yaml-alias"
    assert time.perf_counter() - start < 1


def test_deep_nesting_and_huge_documents_are_bounded():
    assert codes("a: " + "[" * 200 + "]" * 200 + "\n")[0] == "yaml-too-deep"
    assert codes("a: '" + "x" * 3_000_000 + "'\n")[0] == "yaml-too-large"
    assert codes("[" + "1," * 250_000 + "1]\n")[0] == "yaml-too-large"


def test_front_matter_offset_and_bom():
    doc = read_yaml("\ufefftitle: x\n", "m.md", first_line=2)
    assert doc.key_lines == {"title": 2}


def test_empty_document_is_none():
    assert read_yaml("# nothing\n", "f.yaml") is None
