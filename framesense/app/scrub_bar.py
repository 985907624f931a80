"""The bar under the source monitor's picture: the hit's range with its pads, the I/O marks and
the frame on screen; click or drag to scrub."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class ScrubBar(QWidget):
    scrubbed = Signal(int)            # media frame under the mouse (press or drag)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFixedHeight(16)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Scrub: the hit (bright) between its pads, I/O marks in orange")
        self.first, self.last = 0, 1          # the item's range: [first, last)
        self.hit = None                       # (in, out) of the hit itself inside the pads
        self.marks = (None, None)
        self.frame = None
        self.dragging = False

    def set_range(self, first: int, last: int, hit=None, marks=(None, None)):
        self.first, self.last = first, max(first + 1, last)
        self.hit, self.marks = hit, marks
        self.update()

    def set_frame(self, frame):
        self.frame = frame
        self.update()

    def x_of(self, frame: float) -> float:
        return (frame - self.first) / (self.last - self.first) * max(1, self.width() - 1)

    def frame_at(self, x: float) -> int:
        f = self.first + int(x / max(1, self.width() - 1) * (self.last - self.first))
        return max(self.first, min(self.last - 1, f))

    def paintEvent(self, event):
        p = QPainter(self)
        h = self.height()
        p.fillRect(self.rect(), QColor("#3a3a3a"))                    # the pads
        if self.hit:
            a, b = self.x_of(max(self.first, self.hit[0])), self.x_of(min(self.last, self.hit[1]))
            p.fillRect(QRectF(a, 2, max(1.0, b - a), h - 4), QColor("#7f8c8d"))
        mark_in, mark_out = self.marks
        if mark_in is not None or mark_out is not None:
            a = self.x_of(mark_in if mark_in is not None else self.first)
            b = self.x_of(mark_out if mark_out is not None else self.last)
            p.fillRect(QRectF(a, h - 4, max(1.0, b - a), 4), QColor("#e67e22"))
        if self.frame is not None:
            x = self.x_of(self.frame + 0.5)
            p.setPen(QPen(Qt.GlobalColor.white, 2))
            p.drawLine(int(x), 0, int(x), h)
        p.end()

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton:
            self.dragging = True
            self.scrubbed.emit(self.frame_at(event.position().x()))

    def mouseMoveEvent(self, event):
        if self.dragging:
            self.scrubbed.emit(self.frame_at(event.position().x()))

    def mouseReleaseEvent(self, event):
        self.dragging = False
