"""The timeline: clips in order with thumbnails and durations; every edit is undoable.

Edits are the sequence adapter's command objects, each wrapped in one
QUndoCommand, so the QUndoStack drives the same apply/revert the core uses.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence, QPixmap, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QLabel, QListView, QListWidget, QListWidgetItem,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from . import sequence_adapter as seqmod
from .results import HITS_MIME

CLIP_ICON = QSize(112, 63)


class EditCommand(QUndoCommand):
    """One core edit on the undo stack."""

    def __init__(self, panel: "TimelinePanel", command):
        super().__init__(command.text)
        self.panel, self.command = panel, command
        self.applied = True   # the panel ran it once already, to catch a refused edit before pushing

    def redo(self):
        if self.applied:
            self.applied = False
        else:
            self.command.do(self.panel.sequence)
        self.panel.refresh()

    def undo(self):
        self.command.undo(self.panel.sequence)
        self.panel.refresh()


class ClipStrip(QListWidget):
    """A horizontal strip of clips; internal drags reorder, drops of hits insert."""

    hits_dropped = Signal(list, int)   # hit indices, insert position
    move_requested = Signal(int, int)  # src, dst

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Snap)
        self.setIconSize(CLIP_ICON)
        self.setGridSize(QSize(CLIP_ICON.width() + 24, CLIP_ICON.height() + 58))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setAcceptDrops(True)
        self.setWordWrap(True)
        self.setFixedHeight(CLIP_ICON.height() + 78)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

    def _drop_row(self, pos) -> int:
        item = self.itemAt(pos)
        if item is None:
            return self.count()
        row = self.row(item)
        rect = self.visualItemRect(item)
        return row + (1 if pos.x() > rect.center().x() else 0)

    def dragEnterEvent(self, event):
        if event.source() is self:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        elif event.mimeData().hasFormat(HITS_MIME):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    dragMoveEvent = dragEnterEvent  # the same answer while the drag moves over the strip

    def dropEvent(self, event):
        pos = event.position().toPoint()
        at = self._drop_row(pos)
        if event.source() is self:
            rows = sorted(self.row(it) for it in self.selectedItems())
            if len(rows) == 1:
                src = rows[0]
                dst = at - 1 if at > src else at
                if dst != src:
                    self.move_requested.emit(src, dst)
            event.setDropAction(Qt.DropAction.IgnoreAction)
            event.accept()
            return
        if event.mimeData().hasFormat(HITS_MIME):
            indices = json.loads(bytes(event.mimeData().data(HITS_MIME)).decode())
            self.hits_dropped.emit(indices, at)
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            return
        event.ignore()


class TimelinePanel(QWidget):
    changed = Signal()
    play_requested = Signal()
    hits_dropped = Signal(list, int)

    error = Signal(str)

    def __init__(self, parent=None, thumbnail_for=lambda clip: None):
        super().__init__(parent)
        self.thumbnail_for = thumbnail_for
        self.sequence = seqmod.new_sequence()
        self.path = None
        self.undo_stack = QUndoStack(self)
        self.strip = ClipStrip(self)
        self.strip.move_requested.connect(self.move_clip)
        self.strip.hits_dropped.connect(self.hits_dropped)
        self.strip.currentRowChanged.connect(self._show_clip)
        self.title = QLabel(self)
        self.trim_in = QSpinBox(self, toolTip="Source in (frame)", prefix="in ")
        self.trim_out = QSpinBox(self, toolTip="Source out (frame, exclusive)", prefix="out ")
        for box in (self.trim_in, self.trim_out):
            box.setRange(0, 10 ** 8)
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self._trim_from_boxes)
        self.play_button = QPushButton("▶ Play sequence", self)
        self.play_button.clicked.connect(self.play_requested)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.clicked.connect(self.delete_selected)

        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        delete = QAction("Delete clip", self.strip)
        delete.setShortcuts([QKeySequence.StandardKey.Delete, QKeySequence(Qt.Key.Key_Backspace)])
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(self.delete_selected)
        self.strip.addAction(delete)

        bar = QHBoxLayout()
        bar.addWidget(self.title, 1)
        bar.addWidget(self.trim_in)
        bar.addWidget(self.trim_out)
        bar.addWidget(self.delete_button)
        bar.addWidget(self.play_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.strip)
        self._syncing = False
        self.refresh()

    # -- edits ----------------------------------------------------------------
    def push(self, command) -> bool:
        """Run a core edit onto the undo stack; a refused edit (out of range) is reported, not raised."""
        try:
            command.do(self.sequence)
        except (ValueError, IndexError) as exc:
            self.error.emit(str(exc))
            self.refresh()
            return False
        self.undo_stack.push(EditCommand(self, command))
        return True

    def add_clips(self, clips, index=None):
        if clips:
            self.push(seqmod.insert(clips, index))

    def move_clip(self, src: int, dst: int):
        n = len(self.sequence.clips)
        if 0 <= src < n and 0 <= dst < n and src != dst:
            self.push(seqmod.move(src, dst))
            self.strip.setCurrentRow(dst)

    def trim_clip(self, index: int, source_in: int, source_out: int):
        c = self.sequence.clips[index]
        if (c.source_in, c.source_out) != (source_in, source_out):
            self.push(seqmod.trim(index, source_in, source_out))

    def delete_selected(self):
        rows = [self.strip.row(it) for it in self.strip.selectedItems()]
        if rows:
            self.push(seqmod.remove(rows))

    def set_sequence(self, seq: seqmod.Sequence, path=None):
        self.sequence, self.path = seq, path
        self.undo_stack.clear()
        self.refresh()

    # -- view -----------------------------------------------------------------
    def refresh(self):
        current = self.strip.currentRow()
        self.strip.blockSignals(True)
        self.strip.clear()
        for c in self.sequence.clips:
            words = seqmod.clip_text(c)
            text = f"{c.media.name}\n{float(c.seconds):.2f}s · {seqmod.clip_timecode(c)}"
            item = QListWidgetItem(text + (f"\n“{_short(words)}”" if words else ""))
            thumb = self.thumbnail_for(c)
            if thumb:
                pix = QPixmap(thumb)
                if not pix.isNull():
                    item.setIcon(QIcon(pix.scaled(CLIP_ICON, Qt.AspectRatioMode.KeepAspectRatio,
                                                  Qt.TransformationMode.SmoothTransformation)))
            item.setToolTip(f"{c.media.path}\nframes {c.source_in}-{c.source_out} ({c.duration} frames)"
                            + (f"\n“{words}”" if words else ""))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            self.strip.addItem(item)
        self.strip.blockSignals(False)
        if self.strip.count():
            self.strip.setCurrentRow(min(max(current, 0), self.strip.count() - 1))
        total = float(self.sequence.duration / self.sequence.rate)
        name = self.sequence.name + (" *" if not self.undo_stack.isClean() else "")
        self.title.setText(f"<b>{name}</b> — {len(self.sequence.clips)} clips, {total:.2f} s")
        self._show_clip(self.strip.currentRow())
        self.changed.emit()

    def _show_clip(self, row):
        self._syncing = True
        has = 0 <= row < len(self.sequence.clips)
        for box in (self.trim_in, self.trim_out):
            box.setEnabled(has)
        if has:
            c = self.sequence.clips[row]
            self.trim_in.setValue(c.source_in)
            self.trim_out.setValue(c.source_out)
        self._syncing = False

    def _trim_from_boxes(self):
        row = self.strip.currentRow()
        if self._syncing or not (0 <= row < len(self.sequence.clips)):
            return
        a, b = self.trim_in.value(), self.trim_out.value()
        if b > a:
            self.trim_clip(row, a, b)


def _short(text: str, n: int = 18) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
