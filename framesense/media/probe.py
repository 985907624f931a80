"""Probe a file: streams, exact rate, duration, start timecode and reel name."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

import av

from ..errors import MediaError
from ..timecode import Timecode, rate_str, snap_rate
from .tolerant import DecodeLoss, decode_frames

# Demuxers that read a single still picture: a photo in a footage folder is not footage.
_STILL_FORMATS = {"image2", "png_pipe", "jpeg_pipe", "bmp_pipe", "gif", "webp_pipe", "tiff_pipe",
                  "svg_pipe", "psd_pipe", "dpx_pipe", "exr_pipe", "pgm_pipe", "ppm_pipe", "j2k_pipe"}
_TC_KEYS = ("timecode",)
_REEL_KEYS = ("reel_name", "reel", "com.apple.quicktime.reel", "tape_name")


@dataclass
class AudioStream:
    index: int
    codec: str
    channels: int
    sample_rate: int
    language: str | None = None


@dataclass
class MediaInfo:
    path: str
    container: str
    duration: float  # seconds
    has_video: bool
    width: int | None = None
    height: int | None = None
    rate: Fraction | None = None
    vfr: bool = False
    frames: int | None = None
    video_codec: str | None = None
    pix_fmt: str | None = None
    start_timecode: str | None = None
    drop_frame: bool = False
    reel: str | None = None
    audio: list[AudioStream] = field(default_factory=list)

    @property
    def rate_str(self) -> str | None:
        return rate_str(self.rate) if self.rate else None

    @property
    def start_tc_frames(self) -> int:
        """The start timecode as a frame count at the media's rate (0 when absent)."""
        if not self.start_timecode or not self.rate:
            return 0
        return Timecode(self.rate, self.drop_frame).to_frames(self.start_timecode)

    def to_json(self) -> dict:
        d = asdict(self)
        d["rate"] = self.rate_str
        return d


def reel_from_name(path: str | os.PathLike) -> str:
    """A reel name from the file name: letters, digits and underscores, upper case."""
    stem = Path(path).stem
    reel = re.sub(r"[^A-Za-z0-9_]+", "_", stem).strip("_").upper()
    return reel or "AX"


def _first(meta_dicts, keys):
    for meta in meta_dicts:
        for k in keys:
            v = meta.get(k)
            if v:
                return str(v).strip()
    return None


def _open(path: str):
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise MediaError(path, "file not found") from None
    except PermissionError:
        raise MediaError(path, "permission denied") from None
    if not p.is_file():
        raise MediaError(path, "not a regular file")
    if st.st_size == 0:
        raise MediaError(path, "empty file (0 bytes)")
    if not os.access(p, os.R_OK):
        raise MediaError(path, "permission denied")
    try:
        return av.open(str(p), metadata_errors="ignore")
    except av.error.InvalidDataError:
        raise MediaError(path, "not a readable media file: no demuxer recognises its contents "
                         "(not media, or corrupt/truncated)") from None
    except PermissionError:
        raise MediaError(path, "permission denied") from None
    except (av.error.FFmpegError, OSError) as exc:
        raise MediaError(path, f"cannot open: {exc.strerror if getattr(exc, 'strerror', None) else exc}") from None


def _video_rate(stream) -> tuple[Fraction | None, bool]:
    avg = stream.average_rate
    base = stream.base_rate or stream.guessed_rate
    cand = [Fraction(r) for r in (avg, base) if r]
    if not cand:
        return None, False
    if avg and base:
        a, b = Fraction(avg), Fraction(base)
        vfr = abs(a - b) / b > Fraction(1, 200)
        chosen = a if vfr else b
    else:
        vfr = False
        chosen = cand[0]
    return snap_rate(chosen), vfr


