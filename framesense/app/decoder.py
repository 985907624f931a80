"""Frame-accurate decoding for the player, on a worker thread.

A job seeks to the keyframe before its first frame, decodes (and drops) up to
it, then converts each frame of [first, last) to a QImage at display size and
puts it on a small queue. The GUI pulls frames at the media rate; a full queue
makes the job wait, so pausing costs no work.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from PySide6.QtGui import QImage

from ..media.frames import open_video
from ..media.seek import iter_frames

END = object()  # put on the queue after the last frame of a job


@dataclass
class DecodedFrame:
    index: int        # media frame index at the media rate
    image: QImage


class DecodeJob(threading.Thread):
    def __init__(self, path: str, rate: Fraction, first: int, last: int, size: tuple[int, int], depth: int = 6):
        super().__init__(daemon=True, name="framesense-decode")
        self.path, self.rate, self.first, self.last = path, Fraction(rate), first, last
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
        with open_video(self.path, threads=1) as (container, stream):
            w, h = self._display_size(stream)
            for index, frame in iter_frames(container, stream, self.rate, self.first, self.last):
                if self._stop.is_set():
                    return
                rgb = np.ascontiguousarray(frame.reformat(width=w, height=h, format="rgb24").to_ndarray())
                image = QImage(rgb.data, w, h, rgb.strides[0], QImage.Format.Format_RGB888).copy()
                if not self._put(DecodedFrame(index, image)):
                    return

    def _display_size(self, stream) -> tuple[int, int]:
        src_w, src_h = stream.codec_context.width, stream.codec_context.height
        box_w, box_h = self.size
        scale = max(0.05, min(box_w / src_w, box_h / src_h, 2.0))
        w = max(16, int(src_w * scale) // 2 * 2)
        h = max(16, int(src_h * scale) // 2 * 2)
        return w, h


class ReverseDecodeJob(DecodeJob):
    """Frames ``start``, ``start - 1``, ... down to ``low`` (J shuttle): short runs are decoded
    forward from a seek (a codec cannot decode backwards) and put on the queue last frame first."""

    CHUNK = 12

    def __init__(self, path: str, rate: Fraction, start: int, low: int, size: tuple[int, int]):
        super().__init__(path, rate, start, start + 1, size)
        self.low = max(0, low)

    def _decode(self):
        with open_video(self.path, threads=1) as (container, stream):
            w, h = self._display_size(stream)
            end = self.first + 1
            while end > self.low and not self._stop.is_set():
                a = max(self.low, end - self.CHUNK)
                run = []
                for index, frame in iter_frames(container, stream, self.rate, a, end):
                    rgb = np.ascontiguousarray(frame.reformat(width=w, height=h, format="rgb24").to_ndarray())
                    run.append(DecodedFrame(index, QImage(rgb.data, w, h, rgb.strides[0],
                                                          QImage.Format.Format_RGB888).copy()))
                for got in reversed(run):
                    if not self._put(got):
                        return
                end = a
