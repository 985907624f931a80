"""The source monitor's keys (J/K/L shuttle, K held with J/L to step, I/O marks) and the watch on
K that tells the player the key is held: a shortcut sees a press, never how long it lasts."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt


class KeyHeld(QObject):
    """Application-wide: sets ``player.k_held`` while K is down (auto-repeat ignored)."""

    def __init__(self, player, key=Qt.Key.Key_K):
        super().__init__(player)
        self.player, self.key = player, key

    def eventFilter(self, obj, event):
        t = event.type()
        if t in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress, QEvent.Type.KeyRelease) \
                and event.key() == self.key and not event.isAutoRepeat() \
                and not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            self.player.k_held = t != QEvent.Type.KeyRelease
        elif t == QEvent.Type.ApplicationDeactivate:
            self.player.k_held = False
        return False


def monitor_keys(player) -> dict:
    """Key -> slot for the widgets that hand keys to the monitor (results, player, library)."""
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    if app is not None and not hasattr(player, "_key_held"):
        player._key_held = KeyHeld(player)
        app.installEventFilter(player._key_held)
    return {Qt.Key.Key_Space: player.toggle, Qt.Key.Key_L: player.shuttle_l, Qt.Key.Key_K: player.pause,
            Qt.Key.Key_J: player.shuttle_j, Qt.Key.Key_Comma: lambda: player.step(-1),
            Qt.Key.Key_Period: lambda: player.step(1), Qt.Key.Key_I: lambda: player.set_mark("in"),
            Qt.Key.Key_O: lambda: player.set_mark("out")}
