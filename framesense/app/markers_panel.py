"""The markers of the sequence in a list: record timecode, name and clip; a click puts the playhead
on one, F2 or a double-click renames it, Delete removes it, the right-click menu recolours it.
Every change goes to the Session as one undoable edit (M on the timeline adds one at the playhead;
dragging a flag on the ruler moves it)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QInputDialog, QMenu, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from .labels import FitLabel
from .timeline_items import MARKER_COLOURS, marker_colour

ROLE = Qt.ItemDataRole.UserRole      # (record frame, clip index, position in its markers)


class MarkersPanel(QWidget):
    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.session = window.session
        self.summary = FitLabel("No markers: press M on the timeline to add one at the playhead", self)
        self.list = QTreeWidget(self)
        self.list.setHeaderLabels(["Timecode", "Name", "Clip"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setColumnWidth(0, 100)
        self.list.setColumnWidth(1, 160)
        self.list.itemClicked.connect(lambda item, _c: self.jump(item))
        self.list.itemDoubleClicked.connect(lambda item, _c: self.rename(item))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        for key, slot in (("F2", lambda: self.rename(self.list.currentItem())),
                          ("Delete", lambda: self.delete(self.list.currentItem())),
                          ("Backspace", lambda: self.delete(self.list.currentItem()))):
            sc = QShortcut(QKeySequence(key), self.list)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(slot)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        self.session.sequence_edited.connect(self.refresh)
        self.session.sequence_changed.connect(lambda *_: self.refresh())
        self.refresh()

    def refresh(self):
        seq = self.session.sequence
        tc = seq.timecode
        current = self.list.currentIndex().row()
        self.list.clear()
        marks = self.session.markers()
        for rec, index, k, m in marks:
            item = QTreeWidgetItem([tc.to_string(seq.start_frame + rec), m.name, seq.clips[index].name])
            item.setData(0, ROLE, (rec, index, k))
            item.setForeground(0, QBrush(marker_colour(m)))
            item.setToolTip(1, m.name + (f"\n{m.text}" if m.text and m.text not in m.name else ""))
            self.list.addTopLevelItem(item)
        if 0 <= current < self.list.topLevelItemCount():
            self.list.setCurrentItem(self.list.topLevelItem(current))
        missing = sum(m.is_missing for *_, m in marks)
        self.summary.setText(f"{len(marks)} marker{'s' if len(marks) != 1 else ''}"
                             + (f", {missing} missing line{'s' if missing != 1 else ''}" if missing else "")
                             if marks else "No markers: press M on the timeline to add one at the playhead")

    def jump(self, item):
        if item is not None:
            rec, index, _ = item.data(0, ROLE)
            self.w.timeline.view.set_playhead(rec)

    def rename(self, item, name: str | None = None):
        if item is None:
            return
        rec, index, k = item.data(0, ROLE)
        if name is None:
            name, ok = QInputDialog.getText(self, "Marker", "Name:", text=item.text(1))
            if not ok:
                return
        self.session.change_marker(index, k, name=name)

    def delete(self, item):
        if item is not None:
            _, index, k = item.data(0, ROLE)
            self.session.delete_marker(index, k)

    def _menu(self, pos):
        item = self.list.itemAt(pos)
        if item is None:
            return
        _, index, k = item.data(0, ROLE)
        menu = QMenu(self)
        menu.addAction("Rename…\tF2", lambda: self.rename(item))
        colours = menu.addMenu("Colour")
        for name in MARKER_COLOURS:
            colours.addAction(name.title(), lambda n=name: self.session.change_marker(index, k, color=n))
        menu.addAction("Delete\tDelete", lambda: self.delete(item))
        menu.popup(self.list.viewport().mapToGlobal(pos))
