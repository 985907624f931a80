"""Supercut rules on real indexed footage with known shots: which takes, their order, joins, length,
and the same footage found twice kept once (issue 19, item 3)."""

from __future__ import annotations

import pytest

from framesense import Library, SequenceOptions
from framesense.errors import FrameSenseError
from framesense.media.synth import Shot, write_video
from framesense.search.hits import Hit

RATE = 25


@pytest.fixture(scope="module")
def lib_and_media(tmp_path_factory):
    """a.mp4 and b.mp4 share one shot (seed 1: b reuses it as its second shot); c.mp4 is its own."""
    root = tmp_path_factory.mktemp("supercut")
    footage = root / "footage"
    write_video(footage / "a.mp4", [Shot(50, 1), Shot(50, 2)], audio=None, gop=10)
    write_video(footage / "b.mp4", [Shot(50, 3), Shot(50, 1)], audio=None, gop=10)
    write_video(footage / "c.mp4", [Shot(50, 4)], audio=None, gop=10)
    library = root / "library"
    with Library.open(library) as lib:
        report = lib.index([footage], speech=False, visual=False)
        assert not report.failed
        ids = {m["path"].rsplit("/", 1)[-1]: m["id"] for m in lib.media()}
        paths = {m["path"].rsplit("/", 1)[-1]: m["path"] for m in lib.media()}
    return library, ids, paths


def hits_for(ids, paths):
    def hit(name, a, b, score):
        return Hit(media_id=ids[name], media_path=paths[name], start_frame=a, end_frame=b, rate=RATE,
                   score=score, kind="phrase", text=f"{name} {a}")
    return [hit("a.mp4", 10, 30, 0.9),     # in the shared shot
            hit("b.mp4", 60, 80, 0.8),     # the same footage, reused in b
            hit("b.mp4", 10, 30, 0.7),
            hit("a.mp4", 25, 45, 0.6),     # overlaps the first take of a
            hit("c.mp4", 0, 20, 0.95)]


def ranges(seq):
    return [(c.media.name, c.source_in, c.source_out) for c in seq.clips]


@pytest.mark.parametrize("rules, expected", [
    ({}, [("a.mp4", 10, 45), ("b.mp4", 60, 80), ("b.mp4", 10, 30), ("c.mp4", 0, 20)]),
    ({"merge_overlaps": False}, [("a.mp4", 10, 30), ("b.mp4", 60, 80), ("b.mp4", 10, 30), ("a.mp4", 25, 45),
                                 ("c.mp4", 0, 20)]),
    ({"dedupe": True}, [("a.mp4", 10, 45), ("b.mp4", 10, 30), ("c.mp4", 0, 20)]),
    ({"per_media": 1}, [("a.mp4", 10, 30), ("b.mp4", 60, 80), ("c.mp4", 0, 20)]),
    ({"order": "score"}, [("c.mp4", 0, 20), ("a.mp4", 10, 45), ("b.mp4", 60, 80), ("b.mp4", 10, 30)]),
    ({"order": "time"}, [("c.mp4", 0, 20), ("a.mp4", 10, 45), ("b.mp4", 10, 30), ("b.mp4", 60, 80)]),
    ({"order": "media"}, [("a.mp4", 10, 45), ("b.mp4", 10, 30), ("b.mp4", 60, 80), ("c.mp4", 0, 20)]),
    ({"max_duration": 2.5}, [("a.mp4", 10, 45), ("b.mp4", 60, 80)]),          # 1.4 s + 0.8 s; a third: 3.0 s
    ({"dedupe": True, "order": "score", "per_media": 1}, [("c.mp4", 0, 20), ("a.mp4", 10, 30), ("b.mp4", 10, 30)]),
])
def test_rules_pick_order_join_and_cap(lib_and_media, rules, expected):
    library, ids, paths = lib_and_media
    with Library.open(library) as lib:
        seq = lib.sequence_from_hits(hits_for(ids, paths), SequenceOptions(**rules))
    assert ranges(seq) == expected
    if rules.get("max_duration"):
        assert seq.duration / seq.rate <= rules["max_duration"]


def test_merged_takes_keep_every_marker(lib_and_media):
    library, ids, paths = lib_and_media
    with Library.open(library) as lib:
        seq = lib.sequence_from_hits(hits_for(ids, paths)[:4:3])     # the two overlapping takes of a
    (clip,) = seq.clips
    assert [m.text for m in clip.markers] == ["a.mp4 10", "a.mp4 25"]


@pytest.mark.parametrize("bad", [{"order": "loudness"}, {"per_media": 0}, {"max_duration": 0}])
def test_bad_rules_are_refused_in_words(bad):
    with pytest.raises(FrameSenseError) as err:
        SequenceOptions(**bad)
    assert str(err.value).split()[0] in ("order", "per-media", "max-duration")


