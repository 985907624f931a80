"""Text-based editing in the window: select words of a hit's file and Add puts exactly them on the
timeline; Delete on the sequence's words cuts exactly that word out; Undo brings it back."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6", reason="the desktop app needs PySide6 (pip install 'framesense[app]')")

from PySide6.QtCore import QSettings, Qt  # noqa: E402

from framesense.media.synth import Shot, write_video  # noqa: E402
from framesense.search.hits import Hit  # noqa: E402
from framesense.timeline import textcut  # noqa: E402

WORDS = [("one", 1.00, 1.30), ("two", 1.50, 1.80), ("three", 2.40, 2.90), ("four", 3.00, 3.20),
         ("five", 3.20, 3.60), ("six", 5.00, 5.50)]


@pytest.fixture
def window(qtbot, tmp_path, library):
    from framesense import Library
    from framesense.app.main_window import MainWindow
    clip = write_video(tmp_path / "f" / "talk.mp4", [Shot(150, 1)], audio="silence").path
    transcript = tmp_path / "talk.json"
    transcript.write_text(json.dumps({"segments": [{"start": 1.0, "end": 5.5, "text": " ".join(w for w, _, _ in WORDS),
                                                    "words": [{"word": w, "start": a, "end": b} for w, a, b in WORDS]}]}))
    with Library.open(library) as lib:
        lib.index([clip], speech=False, visual=False)
        lib.import_transcript(clip, transcript)
    win = MainWindow(library, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win, before_close_func=lambda w: w.session.mark_clean())
    win.show()
    qtbot.waitExposed(win)
    row = win.session.library.catalog.one("SELECT id, path FROM media")
    win.session.set_results([Hit(media_id=row["id"], media_path=row["path"], start_frame=37, end_frame=46, rate=25,
                                 score=1.0, kind="phrase", text="two")])
    win.results.list.setCurrentRow(0)
    return win


def shown(panel):
    return [panel.words.item(i).text() for i in range(panel.words.count())]


def test_add_selected_words_then_delete_one_from_the_sequence(qtbot, window):
    panel = window.transcript
    assert shown(panel) == [w for w, _, _ in WORDS]              # the current hit's file, word by word
    panel.select_words(1, 2)                                     # "two three"
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    seq = window.timeline.sequence
    words = window.session.media_words(window.session.results[0].media_id)
    assert [(c.source_in, c.source_out) for c in seq.clips] == [textcut.span_frames(words, 1, 2, 25, 150)]
    assert [w.text for w in textcut.clip_words(words, seq.clips[0])] == ["two", "three"]   # exactly those

    panel.mode.setCurrentText("The sequence")
    assert shown(panel) == ["two", "three"]
    panel.select_words(1, 1)
    panel.words.setFocus()
    qtbot.keyClick(panel.words, Qt.Key.Key_Delete)
    assert [w.text for c in seq.clips for w in textcut.clip_words(words, c)] == ["two"]
    assert shown(panel) == ["two"] and window.timeline.dirty
    window.session.undo()
    assert [w.text for c in seq.clips for w in textcut.clip_words(words, c)] == ["two", "three"]
    assert shown(panel) == ["two", "three"]


def test_a_drag_selects_words_in_reading_order_and_overlaps_are_refused(qtbot, window):
    panel = window.transcript
    window.transcript_dock.raise_()
    panel.words.setFixedWidth(110)                              # the words wrap onto several lines
    qtbot.waitUntil(panel.words.isVisible)
    qtbot.wait(50)
    rects = [panel.words.visualItemRect(panel.words.item(i)) for i in range(panel.words.count())]
    assert len({r.top() for r in rects}) >= 3                   # really laid out like text, over lines
    vp = panel.words.viewport()
    start, end = rects[1].center(), rects[4].center()           # from "two" down to "five"
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, 5):
        qtbot.mouseMove(vp, start + (end - start) * i / 4)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    picked = sorted(panel.words.row(it) for it in panel.words.selectedItems())
    assert picked == [1, 2, 3, 4]                               # every word between, nothing beside them
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rects[0].center())
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, rects[2].center())
    assert sorted(panel.words.row(it) for it in panel.words.selectedItems()) == [0, 1, 2]
    assert panel.add_selection() and len(window.session.sequence.clips) == 1
    # words that share frames with that clip are refused with a message, never merged into it
    panel.select_words(2, 3)
    assert not panel.add_selection()
    assert len(window.session.sequence.clips) == 1 and "overlap clip 1" in window.last_error
    panel.select_words(4, 5)                                     # words after it: a clip of their own
    assert panel.add_selection() and len(window.session.sequence.clips) == 2
