"""The vector cache: exact search, the approximate index against it, staleness and rebuilds."""

from __future__ import annotations

import numpy as np
import pytest

from framesense.catalog import Catalog
from framesense.search.vectors import VectorIndex, exact_topk, recall_at_k

DIM = 32
MODEL = "test-model"


def unit(x):
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def clustered(n, seed):
    """Vectors in tight clusters, like frames of the same shots."""
    rng = np.random.default_rng(seed)
    centres = unit(rng.normal(size=(max(1, n // 20), DIM)))
    return unit(centres[rng.integers(0, len(centres), n)] + 0.3 * rng.normal(size=(n, DIM)) / np.sqrt(DIM))


def add_rows(cat, vecs, model=MODEL, start_frame=0):
    with cat.transaction():
        mid = cat.one("SELECT id FROM media")["id"]
        cat.conn.executemany(
            "INSERT INTO frame_embeddings (media_id, shot_id, frame, model, dim, vector) VALUES (?, NULL, ?, ?, ?, ?)",
            [(mid, start_frame + i, model, DIM, v.astype("<f2").tobytes()) for i, v in enumerate(vecs)])


@pytest.fixture
def cat(tmp_path):
    c = Catalog.open(tmp_path / "lib")
    with c.transaction():
        c.insert("media", {"path": "/x.mp4", "folder": "/", "name": "x.mp4"})
    yield c
    c.close()


def test_exact_search_matches_brute_force(cat):
    vecs = clustered(500, 1)
    add_rows(cat, vecs)
    index = VectorIndex(cat, MODEL)
    assert index.approx is None and len(index) == 500
    q = vecs[17]
    got = index.search(q, 10)
    ids = [r["id"] for r in cat.query("SELECT id FROM frame_embeddings ORDER BY id")]
    truth = np.argsort(-(vecs.astype(np.float16).astype(np.float32) @ q))[:10]
    assert [g[0] for g in got] == [ids[t] for t in truth]
    assert got[0][0] == ids[17] and got[0][1] == pytest.approx(1.0, abs=2e-3)


def test_approximate_index_agrees_with_exact(cat):
    vecs = clustered(4000, 2)
    add_rows(cat, vecs)
    index = VectorIndex(cat, MODEL, approx_threshold=1000)
    assert index.approx is not None and len(index.approx) == 4000
    queries = unit(vecs[::97] + 0.05 * np.random.default_rng(5).normal(size=(len(vecs[::97]), DIM)))
    assert recall_at_k(index.matrix, index.approx, queries, 10) >= 0.95
    for q in queries[:5]:
        a = [i for i, _ in index.search(q, 10)]
        e = [i for i, _ in index.search(q, 10, exact=True)]
        assert a[0] == e[0]


def test_cache_follows_the_catalog(cat, tmp_path):
    add_rows(cat, clustered(1500, 3))
    index = VectorIndex(cat, MODEL, approx_threshold=1000)
    state = index.state
    # unchanged catalog: the cache is reused as is
    again = VectorIndex(cat, MODEL, approx_threshold=1000)
    assert again.state == state
    # the catalog grew: rows are appended, the graph grows with them
    new = clustered(300, 4)
    add_rows(cat, new, start_frame=10_000)
    grown = VectorIndex(cat, MODEL, approx_threshold=1000)
    assert len(grown) == 1800 and len(grown.approx) == 1800
    newest = cat.one("SELECT MAX(id) AS m FROM frame_embeddings")["m"]
    assert grown.search(new[-1], 1)[0][0] == newest
    # rows were deleted: staleness is detected and the cache rebuilt
    with cat.transaction():
        cat.execute("DELETE FROM frame_embeddings WHERE id <= 100")
    shrunk = VectorIndex(cat, MODEL, approx_threshold=1000)
    assert len(shrunk) == 1700 and len(shrunk.approx) == 1700
    assert min(int(i) for i in shrunk.ids) > 100
    # a missing cache folder is rebuilt from the catalog
    import shutil
    shutil.rmtree(shrunk.dir)
    rebuilt = VectorIndex(cat, MODEL, approx_threshold=1000)
    assert len(rebuilt) == 1700
    # another model's vectors stay apart
    assert len(VectorIndex(cat, "other-model")) == 0


def test_exact_topk_chunks_agree():
    vecs = clustered(1000, 6)
    pos, score = exact_topk(vecs, vecs[3], 5)
    assert pos[0] == 3 and list(score) == sorted(score, reverse=True)
