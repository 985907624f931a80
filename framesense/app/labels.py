"""A label that never widens the window: long messages wrap, a long path is cut at the edge,
and the whole text stays in the tooltip (a 2,000-character error once made the window 2,334 px wide)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QSizePolicy


class FitLabel(QLabel):
    def __init__(self, text: str = "", parent=None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text if len(text) > 80 else "")

    def minimumSizeHint(self) -> QSize:
        return QSize(40, super().minimumSizeHint().height())


class ElidedLabel(QLabel):
    """One line that is cut with an ellipsis where it does not fit (the whole text in its tooltip),
    so a long name never pushes the buttons beside it off a laptop screen."""

    def __init__(self, text: str = "", parent=None, mode=None):
        super().__init__(parent)
        from PySide6.QtCore import Qt
        self._full = ""
        self._mode = mode if mode is not None else Qt.TextElideMode.ElideRight
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def text(self) -> str:
        return self._full

    def shown(self) -> str:
        """The text as it is on screen now (elided)."""
        return super().text()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._elide()

    def _elide(self):
        super().setText(self.fontMetrics().elidedText(self._full, self._mode, max(0, self.width())))

    def minimumSizeHint(self) -> QSize:
        return QSize(20, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 4, super().sizeHint().height())
