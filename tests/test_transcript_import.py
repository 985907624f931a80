"""Existing transcripts instead of transcribing: SRT / WebVTT sidecars, Whisper and WhisperX JSON."""

from __future__ import annotations

import json

import pytest

from framesense.analysis.registry import builtin_analyzers
from framesense.catalog import Catalog
from framesense.ingest import Indexer
from framesense.media.synth import Shot, write_video
from framesense.search.phrase import search_phrase
from framesense.search.query import SearchQuery
from framesense.transcript.formats import TranscriptFormatError, find_sidecar, read_transcript

SRT = """1
00:00:01,000 --> 00:00:03,000
Hello <i>big</i> world!

2
00:00:03,500 --> 00:00:04,500
Second cue here
"""

VTT = """WEBVTT

NOTE written by hand

intro
00:01.000 --> 00:02.000 align:start
<v Anna>Anchors away, sailors.

00:02.200 --> 00:03.000
Steady as she goes
"""

WHISPER = {"language": "en", "text": " Breaking news tonight.", "segments": [
    {"id": 0, "start": 0.5, "end": 2.0, "text": " Breaking news tonight.",
     "words": [{"word": " Breaking", "start": 0.52, "end": 0.9, "probability": 0.9},
               {"word": " news", "start": 0.9, "end": 1.3, "probability": 0.95},
               {"word": " tonight.", "start": 1.3, "end": 1.9, "probability": 0.8}]}]}

WHISPERX = {"segments": [
    {"start": 0.4, "end": 2.2, "text": "We sold 20 boats", "speaker": "SPEAKER_01",
     "words": [{"word": "We", "start": 0.4, "end": 0.6, "score": 0.9, "speaker": "SPEAKER_01"},
               {"word": "sold", "start": 0.6, "end": 1.0, "score": 0.9, "speaker": "SPEAKER_01"},
               {"word": "20"},
               {"word": "boats", "start": 1.6, "end": 2.2, "score": 0.8, "speaker": "SPEAKER_01"}]}]}


def index(lib, *paths):
    with Catalog.open(lib) as cat:
        return Indexer(cat, builtin_analyzers({"speech": True, "visual": False, "speech_model": "tiny.en"})).run(paths)


def phrase(lib, text, **kw):
    with Catalog.open(lib) as cat:
        return search_phrase(cat, SearchQuery(phrase=text, **kw))


@pytest.fixture
def clips(tmp_path):
    folder = tmp_path / "footage"
    out = {}
    for name in ("srtclip", "vttclip", "jsonclip"):
        out[name] = write_video(folder / f"{name}.mp4", [Shot(125, 1)], rate="25", audio="silence").path
    (folder / "srtclip.srt").write_text(SRT)
    (folder / "vttclip.en.vtt").write_text(VTT)
    (folder / "jsonclip.json").write_text(json.dumps(WHISPER))
    return folder, out


def test_sidecars_are_imported_by_index_and_searchable(clips, library):
    folder, paths = clips
    report = index(library, folder)
    assert {f.path.rsplit("/", 1)[-1]: f.stages.get("speech") for f in report.files} == {
        "srtclip.mp4": "done", "vttclip.mp4": "done", "jsonclip.mp4": "done"}
    (h,) = phrase(library, "big world")
    # SRT has no word times: the cue 1.0-3.0 s is shared by character length (hello 5, big 3, world 5)
    assert h.media_path == str(paths["srtclip"])
    assert h.extra["words"][0][1] == pytest.approx(1.0 + 2.0 * 5 / 13, abs=0.002)
    # "big" touches "hello" at 1.769 s (frame 44.2): no frame edge lies between them, so the cut takes
    # the one nearest the boundary (no quiet measured for imported words); after the last word it
    # keeps 0.1 s (3.1 s: frame 77.5) as no word follows (transcript/cuts.py)
    assert h.start_frame == 44 and h.end_frame == 78
    assert h.context == "Hello big world!"
    (v,) = phrase(library, "anchors away sailors")
    assert v.media_path == str(paths["vttclip"])
    assert (v.start, v.end) == (0.88, 2.12)   # 1.0 - 0.1 -> frame 22 (0.88); 2.0 + 0.1 in the pause -> 2.12
    assert v.extra["speaker"] == "Anna"
    (j,) = phrase(library, "breaking news")
    # 0.52 - 0.1 -> frame 10 (0.4); "news" touches the next word at 1.3 (frame 32.5): of the two edges
    # as near, the one that keeps the last word, 1.32
    assert (j.start, j.end) == (0.4, 1.32)
    with Catalog.open(library) as cat:
        langs = {r["origin"].rsplit("/", 1)[-1]: (r["source"], r["language"])
                 for r in cat.query("SELECT * FROM transcripts")}
    assert langs == {"srtclip.srt": ("sidecar", None), "vttclip.en.vtt": ("sidecar", "en"),
                     "jsonclip.json": ("sidecar", "en")}


