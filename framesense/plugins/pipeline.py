"""One index run with every plugin's analyzers: shared by the CLI, the Python API and the app."""

from __future__ import annotations

from typing import Iterable

from .manager import get_plugins


def index_paths(catalog, paths: Iterable, options: dict, progress=None):
    """Index PATHS with the built-in and plugin analyzers; plugin notes land in the report's notices."""
    from ..ingest import Indexer

    plugins = get_plugins()
    plugins.prepare(catalog)
    analyzers = plugins.analyzers(options)
    report = Indexer(catalog, analyzers, progress).run(paths)
    report.notices += plugins.warnings + [f"{f.path}: {w}" for f in report.files for w in f.warnings]
    return report
