"""The window's preferences (QSettings): defaults, typed reads, and window geometry."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

DEFAULTS = {"pad_before": 0.5, "pad_after": 0.5, "sample_interval": 2.0, "speech": True, "visual": True,
            "speech_model": "", "clip_model": "", "pad_overlap": "merge"}
_LAYOUT = ("window/geometry", "window/state", "window/hsplit", "window/vsplit")


def app_settings() -> QSettings:
    return QSettings("FrameSense", "FrameSense")


def setting(settings: QSettings, key: str):
    value = settings.value(key, DEFAULTS.get(key))
    if isinstance(DEFAULTS.get(key), bool) and isinstance(value, str):
        return value.lower() == "true"
    return value


def save_settings(settings: QSettings, values: dict) -> None:
    for k in DEFAULTS:
        if k in values:
            settings.setValue(k, values[k])


def _parts(w):
    return (w.saveGeometry, w.restoreGeometry), (w.saveState, w.restoreState), \
        (w.hsplit.saveState, w.hsplit.restoreState), (w.vsplit.saveState, w.vsplit.restoreState)


def restore_window(w) -> None:
    if not isinstance(w.settings.value(_LAYOUT[0]), QByteArray):
        w.resize(1280, 800)
    for name, (_, restore) in zip(_LAYOUT, _parts(w)):
        value = w.settings.value(name)
        if isinstance(value, QByteArray):
            restore(value)


def save_window(w) -> None:
    for name, (save, _) in zip(_LAYOUT, _parts(w)):
        w.settings.setValue(name, save())
    w.settings.setValue("library", str(w.library_dir))
    w.settings.sync()
