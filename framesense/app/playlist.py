"""What the player plays: the visible results (playphrase-style, back to back) or the sequence,
kept in step with the selection in the results list or on the timeline."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from . import sequence_adapter as seqmod
from .decoder import Cover
from .player import PlayItem, caption_html


def play_item(clip, caption: str) -> PlayItem:
    """A sequence clip for the monitor; a picture on V2 over it shows where it covers the clip."""
    m = clip.media
    return PlayItem(m.path, m.rate, clip.source_in, clip.source_out, label=m.name, caption=caption,
                    start_tc_frames=m.start_frame, drop_frame=m.drop_frame, cover=_cover(clip))


def _cover(clip) -> Cover | None:
    span = clip.overlay.cover(clip) if clip.overlay is not None else None
    if span is None:
        return None
    pic = clip.overlay.clip
    return Cover(pic.media.path, pic.media.rate, span[0], span[1], span[2], pic.source_out)


class PlaylistController(QObject):
    error = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.marks: dict[int, tuple] = {}      # hit index -> (in, out) set with I / O in the monitor
        window.player.marked.connect(self.marked)

    @property
    def session(self):
        return self.window.session

    @property
    def mode(self) -> str:
        return self.session.playlist_mode

    @mode.setter
    def mode(self, value: str):
        self.session.playlist_mode = value

    @property
    def hit_order(self) -> list[int]:
        return self.session.playlist

    @hit_order.setter
    def hit_order(self, order: list[int]):
        self.session.playlist = order

    def show_results(self):
        self.mode = "results"
        self.hit_order = []
        self.marks = {}

    def rebuild(self, cue: bool = True):
        """The visible results as playlist items, with the session's pads; keeps the current hit if it stays."""
        if self.mode != "results":
            return
        w, player = self.window, self.window.player
        keep = self.hit_order[player.index] if 0 <= player.index < len(self.hit_order) else None
        items, order = [], []
        for i in w.results.visible_indices():
            clip = self.session.clip_for(i)
            if clip is None:
                continue
            hit = self.session.results[i]
            item = play_item(clip, caption_html(hit.text, hit.context))
            if hit.rate == clip.media.rate:
                item.hit = (hit.start_frame, hit.end_frame)
            item.mark_in, item.mark_out = self.marks.get(i, (None, None))
            words = (hit.extra or {}).get("words") or ()
            if words and hit.text:
                item.words, item.text, item.context = tuple(tuple(x) for x in words), hit.text, hit.context
            items.append(item)
            order.append(i)
        was_playing = player.playing
        self.hit_order = order
        if not cue and player.index >= 0:
            player.items = items  # more hits arrived: extend without interrupting playback
            return
        at = order.index(keep) if keep in order else 0
        player.set_playlist(items, at, play=was_playing)

    def hit_selected(self, hit_index: int):
        if hit_index < 0:
            return
        self.session.set_current(hit_index)
        if self.mode != "results":
            self.mode = "results"
            self.rebuild()
        if hit_index in self.hit_order:
            pos = self.hit_order.index(hit_index)
            if pos != self.window.player.index:
                self.window.player.cue(pos)

    def item_changed(self, pos: int):
        w = self.window
        if self.mode == "results" and 0 <= pos < len(self.hit_order):
            w.results.select_hit(self.hit_order[pos])
        elif self.mode == "sequence":
            w.timeline.follow_playback(pos)   # the playhead follows; the selection (what edits act on) stays

    def frame_shown(self, frame: int):
        if self.mode == "sequence":
            self.window.timeline.follow_playback(self.window.player.index, frame)

    def current_hit(self) -> int | None:
        player = self.window.player
        if self.mode == "results" and 0 <= player.index < len(self.hit_order):
            return self.hit_order[player.index]
        return None

    def marked(self, pos: int, mark_in, mark_out):
        """I / O in the monitor: a hit keeps them for when it is added; a timeline clip is trimmed to them."""
        if self.mode == "results" and 0 <= pos < len(self.hit_order):
            self.marks[self.hit_order[pos]] = (mark_in, mark_out)
        elif self.mode == "sequence" and 0 <= pos < len(self.session.sequence.clips):
            clip = self.session.sequence.clips[pos]
            a = clip.source_in if mark_in is None else mark_in
            b = clip.source_out if mark_out is None else mark_out
            if a < b:
                self.window.timeline.trim_clip(pos, a, b, expect=clip)
                self.open_clip(pos)

    def with_marks(self, indices, clips) -> list:
        """``clips`` (from ``session.clips_to_add(indices)``) with the I / O marks of their hits."""
        marked = {id(self.session.clip_for(i)): self.marks[i] for i in indices if i in self.marks}
        out = []
        for c in clips:
            m = marked.get(id(c))
            if m:
                a = c.source_in if m[0] is None else m[0]
                b = c.source_out if m[1] is None else m[1]
                c = replace(c, source_in=a, source_out=b) if a < b else c
            out.append(c)
        return out

    def open_clip(self, index: int):
        """A timeline clip in the monitor with its trims (the sequence's clips are the playlist), paused."""
        clips = self.session.sequence.clips
        if not 0 <= index < len(clips):
            return
        self.mode = "sequence"
        items = [play_item(c, caption_html(seqmod.clip_text(c), None)) for c in clips]
        for item in items:
            item.hit = (item.first, item.last)
        self.window.player.set_playlist(items, index, play=False)

    def play_results(self):
        self.mode = "results"
        self.rebuild()
        self.window.player.play()

    def play_sequence(self, from_frame: int | None = None):
        """Play the timeline's clips from the clip under the playhead (at the playhead's frame)."""
        clips = self.session.sequence.clips
        if not clips:
            self.error.emit("The timeline is empty")
            return
        self.mode = "sequence"
        items = [play_item(c, caption_html(seqmod.clip_text(c), None)) for c in clips]
        start = self.window.timeline.playhead_clip()
        if from_frame is not None and 0 <= start < len(items):
            first = seqmod.source_frame_at(self.session.sequence, start, from_frame)
            if clips[start].source_in < first < clips[start].source_out:
                items[start].first = first
        self.window.player.set_playlist(items, start if start < len(items) else 0, play=True)
