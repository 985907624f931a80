"""Smoke mode: drive the real window without a person and keep a screenshot."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop

from .search_bar import parse_query_text


def wait_until(app, predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)
    return predicate()


def run_smoke(app, window, screenshot, query=None, timeline=0, timeout=120.0, size=(1400, 860),
              play: float = 0.0, audio_out=None, frames_log=None, script=None) -> int:
    errors = []
    previous = sys.excepthook
    sys.excepthook = lambda *exc: (errors.append(exc[1]), previous(*exc))  # an error in any slot fails the check
    try:
        code = _run(app, window, screenshot, query, timeline, timeout, size, play, audio_out, frames_log, script)
    finally:
        sys.excepthook = previous
    if errors and code == 0:
        print(f"error: {len(errors)} uncaught exception(s) in the window, first: {errors[0]!r}", file=sys.stderr)
        return 5
    return code


def _wait(app, window, done, timeout, what: str) -> int:
    """Wait for ``done``: 0, else 3 when it did not come in time, 2 when the window reported an error."""
    if not wait_until(app, done, timeout):
        print(f"error: {what} did not finish within {timeout:.0f} s", file=sys.stderr)
        return 3
    if window.last_error:
        print(f"error: {window.last_error}", file=sys.stderr)
        return 2
    return 0


def _assemble(app, window, script, timeout) -> int:
    """Assemble a script in the Script panel as an editor would; prints its line counts."""
    from ..timeline.paper_edit import counts
    panel = window.script
    window.script_dock.show()
    window.script_dock.raise_()
    if not panel.load_file(script) or not panel.assemble():
        print(f"error: {window.last_error or 'the script could not be assembled'}", file=sys.stderr)
        return 2
    code = _wait(app, window, lambda: not panel.running, timeout, "the script's assembly")
    if code:
        return code
    n, placed, missing = counts(window.session.sequence)
    print(f"script: {n} lines, {placed} placed, {missing} missing")
    return 0


def _run(app, window, screenshot, query, timeline, timeout, size, play=0.0, audio_out=None, frames_log=None,
         script=None) -> int:
    window.resize(*size)
    window.show()
    wait_until(app, lambda: window.isVisible(), 5)
    if script:
        code = _assemble(app, window, script, timeout)
        if code:
            return code
    if query:
        mode, text = parse_query_text(query)
        window.search.set_query(mode, text)
        window.search.submit()
        code = _wait(app, window, lambda: not window.searching, timeout, "the search")
        if code:
            return code
        if not window.results.hits:
            print(f"error: no hits for {query!r}", file=sys.stderr)
            return 4
        if timeline:
            window.add_hits_to_timeline(list(range(min(timeline, len(window.results.hits)))))
        window.results.list.setFocus()
        if play > 0:
            from .playback_check import play_hits
            code = play_hits(app, window.player, play, audio_out, frames_log)
            if code:
                return code
        else:
            window.player.cue(min(1, len(window.player.items) - 1) if window.player.items else 0)
            # the player shows a real decoded frame before the picture is taken
            shown = []
            window.player.frame_shown.connect(shown.append)
            wait_until(app, lambda: bool(shown), 20)
    elif play > 0:
        print("error: --play needs --query (the hits to play)", file=sys.stderr)
        return 2
    for _ in range(5):
        app.processEvents()
        time.sleep(0.02)
    path = Path(screenshot)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        print(f"error: could not write the screenshot {path}", file=sys.stderr)
        return 2
    print(f"screenshot: {path} ({len(window.results.hits)} hits, {len(window.timeline.sequence.clips)} clips)")
    return 0
