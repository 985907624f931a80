"""English word boundaries from a forced aligner: PocketSphinx fits Whisper's own words to the sound.

Whisper's word times come from cross-attention; an energy rule (``word_edges``) can find pauses but
not the boundary between two words said without one (a stop's closure looks the same). A forced
aligner knows what each word sounds like: given the words, CMU's en-us acoustic model (it ships
inside the ``pocketsphinx`` wheel, with its dictionary) puts every boundary where one phone
sequence hands over to the next, at 10 ms. Measured on hand-labelled speech by others
(benchmarks/word_timing.py), it halves the per-word edge error of the energy rules alone.

Each of Whisper's segments is aligned on its own, in a window reaching a little past its words
(never into the neighbouring segments' words), widened where a word lies against its edge (a word
drawn out, or started late by Whisper, was cut off by the window). A word missing from the
dictionary gets a rough pronunciation from its letters (its timing, not its spelling, is what is
wanted); digits are said as words. Whisper leaves hesitations out ("um", "uh"); the aligner may place one between any two
words (HESITATIONS), so the word after it does not start on its sound. A segment the aligner cannot
fit as a whole (a stretch said faster than the model's three 10 ms frames a phone) is split at its
widest pause and each part of at least MIN_PART_WORDS words aligned on its own; a part that still
does not fit (the words are not what was said, music) keeps the energy rules' times, and so does
any word placed implausibly far from Whisper's.
"""

from __future__ import annotations

import atexit
import os
import re
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..media.audio import SAMPLE_RATE
from ..transcript.model import Word

VERSION = "ps3"          # of this aligner's use: part of the word_timing stage's version
PAD_S = 0.4              # the window reaches this far past a segment's first and last word
MAX_SHIFT_S = 1.5        # an aligned edge further than this from Whisper's is not trusted
WIDEN_TIMES = 2          # a window whose edge cuts off a word is widened by PAD_S at most this often
EDGE_S = 0.02            # a word this close to its window's edge was cut off by it
MIN_PART_WORDS = 5       # a run that does not fit is split into parts of at least this many words
MIN_WORD_S = 0.03        # an aligned word shorter than this is a guess, not a fit
FRAME_CENTRE_S = 0.01    # frame f's 25.6 ms window is centred 12.8 ms after f/100: a boundary at f lies there
LANGUAGES = ("en",)      # the acoustic model's language
# Hesitations Whisper leaves out of its words: the aligner may put one between any two words, so the
# word after an "um" does not take its sound. Filler words (fillprob) beside the model's own noises.
HESITATIONS = {"[UM]": "AH M", "[UH]": "AH", "[ER]": "ER"}
FILLER_PROB = 0.03
# Search beams far wider than the decoder's defaults: with the words given there are few paths, and
# at the default beams fast or mumbled speech found none (the words then kept the energy edges).
BEAMS = {"beam": 1e-120, "pbeam": 1e-120, "wbeam": 1e-100, "lpbeam": 1e-100, "lponlybeam": 1e-100}

_lock = threading.Lock()


class AlignerMissing(RuntimeError):
    """pocketsphinx (the ``speech`` extra) is not installed: word edges come from the energy rules."""


def load() -> None:
    """Load the aligner (its model and dictionary) once; AlignerMissing says why it cannot be."""
    _decoder()


@lru_cache(maxsize=1)
def _decoder():
    try:
        from pocketsphinx import Config, Decoder
    except ImportError as exc:   # the optional extra
        raise AlignerMissing("pocketsphinx is not installed (pip install 'framesense[speech]'): "
                             "word edges are measured from the sound's energy only") from exc
    # no language model: alignment needs only the acoustic model and the dictionary
    config = Config(lm=None, samprate=SAMPLE_RATE, bestpath=False, loglevel="FATAL", **BEAMS)
    try:
        fillers = _filler_dictionary(Path(config["hmm"]) / "noisedict")
        if fillers:
            config["fdict"], config["fillprob"] = str(fillers), FILLER_PROB
        return Decoder(config)
    except (RuntimeError, OSError) as exc:    # a bundle or install without its model files
        raise AlignerMissing(f"pocketsphinx's en-us model could not be loaded ({exc}): "
                             "word edges are measured from the sound's energy only") from exc


def hesitations() -> list[str]:
    """The hesitations the loaded aligner may place between words ("um", "uh", "er"; none where its
    filler dictionary could not be written)."""
    dec = _decoder()
    return [w.strip("[]").lower() for w in HESITATIONS if dec.lookup_word(w) is not None]


