"""The timeline widget driven with the mouse and keys in the real window (offscreen), real media."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6", reason="the desktop app needs PySide6 (pip install 'framesense[app]')")

from PySide6.QtCore import QPoint, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from framesense.media.synth import Shot, write_video  # noqa: E402
from framesense.search.hits import Hit  # noqa: E402

RATE = 25


@pytest.fixture(scope="module")
def footage(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tlfootage")
    write_video(folder / "long.mp4", [Shot(100, 1), Shot(100, 2)], rate=str(RATE),
                start_timecode="01:00:00:00", audio="tone", gop=10)
    return folder


@pytest.fixture
def window(qtbot, library, tmp_path, footage):
    from framesense.app.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(library, settings=settings)
    qtbot.addWidget(win, before_close_func=lambda w: w.session.mark_clean())  # no unsaved question
    win.resize(1200, 760)
    win.show()
    qtbot.waitExposed(win)
    worker = win.add_folder(footage, speech=False, visual=False)
    assert worker is not None
    qtbot.waitUntil(lambda: not win.indexing, timeout=60_000)
    yield win
    win.session.mark_clean()
    win.close()


def add_hits(win, spans):
    """Put hits of the given (start, end) seconds in the results and add them to the timeline."""
    mid, path = _media(win)
    hits = [Hit.from_seconds(media_id=mid, media_path=path, start=s, end=e, rate=RATE, score=1.0, kind="phrase",
                             text=f"hit {i}") for i, (s, e) in enumerate(spans)]
    win.session.set_results(hits)
    win.add_hits_to_timeline(list(range(len(hits))))


def _media(win):
    row = win.session.library.catalog.one("SELECT id, path FROM media WHERE path LIKE '%long.mp4'")
    return row["id"], row["path"]


def clip_pos(view, index, where="mid", dy=None):
    """A viewport point on clip ``index``: its in edge, out edge or middle."""
    from framesense.app.timeline_items import V_H, V_TOP
    item = view.items[index]
    x = {"in": item.x() + 2, "out": item.x() + item.width() - 2, "mid": item.x() + item.width() / 2}[where]
    return view.mapFromScene(x, V_TOP + (V_H / 2 if dy is None else dy))


def drag(qtbot, view, start: QPoint, end: QPoint):
    vp = view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    steps = 6
    for i in range(1, steps + 1):
        p = start + (end - start) * i / steps
        qtbot.mouseMove(vp, p)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=end)


def test_drive_the_timeline(qtbot, window, tmp_path):
    tl = window.timeline
    view = tl.view
    window.player.pad_before.setValue(0.0)
    window.player.pad_after.setValue(0.0)
    add_hits(window, [(0.0, 1.0), (2.0, 8.0)])
    seq = tl.sequence
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(0, 25), (50, 200)]
    assert window.windowTitle().count("*") == 1                    # the first edit marks the title
    w1, w6 = (it.width() for it in view.items)
    assert abs(w6 - 6 * w1) <= 2, (w1, w6)                          # widths proportional within 2 px

    view.set_zoom(4.0)                                              # 4 px a frame
    view.horizontalScrollBar().setValue(0)
    # Trim the first clip's out edge by dragging 10 frames (40 px) left: the source range changes by 10.
    start = clip_pos(view, 0, "out")
    drag(qtbot, view, start, start + QPoint(-40, 0))
    assert (seq.clips[0].source_in, seq.clips[0].source_out) == (0, 15)
    assert seq.placements()[1].record_in == 15                      # ripple: the next clip follows
    # And the second clip's in edge 8 frames later.
    start = clip_pos(view, 1, "in")
    drag(qtbot, view, start, start + QPoint(32, 0))
    assert (seq.clips[1].source_in, seq.clips[1].source_out) == (58, 200)

    # Razor at the playhead, then ripple delete the first half.
    view.setFocus()
    view.set_playhead(15 + 42)                                      # 42 frames into the second clip
    qtbot.keyClick(view, Qt.Key.Key_B)
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(0, 15), (58, 100), (100, 200)]
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=clip_pos(view, 1))
    assert view.selected == {1}
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(0, 15), (100, 200)]
    assert seq.placements()[1].record_in == 15

    # Drag to reorder: the last clip before the first.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=clip_pos(view, 1))
    drag(qtbot, view, clip_pos(view, 1), view.mapFromScene(2, 60))
    assert [c.source_in for c in seq.clips] == [100, 0]

    # Space on the timeline asks to play the sequence from the playhead.
    with qtbot.waitSignal(tl.play_from, timeout=2000) as sig:
        view.set_playhead(10)
        qtbot.keyClick(view, Qt.Key.Key_Space)
    assert sig.args == [10]
    window.player.pause()

    # Undo everything: back to the two added clips, then to nothing.
    while window.session.history.can_undo:
        window.session.undo()
    assert seq.clips == [] and not tl.dirty
    window.session.redo()
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(0, 25), (50, 200)]
    saved = window.save_sequence(path=tmp_path / "cut.otio")
    assert "*" not in window.windowTitle()
    window.new_sequence()
    assert window.open_sequence(saved)
    assert [(c.source_in, c.source_out) for c in tl.sequence.clips] == [(0, 25), (50, 200)]


def test_fields_follow_the_selection_so_a_trim_cannot_hit_the_wrong_clip(qtbot, window):
    tl = window.timeline
    window.player.pad_before.setValue(0.0)
    window.player.pad_after.setValue(0.0)
    add_hits(window, [(0.0, 1.0), (5.6, 6.8)])
    seq = tl.sequence
    tl.view.select(0)
    assert tl.trim_in.value() == 0
    # Playback moves through the clips: the playhead follows, the fields still show the selection.
    tl.follow_playback(1, 150)
    assert tl.view.playhead == 25 + 10 and tl.view.current == 0
    tl.view.select(1)                                       # selecting another clip reloads the fields
    assert (tl.trim_in.value(), tl.trim_out.value()) == (140, 170)
    tl.trim_in.stepUp()                                     # one Up-arrow: only the selected clip changes
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(0, 25), (141, 170)]
    # A trim aimed at a clip that is no longer there is refused.
    old = seq.clips[0]
    window.session.undo()
    errors = []
    tl.error.connect(errors.append)
    tl.trim_edge(1, "in", 5, expect=old)
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(0, 25), (140, 170)] and errors
    tl.view.select(-1)
    assert not tl.trim_in.isEnabled()


def test_quit_new_and_open_ask_before_discarding(qtbot, window):
    add_hits(window, [(0.0, 1.0)])
    assert window.timeline.dirty
    answers = []

    def answer(button):
        def click():
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox):
                answers.append(box.text())
                box.button(button).click()
        QTimer.singleShot(50, click)

    answer(QMessageBox.StandardButton.Cancel)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(200)
    assert answers and "unsaved" in answers[0] and window.isVisible()   # asked, and Cancel kept it open
    answer(QMessageBox.StandardButton.Cancel)
    window.new_sequence()
    assert len(window.timeline.sequence.clips) == 1
    answer(QMessageBox.StandardButton.Discard)
    window.new_sequence()
    assert window.timeline.sequence.clips == [] and len(answers) == 3


def test_autosave_is_offered_back(qtbot, window):
    tl = window.timeline
    add_hits(window, [(0.0, 1.0), (2.0, 3.0)])
    tl.autosave_now()
    clips = [(c.source_in, c.source_out) for c in tl.sequence.clips]
    window.session.new_sequence()                             # the next session, after a crash, starts empty
    assert window.offer_recovery(ask=False)
    assert [(c.source_in, c.source_out) for c in window.session.sequence.clips] == clips
    assert window.timeline.sequence is window.session.sequence and window.timeline.dirty and window.session.dirty


def test_export_dialog_handles_overwrite_and_errors_in_words(qtbot, window, tmp_path):
    import opentimelineio as otio
    add_hits(window, [(0.0, 1.0), (4.0, 5.0)])
    (tmp_path / "seqs").mkdir()
    window.save_sequence(path=tmp_path / "seqs" / "cut.otio")
    dlg = window.export_dialog()
    assert Path(dlg.path.text()).parent == tmp_path / "seqs"          # the sequence's folder, not home
    asked = []
    dlg.ask = lambda p: asked.append(p) or False                       # the user says: keep the old file
    dlg.set_format("otio")
    target = tmp_path / "out.otio"
    dlg.path.setText(str(target))
    dlg.rate.setCurrentText("abc")
    assert not dlg.export()
    assert "not a frame rate" in dlg.result.text() and "Fraction" not in dlg.result.text()
    dlg.rate.setCurrentText("25")
    dlg.handles.setValue(12)
    assert dlg.export(), dlg.result.text()
    assert dlg.show_folder.isVisibleTo(dlg) and "12-frame handles" in dlg.result.text()
    assert otio.adapters.read_from_file(str(target)).tracks[0][0].name is not None
    assert not dlg.export() and asked == [target]                      # exists: asked, and kept
    assert window.timeline.sequence.clips[0].handles == 0               # the edit itself is untouched


@pytest.mark.parametrize("ppf", [0.6, 4.0, 20.0])          # about Fit, normal, zoomed in to 20 px a frame
def test_a_press_takes_the_edge_it_points_at_each_side_of_a_cut(qtbot, window, ppf):
    """2 px left of a cut grabs the outgoing clip's tail, 2 px right the incoming clip's head, Alt rolls
    the cut; at three zoom levels, pressing at pixel positions in the real view."""
    from framesense.app.timeline_items import V_H, V_TOP
    tl, view, session = window.timeline, window.timeline.view, window.session
    window.player.pad_before.setValue(0.0)
    window.player.pad_after.setValue(0.0)
    add_hits(window, [(0.0, 3.0), (5.0, 8.0)])                  # (0, 75) then (125, 200): a cut at record 75
    seq = session.sequence
    base = [(c.source_in, c.source_out) for c in seq.clips]
    assert base == [(0, 75), (125, 200)]
    view.set_zoom(ppf)
    cut_x = 75 * view.px_per_frame
    view.horizontalScrollBar().setValue(max(0, int(cut_x - 300)))
    k = 20 if ppf < 10 else 5                                   # frames to drag: 12, 80 and 100 px
    y = V_TOP + V_H / 2

    def at(dx):
        return view.mapFromScene(cut_x + dx, y)

    def press_drag(dx_press, frames, alt=False):
        start = at(dx_press)
        end = start + QPoint(round(frames * view.px_per_frame), 0)
        mod = Qt.KeyboardModifier.AltModifier if alt else Qt.KeyboardModifier.NoModifier
        vp = view.viewport()
        qtbot.mousePress(vp, Qt.MouseButton.LeftButton, mod, start)
        for i in range(1, 5):
            qtbot.mouseMove(vp, start + (end - start) * i / 4)
        readout = view._trim_label.text() if view._readout.isVisible() else ""
        qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, mod, end)
        return readout

    said = press_drag(-2, -k)                                   # left of the cut: the outgoing tail
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(0, 75 - k), (125, 200)], ppf
    assert said.startswith("Ripple out") and "(-%d fr)" % k in said
    session.undo()
    said = press_drag(+2, k)                                    # right of it: the incoming head
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(0, 75), (125 + k, 200)], ppf
    assert said.startswith("Ripple in")
    session.undo()
    length = seq.duration
    said = press_drag(-2, k, alt=True)                          # Alt: a roll, the cut moves, the length stays
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(0, 75 + k), (125 + k, 200)], ppf
    assert seq.duration == length and said.startswith("Roll")
    session.undo()
    assert [(c.source_in, c.source_out) for c in seq.clips] == base
    # the middle of a clip is no edge: a drag there moves the clip instead of trimming it
    assert view.edge_at(view.mapToScene(at(-round(37 * view.px_per_frame)))) is None


def test_edge_zones_in_pixels_never_pass_the_middle_of_a_clip():
    from framesense.app.timeline_edges import EdgeGrab, edge_at
    cuts = [0.0, 100.0, 104.0, 300.0]                           # a 4 px clip between two wide ones
    assert edge_at(97, cuts).edge == "out" and edge_at(97, cuts).index == 0
    assert edge_at(100, cuts).edge == "in" and edge_at(100, cuts).index == 1
    assert edge_at(101, cuts) == EdgeGrab("in", 1, 1) and edge_at(103, cuts) == EdgeGrab("out", 1, 2)
    assert edge_at(104.5, cuts) == EdgeGrab("in", 2, 2)
    assert edge_at(150, cuts) is None and edge_at(93, cuts) is None
    assert edge_at(303, cuts).edge == "out" and edge_at(303, cuts).index == 2      # past the end: the last tail
    assert edge_at(2, cuts).edge == "in" and edge_at(2, cuts, roll=True).edge == "in"   # no roll at the start
    assert edge_at(98, cuts, roll=True).edge == "roll" and edge_at(98, cuts, roll=True).index == 1


def test_markers_added_at_the_playhead_renamed_moved_and_deleted_undoably(qtbot, window):
    tl, view, session, panel = window.timeline, window.timeline.view, window.session, window.markers
    window.player.pad_before.setValue(0.0)
    window.player.pad_after.setValue(0.0)
    add_hits(window, [(0.0, 2.0), (4.0, 6.0)])                    # (0, 50) and (100, 150); each has its words' marker
    seq = session.sequence
    found = panel.list.topLevelItemCount()
    view.set_zoom(4.0)
    view.horizontalScrollBar().setValue(0)
    view.setFocus()
    view.set_playhead(30)
    qtbot.keyClick(view, Qt.Key.Key_M)                           # M: a marker at the playhead
    assert panel.list.topLevelItemCount() == found + 1
    added = [m for m in seq.clips[0].markers if m.name.startswith("Marker")]
    assert len(added) == 1 and added[0].frame == 30
    assert any(rec == 30 and m is added[0] for rec, _, _, m in view.markers)     # its flag on the ruler
    item = next(panel.list.topLevelItem(i) for i in range(panel.list.topLevelItemCount())
                if panel.list.topLevelItem(i).text(1).startswith("Marker"))
    assert item.text(0) == "01:00:01:05"                          # record timecode of frame 30 at 25 fps
    panel.rename(item, "Good take")
    assert [m.name for m in seq.clips[0].markers if m.frame == 30] == ["Good take"]
    # drag its flag on the ruler 40 frames later: it moves onto the second clip (record 70 = media 120)
    vp = view.viewport()
    start = view.mapFromScene(30 * 4.0, 10)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, 5):
        qtbot.mouseMove(vp, start + QPoint(40, 0) * i)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(160, 0))
    assert not any(m.name == "Good take" for m in seq.clips[0].markers)
    assert [m.frame for m in seq.clips[1].markers if m.name == "Good take"] == [120]
    assert view.playhead == 30                                    # the drag moved the marker, not the playhead
    session.undo()
    assert [m.frame for m in seq.clips[0].markers if m.name == "Good take"] == [30]
    # Delete in the list removes it; undo brings it back; a click on a marker moves the playhead there
    item = next(panel.list.topLevelItem(i) for i in range(panel.list.topLevelItemCount())
                if panel.list.topLevelItem(i).text(1) == "Good take")
    panel.list.setCurrentItem(item)
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert not any(m.name == "Good take" for c in seq.clips for m in c.markers)
    session.undo()
    view.set_playhead(0)
    window.markers_dock.raise_()                                  # the Markers tab in front
    qtbot.waitUntil(panel.list.isVisible)
    item = next(panel.list.topLevelItem(i) for i in range(panel.list.topLevelItemCount())
                if panel.list.topLevelItem(i).text(1) == "Good take")
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=panel.list.visualItemRect(item).center())
    assert view.playhead == 30
    session.undo()
    session.undo()
    assert not any(m.name.startswith(("Marker", "Good")) for c in seq.clips for m in c.markers)


def test_export_dialog_folder_options_and_file_modes(qtbot, window, tmp_path, library):
    import os
    from pathlib import Path as P

    from framesense.app.dialogs import NO_HANDLES, PREMIERE_EDL
    add_hits(window, [(0.0, 1.0), (4.0, 5.0)])
    dlg = window.export_dialog()                                       # nothing saved or exported yet: home
    assert P(dlg.path.text()).parent == P.home()
    window.settings.setValue("export/folder", str(library))            # never inside the library
    assert window.export_folder() == P.home()
    window.settings.setValue("export/folder", str(tmp_path))           # the last export's folder first
    dlg = window.export_dialog()
    assert P(dlg.path.text()).parent == tmp_path
    dlg.set_format("edl")
    assert not dlg.handles.isEnabled() and dlg.handles.toolTip() == NO_HANDLES["edl"]
    dlg.set_format("fcp7")
    assert dlg.handles.isEnabled()
    dlg.format.setCurrentText(PREMIERE_EDL)                            # Premiere: no EDL comment lines
    dlg.path.setText(str(tmp_path / "premiere.edl"))
    assert dlg.export(), dlg.result.text()
    text = (tmp_path / "premiere.edl").read_text()
    assert "FCM:" in text and not any(line.startswith("*") for line in text.splitlines())
    dlg.set_format("edl")
    dlg.path.setText(str(tmp_path / "plain.edl"))
    assert dlg.export() and any(line.startswith("* ") for line in (tmp_path / "plain.edl").read_text().splitlines())
    # every file written, .otio included, gets the user's umask mode (not mkstemp's 0600)
    umask = os.umask(0)
    os.umask(umask)
    dlg.set_format("otio")
    dlg.path.setText(str(tmp_path / "cut.otio"))
    assert dlg.export()
    saved = window.save_sequence(path=tmp_path / "saved.otio")
    for path in (tmp_path / "cut.otio", saved, tmp_path / "premiere.edl"):
        assert (path.stat().st_mode & 0o777) == 0o666 & ~umask, path
