"""People: faces clustered incrementally, and the edits a user makes to them.

A new face (a track: analysis/face_tracks.py) joins the person whose centroid (mean descriptor)
is nearest, if that is closer than ``SAME_PERSON`` and that person holds no face on screen with
it (``together``: same file and shot, overlapping spans); otherwise it starts a new person.
Centroids are kept when a file's faces are deleted for re-indexing, so the re-found faces rejoin
the same (named) person. What the user said (merge, split, remove) is pinned to the faces by
where they are (``face_pins``) and given back to the faces found there on re-indexing.

``SAME_PERSON = 0.5``: dlib's ResNet is trained so that one person's faces lie under 0.6 apart
(99.38% on LFW at 0.6). Chosen on 66 real faces of 4 people (six public-domain photographs from
PyPI packages, benchmarks/real_faces.py, each through scale, crop, mirror, grade, blur, letterbox
and JPEG changes): one photograph's variants lie 0.00-0.42 apart, one person's different
photographs 0.31-0.49, different people 0.61-0.95; clustered in shuffled orders, at 0.4 and 0.45 a
person splits (pair recall 0.86, 0.93), at 0.5-0.6 purity, pair recall and precision are all
1.00. 0.5 is the lowest that kept each person whole: a wrong merge is harder to notice than a
split, which ``merge`` undoes in one command. Held out (benchmarks/faces.py --holdout: 218 faces,
6 named people and a child, 17 photographs of the face_recognition repository's examples): at 0.5
purity 1.00, pair precision 1.00, pair recall 0.96; different people as close as 0.56 there.
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


def _span(r) -> tuple[int, int]:
    start = r.get("track_start")
    end = r.get("track_end")
    return (r["frame"] if start is None else start, r["frame"] if end is None else end)


def together(a, b) -> bool:
    """Two faces (rows) on screen at once: same file and shot, their tracks' spans overlapping."""
    if a["media_id"] != b["media_id"] or a["shot_idx"] != b["shot_idx"] or a["id"] == b["id"]:
        return False
    (s1, e1), (s2, e2) = _span(a), _span(b)
    return s1 <= e2 and s2 <= e1


_FACE_COLS = "id, media_id, shot_idx, frame, track_start, track_end, person_id, detached"


def _conflict_groups(rows: list[dict]) -> list[list[dict]]:
    """The faces in groups seen together (connected by ``together``), in the order they appear."""
    rows = sorted(rows, key=lambda r: (r["media_id"], r["shot_idx"], _span(r)))
    groups: list[list[dict]] = []
    for r in rows:
        g = groups[-1] if groups else None
        if g and any(together(r, o) for o in g):
            g.append(r)
        else:
            groups.append([r])
    return groups


def assign_faces(catalog, face_ids: list[int], threshold: float = SAME_PERSON) -> int:
    """Cluster these (new) faces into people; returns how many people they went to.

    A face joins the nearest person whose centroid is under ``threshold`` away and who holds no
    face seen together with it (two faces on screen at once are two people); else it starts a new
    person. Faces already given a person (pinned by the user) stay and count as that person's.
    Faces seen together are placed nearest-first, so the likeliest of them takes a shared person.
    """
    if not face_ids:
        return 0
    cents, ids, counts = _centroids(catalog)
    cents, counts = list(cents), list(counts)
    slot = {pid: j for j, pid in enumerate(ids)}
    touched: set[int] = set()
    marks = ",".join("?" * len(face_ids))
    rows = catalog.query(f"SELECT {_FACE_COLS}, embedding FROM faces WHERE id IN ({marks}) AND detached = 0",
                         face_ids)
    media = sorted({r["media_id"] for r in rows})
    # faces of these files already placed (pinned now, or kept from before) are placed people's too
    placed = [r for r in catalog.query(
        f"SELECT {_FACE_COLS} FROM faces WHERE media_id IN ({','.join('?' * len(media))}) "
        "AND person_id IS NOT NULL", media)] if media else []
    for group in _conflict_groups(rows):
        todo = [r for r in group if r["person_id"] is None]
        if not todo:
            continue
        vecs = {r["id"]: vector(r["embedding"]) for r in todo}
        near = {r["id"]: (float(np.linalg.norm(np.stack(cents) - vecs[r["id"]], axis=1).min()) if cents else 9.0)
                for r in todo}
        for r in sorted(todo, key=lambda r: near[r["id"]]):
            v = vecs[r["id"]]
            banned = {slot[o["person_id"]] for o in placed if o["person_id"] in slot and together(r, o)}
            j = None
            if cents:
                d = np.linalg.norm(np.stack(cents) - v, axis=1)
                for k in np.argsort(d):
                    if d[k] >= threshold:
                        break
                    if int(k) not in banned:
                        j = int(k)
                        break
            if j is None:
                pid = catalog.insert("people", {"centroid": v.astype("<f4").tobytes(), "n": 1})
                ids.append(pid)
                cents.append(v)
                counts.append(1)
                j = slot[pid] = len(ids) - 1
            else:
                counts[j] += 1
                cents[j] = cents[j] + (v - cents[j]) / counts[j]
            catalog.execute("UPDATE faces SET person_id = ? WHERE id = ?", (ids[j], r["id"]))
            placed.append(dict(r, person_id=ids[j]))
            touched.add(j)
    for j in touched:
        catalog.execute("UPDATE people SET centroid = ?, n = ? WHERE id = ?",
                        (np.asarray(cents[j], "<f4").tobytes(), int(counts[j]), ids[j]))
    return len(touched)


