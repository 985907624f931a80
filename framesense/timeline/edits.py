"""Edits as command objects with do/undo, so the app can push them onto a QUndoStack."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .model import Clip, Sequence
from .supercut import JOIN_MODES, join_overlaps


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


@dataclass
class SetOverlay(Command):
    """Put a picture on V2 over a cut, swap it for another, or take it away (``overlay=None``)."""
    index: int
    overlay: object = None          # an Overlay, or None
    text = "set picture"

    def do(self, seq):
        _check_index(seq, self.index)
        self._old = seq.clips[self.index]
        seq.clips[self.index] = self._old.copy(overlay=self.overlay)

    def undo(self, seq):
        seq.clips[self.index] = self._old


@dataclass
class Replace(Command):
    """Put another clip in a clip's place (a paper edit's line swapped for its next take)."""
    index: int
    clip: Clip
    text = "replace clip"

    def do(self, seq):
        _check_index(seq, self.index)
        self._old = seq.clips[self.index]
        seq.clips[self.index] = self.clip

    def undo(self, seq):
        seq.clips[self.index] = self._old


@dataclass
class SetScript(Command):
    """The paper edit kept with the sequence (its lines and where each landed), as an undoable step."""
    script: list
    text = "edit script"

    def do(self, seq):
        self._old = seq.script
        seq.script = [dict(row) for row in self.script]

    def undo(self, seq):
        seq.script = self._old


@dataclass
class SetMarkers(Command):
    """A clip's markers replaced by another list (a marker added, renamed, moved or deleted)."""
    index: int
    markers: list
    text = "edit markers"

    def do(self, seq):
        _check_index(seq, self.index)
        self._old = seq.clips[self.index]
        seq.clips[self.index] = self._old.copy(markers=list(self.markers))

    def undo(self, seq):
        seq.clips[self.index] = self._old


class Batch(Command):
    """Several commands as one undo step, all or nothing: a refused step undoes the ones before it."""

    def __init__(self, commands: list, text: str):
        self.commands, self.text = list(commands), text

    def do(self, seq):
        done = []
        try:
            for c in self.commands:
                c.do(seq)
                done.append(c)
        except Exception:
            for c in reversed(done):
                c.undo(seq)
            raise

    def undo(self, seq):
        for c in reversed(self.commands):
            c.undo(seq)


# -- editor operations (issue 13): every one an undoable command over the list of clips -------
# The sequence is a list laid end to end, so every length change ripples the clips after it.

def trim_edge(seq: Sequence, index: int, edge: str, delta: int) -> Trim:
    """A ripple trim of one edge by ``delta`` media frames (+ moves the edge later), clamped to the
    file and to at least one frame: the command the timeline pushes when an edge is dragged."""
    _check_index(seq, index)
    c = seq.clips[index]
    limit = c.media.frames or (c.source_out + max(delta, 0))
    if edge == "in":
        new_in = min(max(0, c.source_in + delta), c.source_out - 1)
        cmd = Trim(index, source_in=new_in)
    elif edge == "out":
        new_out = max(min(limit, c.source_out + delta), c.source_in + 1)
        cmd = Trim(index, source_out=new_out)
    else:
        raise ValueError(f"edge must be 'in' or 'out', not {edge!r}")
    cmd.text = f"Trim {edge}-point"
    return cmd


@dataclass
class Roll(Command):
    """Move the cut before clip ``cut`` by ``delta`` record frames: the outgoing clip's out and the
    incoming clip's in move together, each in its own media frames, so nothing after the cut moves."""
    cut: int
    delta: int
    text = "Roll edit"

    def do(self, seq):
        if not 0 < self.cut < len(seq.clips):
            raise IndexError(f"no cut {self.cut} to roll: a roll needs a clip each side (sequence has "
                             f"{len(seq.clips)} clips)")
        a, b = seq.clips[self.cut - 1], seq.clips[self.cut]
        self._steps = Batch([Trim(self.cut - 1, source_out=a.source_out + media_frames(self.delta, a, seq)),
                             Trim(self.cut, source_in=b.source_in + media_frames(self.delta, b, seq))], self.text)
        self._steps.do(seq)

    def undo(self, seq):
        self._steps.undo(seq)


