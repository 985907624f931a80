"""Forward-only schema migrations, one module per component.

Each module defines ``MIGRATIONS``: a list of SQL scripts; the catalog applies
the ones a library has not seen yet, in order, each in its own transaction.
Components (core, speech, visual, timeline, and plugins) version their tables
independently, so adding a feature never renumbers another's migrations.
"""
