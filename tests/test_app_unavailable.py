"""What the window does when a search cannot run here, with big fonts and long messages, and the
pad-overlap choice in Settings (issue 13, items 3 and 5)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6", reason="the desktop app needs PySide6 (pip install 'framesense[app]')")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtGui import QFont  # noqa: E402

from framesense.media.synth import Shot, write_video  # noqa: E402
from framesense.search.hits import Hit  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def make_window(qtbot, library, tmp_path, **values):
    from framesense.app.main_window import MainWindow
    from framesense.catalog import Catalog
    Catalog.open(library).close()          # past the first-run page
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    for key, value in values.items():
        settings.setValue(key, value)
    win = MainWindow(library, settings=settings)
    qtbot.addWidget(win, before_close_func=lambda w: w.session.mark_clean())
    win.resize(1200, 760)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.mark.slow   # a picture model set up and loaded in the window
def test_picture_modes_say_why_and_come_back_once_a_model_is_set_up(qtbot, tmp_path, library):
    missing = tmp_path / "no-such-checkpoint"
    win = make_window(qtbot, library, tmp_path, clip_model=str(missing))
    win.search.mode.setCurrentText("description")
    win.update_model_info()
    assert not win.search.available("description") and not win.search.available("image")
    assert win.search.available("phrase") and win.search.available("same footage")
    assert win.search.mode.currentText() == "phrase"                     # moved off the greyed-out mode
    tip = win.search.mode.model().item(1).toolTip()
    assert tip.startswith("Needs a picture model") and str(missing.name) in tip
    assert win.model_info.isVisible() and win.model_info.setup_button.isVisible()

    # A file that is not a checkpoint is refused, and said why; the setting is untouched.
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a model")
    assert win.setup_picture_search(junk)
    assert win.settings.value("clip_model") == str(missing) and not win.search.available("image")
    assert "not a usable picture model" in win.last_error

    # A real (tiny) open_clip folder is checked, kept, and the modes come back.
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from clip_fixture import make_tiny_clip
    finally:
        sys.path.pop(0)
    folder = make_tiny_clip(tmp_path / "tiny-clip")
    assert win.setup_picture_search(folder) is None
    assert win.settings.value("clip_model") == str(folder)
    assert win.search.available("description") and win.search.available("image")
    assert not win.model_info.setup_button.isVisible()


def test_a_dismissed_info_bar_stays_dismissed_until_its_news_changes(qtbot, tmp_path, library):
    win = make_window(qtbot, library, tmp_path, clip_model=str(tmp_path / "missing-a"))
    assert win.model_info.isVisible()
    qtbot.mouseClick(win.model_info.close_button, Qt.MouseButton.LeftButton)
    assert not win.model_info.isVisible()
    win.update_model_info()                          # the same news: still hidden
    assert not win.model_info.isVisible()
    win.settings.setValue("clip_model", str(tmp_path / "missing-b"))
    win.update_model_info()                          # different news: shown again
    assert win.model_info.isVisible()


def test_long_messages_never_widen_the_window_and_rows_fit_a_14pt_font(qtbot, tmp_path, library):
    from framesense import Library
    clip = write_video(tmp_path / "f" / "a.mp4", [Shot(50, 1)], rate="25", audio=None).path
    with Library.open(library) as lib:
        lib.index([clip], speech=False, visual=False)
        media_id = lib.media()[0]["id"]
    win = make_window(qtbot, library, tmp_path)
    width = win.width()
    win.results.summary.setText("Search failed: " + "/a/very/long/path/without/spaces" * 60)
    win.library.progress.label.setText("x" * 2000)
    win.library.progress.show()
    qtbot.wait(50)
    assert win.width() == width and win.minimumSizeHint().width() < 1200
    assert "/a/very/long" in win.results.summary.toolTip()

    font = QFont(win.font())
    font.setPointSize(14)
    win.results.list.setFont(font)
    hits = [Hit(media_id=media_id, media_path=str(clip), start_frame=i * 5, end_frame=i * 5 + 5, rate=25, score=0.5,
                kind="phrase", text="words said here", context="and the sentence around them")
            for i in range(3)]
    win.results.add_hits(hits)
    lst = win.results.list
    r0, r1 = lst.visualItemRect(lst.item(0)), lst.visualItemRect(lst.item(1))
    assert not r0.intersects(r1)
    from PySide6.QtGui import QFontMetrics
    from framesense.app.hit_rows import ROLE_INFO, row_lines
    lines = row_lines(lst.item(0).data(ROLE_INFO))
    assert lines == 5 and r0.height() >= lines * QFontMetrics(font).lineSpacing() + 8, r0.height()   # all its text fits


@pytest.mark.parametrize("mode, expected", [("merge", [(0, 50)]), ("keep", [(0, 35), (15, 50)])])
def test_overlapping_pads_follow_the_setting(qtbot, tmp_path, library, mode, expected):
    footage = tmp_path / "footage"
    write_video(footage / "long.mp4", [Shot(100, 1)], rate="25", audio=None, gop=10)
    win = make_window(qtbot, library, tmp_path, speech=False, visual=False)
    win.add_folder(footage, speech=False, visual=False)
    qtbot.waitUntil(lambda: not win.indexing, timeout=60_000)
    win.apply_settings({"pad_before": 0.4, "pad_after": 0.4, "pad_overlap": mode})
    assert win.session.pad_mode == mode
    row = win.session.library.catalog.one("SELECT id, path FROM media")
    hits = [Hit(media_id=row["id"], media_path=row["path"], start_frame=a, end_frame=b, rate=25, score=1.0,
                kind="phrase") for a, b in ((10, 25), (25, 40))]
    win.session.set_results(hits)
    win.add_hits_to_timeline([0, 1])
    assert [(c.source_in, c.source_out) for c in win.timeline.sequence.clips] == expected
