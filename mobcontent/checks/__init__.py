"""Every check ``mobcontent check`` runs, as plain functions that return problems
with stable codes, and the runner that collects them. May import pipeline,
content, formats, printing and base; never l10n (its sibling) or anything above.
"""