def _filler_dictionary(noisedict: Path) -> Path | None:
    """The model's filler words plus HESITATIONS, as a file for the decoder (it reads fillers only
    from one): in the temporary folder, removed at exit; None where it cannot be written (the aligner
    then runs without hesitations)."""
    text = noisedict.read_text(encoding="utf-8").rstrip("\n") + "\n"
    text += "".join(f"{w} {p}\n" for w, p in HESITATIONS.items())
    try:
        fd, name = tempfile.mkstemp(prefix="framesense-fillers-", suffix=".dict")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError:
        return None
    atexit.register(lambda: Path(name).unlink(missing_ok=True))
    return Path(name)


# letters -> CMU phones, for words the dictionary lacks (longest spelling first)
_LETTERS = [
    ("tch", "CH"), ("sch", "S K"), ("igh", "AY"), ("ough", "AO"), ("tion", "SH AH N"), ("sion", "ZH AH N"),
    ("th", "TH"), ("sh", "SH"), ("ch", "CH"), ("ph", "F"), ("wh", "W"), ("ck", "K"), ("ng", "NG"),
    ("qu", "K W"), ("gh", "G"), ("kn", "N"), ("wr", "R"), ("ee", "IY"), ("ea", "IY"), ("oo", "UW"),
    ("ou", "AW"), ("ow", "OW"), ("oi", "OY"), ("oy", "OY"), ("ai", "EY"), ("ay", "EY"), ("au", "AO"),
    ("aw", "AO"), ("ei", "EY"), ("ie", "IY"), ("er", "ER"), ("ir", "ER"), ("ur", "ER"), ("ar", "AA R"),
    ("or", "AO R"), ("a", "AE"), ("b", "B"), ("c", "K"), ("d", "D"), ("e", "EH"), ("f", "F"), ("g", "G"),
    ("h", "HH"), ("i", "IH"), ("j", "JH"), ("k", "K"), ("l", "L"), ("m", "M"), ("n", "N"), ("o", "AA"),
    ("p", "P"), ("q", "K"), ("r", "R"), ("s", "S"), ("t", "T"), ("u", "AH"), ("v", "V"), ("w", "W"),
    ("x", "K S"), ("y", "Y"), ("z", "Z"),
]


def spelled(token: str) -> str:
    """A rough CMU pronunciation from a word's letters ("framesense" -> F R AE M EH S EH N S EH)."""
    out, k = [], 0
    letters = re.sub(r"[^a-z]", "", token)
    while k < len(letters):
        for spelling, phones in _LETTERS:
            if letters.startswith(spelling, k):
                out.append(phones)
                k += len(spelling)
                break
    # a final silent "e" after a consonant is not said
    if len(out) > 1 and letters.endswith("e") and not letters.endswith(("ee", "ie")) and out[-1] == "EH":
        out.pop()
    return " ".join(out)


def tokens(text: str) -> list[str]:
    """The dictionary words a Whisper word is said as: lower case, digits spelt out ("25%" -> twenty
    five percent), hyphenated parts separately; [] for a word with nothing to say ("--")."""
    t = text.lower().replace("’", "'").replace("%", " percent").replace("&", " and ")
    out = []
    for part in re.split(r"[\s\-/]+", t):
        part = part.strip(".,;:!?\"()[]{}«»“”…'")
        if not part:
            continue
        if re.fullmatch(r"\d+(?:[.,]\d+)?(?:st|nd|rd|th|s)?", part):
            from num2words import num2words
            digits = re.match(r"[\d.,]+", part).group(0).replace(",", "")
            try:
                said = num2words(float(digits) if "." in digits else int(digits),
                                 to="ordinal" if part[-2:] in ("st", "nd", "rd", "th") else "cardinal")
            except (ValueError, OverflowError, NotImplementedError):
                continue
            out += [w for w in re.split(r"[\s\-,]+", said) if w]
        else:
            word = re.sub(r"[^a-z']", "", part)
            if re.search(r"[a-z]", word):
                out.append(word)
    return out


def _pronounceable(dec, token: str) -> str:
    """``token`` itself when the dictionary knows it (added from its letters when it did not)."""
    if dec.lookup_word(token) is None:
        phones = spelled(token)
        if not phones:
            return ""
        dec.add_word(token, phones, True)
    return token


