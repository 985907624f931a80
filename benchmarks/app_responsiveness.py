"""How responsive the window stays while it indexes: the longest gap between 10 ms timer ticks
on the GUI thread while the background worker indexes generated footage (shots stage).

Run: python benchmarks/app_responsiveness.py [FILES] [speech]   (speech: also transcribe, tiny.en)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from framesense.media.synth import Shot, write_video  # noqa: E402


def main(files: int = 6, speech: bool = False):
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from framesense.app.main_window import MainWindow

    app = QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for i in range(files):
            write_video(tmp / "footage" / f"clip{i}.mp4", [Shot(75, i * 3 + 1), Shot(75, i * 3 + 2)], rate="25",
                        width=1280, height=720, audio=None if not speech else "silence",
                        speech=[(1.0, "the fishing boats are coming home")] if speech else None)
        win = MainWindow(tmp / "lib", settings=QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat))
        win.show()
        ticks = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        timer.start(10)
        t0 = time.perf_counter()
        win.add_folder(tmp / "footage", speech=speech, visual=False, **({"speech_model": "tiny.en"} if speech else {}))
        while win.indexing:
            app.processEvents()
            time.sleep(0.001)
        secs = time.perf_counter() - t0
        timer.stop()
        gaps = sorted(b - a for a, b in zip(ticks, ticks[1:]))
        statuses = [r["status"] for r in win.catalog.media_list()]
        print(f"indexed {files} files (1280x720, 6 s each; {statuses.count('indexed')} indexed) in {secs:.1f} s "
              f"with the window open")
        print(f"GUI timer ticks: {len(ticks)}; gap median {gaps[len(gaps) // 2] * 1000:.0f} ms, "
              f"p99 {gaps[int(len(gaps) * 0.99)] * 1000:.0f} ms, max {gaps[-1] * 1000:.0f} ms")
        win.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 6, "speech" in sys.argv[2:])
