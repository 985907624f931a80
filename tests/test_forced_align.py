"""English word edges from the forced aligner, checked on real speech labelled by people
(tests/data/speech: praatio's example recordings, see its LICENSE.md) and on espeak words with
known gaps. Tolerances, not exact output: the issue's targets are a median of 40 ms and a
95th percentile of 120 ms per word."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from framesense.analysis import forced_align
from framesense.analysis.word_edges import fit_words
from framesense.analysis.word_timing import time_words
from framesense.media.audio import decode_audio
from framesense.transcript.model import Word, normalize_word
from tests.labelled_speech import CLIPS, labelled, with_room_tone

pytestmark = pytest.mark.slow   # a real speech model and the forced aligner on labelled recordings

LEAD = 0.5      # seconds of the recording's own quiet put before and after a clip (as in footage)


@pytest.fixture(scope="module")
def whisper():
    from framesense.analysis.speech import load_whisper
    from framesense.models import resolve_speech_model
    return load_whisper(resolve_speech_model("tiny.en"))


def padded(path) -> np.ndarray:
    return with_room_tone(decode_audio(path), LEAD)


def errors(words: list[Word], ref: list[tuple[str, float, float]], shift: float):
    """(start errors, end errors) of the words Whisper heard as the labels say, in order."""
    starts, ends, j = [], [], 0
    for w in words:
        name = normalize_word(w.text).replace("omelette", "omelet")
        for i in range(j, len(ref)):
            if ref[i][0] == name:
                starts.append(w.start - shift - ref[i][1])
                ends.append(w.end - shift - ref[i][2])
                j = i + 1
                break
    return np.abs(starts), np.abs(ends)


@pytest.mark.parametrize("clip", sorted(CLIPS))
def test_word_edges_on_hand_labelled_speech(whisper, clip):
    """Whisper's words timed from the sound land near the people's labels; without the aligner
    (the energy rules alone) they did not, on the same words."""
    from framesense.analysis.speech import transcribe_samples
    path, ref = labelled(clip)
    samples = padded(path)
    segs, lang = transcribe_samples(whisper, samples, language="en")
    words = [w for s in segs for w in s.words]
    starts, ends = errors(words, ref, LEAD)
    assert starts.size >= 3, (clip, [w.text for w in words])
    both = np.concatenate([starts, ends])
    assert np.median(both) <= 0.04 and both.max() <= 0.12, (clip, starts, ends)
    for p, w in zip(words, words[1:]):        # no word begins inside the one before
        assert w.start >= p.end


def test_words_are_said_as_dictionary_words():
    assert forced_align.tokens("25%") == ["twenty", "five", "percent"]
    assert forced_align.tokens("Well-known,") == ["well", "known"]
    assert forced_align.tokens("3rd") == ["third"]
    assert forced_align.tokens("--") == []
    assert forced_align.tokens("don't") == ["don't"]
    phones = forced_align.spelled("framesense").split()
    assert phones[:3] == ["F", "R", "AE"] and phones[-1] == "S"    # the final silent "e" is not said


@pytest.mark.skipif(not __import__("shutil").which("espeak-ng"), reason="espeak-ng is not installed")
def test_a_word_missing_from_the_dictionary_is_aligned_by_its_letters():
    """A made-up name between two words, with pauses of known length: every edge within 60 ms."""
    from framesense.media.synth import speak
    from tests.test_word_timing import voiced
    texts, parts, truth, t = ["call", "zorblax", "tomorrow"], [np.zeros(8000, np.float32)], [], 0.5
    for text in texts:
        x = speak(text)
        a, b = voiced(x)
        parts += [x[a:b], np.zeros(4000, np.float32)]
        truth.append((t, t + (b - a) / 16000))
        t += (b - a) / 16000 + 0.25
    samples = np.concatenate(parts)
    words = [Word(w, max(0.0, a - 0.2), b - 0.05, 0.9) for w, (a, b) in zip(texts, truth)]
    for p, w in zip(words, words[1:]):
        w.start = max(w.start, p.end)
    assert time_words([words], samples, "en") is None
    for w, (a, b) in zip(words, truth):
        assert abs(w.start - a) <= 0.06 and abs(w.end - b) <= 0.06, (w, a, b)


def test_other_languages_keep_the_energy_rules():
    path, ref = labelled("bobby")
    samples = padded(path)
    whisperish = [Word(w, max(0.0, a + LEAD - 0.15), b + LEAD - 0.05, 0.9) for w, a, b in ref]
    for p, w in zip(whisperish, whisperish[1:]):
        w.start = max(w.start, p.end)
    energy = [Word(w.text, w.start, w.end, 0.9) for w in whisperish]
    fit_words(energy, samples)
    time_words([whisperish], samples, "de")
    assert [(w.start, w.end) for w in whisperish] == [(w.start, w.end) for w in energy]


def test_without_pocketsphinx_english_keeps_the_energy_rules_and_says_why(tmp_path):
    """A bare install (no ``speech`` extra's pocketsphinx): a warning naming the package, energy edges."""
    code = (
        "import sys; sys.modules['pocketsphinx'] = None\n"    # the import fails, as where it is not installed
        "from framesense.analysis.word_timing import time_words\n"
        "from framesense.analysis.word_edges import fit_words\n"
        "from framesense.transcript.model import Word\n"
        "from tests.test_forced_align import padded\n"
        "from tests.labelled_speech import labelled\n"
        "path, ref = labelled('mary')\n"
        "x = padded(path)\n"
        "ws = [Word(w, a + 0.4, b + 0.45, 0.9) for w, a, b in ref]\n"
        "es = [Word(w.text, w.start, w.end, 0.9) for w in ws]\n"
        "fit_words(es, x)\n"
        "print(time_words([ws], x, 'en'))\n"
        "assert [(w.start, w.end) for w in ws] == [(w.start, w.end) for w in es]\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "pocketsphinx is not installed" in out.stdout and "speech" in out.stdout


@pytest.mark.parametrize("clip", sorted(CLIPS))
def test_cuts_on_hand_labelled_speech_stay_out_of_the_neighbouring_words(whisper, clip):
    """Takes of every run of words Whisper heard right, cut at 25 fps: words touch here (no pause in
    the labels), so no frame edge lies between them and a cut goes to the one nearest the quietest
    instant. That may lie up to a frame (40 ms) inside a neighbour's label, in a stop's silent
    closure the labeller gave to the word ("rippe|d the"), and where the measured boundary itself is
    40 ms early (tiny.en's "rolled|the" on mary: the aligner's edge, which a cut follows) a little
    more: 50 ms, never deeper."""
    from fractions import Fraction
    from framesense.analysis.speech import transcribe_samples
    from framesense.transcript.cuts import cut_frames
    path, ref = labelled(clip)
    segs, _ = transcribe_samples(whisper, padded(path), language="en")
    words = [w for s in segs for w in s.words]
    at = {}
    j = 0
    for k, w in enumerate(words):      # word k -> its label
        name = normalize_word(w.text).replace("omelette", "omelet")
        for i in range(j, len(ref)):
            if ref[i][0] == name:
                at[k], j = i, i + 1
                break
    rate, checked = Fraction(25), 0
    for i in range(len(words)):
        for k in range(i, len(words)):
            if i not in at or k not in at:
                continue
            a, b = cut_frames(words[i].start, words[k].end, words[i - 1].end if i else None,
                              words[k + 1].start if k + 1 < len(words) else None, rate, None,
                              words[i].quiet if i else None, words[k + 1].quiet if k + 1 < len(words) else None)
            first, last = ref[at[i]], ref[at[k]]
            prev_end = ref[at[i] - 1][2] if at[i] else None
            if prev_end is not None:
                assert a / rate - LEAD >= prev_end - 0.05, (clip, i, k, float(a / rate) - LEAD, prev_end)
            assert a / rate - LEAD <= first[1] + 0.05, (clip, i, k, float(a / rate) - LEAD, first)
            assert b / rate - LEAD >= last[2] - 0.05, (clip, i, k, float(b / rate) - LEAD, last)
            checked += 1
    assert checked >= 6


def test_a_segment_that_does_not_fit_is_aligned_in_parts():
    """One segment holding three clips, the last with words that were not said there (as where Whisper
    leaves out a hesitation, or speech is too fast for the model's three frames a phone): the whole
    does not fit, so it is split at its widest pause and the first two clips' words are still aligned."""
    clips = [padded(labelled(c)[0]) for c in ("bobby", "mary", "bobby")]
    ref, t = [], 0.0
    for c, x in zip(("bobby", "mary"), clips):
        ref += [(w, a + t + LEAD, b + t + LEAD) for w, a, b in labelled(c)[1]]
        t += x.size / 16000
    samples = np.concatenate(clips)
    said = [Word(w, max(0.0, a - 0.15), b - 0.05, 0.9) for w, a, b in ref]
    wrong = [Word(w, t + LEAD + 0.3 * k, t + LEAD + 0.3 * k + 0.25, 0.9)
             for k, w in enumerate(["purple", "elephants", "whistle", "very", "loudly"])]
    words = said + wrong
    for p, w in zip(words, words[1:]):
        w.start = max(w.start, p.end)
    text = [t for w in words for t in forced_align.tokens(w.text)]
    assert forced_align._align(forced_align._decoder(), samples, text) is None
    time_words([words], samples, "en")
    both = np.abs([[w.start - a, w.end - b] for w, (_, a, b) in zip(words, ref)])
    assert np.median(both) <= 0.04 and both.max() <= 0.12, both


def test_a_hesitation_whisper_left_out_and_a_drawn_out_word_keep_their_sound():
    """Unscripted speech by others (tests/data/speech/mfa_excerpt: the Montreal Forced Aligner's
    recording and its word times): "and" drawn out for a second, which Whisper starts 0.7 s late; then
    "um", a pause, "and that should be all thanks", where Whisper leaves the "um" out and starts "and"
    on it, 1.2 s early (these are the times faster-whisper base gave). The aligner's window widens past
    a word it cut off, and it may put a hesitation between words, so both "and"s start on their sound."""
    from tests.labelled_speech import DATA, textgrid_tiers
    samples = decode_audio(DATA / "mfa_excerpt.wav")
    ref = [r for r in textgrid_tiers(DATA / "mfa_excerpt.TextGrid")["words"] if r[0] != "um"]
    heard = [[("And", 1.63, 2.11), ("here's", 2.11, 2.59), ("some", 2.59, 2.69), ("more", 2.69, 2.91),
              ("words", 2.91, 3.41), ("words", 3.41, 3.97), ("words", 3.97, 4.27), ("words", 4.27, 4.49)],
             [("And", 6.01, 6.49), ("that", 6.49, 6.97), ("should", 6.97, 7.07), ("be", 7.07, 7.17),
              ("all", 7.17, 7.27), ("thanks", 7.27, 7.79)]]
    segments = [[Word(t, a, b, 0.9) for t, a, b in seg] for seg in heard]
    assert time_words(segments, samples, "en") is None
    words = [w for seg in segments for w in seg]
    assert len(words) == len(ref)      # "word" heard as "words": paired by position
    err = np.abs([[w.start - a, w.end - b] for w, (_, a, b) in zip(words, ref)])
    assert err.max() <= 0.1, err


def test_without_a_writable_temporary_folder_the_aligner_runs_without_hesitations(monkeypatch):
    """The hesitations reach the decoder as a filler dictionary file; where none can be written the
    aligner still loads and aligns, and doctor says it has no hesitations."""
    import tempfile

    from framesense.api import word_aligner_status

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    forced_align._decoder.cache_clear()
    try:
        monkeypatch.setattr(tempfile, "mkstemp", full)
        assert forced_align.hesitations() == []
        ok, detail = word_aligner_status()
        assert ok and "hesitations: none" in detail
        path, ref = labelled("mary")
        samples = padded(path)
        words = [Word(w, a + LEAD - 0.1, b + LEAD + 0.05, 0.9) for w, a, b in ref]
        assert forced_align.align_segments([words], samples) == words
    finally:
        monkeypatch.undo()
        forced_align._decoder.cache_clear()
    assert forced_align.hesitations() == ["um", "uh", "er"]
