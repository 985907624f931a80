"""The hooks every FrameSense plugin (built-in or third-party) implements.

A plugin is a module (or package) with functions decorated by ``hookimpl``; it
implements only the hooks it needs. Optional module attributes describe it:
``PLUGIN_NAME`` (default: the entry point name or file stem), ``PLUGIN_VERSION``
(default: its distribution's version) and ``OWNS_TABLES`` (catalog tables it
writes; default: the union of its analyzers' ``owns_tables``).
"""

from __future__ import annotations

import pluggy

PROJECT = "framesense"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def framesense_migrations() -> dict[str, list[str]]:
    """Catalog migrations this plugin owns: {component: [sql script per version]}.

    Same rules as framesense/catalog/migrations: forward-only, one list entry per
    version. Tables holding per-media rows need a ``media_id`` column
    (REFERENCES media (id) ON DELETE CASCADE) so changed files are cleaned up.
    """


@hookspec
def framesense_analyzers(options: dict) -> list:
    """Index stages: ``framesense.analysis.base.Analyzer`` objects, run per media by the Indexer.

    ``options`` is the index run's options (speech, visual, disable, ...). Declare
    ``requires`` (e.g. ("shots",) to read the shots table) and ``owns_tables``.
    A plugin analyzer may set ``timeout`` (seconds per media) and ``validate(result)``.
    """


@hookspec
def framesense_searches() -> list:
    """``framesense.plugins.types.SearchSpec`` objects: each declares its typed options
    (``SearchOption``: the API keyword, the CLI flag and the app mode come from it), says which
    queries it answers (``answers(query)``, e.g. ``"color" in query.options``) and turns one into
    ``framesense.search.hits.Hit`` objects (exact frame ranges; pads are the sequence's job)."""


@hookspec
def framesense_exporters() -> list:
    """``framesense.plugins.types.ExporterSpec`` objects: a sequence in, files out. The exporter
    is chosen by format name, else by the output file's suffix."""


@hookspec
def framesense_app_actions() -> list:
    """``framesense.plugins.types.AppAction`` objects: menu entries the app shows;
    each receives the current selection (hits) or sequence."""
