"""The results list: one row per hit with thumbnail, media, timecode, score and words."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, \
    QVBoxLayout, QWidget

from ..paths import display
from .hit_rows import ROLE_HIT, ROLE_INFO, THUMB, HitDelegate
from .labels import FitLabel

HITS_MIME = "application/x-framesense-hits"


class ResultsList(QListWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setItemDelegate(HitDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setUniformItemSizes(False)      # a row is as tall as what it shows
        self.setAlternatingRowColors(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def startDrag(self, actions):
        super().startDrag(Qt.DropAction.CopyAction)   # hits are copied out, never moved away

    def mimeTypes(self):
        return [HITS_MIME]

    def mimeData(self, items):
        data = QMimeData()
        data.setData(HITS_MIME, json.dumps([it.data(ROLE_HIT) for it in items]).encode())
        return data


class ResultsPanel(QWidget):
    """Hits with a folder/media filter. `describe(hit)` gives (timecode, thumbnail path) for a row."""

    current_hit_changed = Signal(int)    # index into self.hits (-1: none)
    activated = Signal(int)

    def __init__(self, describe, parent=None):
        super().__init__(parent)
        self.describe = describe
        self.hits: list = []
        self.summary = FitLabel("No search yet", self)
        self.filter = QComboBox(self)
        self.filter.setToolTip("Show hits from one folder or media file")
        self.filter.addItem("All media", None)
        self.filter.currentIndexChanged.connect(self._apply_filter)
        self.list = ResultsList(self)
        self.list.currentRowChanged.connect(self._row_changed)
        self.list.itemActivated.connect(lambda it: self.activated.emit(it.data(ROLE_HIT)))
        self.add_button = QPushButton("Add to timeline", self)
        self.add_button.setToolTip("Add the selected hits to the timeline (A, Enter, or drag them down)")
        top = QHBoxLayout()           # the count gets a line of its own: beside these two it was squeezed
        top.addWidget(self.filter, 1)     # out when the pane is narrow (1024 px with a side dock open)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        self._pixmaps: dict[str, QPixmap] = {}

    # -- filling ------------------------------------------------------------
    def clear(self, message: str = ""):
        self.hits = []
        self.list.clear()
        self._reset_filter()
        self.summary.setText(message)

    def add_hits(self, hits: list):
        for hit in hits:
            i = len(self.hits)
            self.hits.append(hit)
            self.list.addItem(self._item(i, hit))
            self._add_filter_choices(hit)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self._apply_filter()

    def _item(self, i: int, hit) -> QListWidgetItem:
        tc, thumb = self.describe(hit)
        name = display(Path(hit.media_path).name)   # Qt drops bytes that are not UTF-8
        person = hit.extra.get("person") if hit.extra else None
        info = {"name": name, "timing": f"{tc} · {hit.end - hit.start:.2f} s",
                "meta": f"{hit.kind} · score {hit.score:.3f}" + (f" · {person}" if person else ""),
                "text": hit.text, "context": hit.context}
        item = QListWidgetItem()
        item.setData(ROLE_HIT, i)
        item.setData(ROLE_INFO, {**info, "pixmap": self._pixmap(thumb)})
        tip = f"{display(hit.media_path)}\n{hit.start:.3f}s - {hit.end:.3f}s" + (f"\n{hit.context}" if hit.context else "")
        if hit.kind == "phrase":   # what the score means: match kind band, placed by word confidence
            from ..api import phrase_score_help
            form = (hit.extra or {}).get("form")
            match = (hit.extra or {}).get("match", "")
            tip += f"\nmatch: {match}" + (f" (as '{form}')" if form and match == "variant" else "")
            tip += f"\nscore {hit.score:.3f}: {phrase_score_help()}"
        item.setToolTip(tip)
        item.setText(f"{name} {tc} {hit.text or ''}")  # for accessibility and keyboard search
        return item

    def _pixmap(self, path):
        if not path:
            return None
        pix = self._pixmaps.get(path)
        if pix is None:
            pix = QPixmap(path)
            if not pix.isNull():
                pix = pix.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            self._pixmaps[path] = pix
        return pix

    # -- filtering ----------------------------------------------------------
    def _reset_filter(self):
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.addItem("All media", None)
        self.filter.blockSignals(False)

    def _add_filter_choices(self, hit):
        p = Path(hit.media_path)
        for key, label in ((("folder", display(p.parent)), f"Folder: {display(p.parent.name)}/"),
                           (("media", display(p)), display(p.name))):
            if self.filter.findData(list(key)) < 0:
                self.filter.addItem(label, list(key))

    def _apply_filter(self):
        key = self.filter.currentData()
        shown = 0
        for row in range(self.list.count()):
            item = self.list.item(row)
            hit = self.hits[item.data(ROLE_HIT)]
            ok = (key is None or (key[0] == "folder" and display(Path(hit.media_path).parent) == key[1])
                  or (key[0] == "media" and display(hit.media_path) == key[1]))
            item.setHidden(not ok)
            shown += ok
        if self.hits:
            self.summary.setText(f"{shown} of {len(self.hits)} hits" if shown != len(self.hits) else f"{len(self.hits)} hits")

    def visible_indices(self) -> list[int]:
        return [self.list.item(r).data(ROLE_HIT) for r in range(self.list.count()) if not self.list.item(r).isHidden()]

    def selected_indices(self) -> list[int]:
        rows = sorted(self.list.row(it) for it in self.list.selectedItems())
        return [self.list.item(r).data(ROLE_HIT) for r in rows]

    def select_hit(self, hit_index: int):
        for r in range(self.list.count()):
            if self.list.item(r).data(ROLE_HIT) == hit_index:
                if self.list.currentRow() != r:
                    self.list.blockSignals(True)
                    self.list.setCurrentRow(r)
                    self.list.blockSignals(False)
                return

    def _row_changed(self, row):
        self.current_hit_changed.emit(self.list.item(row).data(ROLE_HIT) if row >= 0 else -1)

