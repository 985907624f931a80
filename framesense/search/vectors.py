"""Nearest frames by cosine similarity: a cache beside the catalog, never the source of truth.

The catalog's ``frame_embeddings`` rows are copied into a memory-mapped float16 matrix
under ``LIBRARY/cache/vectors/<model>/``. Small collections are searched exactly (a
chunked matmul); above ``APPROX_THRESHOLD`` rows an HNSW graph (hnswlib) answers
instead. The cache records (count, max rowid, model); when the catalog only grew, new
rows are appended to the matrix and the graph, otherwise both are rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ..atomic_files import atomic_path, write_atomic

APPROX_THRESHOLD = 10_000
CHUNK = 1 << 17
# Measured at 1M clustered 512-d vectors (benchmarks/visual.py): M=16/ef_construction=128
# gave recall@10 0.62 at ef=96 and 0.90 at ef=400; M=32, ef_construction=200, ef=400: recall@10 1.0 at 1M x 512 (p95 5 ms, one thread), see
# benchmarks/visual.py; M=16/128 reached only 0.90 at 1M with the same search breadth.
HNSW = dict(connectivity=32, expansion_add=200, expansion_search=400)


def exact_topk(matrix: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(positions, scores) of the k rows with the highest dot product, best first."""
    q = np.asarray(query, dtype=np.float32).ravel()
    n = matrix.shape[0]
    if n == 0:
        return np.empty(0, np.int64), np.empty(0, np.float32)
    best_pos, best_score = [], []
    for a in range(0, n, CHUNK):
        block = np.asarray(matrix[a: a + CHUNK], dtype=np.float32)
        s = block @ q
        kk = min(k, s.size)
        idx = np.argpartition(-s, kk - 1)[:kk]
        best_pos.append(idx + a)
        best_score.append(s[idx])
    pos = np.concatenate(best_pos)
    score = np.concatenate(best_score)
    order = np.argsort(-score, kind="stable")[:k]
    return pos[order], score[order]


class ApproxIndex:
    """HNSW graph over the same rows (labels are matrix positions).

    hnswlib, chosen by benchmarks/visual.py on this CPU: at 100k x 512 it built in 83 s
    against usearch's 188 s and answered in 0.5 ms p50 against 1.2 ms, both at recall@10 1.0
    (usearch stores f16, half the memory, but this CPU has no native f16 arithmetic).
    """

    def __init__(self, dim: int, path: Path | None = None, capacity: int = 0):
        import hnswlib
        self.dim = dim
        self.path = path
        self.index = hnswlib.Index(space="ip", dim=dim)
        if path is not None and path.exists():
            self.index.load_index(str(path), max_elements=max(capacity, 1))
        else:
            self.index.init_index(max_elements=max(capacity, 1024), ef_construction=HNSW["expansion_add"],
                                  M=HNSW["connectivity"])
        self.index.set_ef(HNSW["expansion_search"])

    def __len__(self):
        return self.index.get_current_count()

    def add(self, start: int, vectors: np.ndarray):
        n = len(vectors)
        if not n:
            return
        need = start + n
        if need > self.index.get_max_elements():
            self.index.resize_index(max(need, int(self.index.get_max_elements() * 1.5)))
        for a in range(0, n, CHUNK):
            block = np.asarray(vectors[a: a + CHUNK], dtype=np.float32)
            self.index.add_items(block, np.arange(start + a, start + a + len(block)))

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, len(self))
        self.index.set_ef(max(HNSW["expansion_search"], k))
        labels, dist = self.index.knn_query(np.asarray(query, dtype=np.float32).reshape(1, -1), k=k)
        return labels[0].astype(np.int64), (1.0 - dist[0]).astype(np.float32)

    def save(self):
        with atomic_path(self.path) as tmp:
            self.index.save_index(str(tmp))


@dataclass
class CacheState:
    model: str
    dim: int
    count: int
    max_id: int


