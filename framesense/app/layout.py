"""Where the window's parts sit: library dock, search, results beside the player, timeline below,
and the first-run page in place of all that until a library exists."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from .first_run import FirstRunPanel, ModelInfoBar
from .library_panel import LibraryPanel
from .markers_panel import MarkersPanel
from .people_panel import PeoplePanel
from .player import Player
from .results import ResultsPanel
from .script_panel import ScriptPanel
from .search_bar import SearchBar
from .timeline_panel import TimelinePanel
from .transcript_panel import TranscriptPanel


def build_layout(w) -> None:
    w.library = LibraryPanel(w)
    dock = w.library_dock = QDockWidget("Library", w)
    dock.setObjectName("library-dock")
    dock.setWidget(w.library)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                     | QDockWidget.DockWidgetFeature.DockWidgetClosable)     # View menu / Ctrl+Shift+B bring it back
    w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    w.transcript = TranscriptPanel(w)
    w.transcript_dock = _tab_beside(w, dock, "Transcript", w.transcript)
    w.people = PeoplePanel(w)
    w.people_dock = _tab_beside(w, dock, "People", w.people)
    w.script = ScriptPanel(w)
    w.script_dock = _tab_beside(w, dock, "Script", w.script)
    w.markers = MarkersPanel(w)
    w.markers_dock = _tab_beside(w, dock, "Markers", w.markers)
    dock.raise_()
    w.search = SearchBar(w)
    w.results = ResultsPanel(w.session.describe, w)
    w.player = Player(w, *w.session.pads)
    w.timeline = TimelinePanel(w.session, w, thumbnail_for=w._clip_thumbnail)
    w.hsplit = QSplitter(Qt.Orientation.Horizontal, w)
    w.hsplit.addWidget(w.results)
    w.hsplit.addWidget(w.player)
    w.hsplit.setStretchFactor(0, 2)
    w.hsplit.setStretchFactor(1, 3)
    top = QWidget(w)
    tl = QVBoxLayout(top)
    tl.setContentsMargins(6, 6, 6, 0)
    w.model_info = ModelInfoBar(top)
    tl.addWidget(w.model_info)
    tl.addWidget(w.search)
    tl.addWidget(w.hsplit, 1)
    w.vsplit = QSplitter(Qt.Orientation.Vertical, w)
    w.vsplit.addWidget(top)
    bottom = QWidget(w)
    bl = QVBoxLayout(bottom)
    bl.setContentsMargins(6, 0, 6, 6)
    bl.addWidget(w.timeline)
    w.vsplit.addWidget(bottom)
    w.vsplit.setStretchFactor(0, 1)
    w.vsplit.setStretchFactor(1, 0)
    w.first_run = FirstRunPanel(w.library_dir, w)
    w.pages = QStackedWidget(w)
    w.pages.addWidget(w.vsplit)
    w.pages.addWidget(w.first_run)
    w.setCentralWidget(w.pages)
    w.resizeDocks([dock], [240], Qt.Orientation.Horizontal)      # room for the hits on a 1024 px screen
    w.hsplit.setSizes([430, 600])
    w.statusBar().showMessage(f"Library: {w.library_dir}")


def _tab_beside(w, dock: QDockWidget, title: str, widget) -> QDockWidget:
    """A dock tabbed with ``dock`` (the library), named for saved window state."""
    tab = QDockWidget(title, w)
    tab.setObjectName(f"{title.lower()}-dock")
    tab.setWidget(widget)
    tab.setFeatures(dock.features())
    w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, tab)
    w.tabifyDockWidget(dock, tab)
    return tab
