"""Exports read back by independent readers. Every EDL is read by pycmx and OpenTimelineIO's cmx_3600
adapter), and both agree with the sequence frame for frame: single rates (23.976, 25, 29.97
drop-frame and not), mixed rates, non-zero start timecodes, hostile names, and 1,000+ events.
"""

from __future__ import annotations

from fractions import Fraction

import opentimelineio as otio
import pycmx
import pytest

from framesense.timecode import Timecode
from framesense.timeline.exporters import cmx3600
from framesense.timeline.model import Clip, Sequence, SourceMedia
from tests.timeline_media import export

NTSC24, NTSC30 = Fraction(24000, 1001), Fraction(30000, 1001)


def media(name, rate, start_tc, df=False, channels=2):
    tc = Timecode(rate, df)
    return SourceMedia(f"/footage/{name}", Fraction(rate), 100000, start_frame=tc.to_frames(start_tc), drop_frame=df,
                       audio_channels=channels)


FILES = {
    "24": media("a 23976 é.mov", NTSC24, "01:00:00:00"),
    "25": media("pal & <co> #1 %20.mov", 25, "10:00:00:00", channels=1),
    "30df": media("ntsc df\nnewline.mp4", NTSC30, "00:59:50;00", df=True),
    "30": media("ntsc ndf.mov", NTSC30, "23:58:00:00", channels=0),
}


def sequence(rate, df, keys, n=6, start="01:00:00:00"):
    clips = [Clip(FILES[keys[i % len(keys)]], 7 * i + 3, 7 * i + 3 + 11 + (i % 5), label=f"take {i}")
             for i in range(n)]
    seq = Sequence(name="conform & <test>", rate=rate, drop_frame=df, clips=clips)
    seq.start_frame = seq.timecode.to_frames(start)
    return seq


CASES = {
    "23.976": (NTSC24, False, ["24"]),
    "25": (Fraction(25), False, ["25"]),
    "29.97 DF": (NTSC30, True, ["30df"]),
    "29.97 NDF": (NTSC30, False, ["30"]),
    "mixed in 25": (Fraction(25), False, ["24", "25", "30df", "30"]),
    "mixed in 29.97 DF": (NTSC30, True, ["24", "25", "30df", "30"]),
    "mixed in 23.976": (NTSC24, False, ["30df", "24", "25"]),
}


def check_both_readers(seq, path):
    tc = seq.timecode
    placements = seq.placements()
    with open(path, encoding="utf-8") as f:
        events = list(pycmx.parse_cmx3600(f).events)
    assert len(events) == len(placements)
    timeline = otio.adapters.read_from_file(str(path), adapter_name="cmx_3600", rate=float(seq.rate))
    video = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video]
    assert len(video) == 1
    clips = list(video[0].find_clips())
    assert len(clips) == len(placements)
    for p, ev, oc in zip(placements, events, clips):
        (e,) = ev.edits
        a, b = cmx3600.source_range(seq, p)
        r_in, r_out = seq.start_frame + p.record_in, seq.start_frame + p.record_out
        # pycmx: the timecode strings
        assert (e.source_in, e.source_out, e.record_in, e.record_out) == tuple(
            tc.to_string(x) for x in (a, b, r_in, r_out))
        assert e.source_file == cmx3600._one_line(p.clip.media.path)
        # OTIO: the frames
        assert oc.source_range.start_time.to_frames() == a
        assert oc.source_range.duration.to_frames() == b - a == p.record_duration
        rng = oc.range_in_parent()
        assert rng.start_time.to_frames() == p.record_in and rng.duration.to_frames() == p.record_duration
        assert oc.media_reference.target_url == cmx3600._one_line(p.clip.media.path)
    return events