def test_cli_import_whisperx_and_keep_on_reindex(tmp_path, cli):
    clip = write_video(tmp_path / "boat.mp4", [Shot(75, 1)], rate="25", audio="silence").path
    cli("index", "--no-speech", clip)
    wx = tmp_path / "elsewhere" / "boat_aligned.json"
    wx.parent.mkdir()
    wx.write_text(json.dumps(WHISPERX))
    out = cli.json("transcript", "import", wx, "--media", clip)
    assert out["words"] == 4 and out["segments"] == 1
    hits = cli.json("search", "--phrase", "sold 20 boats")
    assert len(hits) == 1 and hits[0]["extra"]["speaker"] == "SPEAKER_01"
    # the unaligned "20" was placed between its neighbours
    words = hits[0]["extra"]["words"]
    assert words[1][1] == pytest.approx(1.0) and words[1][2] == pytest.approx(1.6)
    # indexing with speech on keeps the hand-imported transcript (no sidecar, nothing spoken)
    report = cli.json("index", "--speech-model", "tiny.en", clip)
    assert report["files"][0]["stages"]["speech"] == "done"
    assert len(cli.json("search", "--phrase", "sold 20 boats")) == 1
    # round trip: export as JSON, the words survive
    data = json.loads(cli("transcript", clip, "--format", "json").stdout)
    assert [w["word"] for w in data["segments"][0]["words"]] == ["We", "sold", "20", "boats"]


def test_bad_transcripts_name_the_file(tmp_path, cli):
    bad = tmp_path / "broken.srt"
    bad.write_text("1\nno timing here\nhello\n")
    with pytest.raises(TranscriptFormatError, match="broken.srt: cue without a timing line"):
        read_transcript(bad)
    clip = write_video(tmp_path / "c.mp4", [Shot(10, 1)], audio=None).path
    cli("index", "--no-speech", clip)
    proc = cli("transcript", "import", bad, "--media", clip, check=False)
    assert proc.returncode == 2 and "broken.srt" in proc.stderr and "timing" in proc.stderr
    notjson = tmp_path / "x.json"
    notjson.write_text('{"foo": 1}')
    with pytest.raises(TranscriptFormatError, match="no 'segments' list"):
        read_transcript(notjson)
    vtt = tmp_path / "y.vtt"
    vtt.write_text("00:01.000 --> 00:02.000\nhi\n")
    with pytest.raises(TranscriptFormatError, match="WEBVTT"):
        read_transcript(vtt)


def test_sidecar_matching(tmp_path):
    m = tmp_path / "a.mov"
    m.write_bytes(b"x")
    assert find_sidecar(m) is None
    (tmp_path / "a.json").write_text('{"some": "other json"}')
    assert find_sidecar(m) is None  # not a transcript
    (tmp_path / "a.fr.vtt").write_text("WEBVTT\n")
    assert find_sidecar(m).name == "a.fr.vtt"
    (tmp_path / "a.srt").write_text(SRT)
    assert find_sidecar(m).name == "a.srt"


@pytest.mark.slow   # reindexes with a real speech model
def test_changed_file_drops_words_and_fts_stays_consistent(clips, library):
    folder, paths = clips
    index(library, folder)
    assert phrase(library, "second cue")
    (folder / "srtclip.srt").unlink()
    write_video(paths["srtclip"], [Shot(50, 9)], rate="25", audio="silence")  # new content, no sidecar
    index(library, paths["srtclip"])
    assert phrase(library, "second cue") == [] and phrase(library, "cue second") == []
    with Catalog.open(library) as cat:
        cat.execute("INSERT INTO segments_fts (segments_fts) VALUES ('integrity-check')")
        assert cat.one("SELECT count FROM terms WHERE norm = 'cue'")["count"] == 0
        mid = cat.media_by_path(paths["vttclip"])["id"]
        with cat.transaction():
            cat.execute("DELETE FROM media WHERE id = ?", (mid,))  # cascades to words and segments
        cat.execute("INSERT INTO segments_fts (segments_fts) VALUES ('integrity-check')")
        assert cat.one("SELECT count(*) AS n FROM segments_fts WHERE segments_fts MATCH 'anchors'")["n"] == 0
