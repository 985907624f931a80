"""The sequence model: clips in exact media frames, record times conformed without drift.

Qt-free; edits are the command objects of :mod:`framesense.timeline.edits`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

from ..catalog.db import media_rate
from ..errors import FrameSenseError, MediaError
from ..paths import file_url, is_text, path_from_url
from ..timecode import Timecode, drop_frame_allowed, parse_rate, rate_str, sequence_rate
from . import supercut
from .supercut import check_order


@dataclass(frozen=True)
class SourceMedia:
    """What a clip needs to know about its file, captured from the catalog when added."""
    path: str
    rate: Fraction
    frames: int                  # duration in media frames
    start_frame: int = 0         # start timecode as a frame count at ``rate``
    drop_frame: bool = False
    reel: str | None = None
    width: int | None = None
    height: int | None = None
    audio_channels: int = 0      # channels of the first audio stream (0: no audio)
    media_id: int | None = None
    sample_rate: int = 48000     # of the first audio stream

    @property
    def has_audio(self) -> bool:
        return self.audio_channels > 0

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def timecode(self) -> Timecode:
        return Timecode(self.rate, self.drop_frame)

    @classmethod
    def from_row(cls, row: dict) -> "SourceMedia":
        rate = media_rate(row)
        if rate is None:
            raise MediaError(row["path"], "has no video stream, so it cannot go on a sequence")
        streams = json.loads(row["audio_streams"]) if row.get("audio_streams") else []
        channels = int(streams[0].get("channels") or 1) if streams else 0
        return cls(path=row["path"], rate=rate, frames=int(row["frames"] or 0),
                   start_frame=int(row.get("start_tc_frames") or 0), drop_frame=bool(row.get("drop_frame")),
                   reel=row.get("reel"), width=row.get("width"), height=row.get("height"),
                   audio_channels=channels, media_id=row.get("id"),
                   sample_rate=int(streams[0].get("sample_rate") or 48000) if streams else 48000)

    def to_json(self) -> dict:
        """``path_url`` (raw bytes percent-encoded) joins ``path`` when the name is not UTF-8 text."""
        extra = {} if is_text(self.path) else {"path_url": file_url(self.path)}
        return {"path": self.path, **extra, "rate": rate_str(self.rate),
                "frames": self.frames, "start_frame": self.start_frame, "drop_frame": self.drop_frame,
                "reel": self.reel, "width": self.width, "height": self.height,
                "audio_channels": self.audio_channels, "media_id": self.media_id, "sample_rate": self.sample_rate}

    @classmethod
    def from_json(cls, d: dict) -> "SourceMedia":
        return cls(path=path_from_url(d["path_url"]) if d.get("path_url") else d["path"],
                   rate=parse_rate(d["rate"]), frames=int(d["frames"]),
                   start_frame=int(d.get("start_frame", 0)), drop_frame=bool(d.get("drop_frame")),
                   reel=d.get("reel"), width=d.get("width"), height=d.get("height"),
                   audio_channels=int(d.get("audio_channels", 0)), media_id=d.get("media_id"),
                   sample_rate=int(d.get("sample_rate") or 48000))


@dataclass
class Marker:
    """A note on a clip at a media frame (absolute, not relative to the in-point)."""
    frame: int
    duration: int = 1
    name: str = ""
    text: str | None = None     # the matched words
    query: str | None = None    # the query that found them
    color: str | None = None    # an editor's colour (OTIO's names: RED, GREEN, BLUE…); None: the format's default

    MISSING = "MISSING: "       # a paper edit's line with no take: red in every format that carries a colour

    @property
    def is_missing(self) -> bool:
        return self.name.startswith(self.MISSING)

    def color_or(self, default: str) -> str:
        """The colour an export writes: red for a missing line, else the marker's own, else ``default``."""
        return "RED" if self.is_missing else (self.color or default)

    def to_json(self) -> dict:
        d = {"frame": self.frame, "duration": self.duration, "name": self.name, "text": self.text,
             "query": self.query}
        if self.color:
            d["color"] = self.color
        return d


