"""The app's seam to the core timeline (framesense.timeline): clips, edits, files, export.

The views call only what is here; every edit is one of the core's command
objects (do/undo), which the views send to ``Session.edit`` (the session keeps the history). Keeping the
seam in one module means a change in the core's names touches one file.
"""

from __future__ import annotations

from ..timeline import edits as core
from ..timeline.model import Clip, Sequence

__all__ = ["Clip", "Sequence", "export_formats", "move", "trim", "clip_text", "clip_timecode"]


def export_formats(session) -> dict[str, tuple[str, str]]:
    """Every exporter in the registry, built-ins first (label -> (format name, suffix))."""
    out = {}
    for spec in session.exporters():
        suffixes = ", ".join(spec.suffixes)
        out[f"{spec.description or spec.name} ({suffixes})"] = (spec.name, spec.suffixes[0] if spec.suffixes else "")
    return out


def clip_text(clip: Clip) -> str | None:
    """The spoken words a clip was found by (its first marker), for captions."""
    return next((m.text for m in clip.markers if m.text), None)


def clip_timecode(clip: Clip, frame: int | None = None) -> str:
    m = clip.media
    return m.timecode.to_string(m.start_frame + (clip.source_in if frame is None else frame))


# -- edits: the core's command objects (do/undo) -------------------------------------
Batch = core.Batch      # several core commands as one undo step


def move(src: int, dst: int):
    cmd = core.Move(src, dst)
    cmd.text = "Move clip"
    return cmd


def trim(index: int, source_in: int, source_out: int):
    cmd = core.Trim(index, source_in, source_out)
    cmd.text = "Trim clip"
    return cmd


def source_frame_at(seq: Sequence, index: int, record_frame: int) -> int:
    """The media frame clip ``index`` shows at a record frame."""
    return core.record_to_source(seq, index, record_frame)
