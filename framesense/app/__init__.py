"""The PySide6 desktop app: a view over the Qt-free core (the only package that imports Qt)."""

from __future__ import annotations

import os
import sys


def _application(argv=None):
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("FrameSense")
    app.setOrganizationName("FrameSense")
    app.setDesktopFileName("framesense")
    return app


def main(library=None) -> int:
    """Open the main window and run until it closes."""
    app = _application()
    from .main_window import MainWindow

    window = MainWindow(library)
    window.show()
    return app.exec()


def smoke(screenshot, library=None, query: str | None = None, timeline: int = 0, timeout: float = 120.0,
          size=(1400, 860), play: float = 0.0, audio_out=None, frames_log=None, script=None) -> int:
    """Open the window offscreen, run a query, wait for results, (play the hits,) save a screenshot; 0 on success."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")   # a check needs no screen
    app = _application()
    from PySide6.QtCore import QSettings, QTemporaryDir

    from .main_window import MainWindow
    from .smoke import run_smoke

    tmp = QTemporaryDir()  # never touch the user's saved settings from a check
    settings = QSettings(os.path.join(tmp.path(), "smoke.ini"), QSettings.Format.IniFormat)
    window = MainWindow(library, settings=settings)
    try:
        return run_smoke(app, window, screenshot, query=query, timeline=timeline, timeout=timeout, size=size,
                         play=play, audio_out=audio_out, frames_log=frames_log, script=script)
    finally:
        window.session.mark_clean()   # a check's edits are not the user's: close without asking
        window.close()
