"""The welcome page lands somewhere (issue 26): it lists the libraries opened before and opens one,
remembers each library opened, and "Open the demo" opens the demo's library, or writes the demo
footage and indexes it in the background when there is none yet."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the desktop app needs PySide6 (pip install 'framesense[app]')")

from PySide6.QtCore import Qt  # noqa: E402
from test_app_first_run import make_window  # noqa: E402

from framesense import demo  # noqa: E402
from framesense.api import Library  # noqa: E402
from framesense.config import CATALOG_FILE  # noqa: E402

pytestmark = pytest.mark.slow   # builds the demo (real speech) in the window


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))     # where the demo and its record go


def reopen(qtbot, win, library, tmp_path):
    """Close the window (its settings written) and start another on the same settings file."""
    win.settings.sync()
    win.close()
    return make_window(qtbot, library, tmp_path)


def test_libraries_opened_before_are_offered_latest_first_and_open(qtbot, tmp_path, data_home):
    first, second = tmp_path / "first", tmp_path / "second"
    win = make_window(qtbot, tmp_path / "new", tmp_path)
    assert win.first_run_showing and not win.first_run.recent.isVisible()   # nothing opened yet
    assert win.open_library(first) and win.open_library(second)
    win = reopen(qtbot, win, tmp_path / "not yet", tmp_path)   # a start on a library that does not exist
    panel = win.first_run
    assert win.first_run_showing and panel.recent.isVisible()
    listed = [panel.recent.item(i).data(Qt.ItemDataRole.UserRole) for i in range(panel.recent.count())]
    assert listed == [str(second.resolve()), str(first.resolve())]
    panel.recent.setCurrentRow(1)
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert not win.first_run_showing and win.library_dir == first.resolve()
    assert not (tmp_path / "not yet" / CATALOG_FILE).exists()            # nothing created where it was not asked
    assert win.settings.value("library") == str(first.resolve())         # the next start opens it


def test_open_the_demo_builds_it_in_the_background_then_opens_it_next_time(qtbot, tmp_path, data_home):
    win = make_window(qtbot, tmp_path / "new", tmp_path)
    assert demo.known_library() is None
    qtbot.mouseClick(win.first_run.demo_button, Qt.MouseButton.LeftButton)
    assert not win.first_run.demo_button.isEnabled()                     # the footage is being written
    where = demo.default_dir() / "library"
    qtbot.waitUntil(lambda: win.library_dir == where.resolve() and not win.indexing, timeout=240_000)
    assert not win.first_run_showing and win.search.field.text() == demo.PHRASE      # the phrase to try
    with Library.open(where) as lib:
        assert sorted(m["name"] for m in lib.media()) == sorted(name for name, _, _ in demo.CLIPS)
    assert demo.known_library() == where.resolve()
    win = reopen(qtbot, win, tmp_path / "other", tmp_path)   # a start on another (new) library: the welcome page
    assert win.first_run_showing
    qtbot.mouseClick(win.first_run.demo_button, Qt.MouseButton.LeftButton)
    assert win.library_dir == where.resolve() and not win.indexing and not win.first_run_showing