@pytest.mark.parametrize("case", list(CASES))
def test_both_readers_agree_with_the_sequence(case, tmp_path):
    rate, df, keys = CASES[case]
    seq = sequence(rate, df, keys, start="00:59:58;00" if df else "10:00:00:00")
    [path] = export(seq, tmp_path / "cut.edl", "edl", allow_missing=True)
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and line[0].isdigit()]
    assert len({line[:3] for line in lines}) == len(lines)          # one event number per line
    if not df:
        assert ";" not in "".join(lines)                            # DF separators only in DF lists
    check_both_readers(seq, path)
    # without comments too (what Premiere reads best)
    [bare] = export(seq, tmp_path / "bare.edl", "edl", allow_missing=True, comments=False)
    assert "*" not in bare.read_text(encoding="utf-8")
    with open(bare, encoding="utf-8") as f:
        assert len(list(pycmx.parse_cmx3600(f).events)) == len(seq.clips)
    bare_tl = otio.adapters.read_from_file(str(bare), adapter_name="cmx_3600", rate=float(seq.rate))
    assert [len(list(t.find_clips())) for t in bare_tl.video_tracks()] == [len(seq.clips)]
    with_sound = sum(c.media.has_audio for c in seq.clips)
    assert all(len(list(t.find_clips())) == with_sound for t in bare_tl.audio_tracks() if t.name == "A1")


def test_mixed_rate_events_keep_their_native_range_in_a_comment(tmp_path):
    seq = sequence(Fraction(25), False, ["24", "25"], n=2)
    [path] = export(seq, tmp_path / "cut.edl", "edl", allow_missing=True)
    text = path.read_text(encoding="utf-8")
    c = seq.clips[0]
    native = c.media.timecode
    assert (f"* SOURCE RANGE AT 24000/1001: {native.to_string(c.media.start_frame + c.source_in)} "
            f"{native.to_string(c.media.start_frame + c.source_out)}") in text
    assert text.count("SOURCE RANGE AT") == 1                      # the 25 fps clip needs none


def test_control_characters_never_break_a_line(tmp_path):
    seq = sequence(Fraction(25), False, ["30df"], n=1)
    seq.clips[0].label = "line one\nline two\r\x07"
    [path] = export(seq, tmp_path / "cut.edl", "edl", allow_missing=True)
    text = path.read_text(encoding="utf-8")
    assert "newline" in text and "\\x0anewline" in text and "line one\\x0aline two" in text
    for line in text.splitlines():
        assert line == "" or line[0].isdigit() or line.startswith(("TITLE:", "FCM:", "* "))


def test_over_999_events_split_and_every_part_reads_back(tmp_path):
    seq = sequence(NTSC30, True, ["30df", "24"], n=1010)
    paths = export(seq, tmp_path / "long.edl", "edl", allow_missing=True)
    assert [p.name for p in paths] == ["long.edl", "long_002.edl"]
    with open(paths[1], encoding="utf-8") as f:
        second = list(pycmx.parse_cmx3600(f).events)
    assert len(second) == 11 and second[0].number == 1
    p = seq.placements()[999]
    assert second[0].edits[0].record_in == seq.timecode.to_string(seq.start_frame + p.record_in)
    tl = otio.adapters.read_from_file(str(paths[0]), adapter_name="cmx_3600", rate=float(seq.rate))
    assert len(list(tl.video_tracks()[0].find_clips())) == 999


def test_a_clip_crossing_midnight_is_refused_with_its_name(tmp_path):
    from framesense.errors import FrameSenseError
    late = media("late.mov", 25, "23:59:59:20")
    seq = Sequence(name="late", rate=25, clips=[Clip(late, 0, 25)])
    with pytest.raises(FrameSenseError, match="late.mov.*midnight"):
        export(seq, tmp_path / "late.edl", "edl", allow_missing=True)


def test_handles_narrow_otio_available_ranges_clamped_to_the_file(tmp_path):
    from framesense.api import ExportOptions, export_sequence
    m = media("h.mov", 25, "01:00:00:00")
    m = SourceMedia(m.path, m.rate, 200, start_frame=m.start_frame, audio_channels=2)
    seq = Sequence(name="h", rate=25, clips=[Clip(m, 5, 30), Clip(m, 100, 190)])
    [path] = export_sequence(seq, tmp_path / "h.otio", ExportOptions(handles=12, allow_missing=True))
    clips = list(otio.adapters.read_from_file(str(path)).video_tracks()[0].find_clips())
    ranges = [(c.media_reference.available_range.start_time.value - m.start_frame,
               c.media_reference.available_range.duration.value) for c in clips]
    assert ranges == [(0, 42), (88, 112)]          # 5-12 clamps to 0; 190+12 clamps to the file's 200 frames
    for c in clips:                                # the clip's own frames stay inside what is available
        assert c.available_range().contains(c.source_range)


