"""Turning HTML into print: the font kit, the breve stacking check, the PDF writer,
copyfit and PNG previews. May import base only; never formats (its sibling).
"""
