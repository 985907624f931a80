"""A preview of a sequence as one H.264/AAC file, frame-exact at the sequence rate.

Each clip is decoded from a seek to the keyframe before its in-point and frames are
dropped by pts until the in-point, so the first frame of every cut is the source's
in-point frame. A clip at another rate is conformed by picking, for each record
frame k, source frame in + floor(k * media_rate / sequence_rate).
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..atomic_files import atomic_path
from ..errors import FrameSenseError, MediaError
from ..media.frames import open_video
from ..media.seek import iter_frames, read_audio
from .model import Sequence

AUDIO_RATE = 48000


def _even(n: int) -> int:
    return max(2, int(n) // 2 * 2)


def _font(size: int):
    for name in ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def burn_in(img: np.ndarray, text: str, font) -> np.ndarray:
    """Draw the matched words in a dark band at the bottom of the frame."""
    im = Image.fromarray(img)
    draw = ImageDraw.Draw(im)
    w, h = im.size
    box = draw.textbbox((0, 0), text, font=font)
    tw, th = box[2] - box[0], box[3] - box[1]
    pad = max(2, h // 60)
    y = h - th - 3 * pad
    draw.rectangle([0, y - pad, w, h], fill=(0, 0, 0))
    draw.text(((w - tw) // 2, y - box[1]), text, font=font, fill=(255, 255, 255))
    return np.asarray(im)


def _pieces(p, op):
    """What shows over a cut's record frames: (clip, record frame of its first source frame, first, end).
    Its V2 overlay, where it has one, covers it."""
    if op is None:
        return [(p.clip, p.record_in, p.record_in, p.record_out)]
    out = [(p.clip, p.record_in, p.record_in, op.record_in)] if op.record_in > p.record_in else []
    out.append((op.clip, op.record_in, op.record_in, op.record_out))
    if op.record_out < p.record_out:
        out.append((p.clip, p.record_in, op.record_out, p.record_out))
    return out


def _picture(out, v, seq, clip, zero, first, last, width, height, font, progress) -> None:
    """Record frames [first, last) from ``clip``, whose first source frame is at record frame ``zero``."""
    m = clip.media
    text = " / ".join(mk.text or mk.name for mk in clip.markers if (mk.text or mk.name)) if font else ""
    try:
        with open_video(m.path) as (container, stream):
            start = clip.source_in + math.floor(Fraction(first - zero) * m.rate / seq.rate)
            frames = iter_frames(container, stream, m.rate, start, clip.source_out)
            current = None
            for rec in range(first, last):
                want = min(clip.source_in + math.floor(Fraction(rec - zero) * m.rate / seq.rate), clip.source_out - 1)
                while current is None or current[0] < want:
                    nxt = next(frames, None)
                    if nxt is None:
                        break
                    current = nxt
                if current is None:
                    raise MediaError(m.path, f"no frame decoded at {start} (file shorter than catalogued?)")
                img = current[1].reformat(width=width, height=height, format="rgb24").to_ndarray()
                if text:
                    img = burn_in(img, text, font)
                vf = av.VideoFrame.from_ndarray(img, format="rgb24")
                vf.pts = rec
                vf.time_base = 1 / seq.rate
                for pkt in v.encode(vf):
                    out.mux(pkt)
                progress(rec + 1)
    except av.error.FFmpegError as exc:
        raise MediaError(m.path, f"cannot decode: {exc}") from None


def render(seq: Sequence, path, *, width: int | None = None, height: int | None = None,
           burn_in_text: bool = False, crf: int = 18, progress=None) -> Path:
    """Write the sequence to ``path``; progress(done_frames, total_frames, clip_name) if given."""
    if not seq.clips:
        raise FrameSenseError(f"sequence {seq.name!r} has no clips: nothing to render")
    seq.check_media()
    first = seq.clips[0].media
    width = _even(width or first.width or 640)
    height = _even(height or (round(width * (first.height or 360) / (first.width or 640))))
    placements = seq.placements()
    total = placements[-1].record_out
    has_audio = any(c.media.has_audio for c in seq.clips)
    path = Path(path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    font = _font(max(10, height // 14)) if burn_in_text else None
    with atomic_path(path) as tmp:
        out = av.open(str(tmp), "w", format=None if path.suffix else "mp4")
        v = out.add_stream("libx264", rate=seq.rate)
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        v.options = {"preset": "veryfast", "crf": str(crf)}
        v.time_base = 1 / seq.rate
        a = None
        if has_audio:
            a = out.add_stream("aac", rate=AUDIO_RATE)
            a.layout = "stereo"
        apts = 0
        over = {op.index: op for op in seq.overlay_placements(placements)}
        for p in placements:
            for piece, zero, rec_a, rec_b in _pieces(p, over.get(p.index)):
                _picture(out, v, seq, piece, zero, rec_a, rec_b, width, height, font,
                         lambda done, name=piece.name: progress and progress(done, total, name))
            clip, m = p.clip, p.clip.media
            if a is not None:
                end = round(Fraction(p.record_out) * AUDIO_RATE / seq.rate)
                n = end - apts
                try:
                    pcm = read_audio(m.path, Fraction(clip.source_in) / m.rate, n) if m.has_audio else \
                        np.zeros((2, n), dtype=np.float32)
                except (av.error.FFmpegError, OSError) as exc:  # damaged packets are skipped; this is worse
                    raise MediaError(m.path, f"cannot decode audio: {exc}") from None
                for i in range(0, n, 1024):
                    af = av.AudioFrame.from_ndarray(np.ascontiguousarray(pcm[:, i:i + 1024]), format="fltp",
                                                    layout="stereo")
                    af.sample_rate = AUDIO_RATE
                    af.pts = apts + i
                    for pkt in a.encode(af):
                        out.mux(pkt)
                apts = end
        for pkt in v.encode():
            out.mux(pkt)
        if a is not None:
            for pkt in a.encode():
                out.mux(pkt)
        out.close()
    return path
