"""Where a take of spoken words is cut: in the silence around them, never inside a neighbouring word.

One rule for every place that turns words into a frame range (phrase hits, paper-edit takes, the
app's text-based trimming), so a hit and a text trim of the same words cut at the same frames.
A take starts in the pause before its first word (``LEAD_S`` before the onset when the pause allows,
else halfway through it) and ends in the pause after its last word, the same way. Snapped to whole
frames it never starts before the previous word's sound has ended and never ends before its last
word's sound has: where no frame edge falls inside the pause, the start gives up a sliver of the
first word's onset rather than open on the word before. Pads are applied later, on top.
"""

from __future__ import annotations

import math
from fractions import Fraction

LEAD_S = 0.1    # seconds (2-3 frames) kept before a take's first word / after its last, when the pause allows


def cut_in(start: float, prev_end: float | None) -> float:
    """Seconds to cut in before a word starting at ``start``: in the pause, never into the word before."""
    prev_end = 0.0 if prev_end is None else prev_end
    if start <= prev_end:
        return start
    return max(prev_end + (start - prev_end) / 2, start - LEAD_S)


def cut_out(end: float, next_start: float | None) -> float:
    """Seconds to cut out after a word ending at ``end``: in the pause, never into the next word."""
    if next_start is None:
        return end + LEAD_S
    if next_start <= end:
        return end
    return min(end + (next_start - end) / 2, end + LEAD_S)


def exact(seconds: float) -> Fraction:
    """Seconds to the microsecond, exactly (1.4 s is 34.99999... frames at 25 as a float)."""
    return Fraction(round(seconds * 1_000_000), 1_000_000)


def cut_frames(start: float, end: float, prev_end: float | None, next_start: float | None, rate,
               frames: int | None = None) -> tuple[int, int]:
    """Frames [in, out) at ``rate`` for words sounding from ``start`` to ``end`` (media seconds),
    whose neighbours end at ``prev_end`` and start at ``next_start`` (None: no word there)."""
    rate = Fraction(rate)
    a = math.floor(exact(cut_in(start, prev_end)) * rate)
    if prev_end is not None and Fraction(a) / rate < exact(prev_end):
        a = math.ceil(exact(prev_end) * rate)            # never open on the word before
    b = math.ceil(exact(cut_out(end, next_start)) * rate)
    if next_start is not None and Fraction(b) / rate > exact(next_start):
        b = math.floor(exact(next_start) * rate)         # not into the next word ...
    b = max(b, math.ceil(exact(end) * rate))            # ... but never before the last word's sound ends
    a = max(0, a)
    if frames:
        a, b = min(a, frames - 1), min(b, frames)
    return a, max(b, a + 1)


def neighbours(catalog, media_id: int, first_seq: int, last_seq: int) -> tuple[float | None, float | None]:
    """The end of the word said just before ``first_seq`` and the start of the one just after
    ``last_seq`` in the same transcript (None at a transcript's edge: sequence numbers skip one there)."""
    from ..catalog.reads import CatalogReads
    return CatalogReads(catalog).word_neighbours(media_id, first_seq, last_seq)


def words_frames(catalog, media_id: int, first_seq: int, last_seq: int, start: float, end: float, rate,
                 frames: int | None = None) -> tuple[int, int]:
    """``cut_frames`` for catalogued words ``first_seq``..``last_seq`` (sounding ``start``..``end``)."""
    prev_end, next_start = neighbours(catalog, media_id, first_seq, last_seq)
    return cut_frames(start, end, prev_end, next_start, rate, frames)
