"""File formats and parsers with no knowledge of a project: the strict YAML reader,
PO files (model, read, write, merge), the Markdown block parser and the link
guard. May import base only; never printing (its sibling).
"""
