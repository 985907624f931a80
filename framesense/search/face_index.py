"""Face descriptors for search, kept in a memory-mapped float16 matrix beside the catalog.

Reading every face's float16 blob out of SQLite for each ``search --face`` cost 2.4 s at 200k
faces. Here the descriptors are copied once into ``LIBRARY/cache/faces/`` (a float16 matrix,
squared norms, face and shot ids) and a query is a chunked matmul over the mapped matrix:
about 1M x 128 x 2 B = 256 MB that the operating system keeps in its page cache
(``benchmarks/faces.py`` measures it). The catalog stays the source of truth: triggers on
``faces`` count changes in ``face_changes`` (catalog/migrations/faces.py), and the cache
appends new faces, drops deleted ones, or rebuilds when an id was handed out again.

Distances are exactly those of a scan of the catalog: the matmul only proposes candidates
(with a margin), whose distances are then computed as the scan computes them.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

DIM = 128
CHUNK = 1 << 16              # rows per matmul block (16 MB of float32)
MARGIN = 1e-3                # candidate radius slack over the threshold (float rounding of |e|^2 - 2e.t + |t|^2)
PARTS = {"matrix": ("<f2", DIM), "sq": ("<f4", None), "ids": ("<i8", None), "shots": ("<i8", None)}


@dataclass
class CacheState:
    token: str                # file name stem of the current files
    count: int                # rows in the files
    max_id: int               # highest face id in them
    hi: int                   # face_changes as it was when they were last brought in step
    deleted: int
    reused: int


def cache_dir(catalog) -> Path:
    return Path(catalog.dir) / "cache" / "faces"


@contextmanager
def _locked(folder: Path):
    """One process at a time brings the cache in step (readers of finished files need no lock)."""
    fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            import fcntl
            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:   # Windows: msvcrt retries for 10 s per call
            import msvcrt
            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    time.sleep(0.1)
        yield
    finally:
        os.close(fd)


class FaceIndex:
    """The catalog's face descriptors as arrays: ``matrix`` (n, 128) float16, ``sq`` their squared
    norms, ``ids`` face ids (ascending) and ``shots`` shot ids (-1 for none)."""

    def __init__(self, catalog):
        self.catalog = catalog
        self.dir = cache_dir(catalog)
        self.state: CacheState | None = None
        self.matrix = self.sq = self.ids = self.shots = None

    @classmethod
    def open(cls, catalog) -> "FaceIndex | None":
        """The cache in step with the catalog, or None where it cannot be written (search then scans)."""
        index = cls(catalog)
        try:
            index.refresh()
        except OSError:
            st = index._read_state()
            if st is None or index._stamp() != (st.hi, st.deleted, st.reused):
                return None
            index._map(st)
        return index

    def __len__(self):
        return 0 if self.state is None else self.state.count

    # -- files ---------------------------------------------------------------------------------
    def _path(self, token: str, part: str) -> Path:
        return self.dir / f"{token}.{part}"

    def _read_state(self) -> CacheState | None:
        try:
            st = CacheState(**json.loads((self.dir / "state.json").read_text()))
        except (OSError, ValueError, TypeError):
            return None
        if not all(self._path(st.token, p).is_file() for p in PARTS):
            return None
        return st

    def _write_state(self, st: CacheState):
        tmp = self.dir / "state.json.tmp"
        tmp.write_text(json.dumps(asdict(st)))
        os.replace(tmp, self.dir / "state.json")

    def _stamp(self) -> tuple[int, int, int]:
        r = self.catalog.one("SELECT hi, deleted, reused FROM face_changes")
        return (r["hi"], r["deleted"], r["reused"]) if r else (0, 0, 0)

    def _map(self, st: CacheState):
        self.state = st
        for part, (dtype, width) in PARTS.items():
            shape = (st.count, width) if width else (st.count,)
            arr = (np.memmap(self._path(st.token, part), dtype=dtype, mode="r", shape=shape) if st.count
                   else np.zeros(shape, dtype))
            setattr(self, part, arr)

    # -- keeping in step -----------------------------------------------------------------------
    def refresh(self):
        """Nothing when the catalog's faces did not change; else append, drop deleted rows, or rebuild."""
        self.dir.mkdir(parents=True, exist_ok=True)
        st = self._read_state()
        stamp = self._stamp()
        if st is not None and (st.hi, st.deleted, st.reused) == stamp:
            self._map(st)
            return
        with _locked(self.dir):
            st = self._read_state()            # another process may have done it meanwhile
            stamp = self._stamp()              # read before the rows: changes after it are seen next time
            if st is not None and (st.hi, st.deleted, st.reused) == stamp:
                self._map(st)
                return
            old = {p for p in os.listdir(self.dir) if p.split(".")[-1] in PARTS}
            if st is None or st.reused != stamp[2]:
                st = self._copy_rows(CacheState(secrets.token_hex(6), 0, 0, *stamp), None)
            else:
                if st.deleted != stamp[1]:
                    st = self._compact(st)
                st = self._copy_rows(st, st.max_id)
            st.hi, st.deleted, st.reused = stamp
            self._write_state(st)
            for name in old:                   # files of an earlier token (readers keep their mappings)
                if not name.startswith(st.token + "."):
                    try:
                        (self.dir / name).unlink()
                    except OSError:
                        pass
        self._map(st)

    def _open_parts(self, st: CacheState, mode: str) -> dict:
        files = {}
        for part, (dtype, width) in PARTS.items():
            f = open(self._path(st.token, part), mode)
            f.truncate(st.count * np.dtype(dtype).itemsize * (width or 1))   # a killed writer's tail
            files[part] = f
        return files

    def _write(self, files, ids, shots, vecs):
        v32 = vecs.astype(np.float32)
        files["matrix"].write(vecs.astype("<f2").tobytes())
        files["sq"].write(np.einsum("ij,ij->i", v32, v32).astype("<f4").tobytes())
        files["ids"].write(ids.astype("<i8").tobytes())
        files["shots"].write(shots.astype("<i8").tobytes())

    def _copy_rows(self, st: CacheState, after_id: int | None) -> CacheState:
        """Append the catalog's faces with id > after_id (all of them into new files when None)."""
        if after_id is None:
            for part in PARTS:
                self._path(st.token, part).write_bytes(b"")
        files = self._open_parts(st, "r+b")
        try:
            for f in files.values():
                f.seek(0, os.SEEK_END)
            cur = self.catalog.execute("SELECT id, COALESCE(shot_id, -1), embedding FROM faces WHERE id > ? "
                                       "ORDER BY id", (after_id or 0,))
            while True:
                batch = cur.fetchmany(CHUNK)
                if not batch:
                    break
                ids = np.fromiter((r[0] for r in batch), np.int64, len(batch))
                shots = np.fromiter((r[1] for r in batch), np.int64, len(batch))
                vecs = np.frombuffer(b"".join(r[2] for r in batch), dtype="<f2").reshape(len(batch), DIM)
                self._write(files, ids, shots, vecs)
                st.count += len(batch)
                st.max_id = int(ids[-1])
        finally:
            for f in files.values():
                f.close()
        return st

    def _compact(self, st: CacheState) -> CacheState:
        """New files holding only the cached rows whose faces are still in the catalog."""
        live = np.fromiter((r[0] for r in self.catalog.execute("SELECT id FROM faces WHERE id <= ? ORDER BY id",
                                                               (st.max_id,))), np.int64)
        self._map(st)
        pos = np.searchsorted(live, self.ids)
        keep = np.nonzero((pos < len(live)) & (live[np.minimum(pos, len(live) - 1)] == self.ids))[0] \
            if len(live) else np.zeros(0, np.int64)
        new = CacheState(secrets.token_hex(6), 0, 0, st.hi, st.deleted, st.reused)
        for part in PARTS:
            self._path(new.token, part).write_bytes(b"")
        files = self._open_parts(new, "r+b")
        try:
            for a in range(0, len(keep), CHUNK):
                rows = keep[a: a + CHUNK]
                self._write(files, self.ids[rows], self.shots[rows], np.asarray(self.matrix[rows]))
            new.count = len(keep)
        finally:
            for f in files.values():
                f.close()
        # Appending resumes after the old top id even if that face is gone: a new face never takes
        # an id at or below ``hi`` without counting as reused (which rebuilds instead).
        new.max_id = st.max_id
        self.matrix = self.sq = self.ids = self.shots = None
        return new

    # -- queries --------------------------------------------------------------------------------
    def within(self, target: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(face ids, shot ids, distances) of the faces closer than ``threshold`` to ``target``."""
        t = np.asarray(target, dtype=np.float32).ravel()
        tt = float(t @ t)
        radius = (threshold + MARGIN) ** 2
        out_ids, out_shots, out_d = [], [], []
        for a in range(0, len(self), CHUNK):
            block = np.asarray(self.matrix[a: a + CHUNK], dtype=np.float32)
            d2 = self.sq[a: a + CHUNK] - 2.0 * (block @ t) + tt
            near = np.nonzero(d2 < radius)[0]
            if not near.size:
                continue
            d = np.linalg.norm(block[near] - t, axis=1)      # as the catalog scan computes it
            ok = d < threshold
            near = near[ok] + a
            out_ids.append(np.asarray(self.ids[near]))
            out_shots.append(np.asarray(self.shots[near]))
            out_d.append(d[ok])
        if not out_ids:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
        return np.concatenate(out_ids), np.concatenate(out_shots), np.concatenate(out_d)


def best_per_shot(ids: np.ndarray, shots: np.ndarray, dists: np.ndarray) -> dict[int, tuple[float, int]]:
    """{shot id: (distance, face id)} of each shot's closest face (the lowest id on a tie); no-shot faces dropped."""
    keep = shots >= 0
    ids, shots, dists = ids[keep], shots[keep], dists[keep]
    order = np.lexsort((ids, dists))
    shots_sorted = shots[order]
    _, first = np.unique(shots_sorted, return_index=True)
    pick = order[first]
    return {int(s): (float(d), int(i)) for s, d, i in zip(shots[pick], dists[pick], ids[pick])}