def _pin(catalog, faces: list[dict], person_id: int | None) -> None:
    """Remember what the user said about these faces (rows with media_id, frame and box), by where they are."""
    for f in faces:
        catalog.execute("DELETE FROM face_pins WHERE media_id = ? AND frame = ? AND x = ? AND y = ?",
                        (f["media_id"], f["frame"], f["x"], f["y"]))
        catalog.insert("face_pins", {"media_id": f["media_id"], "frame": f["frame"], "x": f["x"], "y": f["y"],
                                     "w": f["w"], "h": f["h"], "person_id": person_id})


def apply_pins(catalog, media_id: int, face_ids: list[int]) -> int:
    """Give the user's word back to a re-indexed file's faces: each pin goes to the new face whose
    track covers the pinned frame with its box nearest the pinned box (within the box's size).
    Returns how many faces were pinned."""
    pins = catalog.query("SELECT * FROM face_pins WHERE media_id = ?", (media_id,))
    if not pins or not face_ids:
        return 0
    faces = catalog.query(f"SELECT {_FACE_COLS}, x, y, w, h FROM faces WHERE id IN ({','.join('?' * len(face_ids))})",
                          face_ids)
    taken: set[int] = set()
    for p in pins:
        best, best_d = None, 1.0
        for f in faces:
            s, e = _span(f)
            if f["id"] in taken or not s <= p["frame"] <= e:
                continue
            dx = abs((f["x"] + f["w"] / 2) - (p["x"] + p["w"] / 2)) / max(p["w"], 1e-6)
            dy = abs((f["y"] + f["h"] / 2) - (p["y"] + p["h"] / 2)) / max(p["h"], 1e-6)
            if max(dx, dy) <= best_d:
                best, best_d = f, max(dx, dy)
        if best is None:
            continue
        taken.add(best["id"])
        if p["person_id"] is None:
            catalog.execute("UPDATE faces SET person_id = NULL, detached = 1 WHERE id = ?", (best["id"],))
        else:
            catalog.execute("UPDATE faces SET person_id = ?, detached = 0 WHERE id = ?", (p["person_id"], best["id"]))
    return len(taken)


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
    """Each person with a name, counts and a few face ids (the largest faces first).

    ``faces``: face tracks (a face followed through a shot is one); ``shots``: shots they are
    in; ``files`` (also ``media``): files they are in."""
    out = []
    for p in catalog.query(
            "SELECT p.id, p.name, COUNT(f.id) AS faces, "
            "COUNT(DISTINCT CASE WHEN f.id IS NOT NULL THEN f.media_id || ':' || f.shot_idx END) AS shots, "
            "COUNT(DISTINCT f.media_id) AS files FROM people p LEFT JOIN faces f ON f.person_id = p.id "
            "GROUP BY p.id ORDER BY faces DESC, p.id"):
        if not p["faces"] and not with_empty:
            continue
        p["media"] = p["files"]
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


