"""A search hit: a time range in one catalogued media file, with why it matched."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Hit:
    media_id: int
    media_path: str
    start: float            # media seconds from the first frame (not timecode)
    end: float
    score: float
    kind: str               # "phrase", "text", "visual", "image", "same", "ocr", ... (the provider)
    text: str | None = None         # matched words (phrase hits)
    context: str | None = None      # the surrounding sentence
    shot: int | None = None         # shot index within the media
    thumbnail: str | None = None    # absolute path of a JPEG
    query: str | None = None        # the query that produced it (travels into markers)
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        d = asdict(self)
        if not d["extra"]:
            d.pop("extra")
        return d
