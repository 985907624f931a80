"""The beyond-RAM vector index: an int8 usearch graph opened memory-mapped, re-scored exactly."""

import numpy as np

from framesense.search.disk_index import DiskIndex, build
from framesense.search.vectors import exact_topk


def _vectors(n=3000, dim=64, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n // 30, dim)).astype(np.float32)
    v = centres[rng.integers(0, len(centres), n)] + rng.normal(size=(n, dim)).astype(np.float32) * 0.05
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float16)


def test_disk_index_finds_what_exact_search_finds(tmp_path):
    data = _vectors()
    matrix_path = tmp_path / "m.f16"
    data.tofile(matrix_path)
    mm = np.memmap(matrix_path, dtype=np.float16, mode="r", shape=data.shape)
    path = build(tmp_path / "g.usearch", mm)
    n, dim = data.shape
    assert path.stat().st_size < n * (dim + 160)   # one byte a component (int8) plus about 150 B of graph links
    idx = DiskIndex(path, mm)
    plain = DiskIndex(path)
    assert len(idx) == len(data)
    hits = 0
    for row in range(0, len(data), 97):
        q = data[row].astype(np.float32)
        keys, scores = idx.search(q, 10)
        assert keys[0] == row and abs(scores[0] - float(q @ q)) < 1e-3   # exact float16 scores after re-scoring
        assert list(scores) == sorted(scores, reverse=True)
        truth = set(exact_topk(mm, q, 10)[0].tolist())
        hits += len(truth & set(keys.tolist()))
        assert plain.search(q, 10)[0][0] == row
    assert hits / (10 * len(range(0, len(data), 97))) >= 0.9
