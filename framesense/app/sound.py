"""The source monitor's sound: PCM pushed to an audio output (a QAudioSink, or a WAV file in
checks), whose clock the picture follows.

The audio clock is the master (as in ffplay and mpv): the player shows the frame the sound has
reached, so picture and sound stay together at any frame rate. Without an output device (or
without QtMultimedia) the player says so once and plays picture only on a wall clock.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer

from .audio_out import AudioOutput, DeviceOutput

FEED_MS = 10


class Sound(QObject):
    """PCM queued for an output (``audio_out``): a device, or a WAV file in checks and tests."""

    def __init__(self, parent=None, device=None, output: AudioOutput | None = None):
        super().__init__(parent)
        self.output = output if output is not None else DeviceOutput(self, device)
        if output is not None and output.parent() is None:
            output.setParent(self)
        self.reason: str | None = self.output.reason
        self.rate = self.output.rate
        self.volume, self.muted = 1.0, False
        self._data = bytearray()          # what the output has not taken yet
        self._feeder = QTimer(self, interval=FEED_MS)
        self._feeder.timeout.connect(self._feed)

    @property
    def available(self) -> bool:
        return self.reason is None

    def play(self, pcm: np.ndarray) -> None:
        """Start ``pcm`` (int16, frames x 2, at ``self.rate``) from its first sample; the clock restarts."""
        self.stop()
        if not self.available:
            return
        self.output.open(0.0 if self.muted else self.volume)
        self._data = bytearray(np.ascontiguousarray(pcm, np.int16).tobytes())
        self._feed()
        self._feeder.start()

    def _feed(self):
        if not self.output.is_open:
            return
        free = self.output.bytes_free()
        if free and self._data:
            written = self.output.write(bytes(self._data[:free]))
            del self._data[:max(0, written)]      # a long playlist never holds what was played

    def append(self, pcm: np.ndarray) -> None:
        """More PCM after what is queued: the stream goes on without a gap."""
        self._data += np.ascontiguousarray(pcm, np.int16).tobytes()   # in place: no copy of the queue

    def elapsed(self) -> float:
        """Seconds of the current PCM the output has played since play()."""
        return self.output.elapsed() if self.output.is_open else 0.0

    @property
    def playing(self) -> bool:
        return self.output.is_open

    def stop(self) -> None:
        self._feeder.stop()
        self.output.close()

    def set_volume(self, volume: float) -> None:
        self.volume = max(0.0, min(1.0, volume))
        if not self.muted:
            self.output.set_volume(self.volume)

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        self.output.set_volume(0.0 if muted else self.volume)


class SoundTrack:
    """The hits' sound as one continuous stream: each hit's PCM is appended as the one before
    plays (no restart, so no gap), and the stream's clock says which frame of which hit is due."""

    def __init__(self, sound: Sound):
        self.sound = sound
        self._pcm: dict = {}              # (path, first, last) -> PCM, decoded on worker threads
        self._marks: list = []            # (stream seconds, item index, first frame, rate)
        self._queued = 0.0                # seconds of PCM handed to the stream
        self.items: list = []

    @property
    def active(self) -> bool:
        return self.sound.playing and bool(self._marks)

    def prepare(self, item) -> None:
        """Decode an item's sound in the background (once)."""
        import threading

        from ..media.pcm import decode_span
        key = (item.path, item.first, item.last)
        if key in self._pcm or not self.sound.available:
            return
        self._pcm[key] = None

        def work():
            try:
                pcm = decode_span(item.path, float(item.first / item.rate), float(item.last / item.rate),
                                  self.sound.rate)
            except Exception:          # a file without readable sound plays picture only
                pcm = None
            self._pcm[key] = pcm if pcm is not None else False
        threading.Thread(target=work, name="framesense-sound", daemon=True).start()

    def _ready(self, item):
        pcm = self._pcm.get((item.path, item.first, item.last))
        return pcm if isinstance(pcm, np.ndarray) else None

    def start(self, items, index: int, frame: int) -> bool:
        """Play from ``frame`` of item ``index``; False when its sound is not ready (picture only)."""
        self.stop()
        self.items = items
        item = items[index]
        pcm = self._ready(item)
        if pcm is None:
            return False
        offset = int(round(float((frame - item.first) / item.rate) * self.sound.rate))
        part = pcm[max(0, offset):]
        self.sound.play(part)
        self._marks = [(0.0, index, frame, item.rate)]
        self._queued = len(part) / self.sound.rate
        return True

    def follow_on(self, index: int) -> None:
        """Append item ``index``'s sound after what is queued, once it is decoded."""
        if not self.active or index >= len(self.items) or any(m[1] == index for m in self._marks):
            return
        item = self.items[index]
        pcm = self._ready(item)
        if pcm is None:
            return
        self.sound.append(pcm)
        self._marks.append((self._queued, index, item.first, item.rate))
        self._queued += len(pcm) / self.sound.rate

    def remaining(self) -> float:
        """Seconds of queued sound not played yet."""
        return max(0.0, self._queued - self.sound.elapsed()) if self.active else 0.0

    def due_frame(self, index: int) -> int | None:
        """The frame of item ``index`` the sound has reached (None: not playing this item's sound)."""
        mark = next((m for m in self._marks if m[1] == index), None)
        if mark is None or not self.sound.playing:
            return None
        start, _, first, rate = mark
        t = self.sound.elapsed() - start
        return first - 1 if t < 0 else first + int(t * float(rate) + 1e-6)

    def stop(self) -> None:
        self.sound.stop()
        self._marks = []
        self._queued = 0.0
