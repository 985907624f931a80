"""The face search cache (search/face_index.py) against a scan of the catalog: the same matches,
and in step after faces are added, deleted, re-indexed, or an id is handed out again."""

from __future__ import annotations

import numpy as np
import pytest

from framesense.catalog import Catalog
from framesense.search.face_index import FaceIndex
from framesense.search.faces import face_matches, scan_face_matches

DIM = 128


def _unit(rng, n):
    v = rng.normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True) * 0.6


class Lib:
    """A real catalog holding faces around a few centres (some within 0.5 of a centre, some not)."""

    def __init__(self, path):
        self.cat = Catalog.open(path)
        self.rng = np.random.default_rng(7)
        self.centres = _unit(self.rng, 3)
        self.media = []

    def add_media(self, name, shots=4, faces_per_shot=6):
        with self.cat.transaction():
            mid = self.cat.insert("media", {"path": f"/{name}.mov", "folder": "/", "name": f"{name}.mov",
                                            "status": "indexed"})
            for s in range(shots):
                sid = self.cat.insert("shots", {"media_id": mid, "idx": s, "start_frame": s * 10,
                                                "end_frame": s * 10 + 10})
                self.add_faces(mid, sid, s, faces_per_shot)
        self.media.append(mid)
        return mid

    def add_faces(self, mid, sid, idx, n):
        for k in range(n):
            c = self.centres[self.rng.integers(len(self.centres))]
            v = c + self.rng.normal(scale=self.rng.choice([0.01, 0.03, 0.06]), size=DIM)
            self.cat.insert("faces", {"media_id": mid, "shot_id": sid, "shot_idx": idx, "frame": idx * 10 + k,
                                      "x": 0, "y": 0, "w": .1, "h": .1, "score": 1,
                                      "embedding": v.astype("<f2").tobytes(), "model": "t"})

    def check(self):
        """Every centre (and a far vector) finds exactly what the scan finds, distances included."""
        targets = list(self.centres) + [_unit(self.rng, 1)[0]]
        for t in targets:
            for thr in (0.3, 0.5):
                got, want = face_matches(self.cat, t, thr), scan_face_matches(self.cat, t, thr)
                assert {s: (d, r["id"]) for s, (d, r) in got.items()} == \
                       {s: (d, r["id"]) for s, (d, r) in want.items()}
        return FaceIndex.open(self.cat)


@pytest.fixture
def lib(tmp_path):
    lib = Lib(tmp_path / "lib")
    yield lib
    lib.cat.close()


def test_cache_matches_the_catalog_scan_and_follows_every_change(lib):
    lib.add_media("a")
    lib.add_media("b")
    idx = lib.check()
    assert len(idx) == 48 and list(idx.ids) == sorted(idx.ids)
    some = face_matches(lib.cat, lib.centres[0], 0.5)
    assert some and all(d < 0.5 for d, _ in some.values())          # the fixture has matches to compare

    # Unchanged catalog: the same files, nothing rewritten.
    token = idx.state.token
    assert FaceIndex.open(lib.cat).state.token == token

    # New faces: appended to the same files.
    lib.add_media("c")
    idx = lib.check()
    assert len(idx) == 72 and idx.state.token == token

    # A file re-indexed: its faces deleted and found again (new ids).
    with lib.cat.transaction():
        lib.cat.execute("DELETE FROM faces WHERE media_id = ?", (lib.media[0],))
        sid = lib.cat.one("SELECT id FROM shots WHERE media_id = ? AND idx = 1", (lib.media[0],))["id"]
        lib.add_faces(lib.media[0], sid, 1, 5)
    idx = lib.check()
    assert len(idx) == 53 and idx.state.token != token
    assert set(idx.ids) == {r["id"] for r in lib.cat.query("SELECT id FROM faces")}

    # Shots re-detected (faces go by cascade): the deletions counted, the files kept (searches
    # check their matches still exist; the comparison with the scan above proves they do).
    token = idx.state.token
    with lib.cat.transaction():
        lib.cat.execute("DELETE FROM shots WHERE media_id = ? AND idx = 0", (lib.media[1],))
    idx = lib.check()
    assert len(idx) == 47 and idx.state.dead == 6 and idx.state.token == token
    lib.add_media("d", shots=1, faces_per_shot=3)                     # appended after marked rows
    idx = lib.check()
    assert len(idx) == 50 and idx.state.dead == 6 and idx.state.token == token
    # A whole file removed: over a quarter of the rows gone, so the files are rewritten without them.
    with lib.cat.transaction():
        lib.cat.execute("DELETE FROM media WHERE id = ?", (lib.media[2],))
    idx = lib.check()
    assert len(idx) == 26 and idx.state.dead == 0 and idx.state.token != token
    assert list(idx.ids) == [r["id"] for r in lib.cat.query("SELECT id FROM faces ORDER BY id")]
    assert sorted(p.name.split(".")[0] for p in idx.dir.iterdir() if p.suffix not in (".json", "")) \
        == [idx.state.token] * 7                                       # earlier files removed


