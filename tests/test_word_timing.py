"""Word boundaries measured from the sound, and takes cut in the gaps between words.

Known truth: words spoken one by one by espeak-ng and joined with gaps of known length, so where
each word's sound begins and ends is measured on the word alone, before joining.
"""

from __future__ import annotations

import sqlite3
from fractions import Fraction

import numpy as np
import pytest

from framesense.analysis.word_edges import fit_words
from framesense.analysis.word_timing import VERSION as TIMING_VERSION
from framesense.media.synth import Shot, espeak_available, speak, write_video
from framesense.transcript.cuts import cut_frames
from framesense.transcript.model import Word

pytestmark = [pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed"),
              pytest.mark.slow]   # a real speech model and word edges measured from the sound

SR = 16000
WORDS = ["please", "call", "the", "office", "tomorrow", "morning"]
GAPS = [0.40, 0.12, 0.80, 0.09, 0.30]      # silence between neighbouring words, seconds
TAKE_GAPS = [0.40, 0.12, 0.80, 0.15, 0.30]  # for takes: a 60 ms pause before a "t" is measured, but the
                                           # tiny model's boundary 150 ms late can pick the "t"'s closure
TOLERANCE = 0.03                           # a boundary within 30 ms of the word's own sound


def voiced(x: np.ndarray) -> tuple[int, int]:
    """Samples [a, b) where one espeak word is audible (espeak pads its output with silence)."""
    hop = 160
    rms = np.sqrt((x[: x.size // hop * hop].reshape(-1, hop) ** 2).mean(axis=1))
    loud = np.flatnonzero(rms > 0.003)
    return loud[0] * hop, (loud[-1] + 1) * hop


def joined(noise_db: float | None = None, seed: int = 7):
    """The words with known gaps, 0.5 s of silence around; their true (start, end) in seconds."""
    parts, truth, t = [np.zeros(SR // 2, np.float32)], [], 0.5
    for k, word in enumerate(WORDS):
        x = speak(word)
        a, b = voiced(x)
        x = x[a:b]
        truth.append((t, t + x.size / SR))
        parts.append(x)
        t += x.size / SR
        gap = GAPS[k] if k < len(GAPS) else 0.5
        parts.append(np.zeros(int(round(gap * SR)), np.float32))
        t += int(round(gap * SR)) / SR
    y = np.concatenate(parts)
    if noise_db is not None:   # steady background noise this many dB below the speech's level
        level = np.sqrt(np.mean(np.concatenate(parts[1::2]) ** 2))
        y = y + np.random.default_rng(seed).normal(0, level * 10 ** (noise_db / 20), y.size).astype(np.float32)
    return y.astype(np.float32), truth


def whisper_like(truth):
    """Times the way Whisper's cross-attention gives them: a start stretched back over the pause
    before (or into the previous word), an end short of the sound's end."""
    out = []
    for k, (a, b) in enumerate(truth):
        prev_end = truth[k - 1][1] if k else 0.0
        start = max(prev_end - 0.08, a - 0.45)          # into the previous word, or deep into the pause
        out.append(Word(WORDS[k], round(start, 3), round(b - 0.09, 3), 0.9))
    for k in range(1, len(out)):                         # Whisper's words never overlap
        out[k].start = max(out[k].start, out[k - 1].end)
    return out


@pytest.mark.parametrize("noise_db, tol", [(None, TOLERANCE), (-30.0, 0.05), (-20.0, 0.10)])
def test_word_boundaries_are_measured_from_the_sound(noise_db, tol):
    """Within 30 ms on clean speech; in steady noise a breathy or fricative onset ("h", "f") sinks into it
    (the take's lead before the onset still holds it)."""
    samples, truth = joined(noise_db)
    words = whisper_like(truth)
    before = [abs(w.start - a) for w, (a, _) in zip(words, truth)]
    fit_words(words, samples)
    for w, (a, b) in zip(words, truth):
        assert abs(w.start - a) <= tol, (w, a, b, noise_db)
        assert abs(w.end - b) <= tol + 0.01, (w, a, b, noise_db)
    assert max(before) > 0.1    # the test's starting times were really wrong
    for p, w in zip(words, words[1:]):
        assert p.end <= w.start


def test_a_word_never_begins_inside_the_previous_words_sound():
    """Running speech with no pause: the boundary stays between the words' sounds."""
    x = speak("we counted seven horses")
    samples = np.concatenate([np.zeros(SR // 2, np.float32), x, np.zeros(SR // 2, np.float32)])
    truth_end = 0.5 + voiced(x)[1] / SR
    words = [Word("we", 0.0, 0.7, 1), Word("counted", 0.7, 1.1, 1), Word("seven", 1.1, 1.5, 1),
             Word("horses", 1.5, truth_end - 0.1, 1)]
    fit_words(words, samples)
    assert words[0].start >= 0.5 - TOLERANCE                 # the leading half second is not the word
    assert abs(words[-1].end - truth_end) <= TOLERANCE + 0.02  # the last word is not clipped
    for p, w in zip(words, words[1:]):
        assert p.end <= w.start


def test_cuts_fall_in_the_gap_and_never_inside_a_neighbour():
    rate = Fraction(25)
    # a wide pause: LEAD before the onset; the frame edge never before the previous word's end
    a, b = cut_frames(2.0, 3.0, prev_end=1.0, next_start=4.0, rate=rate)
    assert Fraction(a) / rate <= 2.0 - 0.08 and Fraction(a) / rate >= 1.0            # two frames of room or more
    assert Fraction(b) / rate >= 3.0 + 0.08 and Fraction(b) / rate <= 4.0
    # a pause narrower than a frame, no frame edge inside it: the edge nearest its quietest instant
    a, b = cut_frames(2.013, 3.005, prev_end=2.001, next_start=3.01, rate=rate, quiet_in=2.03, quiet_out=2.999)
    assert (a, b) == (round(2.03 * 25), round(2.999 * 25))
    # a short pause with a frame edge in it: the cut stays in it whichever way that rounds
    a, b = cut_frames(2.05, 3.0, prev_end=2.01, next_start=3.03, rate=rate, quiet_in=2.045, quiet_out=3.02)
    assert 2.01 <= Fraction(a) / rate <= 2.05 and 3.0 <= Fraction(b) / rate <= 3.03
    # words running on: the cut is at the boundary, rounded away from the previous word
    a, _ = cut_frames(2.0, 2.5, prev_end=2.0, next_start=None, rate=Fraction(24000, 1001))
    assert Fraction(a) * Fraction(1001, 24000) >= 2
    assert cut_frames(0.05, 0.5, None, None, rate)[0] == 0


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """Words with known gaps over a steady hum, in a real video, indexed by the real CLI."""
    from tests.conftest import cli_json
    root = tmp_path_factory.mktemp("timing")
    starts, t = [], 1.0
    for k, word in enumerate(WORDS):
        x = speak(word)
        a, b = voiced(x)
        starts.append((t - a / SR, word, t, t + (b - a) / SR))
        t += (b - a) / SR + (TAKE_GAPS[k] if k < len(TAKE_GAPS) else 0.5)
    clip = write_video(root / "footage" / "words.mp4", [Shot(int(t * 25) + 25, 1)], rate="25", audio="tone",
                       speech=[(s, w) for s, w, _, _ in starts])
    lib = root / "library"
    cli_json(lib, "index", "--speech-model", "tiny.en", "--no-visual", clip.path)
    return {"lib": lib, "clip": clip, "truth": {w: (a, b) for _, w, a, b in starts}}


def test_phrase_hits_start_in_the_gap_before_their_first_word(indexed):
    from tests.conftest import cli_json
    truth = indexed["truth"]
    checked = 0
    for k in range(1, len(WORDS) - 1):
        hits = cli_json(indexed["lib"], "search", "--phrase", f"{WORDS[k]} {WORDS[k + 1]}")
        if not hits:
            continue     # a word the tiny model heard otherwise: nothing to cut
        h = hits[0]
        prev_end, (first, _), (_, last_end) = truth[WORDS[k - 1]][1], truth[WORDS[k]], truth[WORDS[k + 1]]
        assert h["start"] >= prev_end - 0.02, (h, prev_end)          # not on the previous word
        assert h["start"] <= first + 0.01, (h, first)                # the first word whole
        assert h["start"] >= first - 0.1 - 0.04 - 0.25, (h, first)   # little silence before it
        assert h["end"] >= last_end - 0.02, (h, last_end)            # the last word whole
        checked += 1
    assert checked >= 2


def test_an_old_library_is_retimed_once_without_transcribing_again(indexed, tmp_path):
    """Words as Whisper gave them (an index from before the timing stage) are re-timed by the next
    index: the speech stage stays cached, the words move onto their sound, a third index does nothing."""
    import shutil
    from tests.conftest import cli_json
    lib = tmp_path / "old"
    shutil.copytree(indexed["lib"], lib)
    db = sqlite3.connect(lib / "catalog.sqlite")
    good = dict(db.execute("SELECT seq, start FROM words").fetchall())
    db.execute("UPDATE words SET start = max(0, start - 0.3)")
    db.execute("UPDATE transcripts SET timing = NULL")
    db.execute("DELETE FROM analysis_runs WHERE analyzer = 'word_timing'")
    speech_run = db.execute("SELECT finished_at FROM analysis_runs WHERE analyzer = 'speech'").fetchone()
    db.commit()
    db.close()
    report = cli_json(lib, "index", "--speech-model", "tiny.en", "--no-visual", indexed["clip"].path)
    assert report["files"][0]["stages"]["speech"] == "cached"
    assert report["files"][0]["stages"]["word_timing"] == "done"
    db = sqlite3.connect(lib / "catalog.sqlite")
    assert db.execute("SELECT finished_at FROM analysis_runs WHERE analyzer = 'speech'").fetchone() == speech_run
    assert db.execute("SELECT status FROM analysis_runs WHERE analyzer = 'word_timing'").fetchone() == ("done",)
    assert db.execute("SELECT DISTINCT timing FROM transcripts").fetchall() == [(TIMING_VERSION,)]
    now = dict(db.execute("SELECT seq, start FROM words").fetchall())
    assert all(abs(now[s] - good[s]) <= 0.03 for s in good), (now, good)
    db.close()
    again = cli_json(lib, "index", "--speech-model", "tiny.en", "--no-visual", indexed["clip"].path)
    assert again["files"][0]["stages"]["word_timing"] == "cached"


def tone(spans, seconds=4.0, click_at=None):
    """A 220 Hz voice-like tone sounding in ``spans`` (seconds), silence elsewhere; a 20 ms click."""
    t = np.arange(int(seconds * SR)) / SR
    on = np.zeros(t.size, bool)
    for a, b in spans:
        on |= (t >= a) & (t < b)
    x = 0.3 * np.sin(2 * np.pi * 220 * t) * on
    if click_at is not None:
        k = int(click_at * SR)
        x[k:k + SR // 50] = 0.3
    return x.astype(np.float32)


def test_a_word_whisper_put_in_the_pause_takes_the_sound_before_it():
    """Whisper's times run late at a phrase's end: "them" placed wholly in the pause after its sound.
    It takes the end of the sound the word before holds, and the pause stays a pause."""
    samples = tone([(0.0, 1.0), (2.0, 3.0)])
    words = [Word("for", 0.5, 1.0, 1), Word("them", 1.0, 1.4, 1), Word("next", 2.0, 2.8, 1)]
    fit_words(words, samples)
    them = words[1]
    assert abs(them.end - 1.0) <= 0.02 and 0.7 <= them.start < 0.99, them
    assert words[0].end <= them.start and words[0].end - words[0].start >= 0.2


def test_a_click_in_the_pause_is_not_the_end_of_the_word():
    """Whisper's end landing on a click 200 ms after the word's sound: the word ends with its sound."""
    samples = tone([(0.0, 1.0), (2.5, 3.5)], click_at=1.2)
    words = [Word("clubs", 0.5, 1.22, 1), Word("next", 2.5, 3.3, 1)]
    fit_words(words, samples)
    assert abs(words[0].end - 1.0) <= 0.02, words[0]


def test_takes_of_words_with_known_gaps_end_in_the_gap_after_their_last_word():
    """The whole timing (energy rules, aligner, the quietest instant before each word) on espeak
    words with known gaps, whisper-like times to start from: every take's end lies in the gap after
    its last word and its start in the gap before its first, at 25 fps and at 24000/1001."""
    from framesense.analysis.word_timing import time_words
    samples, truth = joined()
    words = whisper_like(truth)
    time_words([words], samples, "en")
    assert all(w.quiet is not None for w in words[1:])
    for rate in (Fraction(25), Fraction(24000, 1001)):
        for i in range(len(words)):
            for j in range(i, len(words)):
                a, b = cut_frames(words[i].start, words[j].end, words[i - 1].end if i else None,
                                  words[j + 1].start if j + 1 < len(words) else None, rate, None,
                                  words[i].quiet if i else None, words[j + 1].quiet if j + 1 < len(words) else None)
                lo = truth[i - 1][1] if i else 0.0
                hi = truth[j + 1][0] if j + 1 < len(words) else samples.size / SR + 1
                assert lo - 0.02 <= a / rate <= truth[i][0] + 0.02, (i, j, rate, float(a / rate), truth[i])
                assert truth[j][1] - 0.02 <= b / rate <= hi + 0.02, (i, j, rate, float(b / rate), truth[j])


def test_a_word_left_inside_the_one_before_never_ends_before_it_starts():
    """The aligner moved a word's neighbours but not the word (it placed it implausibly): the word now
    lies inside the one before. The guard keeps every word at least MIN_WORD_S long, in order."""
    from framesense.analysis.word_edges import MIN_WORD_S, keep_off_pauses
    rng = np.random.default_rng(0)
    samples = np.zeros(48000, np.float32)
    for a, b in ((0.9, 1.3), (1.45, 1.9)):          # sound, with a pause where the two words meet
        samples[int(a * 16000):int(b * 16000)] = 0.2 * rng.standard_normal(int(b * 16000) - int(a * 16000))
    words = [Word("have", 1.0, 1.5, 0.9), Word("a", 1.2, 1.25, 0.9), Word("cold", 1.5, 1.8, 0.9)]
    keep_off_pauses(words, samples)
    for p, w in zip(words, words[1:]):
        assert w.start >= p.end, words
    assert all(w.end - w.start >= MIN_WORD_S - 1e-9 for w in words), words
