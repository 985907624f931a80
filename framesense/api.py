"""``framesense.Library``: the one service. The CLI, the app and scripts call it and nothing below it,
so they cannot disagree about how an index is configured, how hits become clips or how a
sequence is exported.

    from framesense import Library
    with Library.open("~/FrameSense/library") as lib:
        lib.index(["/footage"])
        hits = lib.search(phrase="we choose to go")
        seq = lib.sequence_from_hits(hits, pad_before=0.3)
        lib.export(seq, "cut.edl")
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Iterable

from .catalog import Catalog, media_rate
from .errors import QueryError
from .search.hits import Hit
from .search.query import SearchQuery
from .timeline.model import Sequence, SequenceOptions, sequence_from_hits

__all__ = ["Library", "IndexOptions", "SearchQuery", "SequenceOptions", "ExportOptions", "media_rate",
           "PICTURE_SOURCES", "SUPERCUT_ORDERS"]


def __getattr__(name):
    # The choices front ends offer for ``--picture-sources`` and ``--order``: timeline/ owns them,
    # loaded on first use so ``import framesense.api`` stays cheap.
    if name == "PICTURE_SOURCES":
        from .timeline.suggest import SOURCES
        return SOURCES
    if name == "SUPERCUT_ORDERS":
        from .timeline.supercut import ORDERS
        return ORDERS
    raise AttributeError(f"module 'framesense.api' has no attribute {name!r}")


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, Path)):
        return [str(value)]
    return [str(v) for v in value]


def _typed(cls, given, kw: dict):
    """``given`` (an options object) or one built from keywords; unknown keywords are an error."""
    if given is not None:
        if kw:
            raise TypeError(f"give either a {cls.__name__} or keywords, not both")
        return given
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(kw) - names)
    if unknown:
        raise TypeError(f"unknown {cls.__name__} option(s): {', '.join(unknown)}")
    return cls(**kw)


@dataclass
class IndexOptions:
    """What an index run does. The library's own settings (its picture model) apply unless overridden."""
    speech: bool = True
    visual: bool = True
    disable: frozenset[str] = frozenset()     # analyzer or plugin names to skip
    speech_model: str | None = None
    language: str | None = None
    clip_model: str | None = None             # overrides the library's ``models use clip`` setting
    plugin_timeout: float | None = None
    extra: dict = field(default_factory=dict)  # options for plugin analyzers
    jobs: int = 1                             # files analysed at once in worker processes (this one commits)
    ray: str | None = None                    # a Ray cluster for the analysis: "auto", an address, "local:N"

    def __post_init__(self):
        self.disable = frozenset(_as_list(self.disable))
        from .transcript.languages import checked_language
        self.language = checked_language(self.language)
        if not isinstance(self.jobs, int) or self.jobs < 1:
            raise QueryError(f"jobs must be a whole number of at least 1, not {self.jobs!r}")

    def analyzer_options(self, catalog: Catalog) -> dict:
        """The dict every analyzer hook receives (plugins read their own keys from it)."""
        return {**self.extra, "speech": self.speech, "visual": self.visual, "disable": set(self.disable),
                "speech_model": self.speech_model, "language": self.language, "clip_model": self.clip_model,
                "folder_languages": catalog.meta("folder_languages", {}),
                "clip_model_setting": catalog.meta("clip_model"), "plugin_timeout": self.plugin_timeout}


def _executor_for(analyzer_options: dict, jobs: int = 1, ray: str | None = None):
    """Where a run's per-file analysis happens: None (this process), worker processes, or a Ray cluster;
    this process stays the one writer either way."""
    if ray:
        from .distributed import RayExecutor
        return RayExecutor(ray, analyzer_options, workers=jobs if jobs > 1 else None)
    if jobs > 1:
        from .parallel import ProcessExecutor
        return ProcessExecutor(jobs, analyzer_options)
    return None


