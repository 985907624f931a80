"""The Qt binding the app runs on must not leak references to None.

PySide6 6.12.0 (Python 3.11, where None is not immortal) drops one reference to None on
every void call (QPainter.save, drawLine, fillRect...): the app aborts with "deallocating
None" after a few thousand paints. pyproject excludes that release; this keeps it out.
"""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("PySide6", reason="the desktop app needs PySide6 (pip install 'framesense[app]')")


def test_painting_does_not_leak_references_to_none(qapp):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter, QPen

    image = QImage(64, 64, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        painter.save()
        painter.restore()                 # warm up: first calls may cache
        before = sys.getrefcount(None)
        for _ in range(200):              # well under the ~4,000 calls that aborted 6.12.0; plenty to see a leak
            painter.save()
            painter.setPen(QPen(QColor(10, 20, 30)))
            painter.fillRect(QRectF(0, 0, 4, 4), QColor(1, 2, 3))
            painter.restore()
        lost = before - sys.getrefcount(None)
    finally:
        painter.end()
    assert lost < 50, f"{lost} references to None lost in 800 QPainter calls (a broken PySide6 build)"
