"""First run (the welcome page): offer to create the library, then to add footage; say which searches
work; offer the libraries opened before and the demo, so a first start lands somewhere.

Nothing is written before the user accepts: the window shows this page instead of
opening (and so creating) a catalog in a folder that has none yet. Opening a library is
remembered (``remember_library``, in the window's settings); "Open the demo" opens the library
``framesense demo`` made (``framesense.demo.known_library``), or writes the demo footage off the GUI
thread and indexes it like any folder, with the library panel's progress.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QSizePolicy, QVBoxLayout, QWidget)

from .. import demo
from ..config import CATALOG_FILE, resolve_library

RECENT_KEY = "recent_libraries"
RECENT_MAX = 8


def library_exists(library_dir: Path) -> bool:
    return (Path(library_dir) / CATALOG_FILE).exists()


def recent_libraries(settings) -> list[Path]:
    """Libraries opened before, the latest first, those still there only."""
    value = settings.value(RECENT_KEY) or []
    paths = [value] if isinstance(value, str) else list(value)
    return [Path(p) for p in paths if p and library_exists(p)]


def remember_library(settings, path) -> None:
    """Put ``path`` first in the recent list (and make it the library the next start opens)."""
    path = str(Path(path))
    rest = [str(p) for p in recent_libraries(settings) if str(p) != path]
    settings.setValue(RECENT_KEY, [path, *rest][:RECENT_MAX])
    settings.setValue("library", path)


class _FootageSignals(QObject):
    done = Signal(str)
    failed = Signal(str)


class DemoFootageJob(QRunnable):
    """Writes the demo clips (PyAV and espeak-ng: seconds of work) off the GUI thread."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = Path(folder)
        self.signals = _FootageSignals()

    def run(self):
        try:
            demo.write_footage(self.folder)
        except Exception as exc:   # disk full, no write access: said in the window, nothing half-opened
            self.signals.failed.emit(f"Could not write the demo footage in {self.folder}: {exc}")
            return
        self.signals.done.emit(str(self.folder))


def open_demo(window) -> str:
    """"Open the demo": its library when there is one ("opened"), else the demo footage written and
    indexed into ``demo.default_dir()`` in the background ("building"), the phrase to try in the search box."""
    known = demo.known_library()
    if known is not None:
        window.open_library(known)
        window.search.set_query("phrase", demo.PHRASE)
        return "opened"
    where = demo.default_dir()
    job = DemoFootageJob(where / "footage")
    window.first_run.show_busy(f"Writing the demo footage to {where / 'footage'}…")

    def index_it(folder):
        if window.open_library(where / "library"):
            demo.remember(where / "library")
            window.search.set_query("phrase", demo.PHRASE)
            window.add_folder(folder)

    def failed(message):
        window.first_run.show_create_step()
        window.error(message)
    job.signals.done.connect(index_it)
    job.signals.failed.connect(failed)
    window.demo_job = job            # the signals live as long as the window needs them
    window.pool.start(job)
    return "building"


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
    open_requested = Signal(str)        # a library opened before
    demo_requested = Signal()
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
        self.demo_button = QPushButton("Open the demo", box)
        self.demo_button.setToolTip("Three short clips with speech, indexed: search them for a phrase "
                                    f"(\"{demo.PHRASE}\") and play the hits")
        self.demo_button.clicked.connect(self.demo_requested.emit)
        buttons = QHBoxLayout()
        for b in (self.choose_button, self.create_button, self.add_button, self.skip_button, self.demo_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.recent_label = QLabel("<b>Open a library you used before</b>", box)
        self.recent = QListWidget(box)
        self.recent.setMaximumHeight(140)
        self.recent.itemActivated.connect(lambda item: self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.open_button = QPushButton("Open", box)
        self.open_button.clicked.connect(self._open_selected)
        for w in (title, self.intro, self.where):
            lay.addWidget(w)
        lay.addLayout(buttons)
        lay.addWidget(self.recent_label)
        lay.addWidget(self.recent)
        lay.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignLeft)
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
        for b, on in ((self.choose_button, True), (self.create_button, True), (self.demo_button, True),
                      (self.add_button, False), (self.skip_button, False)):
            b.setVisible(on)
            b.setEnabled(True)
        self._show_recent(True)

    def set_recent(self, libraries: list[Path]):
        """The libraries opened before (the latest first), each opened by a double-click or Open."""
        self.recent.clear()
        for path in libraries:
            item = QListWidgetItem(f"{Path(path).parent.name}/{Path(path).name}  —  {path}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.recent.addItem(item)
        if self.recent.count():
            self.recent.setCurrentRow(0)
        self._show_recent(self.step == "create")

    def _show_recent(self, on: bool):
        on = on and self.recent.count() > 0
        for w in (self.recent_label, self.recent, self.open_button):
            w.setVisible(on)

    def _open_selected(self):
        item = self.recent.currentItem()
        if item is not None:
            self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def show_busy(self, text: str):
        """Work that takes a moment (the demo footage): say what, and keep the buttons from starting more."""
        self.intro.setText(html.escape(text))
        for b in (self.choose_button, self.create_button, self.demo_button, self.open_button):
            b.setEnabled(False)

    def show_add_step(self, library_dir: Path):
        self.step = "add"
        self.location = Path(library_dir)
        self.intro.setText("Library created. Now add a folder of footage: FrameSense indexes it in the "
                           "background (shots, speech, pictures) and you can search while it works.")
        self.where.setText(f"Library: <code>{html.escape(str(self.location))}</code>")
        for b, on in ((self.choose_button, False), (self.create_button, False), (self.demo_button, False),
                      (self.add_button, True), (self.skip_button, True)):
            b.setVisible(on)
        self._show_recent(False)

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
