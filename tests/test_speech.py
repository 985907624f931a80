"""The speech stage end to end: espeak-ng speech -> real `framesense index` with tiny.en -> phrase hits."""

from __future__ import annotations

import hashlib
import json
import math
from fractions import Fraction

import numpy as np
import pytest

from framesense.catalog import Catalog
from framesense.media.audio import decode_audio, has_sound
from framesense.media.synth import Shot, speak, write_video

pytestmark = pytest.mark.slow   # real speech models (tiny.en, base)

RATE = Fraction(24000, 1001)
SENTENCES = [
    (1.0, "please call the office tomorrow morning"),
    (5.0, "the weather is very nice today"),
    (9.0, "open the door and sit down"),
]


def voiced_span(text: str) -> tuple[float, float]:
    """Where espeak's voice is actually audible inside its output (it pads with silence)."""
    x = speak(text)
    hop = 160
    rms = np.sqrt((x[: x.size // hop * hop].reshape(-1, hop) ** 2).mean(axis=1))
    loud = np.flatnonzero(rms > 0.01)
    return loud[0] * hop / 16000, (loud[-1] + 1) * hop / 16000


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """One clip with three spoken sentences and one silent clip, indexed once by the real CLI."""
    from tests.conftest import cli_json
    root = tmp_path_factory.mktemp("speech")
    footage = root / "footage"
    speech = write_video(footage / "talk.mp4", [Shot(int(13 * 24), 1), Shot(24, 2)], rate="24000/1001",
                         audio="silence", speech=SENTENCES)
    write_video(footage / "quiet.mp4", [Shot(30, 3)], rate="25", audio="silence")
    lib = root / "library"
    report = cli_json(lib, "index", "--speech-model", "tiny.en", footage)
    return {"lib": lib, "report": report, "clip": speech,
            "spans": {text: (start + a, start + b) for start, text in SENTENCES
                      for a, b in [voiced_span(text)]}}


def search(lib, *args):
    from tests.conftest import cli_json
    return cli_json(lib, "search", *args)


def test_index_runs_speech_stage(indexed):
    stages = {f["path"].rsplit("/", 1)[-1]: f["stages"] for f in indexed["report"]["files"]}
    assert stages["talk.mp4"]["speech"] == "done"
    assert stages["quiet.mp4"]["speech"] == "done"
    with Catalog.open(indexed["lib"]) as cat:
        talk = cat.one("SELECT id FROM media WHERE name = 'talk.mp4'")["id"]
        quiet = cat.one("SELECT id FROM media WHERE name = 'quiet.mp4'")["id"]
        t = cat.one("SELECT * FROM transcripts WHERE media_id = ?", (talk,))
        assert t["source"] == "whisper" and t["language"] == "en" and t["origin"] == "tiny.en"
        assert cat.one("SELECT count(*) AS n FROM words WHERE media_id = ?", (talk,))["n"] >= 15
        # a silent stream is not transcribed
        assert cat.one("SELECT count(*) AS n FROM transcripts WHERE media_id = ?", (quiet,))["n"] == 0
        assert "silent" in cat.runs(quiet)["speech"]["detail"]


def heard(lib) -> list[tuple[str, float, float]]:
    """What the speech stage wrote for talk.mp4: (normalised word, start, end) in order."""
    from framesense.transcript.model import normalize_word
    with Catalog.open(lib) as cat:
        return [(normalize_word(r["text"]), r["start"], r["end"]) for r in cat.query(
            "SELECT w.text, w.start, w.end FROM words w JOIN media m ON m.id = w.media_id "
            "WHERE m.name = 'talk.mp4' ORDER BY w.seq")]


def heard_run(lib, sentence: str) -> tuple[list[str], int, int]:
    """The longest stretch of the sentence heard word for word: (its words, first index, end index in the sentence).

    Whisper's exact wording varies with CPU and espeak-ng version ('call me office' for 'call the
    office'), so tests search for what was heard, and assert what is robust about it.
    """
    from difflib import SequenceMatcher
    said = sentence.split()
    got = [w for w, _, _ in heard(lib)]
    m = SequenceMatcher(None, said, got, autojunk=False).find_longest_match(0, len(said), 0, len(got))
    return said[m.a: m.a + m.size], m.a, m.a + m.size


@pytest.mark.parametrize("sentence", [text for _, text in SENTENCES])
def test_most_words_are_heard(indexed, sentence):
    from difflib import SequenceMatcher
    said = sentence.split()
    got = [w for w, _, _ in heard(indexed["lib"])]
    blocks = SequenceMatcher(None, said, got, autojunk=False).get_matching_blocks()
    assert sum(b.size for b in blocks) >= 0.65 * len(said), (sentence, got)
    run, _, _ = heard_run(indexed["lib"], sentence)
    assert len(run) >= 3, (sentence, got)


@pytest.mark.parametrize("sentence", [text for _, text in SENTENCES])
def test_heard_phrase_hit_covers_its_words(indexed, sentence):
    run, i, j = heard_run(indexed["lib"], sentence)
    hits = search(indexed["lib"], "--phrase", " ".join(run).upper() + ",")   # case and punctuation do not matter
    assert len(hits) == 1
    h = hits[0]
    assert h["kind"] == "phrase" and h["extra"]["match"] == "exact" and 0.75 <= h["score"] <= 1.0
    assert [w[0].lower().strip(".,") for w in h["extra"]["words"]] == run
    a, b = indexed["spans"][sentence]
    assert a - 0.3 < h["start"] and h["end"] < b + 0.3
    if i == 0:      # the hit holds the whole sound of the first word...
        assert abs(h["start"] - a) < 0.3, (h["start"], a)
    if j == len(sentence.split()):     # ...and of the last
        assert abs(h["end"] - b) < 0.3, (h["end"], b)
    if j < len(sentence.split()) - 1:  # a phrase ending mid-sentence ends well before the sentence
        assert h["end"] < b - 0.3
    assert h["text"].lower().split()[0].strip(".,") == run[0]


def test_phrase_not_spoken_finds_nothing(indexed):
    assert search(indexed["lib"], "--phrase", "purple elephants dancing") == []
    run, _, _ = heard_run(indexed["lib"], "open the door and sit down")
    # words that are all spoken, but never in this order
    assert all(h["extra"]["match"] != "exact" for h in search(indexed["lib"], "--phrase", " ".join(run[::-1])))


def test_loose_words_fall_back_to_full_text(indexed):
    run, _, _ = heard_run(indexed["lib"], "the weather is very nice today")
    hits = search(indexed["lib"], "--phrase", f"{run[-1]} {run[0]}")
    assert hits and hits[0]["extra"]["match"] == "all-words" and hits[0]["score"] < 0.75
    a, b = indexed["spans"]["the weather is very nice today"]
    assert a - 0.3 < hits[0]["start"] and hits[0]["end"] < b + 0.3


def test_prefix_wildcard(indexed):
    run, _, _ = heard_run(indexed["lib"], "please call the office tomorrow morning")
    pair = next((x, y) for x, y in zip(run, run[1:]) if len(x) >= 3 and len(y) >= 3)
    hits = search(indexed["lib"], "--phrase", f"{pair[0][:3]}* {pair[1][:3]}*")
    assert len(hits) >= 1 and any(h["text"].lower().startswith(pair[0]) for h in hits)


def test_padding_and_frame_snapping(indexed):
    run, _, _ = heard_run(indexed["lib"], "the weather is very nice today")
    two = " ".join(run[-2:])
    plain = search(indexed["lib"], "--phrase", two)[0]
    padded = search(indexed["lib"], "--phrase", two, "--pad-before", "0.5", "--pad-after", "0.25")[0]
    w0, w1 = plain["extra"]["words"][0][1], plain["extra"]["words"][-1][2]
    # cut in the pauses around the words (transcript/cuts.py): whole words, at most a lead of silence
    from framesense.transcript.cuts import LEAD_S
    a, b, frame = Fraction(plain["start_frame"]) / RATE, Fraction(plain["end_frame"]) / RATE, 1 / RATE
    assert Fraction(w0) - Fraction(LEAD_S) - frame <= a < Fraction(w0) + frame   # touching words: < a frame
    assert Fraction(w1) <= b <= Fraction(w1) + Fraction(LEAD_S) + frame
    # pads are whole frames of the media, never shorter than asked, applied to the matched frames
    sf, ef = plain["start_frame"] - math.ceil(Fraction(0.5) * RATE), plain["end_frame"] + math.ceil(Fraction(0.25) * RATE)
    assert padded["start_frame"] == sf and padded["end_frame"] == ef and padded["matched"] == [plain["start_frame"], plain["end_frame"]]
    assert padded["start"] == pytest.approx(float(sf / RATE), abs=1e-9)
    assert padded["end"] == pytest.approx(float(ef / RATE), abs=1e-9)
    # the pads come on top of the cut
    assert padded["start"] <= float(a) - 0.5 + 1e-9 and padded["end"] >= w1 + 0.25 - 1e-9
    clamped = search(indexed["lib"], "--phrase", two, "--pad-before", "100", "--pad-after", "100")[0]
    frames = indexed["clip"].frames
    assert clamped["start"] == 0.0 and clamped["end_frame"] == frames
    assert clamped["end"] == pytest.approx(float(frames / RATE))


def test_reindex_is_incremental_and_no_speech_skips(indexed, tmp_path):
    from tests.conftest import cli_json
    again = cli_json(indexed["lib"], "index", "--speech-model", "tiny.en", indexed["clip"].path)
    assert again["files"][0]["stages"]["speech"] == "cached"
    other = cli_json(tmp_path / "lib2", "index", "--no-speech", indexed["clip"].path)
    assert "speech" not in other["files"][0]["stages"]


def test_subtitles_out(indexed):
    from tests.conftest import run_cli
    srt = run_cli(indexed["lib"], "transcript", indexed["clip"].path, "--format", "srt").stdout
    cues = [b for b in srt.strip().split("\n\n") if b.strip()]
    assert len(cues) >= 3 and "-->" in cues[0] and cues[0].split("\n")[0] == "1"
    vtt = run_cli(indexed["lib"], "transcript", indexed["clip"].path, "--format", "vtt").stdout
    assert vtt.startswith("WEBVTT")
    data = json.loads(run_cli(indexed["lib"], "transcript", indexed["clip"].path, "--format", "json").stdout)
    assert data["language"] == "en" and data["segments"][0]["words"][0]["start"] >= 0.5


def test_audio_decode_is_16k_mono(indexed):
    x = decode_audio(indexed["clip"].path)
    assert x.dtype == np.float32 and x.ndim == 1
    assert abs(x.size / 16000 - float(indexed["clip"].frames / RATE)) < 0.1
    assert has_sound(x) and not has_sound(np.zeros(16000, np.float32))


def test_missing_model_disables_speech_with_instructions(tmp_path):
    from tests.conftest import run_cli
    clip = write_video(tmp_path / "a.mp4", [Shot(10, 1)], audio="silence")
    proc = run_cli(tmp_path / "lib", "index", "--speech-model", "large-v3", clip.path, "--json")
    report = json.loads(proc.stdout)
    stages = report["files"][0]["stages"]
    assert "speech" not in stages and stages["shots"] == stages["fingerprint"] == "done"   # the rest still ran
    assert any("framesense models download large-v3" in n for n in report["notices"])
    bad = run_cli(tmp_path / "lib", "models", "path", str(tmp_path), check=False)
    assert bad.returncode == 2 and "not a faster-whisper" in bad.stderr


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory):
    """A private model cache, so joining base never touches the user's."""
    d = tmp_path_factory.mktemp("cache") / "models"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FRAMESENSE_MODELS", str(d))
        yield d


def test_models_list_and_base_join(tmp_path, models_dir):
    from tests.conftest import cli_json, run_cli
    entries = {e["name"]: e for e in cli_json(tmp_path / "lib", "models", "list")}
    assert entries["tiny.en"]["available"] and entries["tiny.en"]["kind"] == "speech"
    path = run_cli(tmp_path / "lib", "models", "path", "base").stdout.strip()
    h = hashlib.sha256()
    with open(f"{path}/model.bin", "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    assert h.hexdigest() == "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
    assert path.startswith(str(models_dir))
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert (models_dir / "speech" / "faster-whisper-base" / name).is_file()
    # no half-written leftovers beside it
    assert [p.name for p in (models_dir / "speech").iterdir()] == ["faster-whisper-base"]


def test_base_detects_language_per_file_and_can_be_overridden(models_dir):
    """The multilingual default (base) hears German as German unless told otherwise."""
    from framesense.analysis.speech import SpeechAnalyzer, load_whisper, transcribe_samples
    from framesense.models import resolve_speech_model
    assert SpeechAnalyzer().model_name == "base"
    model = load_whisper(resolve_speech_model("base"))
    voice = np.concatenate([np.zeros(8000, np.float32), speak("guten Morgen, wie geht es dir heute", voice="de")])
    segs, lang = transcribe_samples(model, voice)
    assert lang == "de" and segs
    _, forced = transcribe_samples(model, voice, language="en")
    assert forced == "en"


def test_every_audio_stream_with_sound_is_transcribed(tmp_path):
    """Two sound streams in one file: each gets its own transcript; a phrase never joins them."""
    import av

    from framesense.analysis.registry import builtin_analyzers
    from framesense.ingest import Indexer
    from framesense.search.phrase import search_phrase
    from framesense.search.query import SearchQuery

    path = tmp_path / "two_tracks.mka"
    tracks = []
    for start, text in ((0.5, "open the door and sit down"), (1.5, "please call the office tomorrow morning")):
        pcm = np.zeros(16000 * 5, np.float32)
        v = speak(text)
        pcm[int(start * 16000): int(start * 16000) + v.size] = v
        tracks.append(pcm)
    with av.open(str(path), "w") as out:
        streams = [out.add_stream("pcm_s16le", rate=16000, layout="mono") for _ in tracks]
        for st, pcm in zip(streams, tracks):
            for i in range(0, pcm.size, 4000):
                frame = av.AudioFrame.from_ndarray((pcm[None, i:i + 4000] * 32767).astype(np.int16),
                                                   format="s16", layout="mono")
                frame.sample_rate, frame.pts = 16000, i
                for packet in st.encode(frame):
                    out.mux(packet)
            for packet in st.encode():
                out.mux(packet)
    with Catalog.open(tmp_path / "lib") as cat:
        report = Indexer(cat, builtin_analyzers({"speech": True, "speech_model": "tiny.en"})).run([path])
        assert report.files[0].stages["speech"] == "done", report.files[0]
        streams = [r["stream"] for r in cat.query("SELECT stream FROM transcripts ORDER BY stream")]
        assert streams == [0, 1]
        (door,) = search_phrase(cat, SearchQuery(phrase="sit down"))
        (nice,) = search_phrase(cat, SearchQuery(phrase="tomorrow morning"))
        assert door.extra["stream"] == 0 and nice.extra["stream"] == 1
        assert door.rate == 1000  # sound only: the hit counts in milliseconds
        assert search_phrase(cat, SearchQuery(phrase="sit down please")) == []
