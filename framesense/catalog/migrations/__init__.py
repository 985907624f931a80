"""Forward-only schema migrations, one module per component.

Each module defines ``MIGRATIONS``: a list of SQL scripts; the catalog applies
the ones a library has not seen yet, in order, each in its own transaction.
Components (core, speech, visual, timeline, and plugins) version their tables
independently, so adding a feature never renumbers another's migrations.
"""

from . import core, faces, speech, timeline, visual

# The built-in components; the built-in plugin offers them through ``framesense_migrations``
# like any plugin, and every catalog opens with them applied.
BUILTIN = {"core": core.MIGRATIONS, "speech": speech.MIGRATIONS, "timeline": timeline.MIGRATIONS,
           "visual": visual.MIGRATIONS, "faces": faces.MIGRATIONS}
