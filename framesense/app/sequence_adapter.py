"""The app's seam to the core sequence model: clips, undoable edits, save/open, export.

Everything the timeline view does to a sequence goes through the command
objects here (apply/revert), which the view wraps in QUndoCommands. Until the
core timeline package (framesense.timeline) provides its own sequence and
command objects, this module holds a minimal Qt-free stand-in with the same
shape; swapping in the core pieces means changing the imports at the bottom.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

from ..catalog import media_rate
from ..errors import FrameSenseError
from ..timecode import Timecode, parse_rate, rate_str

EXPORT_FORMATS = {  # label -> (format key, file suffix)
    "OpenTimelineIO (.otio)": ("otio", ".otio"),
    "FCP7 XML for Premiere (.xml)": ("fcp7", ".xml"),
    "FCPXML for Final Cut / Resolve (.fcpxml)": ("fcpxml", ".fcpxml"),
    "CMX3600 EDL (.edl)": ("edl", ".edl"),
}


@dataclass
class Clip:
    media_id: int
    media_path: str
    name: str
    rate: Fraction
    source_in: int            # first frame (media frame index)
    source_out: int           # exclusive
    start_tc_frames: int = 0
    drop_frame: bool = False
    reel: str | None = None
    thumbnail: str | None = None
    text: str | None = None   # spoken words of a phrase hit (becomes a marker)
    query: str | None = None

    @property
    def frames(self) -> int:
        return self.source_out - self.source_in

    @property
    def seconds(self) -> float:
        return float(Fraction(self.frames) / self.rate)

    def timecode_in(self) -> str:
        return Timecode(self.rate, self.drop_frame).to_string(self.start_tc_frames + self.source_in)

    def to_json(self) -> dict:
        d = asdict(self)
        d["rate"] = rate_str(self.rate)
        return d

    @classmethod
    def from_json(cls, d: dict) -> "Clip":
        d = dict(d)
        d["rate"] = parse_rate(d["rate"])
        return cls(**d)


@dataclass
class Sequence:
    name: str = "Sequence 1"
    rate: Fraction = Fraction(25)
    clips: list[Clip] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"name": self.name, "rate": rate_str(self.rate), "clips": [c.to_json() for c in self.clips]}

    @classmethod
    def from_json(cls, d: dict) -> "Sequence":
        return cls(name=d.get("name", "Sequence"), rate=parse_rate(d.get("rate", "25")),
                   clips=[Clip.from_json(c) for c in d.get("clips", [])])


def clip_from_hit(hit, media_row: dict, pad_before: float = 0.0, pad_after: float = 0.0) -> Clip:
    """A hit's padded time range snapped outward to whole frames of its media."""
    import math
    rate = media_rate(media_row)
    if rate is None:
        raise FrameSenseError(f"{hit.media_path}: has no video, so it cannot go on the timeline")
    total = media_row.get("frames") or 10 ** 9
    first = max(0, math.floor(Fraction(str(max(0.0, hit.start - pad_before))) * rate))
    last = min(total, math.ceil(Fraction(str(hit.end + pad_after)) * rate))
    last = max(last, first + 1)
    return Clip(media_id=hit.media_id, media_path=hit.media_path, name=Path(hit.media_path).name, rate=rate,
                source_in=first, source_out=last, start_tc_frames=media_row.get("start_tc_frames") or 0,
                drop_frame=bool(media_row.get("drop_frame")), reel=media_row.get("reel"),
                thumbnail=hit.thumbnail, text=hit.text, query=hit.query)


# -- undoable edits -----------------------------------------------------------
class Command:
    text = "edit"

    def apply(self, seq: Sequence): ...
    def revert(self, seq: Sequence): ...


class AddClips(Command):
    def __init__(self, clips: list[Clip], index: int | None = None):
        self.clips, self.index = list(clips), index
        self.text = f"Add {len(self.clips)} clip{'s' if len(self.clips) != 1 else ''}"

    def apply(self, seq):
        at = len(seq.clips) if self.index is None else max(0, min(self.index, len(seq.clips)))
        self._at = at
        seq.clips[at:at] = self.clips

    def revert(self, seq):
        del seq.clips[self._at: self._at + len(self.clips)]


