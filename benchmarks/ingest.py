"""Ingest throughput: probe + shots + thumbnails vs PyAV's bare decode of the same file.

Writes a 1280x720 H.264 clip with known cuts (10 minutes by default), then times
(1) bare decode with the same decoder threading and (2) the whole shots stage,
and reports both as times real time and the stage's ratio to bare decode.

    python benchmarks/ingest.py [--minutes 10] [--keep FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from framesense.analysis.scan import scan_video  # noqa: E402
from framesense.analysis.shots import score_boundaries  # noqa: E402
from framesense.media import probe  # noqa: E402
from framesense.media.frames import open_video  # noqa: E402
from framesense.media.synth import Shot, write_video  # noqa: E402


def bare_decode(path) -> tuple[int, float]:
    t0 = time.perf_counter()
    n = 0
    with open_video(path) as (container, stream):
        for _ in container.decode(stream):
            n += 1
    return n, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--rate", default="25")
    ap.add_argument("--keep", type=Path, help="reuse/keep the generated clip at this path")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory()
    path = args.keep or Path(tmp.name) / "bench720.mp4"
    rate = float(eval(args.rate.replace("/", "/1.0/"))) if "/" in args.rate else float(args.rate)
    total = int(args.minutes * 60 * rate)
    lengths, k = [], 0
    pattern = [48, 121, 75, 250, 33, 160, 96, 400, 62, 180]
    while sum(lengths) < total:
        lengths.append(pattern[k % len(pattern)])
        k += 1
    lengths[-1] -= sum(lengths) - total
    truth = None
    if not path.exists():
        t0 = time.perf_counter()
        res = write_video(path, [Shot(n, 1000 + i) for i, n in enumerate(lengths) if n > 0], rate=args.rate,
                          width=1280, height=720, audio=None, gop=50)
        truth = res.cuts
        print(f"generated {path.name}: {res.frames} frames in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    else:
        import itertools
        truth = list(itertools.accumulate(lengths))[:-1]

    info = probe(path)
    duration = info.duration
    bare, stage = [], []
    with tempfile.TemporaryDirectory() as lib:
        for _ in range(args.repeats):
            n, dt = bare_decode(path)
            bare.append(dt)
            t0 = time.perf_counter()
            probe(path)
            result = scan_video(path, Path(lib), "b" * 32, expected_frames=info.frames)
            stage.append(time.perf_counter() - t0)
    bare_s, stage_s = min(bare), min(stage)
    acc = score_boundaries([s[0] for s in result.shots[1:]], truth, tolerance=0)
    out = {
        "clip": {"seconds": round(duration, 1), "frames": n, "size": f"{info.width}x{info.height}", "rate": info.rate_str},
        "bare_decode_x_realtime": round(duration / bare_s, 1),
        "bare_decode_fps": round(n / bare_s, 1),
        "ingest_stage_x_realtime": round(duration / stage_s, 1),
        "ingest_stage_fps": round(n / stage_s, 1),
        "ratio_to_bare_decode": round(bare_s / stage_s, 3),
        "target_ratio": 0.85,
        "shots": len(result.shots), "thumbnails": len(result.thumbnails),
        "cut_precision": round(acc["precision"], 4), "cut_recall": round(acc["recall"], 4),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