@dataclass
class ExportOptions:
    """How a sequence is written: format (else from the suffix), sequence rate, handles."""
    format: str | None = None
    rate: object = None                       # a new sequence rate (drop-frame kept only where allowed)
    handles: int | None = None                # frames each side; default: the clips' own
    comments: bool = True                     # EDL comment lines (reel legend, clip names)
    allow_missing: bool = False               # export clips whose media file is gone (they import offline)

    def sequence_for(self, sequence: Sequence) -> Sequence:
        """The sequence as it will be written: at ``rate`` and with ``handles`` where given."""
        if self.rate is not None:
            sequence = sequence.with_rate(self.rate)
        if self.handles is not None:
            sequence = sequence.with_handles(self.handles)
        return sequence


def kept(hits: list[Hit], query: SearchQuery) -> list[Hit]:
    """The hits a query keeps, whichever provider found them: at least ``min_score``, in a file the
    ``media`` filters match (``search.refs.media_matches``, the one rule), best first, at most ``limit``."""
    from .search.refs import media_matches
    hits = [h for h in hits if (not query.min_score or h.score >= query.min_score)   # 0: no floor (a cosine may be < 0)
            and media_matches(h.media_path, query.media)]
    hits.sort(key=lambda h: (-h.score, h.media_path, h.start_frame))
    return hits[: query.limit]


def list_models(kind: str | None = None) -> list:
    """Models of every kind (or one) this machine knows: where they live and whether they are here."""
    from .models import list_models as listing
    return listing(kind)


def model_kinds() -> dict:
    """The kinds of model (speech, clip) with how each resolves, downloads and its default."""
    from .models import kinds
    return kinds()


def model_kind(name: str):
    """One kind of model by name (ModelUnavailable names the known ones)."""
    from .models import get_kind
    return get_kind(name)


def model_status(library: "Library | None" = None, clip_model: str | None = None, speech_model: str | None = None):
    """Which searches this machine can run offline (with a library's picture-model setting, if given)."""
    from .models.status import model_status as status
    return status(library.catalog if library else None, clip_model, speech_model)


def export_clip_onnx(model: str, outdir, int8: bool = False, say=lambda msg: None):
    """An ONNX model folder from an open_clip spec (``framesense models export-onnx``); torch needed.
    Given an ONNX folder and ``int8``: a copy with its image tower quantised (no torch)."""
    from .models.clip_export import export_onnx
    return export_onnx(model, outdir, int8=int8, say=say)


def picture_runtime_status() -> tuple[bool, str]:
    """(works, what with): onnxruntime and its providers, the tokenizer, torch if present (``doctor``)."""
    from .models.clip_onnx import runtime_status
    return runtime_status()


def word_aligner_status() -> tuple[bool, str]:
    """(works, what with): the forced aligner that places English word edges (``doctor``)."""
    from .analysis import forced_align
    try:
        forced_align.load()
    except forced_align.AlignerMissing as exc:
        return False, str(exc)
    fillers = forced_align.hesitations()
    return True, ("English words force-aligned (pocketsphinx, CMU en-us model; hesitations: "
                  + (", ".join(fillers) if fillers else "none, the temporary folder is not writable") + ")")


def face_model_status() -> dict:
    """Whether dlib and its face model files load here (``framesense doctor``)."""
    from .models.faces import status
    return status()


def phrase_score_help() -> str:
    """What a phrase hit's score means (for tooltips and --help)."""
    from .search.scores import SCORE_HELP
    return SCORE_HELP


def plugin_registry():
    """The process's plugin registry (built-in and third-party stages, searches, exporters, app actions)."""
    from .plugins import get_plugins
    return get_plugins()


def search_specs(registry=None) -> list:
    """The searches of a registry (default: the process's), each with its typed options."""
    return (registry or plugin_registry()).searches()


def search_modes(specs=None) -> dict:
    """The app's search modes, generated from the searches' options: mode name -> its options."""
    from .search.options import search_modes as modes
    return modes(search_specs() if specs is None else specs)


def export_sequence(sequence: Sequence, path, options: ExportOptions | None = None, registry=None) -> list[Path]:
    """The one export path: pick the exporter by format name or suffix, change rate and handles, write.
    Every exporter is a function of the sequence and the options alone (``Library.export`` lists a saved
    ``.otio`` among the library's sequences once it is written)."""
    options = options or ExportOptions()
    registry = registry or plugin_registry()
    path = Path(path).expanduser()
    spec = registry.exporter_for(path, options.format)
    sequence = options.sequence_for(sequence)
    return [Path(p) for p in spec.export(sequence, path, allow_missing=options.allow_missing,
                                          comments=options.comments, handles=options.handles)]


