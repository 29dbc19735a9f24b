"""Content: the project's files read into frozen dataclasses (schema, settings, messages,
approvals). May import formats/, printing/ and base/ (until issue 11 lands: the flat
modules that will become them)."""
