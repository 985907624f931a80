"""Every reuse of a shot: fingerprint matches, grouped into matched ranges per shot.

A catalogued sample matches when either of its hashes is within MAX_BITS of the same
kind of hash of some query sample. A candidate shot is a reuse when enough of it
matches (or enough of the query is found in it); its hit covers the matched samples.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..analysis.fingerprint import EVERY_S, image_hashes
from ..errors import QueryError
from .hits import Hit
from .query import SearchQuery
from .refs import media_matches, parse_frame_ref, shot_hit_fields

MAX_BITS = 10
MIN_COVER = 0.5
CHUNK = 1 << 16

_POP = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)) bit distances between int64 hashes."""
    x = (a[:, None] ^ b[None, :]).view(np.uint8).reshape(len(a), len(b), 8)
    return _POP[x].sum(axis=2, dtype=np.uint8)


def _query_hashes(catalog, q: SearchQuery):
    """(band hashes, active hashes, excluded shot id, label)."""
    ref = q.same_as
    p = Path(ref).expanduser()
    if p.is_file() and "@" not in p.name:
        from .visual import _open_image
        h = image_hashes(_open_image(p))
        if h is None:
            raise QueryError(f"{p}: the picture is flat or black; nothing to match")
        return np.array([h[0]], np.int64), np.array([h[1]], np.int64), None
    fr = parse_frame_ref(catalog, ref)
    if fr.shot is None:
        raise QueryError(f"{ref}: no shot there (index the file first)")
    rows = catalog.query("SELECT band_hash, active_hash FROM shot_fingerprints WHERE shot_id = ?", (fr.shot["id"],))
    if not rows:
        raise QueryError(f"{ref}: that shot has no fingerprint (black or flat, or the fingerprint stage "
                         f"has not run: 'framesense index {fr.media['path']}')")
    return (np.array([r["band_hash"] for r in rows], np.int64),
            np.array([r["active_hash"] for r in rows], np.int64), fr.shot["id"])


def search_same(catalog, q: SearchQuery) -> list:
    qb, qa, exclude = _query_hashes(catalog, q)
    matched: dict[int, list] = {}   # shot id -> [(frame, distance, query sample)]
    cur = catalog.execute("SELECT shot_id, frame, band_hash, active_hash FROM shot_fingerprints")
    while True:
        batch = cur.fetchmany(CHUNK)
        if not batch:
            break
        arr = np.array(batch, dtype=np.int64)
        d = np.minimum(hamming(qb, arr[:, 2]), hamming(qa, arr[:, 3]))   # (nq, n)
        best_q = d.argmin(axis=0)
        best = d[best_q, np.arange(d.shape[1])]
        for j in np.nonzero(best <= MAX_BITS)[0]:
            sid = int(arr[j, 0])
            if sid != exclude:
                matched.setdefault(sid, []).append((int(arr[j, 1]), int(best[j]), int(best_q[j])))
    if not matched:
        return []
    totals = {r["shot_id"]: r["n"] for r in catalog.query(
        f"SELECT shot_id, COUNT(*) AS n FROM shot_fingerprints WHERE shot_id IN "
        f"({','.join('?' * len(matched))}) GROUP BY shot_id", list(matched))}
    shots = shot_hit_fields(catalog, matched)
    hits = []
    for sid, m in matched.items():
        s = shots.get(sid)
        if s is None or not media_matches(s["path"], q.media):
            continue
        cover_shot = len(m) / max(1, totals.get(sid, len(m)))
        cover_query = len({qi for _, _, qi in m}) / len(qb)
        cover = max(cover_shot, cover_query)
        if cover < MIN_COVER or (len(m) < 2 and min(totals.get(sid, 1), len(qb)) > 1):
            continue
        mean_d = sum(d for _, d, _ in m) / len(m)
        rate = s["rate"]
        half = max(1, int(round(EVERY_S * rate / 2)))
        first = max(s["start_frame"], min(f for f, _, _ in m) - half)
        last = min(s["end_frame"], max(f for f, _, _ in m) + half + 1)
        hits.append(Hit(media_id=s["media_id"], media_path=s["path"], start_frame=first, end_frame=last, rate=rate,
                        score=round(cover * (1 - mean_d / 64), 6), kind="same",
                        shot=s["idx"], thumbnail=s["thumbnail"], query=f"same as {q.same_as}",
                        extra={"matched_samples": len(m), "mean_bits": round(mean_d, 2),
                               "shot_frames": [s["start_frame"], s["end_frame"]]}))
    hits.sort(key=lambda h: -h.score)
    return hits[: q.limit]
