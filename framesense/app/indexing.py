"""Indexing from the window: one worker at a time, progress in the library panel, the tree
refreshed as files finish (coalesced, so a big folder does not rebuild it per file)."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from .workers import IndexWorker


class IndexController(QObject):
    message = Signal(str)
    error = Signal(str)
    finished = Signal(object)          # IndexReport

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.worker: IndexWorker | None = None
        self._refresh = QTimer(self, singleShot=True, interval=300)
        self._refresh.timeout.connect(window.refresh_library)

    @property
    def running(self) -> bool:
        return self.worker is not None

    def start(self, path, options) -> IndexWorker:
        w, panel = self.window, self.window.library
        worker = IndexWorker(w.library_dir, [path], options)
        s = worker.signals
        s.started.connect(panel.progress.start)
        s.file.connect(self._file)
        s.stage.connect(panel.progress.stage)
        s.step.connect(panel.progress.step)
        s.file_done.connect(self._file_done)
        s.notice.connect(lambda m: self.message.emit(f"note: {m}"))
        s.finished.connect(self._finished)
        s.failed.connect(self._failed)
        self.worker = worker
        panel.add_button.setEnabled(False)
        self.message.emit(f"Indexing {path}…")
        w.pool.start(worker)
        return worker

    def cancel(self):
        if self.worker is not None:
            self.worker.cancel()
            self.window.library.progress.label.setText("Cancelling after the current file…")

    def refresh_soon(self):
        if not self._refresh.isActive():
            self._refresh.start()

    def _file(self, index, path):
        self.window.library.indexing_path = path
        self.window.library.progress.file(index, path)
        self.refresh_soon()

    def _file_done(self, outcome):
        self.window.library.indexing_path = None
        self.refresh_soon()
        if outcome.error:
            self.message.emit(f"{Path(outcome.path).name}: {outcome.error}")

    def _done(self):
        self.worker = None
        self._refresh.stop()
        self.window.library.add_button.setEnabled(True)
        self.window.library.indexing_path = None

    def _finished(self, report):
        self._done()
        counts = ", ".join(f"{n} {k}" for k, n in sorted(report.counts().items())) or "no media files found"
        failed = len(report.failed)
        cancelled = " (cancelled)" if "cancelled" in report.notices else ""
        notes = [n for n in report.notices if n != "cancelled"]
        self.window.library.progress.finish(
            f"Done{cancelled}: {counts} in {report.seconds:.1f} s"
            + (f"; {failed} failed (see the Reason column)" if failed else "")
            + "".join(f"<br><small>note: {html.escape(str(n))}</small>" for n in notes[:5]))
        self.window.refresh_library()
        self.message.emit(f"Indexed: {counts}")
        self.finished.emit(report)

    def _failed(self, message):
        self._done()
        self.window.library.progress.finish(message)
        self.error.emit(message)
        self.window.refresh_library()
