"""People: faces clustered incrementally, and the edits a user makes to them.

A new face joins the person whose centroid (mean descriptor) is nearest, if that is closer
than ``SAME_PERSON``; otherwise it starts a new person. Centroids are kept when a file's faces
are deleted for re-indexing, so the re-found faces rejoin the same (named) person. Faces the
user removed from a person (``detached``) are never clustered again.

``SAME_PERSON = 0.5``: dlib's ResNet is trained so that one person's faces lie under 0.6 apart
(99.38% on LFW at 0.6). Measured here (benchmarks/faces.py) on 66 real faces of 4 people (six
public-domain photographs from PyPI packages, benchmarks/real_faces.py, each through scale, crop,
mirror, grade, blur, letterbox and JPEG changes): one photograph's variants lie 0.00-0.42 apart,
one person's different photographs 0.31-0.49, different people 0.61-0.95. Clustering them in
shuffled orders: at 0.4 and 0.45 a person splits (pairwise recall 0.86, 0.93); at 0.5-0.6 purity,
pairwise recall and precision are all 1.00. 0.5 is the lowest of those thresholds that kept each person
whole, leaving the widest margin (0.11) below the nearest two different people: a wrong merge is
harder to notice than a split, which ``merge`` undoes in one command.
"""

from __future__ import annotations

import numpy as np

from ..errors import QueryError

SAME_PERSON = 0.5
DIM = 128


def vector(blob: bytes, dtype="<f2") -> np.ndarray:
    return np.frombuffer(blob, dtype=dtype).astype(np.float32)


def _centroids(catalog) -> tuple[np.ndarray, list[int], np.ndarray]:
    rows = catalog.query("SELECT id, centroid, n FROM people ORDER BY id")
    if not rows:
        return np.zeros((0, DIM), np.float32), [], np.zeros(0)
    return (np.stack([vector(r["centroid"], "<f4") for r in rows]), [r["id"] for r in rows],
            np.array([r["n"] for r in rows], np.float64))


def assign_faces(catalog, face_ids: list[int], threshold: float = SAME_PERSON) -> int:
    """Cluster these (new) faces into people; returns how many people they went to."""
    if not face_ids:
        return 0
    cents, ids, counts = _centroids(catalog)
    cents, counts = list(cents), list(counts)
    touched: set[int] = set()
    marks = ",".join("?" * len(face_ids))
    for r in catalog.query(f"SELECT id, embedding FROM faces WHERE id IN ({marks}) AND detached = 0 ORDER BY id",
                           face_ids):
        v = vector(r["embedding"])
        if cents:
            d = np.linalg.norm(np.stack(cents) - v, axis=1)
            j = int(d.argmin())
        if cents and d[j] < threshold:
            counts[j] += 1
            cents[j] = cents[j] + (v - cents[j]) / counts[j]
        else:
            pid = catalog.insert("people", {"centroid": v.astype("<f4").tobytes(), "n": 1})
            ids.append(pid)
            cents.append(v)
            counts.append(1)
            j = len(ids) - 1
        catalog.execute("UPDATE faces SET person_id = ? WHERE id = ?", (ids[j], r["id"]))
        touched.add(j)
    for j in touched:
        catalog.execute("UPDATE people SET centroid = ?, n = ? WHERE id = ?",
                        (np.asarray(cents[j], "<f4").tobytes(), int(counts[j]), ids[j]))
    return len(touched)


def recompute(catalog, person_id: int) -> None:
    """A person's centroid from its faces now (kept as it was when it has none)."""
    rows = catalog.query("SELECT embedding FROM faces WHERE person_id = ?", (person_id,))
    if rows:
        c = np.mean([vector(r["embedding"]) for r in rows], axis=0).astype("<f4")
        catalog.execute("UPDATE people SET centroid = ?, n = ? WHERE id = ?", (c.tobytes(), len(rows), person_id))


def find_person(catalog, ref) -> dict:
    """A person by id (``12`` or ``#12``) or by name (case-insensitive); a clear error otherwise."""
    text = str(ref).strip()
    if text.lstrip("#").isdigit():
        row = catalog.one("SELECT * FROM people WHERE id = ?", (int(text.lstrip("#")),))
    else:
        rows = catalog.query("SELECT * FROM people WHERE name = ? COLLATE NOCASE", (text,))
        if len(rows) > 1:
            raise QueryError(f"{len(rows)} people are named {text!r}: merge them or use an id "
                             f"({', '.join('#%d' % r['id'] for r in rows)})")
        row = rows[0] if rows else None
    if row is None:
        raise QueryError(f"no person {text!r} (framesense people list shows who there is)")
    return row


