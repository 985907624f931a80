"""Word boundaries measured from the sound, at 10 ms: where each word's sound begins and ends.

Whisper's word times come from cross-attention, not from the sound: a word's start is often
stretched back over a pause or into the previous word, and a last word ends while its vowel still
rings. A take cut at those times opens on the tail of the word before, or clips the word it wants.
Here each boundary between two words is put where the sound says when there is a pause (80 ms
or more of quiet) near it: the previous word ends where its sound stops, the next begins at its
onset; a word after a pause starts at its onset, a word before one ends where its sound dies
away, and a word Whisper put wholly in a pause takes its neighbour's sound there. In running
speech with no pause, Whisper's boundary stays: energy dips there (a stop's closure, a faint
consonant) lie inside words as often as between them (measured: benchmarks/word_timing.py).

"Sound" is energy above the recording's own floor (its quietest tenth, so a steady background
noise is not speech), gated by Silero voice activity (the model inside faster-whisper) so that
long stretches of faint non-speech noise are not taken for words.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..media.audio import SAMPLE_RATE
from ..transcript.model import Word

VERSION = "1"                     # of these rules: a library's words measured otherwise are re-timed once
HOP = SAMPLE_RATE // 100          # 10 ms frames
REACH_S = 0.35                    # how far a boundary may move from where Whisper put it
GUARD_START_S = 0.1               # how far back an aligned start after a pause may grow onto sound
GUARD_END_PAUSE_S = 0.25          # an aligned end moves back out of a pause this long (not a closure)
LONG_GAP_S = 0.6                  # Whisper's own gap this long: the two edges are found separately
MIN_WORD_S = 0.03                 # every word keeps at least this much of its span
MIN_SILENCE_FRAMES = 8            # a pause: 80 ms below the floor (a stop's closure inside a word is shorter)
END_DIP_FRAMES = 6                # a word's end grows across quiet dips this long (a closure, a faint "f")
START_DIP_FRAMES = 2              # a word's start grows back across shorter ones
NEAR_COST = 1.0                   # per 10 ms from Whisper's boundary: a pause further away ...
PAUSE_GAIN = 2.0                  # ... must be longer (per 10 ms, up to 300 ms)
BLIP_FRAMES = 3                   # sound this short inside a pause (a click, a breath) is part of the pause
KEEP_SHARE = 0.4                  # of a word's sound (in Whisper's span) that a moved boundary leaves it
VAD_SPEECH = 0.1                  # Silero's speech probability below which a frame is not speech ...
VAD_HOLD_FRAMES = 30              # ... when the whole 300 ms around it is below it too,
VAD_LOUD_DB = 10.0                # and it is within this much of the threshold (noise, not a word's voice)
QUIET_NEAR_S = 0.02               # the quietest instant between two words is looked for this far past their edges
QUIET_DB = 0.5                    # frames this close to the quietest are as quiet: the one nearest the boundary


@dataclass
class Loudness:
    """A recording's sound at 10 ms frames: level in dB and whether each frame is audible speech."""
    db: np.ndarray        # frame level (dBFS, -120 for digital silence)
    sound: np.ndarray     # bool: above the floor and not in a long non-speech stretch
    threshold: float      # the level that counts as sound
    voice: np.ndarray | None = None   # Silero's speech probability per frame (None without onnxruntime)

    @property
    def frames(self) -> int:
        return int(self.db.size)


def _frame_db(samples: np.ndarray) -> np.ndarray:
    n = samples.size // HOP
    x = samples[: n * HOP].astype(np.float32).reshape(n, HOP)
    return 20 * np.log10(np.sqrt((x * x).mean(axis=1)) + 1e-6)


def speech_probability(samples: np.ndarray) -> np.ndarray | None:
    """Silero VAD's speech probability per 10 ms frame, or None when onnxruntime is missing."""
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    try:
        from faster_whisper.vad import get_vad_model
        from .speech import quiet_onnxruntime
        quiet_onnxruntime()
        model = get_vad_model()
    except Exception:   # noqa: BLE001 - no VAD: energy alone decides
        return None
    win = 512
    padded = np.pad(samples.astype(np.float32), (0, win - samples.size % win))
    probs = np.asarray(model(padded), dtype=np.float32).reshape(-1)
    n = samples.size // HOP
    centres = (np.arange(n) * HOP + HOP / 2) // win
    return probs[np.minimum(centres.astype(int), probs.size - 1)]


