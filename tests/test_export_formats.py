"""Each NLE format written from a mixed-rate sequence and read back by an independent parser."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pycmx
import pytest

from framesense.timecode import Timecode
from framesense.timeline.exporters import cmx3600
from framesense.timeline.exporters.common import file_url, reel_names
from framesense.timeline.model import Sequence, SequenceOptions, sequence_from_hits
from tests.timeline_media import export, hit, open_footage

NTSC24, NTSC30 = Fraction(24000, 1001), Fraction(30000, 1001)


@pytest.fixture(scope="module")
def seq(timeline_footage):
    catalog, rows = open_footage(timeline_footage)
    hits = [hit(rows["24000/1001"], 0.3, 0.9), hit(rows["30000/1001"], 0.27, 1.0, text="ça va"),
            hit(rows["25"], 0.4, 0.8), hit(rows["24000/1001"], 1.25, 1.9)]
    s = sequence_from_hits(catalog, hits, SequenceOptions(rate="24000/1001", name="Mixed & <rates>"))
    # exact frames chosen by the hits (floor in, ceil out), written out so a model bug cannot hide
    assert [(c.source_in, c.source_out) for c in s.clips] == [(7, 22), (8, 30), (10, 20), (29, 46)]
    yield s
    catalog.close()


def src_tc(clip, frame):
    return Timecode(clip.media.rate, clip.media.drop_frame).to_string(clip.media.start_frame + frame)


def test_source_timecodes_include_start_timecode(seq):
    c24, c30, c25, _ = seq.clips
    assert src_tc(c24, c24.source_in) == "01:00:00:07"
    assert src_tc(c30, c30.source_in) == "00:59:50;08"
    assert src_tc(c25, c25.source_out) == "10:00:00:20"


def test_file_urls_are_encoded():
    assert file_url("/media/My Clip é.mov") == "file:///media/My%20Clip%20%C3%A9.mov"
    assert file_url("C:\\Users\\Ann Lee\\Vidéo.mov") == "file:///C:/Users/Ann%20Lee/Vid%C3%A9o.mov"
    assert file_url("/a/50% #1.mov") == "file:///a/50%25%20%231.mov"
    assert otio.url_utils.filepath_from_url(file_url("/media/My Clip é.mov")) == "/media/My Clip é.mov"


def test_otio_for_resolve(seq, tmp_path):
    [path] = export(seq, tmp_path / "seq.otio", "otio")
    tl = otio.adapters.read_from_file(str(path))
    assert tl.global_start_time.value == seq.start_frame == 86400
    video = [t for t in tl.tracks if t.kind == "Video"][0]
    clips = list(video.find_clips())
    assert len(clips) == 4
    for p, item in zip(seq.placements(), clips):
        c = p.clip
        assert item.media_reference.target_url == c.media.path      # plain absolute path
        assert Path(item.media_reference.target_url).is_absolute()
        sr = item.source_range
        assert sr.start_time.rate == pytest.approx(float(c.media.rate), abs=1e-9)
        assert sr.start_time.value == c.media.start_frame + c.source_in   # a whole frame of its own rate
        # every cut on a whole sequence frame: at the sequence rate a clip lasts its record duration
        assert sr.duration.rescaled_to(float(seq.rate)).value == pytest.approx(p.record_duration, abs=1e-6)
        rng = item.range_in_parent()
        assert rng.start_time.rescaled_to(float(seq.rate)).value == pytest.approx(p.record_in, abs=1e-6)
        if c.media.rate == seq.rate:
            assert sr.duration.value == c.duration
        assert item.markers[0].name == c.markers[0].name
    audio = [t for t in tl.tracks if t.kind == "Audio"][0]
    assert [type(i).__name__ for i in audio] == ["Clip", "Gap", "Clip", "Clip"]   # the 29.97 file has no sound


def test_otioz_bundles_media(seq, tmp_path):
    [path] = export(seq, tmp_path / "seq.otioz", "otioz")
    names = zipfile.ZipFile(path).namelist()
    assert "media/clip 23976 é.mp4" in names and "content.otio" in names
    tl = otio.adapters.read_from_file(str(path))
    clips = list(tl.find_clips())
    assert [c.source_range.start_time.value for c in clips[:4]] == \
           [c.media.start_frame + c.source_in for c in seq.clips]


def test_fcp7_xml_for_premiere(seq, tmp_path):
    [path] = export(seq, tmp_path / "seq.xml", "fcp7")
    tl = otio.adapters.read_from_file(str(path), adapter_name="fcp_xml")
    if not isinstance(tl, otio.schema.Timeline):
        tl = tl[0]
    assert tl.global_start_time.value == 86400
    video = [t for t in tl.tracks if t.kind == "Video"][0]
    items = list(video.find_clips())
    assert len(items) == 4
    placements = seq.placements()
    for p, item in zip(placements, items):
        c = p.clip
        assert otio.url_utils.filepath_from_url(item.media_reference.target_url) == c.media.path
        assert item.media_reference.target_url.startswith("file://localhost/")   # as Premiere writes them
        assert item.source_range.start_time.value == c.media.start_frame + c.source_in
        assert item.source_range.start_time.rate == pytest.approx(float(c.media.rate), abs=1e-9)
        rng = item.range_in_parent()
        assert rng.start_time.rescaled_to(float(seq.rate)).value == pytest.approx(p.record_in, abs=1e-6)
        if c.media.rate == seq.rate:
            assert item.source_range.duration.value == pytest.approx(c.duration, abs=1e-6)
    audio = [t for t in tl.tracks if t.kind == "Audio"]
    assert audio and len(list(audio[0].find_clips())) == 3
    # what the adapter does not expose: <format>, NTSC flags, in/out and timecode strings
    root = ET.parse(path).getroot()
    s = root.find("sequence")
    assert s.find("rate/timebase").text == "24" and s.find("rate/ntsc").text == "TRUE"
    fmt = s.find("media/video/format/samplecharacteristics")
    assert fmt.find("width").text == "160" and fmt.find("height").text == "96"
    assert len(s.find("uuid").text) == 36
    files = {f.get("id"): f for f in root.iter("file") if f.find("pathurl") is not None}
    vitems = s.findall("media/video/track/clipitem")
    # <link> points at each linked item by its place in its own track (the 29.97 clip has no sound)
    a1 = [ci.get("id") for ci in s.find("media/audio/track").findall("clipitem")]
    for ci in vitems:
        for ln in ci.findall("link"):
            if ln.find("mediatype").text == "audio" and ln.find("trackindex").text == "1":
                assert a1.index(ln.find("linkclipref").text) + 1 == int(ln.find("clipindex").text)
    for c in seq.clips:   # each file's own sample rate and channels, from the catalog
        f = next(f for f in files.values() if otio.url_utils.filepath_from_url(f.find("pathurl").text) == c.media.path)
        if c.media.has_audio:
            assert int(f.find("media/audio/samplecharacteristics/samplerate").text) == c.media.sample_rate
            assert int(f.find("media/audio/channelcount").text) == c.media.audio_channels
    assert oct(path.stat().st_mode & 0o777) != "0o600"
    for c, ci in zip(seq.clips, vitems):
        assert (int(ci.find("in").text), int(ci.find("out").text)) == (c.source_in, c.source_out)
        f = files[ci.find("file").get("id")]
        ntsc = {Fraction(25): "FALSE", NTSC24: "TRUE", NTSC30: "TRUE"}[c.media.rate]
        assert f.find("rate/ntsc").text == ntsc and ci.find("rate/ntsc").text == ntsc
        tc = f.find("timecode")
        assert tc.find("string").text == src_tc(c, 0)
        assert tc.find("displayformat").text == ("DF" if c.media.drop_frame else "NDF")
    assert files["file-2"].find("timecode/string").text == "00:59:50;00"


def test_fcpxml_rational_times(seq, tmp_path):
    [path] = export(seq, tmp_path / "seq.fcpxml", "fcpxml")
    tl = otio.adapters.read_from_file(str(path), adapter_name="fcpx_xml")
    tl = tl[0] if not isinstance(tl, otio.schema.Timeline) else tl
    items = list(tl.find_clips())
    # the adapter reads rates as whole numbers (23 for 23.976), so it checks structure and paths;
    # the exact rationals are checked from the XML below
    assert sorted(otio.url_utils.filepath_from_url(i.media_reference.target_url) for i in items) == \
           sorted(c.media.path for c in seq.clips)
    root = ET.parse(path).getroot()
    assert root.get("version") == "1.8"
    fmts = {f.get("id"): f for f in root.iter("format")}
    assets = {a.get("id"): a for a in root.iter("asset")}
    sq = root.find("library/event/project/sequence")
    assert fmts[sq.get("format")].get("frameDuration") == "1001/24000s"
    assert sq.get("tcStart") == "18018/5s"   # 86400 frames * 1001/24000 s
    frac = lambda t: Fraction(t[:-1])
    for p, ac in zip(seq.placements(), sq.findall("spine/asset-clip")):
        c = p.clip
        a = assets[ac.get("ref")]
        assert otio.url_utils.filepath_from_url(a.get("src")) == c.media.path
        assert frac(a.get("start")) == Fraction(c.media.start_frame) / c.media.rate
        assert frac(ac.get("start")) == Fraction(c.media.start_frame + c.source_in) / c.media.rate
        assert frac(ac.get("offset")) == Fraction(seq.start_frame + p.record_in) / seq.rate
        assert frac(ac.get("duration")) == Fraction(p.record_duration) / seq.rate
        # every time is a whole number of frames of its format
        assert (frac(ac.get("start")) * c.media.rate).denominator == 1
        assert ac.get("tcFormat") == ("DF" if c.media.drop_frame else "NDF")
    assert sq.findall("spine/asset-clip")[0].get("start") == "86493407/24000s"   # (86400 + 7) * 1001/24000


def test_edl_events_reels_and_files(seq, tmp_path):
    [path] = export(seq, tmp_path / "seq.edl", "edl")
    with open(path, encoding="utf-8") as f:
        edl = pycmx.parse_cmx3600(f)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[:3] == ["TITLE: Mixed & <rates>", "FCM: NON-DROP FRAME", ""]   # no header comments
    reels = reel_names(seq.media())
    assert len(set(reels.values())) == 3 and all(len(r) <= 8 for r in reels.values())
    assert reels[seq.clips[0].media.path] == "CAMERA_A" and reels[seq.clips[1].media.path] == "CAMERA_2"
    events = list(edl.events)
    assert len(events) == 4
    rec = Timecode(seq.rate)
    for p, ev in zip(seq.placements(), events):
        c = p.clip
        (e,) = ev.edits                                         # one line per event: V, B or AA/V
        assert e.channels.video and e.channels.a1 == c.media.has_audio
        assert e.source == reels[c.media.path]
        a, b = cmx3600.source_range(seq, p)
        assert (e.source_in, e.source_out) == (rec.to_string(a), rec.to_string(b))
        if c.media.rate == seq.rate:                              # the file's own timecode, exactly
            assert e.source_in == src_tc(c, c.source_in) and e.source_out == src_tc(c, c.source_out)
        assert e.record_in == rec.to_string(seq.start_frame + p.record_in)
        assert e.record_out == rec.to_string(seq.start_frame + p.record_out)
        assert e.source_file == c.media.path and e.clip_name == c.media.name  # NLEs relink by file name
    # the 29.97 DF file in this 23.976 list: its start label 00:59:50;00 re-timed, frames scaled to 24
    assert events[1].edits[0].source_in.startswith("00:59:50:") and events[0].edits[0].record_in == "01:00:00:00"


def test_edl_drop_frame_sequence(seq, tmp_path):
    df = Sequence(name="df", rate=NTSC30, drop_frame=True, clips=seq.clips)
    [path] = export(df, tmp_path / "df.edl", "edl", comments=False)
    text = path.read_text(encoding="utf-8")
    assert "FCM: DROP FRAME" in text and "*" not in text
    with open(path, encoding="utf-8") as f:
        ev = list(pycmx.parse_cmx3600(f).events)
    assert ev[0].edits[0].record_in == "01:00:00;00"
