"""Searches off the GUI thread: each search a worker with its own Library; only the newest one's
hits reach the results (a generation number drops late answers)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from .workers import SearchWorker


class SearchController(QObject):
    message = Signal(str)           # status bar text
    error = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.generation = 0
        self.searching = False
        self._workers: set = set()
        self._notes: list[str] = []   # the newest search's failed plugin providers, shown with its hits

    def start(self, mode: str, text: str) -> bool:
        w = self.window
        try:
            query = w.search.query(mode, text)
        except ValueError as exc:
            self.error.emit(str(exc))
            return False
        if query.is_empty():
            self.error.emit("Type something to search for")
            return False
        if w.session.library is None:
            self.error.emit("Create the library and add footage first")
            return False
        self.generation += 1
        self.searching = True
        self._notes = []
        w.playlist.show_results()
        w.session.set_results([])
        w.results.summary.setText(f"Searching {mode}: {text}…")
        worker = SearchWorker(w.library_dir, query, self.generation)
        worker.signals.hits.connect(self._hits)
        worker.signals.finished.connect(self._finished)
        worker.signals.failed.connect(self._failed)
        worker.signals.notes.connect(self._noted)
        self._workers.add(worker)
        done = lambda *_, wk=worker: self._workers.discard(wk)  # noqa: E731
        worker.signals.finished.connect(done)
        worker.signals.failed.connect(done)
        w.pool.start(worker)
        return True

    def from_frame(self, mode: str) -> bool:
        """Search with the player's frame as the example (MEDIA_PATH@SECONDS, the core's name for a frame)."""
        w, player = self.window, self.window.player
        if not (0 <= player.index < len(player.items)) or player.current_frame is None:
            self.error.emit("Show a frame in the player first")
            return False
        item = player.items[player.index]
        w.search.set_query(mode, w.session.frame_ref(item.path, player.current_frame, item.rate))
        w.search.submit()
        return True

    def show_hits(self, hits, summary: str) -> None:
        """Hits that did not come from a search (a file's shots) replace the results."""
        self.generation += 1
        self.window.playlist.show_results()
        self.window.session.set_results(hits)
        self.window.results.summary.setText(summary)

    def _hits(self, gen, hits):
        if gen == self.generation:
            self.window.session.add_results(hits)

    def _noted(self, gen, notes):
        if gen == self.generation:
            self._notes = list(notes)

    def _finished(self, gen, seconds):
        if gen != self.generation:
            return
        self.searching = False
        w = self.window
        n = len(w.results.hits)
        notes = "".join(f" — {note}" for note in self._notes)   # a failing plugin is said, not hidden
        w.results.summary.setText((f"{n} hits ({seconds:.2f} s)" if n else "No hits") + notes)
        self.message.emit(f"{n} hits in {seconds:.2f} s" + notes)
        if n and w.search.by_enter:   # Enter searched: the hits take the keys (Space, J/K/L, arrows) and play
            w.results.list.setFocus()
            w.player.play()

    def _failed(self, gen, message):
        if gen != self.generation:
            return
        self.searching = False
        self.window.results.summary.setText(f"Search failed: {message}")
        self.error.emit(f"Search failed: {message}")
