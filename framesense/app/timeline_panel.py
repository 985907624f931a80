"""The timeline panel: the drawn timeline, the selected clip's fields and the edit buttons.

It observes the ``Session``, which owns the sequence, its undo history, its unsaved flag, its
path and autosave; every button, key and drag here sends an edit to ``Session.edit`` and the
panel redraws when the session says the sequence changed. Trims and fields act on the selected
clip only, and the fields reload whenever the selection changes, so an edit cannot land on a
clip the user is not looking at.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ..timeline import edits
from . import sequence_adapter as seqmod
from .labels import ElidedLabel
from .timecode_box import TimecodeBox
from .timeline_items import paint_track_headers
from .timeline_view import TimelineView


class TrackHeaders(QWidget):
    """V2, V1 and A1 beside the tracks (the view has no vertical scrolling, so the rows line up)."""

    WIDTH = 30

    def __init__(self, view, parent=None):
        super().__init__(parent)
        self.view = view
        self.setFixedSize(self.WIDTH, view.minimumHeight())     # the view's height is fixed

    def paintEvent(self, event):
        p = QPainter(self)
        p.translate(0, self.view.frameWidth())
        paint_track_headers(p, self.WIDTH, self.palette())
        p.end()


class TimelinePanel(QWidget):
    """Timeline view, selected-clip fields and buttons over the session's sequence."""

    changed = Signal()
    play_requested = Signal()
    play_from = Signal(int)      # record frame: Space on the timeline
    hits_dropped = Signal(list, int)
    clip_opened = Signal(int)    # double-click on a clip: open it in the source monitor
    error = Signal(str)
    picture_requested = Signal(int, str)   # cut index, "next" or "remove": its picture on V2

    AUTOSAVE_MS = 1500

    def __init__(self, session, parent=None, thumbnail_for=lambda clip: None):
        super().__init__(parent)
        self.session = session
        self.thumbnail_for = thumbnail_for
        self.view = TimelineView(self)
        self.view.hits_dropped.connect(self.hits_dropped)
        self.view.selection_changed.connect(self._show_clip)
        self.view.play_requested.connect(self.play_from)
        self.view.clip_opened.connect(self.clip_opened)
        self.view.playhead_moved.connect(self._show_playhead)
        self.title = ElidedLabel("", self)
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.record_tc = QLabel(self)
        self.record_tc.setToolTip("Playhead in record timecode")
        self.clip_info = ElidedLabel("", self)
        self.trim_in = TimecodeBox(self, toolTip="Selected clip: source in (timecode; Up/Down: one frame)")
        self.trim_out = TimecodeBox(self, toolTip="Selected clip: source out, exclusive (timecode; Up/Down: one frame)")
        for box in (self.trim_in, self.trim_out):
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self._trim_from_boxes)
        self._field_clip = None           # the clip the fields were loaded from
        self.play_button = QPushButton("▶ Play", self)
        self.play_button.setToolTip("Play the sequence from the playhead (Space on the timeline)")
        self.play_button.clicked.connect(lambda: self.play_from.emit(self.view.playhead))
        self.play_button.clicked.connect(self.play_requested)
        self.razor_button = QPushButton("Razor", self, toolTip="Cut the clip under the playhead (B)")
        self.razor_button.clicked.connect(self.razor)
        self.delete_button = QPushButton("Delete", self, toolTip="Ripple delete the selected clips (Delete)")
        self.delete_button.clicked.connect(self.delete_selected)
        self.fit_button = QPushButton("Fit", self, toolTip="Zoom to fit the whole sequence (Z); the wheel zooms")
        self.fit_button.clicked.connect(self.view.zoom_to_fit)

        self.undo_action = QAction("&Undo", self, shortcut=QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(session.undo)
        self.redo_action = QAction("&Redo", self, shortcut=QKeySequence.StandardKey.Redo)
        self.redo_action.triggered.connect(session.redo)
        self.delete_action = QAction("Delete clip", self.view)
        self.delete_action.triggered.connect(self.delete_selected)

        bar = QHBoxLayout()
        self.title.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)  # whole while it fits
        bar.addWidget(self.title)
        bar.addWidget(self.record_tc)
        bar.addWidget(self.clip_info, 1)
        for w in (self.trim_in, self.trim_out, self.razor_button, self.delete_button, self.fit_button,
                  self.play_button):
            bar.addWidget(w)
        for b in (self.razor_button, self.delete_button, self.fit_button, self.play_button):
            b.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)   # may shrink to their text
            b.setMinimumWidth(b.fontMetrics().horizontalAdvance(b.text()) + 18)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        tracks = QHBoxLayout()
        tracks.setSpacing(0)
        self.headers = TrackHeaders(self.view, self)
        tracks.addWidget(self.headers, 0, Qt.AlignmentFlag.AlignTop)
        tracks.addWidget(self.view, 1)
        layout.addLayout(tracks)
        self._autosave_timer = QTimer(self, singleShot=True, interval=self.AUTOSAVE_MS)
        self._autosave_timer.timeout.connect(self.autosave_now)
        session.sequence_changed.connect(self._sequence_opened)
        session.sequence_edited.connect(self._sequence_edited)
        session.edit_refused.connect(self._refused)
        session.dirty_changed.connect(self._title)
        self.refresh()

    # -- what it shows: the session's ----------------------------------------------------
    @property
    def sequence(self):
        return self.session.sequence

    @property
    def dirty(self) -> bool:
        return self.session.dirty

    def selected_indices(self) -> list[int]:
        return sorted(self.view.selected)

    # -- edits --------------------------------------------------------------------------
    def push(self, command) -> bool:
        """Send a core edit to the session; a refused edit (out of range) is reported, not raised."""
        return self.session.edit(command)

    def add_clips(self, clips, index=None):
        first = not self.sequence.clips
        if self.session.add_clips(clips, index) and first:     # the first clips: show them whole
            self.view.zoom_to_fit()

    def move_clip(self, src: int, dst: int):
        n = len(self.sequence.clips)
        if 0 <= src < n and 0 <= dst < n and src != dst:
            self.push(seqmod.move(src, dst))
            self.view.select(dst)

    def move_selected(self, to: int):
        """Move the selected clips so they land before the clip that was at ``to``."""
        rows = self.selected_indices()
        if not rows:
            return
        dst = to - sum(1 for r in rows if r < to)
        if dst == rows[0] and rows == list(range(rows[0], rows[0] + len(rows))):
            return   # dropped where it was
        if self.push(edits.MoveMany(rows, dst)):
            self.view.selected = set(range(dst, dst + len(rows)))
            self.view.select(dst, "only") if len(rows) == 1 else self._show_clip()

    def trim_clip(self, index: int, source_in: int, source_out: int, expect=None):
        if not self._is(index, expect):
            return
        c = self.sequence.clips[index]
        if (c.source_in, c.source_out) != (source_in, source_out):
            self.push(seqmod.trim(index, source_in, source_out))

    def trim_edge(self, index: int, edge: str, delta: int, expect=None):
        """Ripple-trim one edge by ``delta`` media frames; refused unless ``expect`` is still that clip."""
        if self._is(index, expect):
            self.push(edits.trim_edge(self.sequence, index, edge, delta))

    def roll(self, cut: int, delta: int, expect=None):
        """Roll the cut before clip ``cut`` by ``delta`` record frames; refused unless ``expect`` is
        still (the clip before it, the clip after it)."""
        ok = 0 < cut < len(self.sequence.clips) and (
            expect is None or self.sequence.clips[cut - 1] is expect[0] and self.sequence.clips[cut] is expect[1])
        if not ok:
            self.error.emit("The clips changed under the edit; nothing was rolled")
        elif delta:
            self.push(edits.Roll(cut, delta))

    def _is(self, index, expect) -> bool:
        ok = 0 <= index < len(self.sequence.clips) and (expect is None or self.sequence.clips[index] is expect)
        if not ok:
            self.error.emit("The clip changed under the edit; nothing was trimmed")
        return ok

    def set_pictures(self, overlays: dict, text: str = "Suggest pictures") -> bool:
        """Pictures on V2 over cuts ({cut index: Overlay or None}) as one undo step."""
        steps = [edits.SetOverlay(i, ov) for i, ov in sorted(overlays.items())]
        return bool(steps) and self.push(seqmod.Batch(steps, text))

    def razor(self):
        if self.push(edits.Razor(self.view.playhead)):
            self.view.select(self.view.clip_index_at(self.view.playhead))

    def delete_selected(self):
        rows = self.selected_indices()
        if rows and self.push(edits.RippleDelete(rows)):
            self.view.select(min(rows[0], len(self.sequence.clips) - 1))

    def _sequence_opened(self, sequence, path):
        self._autosave_timer.stop()
        self.view.selected, self.view.current, self.view.playhead = set(), -1, 0
        self.refresh()
        self.view.zoom_to_fit()

    def _sequence_edited(self):
        self.refresh()
        if self.session.autosave_dir is not None and self.dirty:
            self._autosave_timer.start()

    def _refused(self, message: str):
        self.error.emit(message)
        self.refresh()

    # -- asking before work is lost ------------------------------------------------------
    def confirm_discard(self, save, action: str = "continue") -> bool:
        """True when it is fine to drop the sequence: it is saved, or the user saved or chose to discard."""
        if not self.dirty:
            return True
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                          f"“{self.sequence.name}” has unsaved changes. Save them before you {action}?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.window())
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return bool(save())
        return answer == QMessageBox.StandardButton.Discard

    def autosave_now(self):
        try:
            self.session.autosave()
        except OSError as exc:
            self.error.emit(f"autosave failed: {exc}")

    def discard_autosave(self):
        self._autosave_timer.stop()
        self.session.discard_autosave()

    def pending_recovery(self, ask=True):
        """(sequence, its saved path) autosaved by a session that did not end cleanly, if the user wants it back."""
        try:
            got = self.session.pending_recovery()
        except Exception as exc:
            self.error.emit(str(exc))
            return None
        if got is None:
            return None
        seq = got[0]
        if ask:
            answer = QMessageBox.question(
                self.window(), "Recover sequence",
                f"FrameSense did not close normally. Restore the unsaved sequence “{seq.name}” "
                f"({len(seq.clips)} clips)?")
            if answer != QMessageBox.StandardButton.Yes:
                self.session.discard_autosave()
                return None
        return got

    # -- view -------------------------------------------------------------------------
    def refresh(self):
        self.view.rebuild()
        self._show_clip()
        self._show_playhead(self.view.playhead)
        self._title()
        history = self.session.history
        self.undo_action.setEnabled(history.can_undo)
        self.undo_action.setText(f"&Undo {history.undo_text}".rstrip())
        self.redo_action.setEnabled(history.can_redo)
        self.redo_action.setText(f"&Redo {history.redo_text}".rstrip())

    def _title(self, *_):
        total = float(self.view._edges[-1] / self.sequence.rate)
        name = self.sequence.name + (" *" if self.dirty else "")
        n = len(self.sequence.clips)
        self.title.setText(f"{name} — {n} clip{'' if n == 1 else 's'}, {total:.2f} s")
        self.changed.emit()

    def _show_playhead(self, frame: int):
        seq = self.sequence
        self.record_tc.setText(seq.timecode.to_string(seq.start_frame + frame))

    def _show_clip(self):
        """Load the fields from the selected clip (and only it); disabled without exactly one."""
        row = self.view.current
        has = 0 <= row < len(self.sequence.clips) and len(self.view.selected) == 1
        self._field_clip = self.sequence.clips[row] if has else None
        for box in (self.trim_in, self.trim_out):
            box.blockSignals(True)
            box.setEnabled(has)
        if has:
            c = self._field_clip
            for box in (self.trim_in, self.trim_out):
                box.set_timecode(c.media.timecode, c.media.start_frame)
            self.trim_in.setValue(c.source_in)
            self.trim_out.setValue(c.source_out)
            self.clip_info.setText(c.media.name)     # its source timecode is in the in/out fields
        else:
            n = len(self.view.selected)
            self.clip_info.setText(f"{n} clip{'' if n == 1 else 's'} selected" if n else "")
        for box in (self.trim_in, self.trim_out):
            box.blockSignals(False)
        self.delete_button.setEnabled(bool(self.view.selected))

    def _trim_from_boxes(self):
        row = self.view.current
        if self._field_clip is None:
            return
        a, b = self.trim_in.value(), self.trim_out.value()
        if b > a:
            self.trim_clip(row, a, b, expect=self._field_clip)
        else:
            self._show_clip()

    # -- playback ---------------------------------------------------------------------
    def follow_playback(self, clip_index: int, media_frame: int | None = None):
        """Move the playhead to where the player is (clip index, media frame); selection stays."""
        places = self.view._places
        if not 0 <= clip_index < len(places):
            return
        p = places[clip_index]
        rec = p.record_in
        if media_frame is not None:
            rec += round((media_frame - p.clip.source_in) * self.sequence.rate / p.clip.media.rate)
        self.view.set_playhead(min(max(rec, p.record_in), p.record_out - 1))

    def playhead_clip(self) -> int:
        """The clip under the playhead (where Play sequence starts)."""
        i = self.view.clip_index_at(self.view.playhead)
        return 0 if i is None else i