def list_people(catalog, *, with_empty: bool = False) -> list[dict]:
    """Each person with a name, face/shot/media counts and a few face ids (the largest faces first)."""
    out = []
    for p in catalog.query(
            "SELECT p.id, p.name, COUNT(f.id) AS faces, COUNT(DISTINCT f.shot_id) AS shots, "
            "COUNT(DISTINCT f.media_id) AS media FROM people p LEFT JOIN faces f ON f.person_id = p.id "
            "GROUP BY p.id ORDER BY faces DESC, p.id"):
        if not p["faces"] and not with_empty:
            continue
        p["face_ids"] = [r["id"] for r in catalog.query(
            "SELECT id FROM faces WHERE person_id = ? ORDER BY w * h DESC LIMIT 6", (p["id"],))]
        out.append(p)
    return out


def person_faces(catalog, ref) -> list[dict]:
    p = find_person(catalog, ref)
    return catalog.query("SELECT f.id, f.media_id, m.path AS media_path, f.shot_idx, f.frame, f.x, f.y, f.w, f.h, "
                         "f.score FROM faces f JOIN media m ON m.id = f.media_id WHERE f.person_id = ? "
                         "ORDER BY m.path, f.frame", (p["id"],))


def name_person(catalog, ref, name: str) -> dict:
    name = (name or "").strip()
    if not name:
        raise QueryError("a person's name cannot be empty")
    p = find_person(catalog, ref)
    with catalog.transaction():
        catalog.execute("UPDATE people SET name = ? WHERE id = ?", (name, p["id"]))
    return find_person(catalog, p["id"])


def merge_people(catalog, refs: list) -> dict:
    """Everyone in ``refs`` becomes the first one (its name, else the first name among the others)."""
    people = [find_person(catalog, r) for r in refs]
    if len({p["id"] for p in people}) < 2:
        raise QueryError("merge needs at least two different people")
    into, others = people[0], [p for p in people[1:] if p["id"] != people[0]["id"]]
    name = into["name"] or next((p["name"] for p in others if p["name"]), None)
    with catalog.transaction():
        for p in others:
            catalog.execute("UPDATE faces SET person_id = ? WHERE person_id = ?", (into["id"], p["id"]))
            catalog.execute("DELETE FROM people WHERE id = ?", (p["id"],))
        catalog.execute("UPDATE people SET name = ? WHERE id = ?", (name, into["id"]))
        recompute(catalog, into["id"])
    return find_person(catalog, into["id"])


def split_person(catalog, face_ids: list[int], name: str | None = None) -> dict:
    """These faces leave their person(s) and become a new person (optionally named)."""
    rows = _faces(catalog, face_ids)
    with catalog.transaction():
        c = np.mean([vector(r["embedding"]) for r in rows], axis=0).astype("<f4")
        pid = catalog.insert("people", {"name": (name or "").strip() or None, "centroid": c.tobytes(), "n": len(rows)})
        catalog.execute(f"UPDATE faces SET person_id = ?, detached = 0 WHERE id IN ({','.join('?' * len(rows))})",
                        [pid, *[r["id"] for r in rows]])
        for old in {r["person_id"] for r in rows if r["person_id"]}:
            recompute(catalog, old)
    return find_person(catalog, pid)


def remove_face(catalog, face_id: int) -> None:
    """The face leaves its person for good (not clustered again until split into a person)."""
    (row,) = _faces(catalog, [face_id])
    with catalog.transaction():
        catalog.execute("UPDATE faces SET person_id = NULL, detached = 1 WHERE id = ?", (row["id"],))
        if row["person_id"]:
            recompute(catalog, row["person_id"])


def _faces(catalog, face_ids) -> list[dict]:
    ids = [int(i) for i in face_ids]
    if not ids:
        raise QueryError("give at least one face id (framesense people faces NAME lists them)")
    rows = catalog.query(f"SELECT id, person_id, embedding FROM faces WHERE id IN ({','.join('?' * len(ids))})", ids)
    missing = sorted(set(ids) - {r["id"] for r in rows})
    if missing:
        raise QueryError(f"no face with id {', '.join(map(str, missing))}")
    return rows

