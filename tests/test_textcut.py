"""Text-based editing on known word times: selected words become exactly their frames, and deleting
words cuts them out at the pauses without clipping a neighbour (issue 19, item 2)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from framesense.timeline import textcut
from framesense.timeline.model import Clip, Sequence, SourceMedia
from framesense.timeline.textcut import Word

RATE = Fraction(25)
WORDS = [Word(0, "one", 1.00, 1.30), Word(1, "two", 1.50, 1.80), Word(2, "three", 2.40, 2.90),
         Word(3, "four", 3.00, 3.20), Word(4, "five", 3.20, 3.60), Word(5, "six", 5.00, 5.50)]
MEDIA = SourceMedia(path="/m/talk.mp4", rate=RATE, frames=250)


def frames_of(word):
    return word.start * RATE, word.end * RATE


def test_a_word_span_holds_its_words_whole_and_no_other():
    for i in range(len(WORDS)):
        for j in range(i, len(WORDS)):
            a, b = textcut.span_frames(WORDS, i, j, RATE, 250)
            for k, w in enumerate(WORDS):
                s, e = frames_of(w)
                if i <= k <= j:
                    assert a <= s and e <= b, (i, j, k)                       # whole
                else:
                    assert not (a <= (s + e) / 2 < b), (i, j, k)                # not even half of another


def test_cuts_sit_in_the_pause_close_to_the_word():
    assert textcut.span_frames(WORDS, 1, 1, RATE) == (35, 48)     # 1.40 s (pause 1.30-1.50) to 1.90 s (0.1 s after)
    assert textcut.cut_after(WORDS, 3) == 3.20                      # "four five" touch: cut exactly between
    assert textcut.cut_before(WORDS, 4) == 3.20


def test_deleting_words_splits_the_clip_and_undo_restores_it():
    seq = Sequence(rate=RATE, clips=[Clip(MEDIA, 20, 150)])
    cmd = textcut.RemoveWords(0, WORDS, 2, 2)                      # "three"
    cmd.do(seq)
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(20, 57), (74, 150)]   # 2.3 s: 0.1 s before "three"
    kept = [w.text for c in seq.clips for w in textcut.clip_words(WORDS, c)]
    assert kept == ["one", "two", "four", "five", "six"]
    assert seq.duration == 130 - 17                                # the gap closed: ripple
    cmd.undo(seq)
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(20, 150)]


def test_deleting_words_outside_the_clip_is_refused():
    seq = Sequence(rate=RATE, clips=[Clip(MEDIA, 20, 50)])
    with pytest.raises(ValueError):
        textcut.RemoveWords(0, WORDS, 5, 5).do(seq)
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(20, 50)]