def measure(samples: np.ndarray, vad: bool = True) -> Loudness:
    """The recording's 10 ms levels and which frames are sound (see the module note)."""
    db = _frame_db(samples)
    if db.size == 0:
        return Loudness(db, np.zeros(0, bool), 0.0)
    floor, peak = np.percentile(db, [10, 99])
    threshold = floor + float(np.clip(0.3 * (peak - floor), 6.0, 15.0))
    sound = db > threshold
    probs = speech_probability(samples) if vad else None
    if probs is not None and probs.max() >= 0.5:   # where Silero hears no voice at all, it cannot judge
        # only long stretches Silero calls non-speech are ruled out: its 32 ms windows blur edges
        quiet = probs < VAD_SPEECH
        k = np.ones(VAD_HOLD_FRAMES, int)
        held = np.convolve(quiet.astype(int), k, mode="same") >= VAD_HOLD_FRAMES
        sound &= ~(held & (db < threshold + VAD_LOUD_DB))
    return Loudness(db, sound, threshold, probs)


def _runs(mask: np.ndarray, lo: int, hi: int) -> list[tuple[int, int]]:
    """[(a, b)) runs of True in mask[lo:hi], extended past the window to their full length."""
    out = []
    k = lo
    while k < hi:
        if mask[k]:
            a = k
            while a > 0 and mask[a - 1]:
                a -= 1
            b = k
            while b < mask.size and mask[b]:
                b += 1
            out.append((a, b))
            k = b
        else:
            k += 1
    return out


def _quiet_around(sound: np.ndarray, f: int) -> tuple[int, int]:
    """The quiet run [a, e) holding frame f."""
    a = e = f
    while a > 0 and not sound[a - 1]:
        a -= 1
    while e < sound.size and not sound[e]:
        e += 1
    return a, e


def _grow(sound: np.ndarray, edge: int, bound: int, step: int, dip: int) -> int:
    """Move an edge outward (step -1: a start, +1: an end) while the sound goes on, across quiet
    dips of up to ``dip`` frames, never past ``bound``."""
    best = pos = edge
    quiet = 0
    while (pos > bound) if step < 0 else (pos < bound):
        frame = pos - 1 if step < 0 else pos
        if frame < 0 or frame >= sound.size:
            break
        if sound[frame]:
            quiet = 0
            pos += step
            best = pos
        else:
            quiet += 1
            if quiet > dip:
                break
            pos += step
    return best


def _between(loud: Loudness, p: list[int], w: list[int], reach: int, min_len: int) -> None:
    """The boundary between two neighbouring words [start, end) in frames, moved in place: when a
    pause lies near Whisper's boundary (the nearest, a longer one may lie further away), the first
    word ends where the pause begins and the second starts where it ends. In running speech
    with no pause near, energy dips are as often inside a word as between two (measured on real
    speech, benchmarks/word_timing.py), so Whisper's boundary stays."""
    b = (p[1] + w[0]) // 2
    lo, hi = max(p[0] + min_len, b - reach), min(w[1] - min_len, b + reach)
    if hi <= lo:
        return
    best = None
    sound = loud.sound
    p_sound, w_sound = int(sound[p[0]:p[1]].sum()), int(sound[w[0]:w[1]].sum())
    for a, e in _runs(~sound, lo, hi):
        a, e = max(a, p[0] + min_len), min(e, w[1] - min_len)
        if e - a < MIN_SILENCE_FRAMES:
            continue
        # each word keeps most of the sound Whisper gave it: a pause that would leave one of them a
        # sliver ("then" reduced to its last 80 ms) is a pause after or before them, not between
        if sound[p[0]:a].sum() < max(3, KEEP_SHARE * p_sound) or sound[e:w[1]].sum() < max(3, KEEP_SHARE * w_sound):
            continue
        # nearer is likelier; longer is likelier a pause than a consonant's quiet ("o-ff-ice")
        cost = NEAR_COST * max(0, a - b, b - e) - PAUSE_GAIN * min(e - a, 30)
        if best is None or cost < best[0]:
            best = (cost, a, e)
    if best is None:
        return          # no pause near: in running speech Whisper's boundary is as good as a dip's
    a, e = best[1], best[2]
    while True:          # a click or breath of a few frames inside a pause is the pause
        r = a
        while r > p[0] + min_len and sound[r - 1] and a - r <= BLIP_FRAMES:
            r -= 1
        q = r
        while q > p[0] + min_len and not sound[q - 1]:
            q -= 1
        if a - r > BLIP_FRAMES or r - q < 2 or r == a:
            break
        a = q
    while True:
        r = e
        while r < w[1] - min_len and sound[r] and r - e <= BLIP_FRAMES:
            r += 1
        q = r
        while q < w[1] - min_len and not sound[q]:
            q += 1
        if r - e > BLIP_FRAMES or q - r < MIN_SILENCE_FRAMES or r == e:
            break
        e = q
    p[1], w[0] = a, e


