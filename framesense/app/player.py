"""The playphrase-style player: plays each item from its in to its out, then the next.

Items come from search hits (padded) or from the timeline's clips. Keys (a source monitor's):
space play/pause; L plays forward, J in reverse, again: 2x, 4x (sound at 1x forward only); K pauses,
and held with J / L steps one frame; ',' / '.' one frame back / forward; I / O mark in / out on the
current hit (the clip added to the timeline uses them); Left / Right previous / next item.
"""

from __future__ import annotations

import html
import queue
import time
from dataclasses import dataclass
from fractions import Fraction

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import (QDoubleSpinBox, QHBoxLayout, QLabel, QSizePolicy, QSlider, QStyle, QToolButton,
                               QVBoxLayout, QWidget)

from ..timecode import Timecode
from .decoder import END, Cover, DecodedFrame, DecodeJob, ReverseDecodeJob
from .labels import ElidedLabel
from .scrub_bar import ScrubBar
from .sound import Sound, SoundTrack


@dataclass
class PlayItem:
    path: str
    rate: Fraction
    first: int            # first frame to show
    last: int             # exclusive
    label: str = ""
    caption: str = ""     # rich text: the sentence with the matched words in bold
    start_tc_frames: int = 0
    drop_frame: bool = False
    words: tuple = ()     # (text, start s, end s) of the matched words: the one being spoken is lit
    text: str | None = None
    context: str | None = None
    hit: tuple | None = None          # (in, out) of the hit itself, inside the pads (the scrub bar shows both)
    mark_in: int | None = None        # I / O marks (media frames; out exclusive)
    mark_out: int | None = None
    cover: Cover | None = None        # a V2 picture over part of it (sequence playback)

    def timecode(self, frame: int) -> str:
        return Timecode(self.rate, self.drop_frame).to_string(self.start_tc_frames + max(0, frame))


def _words_html(words, lit: int | None) -> str:
    out = []
    for i, w in enumerate(words):
        t = html.escape(w)
        out.append(f"<span style='color:#e67e22'>{t}</span>" if i == lit else t)
    return " ".join(out)


def caption_html(text: str | None, context: str | None, words=None, lit: int | None = None) -> str:
    """The sentence with the matched words in bold (or just the words); word `lit` in colour."""
    if not context and not text:
        return ""
    if context and text:
        lo = context.find(text)                     # the same spelling first ("The" vs "the")
        if lo < 0:
            lo = context.lower().find(text.lower())
        if lo >= 0:
            hi = lo + len(text)
            matched = _words_html([w[0] for w in words], lit) if words else html.escape(context[lo:hi])
            return html.escape(context[:lo]) + "<b>" + matched + "</b>" + html.escape(context[hi:])
    if text:
        return f"<b>{html.escape(text)}</b>" + (f" — {html.escape(context)}" if context else "")
    return html.escape(context)


