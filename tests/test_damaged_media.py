"""Damaged media still indexes: bad packets are skipped and counted, the file keeps its shots and
transcript with a warning saying what was lost and where, and a sequence using it renders."""

from __future__ import annotations

import av
import pytest

from framesense.catalog import Catalog
from framesense.errors import MediaError
from framesense.media.audio import decode_audio_checked
from framesense.media.synth import Shot, write_damaged, write_video
from framesense.timeline.model import SequenceOptions, sequence_from_hits
from framesense.timeline.render import render

pytestmark = pytest.mark.slow   # a real speech model

SENTENCE = "open the door and sit down"


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    from tests.conftest import cli_json
    root = tmp_path_factory.mktemp("damaged")
    src = write_video(root / "src.mp4", [Shot(36, 1), Shot(36, 2)], rate="24", codec="mpeg4", audio="silence",
                      speech=[(0.4, SENTENCE)])
    audio = write_damaged(src.path, root / "footage" / "bad_audio.avi", audio_packets=(0, 40))
    video = write_damaged(src.path, root / "footage" / "bad_video.avi", audio_packets=(),
                          video_packets=(10, 11, 12, 50))
    report = cli_json(root / "lib", "index", "--speech-model", "tiny.en", "--no-visual", root / "footage")
    return {"root": root, "report": report, "audio": audio, "video": video, "src": src}


def test_the_damage_is_real(damaged):
    """Without skipping, the first bad audio packet stops a plain decode (as it did the whole file)."""
    with av.open(str(damaged["audio"])) as c, pytest.raises(av.error.FFmpegError):
        for _ in c.decode(c.streams.audio[0]):
            pass
    samples, loss = decode_audio_checked(damaged["audio"])
    clean, _ = decode_audio_checked(damaged["src"].path)
    assert loss.packets == 2 and 0.0 in loss.where and "damaged audio" in loss.note()
    assert abs(samples.size - clean.size) < 16000 * 0.05     # lost packets become silence: times stay put


def test_damaged_files_index_with_shots_transcript_and_warning(damaged):
    files = {f["path"].rsplit("/", 1)[-1]: f for f in damaged["report"]["files"]}
    assert not damaged["report"]["failed"]
    for name, stage in (("bad_audio.avi", "speech"), ("bad_video.avi", "shots")):
        f = files[name]
        assert f["stages"]["shots"] == "done" and f["stages"]["speech"] == "done", f
        assert any(w.startswith(f"{stage}:") and "damaged" in w for w in f["warnings"]), f
    with Catalog.open(damaged["root"] / "lib") as cat:
        for name in ("bad_audio.avi", "bad_video.avi"):
            m = cat.one("SELECT * FROM media WHERE name = ?", (name,))
            assert m["status"] == "indexed" and m["error"].startswith("warning:") and "damaged" in m["error"]
            shots = cat.query("SELECT start_frame, end_frame FROM shots WHERE media_id = ?", (m["id"],))
            assert len(shots) >= 2 and shots[-1]["end_frame"] == 72       # every frame keeps its place
            assert cat.one("SELECT count(*) n FROM words WHERE media_id = ?", (m["id"],))["n"] >= 4
    # the warning is kept: a re-run (stages cached) still shows it
    from tests.conftest import cli_json
    media = {r["path"].rsplit("/", 1)[-1]: r for r in cli_json(damaged["root"] / "lib", "media")}
    assert "damaged" in (media["bad_audio.avi"]["error"] or "")


def test_a_sequence_using_damaged_files_renders(damaged, tmp_path):
    with Catalog.open(damaged["root"] / "lib") as cat:
        from framesense.search.phrase import search_phrase
        from framesense.search.query import SearchQuery
        hits = search_phrase(cat, SearchQuery(phrase="sit down")) or search_phrase(cat, SearchQuery(phrase="door"))
        assert {h.media_path.rsplit("/", 1)[-1] for h in hits} == {"bad_audio.avi", "bad_video.avi"}
        whole = [h for h in hits]
        seq = sequence_from_hits(cat, whole, SequenceOptions(rate=24))
        out = render(seq, tmp_path / "cut.mp4")
    with av.open(str(out)) as c:
        assert sum(1 for _ in c.decode(video=0)) == seq.duration


def test_nothing_usable_fails_naming_the_file(tmp_path, damaged):
    everything = write_damaged(damaged["src"].path, tmp_path / "dead.avi", audio_packets=range(10_000))
    with pytest.raises(MediaError) as e:
        decode_audio_checked(everything)
    assert str(everything) in str(e.value) and "cannot decode audio" in str(e.value)
