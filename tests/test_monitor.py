"""The source monitor's controls, driven by keys and the mouse (issue 12, item 3): J/K/L shuttle both
ways at 1x/2x/4x with sound at 1x forward only, K held + J/L frame steps, the scrub bar, I/O marks
that the added clip uses, Enter in the search field plays, and a timeline clip opens in the monitor."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

pytest.importorskip("PySide6", reason="the desktop app needs PySide6 (pip install 'framesense[app]')")

from PySide6.QtCore import QPoint, Qt  # noqa: E402

from framesense.media.synth import Shot, write_video  # noqa: E402
from tests.test_app import browse, footage, index_in_window, window  # noqa: E402,F401  (fixtures)


def frames_of(player):
    shown = []
    player.frame_shown.connect(shown.append)
    return shown


def test_jkl_shuttle_both_ways_from_the_results_list(qtbot, window, footage):
    index_in_window(qtbot, window, footage)
    browse(qtbot, window, "alpha.mp4")
    player, keys = window.player, window.results.list
    player.pad_before.setValue(0.0)
    player.pad_after.setValue(0.0)
    qtbot.waitUntil(lambda: player.index == 0 and player.current_frame == 0, timeout=10_000)
    with qtbot.waitSignal(player.frame_shown, timeout=10_000, check_params_cb=lambda f: f == 25):
        qtbot.keyClick(keys, Qt.Key.Key_Right)                        # hit 2: frames 25..54
    with qtbot.waitSignal(player.frame_shown, timeout=10_000, check_params_cb=lambda f: f == 45):
        player.seek(45)
    shown = frames_of(player)
    qtbot.keyClick(keys, Qt.Key.Key_J)                                 # reverse, 1x
    assert player.playing and player.direction == -1 and player.speed == 1
    assert player._timer.interval() == 40
    qtbot.waitUntil(lambda: len(shown) >= 3, timeout=10_000)
    qtbot.keyClick(keys, Qt.Key.Key_J)                                 # again: 2x, then 4x, no further
    assert player.speed == 2 and player._timer.interval() == 20
    qtbot.keyClick(keys, Qt.Key.Key_J)
    qtbot.keyClick(keys, Qt.Key.Key_J)
    assert player.speed == 4 and player.direction == -1
    qtbot.waitUntil(lambda: not player.playing, timeout=20_000)      # stops at the hit's first frame
    assert shown == list(range(44, 24, -1))                            # every frame, backwards, exactly
    assert player.index == 1 and player.current_frame == 25
    shown.clear()
    qtbot.keyClick(keys, Qt.Key.Key_L)                                 # forward from there, 1x
    assert player.playing and player.direction == 1 and player.speed == 1
    qtbot.waitUntil(lambda: len(shown) >= 3, timeout=10_000)
    qtbot.keyClick(keys, Qt.Key.Key_L)
    assert player.speed == 2
    qtbot.keyClick(keys, Qt.Key.Key_J)                                 # J while going forward: reverse at 1x
    assert player.playing and player.direction == -1 and player.speed == 1
    qtbot.waitUntil(lambda: len(shown) >= 2 and shown[-1] < max(shown), timeout=10_000)
    qtbot.keyClick(keys, Qt.Key.Key_L)                                 # and L turns it forward again
    assert player.playing and player.direction == 1 and player.speed == 1
    qtbot.keyClick(keys, Qt.Key.Key_K)
    assert not player.playing
    top = max(shown)
    assert shown[:top - 25] == list(range(26, top + 1))[:top - 25]    # forward run started on the next frame


def test_k_held_steps_io_marks_and_the_added_clip_uses_them(qtbot, window, footage):
    index_in_window(qtbot, window, footage)
    browse(qtbot, window, "alpha.mp4")
    player, keys = window.player, window.results.list
    player.pad_before.setValue(0.2)                                    # hit 2 (25..55) padded: 20..55
    player.pad_after.setValue(0.0)
    qtbot.waitUntil(lambda: player.current_frame == 0, timeout=10_000)
    with qtbot.waitSignal(player.frame_shown, timeout=10_000, check_params_cb=lambda f: f == 20):
        qtbot.keyClick(keys, Qt.Key.Key_Right)
    assert (player.scrub.first, player.scrub.last, player.scrub.hit) == (20, 55, (25, 55))   # pads and hit
    qtbot.keyPress(keys, Qt.Key.Key_K)
    assert player.k_held
    for expected in (21, 22, 23):                                      # K held + L: one frame forward each
        with qtbot.waitSignal(player.frame_shown, timeout=10_000, check_params_cb=lambda f, e=expected: f == e):
            qtbot.keyClick(keys, Qt.Key.Key_L)
        assert not player.playing
    with qtbot.waitSignal(player.frame_shown, timeout=10_000, check_params_cb=lambda f: f == 22):
        qtbot.keyClick(keys, Qt.Key.Key_J)                             # K held + J: one back
    qtbot.keyRelease(keys, Qt.Key.Key_K)
    assert not player.k_held and not player.playing
    qtbot.keyClick(keys, Qt.Key.Key_I)                                 # in at 22
    bar = player.scrub
    # a fast drag: one decode in flight and the newest position next, not one decode per mouse move
    starts, start_job = [], player._start_job
    player._start_job = lambda item, first: (starts.append(first), start_job(item, first))
    qtbot.mousePress(bar, Qt.MouseButton.LeftButton, pos=QPoint(int(bar.x_of(21.5)), 8))
    for f in range(22, 52):
        qtbot.mouseMove(bar, QPoint(int(bar.x_of(f + 0.5)), 8))
    qtbot.mouseRelease(bar, Qt.MouseButton.LeftButton, pos=QPoint(int(bar.x_of(51.5)), 8))
    qtbot.waitUntil(lambda: player.current_frame == bar.frame_at(int(bar.x_of(51.5))), timeout=10_000)
    assert 2 <= len(starts) <= 4 and starts[-1] == player.current_frame, starts
    player._start_job = start_job
    # drag on the scrub bar to about frame 40, then O there
    x = int(bar.x_of(40.5))
    with qtbot.waitSignal(player.frame_shown, timeout=10_000, check_params_cb=lambda f: f == bar.frame_at(x)):
        qtbot.mousePress(bar, Qt.MouseButton.LeftButton, pos=QPoint(int(bar.x_of(30.5)), 8))
        qtbot.mouseMove(bar, QPoint(x, 8))
        qtbot.mouseRelease(bar, Qt.MouseButton.LeftButton, pos=QPoint(x, 8))
    out_frame = player.current_frame
    assert abs(out_frame - 40) <= 1
    qtbot.keyClick(keys, Qt.Key.Key_O)
    assert bar.marks == (22, out_frame + 1)
    assert window.playlist.marks == {1: (22, out_frame + 1)}
    qtbot.keyClick(keys, Qt.Key.Key_A)                                 # adds the current hit with its marks
    assert [(c.source_in, c.source_out) for c in window.timeline.sequence.clips] == [(22, out_frame + 1)]
    window.results.list.setCurrentRow(2)
    qtbot.keyClick(keys, Qt.Key.Key_A)                                 # an unmarked hit: its padded range
    assert [(c.source_in, c.source_out) for c in window.timeline.sequence.clips][1] == (50, 75)


def test_enter_plays_and_a_timeline_clip_opens_in_the_monitor_with_its_trims(qtbot, window, footage, tmp_path):
    import shutil
    folder = tmp_path / "reused"
    folder.mkdir()
    alpha = str(shutil.copy(footage / "alpha.mp4", folder / "alpha.mp4"))
    shutil.copy(footage / "alpha.mp4", folder / "archive copy.mp4")   # a reuse: found by picture fingerprints
    assert window.add_folder(folder, speech=False) is not None         # (no model needed)
    qtbot.waitUntil(lambda: not window.indexing, timeout=60_000)
    window.player.pad_before.setValue(0.0)
    window.player.pad_after.setValue(0.0)
    window.search.set_query("same footage", f"{alpha}@1.5")
    window.activateWindow()
    window.search.field.setFocus()
    states = []
    window.player.state_changed.connect(states.append)
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.searching, timeout=30_000)
    assert window.results.hits, (window.results.summary.text(), window.last_error)
    assert states and states[-1] is True, states                       # Enter searched and plays the hits
    assert window.results.list.hasFocus()                              # the hits take the keys
    qtbot.keyClick(window.results.list, Qt.Key.Key_K)
    assert not window.player.playing
    window.add_hits_to_timeline([0])
    clip = window.timeline.sequence.clips[0]
    window.timeline.trim_clip(0, clip.source_in + 3, clip.source_out - 2)
    trimmed = window.timeline.sequence.clips[0]
    view = window.timeline.view
    item = view.items[0]
    from PySide6.QtCore import QPointF
    pos = view.mapFromScene(QPointF(item.x() + item.width() / 2, item.boundingRect().center().y()))
    with qtbot.waitSignal(window.player.frame_shown, timeout=10_000,
                          check_params_cb=lambda f: f == trimmed.source_in):
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert window.playlist_mode == "sequence" and not window.player.playing
    monitor = window.player.items[0]
    assert (monitor.first, monitor.last) == (trimmed.source_in, trimmed.source_out)
    assert (window.player.scrub.first, window.player.scrub.last) == (trimmed.source_in, trimmed.source_out)
    # I / O on a timeline clip trim it (one undoable edit each)
    window.player.setFocus()
    with qtbot.waitSignal(window.player.frame_shown, timeout=10_000):
        qtbot.keyClick(window.player, Qt.Key.Key_Period)
    qtbot.keyClick(window.player, Qt.Key.Key_I)
    assert window.timeline.sequence.clips[0].source_in == trimmed.source_in + 1
    window.session.undo()
    assert window.timeline.sequence.clips[0].source_in == trimmed.source_in


def test_sound_plays_at_1x_forward_only(qtbot, tmp_path):
    """A steady tone into the WAV sink: heard at 1x, silent at 2x and in reverse."""
    from framesense.app.audio_out import WavOutput
    from framesense.app.player import Player, PlayItem
    from tests.test_audio_out import SR, read_wav
    clip = write_video(tmp_path / "tone.mp4", [Shot(150, 1)], rate="25", audio="tone", gop=10)
    player = Player(None, 0.0, 0.0)
    qtbot.addWidget(player)
    player.show()
    out = WavOutput(tmp_path / "t.wav")
    player.use_output(out)
    player.set_playlist([PlayItem(str(clip.path), Fraction(25), 0, 150, "tone")], 0)
    spans = {}

    def run(name, action, frames):
        shown = frames_of(player)
        a = out.position()
        action()
        qtbot.waitUntil(lambda: len(shown) >= frames, timeout=20_000)
        spans[name] = (a + SR // 10, out.position())                  # the first 100 ms: the change settles
        player.frame_shown.disconnect()
    run("1x", player.faster, 20)
    assert player.track.active
    run("2x", player.faster, 30)
    assert player.speed == 2 and not player.track.active
    run("reverse", player.reverse, 15)
    assert player.direction == -1 and not player.track.active
    player.pause()
    player.shutdown()
    out.finish()
    wav = read_wav(tmp_path / "t.wav")
    rms = {k: float(np.sqrt((wav[a:b] ** 2).mean())) for k, (a, b) in spans.items()}
    assert rms["1x"] > 0.02 and rms["2x"] < rms["1x"] / 50 and rms["reverse"] < rms["1x"] / 50, rms
