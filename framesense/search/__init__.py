"""Search: phrase (FTS5 over words), visual (vectors), image, same-footage, fusion."""

from .hits import Hit

__all__ = ["Hit"]
