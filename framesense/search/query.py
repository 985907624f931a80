"""What a user asks for, in one object shared by the CLI, the API and the app."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SearchQuery:
    phrase: str | None = None                       # spoken words (phrase search, FTS, fuzzy)
    text: list[str] = field(default_factory=list)   # descriptions; "-night" or "night:-0.5" weigh against
    image: list[str] = field(default_factory=list)  # example image files
    like: str | None = None                         # "MEDIA_PATH@SECONDS": a catalogued frame as example
    same_as: str | None = None                      # "MEDIA_PATH@SECONDS" or an image: reuses of that shot
    ocr: str | None = None                          # on-screen text (OCR plugin)
    limit: int = 50
    media: list[str] = field(default_factory=list)  # restrict to these paths (substring or glob match)
    pad_before: float = 0.0
    pad_after: float = 0.0
    extra: dict = field(default_factory=dict)       # provider-specific options (plugins)

    def is_empty(self) -> bool:
        return not (self.phrase or self.text or self.image or self.like or self.same_as or self.ocr or self.extra)