def _whole(value: str, rate: Fraction) -> bool:
    t = Fraction(value.rstrip("s"))
    return (t * rate).denominator == 1


def test_fcpxml_is_version_1_8_and_mixed_rate_cuts_are_whole_frames(tmp_path):
    """25 + 23.976 + 29.97 DF in one 29.97 DF sequence: offsets and durations are whole sequence
    frames, starts whole frames of each clip's own rate, and the file keeps to what FCPXML 1.8
    declares (an asset names its file in ``src``; ``media-rep`` came in 1.9)."""
    import xml.etree.ElementTree as ET
    seq = sequence(NTSC30, True, ["25", "24", "30df"], n=9, start="00:59:58;00")
    [path] = export(seq, tmp_path / "cut.fcpxml", "fcpxml", allow_missing=True)
    root = ET.parse(path).getroot()
    assert root.get("version") == "1.8"
    assets = root.findall("resources/asset")
    assert assets and all(a.get("src", "").startswith("file:///") for a in assets)
    assert all(child.tag in ("bookmark", "metadata") for a in assets for child in a)
    assert len({a.get("uid") for a in assets}) == len(assets)
    formats = {f.get("id"): Fraction(f.get("frameDuration").rstrip("s")) for f in root.findall("resources/format")}
    clips = root.findall(".//spine/asset-clip")
    assert len(clips) == len(seq.clips)
    for p, ac in zip(seq.placements(), clips):
        assert _whole(ac.get("offset"), seq.rate) and _whole(ac.get("duration"), seq.rate)
        assert Fraction(ac.get("duration").rstrip("s")) * seq.rate == p.record_duration
        own = 1 / formats[ac.get("format")]
        assert own == p.clip.media.rate and _whole(ac.get("start"), own)
    again = otio.adapters.read_from_file(str(path), adapter_name="fcpx_xml")
    assert len(list(again.find_clips())) == len(seq.clips)
    [second] = export(seq, tmp_path / "again.fcpxml", "fcpxml", allow_missing=True)
    uids = {a.get("uid") for a in ET.parse(second).getroot().findall("resources/asset")}
    assert uids.isdisjoint({a.get("uid") for a in assets})       # unique per export


def test_mixed_rate_otio_cuts_are_whole_sequence_frames(tmp_path):
    seq = sequence(NTSC30, True, ["25", "24", "30df"], n=9)
    [path] = export(seq, tmp_path / "cut.otio", "otio", allow_missing=True)
    video = otio.adapters.read_from_file(str(path)).video_tracks()[0]
    for p, c in zip(seq.placements(), video.find_clips()):
        rng = c.range_in_parent()
        assert rng.start_time.rescaled_to(float(seq.rate)).value == pytest.approx(p.record_in, abs=1e-6)
        assert rng.duration.rescaled_to(float(seq.rate)).value == pytest.approx(p.record_duration, abs=1e-6)
        assert c.source_range.start_time.value == p.clip.media.start_frame + p.clip.source_in


def test_otioz_in_a_folder_named_with_percent_20(tmp_path):
    from framesense.media.synth import Shot, write_video
    folder = tmp_path / "a%20b"
    v = write_video(folder / "c d%20.mp4", [Shot(20, 1)], rate=25, audio=None, width=64, height=48)
    seq = Sequence(name="oz", rate=25, clips=[Clip(SourceMedia(str(v.path), Fraction(25), 20), 2, 12)])
    [path] = export(seq, folder / "cut.otioz", "otioz")
    tl = otio.adapters.read_from_file(str(path))
    (clip,) = tl.video_tracks()[0].find_clips()
    assert clip.media_reference.target_url == "media/c d%20.mp4" and clip.source_range.duration.value == 10
    import zipfile
    with zipfile.ZipFile(path) as z:
        assert z.read("media/c d%20.mp4") == v.path.read_bytes()