def test_an_id_handed_out_again_rebuilds_the_cache(lib):
    lib.add_media("a")
    idx = lib.check()
    top = int(idx.ids[-1])
    with lib.cat.transaction():   # SQLite gives the deleted top id to the next face
        row = lib.cat.one("SELECT media_id, shot_id, shot_idx FROM faces WHERE id = ?", (top,))
        lib.cat.execute("DELETE FROM faces WHERE id = ?", (top,))
        lib.add_faces(row["media_id"], row["shot_id"], row["shot_idx"], 1)
    assert lib.cat.one("SELECT MAX(id) AS m FROM faces")["m"] == top
    new = lib.check()
    assert new.state.token != idx.state.token and len(new) == len(idx)
    stored = np.frombuffer(lib.cat.one("SELECT embedding FROM faces WHERE id = ?", (top,))["embedding"], "<f2")
    assert np.array_equal(np.asarray(new.matrix[-1]), stored)        # the new face, not the old one


def test_a_killed_writer_and_an_unwritable_cache(lib, monkeypatch):
    lib.add_media("a")
    idx = lib.check()
    # A writer killed mid-append leaves bytes past the recorded count: they are cut off.
    with open(idx._path(idx.state.token, "matrix"), "ab") as f:
        f.write(b"\x00" * 1000)
    lib.add_media("b")
    assert len(lib.check()) == 48
    # A cache that cannot be written (read-only library): search falls back to the scan.
    monkeypatch.setattr(FaceIndex, "refresh", lambda self: (_ for _ in ()).throw(PermissionError("read-only")))
    lib.add_media("c")
    assert FaceIndex.open(lib.cat) is None
    lib.check()


def test_an_older_catalog_put_back_rebuilds_the_cache(lib, tmp_path):
    """A catalog restored from a copy made before faces were added: the cache forgets those faces."""
    import shutil
    lib.add_media("a")
    lib.check()
    lib.cat.close()
    shutil.copy(lib.cat.path, tmp_path / "old.sqlite")
    lib.cat = Catalog.open(lib.cat.dir)
    lib.add_media("b")
    assert len(lib.check()) == 48
    lib.cat.close()
    shutil.copy(tmp_path / "old.sqlite", lib.cat.path)
    for extra in ("-wal", "-shm"):
        (lib.cat.path.parent / (lib.cat.path.name + extra)).unlink(missing_ok=True)
    lib.cat = Catalog.open(lib.cat.dir)
    assert len(lib.check()) == 24


def test_a_deleted_best_face_gives_way_to_the_next_in_its_shot(lib):
    """A face removed from the catalog but still in the cache's files must not stand for its shot."""
    lib.add_media("a", shots=2, faces_per_shot=12)
    lib.check()
    target = lib.centres[0]
    best = face_matches(lib.cat, target, 0.5)
    sid, (d, row) = min(best.items(), key=lambda kv: kv[1][0])
    others = lib.cat.query("SELECT COUNT(*) AS n FROM faces WHERE shot_id = ?", (sid,))[0]["n"]
    assert others > 1
    with lib.cat.transaction():
        lib.cat.execute("DELETE FROM faces WHERE id = ?", (row["id"],))
    idx = lib.check()                                  # equals the scan: the shot's next face, or no hit
    assert idx.state.dead == 1 and len(idx) == 23      # the files were kept
    after = face_matches(lib.cat, target, 0.5)
    assert sid not in after or after[sid][1]["id"] != row["id"]
