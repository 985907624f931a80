"""The Python API for scripts and notebooks: the same core the CLI and the app use.

    from framesense import Library
    lib = Library.open("~/FrameSense")
    lib.index(["/footage"])
    hits = lib.search(phrase="we choose to go")
    lib.sequence(hits).export("cut.edl")
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .catalog import Catalog
from .errors import FrameSenseError
from .search.hits import Hit
from .search.query import SearchQuery


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, Path)):
        return [str(value)]
    return [str(v) for v in value]


class Library:
    """A FrameSense library: one catalog plus its thumbnails and caches."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    @classmethod
    def open(cls, path=None, *, create: bool = True) -> "Library":
        """Open (or create) the library at ``path``; default: $FRAMESENSE_LIBRARY, then the user data dir."""
        return cls(Catalog.open(path, create=create))

    @property
    def path(self) -> Path:
        return self.catalog.dir

    def close(self) -> None:
        self.catalog.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"Library({str(self.path)!r})"

    # -- indexing --------------------------------------------------------
    def index(self, paths, *, speech: bool = True, visual: bool = True, disable: Iterable[str] = (),
              speech_model: str | None = None, language: str | None = None, progress=None, **options):
        """Index files or folders (incremental); returns the IndexReport (``.failed``, ``.notices``, ``.to_json()``)."""
        opts = {"speech": speech, "visual": visual, "disable": set(disable), "speech_model": speech_model,
                "language": language, **options}
        from .plugins.pipeline import index_paths
        return index_paths(self.catalog, _as_list(paths), opts, progress)

    def media(self, status: str | None = None) -> list[dict]:
        return self.catalog.media_list(status=status)

    def shots(self, media) -> list[dict]:
        """Shots of a media file (path, name, or media row); frames are [start, end)."""
        row = media if isinstance(media, dict) else self.catalog.find_media(str(media))
        return self.catalog.shots(row["id"])

    # -- search ----------------------------------------------------------
    def search(self, phrase: str | None = None, text=None, image=None, *, like: str | None = None,
               same_as: str | None = None, ocr: str | None = None, color: str | None = None,
               limit: int = 50, media=None, pad_before: float = 0.0, pad_after: float = 0.0,
               **extra) -> list[Hit]:
        """Hits (time ranges in media seconds), best first. Keywords beyond the built-ins go to
        plugin search providers through ``query.extra`` (``color="orange"``, ``scale="wide"``)."""
        from .search.engine import run

        if color:
            extra["color"] = color
        q = SearchQuery(phrase=phrase, text=_as_list(text), image=_as_list(image), like=like, same_as=same_as,
                        ocr=ocr, limit=limit, media=_as_list(media), pad_before=pad_before,
                        pad_after=pad_after, extra=extra)
        return run(self.catalog, q)

    # -- timeline --------------------------------------------------------
    def sequence(self, hits: Iterable[Hit], **options) -> "ScriptSequence":
        """Hits in order as a timeline sequence (options: name, rate, pad_before, pad_after, handles,
        start_timecode, drop_frame), ready to ``export(path)``."""
        try:
            from .timeline.model import sequence_from_hits
        except ImportError:
            raise FrameSenseError("sequences need the timeline component (framesense.timeline), "
                                  "which this installation lacks") from None
        return ScriptSequence(sequence_from_hits(self.catalog, list(hits), **options))

    def plugins(self) -> list[dict]:
        """Each plugin with its status (loaded / disabled / failed and why)."""
        from .plugins import get_plugins
        return [r.to_json() for r in get_plugins().records.values()]


class ScriptSequence:
    """A timeline sequence with ``export``; every other attribute is the sequence's own."""

    def __init__(self, sequence):
        self.sequence = sequence

    def __getattr__(self, name):
        return getattr(self.sequence, name)

    def __len__(self):
        return len(self.sequence.clips)

    def __repr__(self):
        return f"<Sequence {self.sequence.name!r}: {len(self)} clips at {self.sequence.rate} fps>"

    def export(self, path, fmt: str | None = None, **options) -> list[Path]:
        """Write the sequence; the format follows the suffix (.otio .otioz .xml .fcpxml .edl, or a
        plugin exporter's suffix) unless ``fmt`` names it. Returns the files written."""
        from .timeline import exporters

        path = Path(path).expanduser()
        fmt = fmt or exporters.format_for_path(path)
        if fmt in exporters.FORMATS:
            return exporters.export(self.sequence, path, fmt, **options)
        from .plugins import get_plugins
        spec = get_plugins().exporter_for(path, fmt)
        if spec is not None:
            return list(spec.export(self.sequence, path, **options))
        raise FrameSenseError(f"{path}: no exporter for {fmt or path.suffix or 'this file'} "
                              f"(built-in: {', '.join(exporters.FORMATS)})")
