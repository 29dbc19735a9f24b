"""gettext PO files: read strictly, write exactly as GNU gettext writes them.

:func:`read_po` takes the bytes of a PO file and returns a :class:`PoFile`,
or raises :class:`PoError` with the 1-based line of the first thing that is
wrong: an unterminated string, an unknown escape, a duplicate entry, a missing
header or ``msgstr``, a charset other than UTF-8, bytes that are not UTF-8, a
NUL byte. Unlike Babel's ``read_po`` it keeps every header field, the
``#|`` previous msgid of fuzzy entries and obsolete ``#~`` entries, and it
never guesses.

:func:`format_po` writes a :class:`PoFile` the way GNU ``msgcat`` would (79
columns, Unicode line breaking, ``msgid ""`` first lines), so a file passed
through ``msgcat``, Poedit or Weblate and back reads the same and shows no
spurious change. Entries read from a file keep their original text
(``raw``); :func:`format_po` reuses it for every entry that did not change.

>>> po = read_po(b'msgid ""\\nmsgstr "Content-Type: text/plain; charset=UTF-8\\\\n"\\n\\nmsgid "a"\\nmsgstr "b"\\n')
>>> [(e.msgid, e.msgstr, e.line) for e in po.entries]
[('a', 'b', 4)]
"""
from .merge import FuzzyIndex, MergeCounts, canonical_key, merge_po
from .model import Entry, PoError, PoFile, format_header, parse_header, with_fields
from .read import BOM, read_po
from .write import escape, format_entry, format_po, order_flags, wrap_string, write_po

__all__ = ["BOM", "Entry", "FuzzyIndex", "MergeCounts", "PoError", "PoFile", "canonical_key", "escape",
           "format_entry", "format_header", "format_po", "merge_po", "order_flags", "parse_header", "read_po",
           "with_fields", "wrap_string", "write_po"]
