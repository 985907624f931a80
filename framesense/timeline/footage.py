"""What the timeline reads of a library, as small protocols: ``Library`` hands in an object that
answers them (``catalog.reads.CatalogReads``) and its own search as a callable, so nothing in
timeline/ opens the catalog, reads the people or reaches the service.

The paper edit asks for takes one line at a time and reads the transcript around them, so it is
handed lookups rather than everything up front: each answers from one indexed query.
"""

from __future__ import annotations

from typing import Callable, Protocol

from ..search.hits import Hit
from ..search.query import SearchQuery

Search = Callable[[SearchQuery], "list[Hit]"]   # the service's search (its min_score, media and person filters)


class MediaRows(Protocol):
    """A catalogued file's row (path, rate, frames, start timecode, reel...), as ``SourceMedia.from_row`` reads it."""

    def media_by_id(self, media_id: int) -> dict | None: ...

    def media_by_path(self, path) -> dict | None: ...


class Fingerprints(Protocol):
    def fingerprints(self, media_id: int, first: int, end: int) -> tuple[list[int], list[int]]:
        """The band and active-area picture hashes sampled in frames [first, end) of a file."""


class Footage(MediaRows, Fingerprints, Protocol):
    """Everything the paper edit (``assemble``) and the pictures for V2 (``suggest``) read."""

    def words(self, media_id: int, start: float | None = None, end: float | None = None) -> list[dict]:
        """Words (seq, start, end, text) of a file starting from ``start`` to ``end`` seconds, in order."""

    def said(self, media_id: int, start: float, end: float) -> str:
        """The words said wholly within ``start``..``end`` seconds of a file, as one text."""

    def word_neighbours(self, media_id: int, first_seq: int, last_seq: int) -> tuple[float | None, float | None]:
        """The end of the word before ``first_seq`` and the start of the one after ``last_seq`` (None at an edge)."""

    def word_counts(self, norms: list[str]) -> dict[str, int]:
        """How often each normalised word was said in the library (words never said are left out)."""

    def words_said(self) -> int:
        """How many words the library's transcripts hold."""

    def shots_span(self, media_id: int, first: int, end: int) -> tuple[int, int] | None:
        """The first and end frame of the shots of a file that frames [first, end) fall in."""

    def speaker(self, media_id: int, first: int, end: int) -> int | None:
        """The person whose face is seen most in frames [first, end) of a file."""
