"""The Script panel on a 100-line paper edit (issue 23): the time from *Assemble* to every line
shown with its status and the takes on the timeline, and the longest stall of the GUI thread
meanwhile (the assembly runs in a worker; the window must keep painting).

The catalog: 10 generated files, each with 10 sentences of imported transcript (known words, so
every machine hears the same), the script: those 100 sentences worded the way editors write them
(digits, American spelling, a dropped article; benchmarks/assemble.py's lines), every tenth one
replaced by a line nobody said.

Run: python benchmarks/app_script.py [LINES]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def build(root: Path, lines: list[tuple[str, str]]) -> Path:
    from framesense import Library
    from framesense.media.synth import Shot, write_video
    from framesense.transcript.model import Segment, Transcript, Word
    from framesense.transcript.store import store_transcripts
    per_file = 10
    files = (len(lines) + per_file - 1) // per_file
    for f in range(files):
        write_video(root / "f" / f"take{f:02d}.mp4", [Shot(25 * 6 * per_file + 50, f + 1)], rate=25, audio=None,
                    width=96, height=64)
    lib = Library.open(root / "lib")
    lib.index([root / "f"], speech=False, visual=False)
    with lib.catalog.transaction():
        for f in range(files):
            mid = lib.find_media(f"take{f:02d}.mp4")["id"]
            segs = []
            for k, (said, _) in enumerate(lines[f * per_file:(f + 1) * per_file]):
                t = 1.0 + 6.0 * k
                words = [Word(w, round(t + i * 0.4, 3), round(t + i * 0.4 + 0.35, 3), 0.9)
                         for i, w in enumerate(said.split())]
                segs.append(Segment(words[0].start, words[-1].end, said, words))
            store_transcripts(lib.catalog, mid, [Transcript(segs, "en", "import", f"take{f:02d}.srt", 0)])
    lib.close()
    return root / "lib"


def main(n: int = 100):
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from assemble import spoken_lines
    from framesense.app.main_window import MainWindow
    from framesense.timeline.paper_edit import counts

    app = QApplication([])
    lines = spoken_lines(n)
    script = [("a line nobody ever said near the quarry" if i % 10 == 9 else written)
              for i, (_, written) in enumerate(lines)]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        library = build(tmp, lines)
        win = MainWindow(library, settings=QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat))
        win.resize(1280, 800)
        win.show()
        app.processEvents()
        panel = win.script
        panel.load_text("\n".join(script))
        ticks, last = [], [time.perf_counter()]

        def tick():
            now = time.perf_counter()
            ticks.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(tick)
        timer.start()
        t0 = time.perf_counter()
        panel.assemble()
        while panel.running:
            app.processEvents()
            time.sleep(0.002)
        app.processEvents()
        shown = time.perf_counter() - t0
        timer.stop()
        rows, placed, missing = counts(win.session.sequence)
        assert panel.lines.topLevelItemCount() == rows == n
        print(f"{n}-line script ({sum(len(s.split()) for s, _ in lines)} words said in {len(lines) // 10} files): "
              f"assembled and shown in {shown:.2f} s ({shown / n * 1000:.0f} ms a line); "
              f"{placed} placed, {missing} missing; longest GUI stall meanwhile {max(ticks) * 1000:.0f} ms")
        win.session.mark_clean()
        win.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
