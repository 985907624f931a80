"""Face descriptors for search, kept in memory-mapped files beside the catalog.

Reading every face's float16 blob out of SQLite for each ``search --face`` cost 2.4 s at 200k
faces (3.4 s at 1M). Here the descriptors are copied once into ``LIBRARY/cache/faces/`` and a
query is a chunked matrix-vector product over files the operating system keeps in its page
cache. The product runs over an int8 copy (128 B a face, 128 MB at 1M faces): numpy converts
int8 to float32 about five times faster than float16 on this CPU, and a first version over the
float16 matrix took ~1 s a query at 1M faces (benchmarks/faces.py has today's figure). Each row
keeps its scale and the distance between it and its int8 rounding (rounded up), so by the
triangle inequality no face within the threshold is missed; the few candidates are then measured
from the float16 matrix exactly as a scan of the catalog measures them, so results are the same.

The catalog stays the source of truth: triggers on ``faces`` count changes in ``face_changes``
(catalog/migrations/faces.py); the cache appends new faces, counts deletions (a search then
checks that its few matches still exist; past a quarter of the rows the files are rewritten
without the gone ones), and rebuilds when an id was handed out again or the counters went back
(an older catalog put back).
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
from ..atomic_files import write_atomic

DIM = 128
CHUNK = 1 << 15              # rows per block (16 MB of float32 per thread)
THREADS = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
MARGIN = 1e-3                # slack for float32 rounding in the int8 pass's distances
PARTS = {"matrix": ("<f2", DIM),     # the descriptors as stored in the catalog
         "q8": ("i1", DIM),          # rounded to int8: row * scale ~ descriptor
         "scale": ("<f4", None),
         "qsq": ("<f4", None),       # squared norm of the int8 row times its scale
         "err": ("<f4", None),       # distance from the descriptor to that, rounded up
         "ids": ("<i8", None), "shots": ("<i8", None)}


@dataclass
class CacheState:
    token: str                # file name stem of the current files
    count: int                # rows in the files
    max_id: int               # highest face id in them
    hi: int                   # face_changes as it was when they were last brought in step
    deleted: int
    reused: int
    dead: int = 0             # faces deleted since the files were written (an upper bound on gone rows)


_OPEN: dict[str, "FaceIndex"] = {}


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
    """The catalog's face descriptors as arrays (``PARTS``), ``ids`` ascending, ``shots`` -1 for none."""

    def __init__(self, catalog):
        self.catalog = catalog
        self.dir = cache_dir(catalog)
        self.state: CacheState | None = None
        for part in PARTS:
            setattr(self, part, None)

    @classmethod
    def open(cls, catalog) -> "FaceIndex | None":
        """The cache in step with the catalog, or None where it cannot be written (search then scans).

        A process keeps the last one mapped per library, so later searches touch warm pages."""
        key = str(cache_dir(catalog))
        index = _OPEN.get(key)
        if index is not None and index.state is not None:
            index.catalog, st = catalog, index.state
            if index._stamp() == (st.hi, st.deleted, st.reused) and index._read_state() == st:
                return index
        index = cls(catalog)
        _OPEN.pop(key, None)
        try:
            index.refresh()
        except OSError:
            st = index._read_state()
            if st is None or index._stamp() != (st.hi, st.deleted, st.reused):
                return None
            index._map(st)
        _OPEN[key] = index
        while len(_OPEN) > 4:                   # libraries opened earlier in this process
            _OPEN.pop(next(iter(_OPEN)))
        return index

    def __len__(self):
        """Faces in the cache: its rows less the faces deleted since (exact unless some of those
        were added and deleted between two searches)."""
        return 0 if self.state is None else max(0, self.state.count - self.state.dead)

    @property
    def rows(self) -> int:
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
        write_atomic(self.dir / "state.json", json.dumps(asdict(st)))

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
            went_back = st is not None and any(now < was for now, was in zip(stamp, (st.hi, st.deleted, st.reused)))
            if st is None or st.reused != stamp[2] or went_back:     # went back: an older catalog restored
                st = self._copy_rows(CacheState(secrets.token_hex(6), 0, 0, *stamp), None)
            else:
                st.dead += stamp[1] - st.deleted   # searches check their few candidates still exist
                if st.dead * 4 > st.count:
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
        v = vecs.astype(np.float32)
        scale = np.abs(v).max(axis=1) / np.float32(127)
        scale[scale == 0] = 1
        q8 = np.clip(np.rint(v / scale[:, None]), -127, 127).astype(np.int8)
        approx = q8 * scale[:, None]
        err = np.sqrt(np.einsum("ij,ij->i", v - approx, v - approx))
        parts = {"matrix": vecs.astype("<f2"), "q8": q8, "scale": scale.astype("<f4"),
                 "qsq": np.einsum("ij,ij->i", approx, approx).astype("<f4"),
                 "err": (err * np.float32(1 + 1e-5) + np.float32(1e-7)).astype("<f4"),   # float32 rounding: up
                 "ids": ids.astype("<i8"), "shots": shots.astype("<i8")}
        for part, arr in parts.items():
            files[part].write(np.ascontiguousarray(arr).tobytes())

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
        """New files holding only the rows whose faces are still in the catalog, copied as they are."""
        # The ids from the smallest index, not the table (whose rows carry descriptors and crops).
        live = np.sort(np.fromiter((r[0] for r in self.catalog.execute(
            "SELECT id FROM faces INDEXED BY faces_by_person WHERE id <= ?", (st.max_id,))), np.int64))
        self._map(st)
        pos = np.minimum(np.searchsorted(live, self.ids), max(len(live) - 1, 0))
        keep = np.nonzero(live[pos] == self.ids)[0] if len(live) else np.zeros(0, np.int64)
        # Appending resumes after the old top id even if that face is gone: a new face never takes
        # an id at or below ``hi`` without counting as reused (which rebuilds instead).
        new = CacheState(secrets.token_hex(6), len(keep), st.max_id, st.hi, st.deleted, st.reused)
        for part in PARTS:
            src = getattr(self, part)
            with open(self._path(new.token, part), "wb") as f:
                for a in range(0, len(keep), CHUNK):
                    f.write(np.ascontiguousarray(src[keep[a: a + CHUNK]]).tobytes())
        return new

    # -- queries --------------------------------------------------------------------------------
    def within(self, target: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(face ids, shot ids, distances) of the faces closer than ``threshold`` to ``target``."""
        t = np.asarray(target, dtype=np.float32).ravel()
        starts = list(range(0, self.rows, CHUNK))
        workers = min(THREADS, len(starts))
        if workers > 1:    # numpy lets go of the GIL while it converts and sums
            from concurrent.futures import ThreadPoolExecutor
            with ThreadPoolExecutor(workers) as pool:
                parts = list(pool.map(lambda k: self._candidates(t, threshold, starts[k::workers]), range(workers)))
        else:
            parts = [self._candidates(t, threshold, starts)]
        rows = np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
        d = np.linalg.norm(np.asarray(self.matrix[rows], dtype=np.float32) - t, axis=1)   # as the scan does
        ok = d < threshold
        rows, d = rows[ok], d[ok]
        ids = np.asarray(self.ids[rows])
        if self.state.dead:      # faces deleted since the files were written: keep those still there
            there = self._existing(ids)
            rows, ids, d = rows[there], ids[there], d[there]
        return ids, np.asarray(self.shots[rows]), d

    def _existing(self, ids: np.ndarray) -> np.ndarray:
        found: set[int] = set()
        for a in range(0, len(ids), 500):
            part = [int(i) for i in ids[a: a + 500]]
            found.update(r[0] for r in self.catalog.execute(
                f"SELECT id FROM faces WHERE id IN ({','.join('?' * len(part))})", part))
        return np.fromiter((int(i) in found for i in ids), bool, len(ids))

    def _candidates(self, t: np.ndarray, threshold: float, starts: list[int]) -> np.ndarray:
        """Rows (of the blocks at ``starts``) whose int8 distance allows them within ``threshold``."""
        tt = np.float32(t @ t)
        buf = np.empty((CHUNK, DIM), np.float32)      # reused: no fresh pages per block
        out = [np.zeros(0, np.int64)]
        for a in starts:
            b = min(a + CHUNK, self.rows)
            x = buf[: b - a]
            np.copyto(x, self.q8[a:b], casting="unsafe")
            # einsum, not BLAS: as fast on one thread, and BLAS's own threads under ours cost 3x on 2 cores
            d2 = self.qsq[a:b] - 2.0 * self.scale[a:b] * np.einsum("ij,j->i", x, t) + tt
            lower = np.sqrt(np.maximum(d2, 0)) - self.err[a:b]      # no face in the row is nearer than this
            out.append(np.nonzero(lower < threshold + MARGIN)[0] + a)
        return np.concatenate(out)


def best_per_shot(ids: np.ndarray, shots: np.ndarray, dists: np.ndarray) -> dict[int, tuple[float, int]]:
    """{shot id: (distance, face id)} of each shot's closest face (the lowest id on a tie); no-shot faces dropped."""
    keep = shots >= 0
    ids, shots, dists = ids[keep], shots[keep], dists[keep]
    order = np.lexsort((ids, dists))
    shots_sorted = shots[order]
    _, first = np.unique(shots_sorted, return_index=True)
    pick = order[first]
    return {int(s): (float(d), int(i)) for s, d, i in zip(shots[pick], dists[pick], ids[pick])}
