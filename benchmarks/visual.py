"""Picture benchmarks: CLIP embedding throughput, index time per hour of footage, vector search.

    python benchmarks/visual.py                      # everything at the default sizes
    python benchmarks/visual.py --sizes 100000 --skip-embed
    python benchmarks/visual.py --devices cpu,cuda --embed-frames 256

Embedding: open_clip ViT-B-32 with random weights (the same compute as real ones), exported once
by ``models export-onnx`` (fp32, and int8 image tower), then the same decoded frames embedded with
torch fp32, onnxruntime fp32 and onnxruntime int8 side by side (torch fp16 and the CUDA provider
on a GPU), plus the int8 drift: cosine to fp32 on the same frames and top-10 overlap of a search.
The hour estimate = (measured shots-scan + fingerprint seconds per footage second) * 3600
+ (sampled frames per hour at the default sampling) * (measured decode-side reformat +
embed cost per frame). Search: clustered random unit vectors (512-d), queries near data
points, exact matmul vs usearch and hnswlib HNSW graphs; recall@10 against exact.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pct(xs, p):
    return float(np.percentile(np.asarray(xs) * 1000, p))


# -- embedding: torch fp32, onnxruntime fp32, onnxruntime int8 on the same frames ------------------
def bench_frames(n: int) -> np.ndarray:
    """n decoded frames of synthetic footage (one shot each 8 frames), as PIL images."""
    import av
    from framesense.media.synth import Shot, write_video
    with tempfile.TemporaryDirectory() as tmp:
        res = write_video(Path(tmp) / "f.mp4", [Shot(8, s) for s in range(n // 8 + 1)], rate="25", width=640,
                          height=360, audio=None)
        with av.open(str(res.path)) as c:
            return [f.to_image() for _, f in zip(range(n), c.decode(video=0))]


def timed_fps(model, batch_rgb, frames: int, batch: int) -> tuple[float, float]:
    model.embed_images_np(batch_rgb[:batch])   # warm up
    t0 = time.perf_counter()
    done = 0
    while done < frames:
        model.embed_images_np(batch_rgb[done % len(batch_rgb):][:batch])
        done += batch
    dt = time.perf_counter() - t0
    return round(done / dt, 1), round(dt, 2)


def topk_overlap(a: np.ndarray, b: np.ndarray, k: int = 10, queries: int = 32) -> float:
    """Mean share of the top-k neighbours (each model searching its own vectors) that agree."""
    ranks_a = np.argsort(-(a[:queries] @ a.T), axis=1)[:, :k]
    ranks_b = np.argsort(-(b[:queries] @ b.T), axis=1)[:, :k]
    return float(np.mean([len(set(x) & set(y)) / k for x, y in zip(ranks_a, ranks_b)]))


def bench_runtimes(arch: str, frames: int, batch: int, devices: list[str]) -> dict:
    """Export a randomly initialised open_clip ARCH once (fp32 and int8 ONNX folders) and embed the
    same decoded frames with torch fp32, onnxruntime fp32 and onnxruntime int8."""
    import open_clip
    import torch
    from framesense.models import clip as cm
    from framesense.models.clip_export import export_onnx, quantize_folder
    from framesense.models.clip_onnx import OnnxClip, onnx_threads
    from framesense.models.clip_torch import TorchClip

    out = {"arch": arch, "weights": "random (same compute as real ones; drift on real weights may differ)",
           "batch": batch, "frames": frames, "threads": onnx_threads()}
    with tempfile.TemporaryDirectory() as tmp:
        torch.manual_seed(0)
        ckpt = Path(tmp) / "random.pt"
        torch.save(open_clip.create_model(arch, pretrained=None).state_dict(), ckpt)
        spec = f"{arch}:{ckpt}"
        t0 = time.perf_counter()
        fp32 = export_onnx(spec, Path(tmp) / "fp32")
        out["export_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        int8 = quantize_folder(fp32, Path(tmp) / "int8")
        out["quantise_s"] = round(time.perf_counter() - t0, 1)
        out["visual_mb"] = {name: round((f / "visual/model.onnx").stat().st_size / 2**20, 1)
                            for name, f in (("fp32", fp32), ("int8", int8))}
        pics = bench_frames(max(frames, 64))
        rows = []
        for device in devices:
            cuda = device == "cuda"
            if cuda and not torch.cuda.is_available():
                rows.append({"device": "cuda", "skipped": "no CUDA"})
                continue
            models = {"torch " + ("fp16" if cuda else "fp32"): TorchClip(cm.parse_spec(spec), device=device),
                      "onnxruntime fp32": OnnxClip(fp32, device=device),
                      "onnxruntime int8": OnnxClip(int8, device=device)}
            ref = next(iter(models.values()))
            rgb = np.stack([ref.prepare(np.asarray(p.convert("RGB").resize(ref.cover_size(*p.size))))
                            for p in pics])
            vecs = {}
            for name, m in models.items():
                if cuda and m.runtime == "onnxruntime" and m.device != "cuda":
                    rows.append({"device": device, "runtime": name, "skipped": "no CUDAExecutionProvider"})
                    continue
                fps, secs = timed_fps(m, rgb, frames, batch)
                vecs[name] = m.embed_images_np(rgb)
                rows.append({"device": device, "runtime": name, "frames_per_s": fps, "seconds": secs})
                print(json.dumps(rows[-1]), flush=True)
            if "onnxruntime fp32" in vecs and "onnxruntime int8" in vecs:
                a, b = vecs["onnxruntime fp32"], vecs["onnxruntime int8"]
                cos = (a * b).sum(1)
                out[f"int8_drift_{device}"] = {"cosine_to_fp32_mean": round(float(cos.mean()), 5),
                                               "cosine_to_fp32_min": round(float(cos.min()), 5),
                                               "top10_overlap": round(topk_overlap(a, b), 3),
                                               "frames": len(a)}
                t = next(v for k, v in vecs.items() if k.startswith("torch"))
                out[f"onnx_fp32_vs_torch_max_cosine_distance_{device}"] = float(f"{(1 - (a * t).sum(1)).max():.2e}")
        out["runs"] = rows
    return out


# -- index time per hour -------------------------------------------------------
def bench_scan(width: int, height: int, seconds: float) -> dict:
    from framesense.analysis.base import sample_frames
    from framesense.analysis.fingerprint import EVERY_S, GRAY_H, GRAY_W, frame_hashes
    from framesense.analysis.scan import scan_video
    from framesense.media.sample import frames_at
    from framesense.media.synth import Shot, write_video

    rate = Fraction(25)
    n = int(seconds * 25)
    with tempfile.TemporaryDirectory() as tmp:
        shots = [Shot(100, s) for s in range(n // 100)]
        res = write_video(Path(tmp) / "bench.mp4", shots, rate="25", width=width, height=height, audio=None)
        t0 = time.perf_counter()
        scan = scan_video(res.path, Path(tmp) / "lib", "bench")
        t_scan = time.perf_counter() - t0
        rows = [{"id": k, "start_frame": a, "end_frame": b} for k, (a, b, _) in enumerate(scan.shots)]
        wanted = sample_frames(rows, rate, EVERY_S)
        t0 = time.perf_counter()
        for _, f in frames_at(res.path, list(wanted), rate):
            frame_hashes(f.reformat(width=GRAY_W, height=GRAY_H, format="gray").to_ndarray())
        t_fp = time.perf_counter() - t0
        from framesense.analysis.visual import DEFAULT_EVERY_S
        vis = sample_frames(rows, rate, DEFAULT_EVERY_S)
        t0 = time.perf_counter()
        for _, f in frames_at(res.path, list(vis), rate):
            f.reformat(width=224 * width // height, height=224, format="rgb24", interpolation="BICUBIC").to_ndarray()
        t_vis_decode = time.perf_counter() - t0
    footage_s = scan.frames / 25
    return {"resolution": f"{width}x{height}", "footage_s": footage_s, "scan_s": round(t_scan, 3),
            "fingerprint_s": round(t_fp, 3), "visual_decode_s": round(t_vis_decode, 3),
            "visual_samples": len(vis), "shots": len(scan.shots),
            "scan_x_realtime": round(footage_s / t_scan, 1)}


def estimate_hour(scan: dict, embed_fps: float, shot_s: float = 4.0) -> dict:
    from framesense.analysis.visual import sample_frames
    rate = Fraction(25)
    shot_frames = int(shot_s * 25)
    nshots = int(3600 / shot_s)
    rows = [{"id": k, "start_frame": k * shot_frames, "end_frame": (k + 1) * shot_frames} for k in range(nshots)]
    samples = len(sample_frames(rows, rate))
    per_s = (scan["scan_s"] + scan["fingerprint_s"] + scan["visual_decode_s"]) / scan["footage_s"]
    decode_s = per_s * 3600
    embed_s = samples / embed_fps
    return {"assumed_shot_s": shot_s, "samples_per_hour": samples, "decode_side_s": round(decode_s, 1),
            "embed_s": round(embed_s, 1), "total_min": round((decode_s + embed_s) / 60, 2)}


# -- vector search ---------------------------------------------------------------
def make_vectors(n, dim, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(1, n // 30), dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    out = np.empty((n, dim), dtype=np.float16)
    for a in range(0, n, 100_000):
        b = min(n, a + 100_000)
        v = centres[rng.integers(0, len(centres), b - a)] + rng.normal(size=(b - a, dim)).astype(np.float32) * 0.05
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        out[a:b] = v
    return out


def bench_search(n: int, dim: int, queries: int, backends: list[str], threads: int,
                 efs: list[int] | None = None) -> dict:
    from framesense.search.vectors import HNSW, exact_topk

    t0 = time.perf_counter()
    data = make_vectors(n, dim)
    gen_s = time.perf_counter() - t0
    rng = np.random.default_rng(1)
    qs = data[rng.integers(0, n, queries)].astype(np.float32) + rng.normal(size=(queries, dim)).astype(np.float32) * 0.03
    qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.f16"
        data.tofile(path)
        mm = np.memmap(path, dtype=np.float16, mode="r", shape=data.shape)
        lat = []
        for q in qs[:20]:   # exact latency per query, on a few
            t = time.perf_counter()
            exact_topk(mm, q, 10)
            lat.append(time.perf_counter() - t)
        # ground truth for all queries in one pass over the matrix
        best = np.full((len(qs), 0), 0, np.int64)
        best_s = np.full((len(qs), 0), 0, np.float32)
        for a in range(0, n, 1 << 17):
            s = np.asarray(mm[a: a + (1 << 17)], dtype=np.float32) @ qs.T        # (rows, nq)
            kk = min(10, s.shape[0])
            idx = np.argpartition(-s, kk - 1, axis=0)[:kk].T                      # (nq, kk)
            best = np.concatenate([best, idx + a], axis=1)
            best_s = np.concatenate([best_s, np.take_along_axis(s.T, idx, axis=1)], axis=1)
            keep = np.argsort(-best_s, axis=1)[:, :10]
            best = np.take_along_axis(best, keep, axis=1)
            best_s = np.take_along_axis(best_s, keep, axis=1)
        truths = [set(r.tolist()) for r in best]
    out = {"n": n, "dim": dim, "queries": queries, "generate_s": round(gen_s, 1),
           "exact": {"p50_ms": round(pct(lat, 50), 2), "p95_ms": round(pct(lat, 95), 2)}}
    for name in backends:
        t0 = time.perf_counter()
        if name == "usearch":
            from usearch.index import Index
            idx = Index(ndim=dim, metric="ip", dtype="f16", **HNSW)
            idx.add(np.arange(n, dtype=np.uint64), data, threads=threads)
            idx.expansion_search = HNSW["expansion_search"]
            search = lambda q: idx.search(q, 10).keys
        else:
            import hnswlib
            idx = hnswlib.Index(space="ip", dim=dim)
            idx.init_index(max_elements=n, ef_construction=HNSW["expansion_add"], M=HNSW["connectivity"])
            idx.set_num_threads(threads)
            for a in range(0, n, 1 << 17):
                idx.add_items(np.asarray(data[a: a + (1 << 17)], dtype=np.float32), np.arange(a, min(n, a + (1 << 17))))
            idx.set_ef(HNSW["expansion_search"])
            idx.set_num_threads(1)
            search = lambda q: idx.knn_query(q, k=10)[0][0]
        build = time.perf_counter() - t0
        sweep = []
        for ef in efs or [HNSW["expansion_search"]]:  # one build, several search breadths
            if name == "usearch":
                idx.expansion_search = ef
            else:
                idx.set_ef(ef)
            lat, hit = [], 0
            for q, truth in zip(qs, truths):
                t = time.perf_counter()
                keys = search(q)
                lat.append(time.perf_counter() - t)
                hit += len(truth & set(int(k) for k in keys))
            sweep.append({"ef": ef, "p50_ms": round(pct(lat, 50), 3), "p95_ms": round(pct(lat, 95), 3),
                          "recall@10": round(hit / (10 * len(qs)), 4)})
        out[name] = {"M": HNSW["connectivity"], "ef_construction": HNSW["expansion_add"],
                     "build_s": round(build, 1), **sweep[0], "sweep": sweep}
        del idx
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devices", default="cpu,cuda")
    ap.add_argument("--arch", default="ViT-B-32")
    ap.add_argument("--embed-frames", type=int, default=128)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--scan-seconds", type=float, default=40.0, help="seconds of synthetic footage to scan")
    ap.add_argument("--scan-size", default="1280x720")
    ap.add_argument("--sizes", default="100000,1000000", help="vector counts for the search benchmark")
    ap.add_argument("--dim", type=int, default=512)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--backends", default="hnswlib,usearch")
    ap.add_argument("--ef", default=None, help="HNSW search breadth, or several: 400,800 (default: vectors.HNSW)")
    ap.add_argument("--M", type=int, default=None, help="HNSW connectivity (default: vectors.HNSW)")
    ap.add_argument("--ef-construction", type=int, default=None, help="HNSW build breadth (default: vectors.HNSW)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads for graph builds")
    ap.add_argument("--skip-embed", action="store_true")
    ap.add_argument("--skip-search", action="store_true")
    ap.add_argument("--skip-scan", action="store_true", help="no decode benchmark (no PyAV on the machine)")
    ap.add_argument("--json", dest="json_out", help="also write the results here")
    args = ap.parse_args(argv)
    from framesense.search.vectors import HNSW
    efs = [int(e) for e in args.ef.split(",")] if args.ef else None
    if args.M:
        HNSW["connectivity"] = args.M
    if args.ef_construction:
        HNSW["expansion_add"] = args.ef_construction
    results = {"cpu_count": os.cpu_count()}
    if not args.skip_embed:
        results["embed"] = bench_runtimes(args.arch, args.embed_frames, args.batch, args.devices.split(","))
        print(json.dumps(results["embed"], indent=1), flush=True)
    if not args.skip_embed and not args.skip_scan:
        w, h = (int(v) for v in args.scan_size.split("x"))
        results["scan"] = bench_scan(w, h, args.scan_seconds)
        print(json.dumps(results["scan"], indent=1), flush=True)
        cpu = next((e for e in results["embed"]["runs"] if e["device"] == "cpu"
                    and e.get("runtime") == "onnxruntime fp32"), None)
        if cpu:
            results["hour_estimate_cpu"] = estimate_hour(results["scan"], cpu["frames_per_s"])
            print(json.dumps(results["hour_estimate_cpu"], indent=1), flush=True)
    if not args.skip_search:
        results["search"] = []
        for n in (int(s) for s in args.sizes.split(",") if s):
            r = bench_search(n, args.dim, args.queries, args.backends.split(","), args.threads, efs)
            results["search"].append(r)
            print(json.dumps(r, indent=1), flush=True)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main()
