"""Picture suggestions in the app: shots laid on V2 over the timeline's cuts, swapped and removed.

The searches run off the GUI thread on a copy of the sequence (with their own connection to the
library); what they found lands as one undoable edit, unless the timeline changed meanwhile.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject

from .workers import LibraryJob


def _suggest(sequence):
    """The job: suggestions laid on a copy; returns ({cut index: Overlay} that changed, per-cut report)."""
    def run(lib, progress):
        copy = replace(sequence, clips=list(sequence.clips))
        report = lib.suggest_pictures(copy, progress=progress)
        return {i: c.overlay for i, (c, old) in enumerate(zip(copy.clips, sequence.clips))
                if c.overlay is not old.overlay}, report
    return run


class PictureSuggestions(QObject):
    """Edit > Suggest pictures, and the V2 context menu (next suggestion, remove)."""

    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.job: LibraryJob | None = None
        self._mark = None
        window.timeline.picture_requested.connect(self.change)

    @property
    def running(self) -> bool:
        return self.job is not None

    def suggest(self) -> None:
        w, seq = self.w, self.w.timeline.sequence
        if w.session.library is None:
            return w.error("Open a library first: suggestions come from its footage")
        if not seq.clips:
            return w.error("The timeline is empty: add takes first, then suggest pictures to go over them")
        if self.job is not None:
            return
        self._mark = (id(seq), w.session.history.revision)
        self.job = LibraryJob(w.library_dir, _suggest(seq))
        self.job.signals.progress.connect(self._progress)
        self.job.signals.done.connect(self._done)
        self.job.signals.failed.connect(self._failed)
        w.statusBar().showMessage(f"Suggesting pictures for {len(seq.clips)} cuts…")
        w.pool.start(self.job)

    def _progress(self, done: int, total: int) -> None:
        self.w.statusBar().showMessage(f"Suggesting pictures: {done} of {total} cuts…")

    def _done(self, result) -> None:
        self.job = None
        overlays, report = result
        w = self.w
        if self._mark != (id(w.timeline.sequence), w.session.history.revision):
            return w.error("The timeline changed while pictures were being suggested: suggest again")
        w.timeline.set_pictures(overlays)
        none = [c for c in report if not c.suggestions]
        why = sorted({f"{k}: {v}" for c in none for k, v in c.unavailable.items()})
        msg = f"Laid {len(overlays)} picture(s) on V2"
        if none:
            msg += f"; {len(none)} cut(s) had none" + (f" ({'; '.join(why[:2])})" if why else "")
        w.statusBar().showMessage(msg, 10000)

    def _failed(self, message: str) -> None:
        self.job = None
        self.w.error(f"Could not suggest pictures: {message}")

    def change(self, index: int, what: str) -> None:
        timeline = self.w.timeline
        if what == "remove":
            timeline.set_pictures({index: None}, "Remove picture")
            return
        library = self.w.session.library
        nxt = library.next_picture(timeline.sequence.clips[index]) if library is not None else None
        if nxt is None:
            return self.w.error("No other picture was suggested for this cut")
        timeline.set_pictures({index: nxt}, "Next suggested picture")