@dataclass
class Clip:
    media: SourceMedia
    source_in: int               # first media frame (inclusive)
    source_out: int              # media frame after the last one (exclusive)
    label: str | None = None
    markers: list[Marker] = field(default_factory=list)
    handles: int = 0             # extra media frames an NLE may trim into, each side
    alternates: list[dict] = field(default_factory=list)   # other takes of the same words (paper edits)
    overlay: "Overlay | None" = None   # a picture on V2 over this cut (picture suggestions)

    def __post_init__(self):
        if not 0 <= self.source_in < self.source_out:
            raise ValueError(f"{self.media.path}: empty or negative clip range "
                             f"[{self.source_in}, {self.source_out})")

    @property
    def duration(self) -> int:
        return self.source_out - self.source_in

    @property
    def seconds(self) -> Fraction:
        return Fraction(self.duration) / self.media.rate

    @property
    def name(self) -> str:
        return self.label or self.media.name

    def copy(self, **changes) -> "Clip":
        changes.setdefault("markers", [replace(m) for m in self.markers])
        return replace(self, **changes)

    def to_json(self) -> dict:
        d = {"media": self.media.to_json(), "source_in": self.source_in, "source_out": self.source_out,
             "label": self.label, "handles": self.handles, "markers": [m.to_json() for m in self.markers]}
        if self.alternates:
            d["alternates"] = self.alternates
        if self.overlay is not None:
            d["overlay"] = self.overlay.to_json()
        return d

    @classmethod
    def from_json(cls, d: dict) -> "Clip":
        return cls(media=SourceMedia.from_json(d["media"]), source_in=int(d["source_in"]),
                   source_out=int(d["source_out"]), label=d.get("label"), handles=int(d.get("handles", 0)),
                   markers=[Marker(**m) for m in d.get("markers", [])], alternates=list(d.get("alternates", [])),
                   overlay=Overlay.from_json(d["overlay"]) if d.get("overlay") else None)


@dataclass
class Overlay:
    """A picture-only clip on V2, glued to the media time of the cut under it (as a connected clip is
    in Final Cut): from the cut's media frame ``at`` its picture covers the cut's while the cut's sound
    plays on. Trims, splits and moves of the cut carry it along; where the cut is trimmed into it,
    it starts later in its own media, so what shows at each moment never changes."""
    clip: Clip                  # its media and frames; ``clip.alternates`` are the other suggestions
    at: int                     # media frame of the cut under it where it starts
    reason: str = ""            # why it was suggested: "pictures", "person", "on-screen text"

    def to_json(self) -> dict:
        return {"clip": self.clip.to_json(), "at": self.at, "reason": self.reason}

    @classmethod
    def from_json(cls, d: dict) -> "Overlay":
        return cls(clip=Clip.from_json(d["clip"]), at=int(d["at"]), reason=d.get("reason") or "")

    def _span(self, cut: Clip) -> tuple[Fraction, Fraction]:
        """The part of the cut it covers, in the cut's media frames (exact; empty when trimmed clear)."""
        ends_at = self.at + Fraction(self.clip.duration) / self.clip.media.rate * cut.media.rate
        return max(Fraction(self.at), Fraction(cut.source_in)), min(ends_at, Fraction(cut.source_out))

    def cover(self, cut: Clip) -> tuple[int, int, int] | None:
        """For a player that walks the cut's frames (its sound paces them): the cut's frames [a, b) this
        covers and its own frame shown at a; None when the cut is trimmed clear of it."""
        a, b = self._span(cut)
        a, b = int(a.__ceil__()), int(b.__ceil__())
        if b <= a:
            return None
        first = self.clip.source_in + _round_half_up((a - Fraction(self.at)) / cut.media.rate * self.clip.media.rate)
        return a, b, min(first, self.clip.source_out - 1)

    def placement(self, seq_rate: Fraction, under: "Placement") -> "Placement | None":
        """Where it lands over ``under`` (the placement of its cut), as the part of its clip that shows;
        None when the cut is trimmed clear of it."""
        cut, r = under.clip, under.clip.media.rate
        o = self.clip
        a, b = self._span(cut)
        if b <= a:
            return None
        rec_in = under.record_in + _round_half_up((a - cut.source_in) / r * seq_rate)
        rec_out = min(under.record_out, under.record_in + _round_half_up((b - cut.source_in) / r * seq_rate))
        if rec_out <= rec_in:
            return None
        s_in = o.source_in + _round_half_up((a - self.at) / r * o.media.rate)
        if o.media.rate == seq_rate:
            length = rec_out - rec_in
        else:
            length = max(1, _round_half_up(Fraction(rec_out - rec_in) / seq_rate * o.media.rate))
        s_in = min(s_in, o.source_out - 1)
        s_out = min(o.source_out, s_in + length)
        return Placement(o.copy(source_in=s_in, source_out=s_out), under.index, rec_in, rec_out)


