"""A frame number field that shows and takes source timecode (the selected clip's in and out).

It is a QSpinBox underneath, so the value stays a media frame, the arrows and Up/Down step
one frame, and typing a timecode (``01:00:02:10``, ``;`` for drop-frame) sets it.
"""

from __future__ import annotations

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QSpinBox

from ..timecode import Timecode


class TimecodeBox(QSpinBox):
    def __init__(self, parent=None, **kw):
        super().__init__(parent, **kw)
        self._tc: Timecode | None = None
        self._start = 0
        self.setRange(0, 10 ** 8)

    def set_timecode(self, timecode: Timecode | None, start_frame: int = 0) -> None:
        """Show values as ``timecode`` counted from the media's first frame at ``start_frame``."""
        self._tc, self._start = timecode, int(start_frame)
        self.setValue(self.value())
        self.lineEdit().setText(self.textFromValue(self.value()))

    def textFromValue(self, value: int) -> str:
        return self._tc.to_string(self._start + value) if self._tc is not None else str(value)

    def valueFromText(self, text: str) -> int:
        try:
            return self._frames(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            frames = self._frames(text)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        ok = self.minimum() <= frames <= self.maximum()
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos

    def _frames(self, text: str) -> int:
        text = text.strip()
        if self._tc is None:
            return int(text)
        return self._tc.to_frames(text) - self._start
