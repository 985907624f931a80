"""The catalog as the timeline reads it (``timeline.footage.Footage``): media rows, transcript words
around a take, word counts, shots, the person on screen and picture fingerprints, each one indexed
query. ``Library`` hands this to the paper edit, the picture suggestions and the sequence builders,
so they never hold the catalog itself.
"""

from __future__ import annotations

from .db import Catalog


class CatalogReads:
    def __init__(self, catalog: Catalog):
        self._catalog = catalog

    def media_by_id(self, media_id: int) -> dict | None:
        return self._catalog.media_by_id(media_id)

    def media_by_path(self, path) -> dict | None:
        return self._catalog.media_by_path(path)

    def words(self, media_id: int, start: float | None = None, end: float | None = None) -> list[dict]:
        if start is None and end is None:
            return self._catalog.query("SELECT seq, start, end, text FROM words WHERE media_id = ? ORDER BY seq",
                                       (media_id,))
        return self._catalog.query("SELECT seq, start, end, text FROM words WHERE media_id = ? AND start >= ? "
                                   "AND start <= ? ORDER BY seq", (media_id, start, end))

    def said(self, media_id: int, start: float, end: float) -> str:
        rows = self._catalog.query("SELECT text FROM words WHERE media_id = ? AND start >= ? AND end <= ? "
                                   "ORDER BY seq", (media_id, start - 1e-6, end + 1e-6))
        return " ".join(r["text"] for r in rows)

    def word_neighbours(self, media_id: int, first_seq: int, last_seq: int) -> tuple[float | None, float | None]:
        before = self._catalog.one("SELECT end FROM words WHERE media_id = ? AND seq = ?", (media_id, first_seq - 1))
        after = self._catalog.one("SELECT start FROM words WHERE media_id = ? AND seq = ?", (media_id, last_seq + 1))
        return (float(before["end"]) if before else None), (float(after["start"]) if after else None)

    def word_counts(self, norms: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for a in range(0, len(norms), 500):
            part = norms[a:a + 500]
            out.update((r["norm"], r["count"]) for r in self._catalog.query(
                f"SELECT norm, count FROM terms WHERE norm IN ({','.join('?' * len(part))})", part))
        return out

    def words_said(self) -> int:
        return (self._catalog.one("SELECT SUM(count) AS n FROM terms") or {}).get("n") or 0

    def shots_span(self, media_id: int, first: int, end: int) -> tuple[int, int] | None:
        row = self._catalog.one("SELECT MIN(start_frame) AS a, MAX(end_frame) AS b FROM shots WHERE media_id = ? "
                                "AND start_frame < ? AND end_frame > ?", (media_id, end, first))
        return (row["a"], row["b"]) if row and row["a"] is not None else None

    def speaker(self, media_id: int, first: int, end: int) -> int | None:
        row = self._catalog.one(
            "SELECT person_id, COUNT(*) AS n FROM faces WHERE media_id = ? AND frame >= ? AND frame < ? "
            "AND person_id IS NOT NULL GROUP BY person_id ORDER BY n DESC, person_id LIMIT 1", (media_id, first, end))
        return row["person_id"] if row else None

    def fingerprints(self, media_id: int, first: int, end: int) -> tuple[list[int], list[int]]:
        rows = self._catalog.query(
            "SELECT f.band_hash, f.active_hash FROM shot_fingerprints f JOIN shots s ON s.id = f.shot_id "
            "WHERE s.media_id = ? AND f.frame >= ? AND f.frame < ?", (media_id, first, end))
        return [r["band_hash"] for r in rows], [r["active_hash"] for r in rows]
