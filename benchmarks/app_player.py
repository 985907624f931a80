"""Player latency and throughput: how long a hit takes to show its first frame, how fast the
decoder feeds display-size frames, and (issue 12) picture against sound on the audio clock: the
A/V offset and the join gap over a 20-hit playlist mixing 23.976, 25 and 29.97 DF, and the CPU
the player takes while playing 1080p H.264 with sound.

Run: python benchmarks/app_player.py [WIDTH HEIGHT GOP]      (everything)
     python benchmarks/app_player.py sync | cpu              (one part)
The sound goes to the WAV file sink (framesense/app/audio_out.py), which plays in real time on its
own clock: what is measured is where each frame was shown on that clock, sample-exact.
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


SR = 48000


def play_with_sound(items, wav, size=(960, 600), timeout=300):
    """Play ``items`` through the real Player into a WAV sink; per frame shown: (item, frame, WAV
    sample heard then, WAV sample where the item's sound starts or None, wall time)."""
    from PySide6.QtWidgets import QApplication
    from framesense.app.audio_out import WavOutput
    from framesense.app.player import Player
    player = Player(None, 0.0, 0.0)
    player.resize(*size)
    player.show()
    out = WavOutput(wav)
    player.use_output(out)
    shown = []

    def frame(f):
        mark = next((m for m in player.track._marks if m[1] == player.index), None) if player.track.active else None
        start = out.opened_at + round(mark[0] * SR) - round(float((mark[2] - player.items[player.index].first)
                                                                  / mark[3]) * SR) if mark else None
        shown.append((player.index, f, out.position(), start, time.perf_counter()))
    player.frame_shown.connect(frame)
    player.set_playlist(items, 0, play=True)
    deadline = time.perf_counter() + timeout
    while player.playing and time.perf_counter() < deadline:
        QApplication.processEvents()
        time.sleep(0.001)
    underrun = out.underrun
    player.shutdown()
    out.finish()
    return shown, underrun


def av_sync(tmp: Path, hits=20):
    """A/V offset and join gap over a mixed-rate playlist, on the audio clock (in frames of each hit's rate)."""
    rates = [("24000/1001", None), ("25", None), ("30000/1001", "01:00:00;00")]
    clips = []
    for k, (rate, tc) in enumerate(rates):
        r = Fraction(rate)
        src = write_video(tmp / f"sync{k}.mp4", [Shot(int(r * 12), k + 1), Shot(int(r * 12), k + 4)], rate=rate,
                          width=640, height=360, audio="tone", start_timecode=tc, gop=int(r))
        clips.append((src.path, r))
    from framesense.app.player import PlayItem
    random.seed(3)
    items = []
    for k in range(hits):
        path, r = clips[k % 3]
        length = int(r * random.uniform(0.6, 1.4))
        first = random.randrange(0, int(r * 24) - length - 1)
        items.append(PlayItem(str(path), r, first, first + length, f"hit {k}"))
    shown, underrun = play_with_sound(items, tmp / "sync.wav")
    offsets, joins, played = [], [], set()
    for i, f, pos, start, _ in shown:
        if start is None:
            continue
        item = items[i]
        due = start + float((f - item.first) / item.rate) * SR
        offsets.append(((pos - due) / SR * float(item.rate), i))
        played.add(i)
    for k in range(1, hits):
        first = next(((pos, start) for i, f, pos, start, _ in shown if i == k and start is not None), None)
        prev = [pos for i, f, pos, start, _ in shown if i == k - 1 and start is not None]
        if first is None or not prev:
            joins.append(None)       # the hit played without sound
            continue
        # the next hit's first frame: how late after its sound began (frames of its rate)
        joins.append((first[0] - first[1]) / SR * float(items[k].rate))
    worst = max(offsets, key=lambda o: abs(o[0]))
    ok = [j for j in joins if j is not None]
    print(f"A/V offset over {hits} hits (23.976 / 25 / 29.97 DF, {len(offsets)} frames with sound, {len(played)} hits "
          f"with sound): max |offset| {abs(worst[0]):.2f} frame (hit {worst[1]}), median "
          f"{statistics.median(abs(o) for o, _ in offsets):.2f} frame; picture shown late by "
          f"p95 {sorted(o for o, _ in offsets)[int(len(offsets) * 0.95)]:.2f} frame")
    print(f"join gap: the sound is one stream (0 samples between hits); the next hit's first frame came "
          f"{statistics.median(ok):.2f} frame (median), {max(ok):.2f} frame (max) after its sound began, over {len(ok)} "
          f"joins; {joins.count(None)} hits without sound; underrun {underrun / SR * 1000:.0f} ms of silence in all")
    return worst[0], max(ok)


def cpu_1080p(tmp: Path, seconds=8):
    """CPU (process time / wall time) while the player plays 1080p25 H.264 with sound, on 2 cores."""
    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 2:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])
    t0 = time.perf_counter()
    src = write_video(tmp / "hd.mp4", [Shot(25 * seconds, 5)], rate="25", width=1920, height=1080, audio="tone",
                      gop=50, crf=23)
    print(f"1080p25 H.264 source: {src.frames} frames (written in {time.perf_counter() - t0:.0f} s)")
    from framesense.app.player import PlayItem
    items = [PlayItem(str(src.path), Fraction(25), 0, src.frames, "hd")]
    c0, w0 = time.process_time(), time.perf_counter()
    shown, _ = play_with_sound(items, tmp / "hd.wav", size=(960, 600))
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    late = [(pos - start) / SR * 25 - (f - 0) for i, f, pos, start, _ in shown if start is not None]
    print(f"playing 1080p25 with sound into a 960x540 monitor on {len(os.sched_getaffinity(0))} cores: "
          f"CPU {cpu / wall * 100:.0f}% of one core ({cpu / wall / 2 * 100:.0f}% of the two), "
          f"{len(shown)} of {src.frames} frames shown in {wall:.1f} s, max A/V offset {max(map(abs, late)):.2f} frame")


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
        av_sync(Path(tmp))
        cpu_1080p(Path(tmp))


if __name__ == "__main__":
    if sys.argv[1:2] and sys.argv[1] in ("sync", "cpu"):
        from PySide6.QtWidgets import QApplication
        _app = QApplication([])
        with tempfile.TemporaryDirectory() as tmp:
            (av_sync if sys.argv[1] == "sync" else cpu_1080p)(Path(tmp))
    else:
        main(*map(int, sys.argv[1:4]))
