"""The Session's edits that know about markers and paper edits, kept apart from session.py so each
file stays readable; ``Session`` inherits them, so they are the one owner's methods all the same.

Each one builds core commands (``timeline/edits.py``) and sends them through ``Session.edit``, so
they are undoable, mark the sequence unsaved and are drawn by whatever observes the session.
"""

from __future__ import annotations

from dataclasses import replace

from .timeline import edits, paper_edit, supercut
from .timeline.model import Clip, Marker, Sequence


class SequenceEdits:
    """Mixed into ``Session``: uses its ``sequence``, ``library``, ``edit`` and ``edit_refused``."""

    # -- markers: on clips at media frames, placed and listed in record frames -------------
    def markers(self) -> list[tuple[int, int, int, Marker]]:
        """(record frame, clip index, position in its markers, marker), in record order."""
        return self.sequence.marker_placements()

    def add_marker(self, record_frame: int, name: str = "", color: str | None = None) -> bool:
        """A marker at a record frame (the playhead), on the clip there."""
        index = edits.clip_at(self.sequence, record_frame)
        if index is None:
            self.edit_refused.emit("No clip under the playhead to put a marker on")
            return False
        clip = self.sequence.clips[index]
        frame = edits.record_to_source(self.sequence, index, record_frame)
        n = sum(len(c.markers) for c in self.sequence.clips) + 1
        marker = Marker(frame=min(max(frame, clip.source_in), clip.source_out - 1), name=name or f"Marker {n}",
                        color=color)
        cmd = edits.SetMarkers(index, [*clip.markers, marker])
        cmd.text = "Add marker"
        return self.edit(cmd)

    def change_marker(self, index: int, k: int, *, name: str | None = None, color: str | None = None,
                      record_frame: int | None = None) -> bool:
        """Rename, recolour or move marker ``k`` of clip ``index`` (moved onto whichever clip is at
        ``record_frame``), as one undoable step."""
        seq = self.sequence
        if not (0 <= index < len(seq.clips) and 0 <= k < len(seq.clips[index].markers)):
            self.edit_refused.emit("That marker is no longer there")
            return False
        old = seq.clips[index].markers[k]
        new = replace(old, name=old.name if name is None else name, color=old.color if color is None else color)
        to = index
        if record_frame is not None:
            to = edits.clip_at(seq, max(0, min(record_frame, seq.duration - 1)))
            new.frame = edits.record_to_source(seq, to, max(0, min(record_frame, seq.duration - 1)))
            new.frame = min(max(new.frame, seq.clips[to].source_in), seq.clips[to].source_out - 1)
        rest = [m for j, m in enumerate(seq.clips[index].markers) if j != k]
        steps = [edits.SetMarkers(index, rest if to != index else rest + [new])]
        if to != index:
            steps.append(edits.SetMarkers(to, [*seq.clips[to].markers, new]))
        return self.edit(edits.Batch(steps, "Move marker" if record_frame is not None else "Change marker"))

    def delete_marker(self, index: int, k: int) -> bool:
        seq = self.sequence
        if not (0 <= index < len(seq.clips) and 0 <= k < len(seq.clips[index].markers)):
            return False
        cmd = edits.SetMarkers(index, [m for j, m in enumerate(seq.clips[index].markers) if j != k])
        cmd.text = "Delete marker"
        return self.edit(cmd)

    # -- the paper edit kept with the sequence (timeline/paper_edit.py) ----------------
    def place_script(self, assembled: Sequence, rows: list[dict]) -> bool:
        """An assembled paper edit in place of the timeline's clips, its lines kept with it: one undo step."""
        seq = self.sequence
        if not seq.clips and assembled.clips:
            seq.rate, seq.drop_frame, seq.start_frame = assembled.rate, assembled.drop_frame, assembled.start_frame
        steps = ([edits.RippleDelete(list(range(len(seq.clips))))] if seq.clips else []) + \
            [edits.Insert(list(assembled.clips), 0), edits.SetScript(rows)]
        return self.edit(edits.Batch(steps, f"Assemble script ({len(rows)} lines)"))

    def swap_take(self, line: int) -> bool:
        """Line ``line``'s take swapped for its next alternate (undoable); False when it has none."""
        where = paper_edit.clip_indices(self.sequence)
        index = where[line] if 0 <= line < len(where) else None
        if index is None:
            self.edit_refused.emit("That line has no take on the timeline to swap")
            return False
        new = paper_edit.next_take(self.library.clip_from_hit, self.sequence.clips[index])
        if new is None:
            self.edit_refused.emit("That line has no other take")
            return False
        rows = list(self.sequence.script)
        rows[line] = paper_edit.swapped_row(rows[line], new)
        return self.edit(edits.Batch([edits.Replace(index, new), edits.SetScript(rows)], "Next take"))

    def set_line(self, line: int, row: dict, clip: Clip | None) -> bool:
        """Line ``line`` (``len(script)``: a new last line) re-assembled alone: its take (None: missing)
        replaces the old one in place, or lands after the take of the line before it."""
        seq = self.sequence
        rows, where = list(seq.script), paper_edit.clip_indices(seq)
        old = where[line] if line < len(where) else None
        steps = []
        if old is not None:
            steps.append(edits.Replace(old, clip) if clip is not None else edits.Remove(old))
        elif clip is not None:
            before = [i for i in where[:line] if i is not None]
            steps.append(edits.Insert([clip], before[-1] + 1 if before else 0))
        rows[line:line + 1] = [row]
        return self.edit(edits.Batch(steps + [edits.SetScript(rows)], f"Script line {line + 1}"))

    def overlapping(self, clip: Clip) -> int | None:
        """The index of the first clip on the timeline that shares frames of its file with ``clip``."""
        return next((i for i, c in enumerate(self.sequence.clips) if supercut.overlaps(c, clip)), None)
