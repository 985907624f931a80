"""The app's seam to the core timeline (framesense.timeline): clips, edits, files, export.

The views call only what is here; every edit is one of the core's command
objects (do/undo), which the timeline view wraps in QUndoCommands. Keeping the
seam in one module means a change in the core's names touches one file.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..timecode import parse_rate
from ..timeline import commands as core
from ..timeline import otio_io
from ..timeline.exporters import FORMATS, export
from ..timeline.model import Clip, Sequence
from ..timeline.model import clip_from_hit as _core_clip_from_hit

__all__ = ["Clip", "Sequence", "EXPORT_FORMATS", "clip_from_hit", "insert", "remove", "move", "trim",
           "new_sequence", "save_sequence", "load_sequence", "export_sequence", "clip_text", "clip_timecode"]

SEQUENCE_SUFFIX = ".otio"

_LABELS = {
    "otio": "OpenTimelineIO (.otio)",
    "otioz": "OpenTimelineIO bundle with media (.otioz)",
    "fcp7": "FCP7 XML for Premiere (.xml)",
    "fcpxml": "FCPXML for Final Cut / Resolve (.fcpxml)",
    "edl": "CMX3600 EDL (.edl)",
}
EXPORT_FORMATS = {_LABELS.get(k, k): (k, suffix) for k, (_, suffix) in FORMATS.items()}  # label -> (key, suffix)


def export_formats() -> dict[str, tuple[str, str]]:
    """The core formats, then every plugin exporter (label -> (key, suffix))."""
    out = dict(EXPORT_FORMATS)
    for spec in _plugins().exporters():
        label = f"{spec.description or spec.name} ({', '.join(spec.suffixes)}) — plugin"
        out[label] = (spec.name, spec.suffixes[0] if spec.suffixes else "")
    return out


def _plugins():
    from ..plugins import get_plugins
    return get_plugins()


def new_sequence(name: str = "Sequence 1", rate=None) -> Sequence:
    return Sequence(name=name, rate=parse_rate(rate)) if rate else Sequence(name=name)


def clip_from_hit(catalog, hit, pad_before: float = 0.0, pad_after: float = 0.0, cache: dict | None = None) -> Clip:
    """A hit's padded range in whole frames of its media (the core's rounding and clamping)."""
    return _core_clip_from_hit(catalog, hit, pad_before=pad_before, pad_after=pad_after, media_cache=cache)


def clip_text(clip: Clip) -> str | None:
    """The spoken words a clip was found by (its first marker), for captions."""
    return next((m.text for m in clip.markers if m.text), None)


def clip_timecode(clip: Clip, frame: int | None = None) -> str:
    m = clip.media
    return m.timecode.to_string(m.start_frame + (clip.source_in if frame is None else frame))


# -- edits: the core's command objects (do/undo) -------------------------------------
class Batch(core.Command):
    """Several core commands as one undo step."""

    def __init__(self, commands: list, text: str):
        self.commands, self.text = list(commands), text

    def do(self, seq):
        for c in self.commands:
            c.do(seq)

    def undo(self, seq):
        for c in reversed(self.commands):
            c.undo(seq)


def insert(clips: list[Clip], index: int | None = None):
    cmd = core.Insert(list(clips), index)
    cmd.text = f"Add {len(clips)} clip{'s' if len(clips) != 1 else ''}"
    return cmd


def remove(indices: list[int]):
    rows = sorted(set(indices), reverse=True)   # from the end, so earlier indices stay valid
    return Batch([core.Remove(i) for i in rows], f"Delete {len(rows)} clip{'s' if len(rows) != 1 else ''}")


def move(src: int, dst: int):
    cmd = core.Move(src, dst)
    cmd.text = "Move clip"
    return cmd


def source_frame_at(seq: Sequence, index: int, record_frame: int) -> int:
    """The media frame clip ``index`` shows at a record frame."""
    return core.record_to_source(seq, index, record_frame)


def trim(index: int, source_in: int, source_out: int):
    cmd = core.Trim(index, source_in, source_out)
    cmd.text = "Trim clip"
    return cmd


# -- files ----------------------------------------------------------------------------
def save_sequence(seq: Sequence, path, catalog=None) -> Path:
    return otio_io.save(seq, path, catalog=catalog)


def load_sequence(path) -> Sequence:
    return otio_io.load(path)


def export_sequence(seq: Sequence, path, fmt: str, rate=None, catalog=None, handles: int | None = None) -> list[Path]:
    """Write one interchange format at a chosen sequence rate (record TC restarts at 01:00:00:00).

    ``handles``: extra source frames each side of every clip; set on the clips (what every
    exporter reads) and passed as ``handles=`` to exporters that take it."""
    if handles is not None:
        seq = replace(seq, clips=[c.copy(handles=int(handles)) for c in seq.clips])
    if rate is not None and parse_rate(rate) != seq.rate:
        rate = parse_rate(rate)
        seq = replace(seq, rate=rate, drop_frame=seq.drop_frame and rate.denominator == 1001, start_frame=None,
                      clips=list(seq.clips))
    if fmt not in FORMATS:
        spec = _plugins().exporter_for(path, fmt)
        if spec is not None:
            return [Path(p) for p in spec.export(seq, Path(path))]
    options = {"catalog": catalog} if fmt == "otio" else {}
    if handles is not None and _takes(fmt, "handles"):
        options["handles"] = int(handles)
    return export(seq, path, fmt, **options)


def _takes(fmt: str, name: str) -> bool:
    import inspect
    from ..timeline.exporters import exporter
    params = inspect.signature(exporter(fmt).export).parameters
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())