class RemoveClips(Command):
    def __init__(self, indices: list[int]):
        self.indices = sorted(set(indices))
        self.text = f"Delete {len(self.indices)} clip{'s' if len(self.indices) != 1 else ''}"

    def apply(self, seq):
        self._removed = [(i, seq.clips[i]) for i in self.indices]
        for i in reversed(self.indices):
            del seq.clips[i]

    def revert(self, seq):
        for i, clip in self._removed:
            seq.clips.insert(i, clip)


class MoveClip(Command):
    """Move the clip at src so that it ends up at index dst."""

    def __init__(self, src: int, dst: int):
        self.src, self.dst = src, dst
        self.text = "Move clip"

    def apply(self, seq):
        clip = seq.clips.pop(self.src)
        seq.clips.insert(self.dst, clip)

    def revert(self, seq):
        clip = seq.clips.pop(self.dst)
        seq.clips.insert(self.src, clip)


class TrimClip(Command):
    def __init__(self, index: int, source_in: int, source_out: int):
        if source_out <= source_in:
            raise FrameSenseError(f"a clip needs at least one frame (in {source_in}, out {source_out})")
        self.index, self.new = index, (source_in, source_out)
        self.text = "Trim clip"

    def apply(self, seq):
        c = seq.clips[self.index]
        self.old = (c.source_in, c.source_out)
        c.source_in, c.source_out = self.new

    def revert(self, seq):
        c = seq.clips[self.index]
        c.source_in, c.source_out = self.old


# -- files --------------------------------------------------------------------
def save_sequence(seq: Sequence, path) -> Path:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(seq.to_json(), indent=2))
    tmp.replace(path)
    return path


def load_sequence(path) -> Sequence:
    path = Path(path)
    try:
        return Sequence.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise FrameSenseError(f"{path}: not a FrameSense sequence ({exc})") from None


def to_otio(seq: Sequence, rate: Fraction | None = None):
    """The sequence as an OTIO timeline at the sequence rate; sources keep their own rates."""
    import opentimelineio as otio

    rate = Fraction(rate or seq.rate)
    timeline = otio.schema.Timeline(name=seq.name)
    timeline.global_start_time = otio.opentime.RationalTime(0, float(rate))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for c in seq.clips:
        r = float(c.rate)
        ref = otio.schema.ExternalReference(
            target_url=Path(c.media_path).as_uri(),
            available_range=None)
        src = otio.opentime.TimeRange(otio.opentime.RationalTime(c.start_tc_frames + c.source_in, r),
                                      otio.opentime.RationalTime(c.frames, r))
        clip = otio.schema.Clip(name=c.reel or Path(c.media_path).stem, media_reference=ref, source_range=src)
        if c.text:
            clip.markers.append(otio.schema.Marker(
                name=c.text, marked_range=otio.opentime.TimeRange(src.start_time, otio.opentime.RationalTime(0, r))))
        track.append(clip)
    return timeline


def export_sequence(seq: Sequence, path, fmt: str, rate=None) -> list[Path]:
    """Write the sequence in one interchange format; returns the files written."""
    import opentimelineio as otio

    if not seq.clips:
        raise FrameSenseError("the sequence is empty: add hits to the timeline first")
    path = Path(path)
    if not path.parent.is_dir():
        raise FrameSenseError(f"{path.parent}: folder does not exist")
    rate = parse_rate(rate) if rate else seq.rate
    timeline = to_otio(seq, rate)
    adapter = {"otio": "otio_json", "fcp7": "fcp_xml", "fcpxml": "fcpx_xml", "edl": "cmx_3600"}.get(fmt)
    if adapter is None:
        raise FrameSenseError(f"unknown export format {fmt!r}")
    kwargs = {"rate": float(rate)} if fmt == "edl" else {}
    try:
        otio.adapters.write_to_file(timeline, str(path), adapter_name=adapter, **kwargs)
    except Exception as exc:  # the adapter's message is the user's best clue
        raise FrameSenseError(f"{path}: could not write {fmt}: {exc}") from None
    return [path]