class VideoView(QWidget):
    """Paints the current frame centred and scaled to fit, black around it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.image = None
        self.message = "No clip"
        self.setMinimumSize(256, 144)   # small enough that a laptop window with the banner open never squeezes the scrub bar over it
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self):
        return QSize(480, 270)

    def show_image(self, image):
        self.image = image
        self.update()

    def show_message(self, text):
        self.image, self.message = None, text
        self.update()

    def paintEvent(self, event):
        p = QPainter(self)
        p.fillRect(self.rect(), Qt.GlobalColor.black)
        if self.image is not None and not self.image.isNull():
            pix = QPixmap.fromImage(self.image).scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                       Qt.TransformationMode.SmoothTransformation)
            p.drawPixmap((self.width() - pix.width()) // 2, (self.height() - pix.height()) // 2, pix)
        else:
            p.setPen(Qt.GlobalColor.gray)
            p.drawText(self.rect().adjusted(16, 16, -16, -16), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       self.message)
        p.end()


class Player(QWidget):
    notice = Signal(str)                # said once: e.g. no audio device, picture only
    item_changed = Signal(int)          # index into the playlist
    frame_shown = Signal(int)           # media frame index
    pads_changed = Signal(float, float)
    state_changed = Signal(bool)        # playing
    marked = Signal(int, object, object)   # item index, mark in, mark out (None: not set)

    def __init__(self, parent=None, pad_before: float = 0.5, pad_after: float = 0.5):
        super().__init__(parent)
        self.items: list[PlayItem] = []
        self.index = -1
        self.current_frame: int | None = None
        self.playing = False
        self.speed = 1
        self.direction = 1               # -1: J, playing in reverse (no sound)
        self.k_held = False              # K is down: J / L step a frame (monitor_keys watches the key)
        self.error: str | None = None
        self._job: DecodeJob | None = None
        self._ahead: tuple[int, DecodeJob] | None = None   # the next hit, decoding while this one plays
        self._need = 0                   # frames to pull while paused (cue, step)
        self._seeking = 0.0              # when the scrub's frame began decoding (0: none in flight)
        self._next_seek: int | None = None   # where the mouse went meanwhile: decoded next, the rest skipped
        self._lit = None                 # the word lit in the caption
        self._ending = 0.0               # the last hit's last frame stays on screen until its sound has played (deadline)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(20)
        self.sound = Sound(self)
        self.track = SoundTrack(self.sound)
        self._told_no_sound = False

        self.view = VideoView(self)
        self.scrub = ScrubBar(self)
        self.scrub.scrubbed.connect(self.seek)
        self.caption = QLabel(self)
        self.caption.setObjectName("caption")
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setMinimumHeight(44)
        self.position = QLabel("--:--:--:--", self)
        self.position.setObjectName("timecode")
        self.counter = ElidedLabel("", self)       # "2/3  file name": cut, never widening the window

        def button(icon, tip, slot):
            b = QToolButton(self)
            b.setIcon(self.style().standardIcon(icon))
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            return b

        SP = QStyle.StandardPixmap
        self._icons = {True: self.style().standardIcon(SP.SP_MediaPause), False: self.style().standardIcon(SP.SP_MediaPlay)}
        self.prev_button = button(SP.SP_MediaSkipBackward, "Previous hit (Left)", self.previous_item)
        self.play_button = button(SP.SP_MediaPlay, "Play / pause (Space, L, K)", self.toggle)
        self.next_button = button(SP.SP_MediaSkipForward, "Next hit (Right)", self.next_item)
        self.mute_button = button(SP.SP_MediaVolume, "Mute", self.toggle_mute)
        self.volume = QSlider(Qt.Orientation.Horizontal, self, minimum=0, maximum=100, value=100,
                              toolTip="Volume")
        self.volume.setFixedWidth(70)
        self.volume.valueChanged.connect(lambda v: self.sound.set_volume(v / 100))   # the current output's
        self.pad_before = QDoubleSpinBox(self, minimum=0.0, maximum=10.0, singleStep=0.1, value=pad_before,
                                         suffix=" s", toolTip="Padding before each hit")
        self.pad_after = QDoubleSpinBox(self, minimum=0.0, maximum=10.0, singleStep=0.1, value=pad_after,
                                        suffix=" s", toolTip="Padding after each hit")
        self.pad_before.valueChanged.connect(lambda _: self.pads_changed.emit(*self.pads()))
        self.pad_after.valueChanged.connect(lambda _: self.pads_changed.emit(*self.pads()))

        controls = QHBoxLayout()
        for w in (self.prev_button, self.play_button, self.next_button):
            controls.addWidget(w)
        controls.addSpacing(8)
        controls.addWidget(self.position)
        controls.addWidget(self.counter, 1)
        controls.addWidget(self.mute_button)
        controls.addWidget(self.volume)
        controls.addWidget(QLabel("pad", self))
        controls.addWidget(self.pad_before)
        controls.addWidget(self.pad_after)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.scrub)
        layout.addWidget(self.caption)
        layout.addLayout(controls)

    def use_output(self, output) -> None:
        """Send the sound to ``output`` (an ``audio_out.AudioOutput``, e.g. a WAV file) instead of the device."""
        self.track.stop()
        muted = self.sound.muted
        self.sound.deleteLater()
        self.sound = Sound(self, output=output)
        self.track = SoundTrack(self.sound)
        self._told_no_sound = False
        self.sound.set_volume(self.volume.value() / 100)
        self.sound.set_muted(muted)

    def pads(self) -> tuple[float, float]:
        return self.pad_before.value(), self.pad_after.value()

    # -- playlist -----------------------------------------------------------
    def set_playlist(self, items: list[PlayItem], index: int = 0, play: bool = False):
        self.items = list(items)
        if self._ahead is not None:        # another list: what was decoded ahead is not next any more
            self._ahead[1].stop()
            self._ahead = None
        if not self.items:
            self._stop_job()
            self.index, self.current_frame = -1, None
            self.view.show_message("No clip")
            self.caption.setText("")
            self.counter.setText("")
            self.pause()
            return
        self.cue(max(0, min(index, len(self.items) - 1)))
        if play:
            self.play()

    def cue(self, index: int, frame: int | None = None, follow: bool = False):
        """Go to item `index` and show its first frame (or `frame`); ``follow``: playback ran on into it."""
        if not (0 <= index < len(self.items)):
            return
        if self.direction < 0:
            self.pause()                   # leaving a reverse shuttle: forward again, paused or not
        item = self.items[index]
        self._ending = 0.0
        if not follow:
            self.track.stop()
        self.index = index
        self.current_frame = None
        start = item.first if frame is None else max(0, frame)
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == index and ahead[1].first == start and ahead[1].path == item.path:
            self._stop_job()
            self._job = ahead[1]           # decoded ahead: the join costs no open and no seek
        else:
            if ahead is not None:
                ahead[1].stop()
            self._start_job(item, start)
        self._need = 1
        self._retime()                     # each hit plays at its own rate
        if self.playing:
            self._prefetch()
            self._prepare_sound()
        self.caption.setText(item.caption)
        self.scrub.set_range(item.first, item.last, item.hit, (item.mark_in, item.mark_out))
        self._lit = None
        self.counter.setText(f"{index + 1}/{len(self.items)}  {item.label}")
        self.item_changed.emit(index)

    def next_item(self):
        if self.index + 1 < len(self.items):
            self.cue(self.index + 1)

    def previous_item(self):
        if self.index > 0:
            self.cue(self.index - 1)

    # -- transport ----------------------------------------------------------
    def play(self):
        if not self.items:
            return
        if self._job is None:
            self.cue(max(0, self.index))
        self.playing = True
        self._prepare_sound()
        self._start_sound()
        self._retime()
        self._prefetch()
        self.play_button.setIcon(self._icons[True])
        self.state_changed.emit(True)

    def pause(self):
        reversing = self.direction < 0
        self.playing = False
        self._ending = 0.0
        self.speed, self.direction = 1, 1
        if reversing and 0 <= self.index < len(self.items):    # on from the frame on screen, forward
            item = self.items[self.index]
            self._start_job(item, self.current_frame + 1 if self.current_frame is not None else item.first)
        self.track.stop()
        self._retime()
        self.play_button.setIcon(self._icons[False])
        self.state_changed.emit(False)

    def toggle_mute(self):
        self.sound.set_muted(not self.sound.muted)
        icon = QStyle.StandardPixmap.SP_MediaVolumeMuted if self.sound.muted else QStyle.StandardPixmap.SP_MediaVolume
        self.mute_button.setIcon(self.style().standardIcon(icon))

    def toggle(self):
        self.pause() if self.playing else self.play()

    def faster(self):
        """L: start playing, or double the speed (up to 4x); while in reverse, forward at 1x."""
        if self.playing and self.direction > 0:
            self.speed = min(4, self.speed * 2)
            self.track.stop()              # sound at 1x only
            self._retime()
        else:
            if self.playing:
                self.pause()               # from reverse: the forward job starts at the frame on screen
            self.play()

    def reverse(self):
        """J: play in reverse from the frame on screen, or double the reverse speed (up to 4x); no sound."""
        if self.index < 0:
            return
        if self.playing and self.direction < 0:
            self.speed = min(4, self.speed * 2)
            self._retime()
            return
        item = self.items[self.index]
        frame = self.current_frame if self.current_frame is not None else item.first
        self.pause()
        if frame <= item.first:
            return                         # at the start of the hit already
        self.track.stop()
        self._stop_job()
        size = (max(64, self.view.width()), max(36, self.view.height()))
        self._job = ReverseDecodeJob(item.path, item.rate, frame - 1, item.first, size, cover=item.cover)
        self._job.start()
        self.playing, self.direction, self.speed = True, -1, 1
        self._retime()
        self.play_button.setIcon(self._icons[True])
        self.state_changed.emit(True)

    def shuttle_j(self):
        self.step(-1) if self.k_held else self.reverse()

    def shuttle_l(self):
        self.step(1) if self.k_held else self.faster()

    SEEK_PATIENCE = 0.5                  # s: a scrub frame slower than this (a stalled file) is given up on

    def seek(self, frame: int):
        """Show ``frame`` of the current item, paused (the scrub bar). While one scrub frame decodes,
        a drag only notes where the mouse is: one decode in flight, the newest position next."""
        if not (0 <= self.index < len(self.items)) or frame == self.current_frame:
            return
        if self._seeking and time.monotonic() - self._seeking < self.SEEK_PATIENCE:
            self._next_seek = frame
            return
        self.pause()
        self._start_job(self.items[self.index], max(0, frame))
        self._need = 1
        self._seeking = time.monotonic()

    def set_mark(self, which: str):
        """I / O: the frame on screen becomes the current item's in (or out: the frame is kept)."""
        if not (0 <= self.index < len(self.items)) or self.current_frame is None:
            return
        item = self.items[self.index]
        if which == "in":
            item.mark_in = self.current_frame
            if item.mark_out is not None and item.mark_out <= item.mark_in:
                item.mark_out = None
        else:
            item.mark_out = self.current_frame + 1
            if item.mark_in is not None and item.mark_in >= item.mark_out:
                item.mark_in = None
        self.scrub.set_range(item.first, item.last, item.hit, (item.mark_in, item.mark_out))
        self.marked.emit(self.index, item.mark_in, item.mark_out)

    def step(self, frames: int):
        """Show the frame `frames` away from the current one (paused)."""
        if self.index < 0:
            return
        self.pause()
        if frames > 0 and self._job is not None:
            self._need += frames
        else:
            target = (self.current_frame if self.current_frame is not None else self.items[self.index].first) + frames
            self._start_job(self.items[self.index], max(0, target))
            self._need = 1

    # -- internals ----------------------------------------------------------
    def _retime(self):
        rate = self.items[self.index].rate if 0 <= self.index < len(self.items) else Fraction(25)
        if self.playing and self.track.active:
            self._timer.setInterval(4)     # the sound's clock says when a frame is due: look often
        else:
            self._timer.setInterval(max(5, int(1000 / float(rate) / self.speed)) if self.playing else 20)

    def _start_sound(self):
        """At 1x forward, the sound from the frame on screen; it then paces the picture."""
        if self.speed != 1 or self.direction != 1 or not (0 <= self.index < len(self.items)) or self.track.active:
            return
        if not self.sound.available:
            if not self._told_no_sound:
                self._told_no_sound = True
                self.notice.emit(self.sound.reason)
            return
        item = self.items[self.index]
        frame = self.current_frame if self.current_frame is not None else item.first
        if self.track.start(self.items, self.index, frame):
            self._retime()

    def _start_job(self, item: PlayItem, first: int):
        self._stop_job()
        size = (max(64, self.view.width()), max(36, self.view.height()))
        # Past the out-point (stepping on) the job runs to the end of the media.
        last = item.last if first < item.last else first + 1
        self._job = DecodeJob(item.path, item.rate, first, last, size, cover=item.cover)
        self._job.start()

    def _stop_job(self):
        self._seeking, self._next_seek = 0.0, None
        if self._job is not None:
            self._job.stop()
            self._job = None

    def _prepare_sound(self):
        """Decode this hit's sound and the next one's while playing (browsing hits decodes none)."""
        for item in self.items[max(0, self.index):self.index + 2]:
            self.track.prepare(item)

    def _prefetch(self):
        """Open and seek the next hit now, so playing on into it shows its first frame at once."""
        nxt = self.index + 1
        if nxt < len(self.items) and (self._ahead is None or self._ahead[0] != nxt):
            if self._ahead is not None:
                self._ahead[1].stop()
            item = self.items[nxt]
            size = (max(64, self.view.width()), max(36, self.view.height()))
            job = DecodeJob(item.path, item.rate, item.first, item.last if item.first < item.last else item.first + 1,
                            size, cover=item.cover)
            job.start()
            self._ahead = (nxt, job)

    def _tick(self):
        if self._ending:                   # until the sound has played out (a device may stop a hair short)
            if not self.playing or self.track.remaining() <= 0.002 or time.monotonic() > self._ending:
                self.pause()
            return
        if self._job is None or not (self.playing or self._need > 0):
            return
        if self.playing and self._need <= 0 and self.track.active:
            self.track.follow_on(self.index + 1)
            due = self.track.due_frame(self.index)
            if due is not None:
                item = self.items[self.index]
                shown = self.current_frame if self.current_frame is not None else item.first - 1
                if shown >= due and shown < item.last - 1:
                    return                 # not yet: the sound has not reached the next frame
        try:
            got = self._job.frames.get_nowait()
        except queue.Empty:
            return
        if self._seeking:                  # the scrub's frame (or its end) came: on to where the mouse is now
            wanted, self._seeking, self._next_seek = self._next_seek, 0.0, None
            if wanted is not None and got is not END:
                self._show(got)
                self.seek(wanted)
                return
        if got is END:
            err = self._job.error
            self._job = None
            self._need = 0
            if err:
                self.error = err
                self.view.show_message(err)
            if self.playing and self.direction < 0:
                self.pause()               # reversed to the start of the hit
            elif self.playing:
                if self.index + 1 < len(self.items):
                    self.cue(self.index + 1, follow=True)
                    self._need = 0
                    if self.track.due_frame(self.index) is None:   # its sound did not follow on in time
                        self.track.stop()
                        self._retime()
                    self._tick()           # its first frame now, in this tick: the join costs no frame
                elif self.track.active:    # the end of the list: the last frame lasts as long as its sound
                    self._ending = time.monotonic() + self.track.remaining() + 0.25
                else:
                    self.pause()
            return
        self._show(got)
        if self.playing and self.direction > 0 and not self.track.active:
            self._start_sound()            # its sound was still decoding when play began

    def _show(self, got: DecodedFrame):
        assert isinstance(got, DecodedFrame)
        self._need = max(0, self._need - 1)
        self.current_frame = got.index
        self.view.show_image(got.image)
        item = self.items[self.index]
        self.position.setText(item.timecode(got.index))
        self.scrub.set_frame(got.index)
        if item.words:
            t = float(Fraction(got.index) / item.rate)
            lit = next((i for i, w in enumerate(item.words) if w[1] <= t < w[2]), None)
            if lit != self._lit:
                self._lit = lit
                self.caption.setText(caption_html(item.text, item.context, item.words, lit))
        self.frame_shown.emit(got.index)

    def shutdown(self):
        self._timer.stop()
        self.track.stop()
        self._stop_job()
        if self._ahead is not None:
            self._ahead[1].stop()
            self._ahead = None