def _seen_together(a: list[dict], b: list[dict]) -> tuple[dict, dict] | None:
    return next(((x, y) for x in a for y in b if together(x, y)), None)


def _together_error(pair) -> QueryError:
    x, y = pair
    return QueryError(f"faces {x['id']} and {y['id']} are on screen together (file #{x['media_id']}, shot "
                      f"{x['shot_idx']}): they are two people, not one")


def _person_rows(catalog, pid) -> list[dict]:
    return catalog.query(f"SELECT {_FACE_COLS}, x, y, w, h FROM faces WHERE person_id = ?", (pid,))


def merge_people(catalog, refs: list) -> dict:
    """Everyone in ``refs`` becomes the first one (its name, else the first name among the others).

    Refused when two of their faces are on screen together. The merged faces are pinned to the
    person, so re-indexing their files keeps them there."""
    people = [find_person(catalog, r) for r in refs]
    if len({p["id"] for p in people}) < 2:
        raise QueryError("merge needs at least two different people")
    into, others = people[0], [p for p in people[1:] if p["id"] != people[0]["id"]]
    name = into["name"] or next((p["name"] for p in others if p["name"]), None)
    rows = {p["id"]: _person_rows(catalog, p["id"]) for p in people}
    held = list(rows[into["id"]])
    for p in others:
        pair = _seen_together(held, rows[p["id"]])
        if pair:
            raise _together_error(pair)
        held += rows[p["id"]]
    with catalog.transaction():
        for p in others:
            _pin(catalog, rows[p["id"]], into["id"])
            catalog.execute("UPDATE face_pins SET person_id = ? WHERE person_id = ?", (into["id"], p["id"]))
            catalog.execute("UPDATE faces SET person_id = ? WHERE person_id = ?", (into["id"], p["id"]))
            catalog.execute("DELETE FROM people WHERE id = ?", (p["id"],))
        catalog.execute("UPDATE people SET name = ? WHERE id = ?", (name, into["id"]))
        recompute(catalog, into["id"])
    return find_person(catalog, into["id"])


def split_person(catalog, face_ids: list[int], name: str | None = None) -> dict:
    """These faces leave their person(s) and become a new person (optionally named), pinned there.

    Refused when two of them are on screen together."""
    rows = _faces(catalog, face_ids)
    pair = next(((x, y) for i, x in enumerate(rows) for y in rows[i + 1:] if together(x, y)), None)
    if pair:
        raise _together_error(pair)
    with catalog.transaction():
        c = np.mean([vector(r["embedding"]) for r in rows], axis=0).astype("<f4")
        pid = catalog.insert("people", {"name": (name or "").strip() or None, "centroid": c.tobytes(), "n": len(rows)})
        catalog.execute(f"UPDATE faces SET person_id = ?, detached = 0 WHERE id IN ({','.join('?' * len(rows))})",
                        [pid, *[r["id"] for r in rows]])
        _pin(catalog, rows, pid)
        for old in {r["person_id"] for r in rows if r["person_id"]}:
            recompute(catalog, old)
    return find_person(catalog, pid)


def remove_face(catalog, face_id: int) -> None:
    """The face leaves its person for good (not clustered again until split into a person), also
    after its file is re-indexed."""
    (row,) = _faces(catalog, [face_id])
    with catalog.transaction():
        catalog.execute("UPDATE faces SET person_id = NULL, detached = 1 WHERE id = ?", (row["id"],))
        _pin(catalog, [row], None)
        if row["person_id"]:
            recompute(catalog, row["person_id"])


def _faces(catalog, face_ids) -> list[dict]:
    ids = [int(i) for i in face_ids]
    if not ids:
        raise QueryError("give at least one face id (framesense people faces NAME lists them)")
    rows = catalog.query(f"SELECT {_FACE_COLS}, x, y, w, h, embedding FROM faces "
                         f"WHERE id IN ({','.join('?' * len(ids))})", ids)
    missing = sorted(set(ids) - {r["id"] for r in rows})
    if missing:
        raise QueryError(f"no face with id {', '.join(map(str, missing))}")
    return rows

