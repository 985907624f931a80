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
    hits = selves = plain_selves = 0
    rows = range(0, len(data), 97)
    for row in rows:
        q = data[row].astype(np.float32)
        keys, scores = idx.search(q, 10)
        # the graph is approximate (and built on several threads, so not the same graph every run):
        # a query's own row is found almost always, not always; what is returned is scored exactly
        selves += int(keys[0] == row)
        exact = {int(k): float(data[k].astype(np.float32) @ q) for k in keys}
        assert all(abs(s - exact[int(k)]) < 1e-3 for k, s in zip(keys, scores))   # exact float16 re-scoring
        assert list(scores) == sorted(scores, reverse=True)
        truth = set(exact_topk(mm, q, 10)[0].tolist())
        hits += len(truth & set(keys.tolist()))
        plain_selves += int(plain.search(q, 10)[0][0] == row)
    assert selves >= 0.9 * len(rows) and plain_selves >= 0.9 * len(rows)
    assert hits / (10 * len(rows)) >= 0.9
