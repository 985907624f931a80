"""Hits > Supercut from results: the supercut rules (timeline/supercut.py) on every result at once.

The same ``SequenceOptions`` the CLI's ``export`` flags and the API take: order, at most N takes
per file, a length cap, overlapping takes joined, the same footage kept once. The sequence is
built off the GUI thread (thousands of results, fingerprints read for the dedupe) on the worker's
own connection; the clips land on the timeline as one undoable step, after what is there or in
its place.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
                               QLabel, QSpinBox, QVBoxLayout)

from ..api import media_rate
from ..timeline import edits
from ..timeline.model import SequenceOptions
from . import sequence_adapter as seqmod
from .workers import LibraryJob

ORDERS = {"As listed (search order)": "given", "Best score first": "score", "By file, then time": "media",
          "By time in the file": "time"}


class SupercutDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.setWindowTitle("Supercut from results")
        self.order = QComboBox()
        self.order.addItems(list(ORDERS))
        self.per_media = QSpinBox(minimum=0, maximum=100_000, specialValueText="no limit")
        self.max_duration = QDoubleSpinBox(minimum=0, maximum=86_400, decimals=1, suffix=" s",
                                           specialValueText="no limit")
        self.merge = QCheckBox("Join takes of one file that overlap")
        self.merge.setChecked(True)
        self.dedupe = QCheckBox("Keep the same footage once (the best take)")
        self.replace = QCheckBox("Replace the timeline (else add after it)")
        form = QFormLayout()
        form.addRow("Order", self.order)
        form.addRow("At most per file", self.per_media)
        form.addRow("At most", self.max_duration)
        form.addRow(self.merge)
        form.addRow(self.dedupe)
        form.addRow(self.replace)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.job: LibraryJob | None = None
        self.cancelled = False
        self.buttons = buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                                  QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.make)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(buttons)

    def options(self) -> SequenceOptions:
        pads = self.w.session.pads
        return SequenceOptions(pad_before=pads[0], pad_after=pads[1], order=ORDERS[self.order.currentText()],
                               per_media=self.per_media.value() or None,
                               max_duration=self.max_duration.value() or None,
                               merge_overlaps=self.merge.isChecked(), dedupe=self.dedupe.isChecked())

    def make(self) -> bool:
        """Build the clips from every result with a picture (in a worker); False when there is nothing to build."""
        session = self.w.session
        hits = [h for h in session.results if media_rate(session.media_row(h.media_id) or {}) is not None]
        if not hits:
            self.note.setText("No results with pictures to cut: search first.")
            return False
        if self.job is not None:
            return True
        options = self.options()
        self.job = LibraryJob(self.w.library_dir,
                              lambda lib, _progress: (lib.sequence_from_hits(hits, options), len(hits)))
        self.job.signals.done.connect(self._place)       # a method of this QObject: queued onto the GUI thread
        self.job.signals.failed.connect(self._failed)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.note.setText(f"Building the supercut from {len(hits)} hit(s)…")
        self.w.pool.start(self.job)
        return True

    def _failed(self, message: str) -> None:
        self.job = None
        self.note.setText(message)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)

    def _place(self, built) -> None:
        self.job = None
        seq, hits = built
        if self.cancelled:
            return                                            # cancelled meanwhile: the timeline stays as it was
        timeline = self.w.timeline
        if self.replace.isChecked() and timeline.sequence.clips:
            steps = [edits.Remove(i) for i in reversed(range(len(timeline.sequence.clips)))]
            timeline.push(seqmod.Batch(steps + [edits.Insert(list(seq.clips), 0)], f"Supercut ({len(seq.clips)} clips)"))
        else:
            timeline.add_clips(self.w.session.fit_to_sequence(seq.clips))
        self.w.statusBar().showMessage(f"Supercut: {len(seq.clips)} clip(s) from {hits} hit(s)", 8000)
        self.accept()

    def reject(self):
        self.cancelled = True
        super().reject()
