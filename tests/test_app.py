"""The desktop app, driven for real: offscreen window, real media, real catalog, real exports."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

pytest.importorskip("PySide6", reason="the desktop app needs PySide6 (pip install 'framesense[app]')")

from PySide6.QtCore import QSettings, Qt, QTimer  # noqa: E402

from framesense.media.synth import Shot, write_video  # noqa: E402

RATE = 25


@pytest.fixture(scope="module")
def footage(tmp_path_factory) -> Path:
    """Two tiny clips with known shots and start timecodes, and a file that is not media."""
    folder = tmp_path_factory.mktemp("footage")
    write_video(folder / "alpha.mp4", [Shot(25, 1), Shot(30, 2), Shot(20, 3)], rate=str(RATE),
                start_timecode="01:00:00:00", audio=None, gop=10)
    write_video(folder / "beta.mp4", [Shot(20, 4), Shot(25, 5)], rate=str(RATE),
                start_timecode="10:00:00:00", audio=None, gop=10)
    (folder / "broken.mp4").write_bytes(b"not a video at all " * 50)
    return folder


@pytest.fixture
def window(qtbot, library, tmp_path):
    from framesense.app.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(library, settings=settings)
    qtbot.addWidget(win, before_close_func=lambda w: w.session.mark_clean())  # no unsaved question
    win.resize(1200, 760)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.session.mark_clean()
    win.close()


def index_in_window(qtbot, win, folder, **options):
    worker = win.add_folder(folder, speech=False, visual=False, **options)
    assert worker is not None
    qtbot.waitUntil(lambda: not win.indexing, timeout=60_000)
    return worker


def test_add_folder_indexes_in_background_and_shows_failures(qtbot, window, footage):
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    stages = []
    worker = window.add_folder(footage, speech=False, visual=False)
    worker.signals.stage.connect(lambda name, f, note: stages.append((name, f)))
    assert window.indexing
    qtbot.waitUntil(lambda: not window.indexing, timeout=60_000)
    timer.stop()
    # The GUI thread kept turning while the worker indexed.
    assert len(ticks) >= 3, f"event loop stalled during indexing ({len(ticks)} ticks)"
    assert ("shots", 1.0) in stages
    items = window.library.media_items()
    assert items["alpha.mp4"].text(1) == "indexed"
    assert items["alpha.mp4"].text(3) == "25"
    assert items["alpha.mp4"].text(4) == "01:00:00:00"
    assert items["beta.mp4"].text(2) == "1.80 s"
    assert items["broken.mp4"].text(1) == "failed"
    assert "not a readable media file" in items["broken.mp4"].text(5)
    assert "1 failed" in window.library.progress.label.text()


def test_cancel_stops_between_files(qtbot, window, footage):
    worker = window.add_folder(footage, speech=False, visual=False)
    # Press cancel from inside the first file's callback: deterministic, whatever the machine's speed.
    worker.signals.file_done.connect(lambda outcome: worker.cancel(), Qt.ConnectionType.DirectConnection)
    qtbot.waitUntil(lambda: not window.indexing, timeout=60_000)
    assert "cancelled" in window.library.progress.label.text()
    rows = window.session.library.catalog.media_list()
    assert len(rows) == 1                      # one file done, the other two never started
    assert rows[0]["status"] in ("indexed", "failed")


def browse(qtbot, win, name):
    items = win.library.media_items()
    win.library.tree.setCurrentItem(items[name])
    qtbot.waitUntil(lambda: len(win.results.hits) > 0, timeout=5000)
    win.results.list.setFocus()


def test_player_steps_through_hits_frame_accurately(qtbot, window, footage):
    index_in_window(qtbot, window, footage)
    browse(qtbot, window, "alpha.mp4")
    assert [(h.start, h.end) for h in window.results.hits] == [(0.0, 1.0), (1.0, 2.2), (2.2, 3.0)]
    assert "01:00:01:00" in window.results.list.item(1).text()  # start timecode + offset
    window.player.pad_before.setValue(0.2)
    window.player.pad_after.setValue(0.0)
    # Padded in-points: shot 2 starts at frame 25, 0.2 s earlier is frame 20.
    with qtbot.waitSignal(window.player.frame_shown, timeout=10_000,
                          check_params_cb=lambda f: f == 0):
        window.player.cue(0)
    for expected in (20, 50):
        with qtbot.waitSignal(window.player.frame_shown, timeout=10_000,
                              check_params_cb=lambda f, e=expected: f == e):
            qtbot.keyClick(window.results.list, Qt.Key.Key_Right)
    assert window.results.selected_indices() == [2]      # the list follows the player
    assert window.player.position.text() == "01:00:02:00"
    with qtbot.waitSignal(window.player.frame_shown, timeout=10_000, check_params_cb=lambda f: f == 20):
        qtbot.keyClick(window.results.list, Qt.Key.Key_Left)
    # One frame forward, one back: exact frames, not keyframes.
    with qtbot.waitSignal(window.player.frame_shown, timeout=10_000, check_params_cb=lambda f: f == 21):
        qtbot.keyClick(window.results.list, Qt.Key.Key_Period)
    with qtbot.waitSignal(window.player.frame_shown, timeout=10_000, check_params_cb=lambda f: f == 20):
        qtbot.keyPress(window.results.list, Qt.Key.Key_K)          # K held + J: one frame back (J alone reverses)
        qtbot.keyClick(window.results.list, Qt.Key.Key_J)
        qtbot.keyRelease(window.results.list, Qt.Key.Key_K)
    assert not window.player.playing and not window.player.k_held
    # Play: runs to the end of the hit, then on into the next one.
    shown = []
    window.player.frame_shown.connect(lambda f: shown.append((window.player.index, f)))
    qtbot.keyClick(window.results.list, Qt.Key.Key_Space)
    assert window.player.playing
    qtbot.waitUntil(lambda: (2, 50) in shown, timeout=20_000)
    qtbot.keyClick(window.results.list, Qt.Key.Key_K)
    assert not window.player.playing
    assert [f for i, f in shown if i == 1] == list(range(21, 55))   # every frame up to the out-point
    assert window.player.index == 2


def test_timeline_add_reorder_undo_and_export_edl(qtbot, window, footage, tmp_path):
    pycmx = pytest.importorskip("pycmx")
    index_in_window(qtbot, window, footage)
    browse(qtbot, window, "alpha.mp4")
    window.player.pad_before.setValue(0.0)
    window.player.pad_after.setValue(0.0)
    window.results.list.setCurrentRow(0)
    window.results.list.setFocus()
    qtbot.keyClick(window.results.list, Qt.Key.Key_A)          # the key adds the current hit
    window.results.list.setCurrentRow(1)
    window.results.list.item(2).setSelected(True)
    qtbot.mouseClick(window.results.add_button, Qt.MouseButton.LeftButton)   # the button adds the selection
    seq = window.timeline.sequence
    assert [(c.source_in, c.source_out) for c in seq.clips] == [(0, 25), (25, 55), (55, 75)]
    assert len(window.timeline.view.items) == 3
    widths = [it.width() for it in window.timeline.view.items]
    assert abs(widths[1] / widths[0] - 30 / 25) < 0.05             # sized by duration

    window.timeline.move_clip(0, 2)                              # what a drag in the strip does
    assert [c.source_in for c in seq.clips] == [25, 55, 0]
    window.timeline.view.select(0)
    window.timeline.trim_in.setValue(30)                         # trim the in-point by 5 frames
    assert (seq.clips[0].source_in, seq.clips[0].source_out) == (30, 55)
    window.session.undo()
    assert seq.clips[0].source_in == 25
    window.session.undo()
    assert [c.source_in for c in seq.clips] == [0, 25, 55]
    window.session.redo()
    assert [c.source_in for c in seq.clips] == [25, 55, 0]
    window.timeline.view.select(1)
    window.timeline.delete_selected()
    assert [c.source_in for c in seq.clips] == [25, 0]
    window.session.undo()
    assert [c.source_in for c in seq.clips] == [25, 55, 0]

    # The sequence plays back in the player, clip by clip.
    window.timeline.view.select(0)
    with qtbot.waitSignal(window.player.frame_shown, timeout=10_000, check_params_cb=lambda f: f == 25):
        window.play_sequence()
    window.player.pause()
    assert window.playlist_mode == "sequence" and len(window.player.items) == 3

    # Save and open again.
    saved = window.save_sequence(path=tmp_path / "cut.otio")
    window.new_sequence()
    assert window.open_sequence(saved)
    assert [c.source_in for c in window.timeline.sequence.clips] == [25, 55, 0]

    dlg = window.export_dialog()
    dlg.set_format("edl")
    dlg.path.setText(str(tmp_path / "cut.edl"))
    assert dlg.export(), dlg.result.text()
    assert "Exported 3 clips" in dlg.result.text() and dlg.show_folder.isVisibleTo(dlg)
    with open(tmp_path / "cut.edl") as f:
        edl = pycmx.parse_cmx3600(f)
    events = [e.edits[0] for e in edl.events]
    assert [(e.source_in, e.source_out) for e in events] == [
        ("01:00:01:00", "01:00:02:05"), ("01:00:02:05", "01:00:03:00"), ("01:00:00:00", "01:00:01:00")]
    assert events[0].record_in == "01:00:00:00" and events[1].record_in == events[0].record_out


def test_export_error_is_shown(qtbot, window, tmp_path):
    dlg = window.export_dialog()
    dlg.path.setText(str(tmp_path / "x.edl"))
    assert not dlg.export()
    assert "Not exported" in dlg.result.text() and "empty" in dlg.result.text()


def test_search_runs_in_a_worker_and_reports(qtbot, window, footage):
    index_in_window(qtbot, window, footage)
    window.search.set_query("phrase", "fishing boats")
    window.search.submit()
    assert window.searching
    qtbot.waitUntil(lambda: not window.searching, timeout=30_000)
    try:
        from framesense.search import phrase  # noqa: F401
    except ImportError:
        assert "phrase search is not available" in window.results.summary.text()
    else:
        assert window.results.summary.text() in ("No hits",) or "hits" in window.results.summary.text()


def test_settings_and_window_state_persist(qtbot, library, tmp_path):
    from framesense.app.main_window import MainWindow

    ini = str(tmp_path / "s.ini")
    win = MainWindow(library, settings=QSettings(ini, QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.apply_settings({"pad_before": 1.5, "pad_after": 0.25})
    win.resize(700, 500)
    win.close()
    again = MainWindow(None, settings=QSettings(ini, QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert again.library_dir == Path(library).resolve()
    assert again.player.pads() == (1.5, 0.25)
    assert again.size().width() == 700
    again.close()


@pytest.mark.slow   # the window started as a process, a screenshot
def test_smoke_mode_writes_a_screenshot(cli, footage, tmp_path):
    cli("index", footage, "--no-speech", "--no-visual", check=False)
    shot = tmp_path / "window.png"
    proc = cli("app", "--smoke", shot)
    assert shot.exists() and shot.stat().st_size > 10_000, proc.stderr
    from PIL import Image
    assert Image.open(shot).size[0] >= 1000
    bad = cli("app", "--smoke", tmp_path / "b.png", "--query", "zebra quantum", check=False)
    assert bad.returncode != 0 and "error" in bad.stderr


def test_settings_dialog_lists_models_and_round_trips(qtbot):
    from framesense.app.dialogs import SettingsDialog, installed_models

    rows = installed_models()
    assert rows and all(len(r) == 3 and r[2] for r in rows)
    dlg = SettingsDialog({"library": "/tmp/lib", "pad_before": 0.3, "pad_after": 0.7, "sample_interval": 1.5,
                          "speech": False, "visual": True})
    qtbot.addWidget(dlg)
    v = dlg.values()
    assert (v["library"], v["pad_before"], v["pad_after"], v["sample_interval"], v["speech"], v["visual"]) == \
        ("/tmp/lib", 0.3, 0.7, 1.5, False, True)


def test_search_modes_build_core_queries(tmp_path):
    from framesense.app.search_bar import build_query, parse_query_text

    assert build_query("phrase", " fishing boats ").phrase == "fishing boats"
    assert build_query("description", "red car, -night").text == ["red car", "-night"]
    img = tmp_path / "x.png"
    img.write_bytes(b"")
    assert build_query("image", str(img)).image == [str(img)]
    assert build_query("image", "/m/a.mov@12.5").like == "/m/a.mov@12.5"
    assert build_query("same footage", "/m/a.mov@3").same_as == "/m/a.mov@3"
    assert parse_query_text("text: a red car") == ("description", "a red car")
    assert parse_query_text("we choose to go") == ("phrase", "we choose to go")


@pytest.fixture(scope="module")
def spoken(tmp_path_factory) -> Path:
    from framesense.media.synth import espeak_available

    if not espeak_available():
        pytest.fail("espeak-ng is needed to generate speech test media")
    folder = tmp_path_factory.mktemp("spoken")
    write_video(folder / "harbour.mp4", [Shot(50, 7), Shot(50, 8)], rate=str(RATE), start_timecode="02:00:00:00",
                audio="silence", speech=[(0.4, "the fishing boats are coming home")], gop=10)
    return folder


@pytest.mark.slow   # a real speech model (spoken fixture)
def test_phrase_search_shows_hits_with_words_and_plays_them(qtbot, window, spoken):
    try:
        from framesense.search import phrase  # noqa: F401
    except ImportError:
        pytest.fail("phrase search (framesense.search.phrase) is missing from this build")
    import torch
    torch.set_num_threads(2)
    window.add_folder(spoken, speech=True, visual=False, speech_model="tiny.en")   # the small model: fast tests
    qtbot.waitUntil(lambda: not window.indexing, timeout=180_000)
    assert window.library.media_items()["harbour.mp4"].text(1) == "indexed", window.library.media_items()["harbour.mp4"].text(5)
    window.search.set_query("phrase", "fishing boats")
    window.activateWindow()
    window.search.field.setFocus()
    shown, states = [], []
    window.player.frame_shown.connect(shown.append)
    window.player.state_changed.connect(states.append)
    qtbot.keyClick(window.search.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.searching, timeout=30_000)
    assert window.results.hits, window.results.summary.text()
    hit = window.results.hits[0]
    assert hit.kind == "phrase" and hit.text.lower().startswith("fishing")
    assert "fishing" in window.results.list.item(0).text().lower()
    # Enter plays: from the padded in-point, the sentence captioned with the words in bold.
    pad = window.player.pads()[0]
    expected = math.floor(max(0.0, hit.start - pad) * RATE + 1e-6)
    qtbot.waitUntil(lambda: expected + 3 in shown, timeout=10_000)
    assert True in states and shown[shown.index(expected):][:4] == list(range(expected, expected + 4))
    assert "<b>" in window.player.caption.text() and "fishing" in window.player.caption.text().lower()
    assert window.player.position.text().startswith("02:00:")
    # Enter searched, so the hits now take the keys: K pauses, Space plays (it no longer types into the field).
    assert window.results.list.hasFocus()
    qtbot.keyClick(window.results.list, Qt.Key.Key_K)
    assert not window.player.playing
    qtbot.keyClick(window.results.list, Qt.Key.Key_Space)
    assert window.player.playing and window.search.field.text() == "fishing boats"
    window.player.pause()


def test_dropping_hits_and_images(qtbot, window, footage, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent, QImage

    index_in_window(qtbot, window, footage)
    browse(qtbot, window, "beta.mp4")
    # Hits dragged from the results onto the timeline strip.
    items = [window.results.list.item(r) for r in (1, 0)]
    mime = window.results.list.mimeData(items)
    strip = window.timeline.view
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    strip.dropEvent(drop)
    # Two adjacent shots whose padded ranges overlap merge (the default), so no frame repeats at the cut.
    assert [(c.media.name, c.source_in, c.source_out) for c in window.timeline.sequence.clips] == [("beta.mp4", 0, 45)]
    assert len(strip.items) == 1
    # An image file dropped on the search field switches to image search and runs it.
    img = tmp_path / "example.png"
    image = QImage(64, 36, QImage.Format.Format_RGB888)
    image.fill(Qt.GlobalColor.darkCyan)
    image.save(str(img))
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(img))])
    window.search.field.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, md,
                                             Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    # An image search with a picture model; without one, a search for reuses of that picture.
    assert window.search.mode.currentText() == ("image" if window.search.available("image") else "same footage")
    assert window.search.field.text() == str(img)
    qtbot.waitUntil(lambda: not window.searching, timeout=30_000)
    assert window.results.summary.text() != ""      # hits, "No hits" or why image search cannot run


def test_export_dialog_writes_every_format(qtbot, window, footage, tmp_path):
    import opentimelineio as otio

    index_in_window(qtbot, window, footage)
    browse(qtbot, window, "alpha.mp4")
    window.add_hits_to_timeline([0, 2])
    dlg = window.export_dialog()
    for key, suffix in (("otio", ".otio"), ("fcp7", ".xml"), ("fcpxml", ".fcpxml")):
        dlg.set_format(key)
        dlg.path.setText(str(tmp_path / f"cut{suffix}"))
        dlg.rate.setCurrentText("24")
        assert dlg.export(), dlg.result.text()
        assert str(tmp_path / f"cut{suffix}") in dlg.result.text()
    tl = otio.adapters.read_from_file(str(tmp_path / "cut.xml"))
    clips = list(tl.find_clips())
    assert len(clips) == 2
    dlg.rate.setCurrentText("fast")
    assert not dlg.export()
    assert "Not exported" in dlg.result.text() and "“fast” is not a frame rate" in dlg.result.text()


def test_filter_by_media_limits_results_and_playlist(qtbot, window, footage):
    from framesense.search.hits import Hit

    index_in_window(qtbot, window, footage)
    browse(qtbot, window, "alpha.mp4")
    beta = window.session.library.catalog.find_media("beta.mp4")
    window.session.add_results([Hit(beta["id"], beta["path"], 5, 15, 25, 0.5, "test")])   # frames at 25 fps
    assert len(window.results.visible_indices()) == 4
    box = window.results.filter
    box.setCurrentIndex(box.findText("beta.mp4"))
    assert window.results.visible_indices() == [3]
    assert [i.path for i in window.player.items] == [beta["path"]]
    assert window.results.summary.text() == "1 of 4 hits"
    box.setCurrentIndex(box.findText("Folder: " + footage.name + "/"))
    assert len(window.results.visible_indices()) == 4


@pytest.mark.slow   # a real speech model, the window as a process
def test_smoke_mode_with_a_phrase_query_shows_results_and_timeline(cli, spoken, tmp_path):
    cli("index", spoken, "--no-visual", "--speech-model", "tiny.en")
    shot = tmp_path / "results.png"
    proc = cli("app", "--smoke", shot, "--query", "fishing boats", "--timeline", "1")
    assert "1 hits, 1 clips" in proc.stdout, proc.stdout + proc.stderr
    assert shot.stat().st_size > 10_000


PLUGIN = '''
from pathlib import Path
from framesense.plugins import AppAction, ExporterSpec, hookimpl

def write_csv(sequence, path, **options):
    lines = [f"{c.media.name},{c.source_in},{c.source_out}" for c in sequence.clips]
    Path(path).write_text("\\n".join(lines) + "\\n")
    return [Path(path)]

@hookimpl
def framesense_exporters():
    return [ExporterSpec(name="cutlist", suffixes=(".csv",), export=write_csv, description="Cut list")]

@hookimpl
def framesense_app_actions():
    return [AppAction(id="cutlist.seconds", label="Total seconds", scope="selection", menu="Cut list",
                      run=lambda ctx: f"{sum(h.end - h.start for h in ctx.selection):.1f} s")]
'''


@pytest.fixture
def plugin_window(qtbot, library, tmp_path, monkeypatch):
    from framesense.app.main_window import MainWindow
    from framesense.plugins import get_plugins

    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "cutlist.py").write_text(PLUGIN)
    monkeypatch.setenv("FRAMESENSE_PLUGINS", str(folder))
    get_plugins(reload=True)
    win = MainWindow(library, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win, before_close_func=lambda w: w.session.mark_clean())  # no unsaved question
    yield win
    win.session.mark_clean()
    win.close()
    monkeypatch.delenv("FRAMESENSE_PLUGINS")
    get_plugins(reload=True)


def test_plugin_actions_and_exporters_appear_in_the_window(qtbot, plugin_window, footage, tmp_path):
    win = plugin_window
    index_in_window(qtbot, win, footage)
    browse(qtbot, win, "alpha.mp4")
    menus = {a.text(): a.menu() for a in win.menuBar().actions()}
    assert "Cut list" in menus
    action = next(a for a in menus["Cut list"].actions() if a.text() == "Total seconds")
    win.results.list.setCurrentRow(0)
    win.results.list.item(1).setSelected(True)
    action.trigger()
    assert "Total seconds: 2.2 s" in win.statusBar().currentMessage()
    win.player.pad_before.setValue(0.0)
    win.player.pad_after.setValue(0.0)
    win.add_hits_to_timeline([0, 2])
    win.settings.setValue("export/folder", str(tmp_path))     # the dialog starts in the last export's folder
    dlg = win.export_dialog()
    dlg.set_format("cutlist")
    assert dlg.path.text().endswith(".csv")
    assert dlg.export(), dlg.result.text()
    assert (Path(dlg.path.text())).read_text() == "alpha.mp4,0,25\nalpha.mp4,55,75\n"


@pytest.mark.slow   # a picture model in the window's worker
def test_picture_searches_from_the_player_frame(qtbot, window, footage, tmp_path, monkeypatch):
    """Description/image/same-footage modes through the real visual stage (a tiny local OpenCLIP checkpoint)."""
    try:
        from clip_fixture import make_tiny_clip
        from framesense.search import visual  # noqa: F401
    except ImportError as exc:
        pytest.fail(f"visual search is missing from this build ({exc})")
    import torch
    torch.set_num_threads(2)
    monkeypatch.setenv("FRAMESENSE_CLIP_MODEL", str(make_tiny_clip(tmp_path / "tiny-clip")))
    monkeypatch.setenv("FRAMESENSE_MODELS", str(tmp_path / "models"))
    window.add_folder(footage, speech=False, visual=True)
    qtbot.waitUntil(lambda: not window.indexing, timeout=120_000)
    assert window.library.media_items()["alpha.mp4"].text(1) == "indexed"
    browse(qtbot, window, "alpha.mp4")
    window.player.pad_before.setValue(0.0)
    window.player.cue(1)                                     # shot 2 of alpha: frames 25..54
    qtbot.waitUntil(lambda: window.player.current_frame == 25, timeout=10_000)
    window.search_like_frame()                               # image mode, MEDIA@SECONDS of this frame
    assert window.search.mode.currentText() == "image"
    qtbot.waitUntil(lambda: not window.searching, timeout=60_000)
    assert window.results.hits, window.results.summary.text()
    top = window.results.hits[0]
    assert top.media_path.endswith("alpha.mp4") and top.start <= 1.0 < top.end   # the frame finds its own shot
    window.search.set_query("description", "a colourful blur")
    window.search.submit()
    qtbot.waitUntil(lambda: not window.searching, timeout=60_000)
    assert window.results.hits and window.results.hits[0].kind in ("text", "visual"), window.results.summary.text()
