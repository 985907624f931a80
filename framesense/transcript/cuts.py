"""Where a take of spoken words is cut: in the silence around them, never inside a neighbouring word.

One rule for every place that turns words into a frame range (phrase hits, paper-edit takes, the
app's text-based trimming), so a hit and a text trim of the same words cut at the same frames.

The pause before a take's first word runs from the previous word's end to the first word's start
(word edges measured from the sound: ``analysis/word_timing.py``); the one after its last word
from that word's end to the next word's start. Each cut aims, inside its pause, at ``LEAD_S``
before the first word (after the last), or, in a pause shorter than that, at its cut point: the
instant the word-timing stage stored per word ("quiet": the aligner's boundary between two
force-aligned words, else the pause's quietest 10 ms; the middle of the pause where nothing was
stored). Snapped to frames, a cut takes the frame edge inside the pause nearest its aim (the start
rounded down, the end up, unless that leaves the pause). Where no frame edge lies inside the pause
(words running on, a pause shorter than a frame) the cut takes the frame edge nearest the cut
point: it then lies less than half a frame into one of the two words. Pads are applied later, on top.
"""

from __future__ import annotations

import math
from fractions import Fraction

LEAD_S = 0.1    # seconds (2-3 frames) kept before a take's first word / after its last, when the pause allows


def quiet_ms(start: float, quiet: float | None) -> int | None:
    """A word's quietest instant before it as stored: ms from its start (negative: before it)."""
    return None if quiet is None else int(round((quiet - start) * 1000))


def quiet_at(start: float, ms: int | None) -> float | None:
    """``quiet_ms`` back to media seconds."""
    return None if ms is None else round(start + ms / 1000, 3)


def _quiet(lo: float, hi: float, quiet: float | None) -> float:
    """The pause's quietest instant, or its middle where it was not measured (or lies outside it by
    more than the word timing's reach: the word edges were changed by hand since)."""
    a, b = min(lo, hi), max(lo, hi)
    if quiet is not None and a - 0.05 <= quiet <= b + 0.05:
        return quiet
    return (lo + hi) / 2


def cut_in(start: float, prev_end: float | None, quiet: float | None = None) -> float:
    """Seconds to cut in before a word starting at ``start``: ``LEAD_S`` before it when the pause
    after the previous word (ending at ``prev_end``) allows, else at the pause's quietest instant."""
    prev_end = 0.0 if prev_end is None else prev_end
    if start - prev_end >= 2 * LEAD_S:
        return start - LEAD_S
    return max(_quiet(prev_end, start, quiet), start - LEAD_S)


def cut_out(end: float, next_start: float | None, quiet: float | None = None) -> float:
    """Seconds to cut out after a word ending at ``end``: ``LEAD_S`` after it when the pause before
    the next word (starting at ``next_start``) allows, else at the pause's quietest instant."""
    if next_start is None or next_start - end >= 2 * LEAD_S:
        return end + LEAD_S
    return min(_quiet(end, next_start, quiet), end + LEAD_S)


def exact(seconds: float) -> Fraction:
    """Seconds to the microsecond, exactly (1.4 s is 34.99999... frames at 25 as a float)."""
    return Fraction(round(seconds * 1_000_000), 1_000_000)


def _edge(aim: float, lo: float | None, hi: float | None, quiet: float, rate: Fraction, up: bool) -> int:
    """The frame edge for a cut aimed at ``aim`` in the pause [lo, hi] (None: open): ``aim`` rounded
    down (``up``: up) if that stays in the pause, else the pause's edge-most frame inside it, else
    (no frame edge inside the pause) the frame edge nearest its quietest instant."""
    lo_f = None if lo is None else exact(lo) * rate
    hi_f = None if hi is None else exact(hi) * rate
    inside = (lambda f: (lo_f is None or f >= lo_f) and (hi_f is None or f <= hi_f))
    f = math.ceil(exact(aim) * rate) if up else math.floor(exact(aim) * rate)
    if inside(f):
        return f
    g = math.floor(hi_f) if up else math.ceil(lo_f)      # the frame edge nearest the aim inside the pause
    if inside(g):
        return g
    q = exact(quiet) * rate       # a tie keeps the take's own word: the end rounds up, the start down
    return math.floor(q + Fraction(1, 2)) if up else math.ceil(q - Fraction(1, 2))


def in_pause(frame: int, lo: float | None, hi: float | None, rate) -> bool:
    """Whether frame edge ``frame`` at ``rate`` lies in the pause [lo, hi] (seconds, None: open)."""
    t = Fraction(frame) / Fraction(rate)
    return (lo is None or t >= exact(lo)) and (hi is None or t <= exact(hi))


def cut_frames(start: float, end: float, prev_end: float | None, next_start: float | None, rate,
               frames: int | None = None, quiet_in: float | None = None,
               quiet_out: float | None = None) -> tuple[int, int]:
    """Frames [in, out) at ``rate`` for words sounding from ``start`` to ``end`` (media seconds),
    whose neighbours end at ``prev_end`` and start at ``next_start`` (None: no word there);
    ``quiet_in`` / ``quiet_out``: the quietest instants of the pauses before and after them."""
    rate = Fraction(rate)
    lo, hi = (0.0 if prev_end is None else prev_end), next_start
    a = _edge(cut_in(start, prev_end, quiet_in), min(lo, start), max(lo, start), _quiet(lo, start, quiet_in),
              rate, up=False)
    b = _edge(cut_out(end, hi, quiet_out), end if hi is None else min(end, hi), None if hi is None else max(end, hi),
              _quiet(end, end if hi is None else hi, quiet_out), rate, up=True)
    a = max(0, a)
    if frames:
        a, b = min(a, frames - 1), min(b, frames)
    return a, max(b, a + 1)

