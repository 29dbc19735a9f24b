"""The stages between a loaded project and a printed page: translate (catalog
lookup), adapt, layout (Layout, Page, layout strings, dates), render, loudspeaker
script, motifs and the font kit's inputs. May import content, formats, printing, base.
"""
