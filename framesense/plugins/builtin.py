"""FrameSense's own analyzers, offered through the same hook every plugin uses."""

from __future__ import annotations

from .hookspecs import hookimpl

PLUGIN_NAME = "builtin"


@hookimpl
def framesense_analyzers(options):
    from ..analysis.registry import builtin_analyzers
    return builtin_analyzers(options)
