"""First run in the real window: nothing is created until the user says yes; the model bar tells the truth."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6", reason="the desktop app needs PySide6 (pip install 'framesense[app]')")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QFileDialog  # noqa: E402

from framesense.config import CATALOG_FILE  # noqa: E402
from framesense.media.synth import Shot, write_video  # noqa: E402


def make_window(qtbot, library, tmp_path):
    from framesense.app.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("speech", False)   # keep indexing to shots and thumbnails: fast on 2 cores
    settings.setValue("visual", False)
    win = MainWindow(library, settings=settings)
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    qtbot.waitExposed(win)
    return win


def pick_folder(monkeypatch, path: Path):
    """The user's answer to the folder picker (the native dialog cannot be driven offscreen)."""
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(path))


def test_first_run_creates_library_only_when_accepted_then_indexes_a_folder(qtbot, tmp_path, library, monkeypatch):
    footage = tmp_path / "footage"
    footage.mkdir()
    write_video(footage / "one.mp4", [Shot(15, 1), Shot(15, 2)], rate="25", audio=None, gop=10)
    win = make_window(qtbot, library, tmp_path)
    try:
        panel = win.first_run
        assert win.first_run_showing and panel.isVisible()
        assert panel.step == "create"
        assert win.session.library is None
        assert not (library / CATALOG_FILE).exists(), "the catalog was created before the user accepted"
        assert str(library) in panel.where.text()
        assert not win.library_dock.isVisible()

        # Choose… another place: the offer follows, and still nothing is written.
        elsewhere = tmp_path / "my library"
        elsewhere.mkdir()
        pick_folder(monkeypatch, elsewhere)
        qtbot.mouseClick(panel.choose_button, Qt.MouseButton.LeftButton)
        assert str(elsewhere) in panel.where.text().replace("&nbsp;", " ")
        assert not (elsewhere / CATALOG_FILE).exists()

        qtbot.mouseClick(panel.create_button, Qt.MouseButton.LeftButton)
        assert (elsewhere / CATALOG_FILE).exists()
        assert not (library / CATALOG_FILE).exists()
        assert win.library_dir == elsewhere.resolve() and win.session.library is not None
        assert win.settings.value("library") == str(elsewhere.resolve())
        assert panel.step == "add" and panel.add_button.isVisible() and not panel.create_button.isVisible()

        # Then add footage: the background indexer runs and the main view takes over.
        pick_folder(monkeypatch, footage)
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
        assert not win.first_run_showing and win.library_dock.isVisible()
        qtbot.waitUntil(lambda: not win.indexing, timeout=60_000)
        items = win.library.media_items()
        assert items["one.mp4"].text(1) == "indexed"
        assert [r["name"] for r in win.session.library.catalog.media_list()] == ["one.mp4"]
        assert len(win.session.library.catalog.shots(win.session.library.catalog.media_list()[0]["id"])) == 2
    finally:
        win.close()

    # The next start finds the library and skips the offer.
    again = make_window(qtbot, elsewhere, tmp_path / "second")
    try:
        assert not again.first_run_showing and again.session.library is not None
    finally:
        again.close()


def test_info_bar_says_visual_search_is_off_how_to_turn_it_on_and_speech_is_ready(qtbot, tmp_path, library,
                                                                                   monkeypatch):
    from framesense.models import DEFAULT_SPEECH_MODEL

    monkeypatch.setenv("FRAMESENSE_MODELS", str(tmp_path / "empty-model-cache"))   # no CLIP downloaded
    monkeypatch.delenv("FRAMESENSE_CLIP_MODEL", raising=False)
    win = make_window(qtbot, library, tmp_path)
    try:
        win.leave_first_run()
        bar = win.model_info
        assert bar.isVisible()
        text = bar.text()
        assert "Visual search is off" in text
        assert "framesense models download clip" in text and "FRAMESENSE_CLIP_MODEL" in text
        assert "phrase search, same-footage search and export work" in text
        assert f"Speech search: ready (model {DEFAULT_SPEECH_MODEL})" in text
        qtbot.mouseClick(bar.close_button, Qt.MouseButton.LeftButton)
        assert not bar.isVisible()

        # A speech model that is not on this machine: the bar says so, and phrase search is not promised.
        win.apply_settings({"speech_model": "large-v3"})
        assert bar.isVisible()
        assert "Speech search: off" in bar.text() and "large-v3" in bar.text()
        assert "phrase search" not in bar.text().split("\n")[0]
        assert not (library / CATALOG_FILE).exists()
    finally:
        win.close()
