"""Where each transcribed word begins and ends: the one entry point for the speech and word-timing stages.

First the energy rules (``word_edges``, any language) move Whisper's edges out of pauses; then, for
English, the forced aligner (``forced_align``) puts every boundary where the sounds of one word
hand over to the next, and the energy guard keeps its edges off pauses. Where the aligner is
missing (a bare install without the ``speech`` extra's pocketsphinx) English keeps the energy
rules' times and the caller gets a warning saying why.

Last, each word gets the instant to cut at between it and the word before, stored so search never
decodes audio (``transcript/cuts.py``: where the pause is shorter than a frame of video, a cut goes
to the frame edge nearest it). Between two words the aligner placed, that is the middle of the pause
between them (their boundary where they touch); elsewhere the quietest 10 ms (``word_edges.quietest``).
Measured on speech with independent word times (benchmarks/word_timing.py), the aligner's boundary
put fewer cuts inside a neighbouring word than the quietest instant near it did.
"""

from __future__ import annotations

import numpy as np

from ..transcript.model import Word
from . import forced_align, word_edges

# of the whole procedure: a library's words timed under another version are re-timed once
VERSION = f"{word_edges.VERSION}+{forced_align.VERSION}+q2"


def time_words(segments: list[list[Word]], samples: np.ndarray, language: str | None) -> str | None:
    """Fit one stream's words (each segment's, in order) to the sound, in place; a warning or None."""
    words = [w for ws in segments for w in ws]
    if not words:
        return None
    loud = word_edges.measure(samples)
    word_edges.fit_words(words, samples, loud)
    warning = None
    aligned: set[int] = set()
    if (language or "").split("-")[0].lower() in forced_align.LANGUAGES:
        try:
            aligned = {id(w) for w in forced_align.align_segments(segments, samples)}
            word_edges.keep_off_pauses(words, samples, loud)
        except forced_align.AlignerMissing as exc:
            warning = str(exc)
    words[0].quiet = None        # nothing is said before the first word
    for p, w in zip(words, words[1:]):
        w.quiet = (round((p.end + w.start) / 2, 3) if id(p) in aligned and id(w) in aligned
                   else word_edges.quietest(loud, p, w))
    return warning
