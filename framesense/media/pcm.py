"""A span of a file's sound as PCM for the player: exact length, the output's rate and layout,
and a few milliseconds of fade at each end so a cut between hits never clicks."""

from __future__ import annotations

import math

import av
import numpy as np

from ..errors import MediaError

FADE_S = 0.005          # 5 ms: too short to hear as a fade, long enough to remove the click


def decode_span(path, start_s: float, end_s: float, rate: int = 48000, channels: int = 2) -> np.ndarray | None:
    """int16 samples (frames x channels) of [start_s, end_s), or None when the file has no sound.

    The span starts on the exact sample of ``start_s`` (decoded from the packet before it and
    trimmed), so picture and sound of a hit start together whatever the codec's frame size.
    """
    want = max(0, int(round((end_s - start_s) * rate)))
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, OSError) as exc:
        raise MediaError(path, f"cannot open for sound: {exc}") from None
    with container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        layout = "stereo" if channels == 2 else "mono"
        resampler = av.AudioResampler(format="s16", layout=layout, rate=rate)
        if start_s > 0:
            container.seek(max(0, int((start_s - 0.5) / stream.time_base)), stream=stream, backward=True)
        chunks, first = [], None
        got = 0
        try:
            for frame in container.decode(stream):
                if frame.pts is None:
                    continue
                t = float(frame.pts * stream.time_base)
                if first is None:
                    first = t
                if t >= end_s:
                    break
                frame.pts = None
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1, channels))
                    got += out.samples
                if first + got / rate >= end_s:
                    break
        except av.error.FFmpegError:
            pass                       # a damaged tail: what decoded plays, the rest is silence
        if first is None:
            return np.zeros((want, channels), np.int16)
    pcm = np.concatenate(chunks) if chunks else np.zeros((0, channels), np.int16)
    skip = int(round((start_s - first) * rate))
    if skip > 0:
        pcm = pcm[skip:]
    elif skip < 0:                     # the stream starts after the span does: silence first
        pcm = np.concatenate([np.zeros((-skip, channels), np.int16), pcm])
    pcm = pcm[:want]
    if len(pcm) < want:
        pcm = np.concatenate([pcm, np.zeros((want - len(pcm), channels), np.int16)])
    return fade(pcm, rate)


def fade(pcm: np.ndarray, rate: int, seconds: float = FADE_S) -> np.ndarray:
    n = min(len(pcm) // 2, math.ceil(seconds * rate))
    if n:
        ramp = np.linspace(0.0, 1.0, n, endpoint=False)[:, None]
        pcm = pcm.astype(np.float32)
        pcm[:n] *= ramp
        pcm[-n:] *= ramp[::-1]
        pcm = pcm.astype(np.int16)
    return pcm
