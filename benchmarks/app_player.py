"""Player latency and throughput: how long a hit takes to show its first frame, and how fast
the decoder feeds display-size frames during playback.

Run: python benchmarks/app_player.py [WIDTH HEIGHT GOP]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from framesense.app.decoder import END, DecodeJob  # noqa: E402
from framesense.media.synth import Shot, write_video  # noqa: E402


def first_frame_ms(path, rate, first, size) -> tuple[float, int]:
    t0 = time.perf_counter()
    job = DecodeJob(str(path), rate, first, first + 1, size)
    job.start()
    got = job.frames.get(timeout=30)
    ms = (time.perf_counter() - t0) * 1000
    job.stop()
    assert got is not END, job.error
    return ms, got.index


def main(width=1280, height=720, gop=50):
    from PySide6.QtGui import QGuiApplication
    app = QGuiApplication([])  # noqa: F841  (QImage wants a Gui application on some platforms)
    rate = Fraction(25)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        src = write_video(Path(tmp) / "clip.mp4", [Shot(125, 1), Shot(125, 2)], rate="25", width=width,
                          height=height, audio=None, gop=gop)
        print(f"source: {width}x{height} @25, {src.frames} frames, GOP {gop} (written in {time.perf_counter() - t0:.1f} s)")
        size = (960, 540)
        random.seed(1)
        lat = []
        for _ in range(20):
            f = random.randrange(0, src.frames - 1)
            ms, got = first_frame_ms(src.path, rate, f, size)
            assert got == f, (got, f)      # frame-accurate: exactly the requested frame
            lat.append(ms)
        lat.sort()
        print(f"cue to first frame (random in-points, display 960x540): median {statistics.median(lat):.1f} ms, "
              f"p90 {lat[int(len(lat) * 0.9) - 1]:.1f} ms, max {lat[-1]:.1f} ms")
        job = DecodeJob(str(src.path), rate, 0, src.frames, size, depth=64)
        t0 = time.perf_counter()
        job.start()
        n = 0
        while True:
            got = job.frames.get(timeout=30)
            if got is END:
                break
            n += 1
        secs = time.perf_counter() - t0
        print(f"playback decode + convert to QImage: {n} frames in {secs:.2f} s = {n / secs:.0f} fps "
              f"(real time needs 25)")


if __name__ == "__main__":
    main(*map(int, sys.argv[1:4]))
