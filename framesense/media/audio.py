"""Decode audio streams with PyAV into 16 kHz mono float32, the form Whisper reads."""

from __future__ import annotations

import av
import numpy as np

from ..errors import MediaError
from .tolerant import DecodeLoss, decode_frames

SAMPLE_RATE = 16000


def decode_audio(path, stream_index: int | None = None, sr: int = SAMPLE_RATE) -> np.ndarray:
    """All samples of one audio stream (the first when stream_index is None), resampled to sr mono.

    stream_index is the container-wide index (as probe's AudioStream.index records it).
    Damaged packets become silence of their length (see decode_audio_checked).
    """
    return decode_audio_checked(path, stream_index, sr)[0]


def decode_audio_checked(path, stream_index: int | None = None,
                         sr: int = SAMPLE_RATE) -> tuple[np.ndarray, DecodeLoss]:
    """decode_audio plus what was lost: damaged packets are skipped and filled with silence.

    Fails (MediaError naming the file) only when no packet at all decodes.
    """
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, OSError) as exc:
        raise MediaError(path, f"cannot open for audio: {exc}") from None
    try:
        streams = [s for s in container.streams.audio]
        if stream_index is not None:
            streams = [s for s in streams if s.index == stream_index]
        if not streams:
            raise MediaError(path, "no audio stream" if stream_index is None else f"no audio stream #{stream_index}")
        stream = streams[0]
        stream.thread_type = "AUTO"
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sr)
        loss = DecodeLoss("audio", stream.index)
        chunks: list[np.ndarray] = []
        decoded = 0
        lost_seconds = 0.0
        for frame in decode_frames(container, stream, loss):
            if loss.seconds > lost_seconds:  # keep later audio in place: a lost packet becomes silence
                chunks.append(np.zeros(int(round((loss.seconds - lost_seconds) * sr)), np.float32))
                lost_seconds = loss.seconds
            frame.pts = None  # let the resampler count samples; gaps in timestamps would shift it
            decoded += 1
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        if not decoded:
            why = loss.reason or "no audio frames"
            raise MediaError(path, f"cannot decode audio stream #{stream.index}: {why}")
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    finally:
        container.close()
    if not chunks:
        return np.zeros(0, dtype=np.float32), loss
    return np.concatenate(chunks).astype(np.float32, copy=False), loss


def has_sound(samples: np.ndarray, threshold_db: float = -55.0) -> bool:
    """True when some 100 ms window is louder than threshold_db (RMS, full scale = 0 dB)."""
    if samples.size == 0:
        return False
    win = SAMPLE_RATE // 10
    n = samples.size // win
    if n == 0:
        rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    else:
        blocks = samples[: n * win].astype(np.float64).reshape(n, win)
        rms = float(np.sqrt((blocks ** 2).mean(axis=1)).max())
    return rms > 10 ** (threshold_db / 20)
