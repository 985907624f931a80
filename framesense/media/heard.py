"""Did the player's sound come out where its picture was? What was heard (a WAV the player wrote, or
a recording of the audio device) compared with the frame log of ``app --smoke --play`` (which frame of
which hit was shown at which moment, on the sound's clock or the wall clock), sample for sample.

Each hit's own sound (decoded from its file) is looked for in the recording where the frame log puts
the hit's first frame. On the file sink's clock the two share one time axis; a device recording
(``build/smoke.sh``: a PulseAudio null sink's monitor) starts at some unknown moment, so the offset
is found first: the one under which every hit's windows match best (``_offset``).
"""

from __future__ import annotations

import math
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np

from .pcm import decode_span


def read_pcm(path, rate: int, channels: int = 2) -> np.ndarray:
    """Mono float samples of a 16-bit WAV, or of raw s16le at ``rate`` (what ``parec`` writes)."""
    data = Path(path).read_bytes()
    if data[:4] == b"RIFF":
        with wave.open(str(path)) as w:
            if w.getsampwidth() != 2 or w.getframerate() != rate:
                raise ValueError(f"{path}: want 16-bit sound at {rate} Hz, got {8 * w.getsampwidth()}-bit at "
                                 f"{w.getframerate()} Hz")
            channels, data = w.getnchannels(), w.readframes(w.getnframes())
    pcm = np.frombuffer(data[: len(data) // (2 * channels) * 2 * channels], np.int16).reshape(-1, channels)
    return pcm.mean(axis=1) / 32768.0


def correlate(hay: np.ndarray, needle: np.ndarray) -> np.ndarray:
    """``np.correlate(hay, needle, "valid")`` by FFT: seconds of sound against minutes of recording."""
    n = len(hay) + len(needle) - 1
    size = 1 << (n - 1).bit_length()
    full = np.fft.irfft(np.fft.rfft(hay, size) * np.conj(np.fft.rfft(needle, size)), size)
    return full[: len(hay) - len(needle) + 1]


def locate(needle: np.ndarray, hay: np.ndarray, around: int, reach: int) -> tuple[int, float]:
    """Where ``needle`` lies in ``hay`` within ``reach`` samples of ``around``, and how well it matches (0..1)."""
    lo = max(0, around - reach)
    seg = hay[lo: around + reach + len(needle)]
    if len(seg) < len(needle):
        return around, 0.0              # the recording ends before the sound
    c = correlate(seg, needle)
    k = int(np.argmax(c))
    energy = math.sqrt(float((needle ** 2).sum()) * float((seg[k:k + len(needle)] ** 2).sum()))
    return lo + k, float(c[k] / energy) if energy else 0.0


def locate_first(needle: np.ndarray, hay: np.ndarray, good: float = 0.9) -> int:
    """The first place ``needle`` lies in ``hay`` (hits that say the same words sound alike: the
    earliest good match, not the best one)."""
    if len(hay) < len(needle):
        return 0
    c = correlate(hay, needle)
    power = np.concatenate([[0.0], np.cumsum(hay.astype(np.float64) ** 2)])
    window = power[len(needle):] - power[:-len(needle)]
    norm = c / np.sqrt(np.maximum(window * float((needle ** 2).sum()), 1e-12))
    k = int(np.argmax(norm >= good * norm.max()))
    end = min(len(norm), k + len(needle) // 2)
    return k + int(np.argmax(norm[k:end]))


def hit_starts(log: dict) -> list[tuple[dict, Fraction, list, int | None]]:
    """Per hit of the log: its item, rate, the (frame, clock sample) of its frames shown with sound, and
    where the picture puts the hit's first sample on the log's clock (the median over those frames;
    None when none was shown with sound)."""
    rate_hz = log["rate"]
    out = []
    for k, item in enumerate(log["items"]):
        rate = Fraction(item["rate"])
        shown = [(f, pos) for i, f, pos, sound, *_ in log["frames"] if i == k and sound and pos is not None]
        start = int(np.median([pos - float((f - item["first"]) / rate) * rate_hz for f, pos in shown])) if shown else None
        out.append((item, rate, shown, start))
    return out


def compare(recording: np.ndarray, log: dict, reach_s: float = 0.25, min_frames: int = 10,
            window_s: float = 0.4) -> list[dict]:
    """For each hit shown with sound: how well its own sound matches the recording (``match``, 0..1: the
    median over its spoken windows) and how far from where its picture was shown it lies (``off_s``,
    recording minus picture, the median over those windows).

    Each window of the hit's sound (``window_s`` long, the quiet ones skipped) is expected where the
    frame log shows the frame it belongs to: a device that underran mid-hit delays picture and sound
    alike, and a window still matches whole where a whole hit would not.
    """
    rate_hz = log["rate"]
    reach = int(reach_s * rate_hz)
    hits = []
    for item, rate, shown, _ in hit_starts(log):
        if len(shown) < min_frames:   # a hit the run ended in, or skipped: too little to place
            continue
        spoken = _windows(item, rate, shown, rate_hz, window_s)
        if spoken:
            hits.append((item, rate) + spoken)
    offset = 0 if log.get("clock") != "wall" else _offset(recording, [w for *_, ws, _ in hits for w in ws], reach)
    found = []
    for item, rate, windows, loud in hits:
        placed = [locate(win, recording, expected + offset, reach) + (expected,) for win, expected in windows]
        found.append({"label": item["label"], "path": item["path"],
                      "match": round(float(np.median([m for _, m, _ in placed])), 3),
                      "off_s": round(float(np.median([(at - e - offset) / rate_hz for at, _, e in placed])), 4),
                      "frame_s": round(float(1 / rate), 4), "windows": len(placed), "speech_rms": round(loud, 4)})
    return found


def _windows(item: dict, rate: Fraction, shown: list, rate_hz: int, window_s: float):
    """A hit's spoken windows of its own sound, each with where the frame log puts it on the log's clock;
    and the sound's level. None where its sound cannot be decoded."""
    src = decode_span(item["path"], float(item["first"] / rate), float(item["last"] / rate), rate_hz)
    if src is None:
        return None
    src = src.mean(axis=1) / 32768.0
    loud = float(np.sqrt((src ** 2).mean()))
    width = int(window_s * rate_hz)
    frames = np.array([f for f, _ in shown])
    out = []
    for j in range(0, len(src) - width + 1, width):
        win = src[j: j + width]
        if float(np.sqrt((win ** 2).mean())) < 0.5 * loud:
            continue
        # the frame shown with this window's first sample, and where that puts the window on the log's clock
        want = item["first"] + j / rate_hz * float(rate)
        k = int(np.argmin(np.abs(frames - want)))
        f, pos = shown[k]
        out.append((win, pos + int(round((want - f) / float(rate) * rate_hz))))
    return (out, loud) if out else None


def _offset(recording: np.ndarray, windows: list, reach: int) -> int:
    """Where the log's wall clock starts in a device recording. Hits that say the same words sound
    alike, so one window found anywhere can sit on another hit: each window's earliest good match
    anywhere proposes an offset, and the one under which all windows match best on average stands
    (an offset one hit off still matches most windows: a median would not tell them apart)."""
    proposed = {locate_first(win, recording) - expected for win, expected in windows}
    return max(sorted(proposed), key=lambda off: float(np.mean(
        [locate(win, recording, expected + off, reach)[1] for win, expected in windows])))
