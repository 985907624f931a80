"""CMX3600 EDL, written by us (the cmx_3600 adapter cannot split, and derives reels from names).

What the common readers take (checked with pycmx and OpenTimelineIO's cmx_3600 reader):

- One line per event, one event number per line: ``V`` (picture only), ``B`` (picture and
  mono sound) or ``AA/V`` (picture and two channels). A repeated event number means a
  transition to those readers, so V and A lines never share one.
- Comments only after an event (a header comment is "Unknown event type" to OTIO):
  ``* FROM CLIP NAME:`` (the file's name; NLEs relink by it), ``* FROM FILE:`` and
  ``* SOURCE FILE:`` (the path, as OTIO and as pycmx/Avid read it), ``* COMMENT:`` and ``* LOC:`` markers; ``comments=False`` leaves
  them out (Premiere reads comment-free EDLs most reliably). Control characters in names and
  paths are written as ``\\xNN`` so no name can break a line.
- One rate per list, the sequence's, with its FCM and drop-frame separators only when the
  list is drop-frame. A clip at the list's rate has its own source timecodes, exactly. A clip
  at another rate is written the way conform tools re-time it: its file's start timecode label
  (HH:MM:SS, frames scaled to the list's timebase) plus its offset into the file at the list's
  rate, with a source duration equal to its record duration; its exact native range is kept in
  a ``* SOURCE RANGE AT <rate>:`` comment.
- Out points are exclusive. Over 999 events (three digits), the list is split into
  ``NAME.edl``, ``NAME_002.edl``, ... each numbered from 001 and continuing the record timecode.
- EDLs have no place for handles: an NLE trims into the media it relinks to.
- CMX3600 lists one picture track. A sequence with pictures over its cuts (V2) is written as two
  lists, ``NAME.edl`` (the cuts with their sound) and ``NAME_V2.edl`` (picture only), where black
  (``BL``) events fill the gaps so every reader puts each V2 event at its record time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from ...errors import FrameSenseError
from ...timecode import rate_str, timebase
from ...paths import display
from ..model import Sequence
from .common import prepare, reel_names, write_atomic

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _one_line(text: str) -> str:
    """Text safe on one EDL line: control characters (newlines included) and bytes that are not UTF-8 as \\xNN."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", display(str(text))).strip()


def source_range(seq: Sequence, placement) -> tuple[int, int]:
    """A clip's source in/out as frame counts in the list's timecode (see the module docstring)."""
    c, m = placement.clip, placement.clip.media
    if m.rate == seq.rate and m.drop_frame == seq.drop_frame:
        return m.start_frame + c.source_in, m.start_frame + c.source_out
    hh, mm, ss, ff = (int(x) for x in m.timecode.to_string(m.start_frame).replace(";", ":").split(":"))
    ff = ff * timebase(seq.rate) // timebase(m.rate)
    start = seq.timecode.to_frames(f"{hh:02d}:{mm:02d}:{ss:02d}:{ff:02d}")
    if m.rate == seq.rate:       # the same rate counted another way (drop-frame or not): same frames
        return start + c.source_in, start + c.source_out
    first = start + _round_half_up(Fraction(c.source_in) / m.rate * seq.rate)
    return first, first + placement.record_duration


def _round_half_up(x: Fraction) -> int:
    return int((x + Fraction(1, 2)).__floor__())


def _channels(media) -> str:
    if not media.has_audio:
        return "V"
    return "AA/V" if media.audio_channels >= 2 else "B"


