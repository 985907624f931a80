"""The Script panel: a paper edit in the window (Avid ScriptSync, Resolve's script to timeline).

Open a script (text, or the CSV ``assemble`` takes) or paste one; *Assemble* finds each line's take
through ``Library.assemble`` in a worker, with progress and Cancel, and lays the takes on the
timeline as one undoable step with the script kept in the sequence (it is saved in the ``.otio``
and comes back when that is opened). Each line shows its status and its take; a click plays the
take and selects its clip; **N** or *Next take* swaps in the line's next alternate (undoable);
editing or adding a line re-assembles that line only. Missing lines are red here and on the timeline.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QInputDialog, QMenu, QProgressBar,
                               QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from ..errors import QueryError
from ..paths import display
from ..timeline import paper_edit
from ..timeline.script import parse_script, read_script
from .labels import FitLabel
from .timeline_items import MISSING
from .workers import LibraryJob

MISSING_RED = MISSING
STATUS_COLOURS = {"placed": QColor(60, 150, 80), "heard differently": QColor(200, 150, 30),
                  "partial": QColor(200, 120, 30), "missing": MISSING_RED, "not assembled": QColor(120, 120, 120)}
COLUMNS = ("#", "Line", "Status", "Take")


class Cancelled(Exception):
    pass


class ScriptPanel(QWidget):
    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.session = window.session
        self.pending: list = []          # lines opened or pasted, not assembled yet
        self.job: LibraryJob | None = None
        self._cancel = threading.Event()
        self.open_button = QPushButton("Open…", self, toolTip="Open a script: text, one line a line, or a CSV "
                                                              "with a 'line' column (and 'media', 'person')")
        self.open_button.clicked.connect(self.choose_file)
        self.paste_button = QPushButton("Paste…", self, toolTip="Paste a script, one wanted line a line")
        self.paste_button.clicked.connect(self.paste)
        self.assemble_button = QPushButton("Assemble", self, toolTip="Find each line's take and lay them on the "
                                                                     "timeline (one undo step)")
        self.assemble_button.clicked.connect(self.assemble)
        self.cancel_button = QPushButton("Cancel", self, toolTip="Stop assembling (the timeline stays as it was)")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.progress = QProgressBar(self)
        self.progress.hide()
        self.summary = FitLabel("No script: open or paste one", self)
        self.lines = QTreeWidget(self)
        self.lines.setColumnCount(len(COLUMNS))
        self.lines.setHeaderLabels(COLUMNS)
        self.lines.setRootIsDecorated(False)
        self.lines.setUniformRowHeights(True)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lines.setWordWrap(False)
        self.lines.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.lines.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.lines.customContextMenuRequested.connect(self._menu)
        self.lines.itemClicked.connect(lambda item, _col: self.play_line(self.lines.indexOfTopLevelItem(item)))
        self.lines.itemDoubleClicked.connect(lambda item, _col: self.edit_line(self.lines.indexOfTopLevelItem(item)))
        header = self.lines.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, header.ResizeMode.Stretch)      # the line takes what is left
        for col, width in ((0, 26), (2, 112), (3, 170)):
            self.lines.setColumnWidth(col, width)
        for key, slot in (("N", self.swap_current), ("F2", lambda: self.edit_line(self.current_line()))):
            sc = QShortcut(QKeySequence(key), self.lines)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(slot)
        self.add_button = QPushButton("Add line…", self, toolTip="A new line at the end, assembled alone")
        self.add_button.clicked.connect(lambda: self.edit_line(len(self.session.sequence.script)))
        top = QHBoxLayout()
        for b in (self.open_button, self.paste_button, self.assemble_button, self.cancel_button):
            top.addWidget(b)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.lines, 1)
        layout.addLayout(bottom)
        self.session.sequence_edited.connect(self.refresh)
        self.session.sequence_changed.connect(lambda *_: self.refresh())
        self.refresh()

    def resizeEvent(self, event):
        """Narrow (a 1024 px screen): the line keeps the room, its take moves into its tooltip."""
        super().resizeEvent(event)
        self.lines.setColumnHidden(3, self.width() < 440)

    # -- what it shows ------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.job is not None

    def current_line(self) -> int:
        item = self.lines.currentItem()
        return self.lines.indexOfTopLevelItem(item) if item is not None else -1

    def refresh(self):
        seq = self.session.sequence
        rows = seq.script or [{"text": line.text, "status": "not assembled"} for line in self.pending]
        where = paper_edit.clip_indices(seq) if seq.script else [None] * len(rows)
        current = self.current_line()
        self.lines.clear()
        for n, (row, index) in enumerate(zip(rows, where), 1):
            status = row.get("status", "missing")
            if seq.script and index is None and status != "missing":
                status = "missing"                     # its clip was deleted from the timeline
            take = ""
            if index is not None:
                clip = seq.clips[index]
                take = f"{display(clip.media.name)} {clip.media.timecode.to_string(clip.media.start_frame + clip.source_in)}"
            elif row.get("note"):
                take = row["note"]
            item = QTreeWidgetItem([str(n), row["text"], status, take])
            item.setToolTip(1, row["text"] + (f"\nsaid: {row['said']}" if row.get("said") else "")
                            + (f"\ntake: {take}" if take else ""))
            item.setToolTip(3, take)
            item.setForeground(2, QBrush(STATUS_COLOURS.get(status, MISSING_RED)))
            if status == "missing":
                for col in range(len(COLUMNS)):
                    item.setForeground(col, QBrush(MISSING_RED))
            self.lines.addTopLevelItem(item)
        if 0 <= current < self.lines.topLevelItemCount():
            self.lines.setCurrentItem(self.lines.topLevelItem(current))
        if seq.script:
            n, placed, missing = paper_edit.counts(seq)
            self.summary.setText(f"{n} lines: {placed} placed, {missing} missing")
        elif self.pending:
            self.summary.setText(f"{len(self.pending)} lines, not assembled yet")
        else:
            self.summary.setText("No script: open or paste one")
        self.assemble_button.setEnabled(bool(self.pending or seq.script) and not self.running)

    # -- a script in ----------------------------------------------------------------------
    def choose_file(self):
        path, _ = QFileDialog.getOpenFileName(self, "Open a script", str(Path.home()),
                                              "Scripts (*.txt *.csv);;All files (*)")
        if path:
            self.load_file(path)

    def load_file(self, path) -> bool:
        try:
            self.set_lines(read_script(path))
        except QueryError as exc:
            self.w.error(str(exc))
            return False
        return True

    def paste(self):
        from PySide6.QtWidgets import QApplication
        text, ok = QInputDialog.getMultiLineText(self, "Paste a script", "One wanted line a line:",
                                                 QApplication.clipboard().text())
        if ok:
            self.load_text(text)

    def load_text(self, text: str) -> bool:
        try:
            self.set_lines(parse_script(text, name="the pasted script"))
        except QueryError as exc:
            self.w.error(str(exc))
            return False
        return True

    def set_lines(self, lines):
        self.pending = list(lines)
        if self.session.sequence.script:            # a new script replaces the shown one only once assembled
            self.summary.setText(f"{len(lines)} new lines: Assemble to replace the timeline")
            self.assemble_button.setEnabled(True)
            return
        self.refresh()

    # -- assembling, in a worker ----------------------------------------------------------
    def assemble(self) -> bool:
        lines = self.pending or [paper_edit.line_of(r) for r in self.session.sequence.script]
        if not lines or self.running:
            return False
        if self.session.library is None:
            self.w.error("Open a library first: the takes come from its speech")
            return False
        self._cancel.clear()
        cancel = self._cancel

        def work(lib, progress):
            def step(done, total):
                if cancel.is_set():
                    raise Cancelled("cancelled")
                progress(done, total)
            try:
                seq, report = lib.assemble(lines, progress=step)
            except QueryError as exc:                 # not one line said anywhere: every line missing
                return None, [paper_edit.row_from(line, None, str(exc)) for line in lines]
            return seq, [paper_edit.row_from(line, res) for line, res in zip(lines, report)]

        self._start(work, self._assembled, len(lines))
        return True

    def _start(self, work, done, total: int):
        self.job = LibraryJob(self.w.library_dir, work)
        self.job.signals.progress.connect(self._progress)
        self.job.signals.done.connect(done)
        self.job.signals.failed.connect(self._failed)
        self.progress.setRange(0, total)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.assemble_button.setEnabled(False)
        self.w.statusBar().showMessage(f"Assembling {total} line(s)…")
        self.w.pool.start(self.job)

    def cancel(self):
        self._cancel.set()

    def _progress(self, done: int, total: int):
        self.progress.setValue(done)
        self.w.statusBar().showMessage(f"Assembling: line {done} of {total}…")

    def _finish(self):
        self.job = None
        self.progress.hide()
        self.cancel_button.hide()

    def _failed(self, message: str):
        cancelled = self._cancel.is_set()
        self._finish()
        self.refresh()
        self.w.statusBar().showMessage("Assembly cancelled: the timeline is as it was", 8000) if cancelled \
            else self.w.error(f"Could not assemble the script: {message}")

    def _assembled(self, result):
        self._finish()
        if self._cancel.is_set():
            self.refresh()
            return
        seq, rows = result
        from ..timeline.model import Sequence
        self.pending = []
        self.session.place_script(seq or Sequence(rate=self.session.sequence.rate), rows)
        n, placed, missing = paper_edit.counts(self.session.sequence)
        dock = self.w.script_dock                      # room for the lines and their takes, as far as it goes
        if dock.isVisible() and dock.width() < 520:
            self.w.resizeDocks([dock], [max(dock.width(), min(520, self.w.width() - 700))], Qt.Orientation.Horizontal)
        QTimer.singleShot(0, self.w.timeline.view.zoom_to_fit)     # once the dock has taken its width
        first = next((i for i, at in enumerate(paper_edit.clip_indices(self.session.sequence)) if at is not None), None)
        if first is not None:                          # the first take cued in the monitor
            self.lines.setCurrentItem(self.lines.topLevelItem(first))
            self.play_line(first, play=False)
        self.w.statusBar().showMessage(f"Script: {n} lines, {placed} placed, {missing} missing", 10000)

    # -- one line ---------------------------------------------------------------------------
    def clip_of(self, line: int) -> int | None:
        where = paper_edit.clip_indices(self.session.sequence)
        return where[line] if 0 <= line < len(where) else None

    def play_line(self, line: int, play: bool = True):
        """Select the line's clip on the timeline and play its take in the monitor (``play=False``: cue it)."""
        index = self.clip_of(line)
        if index is None:
            return
        self.w.timeline.view.select(index)
        self.w.timeline.view.set_playhead(self.w.timeline.view._places[index].record_in)
        self.w.playlist.open_clip(index)
        if play:
            self.w.player.play()

    def swap_current(self):
        line = self.current_line()
        if line >= 0 and self.session.swap_take(line):
            self.play_line(line)

    def edit_line(self, line: int, text: str | None = None):
        """Reword line ``line`` (``len(script)``: add one) and assemble that line alone."""
        rows = self.session.sequence.script
        if not rows or line < 0 or line > len(rows) or self.running:
            return
        if text is None:
            old = rows[line]["text"] if line < len(rows) else ""
            text, ok = QInputDialog.getText(self, "Script line", f"Line {line + 1}:", text=old)
            if not ok or not text.strip() or text.strip() == old:
                return
        from ..timeline.script import ScriptLine
        base = rows[line] if line < len(rows) else {}
        script_line = ScriptLine(text.strip(), list(base.get("media") or []), base.get("person"))

        def work(lib, progress):
            try:
                seq, report = lib.assemble([script_line])
            except QueryError as exc:
                return line, paper_edit.row_from(script_line, None, str(exc)), None
            progress(1, 1)
            return line, paper_edit.row_from(script_line, report[0]), seq.clips[0]

        self._start(work, self._line_done, 1)

    def _line_done(self, result):
        self._finish()
        line, row, clip = result
        self.session.set_line(line, row, clip)
        self.lines.setCurrentItem(self.lines.topLevelItem(line))
        self.play_line(line)

    def _menu(self, pos):
        item = self.lines.itemAt(pos)
        if item is None:
            return
        line = self.lines.indexOfTopLevelItem(item)
        menu = QMenu(self)
        menu.addAction("Next take\tN", lambda: (self.lines.setCurrentItem(item), self.swap_current()))
        menu.addAction("Edit line…\tF2", lambda: self.edit_line(line))
        menu.popup(self.lines.viewport().mapToGlobal(pos))
