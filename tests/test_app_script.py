"""The Script panel (issue 23, items 1 and 10): a paper edit assembled in the window through
``Library.assemble`` in a worker, each line's status and take, a click plays the take and selects
its clip, N swaps to the next alternate undoably, a reworded line is assembled alone, missing lines
are red (here and as markers on the timeline), and the script comes back with its saved sequence.
Known transcripts (imported), so every machine hears the same words."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the desktop app needs PySide6 (pip install 'framesense[app]')")

from PySide6.QtCore import QSettings, Qt  # noqa: E402

from test_assemble import lib  # noqa: E402,F401  (the library with imported transcripts)

SCRIPT = ["Fishing boats are coming home.",              # placed, with one alternate take
          "a line nobody ever said out loud",             # missing
          "We counted 99 lorries near the office",        # heard differently ("count to ... lories")
          "Welcome to the harbor master's office"]        # placed


@pytest.fixture
def window(qtbot, lib, tmp_path):  # noqa: F811
    from framesense.app.main_window import MainWindow
    win = MainWindow(lib.path, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win, before_close_func=lambda w: w.session.mark_clean())
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.session.mark_clean()
    win.close()


def statuses(panel):
    return [panel.lines.topLevelItem(i).text(2) for i in range(panel.lines.topLevelItemCount())]


def assemble(qtbot, panel, lines=SCRIPT):
    assert panel.load_text("\n".join(lines))
    assert statuses(panel) == ["not assembled"] * len(lines)
    assert panel.assemble()
    qtbot.waitUntil(lambda: not panel.running, timeout=60_000)


def test_a_script_assembled_in_the_window(qtbot, window, tmp_path):
    from framesense.app.script_panel import MISSING_RED
    panel, session, view = window.script, window.session, window.timeline.view
    assemble(qtbot, panel)
    assert statuses(panel) == ["placed", "missing", "heard differently", "placed"]
    seq = session.sequence
    assert [c.label for c in seq.clips] == [SCRIPT[0], SCRIPT[2], SCRIPT[3]] and session.dirty
    assert panel.summary.text() == "4 lines: 3 placed, 1 missing"
    missing = panel.lines.topLevelItem(1)
    assert missing.foreground(1).color() == MISSING_RED and missing.foreground(2).color() == MISSING_RED
    assert "office.mp4" in panel.lines.topLevelItem(3).text(3)           # its take: file and timecode
    # the missing line is a red marker on the timeline, on the cut where it belongs
    flagged = [(rec, m.name) for rec, _, _, m in view.markers if m.is_missing]
    assert flagged == [(view._places[1].record_in, f"MISSING: {SCRIPT[1]}")]

    # a click plays the line's take in the monitor and selects its clip
    qtbot.mouseClick(panel.lines.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.lines.visualItemRect(panel.lines.topLevelItem(2)).center())
    assert view.selected == {1} and window.playlist.mode == "sequence" and window.player.index == 1
    assert window.player.playing                                       # its take plays
    qtbot.waitUntil(lambda: window.player.current_frame is not None and
                    window.player.current_frame > session.sequence.clips[1].source_in, timeout=10_000)
    window.player.pause()

    # N swaps line 1's take for its alternate and back; one undo step each
    first = seq.clips[0]
    panel.lines.setCurrentItem(panel.lines.topLevelItem(0))
    panel.lines.setFocus()
    qtbot.keyClick(panel.lines, Qt.Key.Key_N)
    swapped = session.sequence.clips[0]
    assert swapped.media.path != first.media.path and swapped.label == SCRIPT[0]
    assert session.sequence.script[0]["media_path"] == swapped.media.path
    assert swapped.media.name in panel.lines.topLevelItem(0).text(3)
    qtbot.keyClick(panel.lines, Qt.Key.Key_N)                          # round the list: back to the first
    assert session.sequence.clips[0].media.path == first.media.path
    session.undo()
    session.undo()
    assert session.sequence.clips[0] is first

    # rewording the missing line assembles that line alone, between its neighbours
    before = list(session.sequence.clips)
    panel.edit_line(1, "nobody knew why the mill kept the tickets")
    qtbot.waitUntil(lambda: not panel.running, timeout=60_000)
    clips = session.sequence.clips
    assert statuses(panel) == ["placed", "placed", "heard differently", "placed"]
    assert clips[0] is before[0] and clips[2:] == before[1:] and clips[1].media.name == "mill.mp4"
    session.undo()
    assert session.sequence.clips == before and statuses(panel)[1] == "missing"
    session.redo()

    # saved with the sequence, and back when it is opened
    saved = window.save_sequence(path=tmp_path / "paper.otio")
    window.new_sequence()
    assert panel.lines.topLevelItemCount() == 0
    assert window.open_sequence(saved)
    assert statuses(panel) == ["placed", "placed", "heard differently", "placed"]
    assert [c.label for c in session.sequence.clips] == [SCRIPT[0], "nobody knew why the mill kept the tickets",
                                                        SCRIPT[2], SCRIPT[3]]

    # the whole assembly was one undo step
    window.new_sequence()
    assemble(qtbot, panel)
    session.undo()
    assert session.sequence.clips == [] and session.sequence.script == []


def test_cancelled_assembly_leaves_the_timeline_as_it_was(qtbot, window):
    panel = window.script
    assert panel.load_text("\n".join(SCRIPT))
    assert panel.assemble()
    panel.cancel()
    qtbot.waitUntil(lambda: not panel.running, timeout=60_000)
    assert window.session.sequence.clips == [] and not window.session.dirty
    assert statuses(window.script) == ["not assembled"] * 4


def test_bad_script_files_say_why(qtbot, window, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("# only a comment\n\n")
    assert not window.script.load_file(empty)
    assert str(empty) in window.last_error and "no lines" in window.last_error
    assert not window.script.load_file(tmp_path / "absent.txt")
    assert "absent.txt" in window.last_error and "cannot read" in window.last_error


@pytest.mark.slow   # the window started as a process, a screenshot
def test_smoke_assembles_a_script_and_prints_its_counts(lib, tmp_path):  # noqa: F811
    from PySide6.QtGui import QImage

    from conftest import run_cli
    script = tmp_path / "paper.txt"
    script.write_text("\n".join(SCRIPT) + "\n")
    shot = tmp_path / "script.png"
    proc = run_cli(lib.path, "app", "--smoke", shot, "--window", "1024x700", "--script", script)
    assert "script: 4 lines, 3 placed, 1 missing" in proc.stdout
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1024, 700)
    bad = run_cli(lib.path, "app", "--smoke", shot, "--window", "1024", check=False)
    assert bad.returncode == 2 and "1280x800" in bad.stderr and "Traceback" not in bad.stderr


def test_missing_lines_are_red_markers_in_every_export_that_carries_a_colour(lib, tmp_path):  # noqa: F811
    import opentimelineio as otio

    from framesense import ExportOptions
    seq, _ = lib.assemble(SCRIPT)
    otio_path, edl_path = tmp_path / "paper.otio", tmp_path / "paper.edl"
    lib.export(seq, otio_path, ExportOptions(format="otio"))
    lib.export(seq, edl_path, ExportOptions(format="edl"))
    colours = {m.name: m.color for c in otio.adapters.read_from_file(str(otio_path)).find_clips() for m in c.markers}
    assert colours[f"MISSING: {SCRIPT[1]}"] == "RED"
    assert {colour for name, colour in colours.items() if not name.startswith("MISSING")} == {"GREEN"}
    locs = [line for line in edl_path.read_text().splitlines() if line.startswith("* LOC:")]
    assert any(f"RED MISSING: {SCRIPT[1]}" in line for line in locs)
    assert all(" YELLOW " in line for line in locs if "MISSING" not in line)


def test_the_paper_edit_is_the_same_from_the_cli_the_api_and_the_window(qtbot, window, lib, tmp_path):  # noqa: F811
    """One paper edit, three doors: ``framesense assemble``, ``Library.assemble`` and the Script panel lay
    the same takes, cut at the same frames, with the same markers and alternates."""
    from conftest import run_cli
    script = tmp_path / "paper.txt"
    script.write_text("\n".join(SCRIPT) + "\n")
    proc = run_cli(lib.path, "assemble", script, "-o", tmp_path / "cli.otio", check=False)
    assert proc.returncode == 1, proc.stderr                  # 1: a line is missing, the sequence is written
    api, _ = lib.assemble(SCRIPT)
    assemble(qtbot, window.script)
    clips = lambda seq: [c.to_json() for c in seq.clips]  # noqa: E731
    cli = lib.load_sequence(tmp_path / "cli.otio")
    assert len(api.clips) == 3 and clips(cli) == clips(api) == clips(window.session.sequence)
