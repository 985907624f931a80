"""Beyond RAM: the memory-mapped int8 usearch graph (framesense.search.disk_index) against
exact search and hnswlib: build time, bytes per vector on disk, resident memory after
opening, latency and recall@10 with and without exact re-scoring.

    python benchmarks/vectors_disk.py [--n 200000] [--dim 512] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from visual import make_vectors, pct  # noqa: E402
from framesense.search.disk_index import DiskIndex, build  # noqa: E402
from framesense.search.vectors import exact_topk  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--dim", type=int, default=512)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    n, dim = args.n, args.dim
    data = make_vectors(n, dim)
    rng = np.random.default_rng(1)
    qs = data[rng.integers(0, n, args.queries)].astype(np.float32) + rng.normal(size=(args.queries, dim)).astype(np.float32) * 0.03
    qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    with tempfile.TemporaryDirectory() as tmp:
        mpath = Path(tmp) / "m.f16"
        data.tofile(mpath)
        del data
        mm = np.memmap(mpath, dtype=np.float16, mode="r", shape=(n, dim))
        truths = [set(exact_topk(mm, q, 10)[0].tolist()) for q in qs]
        t0 = time.perf_counter()
        gpath = build(Path(tmp) / "g.usearch", mm)
        build_s = time.perf_counter() - t0
        before = rss_mb()
        out = {"n": n, "dim": dim, "queries": len(qs), "build_s": round(build_s, 1),
               "file_bytes_per_vector": round(gpath.stat().st_size / n, 1),
               "f16_matrix_bytes_per_vector": dim * 2}
        for label, matrix in (("int8_graph", None), ("int8_graph_rescored_f16", mm)):
            idx = DiskIndex(gpath, matrix)
            lat, hit = [], 0
            for q, truth in zip(qs, truths):
                t = time.perf_counter()
                keys, _ = idx.search(q, 10)
                lat.append(time.perf_counter() - t)
                hit += len(truth & set(int(k) for k in keys))
            out[label] = {"p50_ms": round(pct(lat, 50), 3), "p95_ms": round(pct(lat, 95), 3),
                          "recall@10": round(hit / (10 * len(qs)), 4),
                          "rss_growth_mb_after_queries": round(rss_mb() - before, 1)}
        out["note"] = "graph opened with view=True (mmap): resident memory grows only with the pages searches touch"
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
