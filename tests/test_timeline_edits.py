"""Qt-free editor operations: ripple trims, razor, ripple delete, moves, pad overlaps, autosave."""

from __future__ import annotations

from fractions import Fraction

import pytest

from framesense.timeline import autosave
from framesense.timeline.edits import AddClips, MoveMany, Razor, RippleDelete, Roll, clip_at, roll_limits, trim_edge
from framesense.timeline.supercut import join_overlaps, merge_overlaps
from framesense.timeline.model import Clip, Sequence, SourceMedia
from test_timeline import _Undo as History


A = SourceMedia(path="/m/a.mp4", rate=Fraction(25), frames=1000)
B = SourceMedia(path="/m/b.mp4", rate=Fraction(50), frames=1000)


def seq3():
    return Sequence(rate=Fraction(25), clips=[Clip(A, 0, 25), Clip(B, 100, 200), Clip(A, 500, 550)])


def ranges(seq):
    return [(c.media.name, c.source_in, c.source_out) for c in seq.clips]


def test_trim_edge_ripples_and_clamps():
    seq = seq3()
    h = History(seq)
    h.push(trim_edge(seq, 0, "out", 10))
    assert ranges(seq)[0] == ("a.mp4", 0, 35)
    assert [p.record_in for p in seq.placements()] == [0, 35, 85]      # the rest moved later: ripple
    h.push(trim_edge(seq, 1, "in", -500))                                # clamped at the file start
    assert seq.clips[1].source_in == 0
    h.push(trim_edge(seq, 2, "in", 999))                                 # never below one frame
    assert seq.clips[2].duration == 1
    for _ in range(3):
        h.undo()
    assert ranges(seq) == ranges(seq3())


def test_razor_at_record_frame_maps_rates():
    seq = seq3()
    h = History(seq)
    assert clip_at(seq, 24) == 0 and clip_at(seq, 25) == 1 and clip_at(seq, 75) == 2 and clip_at(seq, 125) is None
    h.push(Razor(35))            # 10 record frames into the 50 fps clip = 20 media frames
    assert ranges(seq)[1:3] == [("b.mp4", 100, 120), ("b.mp4", 120, 200)]
    with pytest.raises(ValueError):
        h.push(Razor(25))        # on a cut: nothing to split
    h.undo()
    assert ranges(seq) == ranges(seq3())


def test_ripple_delete_and_move_many():
    seq = seq3()
    h = History(seq)
    h.push(RippleDelete([2, 0]))
    assert ranges(seq) == [("b.mp4", 100, 200)]
    assert seq.placements()[0].record_in == 0
    h.undo()
    h.push(MoveMany([0, 1], 1))
    assert [c.source_in for c in seq.clips] == [500, 0, 100]
    h.undo()
    assert ranges(seq) == ranges(seq3())


def test_padded_overlaps_merge_or_trim():
    first = Clip(A, 0, 40)
    second = Clip(A, 30, 70)          # its pad reaches back 10 frames into the first
    other = Clip(B, 0, 10)
    assert ranges(Sequence(clips=join_overlaps([], [first, second, other], "merge"))) == \
        [("a.mp4", 0, 70), ("b.mp4", 0, 10)]
    assert [(c.source_in, c.source_out) for c in join_overlaps([], [first, second], "trim")] == [(0, 40), (40, 70)]
    assert [(c.source_in, c.source_out) for c in join_overlaps([], [first, second], "keep")] == [(0, 40), (30, 70)]
    seq = Sequence(rate=Fraction(25), clips=[first])
    h = History(seq)
    h.push(AddClips([second], mode="merge"))
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(0, 70)]
    h.undo()
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(0, 40)]
    # no frame repeats: the merged/trimmed cut shows each media frame once
    h.push(AddClips([second], mode="trim"))
    frames = [f for c in seq.clips for f in range(c.source_in, c.source_out)]
    assert len(frames) == len(set(frames)) == 70