def media_frames(record_frames: int, clip: Clip, seq: Sequence) -> int:
    return round(Fraction(record_frames) * clip.media.rate / seq.rate)


def roll_limits(seq: Sequence, cut: int) -> tuple[int, int]:
    """How far (record frames, back and forward) the cut before clip ``cut`` can roll: each clip
    keeps a frame and stays within its file."""
    a, b = seq.clips[cut - 1], seq.clips[cut]
    to_rec = lambda n, c: int(Fraction(n) * seq.rate / c.media.rate)  # noqa: E731  (whole record frames, rounded in)
    back = min(to_rec(a.duration - 1, a), to_rec(b.source_in, b))
    fwd = min(to_rec(b.duration - 1, b), to_rec((a.media.frames or 10 ** 9) - a.source_out, a))
    return -back, fwd


def record_to_source(seq: Sequence, index: int, record_frame: int) -> int:
    """The media frame of clip ``index`` shown at a record frame (sequence frames from the start)."""
    p = seq.placements()[index]
    clip = p.clip
    offset = Fraction(record_frame - p.record_in) * clip.media.rate / seq.rate
    return clip.source_in + (offset + Fraction(1, 2)).__floor__()


def clip_at(seq: Sequence, record_frame: int) -> int | None:
    """Index of the clip under a record frame (None past the end)."""
    lo, hi = 0, len(seq.clips)
    places = seq.placements()
    while lo < hi:
        mid = (lo + hi) // 2
        if places[mid].record_out <= record_frame:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < len(places) and places[lo].record_in <= record_frame else None


@dataclass
class Razor(Command):
    """Cut the clip under a record frame in two there (nothing when the frame is on a cut)."""
    record_frame: int
    text = "Razor"

    def do(self, seq):
        index = clip_at(seq, self.record_frame)
        if index is None:
            raise ValueError(f"no clip under record frame {self.record_frame}")
        frame = record_to_source(seq, index, self.record_frame)
        self._split = Split(index, frame)
        self._split.do(seq)

    def undo(self, seq):
        self._split.undo(seq)


@dataclass
class RippleDelete(Command):
    """Delete several clips at once; the rest close up (the sequence has no gaps)."""
    indices: list[int]
    text = "Ripple delete"

    def do(self, seq):
        rows = sorted(set(self.indices))
        for i in rows:
            _check_index(seq, i)
        self._removed = [(i, seq.clips[i]) for i in rows]
        for i in reversed(rows):
            del seq.clips[i]

    def undo(self, seq):
        for i, clip in self._removed:
            seq.clips.insert(i, clip)


@dataclass
class MoveMany(Command):
    """Move a block of selected clips so the first lands at ``dst`` (an index in the list without them)."""
    indices: list[int]
    dst: int
    text = "Move clips"

    def do(self, seq):
        rows = sorted(set(self.indices))
        for i in rows:
            _check_index(seq, i)
        self._before = list(seq.clips)
        moving = [seq.clips[i] for i in rows]
        rest = [c for i, c in enumerate(seq.clips) if i not in set(rows)]
        at = max(0, min(self.dst, len(rest)))
        seq.clips[:] = rest[:at] + moving + rest[at:]

    def undo(self, seq):
        seq.clips[:] = self._before


PAD_MODES = JOIN_MODES


@dataclass
class AddClips(Command):
    """Add clips at ``index`` (None: the end), joined to overlapping takes of their file by the one
    rule export uses too (:func:`framesense.timeline.supercut.join_overlaps`, ``mode``: merge, trim, keep)."""
    clips: list[Clip]
    index: int | None = None
    mode: str = "merge"
    text = "Add clips"

    def do(self, seq):
        if self.index is not None:
            _check_index(seq, self.index, allow_end=True)
        self._before = list(seq.clips)
        seq.clips[:] = join_overlaps(seq.clips, self.clips, self.mode, self.index)

    def undo(self, seq):
        seq.clips[:] = self._before
