"""A paper edit kept with its sequence: each script line, where its take landed, and the edits an
editor makes to it (the next take, a reworded line), without Qt.

The lines ride in ``Sequence.script`` (saved in the ``.otio`` beside the clips), one dict a line:
``text`` (and ``media``/``person`` from a CSV), ``status`` (placed, heard differently, partial,
missing), and the take: ``said``, ``media_path``, ``start``/``end`` seconds, ``note``. A line finds
its clip by the clip's label (``assemble`` labels each take with its line), so the link survives
trims, moves and razors; it is lost only when the clip is deleted, and the line then shows as
missing.
"""

from __future__ import annotations

from fractions import Fraction

from ..search.hits import Hit
from .model import Clip, Sequence, SequenceOptions
from .script import LineResult, ScriptLine

STATUSES = ("placed", "heard differently", "partial", "missing")


def alternate(h: Hit) -> dict:
    """Another take of a line (or picture of a cut), as it rides on the clip and is saved in the ``.otio``."""
    return {"media_id": h.media_id, "media_path": h.media_path, "start_frame": h.start_frame,
            "end_frame": h.end_frame, "rate": f"{h.rate.numerator}/{h.rate.denominator}", "score": h.score,
            "text": h.text}


def status_of(result: LineResult) -> str:
    if result.status == "placed" and result.match and "heard differently" in result.match:
        return "heard differently"
    return result.status


def row_from(line: ScriptLine, result: LineResult | None, note: str | None = None) -> dict:
    """A script line and what assembling it found, as kept in ``Sequence.script``."""
    row = {"text": line.text}
    if line.media:
        row["media"] = list(line.media)
    if line.person:
        row["person"] = line.person
    if result is None or result.status == "missing":
        row["status"] = "missing"
        miss = (result.near_miss or {}) if result is not None else {}
        row["note"] = note or (f"nearest: “{miss['said']}”" if miss.get("said") else "no take says it")
        return row
    row.update(status=status_of(result), said=result.said, media_path=result.media_path,
               start=result.start, end=result.end)
    return row


def line_of(row: dict) -> ScriptLine:
    return ScriptLine(row["text"], list(row.get("media") or []), row.get("person"))


def clip_indices(seq: Sequence) -> list[int | None]:
    """For each line of ``seq.script``, the index of its clip (None: missing, or its clip deleted)."""
    claimed: set[int] = set()
    out: list[int | None] = []
    for row in seq.script:
        found = None
        if row.get("status") != "missing":
            found = next((i for i, c in enumerate(seq.clips) if i not in claimed and c.label == row["text"]), None)
        if found is not None:
            claimed.add(found)
        out.append(found)
    return out


def counts(seq: Sequence) -> tuple[int, int, int]:
    """(lines, placed, missing): a line counts as placed while its clip is on the timeline."""
    where = clip_indices(seq)
    placed = sum(i is not None for i in where)
    return len(where), placed, len(where) - placed


def next_take(clip_from_hit, clip: Clip, options: SequenceOptions | None = None) -> Clip | None:
    """The line's next alternate take in the clip's place, cut to its words; the current take goes to
    the back of the alternates (so swapping round the list comes back to it). None: no alternates.
    ``clip_from_hit(hit, options)`` makes the clip (``Library.clip_from_hit``)."""
    if not clip.alternates:
        return None
    first, rest = clip.alternates[0], clip.alternates[1:]
    current = alternate(Hit(media_id=clip.media.media_id, media_path=clip.media.path, start_frame=clip.source_in,
                            end_frame=clip.source_out, rate=clip.media.rate, score=0.0, kind="phrase",
                            text=_said(clip)))
    hit = Hit(media_id=first["media_id"], media_path=first["media_path"], start_frame=int(first["start_frame"]),
              end_frame=int(first["end_frame"]), rate=Fraction(first["rate"]), score=float(first.get("score") or 0),
              kind="phrase", text=first.get("text"))
    new = clip_from_hit(hit, options or SequenceOptions(handles=clip.handles))
    new.label, new.alternates = clip.label, rest + [current]
    new.markers = [m for m in new.markers if not m.is_missing] + \
        [m for m in clip.markers if m.is_missing]
    return new


def _said(clip: Clip) -> str | None:
    return next((m.text for m in clip.markers if m.text and not m.is_missing), None)


def swapped_row(row: dict, clip: Clip) -> dict:
    """The line's row once ``clip`` is its take."""
    return {**row, "said": _said(clip) or row.get("said"), "media_path": clip.media.path,
            "start": float(Fraction(clip.source_in) / clip.media.rate),
            "end": float(Fraction(clip.source_out) / clip.media.rate)}
