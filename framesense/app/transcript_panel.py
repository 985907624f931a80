"""The transcript as an editing surface: select words of the current hit's file and Add them
(exactly those words go on the timeline), or show the sequence's words and Delete some
(they are cut out of their clips and the gap closes). Every change is one undo step."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QListView, QListWidget, QListWidgetItem,
                               QPushButton, QVBoxLayout, QWidget)

from ..timeline import textcut
from . import sequence_adapter as seqmod

MEDIA, SEQUENCE = "This hit's file", "The sequence"
ROLE = Qt.ItemDataRole.UserRole      # (clip index or -1, media id, word position)


class WordList(QListWidget):
    """Words laid out like text; a drag or Shift-click selects every word from the first to the one
    under the mouse in reading order, as a text editor does (not the rectangle between them)."""

    delete_pressed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._anchor: int | None = None

    def select_range(self, a: int, b: int) -> None:
        lo, hi = sorted((a, b))
        model = self.model()
        selection = QItemSelection()
        selection.select(model.index(lo, 0), model.index(hi, 0))
        self.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def mousePressEvent(self, event):
        row = self.indexAt(event.position().toPoint()).row()
        if event.button() != Qt.MouseButton.LeftButton or row < 0 or \
                event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return super().mousePressEvent(event)
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and self._anchor is not None:
            self.select_range(self._anchor, row)
        else:
            self._anchor = row
            self.select_range(row, row)
        self.selectionModel().setCurrentIndex(self.model().index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate)

    def mouseMoveEvent(self, event):
        if event.buttons() & Qt.MouseButton.LeftButton and self._anchor is not None:
            row = self.indexAt(event.position().toPoint()).row()
            if row >= 0:
                self.select_range(self._anchor, row)
            return
        super().mouseMoveEvent(event)

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_pressed.emit()
            return
        super().keyPressEvent(event)


class TranscriptPanel(QWidget):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.media_id: int | None = None
        self.mode = QComboBox(self)
        self.mode.addItems([MEDIA, SEQUENCE])
        self.mode.setToolTip("Words of the current hit's file (select, Add), or of the sequence (select, Delete)")
        self.mode.currentTextChanged.connect(lambda _: self.refresh())
        self.words = WordList(self)
        self.words.setViewMode(QListView.ViewMode.ListMode)
        self.words.setFlow(QListView.Flow.LeftToRight)
        self.words.setWrapping(True)
        self.words.setResizeMode(QListView.ResizeMode.Adjust)
        self.words.setSpacing(2)
        self.words.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.add_button = QPushButton("Add words", self, toolTip="Put exactly the selected words on the timeline")
        self.add_button.clicked.connect(self.add_selection)
        self.delete_button = QPushButton("Delete words", self,
                                         toolTip="Cut the selected words out of the sequence (Delete)")
        self.delete_button.clicked.connect(self.delete_selection)
        self.words.delete_pressed.connect(self.delete_selection)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.mode)
        layout.addLayout(row)
        layout.addWidget(self.words, 1)
        self.refresh()

    @property
    def session(self):
        return self.window.session

    # -- what is shown ---------------------------------------------------------------
    def hit_changed(self, index: int):
        if 0 <= index < len(self.session.results):
            hit = self.session.results[index]
            if hit.media_id != self.media_id or self.mode.currentText() != MEDIA:
                self.media_id = hit.media_id
                if self.mode.currentText() == MEDIA:
                    self.refresh()
            self.scroll_to(float(hit.start_frame / hit.rate))

    def sequence_changed(self, *_):
        if self.mode.currentText() == SEQUENCE:
            self.refresh()

    def refresh(self, *_):
        sequence = self.mode.currentText() == SEQUENCE
        self.add_button.setEnabled(not sequence)
        self.delete_button.setEnabled(sequence)
        self.words.clear()
        if self.session.library is None:
            return
        if sequence:
            for ci, clip in enumerate(self.session.sequence.clips):
                if clip.media.media_id is None:
                    continue
                words = self.session.media_words(clip.media.media_id)
                where = {w.seq: i for i, w in enumerate(words)}
                for w in textcut.clip_words(words, clip):
                    self._item(w.text, (ci, clip.media.media_id, where[w.seq]), f"clip {ci + 1}")
        elif self.media_id is not None:
            for pos, w in enumerate(self.session.media_words(self.media_id)):
                self._item(w.text, (-1, self.media_id, pos), f"{w.start:.2f} s")

    def _item(self, text, data, tip):
        item = QListWidgetItem(text, self.words)
        item.setData(ROLE, data)
        item.setToolTip(tip)

    def scroll_to(self, seconds: float):
        if self.mode.currentText() != MEDIA or self.media_id is None:
            return
        words = self.session.media_words(self.media_id)
        pos = next((i for i, w in enumerate(words) if w.end > seconds), None)
        if pos is not None and pos < self.words.count():
            self.words.scrollToItem(self.words.item(pos), QAbstractItemView.ScrollHint.PositionAtCenter)

    def select_words(self, first: int, last: int):
        """Select the shown words first..last (list rows), as a drag with the mouse would."""
        self.words.clearSelection()
        for row in range(first, last + 1):
            self.words.item(row).setSelected(True)

    # -- edits ------------------------------------------------------------------------
    def _runs(self) -> list[tuple[int, int, int, int]]:
        """Selected words as runs of neighbours: (clip index, media id, first word, last word)."""
        picked = sorted(it.data(ROLE) for it in self.words.selectedItems())
        runs: list[list] = []
        for ci, mid, pos in picked:
            if runs and runs[-1][0] == ci and runs[-1][1] == mid and runs[-1][3] == pos - 1:
                runs[-1][3] = pos
            else:
                runs.append([ci, mid, pos, pos])
        return [tuple(r) for r in runs]

    def add_selection(self) -> bool:
        runs = self._runs()
        if not runs or self.mode.currentText() != MEDIA:
            return False
        clips = self.session.clips_for_words(self.media_id, [(a, b) for _, _, a, b in runs])
        if not clips:
            self.window.error("That file has no picture to put on the timeline")
            return False
        for clip in clips:                 # never merged silently into a clip already there
            at = self.session.overlapping(clip)
            if at is not None:
                on = self.session.sequence.clips[at]
                self.window.error(f"Those words overlap clip {at + 1} on the timeline ({on.name}); "
                                  "nothing was added: select words outside it, or trim that clip first")
                return False
        self.window.timeline.add_clips(clips)
        self.window.statusBar().showMessage(f"Added {len(clips)} clip(s) of exactly the selected words", 5000)
        return True

    def delete_selection(self) -> bool:
        runs = self._runs()
        if not runs or self.mode.currentText() != SEQUENCE:
            return False
        # Last first: cutting a run splits its clip, which moves the clips after it, not before.
        commands = [textcut.RemoveWords(ci, self.session.media_words(mid), a, b) for ci, mid, a, b in reversed(runs)]
        done = self.window.timeline.push(seqmod.Batch(commands, "Delete words"))
        self.refresh()
        return done
