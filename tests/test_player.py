"""The source monitor plays a mixed-rate list of hits back to back: each hit at its own rate, the
next one decoded ahead so the join needs no open and no seek (issue 12, part)."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest

pytest.importorskip("PySide6", reason="the desktop app needs PySide6 (pip install 'framesense[app]')")

from framesense.media.synth import Shot, write_video  # noqa: E402


@pytest.fixture
def player(qtbot):
    from framesense.app.player import Player
    p = Player(None, 0.0, 0.0)
    qtbot.addWidget(p)
    p.resize(480, 320)
    p.show()
    yield p
    p.shutdown()


def test_mixed_rates_play_each_hit_at_its_rate_and_the_next_is_decoded_ahead(qtbot, player, tmp_path):
    from framesense.app.player import PlayItem
    a = write_video(tmp_path / "a25.mp4", [Shot(40, 1)], rate="25", audio=None, gop=10)
    b = write_video(tmp_path / "b50.mp4", [Shot(80, 2)], rate="50", audio=None, gop=10)
    items = [PlayItem(str(a.path), Fraction(25), 10, 16, "a"), PlayItem(str(b.path), Fraction(50), 20, 30, "b")]
    shown = []
    player.frame_shown.connect(lambda f: shown.append((player.index, f, time.monotonic())))
    player.set_playlist(items, 0, play=True)
    assert player._timer.interval() == 40                          # 25 fps
    assert player._ahead is not None and player._ahead[0] == 1     # hit 2 opened while hit 1 plays
    ahead_job = player._ahead[1]
    qtbot.waitUntil(lambda: any(i == 1 for i, _, _ in shown), timeout=20_000)
    assert player._job is ahead_job or player._job is None         # the join used the job decoded ahead
    assert player._timer.interval() == 20                          # 50 fps for the 50 fps hit
    qtbot.waitUntil(lambda: not player.playing, timeout=20_000)
    assert [f for i, f, _ in shown if i == 0] == list(range(10, 16))
    assert [f for i, f, _ in shown if i == 1] == list(range(20, 30))   # every frame, in order, after the join