def _align(dec, samples: np.ndarray, text: list[str]) -> list[tuple[float, float]] | None:
    """(start, end) seconds of each word in ``text`` within ``samples``, or None if it did not fit."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    try:
        dec.set_align_text(" ".join(text))
        dec.start_utt()
        dec.process_raw(pcm, full_utt=True)
        dec.end_utt()
        segs = [s for s in (dec.seg() or []) if not s.word.startswith(("<", "["))]
    except RuntimeError:     # no path through the words: not what was said
        return None
    if not segs:             # the search found no path: the words are not what was said here
        return None
    if [re.sub(r"\(\d+\)$", "", s.word) for s in segs] != text:
        return None
    return [(s.start_frame / 100 + FRAME_CENTRE_S, (s.end_frame + 1) / 100 + FRAME_CENTRE_S) for s in segs]


def align_segments(segments: list[list[Word]], samples: np.ndarray) -> list[Word]:
    """Move the words of each segment (in place) to the aligner's boundaries; the words it moved.

    ``segments`` are one stream's segments in order, each a list of its words with times already
    fitted by the energy rules (they bound the windows and stay where the aligner fails). Words of
    neighbouring segments may overlap afterwards (``word_edges.keep_off_pauses`` undoes that).
    Raises AlignerMissing when pocketsphinx is not installed.
    """
    dec = _decoder()
    n = samples.size / SAMPLE_RATE
    moved: list[Word] = []
    with _lock:   # one decoder per process
        for k, ws in enumerate(segments):
            if not ws:
                continue
            before = max((w.end for s in segments[:k] for w in s[-1:]), default=0.0)
            after = min((s[0].start for s in segments[k + 1:] if s), default=n)
            moved += _fit(dec, samples, ws, before, after)
    return moved


def _fit(dec, samples: np.ndarray, ws: list[Word], before: float, after: float) -> list[Word]:
    """Align ``ws`` in a window between ``before`` and ``after`` (the neighbours' edges); the words moved.

    Where the whole run does not fit (a stretch said too fast for the model's three frames a phone,
    or a hesitation Whisper left out), it is split at its widest pause and each part is aligned on
    its own window, so one bad stretch keeps only its own words on the energy rules' times."""
    n = samples.size / SAMPLE_RATE
    lo = max(0.0, before, ws[0].start - PAD_S)
    hi = min(n, max(after, ws[-1].end), ws[-1].end + PAD_S)
    owner, text = [], []
    for i, w in enumerate(ws):
        for t in tokens(w.text):
            t = _pronounceable(dec, t)
            if t:
                owner.append(i)
                text.append(t)
    if not text or hi - lo < 0.1:
        return []
    got = _align(dec, samples[int(lo * SAMPLE_RATE):int(hi * SAMPLE_RATE)], text)
    for _ in range(WIDEN_TIMES):
        # a first word starting on the window's first frames (a last word ending on its last) was cut
        # off by it: a drawn-out word, or one Whisper started late. Widen that side, within the neighbours.
        if got is None:
            break
        cut_first = got[0][0] - FRAME_CENTRE_S < EDGE_S
        cut_last = (hi - lo) - (got[-1][1] - FRAME_CENTRE_S) < EDGE_S
        wider_lo = max(0.0, before, lo - PAD_S) if cut_first else lo
        wider_hi = min(n, max(after, ws[-1].end), hi + PAD_S) if cut_last else hi
        if (wider_lo, wider_hi) == (lo, hi):
            break
        lo, hi = wider_lo, wider_hi
        got = _align(dec, samples[int(lo * SAMPLE_RATE):int(hi * SAMPLE_RATE)], text)
    if got is None:
        if len(ws) < 2 * MIN_PART_WORDS:
            return []
        k = max(range(MIN_PART_WORDS, len(ws) - MIN_PART_WORDS + 1), key=lambda k: ws[k].start - ws[k - 1].end)
        return _fit(dec, samples, ws[:k], before, ws[k].start) + _fit(dec, samples, ws[k:], ws[k - 1].end, after)
    spans: dict[int, list[float]] = {}
    for i, (a, b) in zip(owner, got):
        s = spans.setdefault(i, [a + lo, b + lo])
        s[1] = b + lo
    moved = []
    for i, (a, b) in spans.items():
        w = ws[i]
        if b - a < MIN_WORD_S or abs(a - w.start) > MAX_SHIFT_S or abs(b - w.end) > MAX_SHIFT_S:
            continue
        w.start, w.end = round(a, 3), round(b, 3)
        moved.append(w)
    return moved
