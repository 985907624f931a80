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


def join_gaps(path_a, path_b, width, height, hits=12):
    """Play hits alternating between two files (25 and 50 fps) through the real Player: how much
    later than its due time (the last frame's duration after the last frame) the next hit's first frame shows."""
    from PySide6.QtWidgets import QApplication
    from framesense.app.player import Player, PlayItem
    player = Player(None, 0.0, 0.0)
    player.resize(960, 600)
    player.show()
    items = []
    for k in range(hits):
        path, rate = (path_a, Fraction(25)) if k % 2 == 0 else (path_b, Fraction(50))
        first = 20 + 17 * k
        items.append(PlayItem(str(path), rate, first, first + int(rate // 2), f"hit {k}"))
    shown = []
    player.frame_shown.connect(lambda f: shown.append((player.index, time.perf_counter())))
    player.set_playlist(items, 0, play=True)
    deadline = time.perf_counter() + 120
    while player.playing and time.perf_counter() < deadline:
        QApplication.processEvents()
        time.sleep(0.001)
    extra = []
    for k in range(1, hits):
        last = max(t for i, t in shown if i == k - 1)
        first = min(t for i, t in shown if i == k)
        extra.append((first - last) * 1000 - 1000 / float(items[k - 1].rate))   # beyond the last frame's own time
    player.shutdown()
    return extra


def main(width=1280, height=720, gop=50):
    from PySide6.QtWidgets import QApplication
    app = QApplication([])  # noqa: F841  (the join measurement drives the real Player widget)
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
        other = write_video(Path(tmp) / "clip50.mp4", [Shot(250, 3)], rate="50", width=width, height=height,
                            audio=None, gop=gop)
        gaps = sorted(join_gaps(src.path, other.path, width, height))
        print(f"join between hits (25 and 50 fps alternating, next hit decoded ahead): first frame later than due by "
              f"median {statistics.median(gaps):.1f} ms, max {gaps[-1]:.1f} ms over {len(gaps)} joins")


if __name__ == "__main__":
    main(*map(int, sys.argv[1:4]))
