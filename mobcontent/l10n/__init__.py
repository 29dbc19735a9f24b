"""The translator's workflow: extract templates, update PO files, statistics.
May import pipeline, content, formats, printing and base; never checks (its
sibling) or anything above.
"""
