"""CMX3600 EDL, written by us (the cmx_3600 adapter cannot split, and derives reels from names).

- Reels: 8 characters from each file's catalogued reel, unique per file; a legend
  (``* REEL X = path``) and per-event ``* FROM CLIP NAME`` / ``* SOURCE FILE`` comments
  unless ``comments=False`` (Premiere reads comment-free EDLs most reliably).
- Source timecodes are at the media's own rate and drop-frame flag and include its
  start timecode; record timecodes are at the sequence rate from its start timecode;
  out points are exclusive, as CMX3600 expects.
- Each clip is one event number with a V line and, when the file has sound, an A
  (mono) or AA (two or more channels) line.
- CMX3600 event numbers have three digits, so a sequence of more than ``max_events``
  (999) clips is split into several files, ``NAME.edl``, ``NAME_002.edl``, ... each
  numbered from 001 and each continuing the record timecodes, so importing them one
  after the other rebuilds the whole sequence.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..model import Sequence
from .common import prepare, reel_names, write_atomic


def _one_line(text: str) -> str:
    return re.sub(r"[\r\n]+", " ", text).strip()


def build(seq: Sequence, comments: bool = True, max_events: int = 999) -> list[str]:
    """The EDL text of each file."""
    if not 1 <= max_events <= 999:
        raise ValueError(f"max_events must be 1..999, got {max_events}")
    reels = reel_names(seq.media())
    rec_tc = seq.timecode
    placements = seq.placements()
    chunks = [placements[i:i + max_events] for i in range(0, len(placements), max_events)] or [[]]
    out = []
    for part, chunk in enumerate(chunks, 1):
        title = _one_line(seq.name) + (f" (part {part} of {len(chunks)})" if len(chunks) > 1 else "")
        lines = [f"TITLE: {title}", f"FCM: {'DROP FRAME' if seq.drop_frame else 'NON-DROP FRAME'}"]
        if comments:
            lines.append("* REEL LEGEND (reel = file)")
            seen = []
            for p in chunk:
                if p.clip.media.path not in seen:
                    seen.append(p.clip.media.path)
                    lines.append(f"* REEL {reels[p.clip.media.path]} = {p.clip.media.path}")
        lines.append("")
        for n, p in enumerate(chunk, 1):
            c, m = p.clip, p.clip.media
            src = m.timecode
            s_in = src.to_string(m.start_frame + c.source_in)
            s_out = src.to_string(m.start_frame + c.source_out)
            r_in = rec_tc.to_string(seq.start_frame + p.record_in)
            r_out = rec_tc.to_string(seq.start_frame + p.record_out)
            chans = ["V"] + (["AA" if m.audio_channels >= 2 else "A"] if m.has_audio else [])
            for ch in chans:
                lines.append(f"{n:03d}  {reels[m.path]:<8} {ch:<5} C        {s_in} {s_out} {r_in} {r_out}")
            if comments:
                # NLEs relink by FROM CLIP NAME, so it is the file's name; a label goes in a comment.
                lines.append(f"* FROM CLIP NAME: {_one_line(m.name)}")
                lines.append(f"* SOURCE FILE: {m.path}")
                if c.label and c.label != m.name:
                    lines.append(f"* COMMENT: {_one_line(c.label)}")
                for mk in c.markers:
                    q = f" (query: {_one_line(mk.query)})" if mk.query else ""
                    lines.append(f"* MARKER {src.to_string(m.start_frame + mk.frame)}: {_one_line(mk.name)}{q}")
            lines.append("")
        out.append("\n".join(lines).rstrip("\n") + "\n")
    return out


def part_paths(path: Path, count: int) -> list[Path]:
    path = Path(path)
    return [path] + [path.with_name(f"{path.stem}_{i:03d}{path.suffix or '.edl'}") for i in range(2, count + 1)]


def export(sequence, path: Path, *, allow_missing: bool = False, comments: bool = True,
           max_events: int = 999, **_) -> list[Path]:
    prepare(sequence, allow_missing)
    texts = build(sequence, comments=comments, max_events=max_events)
    # Windows line endings are what older NLE importers expect; every parser accepts them.
    return [write_atomic(p, t.replace("\n", "\r\n")) for p, t in zip(part_paths(path, len(texts)), texts)]
