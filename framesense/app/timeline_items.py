"""What the timeline scene draws: one item per clip (V and A track), the pictures over the cuts (V2),
the ruler and the playhead.

Scene x is pixels (record frame * pixels per frame); items keep their record range
and are laid out again on zoom. The view paints only the clips the exposed rect
overlaps (found by bisection), so 2,000 clips cost what the visible few cost.
Clips are plain geometry objects painted from the view's drawBackground rather
than QGraphicsItems, one object per clip instead of two Qt ones.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainterPath, QPen, QPixmap

RULER_H = 26
TRACK_GAP = 4
V2_TOP = RULER_H + TRACK_GAP
V2_H = 40
V_TOP = V2_TOP + V2_H + TRACK_GAP
V_H = 66
A_TOP = V_TOP + V_H + TRACK_GAP
A_H = 34
SCENE_H = A_TOP + A_H + TRACK_GAP

V_COLOR = QColor(70, 110, 160)
V2_COLOR = QColor(120, 90, 160)
A_COLOR = QColor(60, 130, 90)
SELECTED = QColor(240, 190, 60)
MARKER = QColor(80, 200, 120)
MISSING = QColor(220, 40, 40)          # a paper edit's line with no take: red in the script and here


MARKER_COLOURS = {"RED": MISSING, "GREEN": MARKER, "BLUE": QColor(70, 130, 230), "YELLOW": QColor(230, 200, 40),
                  "ORANGE": QColor(240, 140, 40), "PURPLE": QColor(160, 90, 200), "CYAN": QColor(60, 200, 210),
                  "PINK": QColor(240, 120, 180), "WHITE": QColor(240, 240, 240)}


def marker_colour(marker) -> QColor:
    """A marker's colour as exports write it (MISSING lines red)."""
    return MARKER_COLOURS.get(marker.color_or("GREEN"), MARKER)


