"""The People panel: one card per person (a face crop, name, counts); rename, merge, show their
shots, and below, the selected person's faces to split off or remove. All edits go through the Library."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QInputDialog, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QVBoxLayout, QWidget)

from ..paths import display

ROLE_ID = Qt.ItemDataRole.UserRole


def _icon(jpeg: bytes | None) -> QIcon:
    pix = QPixmap()
    if jpeg:
        pix.loadFromData(jpeg, "JPG")
    return QIcon(pix)


class PeoplePanel(QWidget):
    search_requested = Signal(str)      # a person ref ("#12" or a name) to search for
    error = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.library = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel("No people yet: index footage with faces", self)
        lay.addWidget(self.summary)
        self.cards = QListWidget(self)
        self.cards.setObjectName("people-cards")
        self.cards.setIconSize(QSize(48, 48))
        self.cards.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.cards.currentItemChanged.connect(lambda *_: self._show_faces())
        self.cards.itemActivated.connect(lambda it: self.search_requested.emit(f"#{it.data(ROLE_ID)}"))
        lay.addWidget(self.cards, 2)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}        # enabled only when there is something to act on
        for text, slot in (("Show shots", self.show_shots), ("Rename…", self.rename), ("Merge", self.merge)):
            b = self.buttons[text] = QPushButton(text, self)
            b.clicked.connect(slot)
            row.addWidget(b)
        lay.addLayout(row)
        self.faces = QListWidget(self)
        self.faces.setObjectName("people-faces")
        self.faces.setViewMode(QListWidget.ViewMode.IconMode)
        self.faces.setIconSize(QSize(48, 48))
        self.faces.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        lay.addWidget(self.faces, 1)
        row2 = QHBoxLayout()
        for text, slot in (("Split off as new person", self.split), ("Remove face", self.remove_faces)):
            b = self.buttons[text] = QPushButton(text, self)
            b.clicked.connect(slot)
            row2.addWidget(b)
        lay.addLayout(row2)
        self.cards.itemSelectionChanged.connect(self._enable)
        self.faces.itemSelectionChanged.connect(self._enable)
        self._enable()

    # -- data -----------------------------------------------------------------------
    def refresh(self, library) -> None:
        self.library = library
        current = self.current_id()
        self.cards.clear()
        people = library.people() if library is not None else []
        for p in people:
            item = QListWidgetItem(f"{p['name'] or 'Unnamed #%d' % p['id']}\n{p['faces']} faces · {p['shots']} shots"
                                   f" · {p['files']} files")
            item.setData(ROLE_ID, p["id"])
            item.setIcon(_icon(library.face_thumbnail(p["face_ids"][0]) if p["face_ids"] else None))
            self.cards.addItem(item)
            if p["id"] == current:
                self.cards.setCurrentItem(item)
        if self.cards.currentItem() is None and self.cards.count():
            self.cards.setCurrentRow(0)
        self.summary.setText(f"{len(people)} people" if people else "No people yet: index footage with faces")
        self._show_faces()

    def current_id(self) -> int | None:
        it = self.cards.currentItem()
        return it.data(ROLE_ID) if it else None

    def _enable(self) -> None:
        has = self.current_id() is not None
        for text in ("Show shots", "Rename…"):
            self.buttons[text].setEnabled(has)
        self.buttons["Merge"].setEnabled(len(self.cards.selectedItems()) >= 2)
        faces = bool(self.faces.selectedItems())
        self.buttons["Split off as new person"].setEnabled(faces)
        self.buttons["Remove face"].setEnabled(faces)

    def _show_faces(self) -> None:
        self.faces.clear()
        pid = self.current_id()
        self._enable()
        if self.library is None or pid is None:
            return
        for f in self.library.person_faces(f"#{pid}")[:200]:
            item = QListWidgetItem(_icon(self.library.face_thumbnail(f["id"])), "")
            item.setToolTip(f"face {f['id']}: {display(f['media_path'])} frame {f['frame']}")
            item.setData(ROLE_ID, f["id"])
            self.faces.addItem(item)

    def _edit(self, fn, *args) -> bool:
        try:
            fn(*args)
        except Exception as exc:   # a bad edit (unknown person, empty name) is shown, never raised into Qt
            self.error.emit(str(exc))
            return False
        self.refresh(self.library)
        return True

    # -- actions --------------------------------------------------------------------
    def show_shots(self) -> None:
        pid = self.current_id()
        if pid is not None:
            self.search_requested.emit(f"#{pid}")

    def rename(self, name: str | None = None) -> bool:
        pid = self.current_id()
        if pid is None or self.library is None:
            return False
        if name is None:
            name, ok = QInputDialog.getText(self, "Name this person", "Name:")
            if not ok:
                return False
        return self._edit(self.library.name_person, f"#{pid}", name)

    def merge(self) -> bool:
        ids = [it.data(ROLE_ID) for it in self.cards.selectedItems()]
        cur = self.current_id()
        if len(ids) < 2 or self.library is None:
            self.error.emit("Select two or more people to merge (the current one keeps its name)")
            return False
        ids.sort(key=lambda i: i != cur)
        return self._edit(self.library.merge_people, *[f"#{i}" for i in ids])

    def split(self) -> bool:
        ids = [it.data(ROLE_ID) for it in self.faces.selectedItems()]
        if not ids or self.library is None:
            self.error.emit("Select the faces that are someone else")
            return False
        return self._edit(self.library.split_person, ids, None)

    def remove_faces(self) -> bool:
        ids = [it.data(ROLE_ID) for it in self.faces.selectedItems()]
        if not ids or self.library is None:
            self.error.emit("Select the faces to remove")
            return False
        return self._edit(lambda: [self.library.remove_face(i) for i in ids])
