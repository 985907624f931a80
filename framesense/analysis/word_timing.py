"""Where each transcribed word begins and ends: the one entry point for the speech and word-timing stages.

First the energy rules (``word_edges``, any language) move Whisper's edges out of pauses; then, for
English, the forced aligner (``forced_align``) puts every boundary where the sounds of one word
hand over to the next, and the energy guard keeps its edges off pauses. Where the aligner is
missing (a bare install without the ``speech`` extra's pocketsphinx) English keeps the energy
rules' times and the caller gets a warning saying why.
"""

from __future__ import annotations

import numpy as np

from ..transcript.model import Word
from . import forced_align, word_edges

# of the whole procedure: a library's words timed under another version are re-timed once
VERSION = f"{word_edges.VERSION}+{forced_align.VERSION}"


def time_words(segments: list[list[Word]], samples: np.ndarray, language: str | None) -> str | None:
    """Fit one stream's words (each segment's, in order) to the sound, in place; a warning or None."""
    words = [w for ws in segments for w in ws]
    if not words:
        return None
    loud = word_edges.measure(samples)
    word_edges.fit_words(words, samples, loud)
    if (language or "").split("-")[0].lower() not in forced_align.LANGUAGES:
        return None
    try:
        forced_align.align_segments(segments, samples)
    except forced_align.AlignerMissing as exc:
        return str(exc)
    word_edges.keep_off_pauses(words, samples, loud)
    return None
