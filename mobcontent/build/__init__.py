"""Building a project's editions: plan and shards, the incremental cache, one job,
the worker pool, staging/commit, the release gate, the manifest, bundles and the
contact sheet. May import checks, l10n, pipeline, content, formats, printing, base.
"""
