"""A cheap waveform for the timeline's audio track: the peak level of each video frame."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .audio import decode_audio

WAVEFORM_RATE = 4000   # enough to see speech and cuts; decoding stays fast


def frame_peaks(path, rate: Fraction, sr: int = WAVEFORM_RATE) -> np.ndarray:
    """Peak |sample| (0..1, float32) for every media frame at ``rate``; raises MediaError without audio."""
    samples = decode_audio(path, sr=sr)
    per = Fraction(sr) / Fraction(rate)
    n = int(len(samples) / per)
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    edges = np.array([int(i * per) for i in range(n + 1)], dtype=np.int64)
    peaks = np.maximum.reduceat(np.abs(samples[: edges[-1]]), edges[:-1]) if edges[-1] else np.zeros(n)
    return np.clip(peaks, 0.0, 1.0).astype(np.float32)
