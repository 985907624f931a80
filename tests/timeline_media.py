"""Tiny catalogued footage for the timeline, export and render tests (shared, built once per module)."""

from __future__ import annotations

from pathlib import Path

from framesense.media.synth import Shot, write_video

# name, rate, start timecode, reel, audio
SPECS = [
    ("clip 23976 é.mp4", "24000/1001", "01:00:00:00", "CAMERA_A_ROLL", "tone"),
    ("pal 25.mov", "25", "10:00:00:00", None, "tone"),
    ("ntsc df 2997.mp4", "30000/1001", "00:59:50;00", "CAMERA_A_RO2", None),
]


def make_footage(folder: Path, frames: int = 48) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for i, (name, rate, tc, reel, audio) in enumerate(SPECS):
        out[rate] = write_video(folder / name, [Shot(frames, seed=10 + i)], rate=rate, start_timecode=tc,
                                reel=reel, audio=audio, width=160, height=96, gop=12).path
    return out