class ClipItem:
    """One clip on both tracks: picture (thumbnail, name, source TC) above, waveform below."""

    def __init__(self, view, index: int):
        self.view, self.index = view, index
        self.record_in = self.record_out = 0
        self._x = 0.0
        self._w = 1.0

    def x(self) -> float:
        return self._x

    @property
    def clip(self):
        return self.view.sequence.clips[self.index]

    def place(self, record_in: int, record_out: int, px_per_frame: float):
        self.record_in, self.record_out = record_in, record_out
        self._w = max(1.0, (record_out - record_in) * px_per_frame)
        self._x = record_in * px_per_frame

    def width(self) -> float:
        return self._w

    def boundingRect(self) -> QRectF:
        return QRectF(0, V_TOP, self._w, A_TOP + A_H - V_TOP)

    def paint(self, painter):
        """Paint at the item's place (the caller's painter is in scene coordinates)."""
        painter.save()
        painter.translate(self._x, 0)
        try:
            self._paint(painter)
        finally:
            painter.restore()

    def _paint(self, painter):
        clip = self.clip
        selected = self.index in self.view.selected
        w = self._w
        if w < 4:   # zoomed far out: a block per track is all that can be seen
            painter.fillRect(QRectF(0, V_TOP, w, V_H), SELECTED if selected else V_COLOR)
            painter.fillRect(QRectF(0, A_TOP, w, A_H), A_COLOR)
            return
        v = QRectF(0.5, V_TOP + 0.5, w - 1, V_H - 1)
        painter.setPen(QPen(SELECTED if selected else V_COLOR.darker(160), 2 if selected else 1))
        painter.setBrush(QBrush(V_COLOR.lighter(125) if selected else V_COLOR))
        painter.drawRect(v)
        x = 3.0
        if w > 40:
            pix = self.view.thumbnail(clip)
            if pix is not None and not pix.isNull():
                th = V_H - 6
                tw = min(w - 6, th * pix.width() / max(1, pix.height()))
                painter.drawPixmap(QRectF(3, V_TOP + 3, tw, th), pix, QRectF(pix.rect()))
                x = tw + 6
        if w - x > 24:
            painter.setPen(Qt.GlobalColor.white)
            fm = QFontMetrics(painter.font())
            avail = int(w - x - 3)
            line = fm.height()
            painter.drawText(QRectF(x, V_TOP + 3, avail, line), Qt.AlignmentFlag.AlignLeft,
                             fm.elidedText(clip.name, Qt.TextElideMode.ElideRight, avail))
            tc = self.view.source_tc(clip, clip.source_in)
            painter.drawText(QRectF(x, V_TOP + 3 + line, avail, line), Qt.AlignmentFlag.AlignLeft,
                             fm.elidedText(tc, Qt.TextElideMode.ElideRight, avail))
        self._paint_markers(painter, clip)
        a = QRectF(0.5, A_TOP + 0.5, w - 1, A_H - 1)
        painter.setPen(QPen(SELECTED if selected else A_COLOR.darker(160), 2 if selected else 1))
        painter.setBrush(QBrush(A_COLOR))
        painter.drawRect(a)
        peaks = self.view.waveform(clip)
        if peaks is not None and len(peaks):
            self._paint_wave(painter, clip, peaks, a)

    def _paint_markers(self, painter, clip):
        """Each marker as a flag on the V track in its colour (MISSING lines red)."""
        scale = self.view.px_per_frame * self.view.sequence.rate / clip.media.rate
        for m in clip.markers:
            if not clip.source_in <= m.frame < clip.source_out:
                continue
            x = min((m.frame - clip.source_in) * scale, self._w - 2)
            colour = marker_colour(m)
            painter.setPen(QPen(colour, 2))
            painter.drawLine(QPointF(x, V_TOP + 1), QPointF(x, V_TOP + V_H - 1))
            painter.setBrush(colour)
            painter.drawPolygon([QPointF(x, V_TOP + 1), QPointF(x + 7, V_TOP + 5), QPointF(x, V_TOP + 9)])

    def _paint_wave(self, painter, clip, peaks, rect: QRectF):
        n = clip.duration
        cols = max(1, min(int(rect.width()), n))
        mid, half = rect.center().y(), rect.height() / 2 - 2
        path = QPainterPath()
        for c in range(cols):
            f0 = clip.source_in + c * n // cols
            f1 = max(f0 + 1, clip.source_in + (c + 1) * n // cols)
            seg = peaks[f0:f1]
            level = float(seg.max()) if len(seg) else 0.0
            xx = rect.left() + (c + 0.5) * rect.width() / cols
            path.moveTo(xx, mid - level * half)
            path.lineTo(xx, mid + level * half)
        painter.setPen(QPen(QColor(200, 240, 210), max(1.0, rect.width() / cols * 0.7)))
        painter.drawPath(path)


def paint_overlay(painter, view, op, selected: bool) -> None:
    """A picture on V2 (an overlay placement): its thumbnail and file name over the cut it covers."""
    ppf = view.px_per_frame
    x, w = op.record_in * ppf, max(1.0, op.record_duration * ppf)
    rect = QRectF(x + 0.5, V2_TOP + 0.5, w - 1, V2_H - 1)
    painter.setPen(QPen(SELECTED if selected else V2_COLOR.darker(160), 2 if selected else 1))
    painter.setBrush(QBrush(V2_COLOR))
    painter.drawRect(rect)
    if w < 24:
        return
    tx = x + 3
    pix = view.thumbnail(op.clip)
    if pix is not None and not pix.isNull() and w > 40:
        th = V2_H - 6
        tw = min(w - 6, th * pix.width() / max(1, pix.height()))
        painter.drawPixmap(QRectF(tx, V2_TOP + 3, tw, th), pix, QRectF(pix.rect()))
        tx += tw + 3
    avail = int(x + w - tx - 3)
    if avail > 20:
        painter.setPen(Qt.GlobalColor.white)
        fm = QFontMetrics(painter.font())
        painter.drawText(QRectF(tx, V2_TOP + 3, avail, V2_H - 6), Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap,
                         fm.elidedText(op.clip.media.name, Qt.TextElideMode.ElideRight, avail))


def ruler_step(px_per_frame: float, fps: int, min_px: float = 90.0) -> int:
    """Frames between labelled ticks: the smallest 'round' step at least ``min_px`` apart."""
    steps = [1, 2, 5, 10]
    steps += [fps * s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600)]
    for s in steps:
        if s * px_per_frame >= min_px:
            return s
    return steps[-1]


