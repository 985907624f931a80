"""A catalog as comparable rows: what it means, without row ids or timestamps.

Two libraries that indexed the same footage the same way dump equal, whatever ran
where (one process, --jobs worker processes, a Ray cluster, a merge)."""

from __future__ import annotations

import numpy as np

from framesense.catalog import Catalog
from framesense.catalog.invariants import problems


def assert_consistent(library) -> None:
    """The catalog's rows agree with each other (``doctor --library``'s rules). Read-only and beside
    ``Catalog.open``: it leaves no trace (no check stamp, no upgrade) for the test to trip on."""
    import sqlite3
    from pathlib import Path
    conn = sqlite3.connect(f"{(Path(library) / 'catalog.sqlite').resolve().as_uri()}?mode=ro", uri=True)
    try:
        broken = problems(conn)
    finally:
        conn.close()
    assert not broken, f"{library}: " + "\n".join(broken)


def dump(library, vectors_exact: bool = True) -> dict:
    """Every table as rows that say what they mean; the catalog must be consistent first."""
    assert_consistent(library)
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
        # faces by their media, shot (through shot_id: it must name the shot of shot_idx) and frame;
        # each face's person by its name and the faces it holds, never by its row id
        faces = q("SELECT f.id, m.path, s.idx AS shot, f.shot_idx, f.frame, f.x, f.y, f.w, f.h, f.score, "
                  "f.embedding, f.model, f.detached, f.person_id, p.name AS person FROM faces f "
                  "JOIN media m ON m.id = f.media_id LEFT JOIN shots s ON s.id = f.shot_id "
                  "LEFT JOIN people p ON p.id = f.person_id ORDER BY m.path, f.frame, f.x, f.y")
        key = {f["id"]: (f["path"], f["frame"], round(f["x"], 6), round(f["y"], 6)) for f in faces}
        members: dict = {}
        for f in faces:
            if f["person_id"] is not None:
                members.setdefault(f["person_id"], []).append(key[f["id"]])
        out["faces"] = [{k: v for k, v in f.items() if k not in ("id", "person_id", "embedding")}
                        | {"same_person_as": members[f["person_id"]][0] if f["person_id"] is not None else None}
                        for f in faces]
        out["_face_vectors"] = [np.frombuffer(f["embedding"], "<f2").astype(np.float32) for f in faces]
        people = q("SELECT id, name, n FROM people ORDER BY id")
        out["people"] = sorted(((p["name"] or "", tuple(members.get(p["id"], ()))) for p in people),
                               key=lambda p: (p[1], p[0]))
    return out


def assert_same(a: dict, b: dict, vector_atol: float = 2e-3) -> None:
    """Equal row for row; embedding vectors equal to float16 rounding (torch may sum in another order)."""
    for key in a:
        if key in ("_vectors", "_face_vectors"):
            assert len(a[key]) == len(b[key])
            for x, y in zip(a[key], b[key]):
                np.testing.assert_allclose(x, y, atol=vector_atol)
        else:
            assert a[key] == b[key], key