@dataclass
class Placement:
    """Where a clip lands on the record side, in sequence frames (end exclusive)."""
    clip: Clip
    index: int
    record_in: int
    record_out: int

    @property
    def record_duration(self) -> int:
        return self.record_out - self.record_in


@dataclass
class Sequence:
    name: str = "FrameSense sequence"
    rate: Fraction = Fraction(25)
    start_frame: int | None = None   # record start timecode at ``rate``; default 01:00:00:00
    drop_frame: bool = False
    clips: list[Clip] = field(default_factory=list)
    script: list[dict] = field(default_factory=list)   # the paper edit it was assembled from (timeline/paper_edit.py)

    def __post_init__(self):
        self.rate = parse_rate(self.rate)
        if self.drop_frame and not drop_frame_allowed(self.rate):
            self.drop_frame = False
        if self.start_frame is None:
            self.start_frame = self.timecode.to_frames("01:00:00:00")

    @property
    def timecode(self) -> Timecode:
        return Timecode(self.rate, self.drop_frame)

    def placements(self) -> list[Placement]:
        """Record ranges for every clip.

        Each boundary is the exact cumulative source time (a rational sum of every
        earlier clip's duration at its own rate) times the sequence rate, rounded half
        up. A clip's record duration is therefore its source duration in sequence
        frames, rounded so the total is never more than half a frame off: no drift.
        Clips at the sequence rate land on exactly their frame counts.
        """
        fast = self._placements_int()
        if fast is not None:
            return fast
        out, elapsed, prev = [], Fraction(0), 0
        for i, clip in enumerate(self.clips):
            elapsed += clip.seconds
            edge = _round_half_up(elapsed * self.rate)
            if edge <= prev:      # a sub-frame clip still gets one record frame
                edge = prev + 1
                elapsed = Fraction(edge) / self.rate
            out.append(Placement(clip, i, prev, edge))
            prev = edge
        return out

    def _placements_int(self) -> list[Placement] | None:
        """The same rounding in integers (Fractions cost ~30 us a clip; a 2,000-clip timeline
        re-lays out on every edit). None when a sub-frame clip needs the exact path."""
        from math import lcm
        den = 1
        for r in {c.media.rate for c in self.clips}:
            den = lcm(den, r.numerator)
        P, Q = self.rate.numerator, self.rate.denominator
        out, num, prev = [], 0, 0          # elapsed seconds = num / den
        for i, clip in enumerate(self.clips):
            r = clip.media.rate
            num += clip.duration * r.denominator * (den // r.numerator)
            edge = (2 * num * P + den * Q) // (2 * den * Q)
            if edge <= prev:
                return None
            out.append(Placement(clip, i, prev, edge))
            prev = edge
        return out

    def overlay_placements(self, placements: list[Placement] | None = None) -> list[Placement]:
        """The V2 track: each cut's overlay where it shows, in record order (never overlapping, since
        an overlay stays within its cut)."""
        out = []
        for p in placements if placements is not None else self.placements():
            if p.clip.overlay is not None:
                op = p.clip.overlay.placement(self.rate, p)
                if op is not None:
                    out.append(op)
        return out

    def marker_placements(self, placements: list[Placement] | None = None) -> list[tuple]:
        """(record frame, clip index, position in the clip's markers, marker) of every marker within its
        clip's frames (one trimmed away is left out), in record order: where the timeline draws them."""
        out = []
        for p in placements if placements is not None else self.placements():
            c = p.clip
            for k, m in enumerate(c.markers):
                if c.source_in <= m.frame < c.source_out:
                    rec = p.record_in + _round_half_up(Fraction(m.frame - c.source_in) * self.rate / c.media.rate)
                    out.append((min(rec, p.record_out - 1), p.index, k, m))
        out.sort(key=lambda t: t[0])
        return out

    @property
    def has_overlays(self) -> bool:
        return any(c.overlay is not None for c in self.clips)

    @property
    def duration(self) -> int:
        p = self.placements()
        return p[-1].record_out if p else 0

    def media(self) -> list[SourceMedia]:
        """Distinct media in first-use order, the cuts' first, then the overlays'."""
        seen: dict[str, SourceMedia] = {}
        for c in self.clips:
            seen.setdefault(c.media.path, c.media)
        for c in self.clips:
            if c.overlay is not None:
                seen.setdefault(c.overlay.clip.media.path, c.overlay.clip.media)
        return list(seen.values())

    def check_media(self) -> None:
        """Raise a MediaError naming the first clip file that is no longer on disk."""
        for m in self.media():
            if not Path(m.path).is_file():
                raise MediaError(m.path, "media file is missing (moved or deleted?); "
                                         "relink it or pass --allow-missing to export it offline")

    def with_rate(self, rate) -> "Sequence":
        """The same clips at another sequence rate; drop-frame is kept only where the new rate allows it,
        and the record start restarts at 01:00:00:00 of the new rate."""
        rate = sequence_rate(rate)
        if rate == self.rate:
            return self
        return replace(self, rate=rate, drop_frame=self.drop_frame and drop_frame_allowed(rate), start_frame=None,
                       clips=list(self.clips))

    def with_handles(self, handles: int) -> "Sequence":
        """The same sequence with ``handles`` frames offered on each side of every clip."""
        def with_h(c):
            ov = c.overlay and replace(c.overlay, clip=c.overlay.clip.copy(handles=int(handles)))
            return c.copy(handles=int(handles), overlay=ov)
        return replace(self, clips=[with_h(c) for c in self.clips])

    def to_json(self) -> dict:
        d = {"name": self.name, "rate": rate_str(self.rate), "start_frame": self.start_frame,
             "drop_frame": self.drop_frame}
        if self.script:
            d["script"] = self.script
        return d


def _round_half_up(x: Fraction) -> int:
    return int((x + Fraction(1, 2)).__floor__())


def most_common_rate(media: list[SourceMedia]) -> Fraction:
    if not media:
        raise FrameSenseError("no media: cannot choose a sequence rate")
    counts = Counter(m.rate for m in media)
    return max(counts, key=lambda r: (counts[r], r))


@dataclass
class SequenceOptions:
    """How hits become clips: one set of options for every kind of hit, from the CLI, the app and scripts."""
    name: str = "FrameSense sequence"
    rate: Fraction | None = None           # default: the most common media rate
    pad_before: float = 0.0                # seconds, as whole frames of each clip's media (rounded up)
    pad_after: float = 0.0
    handles: int = 0                       # frames an NLE may trim into, each side (exports write them)
    start_timecode: str | None = None      # record start; default 01:00:00:00
    drop_frame: bool | None = None         # default: follow the media at the sequence rate
    # supercut rules (timeline/supercut.py)
    order: str = "given"                   # given (search/script order), score, time, media
    per_media: int | None = None           # at most N takes from one file
    max_duration: float | None = None      # seconds: whole clips while the sequence stays within it
    merge_overlaps: bool = True            # takes of one file that overlap (once padded) become one clip
    dedupe: bool = False                   # the same footage twice: keep the best take

    def __post_init__(self):
        for key in ("pad_before", "pad_after"):
            value = float(getattr(self, key))
            if not (value >= 0 and value < 3600):   # also refuses NaN
                raise FrameSenseError(f"{key.replace('_', '-')} must be between 0 and 3600 seconds, got {value}")
            setattr(self, key, value)
        if self.handles < 0:
            raise FrameSenseError(f"handles must be 0 or more frames, got {self.handles}")
        if self.rate is not None:
            self.rate = sequence_rate(self.rate)
        try:
            self.order = check_order(self.order)
        except ValueError as exc:
            raise FrameSenseError(str(exc)) from None
        if self.per_media is not None and int(self.per_media) < 1:
            raise FrameSenseError(f"per-media must be 1 or more, got {self.per_media}")
        if self.max_duration is not None and not float(self.max_duration) > 0:
            raise FrameSenseError(f"max-duration must be more than 0 seconds, got {self.max_duration}")


def clip_from_hit(media_rows, hit, options: SequenceOptions | None = None, media_cache: dict | None = None) -> Clip:
    """A hit's frames widened by the pads (``Hit.padded``), clamped to the file (its row from ``media_rows``,
    a ``footage.MediaRows``); its words become a marker."""
    options = options or SequenceOptions()
    cache = media_cache if media_cache is not None else {}
    media = cache.get(hit.media_id)
    if media is None:
        row = media_rows.media_by_id(hit.media_id) or media_rows.media_by_path(hit.media_path)
        if row is None:
            raise MediaError(hit.media_path, "not in the catalog (index it first with 'framesense index')")
        media = cache[hit.media_id] = SourceMedia.from_row(row)
    if hit.rate != media.rate:
        raise MediaError(hit.media_path, f"hit at {rate_str(hit.rate)} fps does not match the file's "
                                         f"{rate_str(media.rate)} fps (re-run the search)")
    s_in, s_out = hit.padded(options.pad_before, options.pad_after, media.frames or None)
    markers = []
    if hit.text or hit.query:
        m_in = max(s_in, hit.start_frame)
        m_out = min(s_out, max(m_in + 1, hit.end_frame))
        markers.append(Marker(frame=m_in, duration=m_out - m_in, name=hit.text or hit.query or "",
                              text=hit.text, query=hit.query))
    return Clip(media=media, source_in=s_in, source_out=s_out, label=hit.text or None, markers=markers,
                handles=options.handles)


def sequence_from_hits(media_rows, hits, options: SequenceOptions | None = None, fingerprints=None) -> Sequence:
    """Hits as clips under the supercut rules of ``options`` (which takes, their order, joins, length);
    files' rows from ``media_rows``, pictures compared for ``dedupe`` by ``fingerprints`` (``footage``'s protocols)."""
    options = options or SequenceOptions()
    cache: dict = {}
    hits = supercut.choose(hits, options, fingerprints)
    clips = [clip_from_hit(media_rows, h, options, media_cache=cache) for h in hits]
    if options.merge_overlaps:
        clips = supercut.merge_overlaps(clips)
    if options.max_duration:
        clips = supercut.cap(clips, options.max_duration)
    return sequence_from_clips(clips, options)


def sequence_from_clips(clips: list[Clip], options: SequenceOptions) -> Sequence:
    rate = options.rate or most_common_rate([c.media for c in clips])
    drop_frame = options.drop_frame
    if drop_frame is None:  # follow the media at this rate (29.97 DF footage gives a DF sequence)
        same = [c.media.drop_frame for c in clips if c.media.rate == rate]
        drop_frame = bool(same) and sum(same) * 2 > len(same)
    seq = Sequence(name=options.name, rate=rate, drop_frame=drop_frame, clips=clips)
    if options.start_timecode:
        seq.start_frame = seq.timecode.to_frames(options.start_timecode)
    return seq
