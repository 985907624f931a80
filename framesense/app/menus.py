"""The window's menus and keys: File, Edit, Hits, Playback, plugin menus, and transport keys
that work wherever focus is except while typing in a field."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut

from .monitor_keys import monitor_keys
from .supercut_dialog import SupercutDialog


def _act(window, menu, text, slot, shortcut=None) -> QAction:
    a = QAction(text, window)
    if shortcut:
        a.setShortcut(QKeySequence(shortcut))
    a.triggered.connect(slot)
    menu.addAction(a)
    return a


def build_menus(w) -> None:
    bar = w.menuBar()
    m = bar.addMenu("&File")
    _act(w, m, "Add &folder…", w.choose_folder, "Ctrl+Shift+A")
    _act(w, m, "Open &library…", w.choose_library)
    m.addSeparator()
    _act(w, m, "&New sequence", w.new_sequence, "Ctrl+N")
    _act(w, m, "&Open sequence…", w.choose_sequence, "Ctrl+O")
    _act(w, m, "&Save sequence", w.save_sequence, "Ctrl+S")
    _act(w, m, "Save sequence &as…", lambda: w.save_sequence(ask=True), "Ctrl+Shift+S")
    _act(w, m, "&Export…", w.show_export, "Ctrl+E")
    _act(w, m, "Open s&cript (paper edit)…", lambda: (w.script_dock.show(), w.script_dock.raise_(),
                                                     w.script.choose_file()))
    m.addSeparator()
    _act(w, m, "Se&ttings…", w.show_settings, "Ctrl+,")
    _act(w, m, "Set up &picture search…", lambda: w.setup_picture_search())
    _act(w, m, "&Quit", w.close, "Ctrl+Q")
    e = bar.addMenu("&Edit")
    for a in (w.timeline.undo_action, w.timeline.redo_action):
        e.addAction(a)
        w.addAction(a)
    e.addSeparator()
    _act(w, e, "Suggest &pictures over the cuts (V2)", w.pictures.suggest, "Ctrl+Shift+U")
    _act(w, e, "&Next take for the script line\tN (in the Script panel)", w.script.swap_current)
    h = bar.addMenu("&Hits")
    w.add_action = _act(w, h, "&Add to timeline", w.add_selected_to_timeline)
    w.add_action.setToolTip("Add the selected hits to the timeline (A or Enter in the results)")
    _act(w, h, "&Play hits", w.playlist.play_results)
    _act(w, h, "&Supercut from results…", lambda: SupercutDialog(w).open())
    _act(w, h, "Find the same &footage as this frame", w.search_same_as_frame, "Ctrl+Shift+F")
    _act(w, h, "Find pictures &like this frame", w.search_like_frame, "Ctrl+Shift+L")
    _act(w, h, "Find this &person (the largest face in this frame)", lambda: w.search_ctl.from_frame("face"),
         "Ctrl+Shift+P")
    _act(w, h, "Find &search field", lambda: w.search.field.setFocus(), "Ctrl+F")
    _plugin_menus(w)
    player = w.player
    p = bar.addMenu("&Playback")
    for text, slot in (("Play / pause\tSpace", player.toggle), ("Play / faster\tL", player.faster),
                       ("Reverse / faster\tJ", player.reverse), ("Pause\tK", player.pause),
                       ("Frame back\tK+J  ,", lambda: player.step(-1)), ("Frame forward\tK+L  .", lambda: player.step(1)),
                       ("Mark in\tI", lambda: player.set_mark("in")), ("Mark out\tO", lambda: player.set_mark("out")),
                       ("Previous hit\tLeft", player.previous_item), ("Next hit\tRight", player.next_item),
                       ("Play sequence", w.play_sequence),
                       ("Add marker at the playhead\tM (on the timeline)",
                        lambda: w.session.add_marker(w.timeline.view.playhead))):
        _act(w, p, text, slot)
    v = bar.addMenu("&View")
    w.side_panels_action = _act(w, v, "&Side panels (library, transcript, people, script, markers)",
                                lambda on: set_side_panels(w, on), "Ctrl+Shift+B")
    w.side_panels_action.setCheckable(True)
    w.side_panels_action.setChecked(True)
    for dock in side_docks(w):
        v.addAction(dock.toggleViewAction())
    keys = {**monitor_keys(player), Qt.Key.Key_A: w.add_selected_to_timeline}
    for widget in (w.results.list, player, w.library.tree):   # the timeline has its own keys
        _shortcuts(widget, keys)
    for widget in (w.results.list, player):
        _shortcuts(widget, {Qt.Key.Key_Left: player.previous_item, Qt.Key.Key_Right: player.next_item})


def side_docks(w) -> list:
    return [w.library_dock, w.transcript_dock, w.people_dock, w.script_dock, w.markers_dock]


def set_side_panels(w, shown: bool) -> None:
    """Fold the docks at the left away (or bring them back): the results and timeline get the width."""
    for dock in side_docks(w):
        dock.setVisible(shown)
    if shown:
        w.library_dock.raise_()
    w.side_panels_action.setChecked(shown)


def _shortcuts(widget, keys: dict) -> None:
    for key, slot in keys.items():
        s = QShortcut(QKeySequence(key), widget)
        s.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        s.activated.connect(slot)


def _plugin_menus(w) -> None:
    """Menu entries contributed by plugins (framesense_app_actions); a broken plugin never stops the window."""
    try:
        from ..api import plugin_registry
        actions = plugin_registry().app_actions()
    except Exception as exc:
        w.error(f"plugins: {exc}")
        return
    menus: dict = {}
    for spec in actions:
        menu = menus.get(spec.menu) or menus.setdefault(spec.menu, w.menuBar().addMenu(spec.menu))
        _act(w, menu, spec.label, lambda _=False, s=spec: w.run_plugin_action(s), spec.shortcut)


def run_plugin_action(w, spec) -> str | None:
    """Run a plugin's menu entry on the selected hits or the sequence; its message goes to the status bar."""
    from ..plugins.types import ActionContext
    ctx = ActionContext(library_dir=w.library_dir, sequence=w.session.sequence,
                        selection=[w.session.results[i] for i in w.results.selected_indices()])
    if not spec.enabled_for(ctx):
        w.error(f"{spec.label}: select hits first" if spec.scope == "selection" else f"{spec.label}: no sequence")
        return None
    try:
        message = spec.run(ctx)
    except Exception as exc:
        w.error(f"{spec.label} failed: {type(exc).__name__}: {exc}")
        return None
    if message:
        w.statusBar().showMessage(f"{spec.label}: {message}", 15000)
    return message
