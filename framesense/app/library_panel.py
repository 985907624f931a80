"""The library: catalogued folders and media with status, and the indexing progress view."""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QProgressBar, QPushButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from ..paths import display
from ..timecode import rate_str
from ..transcript.languages import language_label
from .labels import FitLabel

STATUS_COLOURS = {"indexed": "#3a9a4a", "failed": "#c0392b", "pending": "#b7950b", "indexing": "#2874a6"}


class IndexProgressView(QWidget):
    """Per file and stage, with an ETA from the files done so far, and a cancel button."""

    cancel_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = FitLabel("", self)
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(True)
        self.cancel = QPushButton("Cancel", self)
        self.cancel.clicked.connect(self.cancel_requested)
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(self.label)
        layout.addLayout(row)
        self.total = 0
        self.index = 0
        self.name = ""
        self.t0 = time.monotonic()
        self.hide()

    def start(self, total):
        self.total, self.index, self.t0 = total, 0, time.monotonic()
        self.bar.setRange(0, max(1, total) * 100)
        self.bar.setValue(0)
        self.cancel.setEnabled(True)
        self.label.setText(f"Indexing {total} file{'s' if total != 1 else ''}…")
        self.show()

    def file(self, index, path):
        self.index, self.name = index, display(Path(path).name)
        self._update("", 0.0)

    def stage(self, name, fraction, note):
        self._update(f"{name} {fraction:.0%}" + (f" ({note})" if note else ""), fraction)

    def _update(self, stage, fraction):
        done = self.index + min(fraction, 0.999)
        self.bar.setValue(int(done * 100))
        self.bar.setFormat(f"{self.index + 1}/{self.total}")
        elapsed = time.monotonic() - self.t0
        eta = f"ETA {elapsed / done * (self.total - done):.0f} s" if done > 0.05 else "ETA …"
        self.label.setText(f"<b>{self.name}</b> · {stage or 'starting'} · {eta}")

    def step(self, name):
        self.bar.setValue(self.bar.maximum())
        self.bar.setFormat(f"{self.total}/{self.total}")
        self.label.setText(f"{name}…")

    def finish(self, text):
        self.bar.setValue(self.bar.maximum())
        self.cancel.setEnabled(False)
        self.label.setText(text)


class LibraryPanel(QWidget):
    add_folder_requested = Signal()
    media_selected = Signal(int)          # media id

    COLUMNS = ["Name", "Status", "Duration", "Rate", "Timecode", "Reason", "Language"]

    def __init__(self, parent=None):
        super().__init__(parent)
        self.add_button = QPushButton("Add folder…", self)
        self.add_button.clicked.connect(self.add_folder_requested)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(self.COLUMNS)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.itemSelectionChanged.connect(self._selected)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = IndexProgressView(self)
        self.indexing_path: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.add_button)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.progress)

    def refresh(self, library):
        """Rebuild from the library: folders, then their media (files indexed one by one stand alone)."""
        expanded = {self.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
                    for i in range(self.tree.topLevelItemCount()) if self.tree.topLevelItem(i).isExpanded()}
        self.tree.clear()
        folders = library.folders()
        nodes: dict[str, QTreeWidgetItem] = {}
        for f in folders:
            node = QTreeWidgetItem([display(Path(f).name or f)])   # Qt drops bytes that are not UTF-8
            node.setToolTip(0, display(f))
            node.setData(0, Qt.ItemDataRole.UserRole, f)
            self.tree.addTopLevelItem(node)
            nodes[f] = node
        spoken = library.transcript_languages()
        for row in library.media():
            parent = next((nodes[f] for f in sorted(nodes, key=len, reverse=True)
                           if row["path"].startswith(f.rstrip("/") + "/")), None)
            item = self._media_item(row)
            item.setText(6, language_label(spoken.get(row["id"], [])))
            (parent.addChild(item) if parent else self.tree.addTopLevelItem(item))
        for f, node in nodes.items():
            n = node.childCount()
            failed = sum(node.child(i).text(1) == "failed" for i in range(n))
            node.setText(1, f"{n} files" + (f", {failed} failed" if failed else ""))
            node.setExpanded(f in expanded or len(nodes) <= 3)
        for c in range(len(self.COLUMNS)):
            self.tree.resizeColumnToContents(c)

    def _media_item(self, row) -> QTreeWidgetItem:
        status = "indexing" if row["path"] == self.indexing_path else row["status"]
        exact = Fraction(row["rate_num"], row["rate_den"]) if row.get("rate_num") else None
        rate = f"{float(exact):.3f}".rstrip("0").rstrip(".") if exact else "-"   # 23.976, as editors say it
        dur = f"{row['duration']:.2f} s" if row.get("duration") else "-"
        item = QTreeWidgetItem([display(row["name"]), status, dur, rate, row.get("start_timecode") or "", row.get("error") or ""])
        item.setData(0, Qt.ItemDataRole.UserRole + 1, row["id"])
        item.setToolTip(0, display(row["path"]))
        if row.get("error"):
            item.setToolTip(5, row["error"])
            item.setToolTip(1, row["error"])
        item.setForeground(1, QBrush(QColor(STATUS_COLOURS.get(status, "#888"))))
        if exact:
            item.setToolTip(3, f"{rate_str(exact)} fps" + (" (variable)" if row.get("vfr") else ""))
        return item

    def media_items(self) -> dict[str, QTreeWidgetItem]:
        """name -> item, for tests and for selecting a file by name."""
        out = {}
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            it = stack.pop()
            if it.data(0, Qt.ItemDataRole.UserRole + 1) is not None:
                out[it.text(0)] = it
            stack += [it.child(i) for i in range(it.childCount())]
        return out

    def _selected(self):
        items = self.tree.selectedItems()
        if items:
            it = items[0]
            why = it.text(5)
            self.detail.setText(f"<small>{it.toolTip(0)}</small>" + (f"<br><span style='color:#c0392b'>failed: {why}</span>" if why else ""))
            mid = items[0].data(0, Qt.ItemDataRole.UserRole + 1)
            if mid is not None:
                self.media_selected.emit(mid)
