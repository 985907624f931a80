"""Speech you can trust: the same transcript every run, whatever OMP variables the environment holds;
no transcript from music or effects; messages that say why a file has no transcript."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from framesense.media.synth import Shot, write_video

pytestmark = pytest.mark.slow   # real speech models run again and again

SENTENCES = [(0.5, "the weather is very nice today"), (3.5, "open the door and sit down")]


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    root = tmp_path_factory.mktemp("trust")
    return write_video(root / "footage" / "talk.mp4", [Shot(6 * 25, 1)], rate="25", audio="silence",
                       speech=SENTENCES)


def transcript_json(lib, path, **env) -> bytes:
    from tests.conftest import ROOT
    full = dict(os.environ, PYTHONPATH=str(ROOT), **env)
    subprocess.run([sys.executable, "-m", "framesense", "--library", str(lib), "index", "--speech-model", "tiny.en",
                    "--no-visual", str(path)], check=True, capture_output=True, env=full, timeout=600)
    return subprocess.run([sys.executable, "-m", "framesense", "--library", str(lib), "transcript", str(path),
                           "--format", "json"], check=True, capture_output=True, env=full, timeout=120).stdout


def test_indexing_twice_gives_byte_identical_transcripts(clip, tmp_path):
    """Same file, model and settings: the same words and times, even with OMP_THREAD_LIMIT=1 set
    (as Tesseract users do), which used to make Whisper ~30x slower and lose words."""
    import json
    first = transcript_json(tmp_path / "a", clip.path)
    again = transcript_json(tmp_path / "b", clip.path)
    capped = transcript_json(tmp_path / "c", clip.path, OMP_THREAD_LIMIT="1")
    assert first == again == capped
    words = [w for s in json.loads(first)["segments"] for w in s["words"]]
    assert len(words) >= 8


def test_whisper_threads_ignore_omp_limit_in_environment():
    """CTranslate2's own OpenMP runtime is loaded with the caps hidden; the environment is left as it was."""
    # import through framesense (the way the speech stage does), then ask the runtime
    code = (
        "import ctypes, glob, os\n"
        "from framesense.analysis.speech import import_ctranslate2\n"
        "ct2 = import_ctranslate2()\n"
        "lib = glob.glob(os.path.join(os.path.dirname(ct2.__file__), '..', 'ctranslate2.libs', 'libgomp*'))\n"
        "gomp = ctypes.CDLL(lib[0]) if lib else ctypes.CDLL('libgomp.so.1')\n"
        "print(gomp.omp_get_thread_limit(), os.environ.get('OMP_THREAD_LIMIT'))\n"
    )
    from tests.conftest import ROOT
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                         env=dict(os.environ, PYTHONPATH=str(ROOT), OMP_THREAD_LIMIT="1")).stdout.split()
    assert int(out[0]) > 1 and out[1] == "1"


def sounds(sr=16000):
    t = np.arange(sr * 12) / sr
    notes = [220, 277, 330, 440, 392, 349, 294, 262]
    n = sr * 3 // 2
    env = np.exp(-np.arange(n) / sr * 2)
    music = np.concatenate([0.2 * np.sin(2 * np.pi * f * t[:n]) * env + 0.1 * np.sin(2 * np.pi * 1.5 * f * t[:n])
                            for f in notes]).astype(np.float32)
    noise = (0.1 * np.random.default_rng(1).standard_normal(sr * 8)).astype(np.float32)
    clicks = np.zeros(sr * 8, np.float32)
    clicks[:: sr // 3] = 0.9
    beeps = np.zeros(sr * 8, np.float32)
    for k in range(8):
        beeps[k * sr: k * sr + sr // 5] = 0.3 * np.sin(2 * np.pi * 1000 * t[: sr // 5])
    return {"music": music, "noise": noise, "clicks": clicks, "beeps": beeps}


@pytest.mark.parametrize("strong", [False, True])
def test_music_and_effects_give_no_words(strong):
    """Whisper writes 'Thank you for watching' over music without VAD: such segments are dropped."""
    from framesense.analysis.speech import load_whisper, transcribe_samples
    from framesense.models import resolve_speech_model
    model = load_whisper(resolve_speech_model("tiny.en"))
    for name, x in sounds().items():
        segs, _ = transcribe_samples(model, x, strong=strong)
        assert segs == [], (name, [s.text for s in segs])


def test_transcript_show_says_why_there_is_none(tmp_path):
    from tests.conftest import run_cli
    mute = write_video(tmp_path / "f" / "mute.mp4", [Shot(25, 1)], audio=None)
    tone = write_video(tmp_path / "f" / "tone.mp4", [Shot(50, 2)], audio="tone")
    lib = tmp_path / "lib"
    run_cli(lib, "index", "--speech-model", "tiny.en", "--no-visual", tmp_path / "f")
    err = run_cli(lib, "transcript", mute.path, check=False).stderr
    assert "no audio stream" in err and "speech on" not in err
    err = run_cli(lib, "transcript", tone.path, check=False).stderr
    assert "no speech was heard" in err and "speech on" not in err
    other = tmp_path / "lib2"
    run_cli(other, "index", "--no-speech", "--no-visual", tone.path)
    assert "speech on" in run_cli(other, "transcript", tone.path, check=False).stderr


def test_empty_result_for_audible_speech_is_retried_but_not_for_music():
    """The rule that sends a stream back for a stronger pass (beam search, no VAD) and then warns:
    no words while voice activity detection hears speech. Music and effects never trigger it."""
    from framesense.analysis.speech import needs_retry
    from framesense.media.synth import speak
    voice = np.concatenate([np.zeros(8000, np.float32), speak("please call the office tomorrow morning"),
                            np.zeros(8000, np.float32)])
    assert needs_retry([], voice)
    assert not needs_retry(["a segment"], voice)
    for name, x in sounds().items():
        assert not needs_retry([], x), name


def test_a_first_word_hung_on_the_speech_before_a_pause_moves_to_its_sound():
    """Whisper with VAD hangs a line's first word on the end of the speech before the pause ("dawn.
    We [3 s] counted"), so its take began seconds early. Known sound: bursts at 0.0-1.0 s and 4.0-5.0 s."""
    from framesense.analysis.speech import fit_words_to_sound
    from framesense.media.audio import SAMPLE_RATE
    from framesense.transcript.model import Segment, Word
    t = np.arange(6 * SAMPLE_RATE) / SAMPLE_RATE
    samples = (0.3 * np.sin(2 * np.pi * 220 * t) * (((t < 1.0)) | ((t >= 4.0) & (t < 5.0)))).astype(np.float32)

    def segments(first_word_start):
        return [Segment(0.0, 0.9, "at dawn.", [Word("at", 0.0, 0.5, 1.0), Word("dawn.", 0.5, 0.9, 1.0)]),
                Segment(first_word_start, 5.0, "We counted.",
                        [Word("We", first_word_start, first_word_start + 1.0, 1.0), Word("counted.", 4.1, 5.0, 1.0)])]

    hung = segments(0.9)                          # glued to "dawn." and 2.2 s before its next word
    fit_words_to_sound(hung, samples)
    we = hung[1].words[0]
    assert 3.75 <= we.start <= 4.05 and we.end <= hung[1].words[1].start, (we.start, we.end)
    assert hung[1].start == we.start
    assert hung[0].words[-1].end >= 0.98          # the sound it had taken is the previous word's tail
    apart = segments(0.0 + 2.0)                   # a word said alone before a pause (not glued): it stays
    apart[0].words[-1].end = 0.9
    fit_words_to_sound(apart, samples)
    assert apart[1].words[0].start < 3.0