def _past_blip(sound: np.ndarray, edge: int, other: int, step: int, min_len: int) -> int:
    """An edge (step +1: a start, -1: an end) that sits on a click or breath of at most BLIP_FRAMES
    with a pause between it and the word's sound moves past both onto the word."""
    inside = (lambda f: sound[f]) if step > 0 else (lambda f: sound[f - 1])
    while abs(other - edge) > min_len:
        r = edge
        while inside(r) and abs(r - edge) <= BLIP_FRAMES and abs(other - r) > min_len:
            r += step
        if r == edge or abs(r - edge) > BLIP_FRAMES:
            break
        q = r
        while not inside(q) and abs(other - q) > min_len:
            q += step
        if abs(q - r) < MIN_SILENCE_FRAMES or abs(other - q) <= min_len:
            break
        edge = q
    return edge


def _soundless(sound: np.ndarray, span: list[list[int]], min_len: int) -> None:
    """A word Whisper placed wholly in a pause ("them" after its sound has ended, a first word before
    its sound begins) takes the sound its neighbour holds at that pause: the end of the previous
    word's sound (at most half of it), or the start of the next word's."""
    for k, s in enumerate(span):
        if s[0] >= s[1] or sound[s[0]:s[1]].any():
            continue
        a, e = _quiet_around(sound, s[0])
        dur = s[1] - s[0]
        if k and span[k - 1][0] < a <= span[k - 1][1] and a - span[k - 1][0] >= 2 * min_len:
            p = span[k - 1]
            s[0], s[1] = max(p[0] + (a - p[0]) // 2, a - dur), a
            p[1] = s[0]
        elif k + 1 < len(span) and span[k + 1][0] <= e < span[k + 1][1] and span[k + 1][1] - e >= 2 * min_len:
            q = span[k + 1]
            s[0], s[1] = e, min(e + (q[1] - e) // 2, e + dur)
            q[0] = s[1]


def _off_pauses(sound: np.ndarray, span: list[list[int]], min_len: int, end_pause: int = MIN_SILENCE_FRAMES) -> None:
    """A word's start or end lying in a pause is not the word (a closure's quiet is): moved onto its
    sound, past a click or breath standing alone in the pause. An end moves back only out of a
    pause of ``end_pause`` frames or more."""
    n = sound.size
    for s in span:
        if s[0] < n and not sound[s[0]]:
            a, e = _quiet_around(sound, s[0])
            if e - a >= MIN_SILENCE_FRAMES and e <= s[1] - min_len:
                s[0] = e
        if s[1] > 0 and not sound[s[1] - 1]:
            a, e = _quiet_around(sound, s[1] - 1)
            if e - a >= end_pause and a >= s[0] + min_len:
                s[1] = a
        s[0], s[1] = _past_blip(sound, s[0], s[1], +1, min_len), _past_blip(sound, s[1], s[0], -1, min_len)


def _framed(words: list[Word], samples: np.ndarray, loud: Loudness | None):
    """(loudness, the words as [start, end) frames, the shortest word in frames), or None when there
    is nothing to fit. Each word keeps MIN_WORD_S; overlapping words meet halfway."""
    if not words:
        return None
    loud = loud or measure(samples)
    n, min_len = loud.frames, max(1, int(MIN_WORD_S * 100))
    if n == 0:
        return None
    span = [[min(n, max(0, int(round(w.start * 100)))), min(n, max(0, int(round(w.end * 100))))] for w in words]
    for s in span:
        s[1] = max(s[1], min(n, s[0] + min_len))
    for k in range(1, len(span)):
        if span[k][0] < span[k - 1][1]:
            span[k][0] = span[k - 1][1] = (span[k][0] + span[k - 1][1]) // 2
            # a word lying inside the one before (kept where the aligner placed its neighbours) would
            # end before it starts: it keeps MIN_WORD_S after the meeting point (the next word yields)
            span[k][1] = max(span[k][1], min(n, span[k][0] + min_len))
    return loud, span, min_len


def keep_off_pauses(words: list[Word], samples: np.ndarray, loud: Loudness | None = None) -> None:
    """The guard for boundaries found otherwise (a forced aligner's): a start that lies in a pause
    of 80 ms or more (quiet, and not speech to Silero) moves onto the word's sound, an end only out
    of a longer one (GUARD_END_PAUSE_S: a stop's closure before the next word is not a pause to an
    aligner, and rightly); a word with
    a pause after it ends where its voiced sound dies away (up to REACH_S later: a cut there never
    clips it), one with a pause before it starts at its onset (up to GUARD_START_S earlier: further
    back is a breath, not the word); no word overlaps the one before. "Voiced" is sound that
    Silero hears as speech: the faint room noise after a phrase is not its last word."""
    ready = _framed(words, samples, loud)
    if ready is None:
        return
    loud, span, min_len = ready
    n = loud.frames
    sound = loud.sound
    voiced = loud.voice is not None and loud.voice.max() >= 0.5
    # a pause here is quiet that Silero does not hear as speech either: a faint "f" or "t" that starts
    # a word sinks below the energy floor, and the aligner, which knows the word, is right there
    _off_pauses(sound | (loud.voice >= 0.5) if voiced else sound, span, min_len, int(GUARD_END_PAUSE_S * 100))
    if voiced:
        sound = sound & (loud.voice >= 0.5)
    for k, s in enumerate(span):
        lo = span[k - 1][1] if k else 0
        hi = span[k + 1][0] if k + 1 < len(span) else n
        if s[0] > lo and s[0] < n and sound[s[0]]:
            s[0] = _grow(sound, s[0], max(lo, s[0] - int(GUARD_START_S * 100)), -1, START_DIP_FRAMES)
        if s[1] < hi:
            s[1] = _grow(sound, s[1], min(hi, s[1] + int(REACH_S * 100)), +1, END_DIP_FRAMES)
    for w, (a, b) in zip(words, span):
        w.start, w.end = round(a / 100, 3), round(b / 100, 3)


def fit_words(words: list[Word], samples: np.ndarray, loud: Loudness | None = None) -> None:
    """Move each word's start and end (in place, seconds to the 10 ms) onto its sound.

    ``words`` are one stream's words in spoken order. A word with no sound in or next to its span
    keeps its times. Words never overlap afterwards, and each keeps at least MIN_WORD_S.
    """
    ready = _framed(words, samples, loud)   # Whisper's overlaps undone before anything moves
    if ready is None:
        return
    loud, span, min_len = ready
    n = loud.frames
    reach, long_gap = int(REACH_S * 100), int(LONG_GAP_S * 100)
    sound = loud.sound
    _soundless(sound, span, min_len)
    _off_pauses(sound, span, min_len)
    joined = [False] * len(span)           # joined[k]: the boundary before word k was placed
    for k in range(1, len(span)):
        if span[k][0] - span[k - 1][1] < long_gap:
            _between(loud, span[k - 1], span[k], reach, min_len)
            joined[k] = True
    for k, s in enumerate(span):
        lo = span[k - 1][1] if k else 0
        hi = span[k + 1][0] if k + 1 < len(span) else n
        if not joined[k] and sound[min(s[0], n - 1)]:      # a word after a pause: from its onset
            s[0] = _grow(sound, s[0], max(lo, s[0] - reach), -1, START_DIP_FRAMES)
        if k + 1 == len(span) or not joined[k + 1]:         # before a pause: until its sound dies
            s[1] = _grow(sound, s[1], min(hi, s[1] + reach), +1, END_DIP_FRAMES)
        s[1] = max(s[1], s[0] + 1)
    for w, (a, b) in zip(words, span):
        w.start, w.end = round(a / 100, 3), round(b / 100, 3)


def quietest(loud: Loudness, prev: Word, word: Word) -> float:
    """The quietest 10 ms between two neighbouring words (seconds, the frame's middle): in the pause
    between them, or within QUIET_NEAR_S of their boundary when they touch (a measured edge may be
    a frame off the sound's); a tie (within QUIET_DB) goes to the one nearest the measured boundary
    (measured on the benchmark's references: a wider tie, 6 dB, did worse)."""
    lo, hi = min(prev.end, word.start), max(prev.end, word.start)
    a = max(int(np.floor((lo - QUIET_NEAR_S) * 100)), int(np.ceil(prev.start * 100)), 0)
    b = min(int(np.ceil((hi + QUIET_NEAR_S) * 100)), int(np.floor(word.end * 100)), loud.frames)
    if b <= a:
        return round((lo + hi) / 2, 3)
    db = loud.db[a:b]
    mid = (lo + hi) / 2 * 100 - 0.5
    f = min(np.flatnonzero(db <= db.min() + QUIET_DB), key=lambda k: abs(a + k - mid))
    return round((a + f + 0.5) / 100, 3)

