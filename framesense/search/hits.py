"""A search hit: an exact frame range in one catalogued media file, with why it matched.

Hits are snapped to whole frames once, where they are made (the edge of the
search); everything downstream (pads, clips, exports, the player) works in
those frames and never re-snaps float seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from ..timecode import rate_str, seconds_to_frame_ceil, seconds_to_frame_floor

# Sound-only files have no picture frames: their hits count in milliseconds.
AUDIO_TIME_BASE = Fraction(1000)


def pad_frames(seconds, rate: Fraction) -> int:
    """A pad in seconds as whole frames, never shorter than asked."""
    return max(0, seconds_to_frame_ceil(seconds, rate)) if seconds else 0


@dataclass
class Hit:
    media_id: int
    media_path: str
    start_frame: int        # first frame (inclusive) at ``rate``, from the file's first frame (not timecode)
    end_frame: int          # frame after the last one (exclusive)
    rate: Fraction          # the media's exact picture rate (AUDIO_TIME_BASE for sound-only files)
    score: float
    kind: str               # "phrase", "text", "visual", "image", "same", "ocr", ... (the provider)
    text: str | None = None         # matched words (phrase hits)
    context: str | None = None      # the surrounding sentence
    shot: int | None = None         # shot index within the media
    thumbnail: str | None = None    # absolute path of a JPEG
    query: str | None = None        # the query that produced it (travels into markers)
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.rate = Fraction(self.rate)
        if not 0 <= self.start_frame < self.end_frame:
            raise ValueError(f"{self.media_path}: hit range [{self.start_frame}, {self.end_frame}) is empty")

    @classmethod
    def from_seconds(cls, *, start: float, end: float, rate, frames: int | None = None, **fields) -> "Hit":
        """Snap a range in media seconds outward to whole frames (at least one), clamped to ``frames``."""
        rate = Fraction(rate) if rate else AUDIO_TIME_BASE
        a = max(0, seconds_to_frame_floor(start, rate))
        b = seconds_to_frame_ceil(end, rate)
        if frames:
            a, b = min(a, frames - 1), min(b, frames)
        return cls(start_frame=a, end_frame=max(b, a + 1), rate=rate, **fields)

    @property
    def start(self) -> float:
        """Media seconds, derived from the frames (for display and JSON)."""
        return float(self.start_frame / self.rate)

    @property
    def end(self) -> float:
        return float(self.end_frame / self.rate)

    def padded(self, pad_before: float = 0.0, pad_after: float = 0.0, frames: int | None = None) -> tuple[int, int]:
        """The frame range widened by pads in seconds (whole frames, clamped to the file): the one place pads apply."""
        a = max(0, self.start_frame - pad_frames(pad_before, self.rate))
        b = self.end_frame + pad_frames(pad_after, self.rate)
        if frames:
            b = min(b, frames)
        return a, max(b, a + 1)

    def to_json(self) -> dict:
        d = {"media_id": self.media_id, "media_path": self.media_path, "start": self.start, "end": self.end,
             "start_frame": self.start_frame, "end_frame": self.end_frame,
             "rate": rate_str(self.rate),
             "score": self.score, "kind": self.kind, "text": self.text, "context": self.context, "shot": self.shot,
             "thumbnail": self.thumbnail, "query": self.query}
        if self.extra:
            d["extra"] = self.extra
        return d
