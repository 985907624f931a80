"""Frame-accurate decoding for the player, on a worker thread.

A job seeks to the keyframe before its first frame, decodes (and drops) up to
it, then converts each frame of [first, last) to a QImage at display size and
puts it on a small queue. The GUI pulls frames at the media rate; a full queue
makes the job wait, so pausing costs no work.
"""

from __future__ import annotations

import queue
import threading
from contextlib import ExitStack
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from PySide6.QtGui import QImage

from ..media.frames import open_video
from ..media.seek import iter_frames

END = object()  # put on the queue after the last frame of a job


@dataclass(frozen=True)
class Cover:
    """Another file's picture over frames [a, b) of the one being played (a V2 picture over its cut):
    the played file still gives the frame numbers the sound paces, this one the image."""
    path: str
    rate: Fraction        # of the covering file
    a: int                # first covered frame of the played file
    b: int                # exclusive
    first: int            # the covering file's frame shown at ``a``
    last: int             # the covering file's frames end here (exclusive)

    def frame_at(self, index: int, played_rate: Fraction) -> int:
        return min(self.last - 1, self.first + int((index - self.a) * self.rate / played_rate))


@dataclass
class DecodedFrame:
    index: int        # media frame index at the media rate
    image: QImage


class DecodeJob(threading.Thread):
    def __init__(self, path: str, rate: Fraction, first: int, last: int, size: tuple[int, int], depth: int = 6,
                 cover: Cover | None = None):
        super().__init__(daemon=True, name="framesense-decode")
        self.path, self.rate, self.first, self.last = path, Fraction(rate), first, last
        self.cover = cover if cover is not None and cover.a < last and cover.b > first else None
        self.size = size
        self.frames: queue.Queue = queue.Queue(maxsize=depth)
        self.error: str | None = None
        self._stop = threading.Event()

    def stop(self):
        self._stop.set()

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self.frames.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run(self):
        try:
            self._decode()
        except Exception as exc:  # shown in the player; never kills the app
            self.error = f"{self.path}: cannot decode ({exc})"
        self._put(END)

    def _decode(self):
        with open_video(self.path, threads=1) as (container, stream), ExitStack() as more:
            w, h = self._display_size(stream)
            covering = _CoverReader(self.cover, self.rate, self._display_size, more)
            for index, frame in iter_frames(container, stream, self.rate, self.first, self.last):
                if self._stop.is_set():
                    return
                image = covering.image(index)
                if not self._put(DecodedFrame(index, image if image is not None else _image(frame, w, h))):
                    return

    def _display_size(self, stream) -> tuple[int, int]:
        src_w, src_h = stream.codec_context.width, stream.codec_context.height
        box_w, box_h = self.size
        scale = max(0.05, min(box_w / src_w, box_h / src_h, 2.0))
        w = max(16, int(src_w * scale) // 2 * 2)
        h = max(16, int(src_h * scale) // 2 * 2)
        return w, h


class _CoverReader:
    """The covering file's image for a played frame, read forward from one seek; a frame behind the
    last one read (the J shuttle's next run) seeks again. The file is opened where the cover first shows."""

    def __init__(self, cover: Cover | None, played_rate: Fraction, display_size, stack: ExitStack):
        self.cover, self.played_rate, self.display_size, self.stack = cover, played_rate, display_size, stack
        self.opened = None          # (container, stream, display size)
        self.frames = None          # iterator of (index, frame) of the covering file
        self.last = None            # the last (index, frame) read from it

    def image(self, index: int) -> QImage | None:
        c = self.cover
        if c is None or not c.a <= index < c.b:
            return None
        want = c.frame_at(index, self.played_rate)
        if self.opened is None:
            cc, cs = self.stack.enter_context(open_video(c.path, threads=1))
            self.opened = (cc, cs, self.display_size(cs))
        cc, cs, (w, h) = self.opened
        if self.frames is None or (self.last is not None and self.last[0] > want):
            self.frames, self.last = iter_frames(cc, cs, c.rate, want, c.last), None
        while self.last is None or self.last[0] < want:
            got = next(self.frames, None)
            if got is None:
                break
            self.last = got
        return None if self.last is None else _image(self.last[1], w, h)


def _image(frame, w: int, h: int) -> QImage:
    """A decoded frame at display size, as a QImage that owns its pixels."""
    rgb = np.ascontiguousarray(frame.reformat(width=w, height=h, format="rgb24").to_ndarray())
    return QImage(rgb.data, w, h, rgb.strides[0], QImage.Format.Format_RGB888).copy()


class ReverseDecodeJob(DecodeJob):
    """Frames ``start``, ``start - 1``, ... down to ``low`` (J shuttle): short runs are decoded
    forward from a seek (a codec cannot decode backwards) and put on the queue last frame first."""

    CHUNK = 12

    def __init__(self, path: str, rate: Fraction, start: int, low: int, size: tuple[int, int],
                 cover: Cover | None = None):
        super().__init__(path, rate, start, start + 1, size)
        self.low = max(0, low)
        self.cover = cover if cover is not None and cover.a <= start and cover.b > self.low else None

    def _decode(self):
        with open_video(self.path, threads=1) as (container, stream), ExitStack() as more:
            w, h = self._display_size(stream)
            covering = _CoverReader(self.cover, self.rate, self._display_size, more)
            end = self.first + 1
            while end > self.low and not self._stop.is_set():
                a = max(self.low, end - self.CHUNK)
                run = []
                for index, frame in iter_frames(container, stream, self.rate, a, end):
                    image = covering.image(index)
                    run.append(DecodedFrame(index, image if image is not None else _image(frame, w, h)))
                for got in reversed(run):
                    if not self._put(got):
                        return
                end = a
