"""Space to the first moving frame in the player (issue 23, item 6): a hit is cued (its first frame
on screen, paused), then Space; the time until a later frame of it is shown. Run it once as the
machine is (no audio device, or a PulseAudio null sink: both count as no device and the picture
runs on its own clock) and once with a real sound card to see the device's start-up.

Run: python benchmarks/app_space.py [TRIES]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(tries: int = 5):
    from PySide6.QtCore import QSettings
    from PySide6.QtMultimedia import QMediaDevices
    from PySide6.QtWidgets import QApplication

    from framesense import Library
    from framesense.app.main_window import MainWindow
    from framesense.media.synth import Shot, write_video
    from framesense.search.hits import Hit

    app = QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_video(tmp / "f" / "tone.mp4", [Shot(250, 1)], rate="25", audio="tone", width=320, height=180)
        with Library.open(tmp / "lib") as lib:
            lib.index([tmp / "f"], speech=False, visual=False)
            row = lib.media()[0]
        win = MainWindow(tmp / "lib", settings=QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat))
        win.resize(1280, 800)
        win.show()
        hits = [Hit(media_id=row["id"], media_path=row["path"], start_frame=25 * k, end_frame=25 * k + 50, rate=25,
                    score=1.0, kind="phrase", text="tone") for k in range(tries)]
        win.session.set_pads(0.0, 0.0)
        win.search_ctl.show_hits(hits, f"{tries} hits")
        player, shown = win.player, []
        player.frame_shown.connect(lambda f: shown.append((time.perf_counter(), f)))
        device = QMediaDevices.defaultAudioOutput()
        out = []
        for k in range(tries):
            player.pause()
            shown.clear()
            player.cue(k)
            end = time.monotonic() + 10
            while not shown and time.monotonic() < end:
                app.processEvents()
                time.sleep(0.001)
            first = shown[-1][1]
            shown.clear()
            t0 = time.perf_counter()
            player.toggle()                                   # Space
            while not any(f > first for _, f in shown) and time.monotonic() < end + 10:
                app.processEvents()
                time.sleep(0.001)
            moved = next((t for t, f in shown if f > first), None)
            out.append((moved - t0) * 1000 if moved else float("inf"))
        player.pause()
        name = "none" if device.isNull() else device.description()
        print(f"default audio output: {name!r}; sound: {player.sound.reason or 'device'}")
        print(f"Space to first moving frame over {tries} tries: median {statistics.median(out):.0f} ms, "
              f"max {max(out):.0f} ms")
        win.session.mark_clean()
        win.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
