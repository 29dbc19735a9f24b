"""Reading a content project: the schema reader, settings (config, audiences,
leaflets, locales), messages, the loader, audience selection and ``init``'s
scaffold. May import formats, printing and base.
"""
