"""The undo history of a sequence, without Qt (the app's Session owns one; tests drive it directly).

Every edit is one of the core's command objects (``timeline/edits.py``: ``do``/``undo`` on a
sequence); the history keeps the ones done and undone, and where the last save was, so
"unsaved changes" is a fact of the history rather than a flag someone has to remember to set.
"""

from __future__ import annotations


class History:
    def __init__(self):
        self._done: list = []
        self._undone: list = []
        self._clean: int | None = 0     # len(_done) at the last save; None: no state is saved (a recovery)
        self.revision = 0               # grows with every change, undo and redo: "has anything moved since?"

    def push(self, command) -> None:
        """Record a command that was just done; the redo list is dropped (a new branch of edits)."""
        if self._clean is not None and self._clean > len(self._done):
            self._clean = None           # the saved state was on the dropped branch
        self._done.append(command)
        self._undone.clear()
        self.revision += 1

    def undo(self, sequence):
        """Undo the last command on ``sequence``; it returns, or None when there is nothing to undo."""
        if not self._done:
            return None
        command = self._done.pop()
        command.undo(sequence)
        self._undone.append(command)
        self.revision += 1
        return command

    def redo(self, sequence):
        if not self._undone:
            return None
        command = self._undone.pop()
        command.do(sequence)
        self._done.append(command)
        self.revision += 1
        return command

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()
        self._clean = 0
        self.revision += 1

    def set_clean(self) -> None:
        self._clean = len(self._done)

    def set_never_clean(self) -> None:
        """No state of this history is saved anywhere (a sequence recovered after a crash)."""
        self._clean = None

    @property
    def clean(self) -> bool:
        return self._clean == len(self._done)

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    @property
    def undo_text(self) -> str:
        return self._done[-1].text if self._done else ""

    @property
    def redo_text(self) -> str:
        return self._undone[-1].text if self._undone else ""
