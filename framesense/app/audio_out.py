"""Where the player's sound goes: an audio-output interface with two outputs.

``DeviceOutput`` is the real one (a ``QAudioSink`` on the default device). ``WavOutput`` writes what
would have been heard to a WAV file: it plays in (capped) real time on its own clock, so the
picture is paced exactly as by a device, and its ``position()`` (samples written to the file) is the
audio clock the tests and ``framesense app --smoke --audio-out`` compare the picture against.
Both take int16 stereo PCM at ``rate`` through ``open`` / ``bytes_free`` / ``write`` / ``elapsed``.
"""

from __future__ import annotations

import time
import wave

import numpy as np
from PySide6.QtCore import QObject, QTimer

BUFFER_US = 80_000     # the device's buffer: short, so the clock (and what is heard) follows play() at once
CHANNELS = 2
BYTES_PER_FRAME = 2 * CHANNELS


class AudioOutput(QObject):
    """One output: ``open`` starts a stream whose clock (``elapsed``) counts from 0; ``close`` ends it."""

    rate = 48000
    reason: str | None = None          # why there is no sound (None: there is)

    def open(self, volume: float) -> None:
        raise NotImplementedError

    def bytes_free(self) -> int:
        raise NotImplementedError

    def write(self, data: bytes) -> int:
        raise NotImplementedError

    def elapsed(self) -> float:
        """Seconds of the stream played since ``open``."""
        raise NotImplementedError

    def set_volume(self, volume: float) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    @property
    def is_open(self) -> bool:
        raise NotImplementedError


NULL_OUTPUTS = ("dummy", "discard")


def is_null_output(description: str, device_id: str = "") -> bool:
    """Whether an output only pretends to play: Qt's "Dummy Output" (no audio system at all) has no
    clock worth following (it starts late and nothing is heard), so it counts as no device and the
    picture runs on its own clock. A PulseAudio null sink is a real stream with a real-time clock
    (and the tests' stand-in for a sound card), so it is a device."""
    words = f"{description} {device_id}".lower().replace("_", " ").replace("-", " ").split()
    return any(w in NULL_OUTPUTS for w in words)


class DeviceOutput(AudioOutput):
    """The default (or given) audio device through QtMultimedia's QAudioSink."""

    def __init__(self, parent=None, device=None):
        super().__init__(parent)
        self.sink = None
        self._open = False
        self._base = 0               # the sink's processed microseconds where the current stream starts
        try:
            from PySide6.QtMultimedia import QAudioFormat, QMediaDevices
        except ImportError:
            from ..installation import how_to_get
            self.reason = f"no sound: QtMultimedia is missing ({how_to_get('app', 'QtMultimedia')})"
            return
        self.device = QMediaDevices.defaultAudioOutput() if device is None else device
        if self.device.isNull():
            self.reason = "no audio output device: playing picture only"
            return
        name = self.device.description()
        if is_null_output(name, bytes(self.device.id().data()).decode("utf-8", "replace")):
            self.reason = f"the audio output “{name}” plays nothing (no sound card?): playing picture only"
            return
        fmt = QAudioFormat()
        fmt.setChannelCount(CHANNELS)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        fmt.setSampleRate(48000)
        if not self.device.isFormatSupported(fmt):
            fmt.setSampleRate(self.device.preferredFormat().sampleRate())
        self.format = fmt
        self.rate = fmt.sampleRate()
        self.warm()

    def warm(self) -> None:
        """Start the device's stream now, on a little silence: a new sink's clock only moves after a
        start-up (about 2 s on PulseAudio), which would otherwise come between Space and the picture.
        The stream then stays up between plays, idle, and resumes at once."""
        from PySide6.QtMultimedia import QAudioSink
        self.sink = QAudioSink(self.device, self.format, self)
        self.sink.setBufferSize(self.format.bytesForDuration(BUFFER_US))   # Qt's default held 2 s: the clock lagged
        self.sink.setVolume(0.0)
        self._io = self.sink.start()
        self._io.write(bytes(self.format.bytesForDuration(BUFFER_US)))

    def open(self, volume: float) -> None:
        from PySide6.QtMultimedia import QAudio
        if self.sink is None or self.sink.state() == QAudio.State.StoppedState:
            self.warm()
        queued = max(0, self.sink.bufferSize() - self.sink.bytesFree())     # what is still to play first
        self._base = self.sink.processedUSecs() + self.format.durationForBytes(queued)
        self.sink.setVolume(volume)
        self._open = True

    def bytes_free(self) -> int:
        return self.sink.bytesFree() if self._open else 0

    def write(self, data: bytes) -> int:
        return self._io.write(data)

    def elapsed(self) -> float:
        return max(0, self.sink.processedUSecs() - self._base) / 1e6 if self._open else 0.0

    def set_volume(self, volume: float) -> None:
        if self._open:
            self.sink.setVolume(volume)

    def close(self) -> None:
        """The stream ends for the player; the device's stays up (silent, soon idle) for the next play."""
        if self.sink is not None:
            self.sink.setVolume(0.0)
        self._open = False

    @property
    def is_open(self) -> bool:
        return self._open


