"""The SQLite catalog at the centre of FrameSense."""

from .db import Catalog, media_rate

__all__ = ["Catalog", "media_rate"]