def test_export_dedupes_reuses_from_the_cli(lib_and_media, tmp_path):
    """A picture of the shared shot finds it in a and in b; --dedupe keeps one; a bad rule is one line."""
    import av
    import opentimelineio as otio
    from conftest import run_cli
    library, ids, paths = lib_and_media
    with av.open(paths["a.mp4"]) as container:
        frame = next(f for i, f in enumerate(container.decode(video=0)) if i == 12)
    picture = tmp_path / "shared.png"
    frame.to_image().save(picture)

    def clips(*rules):
        out = tmp_path / "cut.otio"
        run_cli(library, "export", "--same-as", picture, "-o", out, *rules)
        return sorted(c.media_reference.target_url.rsplit("/", 1)[-1]
                      for c in otio.adapters.read_from_file(str(out)).find_clips())

    assert clips() == ["a.mp4", "b.mp4"]
    assert len(clips("--dedupe")) == 1
    proc = run_cli(library, "export", "--same-as", picture, "--order", "loudness", "-o", tmp_path / "x.otio",
                   check=False)
    assert proc.returncode == 2 and "loudness" in proc.stderr and "Traceback" not in proc.stderr


def test_app_supercut_dialog_applies_the_rules_to_every_result_as_one_undo_step(qtbot, lib_and_media, tmp_path):
    pytest.importorskip("PySide6")
    from PySide6.QtCore import QSettings

    from framesense.app.main_window import MainWindow
    from framesense.app.supercut_dialog import SupercutDialog
    library, ids, paths = lib_and_media
    win = MainWindow(library, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win, before_close_func=lambda w: w.session.mark_clean())
    win.show()
    win.search_ctl.show_hits(hits_for(ids, paths), "5 hits")
    win.session.set_pads(0.0, 0.0)                           # the player's pads apply; none here, as above
    dialog = SupercutDialog(win)
    dialog.order.setCurrentText("Best score first")
    dialog.dedupe.setChecked(True)
    dialog.per_media.setValue(1)
    with qtbot.waitSignal(dialog.finished, timeout=30_000):   # built in a worker, placed on the GUI thread
        assert dialog.make()
    got = [(c.media.name, c.source_in, c.source_out) for c in win.timeline.sequence.clips]
    assert got == [("c.mp4", 0, 20), ("a.mp4", 10, 30), ("b.mp4", 10, 30)]     # as the API's rules give
    again = SupercutDialog(win)
    again.max_duration.setValue(2.5)
    again.replace.setChecked(True)
    with qtbot.waitSignal(again.finished, timeout=30_000):
        assert again.make()
    assert again.result() == again.DialogCode.Accepted
    assert [(c.media.name, c.source_in, c.source_out) for c in win.timeline.sequence.clips] == \
           [("a.mp4", 10, 45), ("b.mp4", 60, 80)]
    win.session.undo()                           # the replace is one step
    assert len(win.timeline.sequence.clips) == 3
    cancelled = SupercutDialog(win)                          # cancelled while building: nothing lands
    assert cancelled.make()
    cancelled.reject()
    qtbot.waitUntil(lambda: cancelled.job is None, timeout=30_000)
    assert len(win.timeline.sequence.clips) == 3
    win.session.mark_clean()
    win.close()


def test_app_timeline_and_export_join_overlapping_takes_by_one_rule(qtbot, lib_and_media, tmp_path):
    """A(10-30), B(0-20), A(25-45) added one by one in the window (A key, pads 0) give the clips export
    gives (2, not 3: frames 25-30 play once), and the saved .otio read back by OTIO holds those 2."""
    pytest.importorskip("PySide6")
    import opentimelineio as otio
    from PySide6.QtCore import QSettings

    from framesense.app.main_window import MainWindow
    library, ids, paths = lib_and_media
    hit = hits_for(ids, paths)[0]
    takes = [hit, Hit(media_id=ids["b.mp4"], media_path=paths["b.mp4"], start_frame=0, end_frame=20, rate=RATE,
                      score=0.5, kind="phrase", text="b 0"), hits_for(ids, paths)[3]]
    with Library.open(library) as lib:
        exported = ranges(lib.sequence_from_hits(takes))
    assert exported == [("a.mp4", 10, 45), ("b.mp4", 0, 20)]
    win = MainWindow(library, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win, before_close_func=lambda w: w.session.mark_clean())
    win.show()
    win.session.set_pads(0.0, 0.0)
    win.search_ctl.show_hits(takes, "3 hits")
    for i in range(3):
        win.add_hits_to_timeline([i])
    assert ranges(win.session.sequence) == exported
    assert win.timeline.view.items and len(win.timeline.view.items) == 2     # the drawn timeline agrees
    saved = win.save_sequence(path=tmp_path / "joined.otio")
    back = [(c.media_reference.target_url.rsplit("/", 1)[-1], c.source_range.duration.to_frames())
            for c in otio.adapters.read_from_file(str(saved)).find_clips()]
    assert back == [("a.mp4", 35), ("b.mp4", 20)]
    win.close()
