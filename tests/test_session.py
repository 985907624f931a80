"""The Session owns the sequence: edits, undo history, the unsaved flag, its path and autosave,
with no Qt and no window (issue 23, item 9)."""

from __future__ import annotations

from fractions import Fraction

from framesense import Library
from framesense.session import Session
from framesense.timeline import edits
from framesense.timeline.model import Clip, Sequence, SourceMedia

A = SourceMedia(path="/m/a.mp4", rate=Fraction(25), frames=1000)


def ranges(seq):
    return [(c.source_in, c.source_out) for c in seq.clips]


def watch(session):
    seen = {"dirty": [], "edited": 0, "refused": []}
    session.dirty_changed.connect(seen["dirty"].append)
    session.sequence_edited.connect(lambda: seen.__setitem__("edited", seen["edited"] + 1))
    session.edit_refused.connect(seen["refused"].append)
    return seen


def test_edits_undo_redo_and_the_unsaved_flag_follow_the_history():
    s = Session()
    seen = watch(s)
    assert not s.dirty and not s.history.can_undo
    assert s.add_clips([Clip(A, 0, 40)]) and s.add_clips([Clip(A, 30, 70)])     # joined: one clip
    assert ranges(s.sequence) == [(0, 70)] and s.dirty and seen["dirty"] == [True]
    assert s.edit(edits.trim_edge(s.sequence, 0, "out", -10))
    assert ranges(s.sequence) == [(0, 60)] and s.history.undo_text == "Trim out-point"
    # a refused edit changes nothing and is said in words
    assert not s.edit(edits.Trim(0, source_out=5000))
    assert ranges(s.sequence) == [(0, 60)] and "outside the file" in seen["refused"][0]
    s.mark_clean()                                  # as saving does
    assert not s.dirty and seen["dirty"] == [True, False]
    assert s.undo() and ranges(s.sequence) == [(0, 70)] and s.dirty
    assert s.redo() and ranges(s.sequence) == [(0, 60)] and not s.dirty          # back at the saved state
    assert s.undo() and s.undo() and s.undo() and s.sequence.clips == [] and not s.undo()
    assert seen["edited"] == 3 + 2 + 3
    # a new edit after undoing past the save: the saved state can no longer be reached
    s.add_clips([Clip(A, 5, 9)])
    while s.history.can_undo:
        s.undo()
    assert s.dirty


def test_autosave_and_recovery_through_the_session(tmp_path):
    s = Session()
    s.autosave_dir = tmp_path
    assert s.autosave() is None                     # nothing unsaved: nothing written
    s.add_clips([Clip(A, 0, 25), Clip(A, 100, 150)])
    assert s.autosave().is_file()
    later = Session()                               # the next run, after a crash
    later.autosave_dir = tmp_path
    seq, saved = later.pending_recovery()
    later.recover(seq, saved)
    assert ranges(later.sequence) == [(0, 25), (100, 150)] and later.dirty and not later.history.can_undo
    later.discard_autosave()
    assert later.pending_recovery() is None


def test_saving_marks_clean_clears_the_autosave_and_opening_resets_the_history(tmp_path):
    from framesense.media.synth import Shot, write_video
    write_video(tmp_path / "footage" / "a.mp4", [Shot(50, 1)], audio=None, gop=10)
    with Library.open(tmp_path / "lib") as lib:
        lib.index([tmp_path / "footage"], speech=False, visual=False)
        media = SourceMedia.from_row(lib.media()[0])
        s = Session(lib)
        s.autosave_dir = tmp_path / "lib"
        s.add_clips([Clip(media, 0, 20)])
        s.autosave()
        path = s.save_sequence(tmp_path / "cut.otio")
        assert not s.dirty and s.sequence_path == path and s.pending_recovery() is None
        opened = []
        s.sequence_changed.connect(lambda seq, p: opened.append(p))
        s.open_sequence(path)
        assert opened == [path] and ranges(s.sequence) == [(0, 20)] and not s.dirty and not s.history.can_undo
        s.set_sequence(Sequence(name="other"))
        assert s.sequence_path is None and s.sequence.clips == []
