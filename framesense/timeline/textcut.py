"""Text-based editing: words in, frames out (Premiere/Descript style).

Selecting words gives the clip that says exactly them; deleting words from a clip cuts
them out and closes the gap. Cut points are those of a phrase hit (``transcript.cuts``): in the
silence between words (halfway through the pause, at most ``LEAD_S`` seconds from the word), so
no word is clipped and no breath of the next word leaks in.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..transcript.cuts import cut_frames, cut_in, cut_out
from .edits import Command, _check_index
from .model import Clip, Sequence

@dataclass(frozen=True)
class Word:
    seq: int          # position in the media's transcript
    text: str
    start: float      # media seconds
    end: float


def as_words(rows: list[dict]) -> list[Word]:
    """A transcript's word rows (seq, text, start, end) as ``Word`` values."""
    return [Word(r["seq"], r["text"], float(r["start"]), float(r["end"])) for r in rows]


def cut_before(words: list[Word], i: int) -> float:
    """Where to cut in before word ``i``: in the pause before it, never into the previous word."""
    return cut_in(words[i].start, words[i - 1].end if i > 0 else None)


def cut_after(words: list[Word], j: int, media_end: float | None = None) -> float:
    """Where to cut out after word ``j``: in the pause after it, never into the next word."""
    nxt = words[j + 1].start if j + 1 < len(words) else media_end
    return cut_out(words[j].end, nxt)


def span_frames(words: list[Word], i: int, j: int, rate: Fraction, frames: int | None = None) -> tuple[int, int]:
    """Media frames [in, out) that hold words i..j whole, cut where a phrase hit for them is cut."""
    return cut_frames(words[i].start, words[j].end, words[i - 1].end if i > 0 else None,
                      words[j + 1].start if j + 1 < len(words) else None, rate, frames)


def clip_words(words: list[Word], clip: Clip) -> list[Word]:
    """The words a clip plays whole (their middle inside its source range)."""
    rate = clip.media.rate
    lo, hi = Fraction(clip.source_in) / rate, Fraction(clip.source_out) / rate
    return [w for w in words if lo <= Fraction((w.start + w.end) / 2) < hi]


@dataclass
class RemoveWords(Command):
    """Cut words out of clip ``index`` and close the gap: the clip becomes the pieces around them."""
    index: int
    words: list[Word]          # every word of the clip's media, in order
    first: int                 # positions in ``words`` of the first and last word to remove
    last: int
    text = "Delete words"

    def do(self, seq: Sequence):
        _check_index(seq, self.index)
        clip = seq.clips[self.index]
        rate, frames = clip.media.rate, clip.media.frames
        a, b = span_frames(self.words, self.first, self.last, rate, frames)
        a, b = max(a, clip.source_in), min(b, clip.source_out)
        if a >= b:
            raise ValueError("those words are not in this clip")
        pieces = [clip.copy(source_in=lo, source_out=hi, markers=[m for m in clip.markers if lo <= m.frame < hi])
                  for lo, hi in ((clip.source_in, a), (b, clip.source_out)) if hi > lo]
        self._old = clip
        seq.clips[self.index:self.index + 1] = pieces
        self._count = len(pieces)

    def undo(self, seq: Sequence):
        seq.clips[self.index:self.index + self._count] = [self._old]
