"""Exact frame rates and SMPTE timecode.

Media time is kept as rationals: a frame index at the media's exact rate
(``Fraction(24000, 1001)``) rather than a float, so that nothing drifts over
hours of footage. Timecode strings appear only at the edges (probe, export).
"""

from __future__ import annotations

import math
from fractions import Fraction

# Rates that are conventionally written with an NTSC (1000/1001) denominator.
_NTSC_BASES = (24, 30, 48, 60, 120)


def parse_rate(value) -> Fraction:
    """Accept "24000/1001", "29.97", 25, Fraction(...) and return an exact rate."""
    try:
        if isinstance(value, Fraction):
            rate = value
        elif isinstance(value, int):
            rate = Fraction(value)
        elif isinstance(value, float):
            rate = snap_rate(Fraction(value).limit_denominator(1001))
        else:
            text = str(value).strip()
            if "/" in text:
                num, den = text.split("/", 1)
                rate = Fraction(int(num), int(den))
            else:
                rate = snap_rate(Fraction(text).limit_denominator(1001))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        raise ValueError(f"not a frame rate: {value!r} (e.g. 25, 29.97 or 30000/1001)") from None
    if rate <= 0:
        raise ValueError(f"frame rate must be positive, got {value!r}")
    return rate


MAX_SEQUENCE_RATE = 240


def sequence_rate(value) -> Fraction:
    """A rate a user asks a sequence to run at: exact, and within what an NLE timeline can be."""
    rate = parse_rate(value)
    if not 1 <= rate <= MAX_SEQUENCE_RATE:
        raise ValueError(f"sequence rate {value!r} is outside 1-{MAX_SEQUENCE_RATE} fps")
    return rate


def snap_rate(rate: Fraction) -> Fraction:
    """Map near-NTSC values (29.97, 23.976) onto their exact x000/1001 form."""
    for base in _NTSC_BASES:
        ntsc = Fraction(base * 1000, 1001)
        if abs(float(rate) - float(ntsc)) < 0.002:
            return ntsc
    nearest = round(rate)
    if nearest and abs(rate - nearest) < Fraction(1, 1000):
        return Fraction(nearest)
    return rate


def rate_str(rate: Fraction) -> str:
    rate = Fraction(rate)
    return str(rate.numerator) if rate.denominator == 1 else f"{rate.numerator}/{rate.denominator}"


def is_ntsc(rate: Fraction) -> bool:
    return Fraction(rate).denominator == 1001


def timebase(rate: Fraction) -> int:
    """The integer frame count per timecode second (30 for 29.97)."""
    return round(Fraction(rate))


def drop_frame_allowed(rate: Fraction) -> bool:
    rate = Fraction(rate)
    return rate.denominator == 1001 and timebase(rate) in (30, 60)


class Timecode:
    """SMPTE timecode arithmetic at one rate, drop-frame aware."""

    def __init__(self, rate, drop_frame: bool = False):
        self.rate = parse_rate(rate)
        self.fps = timebase(self.rate)
        if drop_frame and not drop_frame_allowed(self.rate):
            raise ValueError(f"drop-frame timecode is not defined at {rate_str(self.rate)} fps")
        self.drop_frame = drop_frame
        self._drop = self.fps // 15 if drop_frame else 0  # 2 at 29.97, 4 at 59.94

    def to_frames(self, text: str) -> int:
        """Parse "HH:MM:SS:FF" (or ";" / "." before the frames) into a frame count."""
        raw = text.strip()
        parts = raw.replace(";", ":").replace(".", ":").split(":")
        if len(parts) != 4 or not all(p.isdigit() for p in parts):
            raise ValueError(f"not a timecode: {text!r} (expected HH:MM:SS:FF)")
        hh, mm, ss, ff = (int(p) for p in parts)
        if mm > 59 or ss > 59 or ff >= self.fps:
            raise ValueError(f"timecode {text!r} is out of range at {self.fps} fps")
        total_minutes = hh * 60 + mm
        frames = ((hh * 3600 + mm * 60 + ss) * self.fps) + ff
        if self._drop:
            frames -= self._drop * (total_minutes - total_minutes // 10)
        return frames

    def to_string(self, frames: int) -> str:
        if frames < 0:
            raise ValueError(f"negative timecode frame count {frames}")
        fps, drop = self.fps, self._drop
        if drop:
            per_10min = fps * 600 - drop * 9
            per_min = fps * 60 - drop
            tens, rem = divmod(frames, per_10min)
            if rem > drop:
                frames += drop * 9 * tens + drop * ((rem - drop) // per_min)
            else:
                frames += drop * 9 * tens
        ff = frames % fps
        ss = (frames // fps) % 60
        mm = (frames // (fps * 60)) % 60
        hh = (frames // (fps * 3600)) % 24
        sep = ";" if self.drop_frame else ":"
        return f"{hh:02d}:{mm:02d}:{ss:02d}{sep}{ff:02d}"


# A float time within a millionth of a frame of a boundary counts as on it: 0.8 s is
# 20.000000000000001 frames at 25, and Whisper's word times are floats.
_EPS = Fraction(1, 10**6)


def seconds_to_frame_floor(seconds, rate: Fraction) -> int:
    return math.floor(Fraction(seconds) * Fraction(rate) + _EPS)


def seconds_to_frame_ceil(seconds, rate: Fraction) -> int:
    return math.ceil(Fraction(seconds) * Fraction(rate) - _EPS)