def paint_ruler(painter, rect: QRectF, view):
    """Record timecode ticks over the exposed part of the ruler, labelled at round values of the
    sequence's timecode (whole seconds, 5 s, a minute… from its start timecode, drop-frame shows ';')."""
    seq = view.sequence
    ppf = view.px_per_frame
    tc = seq.timecode
    painter.fillRect(QRectF(rect.left(), 0, rect.width(), RULER_H), view.palette().window().color().darker(115))
    step = ruler_step(ppf, tc.fps)
    minor = max(1, step // 5)
    start = seq.start_frame
    lo = max(0, int(rect.left() / ppf) - step)
    first = lo + (-(start + lo)) % minor            # the first tick at a round record frame
    last = int(rect.right() / ppf) + minor
    painter.setPen(QPen(view.palette().windowText().color()))
    font = QFont(painter.font())
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
    painter.setFont(font)
    for rec, _, _, m in view.markers:
        if rect.left() - 8 <= rec * ppf <= rect.right() + 8:
            x = rec * ppf
            painter.setBrush(marker_colour(m))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawPolygon([QPointF(x - 5, RULER_H - 9), QPointF(x + 5, RULER_H - 9), QPointF(x, RULER_H - 1)])
    painter.setPen(QPen(view.palette().windowText().color()))
    for f in range(first, last + 1, minor):
        x = int(f * ppf)
        if round_timecode(tc, start + f, step, minor):
            painter.drawLine(x, RULER_H - 10, x, RULER_H)
            painter.drawText(x + 3, RULER_H - 12, tc.to_string(start + f))
        else:
            painter.drawLine(x, RULER_H - 4, x, RULER_H)


def round_timecode(tc, frame: int, step: int, within: int = 1) -> bool:
    """Whether the timecode of ``frame`` is a multiple of ``step`` frames counted as its digits read
    (so in drop-frame 00:01:00;02, the first frame of that minute, counts as the round minute)."""
    if not tc.drop_frame:
        return frame % step == 0
    hh, mm, ss, ff = (int(p) for p in tc.to_string(frame).replace(";", ":").split(":"))
    nominal = ((hh * 60 + mm) * 60 + ss) * tc.fps + ff
    drop = tc.fps // 15
    if mm % 10 and ss == 0 and ff == drop:          # a minute that starts at ;02 (;04 at 59.94)
        nominal -= drop
    return nominal % step < within


TRACKS = (("V2", V2_TOP, V2_H, V2_COLOR), ("V1", V_TOP, V_H, V_COLOR), ("A1", A_TOP, A_H, A_COLOR))


def paint_track_headers(painter, width: int, palette) -> None:
    """The track names (V2, V1, A1) in a column beside the tracks, at the rows the view draws."""
    painter.fillRect(QRectF(0, 0, width, SCENE_H), palette.window().color().darker(115))
    for name, top, h, colour in TRACKS:
        painter.fillRect(QRectF(2, top, width - 4, h), colour.darker(130))
        painter.setPen(Qt.GlobalColor.white)
        painter.drawText(QRectF(0, top, width, h), Qt.AlignmentFlag.AlignCenter, name)


def paint_playhead(painter, view):
    x = view.playhead * view.px_per_frame
    painter.setPen(QPen(QColor(230, 60, 50), 2))
    painter.drawLine(int(x), 0, int(x), SCENE_H)
    painter.setBrush(QColor(230, 60, 50))
    painter.drawPolygon([QPointF(x - 6, 0), QPointF(x + 6, 0), QPointF(x, 9)])


def scaled_thumb(path: str, height: int) -> QPixmap | None:
    pix = QPixmap(path)
    if pix.isNull():
        return None
    return pix.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation)