def build(seq: Sequence, comments: bool = True, max_events: int = 999, track: str = "V1") -> list[str]:
    """The EDL text of each file of one track: ``V1`` (the cuts with their sound) or ``V2`` (the
    pictures over them, events only where there is one; CMX3600 lists one picture track)."""
    if not 1 <= max_events <= 999:
        raise ValueError(f"max_events must be 1..999, got {max_events}")
    reels = reel_names(seq.media())
    tc = seq.timecode
    day = tc.to_frames(f"23:59:59:{timebase(seq.rate) - 1:02d}") + 1   # timecode wraps at midnight
    placements = seq.placements()
    if track == "V2":
        placements = _with_black(seq.overlay_placements(placements))
    chunks = [placements[i:i + max_events] for i in range(0, len(placements), max_events)] or [[]]
    out = []
    for part, chunk in enumerate(chunks, 1):
        title = _one_line(seq.name) + (f" {track}" if track != "V1" else "") + \
            (f" (part {part} of {len(chunks)})" if len(chunks) > 1 else "")
        lines = [f"TITLE: {title}", f"FCM: {'DROP FRAME' if seq.drop_frame else 'NON-DROP FRAME'}", ""]
        for n, p in enumerate(chunk, 1):
            if isinstance(p, _Black):     # nothing over the cut here: black, as readers expect between events
                lines += [f"{n:03d}  BL       V     C        {tc.to_string(0)} {tc.to_string(p.record_out - p.record_in)} "
                          f"{tc.to_string(seq.start_frame + p.record_in)} {tc.to_string(seq.start_frame + p.record_out)}", ""]
                continue
            c, m = p.clip, p.clip.media
            s_in, s_out = source_range(seq, p)
            if s_out > day:
                raise FrameSenseError(f"{m.path}: its source timecode crosses midnight; CMX3600 cannot express "
                                      "that (export OTIO or XML instead)")
            r_in, r_out = seq.start_frame + p.record_in, seq.start_frame + p.record_out
            lines.append(f"{n:03d}  {reels[m.path]:<8} {_channels(m) if track == 'V1' else 'V':<5} C        "
                         f"{tc.to_string(s_in)} {tc.to_string(s_out)} {tc.to_string(r_in)} {tc.to_string(r_out)}")
            if comments:
                lines.append(f"* FROM CLIP NAME: {_one_line(m.name)}")
                lines.append(f"* FROM FILE: {_one_line(m.path)}")       # OTIO's media reference
                lines.append(f"* SOURCE FILE: {_one_line(m.path)}")     # pycmx's source_file, Avid's form
                if m.rate != seq.rate:
                    native = m.timecode
                    lines.append(f"* SOURCE RANGE AT {rate_str(m.rate)}: {native.to_string(m.start_frame + c.source_in)} "
                                 f"{native.to_string(m.start_frame + c.source_out)}")
                if c.label and c.label != m.name:
                    lines.append(f"* COMMENT: {_one_line(c.label)}")
                for mk in c.markers:
                    at = r_in + max(0, _round_half_up(Fraction(mk.frame - c.source_in) / m.rate * seq.rate))
                    q = f" (query: {_one_line(mk.query)})" if mk.query else ""
                    lines.append(f"* LOC: {tc.to_string(min(at, r_out - 1))} {mk.color_or('YELLOW')} {_one_line(mk.name)}{q}")
            lines.append("")
        out.append("\n".join(lines).rstrip("\n") + "\n")
    return out


@dataclass
class _Black:
    record_in: int
    record_out: int


def _with_black(placements: list) -> list:
    """A picture track's events with its gaps (from the sequence's start) as black events, so every
    reader places each event where it is, not after the one before."""
    out, at = [], 0
    for p in placements:
        if p.record_in > at:
            out.append(_Black(at, p.record_in))
        out.append(p)
        at = p.record_out
    return out


def part_paths(path: Path, count: int, track: str = "V1") -> list[Path]:
    """``NAME.edl``, ``NAME_002.edl``, ... for V1; ``NAME_V2.edl``, ``NAME_V2_002.edl``, ... for V2."""
    path = Path(path)
    suffix = path.suffix or ".edl"
    if track != "V1":
        path = path.with_name(f"{path.stem}_{track}{suffix}")
    return [path] + [path.with_name(f"{path.stem}_{i:03d}{suffix}") for i in range(2, count + 1)]


def export(sequence, path: Path, *, allow_missing: bool = False, comments: bool = True,
           max_events: int = 999, **_) -> list[Path]:
    """One EDL (or a numbered series past 999 events) per picture track."""
    prepare(sequence, allow_missing)
    written = []
    for track in ("V1", "V2") if sequence.overlay_placements() else ("V1",):
        texts = build(sequence, comments=comments, max_events=max_events, track=track)
        # Windows line endings are what older NLE importers expect; every parser accepts them.
        written += [write_atomic(p, t.replace("\n", "\r\n"))
                    for p, t in zip(part_paths(path, len(texts), track), texts)]
    return written
