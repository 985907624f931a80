"""What a user asks for, in one object shared by the CLI, the API and the app.

Pads are not part of a query: they are a sequence option (``SequenceOptions``),
applied once to every kind of hit."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import QueryError

MAX_LIMIT = 100_000


@dataclass
class SearchQuery:
    phrase: str | None = None                       # spoken words (phrase search, FTS, fuzzy)
    text: list[str] = field(default_factory=list)   # descriptions; "-night" or "night:-0.5" weigh against
    image: list[str] = field(default_factory=list)  # example image files
    like: str | None = None                         # "MEDIA_PATH@SECONDS": a catalogued frame as example
    same_as: str | None = None                      # "MEDIA_PATH@SECONDS" or an image: reuses of that shot
    ocr: str | None = None                          # on-screen text (OCR plugin)
    limit: int = 50
    min_score: float = 0.0                          # drop hits scoring below this (0..1)
    media: list[str] = field(default_factory=list)  # only these files: contained or glob-ended (refs.media_matches)
    language: str | None = None                     # spoken words in this language only ("es"; phrase search)
    extra: dict = field(default_factory=dict)       # provider-specific options (plugins)

    def validate(self) -> None:
        """Refuse a query no provider can answer, or a limit that is not a sane count."""
        if self.is_empty():
            raise QueryError("empty query: give --phrase, --text, --image, --like, --same-as, --ocr, --color or --where")
        if self.language is not None:
            from ..transcript.languages import checked_language
            self.language = checked_language(self.language)
            if self.language and not self.phrase:
                raise QueryError("--language restricts spoken words: give it with --phrase")
        if not isinstance(self.limit, int) or not 0 < self.limit <= MAX_LIMIT:
            raise QueryError(f"--limit must be a whole number from 1 to {MAX_LIMIT}, got {self.limit}")

    def is_empty(self) -> bool:
        return not (self.phrase or self.text or self.image or self.like or self.same_as or self.ocr or self.extra)
