"""FrameSense's own stages, searches, exporters and migrations, offered through the same hooks
every plugin uses (as Datasette's default plugins are): one registry picks them by name."""

from __future__ import annotations

from .. import __version__
from ..catalog.migrations import BUILTIN as BUILTIN_MIGRATIONS
from ..search.options import CONVERTERS, frame_ref
from ..timeline.exporters import cmx3600, fcp7_xml, fcpxml, otio_native, otioz
from .hookspecs import hookimpl
from .types import ExporterSpec, SearchOption, SearchSpec

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


def _language(value):
    from ..transcript.languages import checked_language
    return checked_language(value)


def _face_number(value) -> int:
    n = CONVERTERS[int](value)
    if n < 0:
        raise ValueError("must be 0 or more (0: the largest face)")
    return n


PHRASE = (
    SearchOption("phrase", help="Words as spoken (exact phrase; 'news*' for a prefix).",
                 hint="Words as spoken, e.g. we choose to go  (news* for a prefix)"),
    SearchOption("language", _language, "Only words spoken in this language (e.g. es, fr), as 'framesense "
                 "media' shows it.", refines="phrase", metavar="CODE"),
)
PICTURES = (
    SearchOption("text", help="A description of the picture; '-term' weighs against (repeatable).", multiple=True,
                 mode="description", prefixes=("description",),
                 hint="Describe the picture, e.g. a red car at night  (-term weighs against)"),
    SearchOption("like", frame_ref, "A catalogued frame as the example: MEDIA_PATH@SECONDS.", mode="image",
                 metavar="MEDIA@SEC"),
    SearchOption("image", help="An example image file (repeatable).", multiple=True, mode="image", metavar="FILE",
                 hint="Drop or paste an image, or type its path (or MEDIA_PATH@SECONDS)"),
)
SAME = (
    SearchOption("same_as", help="Find reuses of this shot: MEDIA_PATH@SECONDS or an image file.",
                 mode="same footage", prefixes=("same",), metavar="MEDIA@SEC|FILE",
                 hint="MEDIA_PATH@SECONDS or an image file: find reuses of that shot"),
)
FACES = (
    SearchOption("face", help="Shots with this face: an image file or MEDIA_PATH@SECONDS (largest face in it).",
                 metavar="FILE|MEDIA@SEC", hint="An image with a face, or MEDIA_PATH@SECONDS (the largest face in it)"),
    SearchOption("face_index", _face_number, "Which face in --face, largest first.", default=0, refines="face",
                 metavar="N"),
    SearchOption("person", help="Shots where this person (a name or #id from 'people list') is on screen.",
                 hint="A person's name or #id (see the People panel)"),
)


@hookimpl
def framesense_searches():
    return [
        SearchSpec("phrase", lambda q: bool(q.phrase) and not _asks_faces(q), _phrase,
                   "words as spoken: exact phrase, then all words, then fuzzy", options=PHRASE),
        SearchSpec("pictures", lambda q: bool(q.text or q.image or q.like) and not _asks_faces(q), _pictures,
                   "a description, an example image or a catalogued frame (needs a CLIP model)", options=PICTURES),
        SearchSpec("same-footage", lambda q: bool(q.same_as), _same,
                   "every reuse of a shot: recut, re-encoded, letterboxed, re-graded", options=SAME),
        SearchSpec("faces", _asks_faces, _faces,
                   "shots where a face (image or MEDIA@SEC) or a named person is on screen; with --phrase or "
                   "a picture search, only those hits where they are", options=FACES),
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