class Library:
    """A FrameSense library: one catalog, its thumbnails and caches, and the plugin registry."""

    def __init__(self, catalog: Catalog, plugins=None):
        from .catalog.reads import CatalogReads
        self.catalog = catalog
        self._reads = CatalogReads(catalog)   # what timeline/ reads (``timeline.footage``): never the catalog itself
        self.plugins = plugins or plugin_registry()
        self.plugins.prepare(catalog)   # plugin tables, like the built-ins', are migrated on open

    @classmethod
    def open(cls, path=None, *, create: bool = True) -> "Library":
        """Open (or create) the library at ``path``; default: $FRAMESENSE_LIBRARY, then the user data dir."""
        return cls(Catalog.open(path, create=create))

    @property
    def path(self) -> Path:
        return self.catalog.dir

    @property
    def catalog_path(self) -> Path:
        """The catalog's SQLite file (what front ends name when they report where rows went)."""
        return self.catalog.path

    def health(self) -> str | None:
        """What is wrong with the catalog file, or None when it is sound."""
        return self.catalog.health()

    def close(self) -> None:
        self.catalog.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"Library({str(self.path)!r})"

    # -- settings ----------------------------------------------------------
    def setting(self, key: str, default=None):
        return self.catalog.meta(key, default)

    def set_clip_model(self, spec: str | None) -> None:
        """The picture model this library embeds with (``framesense models use clip``)."""
        from .models.clip import set_clip_model
        set_clip_model(self.catalog, spec)

    def model_status(self, clip_model: str | None = None, speech_model: str | None = None):
        """Which searches this machine can run offline with this library's settings, and how to enable the others."""
        return model_status(self, clip_model, speech_model)

    # -- indexing ----------------------------------------------------------
    def index(self, paths, options: IndexOptions | None = None, *, progress=None, **kw):
        """Index files or folders (incremental); returns the IndexReport (``.failed``, ``.notices``, ``.to_json()``)."""
        from .catalog.lock import writer_lock
        from .ingest import Indexer
        options = _typed(IndexOptions, options, kw)
        self.plugins.prepare(self.catalog)   # plugin tables exist before their stages store into them
        analyzer_options = options.analyzer_options(self.catalog)
        analyzers = self.plugins.analyzers(analyzer_options)
        executor = _executor_for(analyzer_options, options.jobs, options.ray)   # None: analyse in this process
        try:
            with writer_lock(self.path):
                report = Indexer(self.catalog, analyzers, progress).run(_as_list(paths), executor=executor)
                report.notices += self._words_in_step(progress)
        finally:
            for a in analyzers:
                getattr(a, "close", lambda: None)()   # plugin processes end with the run
        report.notices += self.plugins.warnings + [w for a in analyzers for w in getattr(a, "warnings", ())]
        report.notices += [f"{f.path}: {w}" for f in report.files for w in f.warnings]
        if progress is None or not progress.cancelled():
            report.notices += self._caches_in_step(progress)
        return report

    def _words_in_step(self, progress=None) -> list[str]:
        """Transcripts stored under older word rules (French and Italian elisions, ``transcript/languages.py``)
        are stored again from their own words, so searches treat every file alike; nothing is re-transcribed."""
        from .transcript.store import restore_word_rules, stale_word_rules
        if not stale_word_rules(self.catalog):
            return []
        getattr(progress, "step", lambda name: None)("storing older transcripts under the word rules")
        done = restore_word_rules(self.catalog)
        return [f"{done} file(s)' transcripts stored again under the current word rules (elisions)"]

    def _caches_in_step(self, progress=None) -> list[str]:
        """The search caches (faces, each model's frame vectors) follow the index, so the first search
        after it costs what later ones do; a cache that cannot be written is built by that search."""
        from .search.face_index import FaceIndex
        from .search.vectors import VectorIndex
        getattr(progress, "step", lambda name: None)("bringing the search caches up to date")   # None, or written before step
        try:
            if self.catalog.one("SELECT 1 AS x FROM faces LIMIT 1"):      # (every catalog has the built-in tables)
                FaceIndex.open(self.catalog)
            for r in self.catalog.query("SELECT DISTINCT model FROM frame_embeddings"):
                VectorIndex(self.catalog, r["model"])
        except OSError as exc:
            return [f"search caches not brought up to date ({exc}); the first search builds them"]
        return []

    def consistency(self) -> list[str]:
        """What is wrong between the catalog's rows (a face on another media's shot, a word of a missing
        segment...), one line per broken rule; empty when they agree (``doctor --library``)."""
        from .catalog.invariants import problems
        return problems(self.catalog.conn)

    def merge(self, other):
        """Bring another library's finished stages (a second machine's index, a worker's partial
        results) and its people into this one, idempotently and all or nothing; returns a MergeReport
        (``people_joined`` says which of its people were found here already)."""
        from .catalog.lock import writer_lock
        from .merge import merge_paths
        with writer_lock(self.path, "merge"):
            report = merge_paths(self.catalog, Path(other), self.plugins)
            self._caches_in_step()
        return report

    def add_folder(self, path) -> None:
        self.catalog.add_folder(path)

    def folders(self) -> list[str]:
        return self.catalog.folders()

    def media(self, status: str | None = None) -> list[dict]:
        return self.catalog.media_list(status=status)

    def find_media(self, ref) -> dict:
        """A media row by id, path, or unique name/path fragment (LookupError names the problem)."""
        if isinstance(ref, dict):
            return ref
        if isinstance(ref, int):
            row = self.catalog.media_by_id(ref)
            if row is None:
                raise LookupError(f"no media with id {ref} in the catalog")
            return row
        return self.catalog.find_media(str(ref))

    def media_row(self, media_id: int) -> dict | None:
        """A file's catalog row by id, or None when the library has no such file."""
        return self.catalog.media_by_id(media_id)

    def shots(self, media) -> list[dict]:
        """Shots of a media file (path, name, id or media row); frames are [start, end)."""
        return self.catalog.shots(self.find_media(media)["id"])

    def shot_hits(self, media) -> list[Hit]:
        """Every shot of a file as a hit, in order: browsing a file is a search that returns its shots."""
        row = self.find_media(media)
        rate = media_rate(row)
        if rate is None:
            return []
        return [Hit(media_id=row["id"], media_path=row["path"], start_frame=s["start_frame"], end_frame=s["end_frame"],
                    rate=rate, score=1.0, kind="shot", shot=s["idx"],
                    thumbnail=str(self.path / s["thumbnail"]) if s["thumbnail"] else None,
                    extra={"transition": s["transition"]})
                for s in self.catalog.shots(row["id"]) if s["end_frame"] > s["start_frame"]]

    def thumbnail_at(self, media, frame: int) -> str | None:
        """The thumbnail of the shot that holds ``frame`` of a file."""
        row = self.catalog.one(
            "SELECT t.path FROM shots s JOIN thumbnails t ON t.shot_id = s.id WHERE s.media_id = ? "
            "AND s.start_frame <= ? ORDER BY s.start_frame DESC LIMIT 1", (self.find_media(media)["id"], frame))
        return str(self.path / row["path"]) if row else None

    def transcripts(self, media):
        from .transcript.store import load_transcripts
        return load_transcripts(self.catalog, self.find_media(media)["id"])

    def media_words(self, media_id: int) -> list:
        """A file's transcript as ``timeline.textcut.Word`` values, in the order said (text-based editing);
        empty for a file with none."""
        from .timeline.textcut import as_words
        return as_words(self._reads.words(media_id))

    def transcript_languages(self) -> dict[int, list[dict]]:
        """media id -> each of its transcripts' language, language_probability and language_from."""
        from .transcript.store import transcript_languages
        return transcript_languages(self.catalog)

    def why_no_transcript(self, media) -> str:
        """Why a media file has no transcript, and what to do about it, in one line."""
        from .transcript.store import why_no_transcript
        return why_no_transcript(self.catalog, self.find_media(media))

    def stream_languages(self, media) -> list[dict]:
        """Each audio stream of a file with the language its transcript is in: ``language``,
        ``language_probability`` (Whisper's confidence when it detected it), ``language_from`` (detected,
        set, container, file, model) and the container's own tag as ``container_language``."""
        from .transcript.store import stream_languages
        return stream_languages(self.catalog, self.find_media(media))

    def set_folder_language(self, folder, language: str | None) -> int:
        """Transcribe the files under a folder as this language from now on (None or "auto": detect
        again); the speech of files already catalogued there is redone by the next index. ``index
        --language`` still overrides it for one run. Returns the files whose speech will be redone."""
        from .paths import from_db
        from .transcript.languages import checked_language
        code = None if str(language or "").lower() in ("", "auto") else checked_language(language)
        path = str(Path(folder).expanduser().resolve())
        langs = dict(self.catalog.meta("folder_languages", {}))
        if langs.get(path) == code:
            return 0
        langs.pop(path, None)
        if code:
            langs[path] = code
        under = [r["id"] for r in self.catalog.query("SELECT id, path FROM media")
                 if from_db(r["path"]).startswith(path.rstrip("/") + "/")]
        with self.catalog.transaction():
            self.catalog.set_meta("folder_languages", langs)
            for i in range(0, len(under), 500):
                part = under[i:i + 500]
                self.catalog.execute(f"DELETE FROM analysis_runs WHERE analyzer = 'speech' AND media_id IN "
                                     f"({','.join('?' * len(part))})", part)
        return len(under)

    def folder_languages(self) -> dict[str, str]:
        """Folder -> the language its files are transcribed as (``set_folder_language``)."""
        return dict(self.catalog.meta("folder_languages", {}))

    def set_language(self, media, language: str | None) -> int:
        """Say which language a file's transcripts are in (a short clip Whisper misdetected, a sidecar with
        no language tag): its words are stored again under that language's rules; returns the transcripts
        changed. Words Whisper heard in the wrong language need ``index --language`` instead."""
        from .transcript.languages import checked_language
        from .transcript.store import set_language
        code = checked_language(language)
        row = self.find_media(media)
        with self.catalog.transaction():
            return set_language(self.catalog, row["id"], code)

    def import_transcript(self, media, file):
        """Use an SRT, WebVTT or Whisper JSON file as a media file's transcript instead of transcribing."""
        from .transcript.formats import read_transcript
        from .transcript.store import store_transcripts
        row = self.find_media(media)
        t = read_transcript(file, source="import")
        with self.catalog.transaction():
            counts = store_transcripts(self.catalog, row["id"], [t])
        return t, counts

    def timecode(self, hit_or_media, frame: int | None = None) -> str | None:
        """Source timecode of a hit's first frame (or of ``frame`` in a media file), from the file's start TC."""
        from .timecode import Timecode
        if isinstance(hit_or_media, Hit):
            row, frame = self.find_media(hit_or_media.media_id), hit_or_media.start_frame if frame is None else frame
        else:
            row = self.find_media(hit_or_media)
        rate = media_rate(row)
        if rate is None:
            return None
        tc = Timecode(rate, bool(row.get("drop_frame")) and rate.denominator == 1001)
        return tc.to_string(int(row.get("start_tc_frames") or 0) + int(frame or 0))

    # -- search ------------------------------------------------------------
    def search(self, query: SearchQuery | None = None, **kw) -> list[Hit]:
        """Hits (exact frame ranges), best first, from every search provider that answers the query:
        built-in (phrase, pictures, same footage, faces) and plugin ones alike. Every search's options are
        keywords by the names their searches declare (``person="Ana"``, ``color="orange"``, ``scale="wide"``;
        ``search_specs()`` lists them), checked against those declarations. ``min_score``, ``media`` and
        ``limit`` are applied here, once, to every provider's hits (``kept``)."""
        if query is None:
            query = SearchQuery(limit=kw.pop("limit", 50), min_score=kw.pop("min_score", 0.0),
                                media=_as_list(kw.pop("media", None)), options=dict(kw.pop("options", None) or {}))
            for name, value in kw.items():
                query.set(name, value)
        elif kw:
            raise TypeError("give either a SearchQuery or keywords, not both")
        self.plugins.prepare(self.catalog)
        query.validate(self.plugins.searches())
        try:
            hits = self.plugins.search(self.catalog, query)
        except ModuleNotFoundError as exc:  # a provider's library is not installed in this build
            raise QueryError(f"this search is not available: {exc.name} is missing") from None
        return kept(hits, query)

    def search_specs(self) -> list:
        """Every search this library's registry offers, built-in and plugin, each with its typed
        ``options`` (``SearchOption``): what the CLI's flags and the app's modes are made from."""
        return search_specs(self.plugins)

    def padded(self, hit: Hit, pad_before: float = 0.0, pad_after: float = 0.0) -> tuple[int, int]:
        """A hit's frame range widened by pads and clamped to its file, as a sequence would place it."""
        row = self.find_media(hit.media_id)
        frames = row.get("frames") if media_rate(row) == hit.rate else int((row.get("duration") or 0) * hit.rate)
        return hit.padded(pad_before, pad_after, frames or None)

    # -- people (faces clustered into people; logic in analysis/people.py) ------
    def people(self, *, with_empty: bool = False) -> list[dict]:
        """Each person: id, name, face/shot/media counts, a few face ids (largest first)."""
        from .analysis.people import list_people
        return list_people(self.catalog, with_empty=with_empty)

    def person_faces(self, person) -> list[dict]:
        """A person's faces (by name or id): media path, shot, frame, box, detector score."""
        from .analysis.people import person_faces
        return person_faces(self.catalog, person)

    def name_person(self, person, name: str) -> dict:
        from .analysis.people import name_person
        return name_person(self.catalog, person, name)

    def merge_people(self, *people) -> dict:
        """The others become the first person (its name, else the first name among them)."""
        from .analysis.people import merge_people
        return merge_people(self.catalog, list(people))

    def split_person(self, face_ids, name: str | None = None) -> dict:
        """These faces become a new person."""
        from .analysis.people import split_person
        return split_person(self.catalog, list(face_ids), name)

    def remove_face(self, face_id: int) -> None:
        """The face leaves its person and is not clustered again."""
        from .analysis.people import remove_face
        remove_face(self.catalog, int(face_id))

    def face_thumbnail(self, face_id: int) -> bytes | None:
        """The JPEG crop stored for a face (for the People panel)."""
        row = self.catalog.one("SELECT thumb FROM faces WHERE id = ?", (int(face_id),))
        return row["thumb"] if row else None

    def search_warnings(self) -> list[str]:
        """What went wrong in plugin providers (switched off) since the library opened, and transcripts
        that still wait to be stored under the current word rules (the next index does it)."""
        from .transcript.store import stale_word_rules
        stale = stale_word_rules(self.catalog)
        late = [f"{len(stale)} file(s) have French or Italian transcripts stored before elisions were split "
                "(\"c'est\" as c' + est); run 'framesense index' once to store them again"] if stale else []
        return list(self.plugins.warnings) + late

    # -- sequences and exports ----------------------------------------------
    def sequence_from_hits(self, hits: Iterable[Hit], options: SequenceOptions | None = None, **kw) -> Sequence:
        """Hits in order as a sequence; pads apply here, once, for every kind of hit."""
        hits = list(hits)
        if not hits:
            raise QueryError("no hits: nothing to put on a sequence")
        return sequence_from_hits(self._reads, hits, _typed(SequenceOptions, options, kw), fingerprints=self._reads)

    def assemble(self, script, options: SequenceOptions | None = None, *, per_media: int | None = None,
                 progress=None):
        """A paper edit (a script file, or a list of lines) as a sequence: each line's best spoken take,
        in order, cut to its words, other takes kept as alternates; returns (sequence, line report).
        ``progress(lines done, lines)`` after each line; an exception it raises stops the work."""
        from .timeline.assemble import ScriptLine, assemble, read_script
        if isinstance(script, (str, Path)):     # a file: plain text, or a CSV with a 'line' column
            lines = read_script(script)
        else:
            lines = [line if isinstance(line, ScriptLine) else ScriptLine(str(line)) for line in script]
        options = options or SequenceOptions(name="Paper edit")
        from .analysis.people import find_person
        for person in sorted({line.person for line in lines if line.person}):
            find_person(self.catalog, person)   # a name nobody has is the script's mistake: say so, miss no line
        return assemble(lines, self.search, self._reads, options, per_media=per_media or options.per_media,
                        progress=progress)

    def suggest_pictures(self, sequence: Sequence, *, sources=None, alternates: int = 4, lay: bool = True,
                         progress=None):
        """Shots to lay over each cut on V2 (pictures matching the words, the person speaking, on-screen
        text); with ``lay`` the best goes over its cut with the others as alternates. Returns, per cut,
        the suggestions and why a source could not answer."""
        from .timeline.suggest import SOURCES, suggest_pictures
        sources = tuple(sources or SOURCES)
        bad = set(sources) - set(SOURCES)
        if bad:
            raise QueryError(f"unknown picture source {sorted(bad)[0]!r}: choose from {', '.join(SOURCES)}")
        self.plugins.prepare(self.catalog)
        has_ocr = any(spec.name == "ocr" for spec in self.plugins.searches())
        return suggest_pictures(sequence, self.search, self._reads, sources=sources, has_ocr=has_ocr,
                                alternates=alternates, lay=lay, progress=progress)

    def next_picture(self, clip):
        """The cut's next suggested picture (its current one goes to the back of the alternates), or None."""
        from .timeline.suggest import next_overlay
        return next_overlay(self._reads, clip)

    def clip_from_hit(self, hit: Hit, options: SequenceOptions | None = None, media_cache: dict | None = None):
        from .timeline.model import clip_from_hit
        return clip_from_hit(self._reads, hit, options, media_cache)

    def load_sequence(self, path) -> Sequence:
        from .timeline.otio_io import load
        return load(path)

    def save_sequence(self, sequence: Sequence, path) -> Path:
        """Write ``.otio`` atomically and list it among the library's sequences."""
        from .timeline.otio_io import save
        path = save(sequence, path)
        self._list_sequence(sequence, path)
        return path

    def _list_sequence(self, sequence: Sequence, path: Path) -> None:
        """The catalog's row for a saved ``.otio`` (``sequences``), written once the file is."""
        from .timecode import rate_str
        self.catalog.record_sequence(path, sequence.name, rate_str(sequence.rate), len(sequence.clips),
                                     sequence.duration)

    def sequences(self) -> list[dict]:
        rows = self.catalog.query("SELECT * FROM sequences ORDER BY saved_at DESC, id DESC")
        for r in rows:
            r["exists"] = Path(r["path"]).is_file()
        return rows

    def exporter(self, path, format: str | None = None):
        """The exporter (built-in or plugin) for a format name, else for the path's suffix."""
        return self.plugins.exporter_for(Path(path), format)

    def export(self, sequence: Sequence, path, options: ExportOptions | None = None, **kw) -> list[Path]:
        """Write a sequence for an NLE; returns the files written (an EDL may split in several).
        A saved ``.otio`` is also listed among the library's sequences."""
        options = _typed(ExportOptions, options, kw)
        written = export_sequence(sequence, path, options, self.plugins)
        if self.exporter(path, options.format).name == "otio":
            self._list_sequence(options.sequence_for(sequence), written[0])
        return written

    def render(self, sequence: Sequence, output, *, width=None, height=None, burn_in: bool = False,
               progress=None) -> Path:
        """A frame-accurate H.264/AAC preview of a sequence."""
        from .timeline.render import render
        return render(sequence, output, width=width, height=height, burn_in_text=burn_in, progress=progress)

    # -- plugins -------------------------------------------------------------
    def plugin_list(self, options: IndexOptions | None = None) -> list[dict]:
        """Each plugin with its status and the stages, searches and exporters it provides."""
        return self.plugins.describe((options or IndexOptions()).analyzer_options(self.catalog))
