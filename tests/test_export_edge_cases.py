"""Exports at the edges: over 999 events, odd file names, missing media, and the CLI."""

from __future__ import annotations

import shutil

import opentimelineio as otio
import pycmx
import pytest

from framesense.errors import FrameSenseError, MediaError
from framesense.timecode import Timecode
from framesense.timeline.model import Clip, Sequence, SequenceOptions, SourceMedia, sequence_from_hits
from framesense.timeline.otio_io import save
from tests.timeline_media import export, hit, open_footage


@pytest.fixture(scope="module")
def footage(timeline_footage):
    tmp = timeline_footage
    catalog, rows = open_footage(tmp)
    yield tmp, catalog, rows
    catalog.close()


def test_more_than_999_events_split_into_files(footage, tmp_path):
    _, catalog, rows = footage
    m = SourceMedia.from_row(rows["25"])
    seq = Sequence(name="long", rate=25, clips=[Clip(m, i % 40, i % 40 + 3) for i in range(1203)])
    paths = export(seq, tmp_path / "long.edl", "edl")
    assert [p.name for p in paths] == ["long.edl", "long_002.edl"]
    parsed = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            parsed.append(list(pycmx.parse_cmx3600(f).events))
    assert [len(e) for e in parsed] == [999, 204]
    assert parsed[0][-1].number == 999 and parsed[1][0].number == 1
    rec = Timecode(25)
    # record times continue across files: event 1000 starts where 999 ended
    assert parsed[1][0].edits[0].record_in == parsed[0][-1].edits[0].record_out == rec.to_string(90000 + 999 * 3)
    assert parsed[1][-1].edits[0].record_out == rec.to_string(90000 + 1203 * 3)
    last = seq.clips[-1]
    assert parsed[1][-1].edits[0].source_in == Timecode(25).to_string(m.start_frame + last.source_in)
    # the same sequence as OTIO and FCP7 XML holds every clip
    [x] = export(seq, tmp_path / "long.xml", "fcp7")
    tl = otio.adapters.read_from_file(str(x), adapter_name="fcp_xml")
    tl = tl if isinstance(tl, otio.schema.Timeline) else tl[0]
    assert len([c for c in tl.video_tracks()[0].find_clips()]) == 1203


def test_names_with_spaces_and_non_ascii(footage, tmp_path):
    tmp, catalog, rows = footage
    seq = sequence_from_hits(catalog, [hit(rows["24000/1001"], 0.3, 0.9, text="naïve “quote” <b>")],
                             SequenceOptions(name="Sëquence & co"))
    for fmt, ext in [("otio", ".otio"), ("fcp7", ".xml"), ("fcpxml", ".fcpxml"), ("edl", ".edl")]:
        [p] = export(seq, tmp_path / f"out dir ü/seq ü{ext}", fmt)
        assert p.exists()
    tl = otio.adapters.read_from_file(str(tmp_path / "out dir ü/seq ü.xml"), adapter_name="fcp_xml")
    tl = tl if isinstance(tl, otio.schema.Timeline) else tl[0]
    [item] = tl.video_tracks()[0].find_clips()
    assert otio.url_utils.filepath_from_url(item.media_reference.target_url).endswith("clip 23976 é.mp4")
    assert item.name == "naïve “quote” <b>"
    with open(tmp_path / "out dir ü/seq ü.edl", encoding="utf-8") as f:
        [ev] = list(pycmx.parse_cmx3600(f).events)
    assert ev.edits[0].source_file.endswith("/clip 23976 é.mp4")


def test_missing_media_fails_with_clear_message(footage, tmp_path):
    tmp, catalog, rows = footage
    gone = tmp_path / "gone clip.mov"
    shutil.copy(rows["25"]["path"], gone)
    m = SourceMedia.from_row(rows["25"])
    m_gone = SourceMedia(path=str(gone), rate=m.rate, frames=m.frames, start_frame=m.start_frame)
    seq = Sequence(rate=25, clips=[Clip(m, 0, 5), Clip(m_gone, 0, 5)])
    gone.unlink()
    for fmt in ("otio", "otioz", "fcp7", "fcpxml", "edl"):
        with pytest.raises(MediaError, match="gone clip.mov: media file is missing"):
            export(seq, tmp_path / f"x.{fmt}", fmt)
    # offline export is allowed on request (not for .otioz, which must hold the files)
    [p] = export(seq, tmp_path / "x.edl", "edl", allow_missing=True)
    assert "gone clip.mov" in p.read_text(encoding="utf-8")
    with pytest.raises(FrameSenseError, match="no clips"):
        export(Sequence(rate=25), tmp_path / "empty.edl", "edl")


def test_cli_exports_a_saved_sequence(footage, cli, tmp_path):
    tmp, catalog, rows = footage
    seq = sequence_from_hits(catalog, [hit(rows["30000/1001"], 0.27, 1.0), hit(rows["25"], 0.4, 0.8)])
    saved = save(seq, tmp_path / "saved seq.otio")
    out = tmp_path / "cut.edl"
    res = cli.json("export", "--sequence", saved, "--format", "edl", "-o", out, "--no-edl-comments")
    assert res["files"] == [str(out)] and res["clips"] == 2 and res["rate"] == "30000/1001"
    text = out.read_text(encoding="utf-8")
    assert "*" not in text and "FCM: DROP FRAME" in text
    with open(out, encoding="utf-8") as f:
        evs = list(pycmx.parse_cmx3600(f).events)
    # the 25 fps clip is re-timed into the 29.97 DF list: its 10:00:00:00 start plus 0.4 s is 12 frames
    assert evs[0].edits[0].source_in == "00:59:50;08" and evs[1].edits[0].source_in == "10:00:00;12"
    res = cli.json("export", "--sequence", saved, "-o", tmp_path / "again.otio", "--rate", "25")
    assert res["rate"] == "25" and res["format"] == "otio"
    listed = cli.json("sequence", "list")
    assert [r["path"] for r in listed] == [str(tmp_path / "again.otio")] and listed[0]["exists"]
    bad = cli("export", "--sequence", tmp_path / "nope.otio", "-o", tmp_path / "x.edl", check=False)
    assert bad.returncode == 2 and "nope.otio: no such sequence file" in bad.stderr
    bad = cli("export", "--sequence", saved, "-o", tmp_path / "x.mov", check=False)
    assert bad.returncode == 2 and "--format" in bad.stderr
