"""What ``framesense doctor`` says about sound: QtMultimedia loads, which audio outputs the system
offers, and which one the player will use, in which format (``audio_out.DeviceOutput``'s own choice,
so the doctor cannot disagree with the player). A bundle that lost a library QtMultimedia needs
shows up here, not as a silent player."""

from __future__ import annotations


def sound_report() -> dict:
    """{"ok", "detail", "outputs": [{"name", "id", "default"}], "player": name or None}."""
    import os
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")   # the report says it; no log lines too
    try:
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as exc:
        from ..installation import how_to_get
        return {"ok": False, "detail": f"QtMultimedia does not load ({exc}): {how_to_get('app', 'QtMultimedia')}",
                "outputs": [], "player": None}
    _app = QCoreApplication.instance() or QCoreApplication([])   # QMediaDevices needs an application object
    import PySide6

    from .audio_out import DeviceOutput

    default = QMediaDevices.defaultAudioOutput()
    outputs = [{"name": d.description(), "id": bytes(d.id()).decode(errors="replace"),
                "default": d.id() == default.id()} for d in QMediaDevices.audioOutputs()]
    listed = "; ".join(f"{o['name']} ({o['id']}){' [default]' if o['default'] else ''}" for o in outputs) or "none"
    player = DeviceOutput()
    if player.reason:
        return {"ok": False, "detail": f"QtMultimedia {PySide6.__version__} loaded; outputs: {listed}; {player.reason}",
                "outputs": outputs, "player": None}
    fmt = player.format
    name = player.device.description()
    detail = (f"QtMultimedia {PySide6.__version__} loaded; outputs: {listed}; the player uses {name} "
              f"({bytes(player.device.id()).decode(errors='replace')}) at {fmt.sampleRate()} Hz, "
              f"{fmt.channelCount()} channels, 16-bit")
    return {"ok": True, "detail": detail, "outputs": outputs, "player": name}
