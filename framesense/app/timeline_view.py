"""The drawn timeline: a ruler in record timecode, V2, V and A tracks with clips sized by duration,
a playhead; the mouse and keys turn into edits sent through the panel to the Session.

The view owns no sequence: it draws ``Session.sequence`` (through its panel) and is rebuilt
when the session says the sequence was edited.
"""

from __future__ import annotations

import bisect
import json

from PySide6.QtCore import QObject, QRectF, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView, QMenu

from ..timeline import edits
from . import sequence_adapter as seqmod
from .results import HITS_MIME
from .timeline_edges import LABELS, EdgeGrab, edge_at, edge_cursor
from .timeline_items import (A_COLOR, A_H, A_TOP, RULER_H, SCENE_H, V2_H, V2_TOP, V_COLOR, V_H, V_TOP,
                             ClipItem, paint_overlay,
                             paint_playhead, paint_ruler, scaled_thumb)

SNAP_PX = 8
MIN_PPF, MAX_PPF = 0.002, 40.0


class _WaveSignals(QObject):
    done = Signal(str, object)


class _WaveJob(QRunnable):
    """Decode a file's audio to per-frame peaks off the GUI thread."""

    def __init__(self, path, rate, signals):
        super().__init__()
        self.path, self.rate, self.signals = path, rate, signals

    def run(self):
        from ..media.waveform import frame_peaks
        try:
            peaks = frame_peaks(self.path, self.rate)
        except Exception:   # no audio or unreadable: the A track stays plain
            peaks = None
        self.signals.done.emit(self.path, peaks)