def _pts_irregular(container, stream, packets: int = 240) -> bool:
    """Demux (no decode) the first packets: uneven frame durations mean variable frame rate."""
    pts = []
    try:
        for packet in container.demux(stream):
            if packet.pts is not None:
                pts.append(packet.pts)
            if len(pts) >= packets:
                break
    except av.error.FFmpegError:
        return False
    finally:
        container.seek(0)
    # Packets come in decode order: with B-frames the last few presentation times are still
    # missing from the tail, so judge only the head of the sorted list.
    pts = sorted(pts)[: max(0, len(pts) - 16)]
    steps = [b - a for a, b in zip(pts, pts[1:]) if b > a]
    if len(steps) < 8:
        return False
    steps.sort()
    typical = steps[len(steps) // 2]
    # allow a tick of rounding jitter (e.g. 33/34 ms at 1/1000 time base)
    return any(abs(d - typical) > max(1, typical * 0.05) for d in steps)


_HUGE = re.compile(r"Picture size (\d+)x(\d+) is invalid")


@contextmanager
def _ffmpeg_errors():
    """FFmpeg's error messages while this runs (PyAV drops them otherwise): they say why a file
    failed where the error code alone misleads (a 60000x60000 frame reads as 'Device or resource busy')."""
    level, skip = av.logging.get_level(), av.logging.get_skip_repeated()
    av.logging.set_level(av.logging.ERROR)
    av.logging.set_skip_repeated(False)    # the same failure in the next file must be seen too
    try:
        with av.logging.Capture(local=False) as logs:
            yield logs
    finally:
        av.logging.set_level(level)
        av.logging.set_skip_repeated(skip)


def probe(path: str | os.PathLike, *, check_decode: bool = True) -> MediaInfo:
    """Read a file's streams and timing; raise MediaError with a reason if it is not usable."""
    with _ffmpeg_errors() as logs:
        try:
            return _probe(str(path), check_decode)
        except MediaError as exc:
            huge = next((m for _, _, text in logs for m in [_HUGE.search(text)] if m), None)
            if huge:
                raise MediaError(path, f"its frames are {huge[1]}x{huge[2]} pixels, too large to decode "
                                 "(FFmpeg reads frames up to about 16000x16000)") from None
            raise exc


def _probe(path: str, check_decode: bool) -> MediaInfo:
    container = _open(path)
    try:
        fmt = container.format.name
        if fmt.split(",")[0] in _STILL_FORMATS:
            raise MediaError(path, f"a still image ({fmt}), not footage")
        videos = [s for s in container.streams.video
                  if not (s.disposition & av.stream.Disposition.attached_pic)]
        audios = [s for s in container.streams.audio if s.codec_context.channels]
        if not videos and not audios:
            raise MediaError(path, "no video or audio streams")

        metas = [dict(s.metadata) for s in container.streams] + [dict(container.metadata)]
        duration = float(container.duration / av.time_base) if container.duration else 0.0
        info = MediaInfo(path=path, container=fmt, duration=duration, has_video=bool(videos))
        if videos:
            v = videos[0]
            cc = v.codec_context
            info.width, info.height = cc.width, cc.height
            info.video_codec = cc.name
            info.pix_fmt = cc.pix_fmt
            info.rate, info.vfr = _video_rate(v)
            info.vfr = info.vfr or _pts_irregular(container, v)
            if v.duration and v.time_base:
                info.duration = float(v.duration * v.time_base)
            if info.rate:
                info.frames = v.frames or round(Fraction(info.duration) * info.rate)
            tc = _first([dict(v.metadata)] + metas, _TC_KEYS)
            if tc and info.rate:
                drop = (";" in tc or "." in tc) and Timecode(info.rate).fps in (30, 60)
                try:
                    tcode = Timecode(info.rate, drop)
                    frames = tcode.to_frames(tc)
                    info.start_timecode = tcode.to_string(frames)
                    info.drop_frame = tcode.drop_frame
                except ValueError:
                    info.start_timecode = None
        for a in audios:
            cc = a.codec_context
            info.audio.append(AudioStream(index=a.index, codec=cc.name, channels=cc.channels,
                                          sample_rate=cc.sample_rate,
                                          language=a.metadata.get("language")))
            if not videos and a.duration and a.time_base:
                info.duration = max(info.duration, float(a.duration * a.time_base))
        info.reel = _first(metas, _REEL_KEYS) or reel_from_name(path)
        if info.duration <= 0 and not info.frames:
            raise MediaError(path, "no duration: the file holds no decodable media")
        if check_decode:
            _check_decodes(container, videos[0] if videos else audios[0], path)
        return info
    finally:
        container.close()


def _check_decodes(container, stream, path):
    """Decode until a first frame comes, so a file with a valid header but broken data fails here.

    Damaged packets before it are skipped (the stages report them); only a stream with no
    decodable frame at all fails.
    """
    loss = DecodeLoss(stream.type, stream.index)
    for _frame in decode_frames(container, stream, loss):
        return
    if loss.reason:
        raise MediaError(path, f"cannot decode {stream.type} stream: {loss.reason}")
    raise MediaError(path, f"{stream.type} stream has no decodable frames (truncated?)")
