"""Pieces most per-shot plugins need: pick frames from each shot, turn a shot into a Hit,
apply a query's media filter. Plugins import these instead of re-decoding video their own way."""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

from ..analysis.base import FrameSession
from ..catalog import Catalog, media_rate
from ..media.frames import frame_image
from ..media.sample import frames_at
from ..search.hits import Hit
from ..search.refs import media_matches as _media_matches


def shot_sample_frames(start: int, end: int, per_shot: int = 1) -> list[int]:
    """Frame indexes spread evenly inside [start, end), away from the cut (1 -> the middle)."""
    n = end - start
    per_shot = max(1, min(per_shot, n))
    return sorted({start + (n * (2 * k + 1)) // (2 * per_shot) for k in range(per_shot)})


def sample_shots(path, shots: list[dict], per_shot: int = 1, width: int | None = 320,
                 progress=None, rate=None) -> Iterator[tuple[dict, int, "object"]]:
    """Decode once, yielding (shot row, frame index, RGB PIL image) for the chosen frames of each shot.

    ``width=None`` keeps the full picture (OCR wants every pixel). ``rate`` is the media's
    exact rate (``media_rate(ctx.media)``); without it the file is probed for it.
    """
    wanted: dict[int, dict] = {}
    for s in shots:
        for f in shot_sample_frames(s["start_frame"], s["end_frame"], per_shot):
            wanted[f] = s
    if not wanted:
        return
    if rate is None:
        from ..media.probe import probe
        rate = probe(path, check_decode=False).rate
    last = max(wanted)
    for index, frame in frames_at(path, list(wanted), rate):
        img = frame_image(frame, width) if width else frame.to_image()
        yield wanted[index], index, img
        if progress:
            progress(index / (last + 1), f"frame {index}")


class ShotImages(FrameSession):
    """For a plugin frame stage (``analysis.base.FrameConsumer``): the frames its ``frame_request``
    names, as RGB PIL images ``width`` wide (None: the full picture), handed to ``handle(shot_idx,
    frame_index, image)``; ``result()`` returns ``finish()``. With ``isolation = "thread"`` this runs
    during the shots scan's one decode; in the plugin's own process it runs on the stage's own decode.

        class Palette(FrameConsumer):
            frame_request = FrameRequest(representative=True)     # each shot's thumbnail frame
            def frame_session(self, media, rate):
                rows = []
                return ShotImages(lambda idx, f, img: rows.append((idx, colours(img))), lambda: rows, width=64)
    """

    def __init__(self, handle, finish, width: int | None = 320):
        self.handle, self.finish, self.width = handle, finish, width

    def add(self, index, shot_idx, frame):
        self.handle(shot_idx, index, frame_image(frame, self.width) if self.width else frame.to_image())

    def result(self):
        return self.finish()


def media_matches(query, path: str) -> bool:
    """The query's --media filter: substring or glob on the path (no filter: everything)."""
    return _media_matches(path, query.media)


def shot_hit(catalog: Catalog, media: dict, shot_idx: int, score: float, kind: str, *,
             text: str | None = None, query: str | None = None, extra: dict | None = None) -> Hit | None:
    """A Hit spanning one catalogued shot (its exact frames), with its thumbnail."""
    rate: Fraction | None = media_rate(media)
    row = catalog.one("SELECT s.start_frame, s.end_frame, t.path AS thumb FROM shots s LEFT JOIN thumbnails t "
                      "ON t.shot_id = s.id WHERE s.media_id = ? AND s.idx = ?", (media["id"], shot_idx))
    if not row or not rate or row["end_frame"] <= row["start_frame"]:
        return None
    return Hit(media_id=media["id"], media_path=media["path"], start_frame=row["start_frame"],
               end_frame=row["end_frame"], rate=rate, score=float(score), kind=kind, text=text, shot=shot_idx,
               query=query, extra=dict(extra or {}),
               thumbnail=str(catalog.dir / row["thumb"]) if row["thumb"] else None)
