"""Localisation workflow: extract, update, stats, translator handoff (Word/Excel),
translation memory (TMX) and the glossary (TBX).

May import pipeline, content, formats and base; never checks, build or app.
"""
