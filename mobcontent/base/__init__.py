"""What every layer shares: errors, the interface-language ``_``, the frozen data
model, canonical text, locale data, the project lock, confined files and safe
display of untrusted text. Imports nothing of mobcontent outside ``base``.
"""
