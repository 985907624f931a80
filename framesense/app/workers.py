"""Background work for the window: indexing, searching and other library work off the GUI thread.

SQLite connections belong to one thread, so every worker opens its own
``framesense.Library`` on the library folder and closes it when done. Results travel back as Qt
signals (queued onto the GUI thread).
"""

from __future__ import annotations

import threading
import time
import traceback

from PySide6.QtCore import QObject, QRunnable, Signal

from ..api import IndexOptions, Library
from ..errors import FrameSenseError
from ..progress import Progress


class IndexSignals(QObject):
    started = Signal(int)                 # total files
    file = Signal(int, str)               # index, path
    stage = Signal(str, float, str)       # analyzer, fraction, note
    file_done = Signal(object)            # FileOutcome
    notice = Signal(str)
    step = Signal(str)                    # work after the last file
    finished = Signal(object)             # IndexReport
    failed = Signal(str)


class QtProgress(Progress):
    """Forwards the Indexer's callbacks as Qt signals; cancel() makes the run stop between files."""

    def __init__(self, signals: IndexSignals):
        self.signals = signals
        self._cancel = threading.Event()
        self._last_stage = 0.0

    def cancel(self):
        self._cancel.set()

    def start(self, total_files):
        self.signals.started.emit(total_files)

    def file(self, index, path):
        self.signals.file.emit(index, path)

    def stage(self, name, fraction, note=""):
        # Analyzers may report every frame; the view needs a few updates a second.
        now = time.monotonic()
        if fraction in (0.0, 1.0) or now - self._last_stage >= 0.1:
            self._last_stage = now
            self.signals.stage.emit(name, float(fraction), note or "")

    def file_done(self, outcome):
        self.signals.file_done.emit(outcome)

    def notice(self, message):
        self.signals.notice.emit(message)

    def step(self, name):
        self.signals.step.emit(name)

    def cancelled(self):
        return self._cancel.is_set()


class IndexWorker(QRunnable):
    def __init__(self, library, paths, options: IndexOptions):
        super().__init__()
        self.setAutoDelete(False)
        self.library, self.paths, self.options = library, [str(p) for p in paths], options
        self.signals = IndexSignals()
        self.progress = QtProgress(self.signals)
        self.done = threading.Event()

    def cancel(self):
        self.progress.cancel()

    def run(self):
        try:
            with Library.open(self.library) as lib:
                report = lib.index(self.paths, self.options, progress=self.progress)
            self.signals.finished.emit(report)
        except Exception as exc:  # shown to the user; the window goes on
            traceback.print_exc()
            self.signals.failed.emit(f"indexing stopped: {exc}")
        finally:
            self.done.set()


class SearchSignals(QObject):
    hits = Signal(int, object)       # generation, list[Hit] (a batch; more may follow)
    finished = Signal(int, float)    # generation, seconds
    failed = Signal(int, str)
    notes = Signal(int, object)      # generation, list[str]: plugin search providers that failed (switched off)


class SearchWorker(QRunnable):
    def __init__(self, library, query, generation: int):
        super().__init__()
        self.setAutoDelete(False)
        self.library, self.query, self.generation = library, query, generation
        self.signals = SearchSignals()
        self.done = threading.Event()

    def run(self):
        t0 = time.perf_counter()
        try:
            with Library.open(self.library) as lib:
                hits = lib.search(self.query)
                notes = [w.splitlines()[0] for w in lib.search_warnings()]
            if notes:
                self.signals.notes.emit(self.generation, notes)
            # Hand hits over in small batches so the first rows show while thumbnails load.
            for i in range(0, len(hits), 12):
                self.signals.hits.emit(self.generation, hits[i: i + 12])
            self.signals.finished.emit(self.generation, time.perf_counter() - t0)
        except Exception as exc:
            self.signals.failed.emit(self.generation, str(exc))
        finally:
            self.done.set()


class JobSignals(QObject):
    progress = Signal(int, int)      # done, total
    done = Signal(object)            # what the job returned
    failed = Signal(str)


class LibraryJob(QRunnable):
    """``fn(library, progress)`` on a worker with its own connection to the library; what it returns,
    or its error in one line, comes back as a signal (the GUI thread changes nothing meanwhile)."""

    def __init__(self, library_dir, fn):
        super().__init__()
        self.setAutoDelete(False)
        self.library_dir, self.fn = library_dir, fn
        self.signals = JobSignals()

    def run(self):
        try:
            with Library.open(self.library_dir, create=False) as lib:
                result = self.fn(lib, self.signals.progress.emit)
            self.signals.done.emit(result)
        except Exception as exc:     # said to the user; nothing was changed
            self.signals.failed.emit(str(exc) if isinstance(exc, FrameSenseError) else f"{type(exc).__name__}: {exc}")
