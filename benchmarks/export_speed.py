"""Export and render throughput: a 5,000-clip mixed-rate sequence to every format, and a render.

Run: python benchmarks/export_speed.py [CLIPS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from framesense.media.synth import Shot, write_video  # noqa: E402
from framesense.timeline.exporters import FORMATS, export  # noqa: E402
from framesense.timeline.model import Clip, Sequence, SourceMedia  # noqa: E402
from framesense.timeline.render import render  # noqa: E402


def main(n: int = 5000):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        media = []
        for i, rate in enumerate(["24000/1001", "25", "30000/1001"]):
            r = write_video(tmp / f"m{i}.mp4", [Shot(240, i)], rate=rate, start_timecode="01:00:00:00",
                            width=320, height=180, gop=24)
            media.append(SourceMedia(path=str(r.path), rate=r.rate, frames=r.frames, start_frame=0,
                                     width=320, height=180, audio_channels=1))
        clips = [Clip(media[i % 3], (i * 7) % 200, (i * 7) % 200 + 12) for i in range(n)]
        seq = Sequence(name="bench", rate=Fraction(24000, 1001), clips=clips)
        for fmt in FORMATS:
            if fmt == "otioz":
                continue
            t = time.perf_counter()
            paths = export(seq, tmp / f"out{FORMATS[fmt][1]}", fmt)
            dt = time.perf_counter() - t
            size = sum(p.stat().st_size for p in paths)
            print(f"{fmt:7} {n} clips: {dt:6.2f} s ({n / dt:8.0f} clips/s), {len(paths)} file(s), {size / 1e6:.1f} MB")
        short = Sequence(name="bench", rate=Fraction(25), clips=clips[:40])
        t = time.perf_counter()
        render(short, tmp / "preview.mp4")
        dt = time.perf_counter() - t
        print(f"render  {short.duration} frames 320x180 with audio: {dt:.2f} s ({short.duration / dt:.0f} frames/s, "
              f"{len(short.clips) / dt:.1f} cuts/s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
