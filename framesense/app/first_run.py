"""First run: offer to create the library, then to add footage; say which searches work.

Nothing is written before the user accepts: the window shows this page instead of
opening (and so creating) a catalog in a folder that has none yet.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout,
                               QWidget)

from ..config import CATALOG_FILE, resolve_library


def library_exists(library_dir: Path) -> bool:
    return (Path(library_dir) / CATALOG_FILE).exists()


class ModelInfoBar(QFrame):
    """A dismissible bar that says which searches work and how to add a picture model.
    Dismissed, it stays hidden until what it would say changes (``dismissed`` carries the text to remember)."""

    dismissed = Signal(str)
    setup_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("model-info-bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#model-info-bar { background: #fff6d5; border: 1px solid #e0c060; }"
                           "#model-info-bar QLabel { color: #4a3b00; }")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setup_button = QPushButton("Set up picture search…", self)
        self.setup_button.setToolTip("Choose a CLIP checkpoint file or folder; it is checked before it is used")
        self.setup_button.clicked.connect(self.setup_requested)
        self.close_button = QPushButton("Dismiss", self)
        self.close_button.clicked.connect(self.dismiss)
        row.addWidget(self.label, 1)
        row.addWidget(self.setup_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def text(self) -> str:
        return self.label.text()

    def show_report(self, report, dismissed: str | None = None):   # framesense.models.status.ModelReport
        self.label.setText(report.text())
        self.setup_button.setVisible(bool(report.visual_problem))
        self.setVisible(bool(report.visual_problem or report.speech_problem) and report.text() != dismissed)

    def dismiss(self):
        self.hide()
        self.dismissed.emit(self.label.text())


class FirstRunPanel(QWidget):
    """Step 1: create the library (default place, or Choose…). Step 2: add a footage folder."""

    create_requested = Signal(str)      # library folder
    add_folder_requested = Signal(str)  # footage folder
    skipped = Signal()

    def __init__(self, location: Path, parent=None):
        super().__init__(parent)
        self.location = Path(location)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QFrame(self)
        box.setMaximumWidth(640)
        lay = QVBoxLayout(box)
        title = QLabel("<h2>Welcome to FrameSense</h2>", box)
        self.intro = QLabel(box)
        self.intro.setWordWrap(True)
        self.where = QLabel(box)
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choose_button = QPushButton("Choose…", box)
        self.choose_button.clicked.connect(self.choose_location)
        self.create_button = QPushButton("Create library", box)
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(lambda: self.create_requested.emit(str(self.location)))
        self.add_button = QPushButton("Add footage folder…", box)
        self.add_button.clicked.connect(self.choose_footage)
        self.skip_button = QPushButton("Later", box)
        self.skip_button.clicked.connect(self.skipped.emit)
        buttons = QHBoxLayout()
        for b in (self.choose_button, self.create_button, self.add_button, self.skip_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for w in (title, self.intro, self.where):
            lay.addWidget(w)
        lay.addLayout(buttons)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.show_create_step()

    def show_create_step(self):
        self.step = "create"
        self.intro.setText("There is no FrameSense library yet. The library holds the catalog of your "
                           "footage, its thumbnails and search indexes; your media files stay where they are.")
        self._show_location()
        for b, on in ((self.choose_button, True), (self.create_button, True),
                      (self.add_button, False), (self.skip_button, False)):
            b.setVisible(on)

    def show_add_step(self, library_dir: Path):
        self.step = "add"
        self.location = Path(library_dir)
        self.intro.setText("Library created. Now add a folder of footage: FrameSense indexes it in the "
                           "background (shots, speech, pictures) and you can search while it works.")
        self.where.setText(f"Library: <code>{html.escape(str(self.location))}</code>")
        for b, on in ((self.choose_button, False), (self.create_button, False),
                      (self.add_button, True), (self.skip_button, True)):
            b.setVisible(on)

    def _show_location(self):
        self.where.setText(f"It will be created in:<br><code>{html.escape(str(self.location))}</code>")

    def set_location(self, path):
        self.location = resolve_library(path)
        self._show_location()

    def choose_location(self):
        path = QFileDialog.getExistingDirectory(self, "Where to keep the FrameSense library",
                                                str(self.location.parent if not self.location.exists()
                                                    else self.location))
        if path:
            self.set_location(path)

    def choose_footage(self):
        path = QFileDialog.getExistingDirectory(self, "Add a footage folder")
        if path:
            self.add_folder_requested.emit(path)
