"""Frame-exact reading from any frame: seek to the keyframe before, then drop by pts.

Frame numbers come from each frame's pts relative to the stream's first pts at
the file's exact rate, never from counting after a seek (which lands on a keyframe).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import av
import numpy as np

from ..errors import MediaError
from .tolerant import DecodeLoss, decode_frames


def frame_index(frame, stream, rate: Fraction) -> int:
    origin = stream.start_time or 0
    return round((Fraction(frame.pts) - origin) * stream.time_base * rate)


def iter_frames(container, stream, rate: Fraction, first: int, stop: int, loss: DecodeLoss | None = None):
    """Yield (index, VideoFrame) for first <= index < stop, exactly, from one seek.

    Damaged packets are skipped (counted in loss): the frames around them still come, by their pts.
    """
    rate = Fraction(rate)
    loss = loss if loss is not None else DecodeLoss("video", stream.index)
    origin = stream.start_time or 0
    for back in (1, 0):  # seek a little before the target; fall back to the start of the file
        target = origin + int(Fraction(first) / rate / stream.time_base) - 1 if back else origin
        container.seek(max(origin, target), stream=stream, backward=True, any_frame=False)
        decoded = decode_frames(container, stream, loss)
        head = next(decoded, None)
        if head is None or head.pts is None:
            continue
        if frame_index(head, stream, rate) > first and back:
            continue   # landed after the in-point (no keyframe before it was found): start over from 0
        break
    else:
        raise MediaError(getattr(container, "name", "?"), f"cannot decode from frame {first}")
    for frame in itertools.chain([head], decoded):
        if frame.pts is None:
            continue
        idx = frame_index(frame, stream, rate)
        if idx < first:
            continue
        if idx >= stop:
            return
        yield idx, frame


def read_audio(path, start: Fraction, samples: int, rate: int = 48000, layout: str = "stereo") -> np.ndarray:
    """``samples`` of audio from ``start`` seconds as float32 (channels, samples); silence where absent."""
    channels = 2 if layout == "stereo" else 1
    out = np.zeros((channels, samples), dtype=np.float32)
    if samples <= 0:
        return out
    with av.open(str(path), metadata_errors="ignore") as c:
        if not c.streams.audio:
            return out
        st = c.streams.audio[0]
        origin = st.start_time or 0
        c.seek(max(origin, origin + int((Fraction(start) - 1) / st.time_base)), stream=st, backward=True)
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        chunks, t0 = [], None
        need = None
        loss = DecodeLoss("audio", st.index)
        lost = 0.0
        for frame in decode_frames(c, st, loss):
            if frame.pts is None:
                continue
            if t0 is not None and loss.seconds > lost:   # a damaged packet: silence of its length
                chunks.append(np.zeros((channels, round((loss.seconds - lost) * rate)), np.float32))
            lost = loss.seconds
            if t0 is None:
                t0 = (Fraction(frame.pts) - origin) * st.time_base
                need = round((Fraction(start) - t0) * rate) + samples
            for r in resampler.resample(frame):
                chunks.append(r.to_ndarray())
            if sum(ch.shape[1] for ch in chunks) >= need + rate // 10:
                break
        if not chunks:
            return out
        data = np.concatenate(chunks, axis=1)
        skip = round((Fraction(start) - t0) * rate)
        if skip < 0:  # audio starts after the requested point: leave leading silence
            piece = data[:, : samples + skip]
            out[:, -skip: -skip + piece.shape[1]] = piece
        else:
            piece = data[:, skip: skip + samples]
            out[:, : piece.shape[1]] = piece
    return out
