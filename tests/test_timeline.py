"""The sequence model: hits to exact frames, drift-free record times, undoable edits, .otio round trip."""

from __future__ import annotations

from fractions import Fraction

import pytest

from framesense.errors import FrameSenseError
from framesense.timecode import Timecode
from framesense.timeline.edits import Insert, Move, Remove, Split, Trim
from framesense.timeline.model import Clip, Sequence, SequenceOptions, SourceMedia, clip_from_hit, sequence_from_hits
from framesense.timeline.otio_io import load
from tests.timeline_media import hit, open_footage

NTSC24, NTSC30 = Fraction(24000, 1001), Fraction(30000, 1001)


@pytest.fixture(scope="module")
def footage(timeline_footage):
    catalog, rows = open_footage(timeline_footage)
    yield catalog, rows
    catalog.close()


def test_media_facts_come_from_the_catalog(footage):
    catalog, rows = footage
    m24 = SourceMedia.from_row(rows["24000/1001"])
    assert m24.rate == NTSC24 and m24.frames == 48 and m24.audio_channels == 1
    assert m24.start_frame == Timecode(NTSC24).to_frames("01:00:00:00") == 86400
    assert m24.reel == "CAMERA_A_ROLL"
    m30 = SourceMedia.from_row(rows["30000/1001"])
    assert m30.drop_frame and not m30.has_audio
    assert m30.start_frame == Timecode(NTSC30, True).to_frames("00:59:50;00")
    assert Timecode(NTSC30, True).to_string(m30.start_frame) == "00:59:50;00"


def test_hit_becomes_floor_in_ceil_out(footage):
    catalog, rows = footage
    c = clip_from_hit(catalog, hit(rows["24000/1001"], 0.3, 0.9))
    # 0.3 s * 23.976 = 7.19 -> 7; 0.9 s * 23.976 = 21.58 -> 22
    assert (c.source_in, c.source_out) == (7, 22)
    assert c.markers[0].text == "hello world" and c.markers[0].query == "hello"
    # an exact frame boundary stays put (1001/24000 s is exactly frame 1)
    c = clip_from_hit(catalog, hit(rows["24000/1001"], 1001 / 24000 * 10, 1001 / 24000 * 20))
    assert (c.source_in, c.source_out) == (10, 20)
    c = clip_from_hit(catalog, hit(rows["25"], 0.4, 0.8))   # 0.8 is 20.000000000000001 frames as a float
    assert (c.source_in, c.source_out) == (10, 20)
    # padding, clamped to the file
    c = clip_from_hit(catalog, hit(rows["25"], 0.1, 1.8), SequenceOptions(pad_before=1, pad_after=1))
    assert (c.source_in, c.source_out) == (0, 48)


def test_same_rate_record_times_are_exact_and_mixed_rates_do_not_drift():
    m25 = SourceMedia("/a.mov", Fraction(25), 100000)
    m24 = SourceMedia("/b.mov", NTSC24, 100000)
    seq = Sequence(rate=25, clips=[Clip(m25, 0, 7), Clip(m25, 10, 23)])
    assert [(p.record_in, p.record_out) for p in seq.placements()] == [(0, 7), (7, 20)]
    # 1000 clips of 7 frames at 23.976 in a 25 fps sequence: per-clip rounding would drift by
    # 1000 * 0.30 frames; boundaries from the exact cumulative time stay within half a frame.
    seq = Sequence(rate=25, clips=[Clip(m24, i, i + 7) for i in range(1000)])
    exact = Fraction(0)
    for p in seq.placements():
        exact += Fraction(7) / NTSC24 * 25
        assert abs(p.record_out - exact) <= Fraction(1, 2)
        assert p.record_duration in (7, 8)
    assert seq.duration == round(Fraction(7000) / NTSC24 * 25)


class _Undo:
    """The undo stack the app's QUndoStack is, without Qt: do, undo, redo."""

    def __init__(self, seq):
        self.seq, self.done, self.undone = seq, [], []

    def push(self, cmd):
        cmd.do(self.seq)
        self.done.append(cmd)
        self.undone.clear()

    def undo(self):
        self.undone.append(self.done.pop())
        self.undone[-1].undo(self.seq)

    def redo(self):
        self.done.append(self.undone.pop())
        self.done[-1].do(self.seq)


def test_edit_commands_undo_and_redo(footage):
    catalog, rows = footage
    seq = sequence_from_hits(catalog, [hit(rows["25"], 0.4, 0.8), hit(rows["24000/1001"], 0.3, 0.9)])
    before = [c.to_json() for c in seq.clips]
    h = _Undo(seq)
    h.push(Insert([Clip(SourceMedia.from_row(rows["30000/1001"]), 3, 9)], index=1))
    assert [c.source_in for c in seq.clips] == [10, 3, 7]
    h.push(Move(0, 2))
    assert [c.source_in for c in seq.clips] == [3, 7, 10]
    h.push(Trim(1, source_in=8, source_out=20))
    assert (seq.clips[1].source_in, seq.clips[1].source_out) == (8, 20)
    with pytest.raises(ValueError, match="outside the file"):
        Trim(1, source_out=49).do(seq)
    h.push(Split(2, 15))
    assert [(c.source_in, c.source_out) for c in seq.clips[2:]] == [(10, 15), (15, 20)]
    assert len(seq.clips[2].markers) == 1 and not seq.clips[3].markers   # marker at frame 10 stays left
    h.push(Remove(0))
    assert len(seq.clips) == 3
    for _ in range(5):
        h.undo()
    assert [c.to_json() for c in seq.clips] == before
    for _ in range(5):
        h.redo()
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(8, 20), (10, 15), (15, 20)]
    with pytest.raises(IndexError):
        Remove(7).do(seq)


@pytest.fixture
def own_footage(timeline_footage, tmp_path):
    """A copy of the shared library, for a test that records in its catalog."""
    from conftest import copy_library
    catalog, rows = open_footage(timeline_footage, copy_library(timeline_footage / "library", tmp_path))
    yield catalog, rows
    catalog.close()


def test_otio_round_trip_is_exact_and_listed_in_catalog(own_footage, tmp_path):
    catalog, rows = own_footage
    seq = sequence_from_hits(catalog, [hit(rows[r], 0.3, 0.9) for r in ("30000/1001", "24000/1001", "25")],
                             SequenceOptions(name="Round trip é"))
    assert seq.rate == NTSC30 and seq.drop_frame      # the DF 29.97 file sets the sequence's flag
    from framesense.api import Library
    path = Library(catalog).save_sequence(seq, tmp_path / "seq one.otio")    # the service lists what it saved
    back = load(path)
    assert (back.name, back.rate, back.start_frame, back.drop_frame) == (seq.name, seq.rate, seq.start_frame, True)
    assert [c.to_json() for c in back.clips] == [c.to_json() for c in seq.clips]
    listed = catalog.query("SELECT * FROM sequences WHERE path = ?", (str(path),))
    assert listed and listed[0]["clips"] == 3 and listed[0]["rate"] == "30000/1001"


def test_load_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad.otio"
    bad.write_text("{not json")
    with pytest.raises(FrameSenseError, match="bad.otio"):
        load(bad)
    with pytest.raises(FrameSenseError, match="no such sequence"):
        load(tmp_path / "absent.otio")
