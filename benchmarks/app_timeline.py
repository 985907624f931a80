"""How the timeline copes with a long sequence: open N clips (default 2,000), zoom to fit, then
scroll through it at a readable zoom, repaint after every step; reports the longest GUI stall.

The stall is the longest single blocking step on the GUI thread (opening the sequence, one zoom,
one scroll step with its repaint), measured around each step with processEvents.

Run: python benchmarks/app_timeline.py [CLIPS]
"""

from __future__ import annotations

import os
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(n: int = 2000):
    from PySide6.QtWidgets import QApplication

    from framesense.app.timeline_panel import TimelinePanel
    from framesense.session import Session
    from framesense.timeline.model import Clip, Sequence, SourceMedia

    app = QApplication([])
    media = [SourceMedia(path=f"/footage/reel{i:02d}.mov", rate=Fraction(25), frames=90000, start_frame=90000)
             for i in range(8)]
    clips = [Clip(media[i % 8], (i * 37) % 80000, (i * 37) % 80000 + 12 + (i * 53) % 150, label=f"take {i}")
             for i in range(n)]
    session = Session()
    panel = TimelinePanel(session)
    panel.resize(1400, 220)
    panel.show()
    app.processEvents()
    stalls = {}

    def step(name, fn):
        t = time.perf_counter()
        fn()
        panel.view.viewport().repaint()
        app.processEvents()
        dt = (time.perf_counter() - t) * 1000
        stalls[name] = max(stalls.get(name, 0.0), dt)

    seq = Sequence(name="long", rate=Fraction(25), clips=clips)
    step("open (set_sequence + fit)", lambda: session.set_sequence(seq))
    step("zoom in (wheel-sized step)", lambda: panel.view.set_zoom(3.0))
    bar = panel.view.horizontalScrollBar()
    scroll_steps = 0
    for v in range(0, bar.maximum(), max(1, bar.maximum() // 300)):
        step("scroll step", lambda v=v: bar.setValue(v))
        scroll_steps += 1
    step("playhead move", lambda: panel.view.set_playhead(seq.duration // 2))
    step("ripple trim near the start (re-lays out every clip)", lambda: panel.trim_edge(3, "out", 5))
    step("zoom to fit", panel.view.zoom_to_fit)
    print(f"{n} clips, {seq.duration} frames, {scroll_steps} scroll steps")
    for name, ms in stalls.items():
        print(f"  {name:55s} max {ms:7.1f} ms")
    worst = max(stalls.values())
    print(f"longest GUI stall: {worst:.1f} ms ({'OK' if worst <= 50 else 'OVER'} the 50 ms budget)")
    return 0 if worst <= 50 else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
