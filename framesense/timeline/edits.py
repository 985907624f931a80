"""Edits as command objects with do/undo, so the app can push them onto a QUndoStack."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Clip, Sequence


class Command:
    text = "edit"

    def do(self, seq: Sequence) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def undo(self, seq: Sequence) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def _check_index(seq: Sequence, index: int, allow_end: bool = False) -> None:
    hi = len(seq.clips) + (1 if allow_end else 0)
    if not 0 <= index < hi:
        raise IndexError(f"clip index {index} out of range (sequence has {len(seq.clips)} clips)")


@dataclass
class Insert(Command):
    clips: list[Clip]
    index: int | None = None   # None: append
    text = "insert clips"

    def do(self, seq):
        self._at = len(seq.clips) if self.index is None else self.index
        _check_index(seq, self._at, allow_end=True)
        seq.clips[self._at:self._at] = list(self.clips)

    def undo(self, seq):
        del seq.clips[self._at:self._at + len(self.clips)]


@dataclass
class Remove(Command):
    index: int
    text = "remove clip"

    def do(self, seq):
        _check_index(seq, self.index)
        self._clip = seq.clips.pop(self.index)

    def undo(self, seq):
        seq.clips.insert(self.index, self._clip)


@dataclass
class Move(Command):
    src: int
    dst: int
    text = "move clip"

    def do(self, seq):
        _check_index(seq, self.src)
        _check_index(seq, self.dst)
        seq.clips.insert(self.dst, seq.clips.pop(self.src))

    def undo(self, seq):
        seq.clips.insert(self.src, seq.clips.pop(self.dst))


@dataclass
class Trim(Command):
    """Set a clip's in and/or out point (media frames), kept within the file."""
    index: int
    source_in: int | None = None
    source_out: int | None = None
    text = "trim clip"

    def do(self, seq):
        _check_index(seq, self.index)
        old = seq.clips[self.index]
        new_in = old.source_in if self.source_in is None else self.source_in
        new_out = old.source_out if self.source_out is None else self.source_out
        limit = old.media.frames or new_out
        if not 0 <= new_in < new_out <= limit:
            raise ValueError(f"{old.media.path}: trim to [{new_in}, {new_out}) is outside the file (0..{limit})")
        self._old = old
        seq.clips[self.index] = old.copy(source_in=new_in, source_out=new_out)

    def undo(self, seq):
        seq.clips[self.index] = self._old


@dataclass
class Split(Command):
    """Cut a clip in two at a media frame; markers go to the half that holds them."""
    index: int
    frame: int
    text = "split clip"

    def do(self, seq):
        _check_index(seq, self.index)
        old = seq.clips[self.index]
        if not old.source_in < self.frame < old.source_out:
            raise ValueError(f"split frame {self.frame} is not inside the clip [{old.source_in}, {old.source_out})")
        a = old.copy(source_out=self.frame, markers=[m for m in old.markers if m.frame < self.frame])
        b = old.copy(source_in=self.frame, markers=[m for m in old.markers if m.frame >= self.frame])
        self._old = old
        seq.clips[self.index:self.index + 1] = [a, b]

    def undo(self, seq):
        seq.clips[self.index:self.index + 2] = [self._old]