class VectorIndex:
    """The frame vectors of one model, kept in step with the catalog."""

    def __init__(self, catalog, model: str, approx_threshold: int = APPROX_THRESHOLD):
        self.catalog = catalog
        self.model = model
        self.approx_threshold = approx_threshold
        key = hashlib.blake2b(model.encode(), digest_size=8).hexdigest()
        self.dir = Path(catalog.dir) / "cache" / "vectors" / key
        self.matrix: np.ndarray | None = None
        self.ids: np.ndarray | None = None
        self.approx: ApproxIndex | None = None
        self.state: CacheState | None = None
        self.refresh()

    # -- cache files -------------------------------------------------------
    def _read_state(self) -> CacheState | None:
        try:
            return CacheState(**json.loads((self.dir / "state.json").read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def _write_state(self, st: CacheState):
        write_atomic(self.dir / "state.json", json.dumps(vars(st)))

    def _rows(self, after_id: int = 0):
        cur = self.catalog.execute(
            "SELECT id, dim, vector FROM frame_embeddings WHERE model = ? AND id > ? ORDER BY id",
            (self.model, after_id))
        while True:
            batch = cur.fetchmany(8192)
            if not batch:
                return
            ids = np.fromiter((r[0] for r in batch), dtype=np.int64, count=len(batch))
            vecs = np.frombuffer(b"".join(r[2] for r in batch), dtype="<f2").reshape(len(batch), batch[0][1])
            yield ids, vecs

    def _append(self, start_count: int, after_id: int) -> tuple[int, int, int]:
        """Append rows with id > after_id to the files (cut back to start_count first)."""
        dim, count, max_id = None, start_count, after_id
        mpath, ipath = self.dir / "matrix.f16", self.dir / "ids.i64"
        st = self.state
        if st:
            dim = st.dim
        for p, width in ((mpath, None), (ipath, 8)):
            if p.exists():
                row_bytes = (dim * 2) if width is None else width
                with open(p, "r+b") as f:
                    f.truncate(start_count * row_bytes if row_bytes else 0)
        with open(mpath, "ab") as mf, open(ipath, "ab") as idf:
            for ids, vecs in self._rows(after_id):
                dim = vecs.shape[1]
                mf.write(vecs.astype("<f2").tobytes())
                idf.write(ids.astype("<i8").tobytes())
                count += len(ids)
                max_id = int(ids[-1])
        return dim or 0, count, max_id

    def refresh(self):
        """Bring the cache in step with the catalog: nothing, append, or rebuild."""
        row = self.catalog.one("SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS m, MAX(dim) AS d "
                               "FROM frame_embeddings WHERE model = ?", (self.model,))
        n, max_id = row["n"], row["m"]
        self.dir.mkdir(parents=True, exist_ok=True)
        st = self._read_state()
        ann_path = self.dir / "hnsw.bin"
        fresh = st is not None and st.model == self.model and st.count == n and st.max_id == max_id
        if not fresh:
            grew = (st is not None and st.model == self.model and n > st.count and
                    self.catalog.one("SELECT COUNT(*) AS c FROM frame_embeddings WHERE model = ? AND id <= ?",
                                     (self.model, st.max_id))["c"] == st.count)
            self.state = st if grew else None
            if not grew:
                ann_path.unlink(missing_ok=True)
                for p in (self.dir / "matrix.f16", self.dir / "ids.i64"):
                    p.unlink(missing_ok=True)
            old_count = st.count if grew else 0
            dim, count, new_max = self._append(old_count, st.max_id if grew else 0)
            st = CacheState(self.model, dim or (st.dim if st else 0), count, new_max)
            self._map(st)
            if count >= self.approx_threshold:
                ann = ApproxIndex(st.dim, ann_path if grew else None, capacity=count)
                ann.path = ann_path
                have = len(ann)
                ann.add(have, self.matrix[have:count])
                ann.save()
            self._write_state(st)
        self._map(st)
        self.state = st
        if st.count >= self.approx_threshold:
            self.approx = ApproxIndex(st.dim, ann_path, capacity=st.count) if ann_path.exists() else None
            if self.approx is None or len(self.approx) != st.count:  # a kill between the files: rebuild the graph
                ann_path.unlink(missing_ok=True)
                self.approx = ApproxIndex(st.dim, None, capacity=st.count)
                self.approx.path = ann_path
                self.approx.add(0, self.matrix)
                self.approx.save()
        else:
            self.approx = None

    def _map(self, st: CacheState):
        if st.count == 0 or not st.dim:
            self.matrix = np.zeros((0, max(st.dim, 1)), dtype=np.float16)
            self.ids = np.zeros(0, dtype=np.int64)
            return
        self.matrix = np.memmap(self.dir / "matrix.f16", dtype="<f2", mode="r", shape=(st.count, st.dim))
        self.ids = np.memmap(self.dir / "ids.i64", dtype="<i8", mode="r", shape=(st.count,))

    # -- queries -------------------------------------------------------------
    def __len__(self):
        return 0 if self.state is None else self.state.count

    def search(self, query: np.ndarray, k: int, exact: bool | None = None) -> list[tuple[int, float]]:
        """[(frame_embeddings.id, score)] best first."""
        if len(self) == 0:
            return []
        k = min(k, len(self))
        if exact or self.approx is None:
            pos, score = exact_topk(self.matrix, query, k)
        else:
            pos, score = self.approx.search(query, k)
        return [(int(self.ids[p]), float(s)) for p, s in zip(pos, score)]


def recall_at_k(matrix: np.ndarray, approx: ApproxIndex, queries: np.ndarray, k: int = 10) -> float:
    """Fraction of the exact top-k that the approximate index also returns."""
    hit = 0
    for q in queries:
        truth = set(exact_topk(matrix, q, k)[0].tolist())
        got = set(approx.search(q, k)[0].tolist())
        hit += len(truth & got)
    return hit / (k * len(queries))
