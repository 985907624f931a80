"""Which edit a press at a cut starts: the edge you point at, at every zoom.

A cut has a hit zone of a few screen pixels each side: left of it grabs the outgoing clip's
tail (a ripple of its out point), right of it the incoming clip's head (a ripple of its in
point), and with Alt held both at once (a roll, the cut moves and nothing after it does).
The zones are measured in pixels from the cut's exact position, never from a press rounded
to a frame first, so zoomed in the tail is as easy to take as the head; a zone never reaches
past the middle of its clip, so a narrow clip can still be picked up to move.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QCursor, QPainter, QPen, QPixmap

ZONE_PX = 6.0          # how far each side of a cut a press takes that cut's edge

LABELS = {"out": "Ripple out", "in": "Ripple in", "roll": "Roll"}


@dataclass(frozen=True)
class EdgeGrab:
    """What a press at a cut edits: ``edge`` is "out" (clip ``index``'s tail), "in" (its head) or
    "roll" (the cut before clip ``index``); ``cut`` is the index into the cuts (0 = start)."""
    edge: str
    index: int
    cut: int


def edge_at(x: float, cuts_px: list[float], roll: bool = False, zone: float = ZONE_PX) -> EdgeGrab | None:
    """The edge a press at scene x takes, given every cut's x from the start to the end
    (``len(cuts_px)`` = clips + 1); None when the press is on a clip's body."""
    n = len(cuts_px) - 1
    if n < 1:
        return None
    c = bisect.bisect_left(cuts_px, x)          # the first cut at or right of x
    best = None
    for cut in (c - 1, c):
        if not 0 <= cut <= n:
            continue
        dx = x - cuts_px[cut]
        if dx >= 0:        # right of the cut: the incoming clip's head (past the end: the last clip's tail)
            reach = zone if cut == n else min(zone, (cuts_px[cut + 1] - cuts_px[cut]) / 2)
            grab = EdgeGrab("out", n - 1, cut) if cut == n else EdgeGrab("in", cut, cut)
        else:              # left of it: the outgoing clip's tail
            reach = 0.0 if cut == 0 else min(zone, (cuts_px[cut] - cuts_px[cut - 1]) / 2)
            grab = EdgeGrab("out", cut - 1, cut)
        if abs(dx) <= reach and (best is None or abs(dx) < best[0]):
            best = (abs(dx), grab)
    if best is None:
        return None
    grab = best[1]
    if roll and 0 < grab.cut < n:
        return EdgeGrab("roll", grab.cut, grab.cut)
    return grab


def edge_cursor(edge: str) -> QCursor:
    """A cursor that shows which edit a drag makes: ``]`` for a tail, ``[`` for a head, ``][`` to roll."""
    pix = QPixmap(32, 24)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    for colour, width in ((QColor(0, 0, 0), 4), (QColor(255, 220, 80), 2)):
        p.setPen(QPen(colour, width))
        if edge in ("out", "roll"):
            p.drawPolyline([QPointF(10, 3), QPointF(14, 3), QPointF(14, 21), QPointF(10, 21)])
        if edge in ("in", "roll"):
            p.drawPolyline([QPointF(22, 3), QPointF(18, 3), QPointF(18, 21), QPointF(22, 21)])
        p.drawLine(QPointF(2, 12), QPointF(30, 12))
        p.drawPolyline([QPointF(6, 8), QPointF(2, 12), QPointF(6, 16)])
        p.drawPolyline([QPointF(26, 8), QPointF(30, 12), QPointF(26, 16)])
    p.end()
    return QCursor(pix, 16, 12)
