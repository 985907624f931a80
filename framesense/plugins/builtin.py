"""FrameSense's own stages, searches, exporters and migrations, offered through the same hooks
every plugin uses (as Datasette's default plugins are): one registry picks them by name."""

from __future__ import annotations

from .. import __version__
from ..catalog.migrations import BUILTIN as BUILTIN_MIGRATIONS
from ..timeline.exporters import cmx3600, fcp7_xml, fcpxml, otio_native, otioz
from .hookspecs import hookimpl
from .types import ExporterSpec, SearchSpec

PLUGIN_NAME = "builtin"
PLUGIN_VERSION = __version__


@hookimpl
def framesense_migrations():
    return dict(BUILTIN_MIGRATIONS)


@hookimpl
def framesense_analyzers(options):
    from ..analysis.registry import builtin_analyzers
    return builtin_analyzers(options)


def _phrase(catalog, query):
    from ..search.phrase import search_phrase
    return search_phrase(catalog, query)


def _pictures(catalog, query):
    from ..search.visual import search_visual
    return search_visual(catalog, query)


def _faces(catalog, query):
    from ..search.faces import search_faces

    def others(cat, q):   # phrase / picture hits, restricted by search_faces to where the face is
        return (_phrase(cat, q) if q.phrase else []) + (_pictures(cat, q) if (q.text or q.image or q.like) else [])
    return search_faces(catalog, query, others)


def _asks_faces(query) -> bool:
    from ..search.faces import asks_faces
    return asks_faces(query)


def _same(catalog, query):
    from ..search.same import search_same
    return search_same(catalog, query)


@hookimpl
def framesense_searches():
    return [
        SearchSpec("phrase", lambda q: bool(q.phrase) and not _asks_faces(q), _phrase,
                   "words as spoken: exact phrase, then all words, then fuzzy"),
        SearchSpec("pictures", lambda q: bool(q.text or q.image or q.like) and not _asks_faces(q), _pictures,
                   "a description, an example image or a catalogued frame (needs a CLIP model)"),
        SearchSpec("same-footage", lambda q: bool(q.same_as), _same,
                   "every reuse of a shot: recut, re-encoded, letterboxed, re-graded"),
        SearchSpec("faces", _asks_faces, _faces,
                   "shots where a face (image or MEDIA@SEC) or a named person is on screen; with --phrase or "
                   "a picture search, only those hits where they are", options=("face", "face_index", "person")),
    ]


@hookimpl
def framesense_exporters():
    return [
        ExporterSpec("otio", (".otio",), otio_native.export, "OpenTimelineIO"),
        ExporterSpec("otioz", (".otioz",), otioz.export, "OpenTimelineIO bundle with media"),
        ExporterSpec("fcp7", (".xml",), fcp7_xml.export, "FCP7 XML for Premiere"),
        ExporterSpec("fcpxml", (".fcpxml",), fcpxml.export, "FCPXML for Final Cut / Resolve"),
        ExporterSpec("edl", (".edl",), cmx3600.export, "CMX3600 EDL"),
    ]
