"""Plugins: pluggy hook specs for analyzers, search providers, exporters and app actions,
discovered from built-ins, the ``framesense.plugins`` entry point and the user's plugin folder."""

from .hookspecs import hookimpl, hookspec
from .manager import ENTRY_POINT_GROUP, PluginRecord, Plugins, get_plugins
from .types import ActionContext, AppAction, ExporterSpec, SearchOption, SearchSpec

__all__ = ["hookimpl", "hookspec", "ENTRY_POINT_GROUP", "PluginRecord", "Plugins", "get_plugins",
           "ActionContext", "AppAction", "ExporterSpec", "SearchOption", "SearchSpec"]
