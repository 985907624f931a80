"""Turn 'MEDIA_PATH@SECONDS' into a catalogued media row, frame and shot."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..catalog import media_rate
from ..errors import QueryError


@dataclass
class FrameRef:
    media: dict
    frame: int
    shot: dict | None


def parse_frame_ref(catalog, ref: str) -> FrameRef:
    if "@" not in ref:
        raise QueryError(f"'{ref}': expected MEDIA_PATH@SECONDS (e.g. clip.mov@12.5)")
    path, _, secs = ref.rpartition("@")
    try:
        seconds = Fraction(secs)
    except (ValueError, ZeroDivisionError):
        raise QueryError(f"'{ref}': '{secs}' is not a number of seconds") from None
    try:
        media = catalog.find_media(path)
    except LookupError as exc:
        raise QueryError(str(exc)) from None
    rate = media_rate(media)
    if rate is None:
        raise QueryError(f"{media['path']}: has no video frames to search with")
    frame = int(seconds * rate)
    if seconds < 0 or (media.get("frames") and frame >= media["frames"]):
        raise QueryError(f"'{ref}': {secs} s is outside {media['path']} "
                         f"({float(media.get('duration') or 0):.3f} s long)")
    shot = catalog.one("SELECT * FROM shots WHERE media_id = ? AND start_frame <= ? AND end_frame > ?",
                       (media["id"], frame, frame))
    return FrameRef(media, frame, shot)


def shot_hit_fields(catalog, shot_ids) -> dict[int, dict]:
    """Per shot id: media path, rate, frame range, index and absolute thumbnail path."""
    ids = sorted({int(s) for s in shot_ids if s is not None})
    out = {}
    for a in range(0, len(ids), 500):
        part = ids[a: a + 500]
        marks = ",".join("?" * len(part))
        for r in catalog.query(
                f"SELECT s.id, s.idx, s.start_frame, s.end_frame, s.media_id, m.path, m.rate_num, m.rate_den, "
                f"t.path AS thumb FROM shots s JOIN media m ON m.id = s.media_id "
                f"LEFT JOIN thumbnails t ON t.shot_id = s.id WHERE s.id IN ({marks})", part):
            r["rate"] = Fraction(r["rate_num"], r["rate_den"])
            r["thumbnail"] = str(catalog.dir / r["thumb"]) if r["thumb"] else None
            out[r["id"]] = r
    return out


def media_matches(path: str, filters: list[str]) -> bool:
    """The one ``--media`` rule, for every kind of hit: a filter matches when the path contains it or
    ends with it as a glob (``interview_0?.mov`` matches ``/footage/interview_01.mov``), tried on the
    path as Python holds it and as it is shown (a non-UTF-8 name typed as \\xNN)."""
    import fnmatch
    from ..paths import display
    return not filters or any(f in p or fnmatch.fnmatch(p, f"*{f}") for p in {path, display(path)} for f in filters)
