"""A transcript as segments of timed words, and the one normalisation search relies on.

Stored words and query words go through the same ``normalize_word``: lower
case, accents folded, everything but letters and digits dropped ("Don't," ->
"dont"), so search is case- and punctuation-insensitive by construction.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .languages import split_elisions

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_JOINERS = re.compile(r"[\s\-\u2010-\u2015/]+")  # hyphens, dashes, slashes split words


def normalize_word(text: str) -> str:
    t = unicodedata.normalize("NFKD", text.casefold())
    t = "".join(c for c in t if not unicodedata.combining(c))
    return _NON_WORD.sub("", t)


def split_words(text: str) -> list[str]:
    """Split on spaces, hyphens and slashes ("twenty-one" -> twenty, one); the same for queries and words."""
    return [t for t in _JOINERS.split(text) if t]


@dataclass
class Word:
    text: str
    start: float
    end: float
    probability: float | None = None
    speaker: str | None = None
    quiet: float | None = None     # where to cut between it and the word before (seconds; None: not measured;
                                   # the aligner's boundary or the quietest 10 ms: analysis/word_timing.py)


@dataclass
class Segment:
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    speaker: str | None = None


@dataclass
class Transcript:
    segments: list[Segment]
    language: str | None = None
    source: str = "whisper"        # whisper, sidecar, import
    origin: str | None = None      # model name or file path
    stream: int = 0                # audio stream index in the container (-1: imported)
    language_probability: float | None = None   # Whisper's confidence in the language it detected
    language_from: str | None = None   # detected, set (by the user), container (the stream's tag), file
    timing: str | None = None      # word-timing version its words were measured with (None: as given)

    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]


def spread_words(text: str, start: float, end: float, speaker: str | None = None) -> list[Word]:
    """Word times for a cue that has none: the cue's span shared in proportion to character length."""
    tokens = text.split()
    if not tokens:
        return []
    weights = [max(1, len(normalize_word(t))) for t in tokens]  # letters and digits, not punctuation
    total = float(sum(weights))
    out, t = [], start
    dur = max(0.0, end - start)
    for tok, w in zip(tokens, weights):
        t2 = t + dur * w / total
        out.append(Word(tok, round(t, 3), round(t2, 3), None, speaker))
        t = t2
    out[-1].end = end
    return out


def word_parts(w: Word, language: str | None = None) -> list[tuple[Word, str]]:
    """A stored word as (word, normalised) pieces: "round-fark" becomes two, sharing its time by length,
    and so does an elided French or Italian word ("l'homme": "l'", "homme"; see ``languages.py``).

    A piece before a hyphen keeps it ("round-", "fark"), so the words read back whole.
    """
    bits = re.split(r"([\s\-\u2010-\u2015/]+)", w.text)
    shown = []
    for k in range(0, len(bits), 2):
        sep = bits[k + 1] if k + 1 < len(bits) else ""
        if bits[k]:
            pieces = split_elisions(bits[k], language)
            pieces[-1] += "-" if "-" in sep or any("\u2010" <= c <= "\u2015" for c in sep) else ""
            shown += pieces
    pieces = [(p, normalize_word(p)) for p in shown]
    pieces = [(p, n) for p, n in pieces if n]
    if len(pieces) <= 1:
        return [(w, pieces[0][1])] if pieces else []
    spread = spread_words(" ".join(p for p, _ in pieces), w.start, w.end, w.speaker)
    # the first piece keeps the quiet before the word; between pieces it is not measured
    return [(Word(sw.text, sw.start, sw.end, w.probability, w.speaker, w.quiet if k == 0 else None), n)
            for k, (sw, (_, n)) in enumerate(zip(spread, pieces))]