class TimelineView(QGraphicsView):
    """The drawn timeline; mouse and keys edit through the panel."""

    hits_dropped = Signal(list, int)      # hit indices, insert position
    selection_changed = Signal()
    playhead_moved = Signal(int)          # record frame
    play_requested = Signal(int)          # record frame to play from
    clip_opened = Signal(int)             # double-click: the clip in the source monitor

    def __init__(self, panel: "TimelinePanel"):
        self._scene = QGraphicsScene()
        super().__init__(self._scene, panel)
        self.panel = panel
        self.px_per_frame = 4.0
        self.playhead = 0
        self.selected: set[int] = set()
        self.current = -1
        self.items: list[ClipItem] = []
        self._edges: list[int] = [0]
        self._places: list = []
        self._over: dict = {}          # cut index -> its overlay's placement (V2)
        self.markers: list = []
        self._thumbs: dict = {}
        self._waves: dict = {}
        self._wave_signals = _WaveSignals()
        self._wave_signals.done.connect(self._wave_ready)
        self._drag = None
        self._readout = QGraphicsRectItem()          # the trim readout: yellow words on a dark box
        self._readout.setZValue(10)
        self._readout.setBrush(QColor(20, 20, 20, 220))
        self._readout.setPen(QPen(Qt.PenStyle.NoPen))
        self._readout.hide()
        self._trim_label = QGraphicsSimpleTextItem(self._readout)
        self._trim_label.setBrush(Qt.GlobalColor.yellow)
        self._scene.addItem(self._readout)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.setMinimumHeight(SCENE_H + 24)
        self.setFixedHeight(SCENE_H + self.horizontalScrollBar().sizeHint().height() + 6)

    # -- data the items read ------------------------------------------------------
    @property
    def sequence(self):
        return self.panel.sequence

    def source_tc(self, clip, frame: int) -> str:
        return seqmod.clip_timecode(clip, frame)

    def thumbnail(self, clip):
        key = (clip.media.media_id, clip.media.path, clip.source_in)
        if key not in self._thumbs:
            path = self.panel.thumbnail_for(clip)
            self._thumbs[key] = scaled_thumb(path, V_H - 6) if path else None
        return self._thumbs[key]

    def waveform(self, clip):
        if not clip.media.has_audio:
            return None
        path = clip.media.path
        if path not in self._waves:
            self._waves[path] = None   # one job per file
            QThreadPool.globalInstance().start(_WaveJob(path, clip.media.rate, self._wave_signals))
        return self._waves[path]

    def _wave_ready(self, path, peaks):
        self._waves[path] = peaks
        self.viewport().update()

    # -- layout -------------------------------------------------------------------
    def rebuild(self):
        """Items for the current clips (reused where they exist), placed at the current zoom."""
        seq = self.sequence
        places = seq.placements()
        del self.items[len(places):]
        while len(self.items) < len(places):
            self.items.append(ClipItem(self, len(self.items)))
        self._places = places
        self._over = {op.index: op for op in seq.overlay_placements(places)}
        self.markers = seq.marker_placements(places)    # (record frame, clip, k, marker): flags on the ruler
        self._edges = [0] + [p.record_out for p in places]
        self.selected = {i for i in self.selected if i < len(places)}
        self.viewport().update()
        if self.current >= len(places):
            self.current = len(places) - 1
        self.playhead = min(self.playhead, self._edges[-1])
        self._layout()

    def _layout(self):
        ppf = self.px_per_frame
        for item, p in zip(self.items, self._places):
            item.place(p.record_in, p.record_out, ppf)
        width = max(self._edges[-1] * ppf + 200, self.viewport().width())
        self._scene.setSceneRect(QRectF(0, 0, width, SCENE_H))
        self.viewport().update()

    def set_zoom(self, ppf: float, anchor_x: float | None = None):
        ppf = min(MAX_PPF, max(MIN_PPF, ppf))
        anchor_x = self.viewport().width() / 2 if anchor_x is None else anchor_x
        frame = (self.horizontalScrollBar().value() + anchor_x) / self.px_per_frame
        self.px_per_frame = ppf
        self._layout()
        self.horizontalScrollBar().setValue(int(frame * ppf - anchor_x))

    def zoom_to_fit(self):
        total = max(1, self._edges[-1])
        self.set_zoom((self.viewport().width() - 20) / total)
        self.horizontalScrollBar().setValue(0)

    def frame_at(self, x_view: float) -> int:
        return max(0, round(self.mapToScene(int(x_view), 0).x() / self.px_per_frame))

    def clip_index_at(self, record_frame: int) -> int | None:
        i = bisect.bisect_right(self._edges, record_frame) - 1
        return i if 0 <= i < len(self.items) else None

    def snap(self, frame: int, exclude: set[int] = frozenset()) -> int:
        """The nearest cut or the playhead within SNAP_PX, else the frame itself."""
        best, dist = frame, SNAP_PX / self.px_per_frame
        i = bisect.bisect_left(self._edges, frame)
        for e in self._edges[max(0, i - 1):i + 1] + [self.playhead]:
            if e not in exclude and abs(e - frame) <= dist:
                best, dist = e, abs(e - frame)
        return best

    # -- selection and playhead -----------------------------------------------------
    def select(self, index: int, mode: str = "only"):
        n = len(self.items)
        if not 0 <= index < n:
            self.selected, self.current = set(), -1
        elif mode == "toggle":
            self.selected ^= {index}
            self.current = index if index in self.selected else (min(self.selected) if self.selected else -1)
        elif mode == "extend" and self.current >= 0:
            lo, hi = sorted((self.current, index))
            self.selected = set(range(lo, hi + 1))
            self.current = index
        else:
            self.selected, self.current = {index}, index
        self.viewport().update()
        self.selection_changed.emit()

    def set_playhead(self, frame: int, follow: bool = True):
        frame = max(0, min(int(frame), self._edges[-1]))
        if frame == self.playhead:
            return
        old = self.playhead * self.px_per_frame
        self.playhead = frame
        x = frame * self.px_per_frame
        for px in (old, x):
            self._scene.update(QRectF(px - 8, 0, 16, SCENE_H))
        if follow:
            self.ensureVisible(QRectF(x, 0, 1, 1), 40, 0)
        self.playhead_moved.emit(frame)

    # -- painting -----------------------------------------------------------------
    def drawForeground(self, painter, rect):
        if rect.top() < RULER_H:
            paint_ruler(painter, rect, self)
        paint_playhead(painter, self)

    def drawBackground(self, painter, rect):
        painter.fillRect(rect, self.palette().base())
        track = self.palette().alternateBase()
        painter.fillRect(QRectF(rect.left(), V2_TOP, rect.width(), V2_H), track)
        painter.fillRect(QRectF(rect.left(), V_TOP, rect.width(), V_H), track)
        painter.fillRect(QRectF(rect.left(), A_TOP, rect.width(), SCENE_H - A_TOP - 4), track)
        if self.items and rect.bottom() > V_TOP:
            ppf = self.px_per_frame
            lo = max(0, bisect.bisect_right(self._edges, rect.left() / ppf) - 1)
            hi = min(len(self.items), bisect.bisect_left(self._edges, rect.right() / ppf) + 1)
            if hi - lo > rect.width() / 4:   # zoomed far out: clips under 4 px, draw the covered span at once
                x0, x1 = self._edges[lo] * ppf, self._edges[hi] * ppf
                painter.fillRect(QRectF(x0, V_TOP, x1 - x0, V_H), V_COLOR)
                painter.fillRect(QRectF(x0, A_TOP, x1 - x0, A_H), A_COLOR)
                for i in sorted(self.selected):
                    if lo <= i < hi:
                        self.items[i].paint(painter)
            else:
                for item in self.items[lo:hi]:
                    item.paint(painter)
            for i in range(lo, hi):
                op = self._over.get(i)
                if op is not None:
                    paint_overlay(painter, self, op, i in self.selected)

    # -- mouse ----------------------------------------------------------------------
    def mousePressEvent(self, event):
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        self.setFocus()
        pos = self.mapToScene(event.position().toPoint())
        frame = max(0, round(pos.x() / self.px_per_frame))
        flag = self.marker_at(pos)
        if flag is not None:                    # a marker's flag on the ruler: drag it elsewhere
            self._drag = {"kind": "marker", "mark": flag, "frame": flag[0]}
            return
        if pos.y() < RULER_H or abs(pos.x() - self.playhead * self.px_per_frame) <= 3 and pos.y() < V_TOP + 6:
            self._drag = {"kind": "scrub"}
            self.set_playhead(self.snap(frame), follow=False)
            return
        mods = event.modifiers()
        grab = self.edge_at(pos, mods)
        if grab is not None:                    # the edge pointed at, chosen in pixels before any rounding
            self.select(grab.index)
            self._start_trim(grab, pos.x())
            return
        index = self.clip_index_at(frame)
        if index is None:
            self.select(-1)
            return
        if mods & Qt.KeyboardModifier.ControlModifier:
            self.select(index, "toggle")
        elif mods & Qt.KeyboardModifier.ShiftModifier:
            self.select(index, "extend")
        elif index not in self.selected:
            self.select(index)
        self._drag = {"kind": "press", "index": index, "x0": pos.x()}

    def marker_at(self, pos):
        """The marker whose flag on the ruler is under a scene point (within 5 px), if any."""
        if pos.y() >= RULER_H:
            return None
        near = [m for m in self.markers if abs(m[0] * self.px_per_frame - pos.x()) <= 5]
        return min(near, key=lambda m: abs(m[0] * self.px_per_frame - pos.x())) if near else None

    def edge_at(self, pos, mods=Qt.KeyboardModifier.NoModifier) -> EdgeGrab | None:
        """The cut edge under a scene point on the V or A track (not V2's pictures), Alt: a roll."""
        if pos.y() < V_TOP or pos.y() > SCENE_H or not self.items:
            return None
        ppf = self.px_per_frame
        return edge_at(pos.x(), [e * ppf for e in self._edges], bool(mods & Qt.KeyboardModifier.AltModifier))

    def _start_trim(self, grab: EdgeGrab, x0: float):
        p = self._places[grab.index]
        edge_frame = p.record_in if grab.edge in ("in", "roll") else p.record_out
        limits = edits.roll_limits(self.sequence, grab.cut) if grab.edge == "roll" else None
        self._drag = {"kind": "trim", "edge": grab.edge, "index": grab.index, "clip": p.clip, "x0": x0,
                      "edge_frame": edge_frame, "delta": 0, "limits": limits,
                      "before": self.sequence.clips[grab.index - 1] if grab.edge == "roll" else None}
        self.viewport().setCursor(edge_cursor(grab.edge))
        self._show_readout(self._drag, edge_frame)

    def mouseDoubleClickEvent(self, event):
        pos = self.mapToScene(event.position().toPoint())
        index = self.clip_index_at(max(0, round(pos.x() / self.px_per_frame))) if pos.y() >= RULER_H else None
        if event.button() == Qt.MouseButton.LeftButton and index is not None:
            self.clip_opened.emit(index)
        else:
            super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event):
        pos = self.mapToScene(event.position().toPoint())
        d = self._drag
        if d is None:
            self._hover_cursor(pos)
            return
        frame = max(0, round(pos.x() / self.px_per_frame))
        if d["kind"] == "scrub":
            self.set_playhead(self.snap(frame), follow=False)
        elif d["kind"] == "marker":
            d["frame"] = min(self.snap(frame), max(0, self._edges[-1] - 1))
            seq = self.sequence
            self._show_text(f"Move marker to {seq.timecode.to_string(seq.start_frame + d['frame'])}",
                            d["frame"] * self.px_per_frame, RULER_H + 2)
        elif d["kind"] == "trim":
            target = self.snap(round(d["edge_frame"] + (pos.x() - d["x0"]) / self.px_per_frame), {d["edge_frame"]})
            rec_delta = target - d["edge_frame"]
            if d["edge"] == "roll":
                lo, hi = d["limits"]
                d["delta"] = min(max(rec_delta, lo), hi)              # record frames: the cut moves
            else:
                d["delta"] = round(rec_delta * d["clip"].media.rate / self.sequence.rate)  # media frames
            self._show_readout(d, target)
        elif d["kind"] in ("press", "move") and abs(pos.x() - d["x0"]) > 4:
            d["kind"] = "move"
            d["to"] = self._insert_index(frame)
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseReleaseEvent(self, event):
        d, self._drag = self._drag, None
        self._readout.hide()
        self.viewport().unsetCursor()
        if d is None:
            return super().mouseReleaseEvent(event)
        if d["kind"] == "marker" and d["frame"] != d["mark"][0]:
            _, index, k, _ = d["mark"]
            self.panel.session.change_marker(index, k, record_frame=d["frame"])
        elif d["kind"] == "trim" and d["delta"] and d["edge"] == "roll":
            self.panel.roll(d["index"], d["delta"], expect=(d["before"], d["clip"]))
        elif d["kind"] == "trim" and d["delta"]:
            self.panel.trim_edge(d["index"], d["edge"], d["delta"], expect=d["clip"])
        elif d["kind"] == "move":
            self.panel.move_selected(d["to"])
        elif d["kind"] == "press" and not event.modifiers():
            self.select(d["index"])

    def _insert_index(self, frame: int) -> int:
        """The cut nearest a frame, as an index into the list of clips."""
        i = bisect.bisect_left(self._edges, frame)
        if i >= len(self._edges):
            return len(self.items)
        if i > 0 and frame - self._edges[i - 1] < self._edges[i] - frame:
            i -= 1
        return i

    def _show_readout(self, d, at_frame: int):
        """Which edit the drag makes and where the edges land, in source timecode, beside the cut
        over the clip being trimmed (on the V2 row, so it covers neither clip's name)."""
        seq, i = self.sequence, d["index"]
        if d["edge"] == "roll":
            a, b = d["before"], d["clip"]
            out_a = a.source_out + edits.media_frames(d["delta"], a, seq)
            in_b = b.source_in + edits.media_frames(d["delta"], b, seq)
            text = (f"{LABELS['roll']}  {a.media.name} out {self.source_tc(a, out_a)} | "
                    f"{b.media.name} in {self.source_tc(b, in_b)}  ({d['delta']:+d} fr)")
        else:
            clip = d["clip"]
            cmd = edits.trim_edge(seq, i, d["edge"], d["delta"])
            frame = cmd.source_in if d["edge"] == "in" else cmd.source_out
            text = f"{LABELS[d['edge']]}  {clip.media.name} {d['edge']} {self.source_tc(clip, frame)}  ({d['delta']:+d} fr)"
        self._show_text(text, at_frame * self.px_per_frame, V2_TOP + 3, {"in": "right", "out": "left"}.get(d["edge"]))

    def _show_text(self, text: str, x: float, y: float, side: str | None = None):
        """The readout box at scene x (to its right, left, or centred), kept inside the visible part."""
        label = self._trim_label
        label.setText(text)
        box = label.boundingRect().adjusted(-3, -1, 3, 1)
        self._readout.setRect(box)
        w = box.width()
        x = x + (6 if side == "right" else -6 - w if side == "left" else -w / 2)
        left = self.mapToScene(0, 0).x()
        x = min(max(x, left + 2), left + self.viewport().width() - w - 2)
        self._readout.setPos(x + 3, y)
        self._readout.show()

    def _hover_cursor(self, pos):
        from PySide6.QtWidgets import QApplication
        if self.marker_at(pos) is not None:
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            self.viewport().setToolTip(f"Marker “{self.marker_at(pos)[3].name}”: drag to move it")
            return
        grab = self.edge_at(pos, QApplication.keyboardModifiers())
        if grab is None:
            self.viewport().unsetCursor()
            self.viewport().setToolTip("")
        else:
            self.viewport().setCursor(edge_cursor(grab.edge))
            self.viewport().setToolTip({"out": "Drag: ripple the out point of the clip on the left (Alt: roll)",
                                        "in": "Drag: ripple the in point of the clip on the right (Alt: roll)",
                                        "roll": "Drag: roll the cut (both clips, the rest stays)"}[grab.edge])

    def contextMenuEvent(self, event):
        """On a picture (V2): the next suggestion in its place, or take it away."""
        pos = self.mapToScene(event.pos())
        index = self.clip_index_at(max(0, round(pos.x() / self.px_per_frame)))
        op = self._over.get(index) if index is not None else None
        frame = pos.x() / self.px_per_frame
        if op is None or not (V2_TOP <= pos.y() < V2_TOP + V2_H and op.record_in <= frame < op.record_out):
            return super().contextMenuEvent(event)
        self.select(index)
        menu = QMenu(self)
        nxt = menu.addAction(f"Next suggested picture ({len(op.clip.alternates)} more)",
                             lambda: self.panel.picture_requested.emit(index, "next"))
        nxt.setEnabled(bool(op.clip.alternates))
        menu.addAction("Remove picture", lambda: self.panel.picture_requested.emit(index, "remove"))
        menu.popup(event.globalPos())

    def wheelEvent(self, event):
        dy = event.angleDelta().y()
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier or not dy:
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - (dy or event.angleDelta().x()))
            return
        self.set_zoom(self.px_per_frame * (1.25 ** (dy / 120)), event.position().x())

    # -- keys -----------------------------------------------------------------------
    def keyPressEvent(self, event):
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_Space:
            self.play_requested.emit(self.playhead)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.panel.delete_selected()
        elif key == Qt.Key.Key_B or (key == Qt.Key.Key_K and mods & Qt.KeyboardModifier.ControlModifier):
            self.panel.razor()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = -1 if key == Qt.Key.Key_Left else 1
            if mods & Qt.KeyboardModifier.ShiftModifier:   # to the previous / next cut
                i = bisect.bisect_left(self._edges, self.playhead) if step < 0 else \
                    bisect.bisect_right(self._edges, self.playhead)
                i = i - 1 if step < 0 else i
                self.set_playhead(self._edges[max(0, min(i, len(self._edges) - 1))])
            else:
                self.set_playhead(self.playhead + step)
        elif key == Qt.Key.Key_M and not mods:
            self.panel.session.add_marker(self.playhead)
        elif key == Qt.Key.Key_Home:
            self.set_playhead(0)
        elif key == Qt.Key.Key_End:
            self.set_playhead(self._edges[-1])
        elif key == Qt.Key.Key_Backslash or key == Qt.Key.Key_Z and not mods:
            self.zoom_to_fit()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.set_zoom(self.px_per_frame * 1.5)
        elif key == Qt.Key.Key_Minus:
            self.set_zoom(self.px_per_frame / 1.5)
        else:
            super().keyPressEvent(event)

    # -- drops of hits from the results -----------------------------------------------
    def dragEnterEvent(self, event):
        if event.mimeData().hasFormat(HITS_MIME):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    dragMoveEvent = dragEnterEvent

    def dropEvent(self, event):
        if not event.mimeData().hasFormat(HITS_MIME):
            event.ignore()
            return
        indices = json.loads(bytes(event.mimeData().data(HITS_MIME)).decode())
        at = self._insert_index(self.frame_at(event.position().x())) if self.items else 0
        self.hits_dropped.emit(indices, at)
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._layout()