class WavOutput(AudioOutput):
    """A file sink: what a device would have played, sample for sample, into a WAV.

    The file runs on from construction to ``finish``: silence while no stream is open (paused,
    picture only), the stream's samples (times the volume) while one is. Its clock advances on a
    timer by the wall time since the last advance, capped at ``MAX_STEP_S`` so a starved process
    slows the clock instead of making the picture jump (a device would underrun the same way).
    ``elapsed`` counts the stream's own samples played, never the silence of an underrun, so the
    player's marks stay sample-exact.
    """

    STEP_MS = 5
    MAX_STEP_S = 0.02

    def __init__(self, path, parent=None, rate: int = 48000):
        super().__init__(parent)
        self.path = str(path)
        self.rate = rate
        self._wav = wave.open(self.path, "wb")
        self._wav.setnchannels(CHANNELS)
        self._wav.setsampwidth(2)
        self._wav.setframerate(rate)
        self._written = 0                # sample frames in the file: the file's clock
        self._pending = bytearray()      # the open stream's samples not played yet
        self._played = 0                 # sample frames of the open stream played
        self._open = False
        self.opened_at = 0               # the file's sample where the open stream's first sample went
        self.underrun = 0                # samples of silence written while a stream was open but starved
        self._volume = 1.0
        self._carry = 0.0                # fraction of a sample not played yet (wall time is not whole samples)
        self._last = time.monotonic()
        self._timer = QTimer(self, interval=self.STEP_MS)
        self._timer.timeout.connect(self.advance)
        self._timer.start()

    def position(self) -> int:
        """Sample frames written to the file so far: where what is heard now lies in the WAV."""
        return self._written

    def advance(self) -> None:
        """Play the wall time since the last call (at most MAX_STEP_S) into the file."""
        if self._wav is None:
            return
        now = time.monotonic()
        span = min(now - self._last, self.MAX_STEP_S) * self.rate + self._carry
        self._last = now
        n = int(span)
        self._carry = span - n
        if n <= 0:
            return
        out = np.zeros((n, CHANNELS), np.int16)
        if self._open:
            take = min(n, len(self._pending) // BYTES_PER_FRAME)
            if take:
                pcm = np.frombuffer(bytes(self._pending[:take * BYTES_PER_FRAME]), np.int16).reshape(-1, CHANNELS)
                del self._pending[:take * BYTES_PER_FRAME]
                out[:take] = pcm if self._volume >= 1.0 else (pcm * self._volume).astype(np.int16)
                self._played += take
            self.underrun += n - take
        self._wav.writeframes(out.tobytes())
        self._written += n

    def open(self, volume: float) -> None:
        self.close()
        self._open, self._played, self._volume = True, 0, volume
        self.opened_at = self._written
        self._pending = bytearray()

    def bytes_free(self) -> int:
        if not self._open:
            return 0
        return max(0, int(BUFFER_US / 1e6 * self.rate) * BYTES_PER_FRAME - len(self._pending))

    def write(self, data: bytes) -> int:
        n = min(len(data), self.bytes_free()) // BYTES_PER_FRAME * BYTES_PER_FRAME
        self._pending += data[:n]
        return n

    def elapsed(self) -> float:
        return self._played / self.rate if self._open else 0.0

    def set_volume(self, volume: float) -> None:
        self._volume = volume

    def close(self) -> None:
        self._open = False
        self._pending = bytearray()      # a stopped stream's buffer is dropped, as QAudioSink.stop does

    @property
    def is_open(self) -> bool:
        return self._open

    def finish(self) -> None:
        """Write the last samples and close the file (the clock stops)."""
        if self._wav is not None:
            self.advance()
            self._timer.stop()
            self._wav.close()
            self._wav = None
