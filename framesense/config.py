"""Where the library and the model cache live.

Resolution order for the library: an explicit path (``--library``), then the
``FRAMESENSE_LIBRARY`` environment variable, then the platform's user data dir.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "FrameSense"
CATALOG_FILE = "catalog.sqlite"


def default_library_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "library"


def resolve_library(path: str | os.PathLike | None = None) -> Path:
    """Return the library directory (which holds catalog.sqlite, thumbnails, caches).

    A path ending in .sqlite/.db names the catalog file itself; its folder is the library.
    """
    chosen = path or os.environ.get("FRAMESENSE_LIBRARY") or default_library_dir()
    p = Path(chosen).expanduser()
    if p.suffix.lower() in (".sqlite", ".db", ".sqlite3"):
        return p.parent.resolve()
    return p.resolve()


def model_cache_dir() -> Path:
    env = os.environ.get("FRAMESENSE_MODELS")
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "models"


def user_plugin_dir() -> Path:
    env = os.environ.get("FRAMESENSE_PLUGINS")
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "plugins"
