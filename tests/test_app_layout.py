"""The window on a laptop screen (issue 23, item 5): at 1024x700 and 1280x800 nothing is clipped or
overlapping, the window never resizes itself, every hit row shows its matched words and an
unbroken file name, the timeline has track headers, the ruler is labelled at round timecode and
the in/out fields speak timecode. Real window (offscreen), real indexed video, screenshots kept."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6", reason="the desktop app needs PySide6 (pip install 'framesense[app]')")

from PySide6.QtCore import QRect, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QFontMetrics  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QLabel  # noqa: E402

from framesense.media.synth import Shot, write_video  # noqa: E402
from framesense.search.hits import Hit  # noqa: E402

SENTENCE = ("Early this morning the whole village walked down to the harbour at dawn, and the fishing boats "
            "are coming home with a catch nobody expected to see this late in the season.")


@pytest.fixture(scope="module")
def footage(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("layout")
    write_video(folder / "Fleet Returns From The Northern Grounds.mp4", [Shot(60, 1), Shot(60, 2)], rate="25",
                start_timecode="00:59:56:04", audio="tone", gop=10)
    return folder


@pytest.fixture
def window(qtbot, library, tmp_path, footage):
    from framesense.app.main_window import MainWindow
    win = MainWindow(library, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win, before_close_func=lambda w: w.session.mark_clean())
    win.show()
    qtbot.waitExposed(win)
    assert win.add_folder(footage, speech=False, visual=False) is not None
    qtbot.waitUntil(lambda: not win.indexing, timeout=60_000)
    yield win
    win.session.mark_clean()
    win.close()


def fill(win, qtbot):
    row = win.session.library.catalog.one("SELECT id, path FROM media")
    hits = [Hit(media_id=row["id"], media_path=row["path"], start_frame=10 + 20 * i, end_frame=25 + 20 * i, rate=25,
                score=0.9, kind="phrase", text="fishing boats", context=SENTENCE) for i in range(4)]
    win.search_ctl.show_hits(hits, "4 hits")
    win.session.set_pads(0.0, 0.0)
    win.add_hits_to_timeline([0, 2])
    win.timeline.view.select(0)
    qtbot.wait(100)


def inside(widget, window) -> bool:
    top_left = widget.mapTo(window, widget.rect().topLeft())
    return window.rect().contains(QRect(top_left, widget.size()))


def check_nothing_clipped(win):
    """Every visible button, field and label in the search bar, results header, player controls and
    timeline bar lies inside the window, is at least as wide as its text needs, and no two overlap."""
    problems = []
    for area in (win.search, win.timeline, win.player, win.results):
        boxes = []
        for w in area.findChildren(QAbstractButton) + area.findChildren(QAbstractSpinBox):
            if not w.isVisibleTo(win) or w.parent() is not area and w.parentWidget() is not area:
                continue
            if not inside(w, win):
                problems.append(f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r} outside the window")
            text = w.text() if isinstance(w, QAbstractButton) else w.lineEdit().text()
            need = QFontMetrics(w.font()).horizontalAdvance(text) + (8 if isinstance(w, QAbstractButton) else 4)
            if text and w.width() < need:
                problems.append(f"{type(w).__name__} {text!r} clipped: {w.width()} < {need} px")
            boxes.append((w, QRect(w.mapTo(win, w.rect().topLeft()), w.size())))
        for i, (a, ra) in enumerate(boxes):
            for b, rb in boxes[i + 1:]:
                if ra.intersects(rb):
                    problems.append(f"{a.text() if isinstance(a, QAbstractButton) else a} overlaps "
                                    f"{b.text() if isinstance(b, QAbstractButton) else b}")
    p = win.player     # the monitor's picture, scrub bar and caption, one above the other
    stack = [w for w in (p.view, p.scrub, p.caption) if w.isVisibleTo(win)]
    for a, b in zip(stack, stack[1:]):
        if a.geometry().intersects(b.geometry()):
            problems.append(f"the monitor's {type(a).__name__} runs over its {type(b).__name__} "
                            f"({a.geometry().bottom() - b.geometry().top() + 1} px)")
    return problems


def check_hit_rows(win):
    from framesense.app.hit_rows import ROLE_INFO
    lst = win.results.list
    delegate = lst.itemDelegate()
    problems = []
    for r in range(lst.count()):
        info = lst.item(r).data(ROLE_INFO)
        rect = lst.visualItemRect(lst.item(r))
        _, box = delegate.boxes(rect)
        words = delegate.words_html(info, box.width(), lst.font())
        if "<b>fishing boats</b>" not in words:
            problems.append(f"row {r}: matched words not shown ({words!r})")
        lines = delegate.lines(info, box, lst.font(), Qt.GlobalColor.black, Qt.GlobalColor.gray)
        rect0, name, font, _, mode = lines[0]
        shown = QFontMetrics(font).elidedText(name, mode, rect0.width())
        if not shown.endswith(".mp4") or "\n" in shown:
            problems.append(f"row {r}: file name shown as {shown!r}")
        need = 5 * QFontMetrics(lst.font()).lineSpacing()
        if rect.height() < need:
            problems.append(f"row {r}: {rect.height()} px tall, its lines need {need}")
    return problems


@pytest.mark.slow   # screenshots at several sizes
@pytest.mark.parametrize("size", [(1024, 700), (1280, 800)])
def test_the_window_fits_a_laptop_screen(qtbot, window, tmp_path, size):
    window.resize(*size)
    fill(window, qtbot)
    assert (window.width(), window.height()) == size
    assert check_nothing_clipped(window) == []
    assert check_hit_rows(window) == []
    tl = window.timeline
    # the in/out fields show the selected clip's source timecode, whole (check_nothing_clipped measured them)
    assert tl.trim_in.text() == "00:59:56:14" and tl.trim_out.text() == "00:59:57:04"
    assert tl.clip_info.text().startswith("Fleet Returns")
    # track headers beside the tracks
    assert tl.headers.isVisible() and inside(tl.headers, window)
    # dismissing the banner and selecting another hit never resize the window
    window.model_info.close_button.click()
    window.results.list.setCurrentRow(2)
    qtbot.wait(100)
    assert (window.width(), window.height()) == size
    # playing the hits moves nothing on screen (it used to shift the layout 7-20 px)
    def places():
        return {id(w): QRect(w.mapTo(window, w.rect().topLeft()), w.size())
                for area in (window.player, window.timeline, window.results, window.search)
                for w in area.findChildren(QAbstractButton) + area.findChildren(QAbstractSpinBox)
                + area.findChildren(QLabel) if w.isVisibleTo(window)}
    before = places()
    window.player.play()
    shown = []
    window.player.frame_shown.connect(shown.append)
    qtbot.waitUntil(lambda: len(shown) >= 5, timeout=10_000)
    window.player.pause()
    assert places() == before
    shot = tmp_path / f"window-{size[0]}x{size[1]}.png"
    assert window.grab().save(str(shot))
    from PySide6.QtGui import QImage
    assert (QImage(str(shot)).width(), QImage(str(shot)).height()) == size
    # folding the side panels away gives the results and the timeline the room
    before = window.results.width()
    window.side_panels_action.trigger()
    qtbot.wait(50)
    assert not window.library_dock.isVisible() and window.results.width() > before
    window.side_panels_action.trigger()
    assert window.library_dock.isVisible()


def test_ruler_labels_sit_at_round_timecode():
    from framesense.app.timeline_items import round_timecode, ruler_step
    from framesense.timecode import Timecode
    tc = Timecode(25)
    start = tc.to_frames("00:59:56:04")               # a start timecode that is not round
    step = ruler_step(1.0, tc.fps)                     # at least 90 px apart at a pixel a frame: 5 s
    labels = [tc.to_string(start + f) for f in range(0, 2000) if round_timecode(tc, start + f, step)]
    assert step == 125 and labels[:3] == ["01:00:00:00", "01:00:05:00", "01:00:10:00"]
    df = Timecode("30000/1001", drop_frame=True)
    start = df.to_frames("01:00:00;00")
    minutes = [df.to_string(start + f) for f in range(0, 30 * 200) if round_timecode(df, start + f, 30 * 60)]
    assert minutes == ["01:00:00;00", "01:01:00;02", "01:02:00;02", "01:03:00;02"]


def test_people_buttons_wait_for_people(qtbot, window):
    """With no people indexed, the People panel's buttons are off (they did nothing when pressed)."""
    panel = window.people
    panel.refresh(window.session.library)
    assert panel.cards.count() == 0
    assert not any(b.isEnabled() for b in panel.buttons.values())
