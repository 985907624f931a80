"""Picture/face vectors beyond one machine's RAM: an 8-bit HNSW graph served from disk.

hnswlib (``vectors.ApproxIndex``) keeps float32 vectors and its graph in memory: about
2.2 KB a 512-d vector, so 200 M vectors would need ~440 GB of RAM. Here usearch (a
maintained library on PyPI) stores each vector as int8 (512 B) next to its graph in one
file that is memory-mapped (``Index.restore(view=True)``): the operating system pages in
the parts a search walks, so the index may be far larger than RAM, and several
processes share one copy. The graph proposes ``oversample * k`` candidates, which are
re-scored exactly against the float16 matrix the vector cache already keeps on disk,
giving back the recall the 8-bit rounding costs. ``benchmarks/vectors_disk.py`` measures it.

Meant for libraries past ``DISK_THRESHOLD`` vectors; smaller ones stay on hnswlib.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ..atomic_files import atomic_path

DISK_THRESHOLD = 20_000_000
GRAPH = dict(connectivity=16, expansion_add=128, expansion_search=128)
CHUNK = 1 << 17


def build(path: Path, vectors: np.ndarray, threads: int = 0) -> Path:
    """Write the int8 graph of ``vectors`` (rows of unit vectors; labels = row positions) to ``path``."""
    from usearch.index import Index

    path = Path(path)
    index = Index(ndim=vectors.shape[1], metric="cos", dtype="i8", **GRAPH)
    for a in range(0, len(vectors), CHUNK):
        block = np.asarray(vectors[a: a + CHUNK], dtype=np.float32)
        index.add(np.arange(a, a + len(block), dtype=np.uint64), block, threads=threads)
    with atomic_path(path) as tmp:
        index.save(str(tmp))
    return path


class DiskIndex:
    """A memory-mapped int8 graph plus exact re-scoring against the float16 matrix."""

    def __init__(self, path: Path, matrix: np.ndarray | None = None, oversample: int = 4):
        from usearch.index import Index

        self.index = Index.restore(str(path), view=True)
        self.index.expansion_search = GRAPH["expansion_search"]
        self.matrix = matrix            # (n, dim) float16 memmap: the vector cache's matrix
        self.oversample = oversample

    def __len__(self):
        return len(self.index)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions, scores), best first."""
        q = np.asarray(query, dtype=np.float32).ravel()
        want = k * self.oversample if self.matrix is not None else k
        self.index.expansion_search = max(GRAPH["expansion_search"], want)
        found = self.index.search(q, want)
        keys = np.asarray(found.keys, dtype=np.int64)
        if self.matrix is None:
            return keys[:k], (1.0 - np.asarray(found.distances, dtype=np.float32))[:k]
        order = np.argsort(keys)
        rows = np.asarray(self.matrix[keys[order]], dtype=np.float32)
        scores = np.empty(len(keys), np.float32)
        scores[order] = rows @ q
        best = np.argsort(-scores, kind="stable")[:k]
        return keys[best], scores[best]