def test_adding_takes_one_at_a_time_joins_them_as_export_does():
    """A(10-30), B(0-20), A(25-45): export makes 2 clips (A 10-45, B); adding them one by one
    to a timeline gives the same 2 clips, so frames 25-30 never play twice."""
    takes = [Clip(A, 10, 30), Clip(B, 0, 20), Clip(A, 25, 45)]
    seq = Sequence(rate=Fraction(25))
    h = History(seq)
    for take in takes:
        h.push(AddClips([take]))
    assert ranges(seq) == ranges(Sequence(clips=merge_overlaps(takes))) == [("a.mp4", 10, 45), ("b.mp4", 0, 20)]
    # trim: the later take loses the frames already on the timeline, wherever that clip sits
    assert [(c.media.name, c.source_in, c.source_out) for c in join_overlaps(takes[:2], takes[2:], "trim")] == \
        [("a.mp4", 10, 30), ("b.mp4", 0, 20), ("a.mp4", 30, 45)]
    # clips already there are never joined to each other, only to a new one
    kept = [Clip(A, 0, 40), Clip(A, 30, 70)]
    assert [(c.source_in, c.source_out) for c in join_overlaps(kept, [Clip(B, 0, 5)])] == [(0, 40), (30, 70), (0, 5)]
    # inserted before the take it overlaps: the first of the two in the list takes both, in its place
    h.push(AddClips([Clip(B, 15, 30)], index=0))
    assert ranges(seq) == [("b.mp4", 0, 30), ("a.mp4", 10, 45)]
    h.undo()
    assert ranges(seq) == [("a.mp4", 10, 45), ("b.mp4", 0, 20)]
    with pytest.raises(ValueError, match="overlap mode"):
        join_overlaps([], takes, "blend")


def test_autosave_round_trip_and_clear(tmp_path):
    seq = seq3()
    assert autosave.pending(tmp_path) is None
    autosave.write(seq, tmp_path, saved_path=tmp_path / "cut.otio")
    back, saved = autosave.read(autosave.pending(tmp_path))
    assert ranges(back) == ranges(seq) and back.rate == seq.rate and saved == tmp_path / "cut.otio"
    autosave.clear(tmp_path)
    assert autosave.pending(tmp_path) is None
    autosave.autosave_path(tmp_path).write_text("{not json")
    with pytest.raises(Exception, match="autosave"):
        autosave.read(autosave.autosave_path(tmp_path))


def test_integer_placements_match_the_exact_rational_ones():
    import random
    rng = random.Random(7)
    rates = [Fraction(24000, 1001), Fraction(25), Fraction(30000, 1001), Fraction(50), Fraction(60000, 1001)]
    media = [SourceMedia(path=f"/m/{i}.mov", rate=r, frames=10**6) for i, r in enumerate(rates)]
    for seq_rate in (Fraction(25), Fraction(24000, 1001), Fraction(30000, 1001)):
        clips = [Clip(rng.choice(media), s, s + rng.randint(2, 400)) for s in (rng.randint(0, 9000) for _ in range(300))]
        seq = Sequence(rate=seq_rate, clips=clips)
        fast = [(p.record_in, p.record_out) for p in seq._placements_int()]
        exact, elapsed, prev = [], Fraction(0), 0
        for c in clips:
            elapsed += c.seconds
            edge = (elapsed * seq_rate + Fraction(1, 2)).__floor__()
            exact.append((prev, edge))
            prev = edge
        assert fast == exact


def test_roll_moves_a_cut_in_each_clip_s_own_frames_and_keeps_the_length():
    seq = seq3()                                  # A 25 fps (0-25), B 50 fps (100-200), A (500-550); sequence 25
    h = History(seq)
    length = seq.duration
    h.push(Roll(1, 5))                            # 5 record frames: 5 frames of A, 10 of B
    assert ranges(seq)[:2] == [("a.mp4", 0, 30), ("b.mp4", 110, 200)] and seq.duration == length
    h.undo()
    assert ranges(seq) == ranges(seq3())
    assert roll_limits(seq, 1) == (-24, 49)       # A keeps a frame; B keeps 2 of its frames = 1 record frame
    with pytest.raises(ValueError, match="outside the file"):
        Roll(1, -30).do(seq)
    assert ranges(seq) == ranges(seq3())          # a refused roll leaves both clips as they were
    with pytest.raises(IndexError):
        Roll(0, 1).do(seq)
