"""A catalog as comparable rows: what it means, without row ids or timestamps.

Two libraries that indexed the same footage the same way dump equal, whatever ran
where (one process, --jobs worker processes, a Ray cluster, a merge)."""

from __future__ import annotations

import numpy as np

from framesense.catalog import Catalog


def dump(library, vectors_exact: bool = True) -> dict:
    with Catalog.open(library, create=False) as cat:
        q = cat.query
        out = {
            "media": q("SELECT path, content_hash, size, status, error, frames, duration, rate_num, rate_den, "
                       "start_timecode, reel FROM media ORDER BY path"),
            "runs": q("SELECT m.path, a.analyzer, a.version, a.model, a.status, a.error FROM analysis_runs a "
                      "JOIN media m ON m.id = a.media_id ORDER BY 1, 2"),
            "shots": q("SELECT m.path, s.idx, s.start_frame, s.end_frame, s.transition, t.frame AS thumb_frame, "
                       "t.path AS thumb, t.width, t.height FROM shots s JOIN media m ON m.id = s.media_id "
                       "LEFT JOIN thumbnails t ON t.shot_id = s.id ORDER BY 1, 2"),
            "fingerprints": q("SELECT m.path, s.idx, f.frame, f.band_hash, f.active_hash FROM shot_fingerprints f "
                              "JOIN media m ON m.id = f.media_id JOIN shots s ON s.id = f.shot_id ORDER BY 1, 3"),
            "words": q("SELECT m.path, w.seq, w.text, w.start, w.end FROM words w JOIN media m ON m.id = w.media_id "
                       "ORDER BY 1, 2"),
            "segments": q("SELECT m.path, g.idx, g.text, g.start, g.end FROM segments g "
                          "JOIN media m ON m.id = g.media_id ORDER BY 1, 2, 4"),
        }
        emb = q("SELECT m.path, s.idx, e.frame, e.model, e.dim, e.vector FROM frame_embeddings e "
                "JOIN media m ON m.id = e.media_id JOIN shots s ON s.id = e.shot_id ORDER BY 1, 3")
        out["embeddings"] = [{k: v for k, v in r.items() if k != "vector"} for r in emb]
        out["_vectors"] = [np.frombuffer(r["vector"], "<f2").astype(np.float32) for r in emb]
        for name in ("folders",):
            out[name] = q("SELECT path FROM folders ORDER BY path")
    return out


def assert_same(a: dict, b: dict, vector_atol: float = 2e-3) -> None:
    """Equal row for row; embedding vectors equal to float16 rounding (torch may sum in another order)."""
    for key in a:
        if key == "_vectors":
            assert len(a[key]) == len(b[key])
            for x, y in zip(a[key], b[key]):
                np.testing.assert_allclose(x, y, atol=vector_atol)
        else:
            assert a[key] == b[key], key
