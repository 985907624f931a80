"""FrameSense's own analyzers, offered through the same hook every plugin uses."""

from __future__ import annotations

from .. import __version__
from .hookspecs import hookimpl

PLUGIN_NAME = "builtin"
PLUGIN_VERSION = __version__


@hookimpl
def framesense_analyzers(options):
    from ..analysis.registry import builtin_analyzers
    return builtin_analyzers(options)
