"""Face and person search: shots where a face (from an image or a catalogued frame) or a named
person is on screen, optionally restricting phrase or picture hits to those moments.

Its options (declared in ``plugins/builtin.py``, checked by ``SearchQuery.validate``): ``face`` (an
image file or MEDIA@SECONDS), ``face_index`` (which face in it, largest first; default 0), ``person``
(a name or #id). Hits are shot ranges with the
best face's box in ``extra["face_box"]`` and the person's name in ``extra["person"]``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import QueryError
from ..analysis.people import SAME_PERSON, find_person
from .face_index import FaceIndex, best_per_shot
from .hits import Hit
from .query import SearchQuery
from .refs import media_matches, parse_frame_ref, shot_hit_fields

CHUNK = 1 << 16
KEYS = ("face", "person")


def asks_faces(q: SearchQuery) -> bool:
    return any(q.get(k) for k in KEYS)


def query_embedding(catalog, ref: str, index: int = 0) -> np.ndarray:
    """The descriptor of face ``index`` (largest first) in an image file or a catalogued frame."""
    from PIL import Image

    from ..analysis.faces import frame_rgb, image_faces
    from ..models import faces as face_models
    reason = face_models.problem()
    if reason:
        raise QueryError(reason)
    p = Path(ref).expanduser()
    if p.is_file() and "@" not in p.name:
        try:
            img = Image.open(p)
            img.load()
        except Exception as exc:
            raise QueryError(f"{p}: not a readable image ({exc})") from None
        faces, where = image_faces(img), str(p)
    else:
        from ..catalog import media_rate
        from ..media.sample import frames_at
        fr = parse_frame_ref(catalog, ref)
        got = next(iter(frames_at(fr.media["path"], [fr.frame], media_rate(fr.media))), None)
        if got is None:
            raise QueryError(f"{ref}: that frame could not be decoded")
        faces, where = image_faces(frame_rgb(got[1])), ref
    if not faces:
        raise QueryError(f"{where}: no face found (faces need to be about 40 px or larger)")
    if not 0 <= index < len(faces):
        raise QueryError(f"{where}: has {len(faces)} face(s); --face-index must be 0 to {len(faces) - 1}")
    return faces[index].embedding


def face_matches(catalog, target: np.ndarray, threshold: float = SAME_PERSON) -> dict[int, tuple[float, dict]]:
    """{shot id: (best distance, that face's row)} for faces closer than ``threshold``.

    Searched in the memory-mapped face cache (``face_index``); a library whose cache cannot be
    written (read-only, out of date) is scanned instead, with the same result."""
    index = FaceIndex.open(catalog)
    if index is None:
        return scan_face_matches(catalog, target, threshold)
    return _with_rows(catalog, best_per_shot(*index.within(target, threshold)))


def scan_face_matches(catalog, target: np.ndarray, threshold: float = SAME_PERSON) -> dict[int, tuple[float, dict]]:
    """``face_matches`` by reading every face from the catalog (the reference the cache must equal)."""
    best: dict[int, tuple[float, int]] = {}
    cur = catalog.execute("SELECT id, shot_id, embedding FROM faces ORDER BY id")
    while True:
        batch = cur.fetchmany(CHUNK)
        if not batch:
            break
        emb = np.frombuffer(b"".join(r[2] for r in batch), dtype="<f2").reshape(len(batch), -1).astype(np.float32)
        d = np.linalg.norm(emb - target, axis=1)
        for j in np.nonzero(d < threshold)[0]:
            sid = batch[j][1]
            if sid is None:
                continue
            if sid not in best or d[j] < best[sid][0]:
                best[sid] = (float(d[j]), batch[j][0])
    return _with_rows(catalog, best)


def person_matches(catalog, person_id: int) -> dict[int, tuple[float, dict]]:
    best: dict[int, tuple[float, int]] = {}
    for r in catalog.query("SELECT id, shot_id, score FROM faces WHERE person_id = ?", (person_id,)):
        if r["shot_id"] not in best or r["score"] > -best[r["shot_id"]][0]:
            best[r["shot_id"]] = (-r["score"], r["id"])
    return _with_rows(catalog, {s: (0.0, fid) for s, (_, fid) in best.items()})


def _with_rows(catalog, best: dict) -> dict:
    if not best:
        return {}
    ids = [fid for _, fid in best.values()]
    rows = {}
    for a in range(0, len(ids), 500):
        part = ids[a: a + 500]
        for r in catalog.query(f"SELECT f.id, f.frame, f.x, f.y, f.w, f.h, f.person_id, p.name FROM faces f "
                               f"LEFT JOIN people p ON p.id = f.person_id WHERE f.id IN ({','.join('?' * len(part))})",
                               part):
            rows[r["id"]] = r
    return {sid: (d, rows[fid]) for sid, (d, fid) in best.items() if fid in rows}   # deleted meanwhile: gone


def _face_extra(row: dict, distance: float | None) -> dict:
    extra = {"face_box": [round(row[k], 4) for k in ("x", "y", "w", "h")], "face_frame": row["frame"],
             "face_id": row["id"], "person": row["name"], "person_id": row["person_id"]}
    if distance is not None:
        extra["face_distance"] = round(distance, 4)
    return extra


def search_faces(catalog, q: SearchQuery, others=None) -> list[Hit]:
    """Shots with the face/person; with a phrase or picture query, those hits that overlap such shots.

    ``others(catalog, query)`` runs the other built-in searches the query asks for (phrase, pictures)."""
    if q.get("person"):
        person = find_person(catalog, q.get("person"))
        matched, label = person_matches(catalog, person["id"]), person["name"] or f"#{person['id']}"
        scored = {sid: (1.0, row, None) for sid, (_, row) in matched.items()}
    else:
        target = query_embedding(catalog, q.get("face"), q.get("face_index", 0))
        matched, label = face_matches(catalog, target), q.get("face")
        scored = {sid: (max(0.0, 1.0 - d), row, d) for sid, (d, row) in matched.items()}
    shots = shot_hit_fields(catalog, scored)
    if others is not None and (q.phrase or q.text or q.image or q.like):
        return _restrict(others(catalog, q), scored, shots)
    hits = []
    for sid, (score, row, dist) in scored.items():
        s = shots.get(sid)
        if s is None or not media_matches(s["path"], q.media) or s["end_frame"] <= s["start_frame"]:
            continue
        hits.append(Hit(media_id=s["media_id"], media_path=s["path"], start_frame=s["start_frame"],
                        end_frame=s["end_frame"], rate=s["rate"], score=score, kind="face", shot=s["idx"],
                        query=label, thumbnail=s["thumbnail"], extra=_face_extra(row, dist)))
    return hits


def _restrict(hits: list[Hit], scored: dict, shots: dict) -> list[Hit]:
    """Keep the hits that overlap a shot where the face is; they gain its box and person."""
    by_media: dict[int, list] = {}
    for sid, s in shots.items():
        by_media.setdefault(s["media_id"], []).append((s["start_frame"], s["end_frame"], sid))
    out = []
    for h in hits:
        for a, b, sid in by_media.get(h.media_id, []):
            if h.rate == shots[sid]["rate"] and h.start_frame < b and h.end_frame > a:
                score, row, dist = scored[sid]
                h.extra.update(_face_extra(row, dist))
                out.append(h)
                break
    return out
