"""Fast frame access: decoder threads, tiny sample grids read in place, small images.

Shot detection needs every frame, so it must cost almost nothing beyond decoding.
Rather than converting each frame (a full-resolution swscale pass), we read a
sparse grid straight out of the decoder's planes through zero-copy views.
"""

from __future__ import annotations

from contextlib import contextmanager

import av
import numpy as np
from PIL import Image

GRID_W, GRID_H = 80, 45


@contextmanager
def open_video(path, threads: int = 0):
    """Open the first video stream with frame+slice threading on all cores."""
    container = av.open(str(path), metadata_errors="ignore")
    try:
        streams = [s for s in container.streams.video
                   if not (s.disposition & av.stream.Disposition.attached_pic)]
        if not streams:
            raise ValueError(f"{path}: no video stream")
        stream = streams[0]
        stream.thread_type = "AUTO"
        stream.thread_count = threads
        yield container, stream
    finally:
        container.close()


def _plane_view(plane, deep: bool = False) -> np.ndarray:
    """A zero-copy (height, width) view of one plane, line padding stripped."""
    arr = np.frombuffer(plane, dtype=np.uint16 if deep else np.uint8)
    return arr.reshape(plane.height, -1)[:, : plane.width]


def _grid_slices(h: int, w: int, gh: int, gw: int):
    """Strided slices that pick about gh x gw evenly spaced samples (a view, no copy)."""
    sy, sx = max(1, h // gh), max(1, w // gw)
    return slice(sy // 2, sy // 2 + sy * gh, sy), slice(sx // 2, sx // 2 + sx * gw, sx)


_PLANAR_YUV = {}


def _is_planar_yuv(fmt) -> tuple[bool, bool]:
    """(planar YUV, 16-bit samples) for a frame's pixel format; cached by name."""
    name = fmt.name
    hit = _PLANAR_YUV.get(name)
    if hit is None:
        planar = name.startswith(("yuv", "yuvj")) and not name.startswith(("yuva", "yuyv")) and len(fmt.components) >= 3
        planar = planar and not name.endswith(("be",))
        deep = any(c.bits > 8 for c in fmt.components)
        hit = _PLANAR_YUV[name] = (planar, deep)
    return hit


def sample_grid(frame, gw: int = GRID_W, gh: int = GRID_H) -> np.ndarray:
    """A (3, gh, gw) int16 grid of Y, U, V samples in 8-bit range, read without a full copy."""
    planar, deep = _is_planar_yuv(frame.format)
    if not planar:
        small = frame.reformat(width=gw, height=gh, format="yuv444p")
        return np.stack([_plane_view(p) for p in small.planes[:3]]).astype(np.int16)
    out = np.empty((3, gh, gw), dtype=np.int16)
    for k in range(3):
        plane = frame.planes[k]
        arr = _plane_view(plane, deep)
        g = arr[_grid_slices(arr.shape[0], arr.shape[1], gh, gw)]
        if g.shape != (gh, gw):  # planes smaller than the grid: repeat samples
            g = np.resize(g, (gh, gw))
        out[k] = (g >> 2) if deep else g
    return out


def frame_image(frame, width: int = 320) -> Image.Image:
    """A small RGB picture of a frame, scaled by the decoder's converter (aspect kept)."""
    w = frame.width
    h = frame.height
    sar = frame.sample_aspect_ratio if hasattr(frame, "sample_aspect_ratio") else None
    display_w = w * float(sar) if sar else w
    height = max(2, int(round(width * h / display_w / 2)) * 2)
    return frame.reformat(width=width, height=height, format="rgb24", interpolation="AREA").to_image()
