"""The app's search field takes the prefixes ``app --smoke --query`` takes (issue 23, item 7): typed
"face: …", "person: …", "like: FILE@SEC" or "text: …" switch the mode and search for the rest."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6", reason="the desktop app needs PySide6 (pip install 'framesense[app]')")

from PySide6.QtCore import Qt  # noqa: E402


@pytest.mark.parametrize("typed, mode, rest", [
    ("face: /shots/ana.png", "face", "/shots/ana.png"),
    ("person: Ana Lima", "person", "Ana Lima"),
    ("like: /footage/harbour.mov@12.5", "image", "/footage/harbour.mov@12.5"),
    ("text: a red car at night", "description", "a red car at night"),
    ("same: /footage/harbour.mov@3", "same footage", "/footage/harbour.mov@3"),
    ("time: the final frontier", "phrase", "time: the final frontier"),     # not a prefix: words as typed
])
def test_prefixes_in_the_field_pick_the_mode(qtbot, typed, mode, rest):
    from framesense.app.search_bar import SearchBar, build_query, parse_query_text
    bar = SearchBar()
    qtbot.addWidget(bar)
    bar.field.setText(typed)
    with qtbot.waitSignal(bar.search_requested, timeout=2000) as sig:
        qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert sig.args == [mode, rest] and bar.mode.currentText() == mode and bar.field.text() == rest
    assert parse_query_text(typed) == (mode, rest)                       # what app --smoke --query does
    q = build_query(mode, rest)
    expected = {"face": lambda: q.options["face"] == rest, "person": lambda: q.options["person"] == rest,
                "image": lambda: q.like == rest, "description": lambda: q.text == [rest],
                "same footage": lambda: q.same_as == rest, "phrase": lambda: q.phrase == rest}
    assert expected[mode]()
