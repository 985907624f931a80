"""Dispatch a SearchQuery to the providers that can answer it and merge their hits."""

from __future__ import annotations

from ..catalog import Catalog
from ..errors import QueryError
from .hits import Hit
from .query import SearchQuery


def run(catalog: Catalog, query: SearchQuery) -> list[Hit]:
    if query.is_empty():
        raise QueryError("empty query: give --phrase, --text, --image, --like, --same-as, --ocr, --color or --where")
    if query.limit <= 0:
        raise QueryError(f"--limit must be positive, got {query.limit}")
    hits: list[Hit] = []
    if query.phrase:
        from .phrase import search_phrase
        hits += search_phrase(catalog, query)
    if query.text or query.image or query.like:
        from .visual import search_visual
        hits += search_visual(catalog, query)
    if query.same_as:
        from .same import search_same
        hits += search_same(catalog, query)
    from ..plugins import get_plugins  # plugin providers: OCR (query.ocr), colour (query.extra["color"]), ...
    plugins = get_plugins()
    plugins.prepare(catalog)
    hits += plugins.search(catalog, query)
    hits.sort(key=lambda h: -h.score)
    return hits[: query.limit]
