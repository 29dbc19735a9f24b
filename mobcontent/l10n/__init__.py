"""The translator's workflow: extract templates, update PO files, statistics, translator
handoff (Word/Excel), translation memory (TMX) and the glossary (TBX).
May import pipeline, content, formats, printing and base; never checks (its
sibling) or anything above.
"""
