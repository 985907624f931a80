"""The app's state without Qt (the way napari's ViewerModel sits under its Qt window).

A ``Session`` holds what an editor is working with: the open library, the hits of the
last search, the current hit, what the player plays (the playlist), and the one owner of the
sequence on the timeline: the sequence, its undo history, its unsaved flag, its path and its
autosave. Widgets never change the sequence themselves: they send edits (the core's command
objects, ``timeline/edits.py``) to ``Session.edit`` and redraw on ``sequence_edited``. It does
everything through ``framesense.Library``; the window observes its events and draws. Tests drive
it with no screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .api import ExportOptions, IndexOptions, Library, export_sequence, media_rate, plugin_registry
from .search.hits import Hit
from .session_edits import SequenceEdits
from .timeline import autosave, edits, textcut
from .timeline.history import History
from .timeline.model import Clip, Sequence, SequenceOptions

SEQUENCE_SUFFIX = ".otio"


class Event:
    """A list of callbacks: ``connect(fn)``, ``emit(*args)``."""

    def __init__(self):
        self._callbacks: list[Callable] = []

    def connect(self, fn: Callable) -> None:
        self._callbacks.append(fn)

    def emit(self, *args) -> None:
        for fn in list(self._callbacks):
            fn(*args)


class Session(SequenceEdits):
    def __init__(self, library: Library | None = None, *, pad_before: float = 0.0, pad_after: float = 0.0):
        self.library = library
        self.pads = (float(pad_before), float(pad_after))
        self.results: list[Hit] = []
        self.current = -1                       # index into results
        self.playlist_mode = "results"          # what the player plays: "results" or "sequence"
        self.playlist: list[int] = []           # results mode: the result index of each playlist item
        self.sequence = Sequence(name="Sequence 1")
        self.sequence_path: Path | None = None
        self.history = History()
        self.pad_mode = "merge"                 # how added takes join overlapping ones (supercut.join_overlaps)
        self.autosave_dir: Path | None = None   # None: no autosave
        self._dirty = False
        self._media: dict[int, dict] = {}
        self._clips: dict = {}                  # (result index, hit id) -> Clip or None
        self._sources: dict = {}                # media id -> SourceMedia, shared by those clips
        self._words: dict = {}                  # media id -> its transcript's words (text-based editing)
        self.library_changed = Event()          # (library)
        self.results_changed = Event()          # (hits, appended: bool)
        self.sequence_changed = Event()         # (sequence, path): another sequence is open
        self.sequence_edited = Event()          # (): an edit, undo or redo changed the open sequence
        self.edit_refused = Event()             # (message): an edit that could not be done; nothing changed
        self.dirty_changed = Event()            # (dirty)
        self.pads_changed = Event()             # (before, after)

    # -- library ----------------------------------------------------------------
    def open_library(self, path) -> Library:
        """Open (creating if new) the library at ``path``; the old one closes only once the new one opened."""
        library = Library.open(path)
        if self.library is not None:
            self.library.close()
        self.library = library
        self.forget_media()
        self.set_results([])
        self.library_changed.emit(library)
        return library

    def close(self) -> None:
        if self.library is not None:
            self.library.close()
            self.library = None

    def forget_media(self) -> None:
        """Drop cached media rows (after an index changed them)."""
        self._media.clear()
        self._clips.clear()
        self._sources.clear()
        self._words.clear()

    def media_row(self, media_id: int) -> dict | None:
        if media_id not in self._media:
            self._media[media_id] = self.library.media_row(media_id) if self.library else None
        return self._media[media_id]

    def index_options(self, *, speech=True, visual=True, speech_model=None, clip_model=None,
                      sample_interval: float | None = None, **kw) -> IndexOptions:
        """The app's settings as the same IndexOptions the CLI and scripts use."""
        extra = {"visual_every": float(sample_interval)} if sample_interval else {}
        return IndexOptions(speech=speech, visual=visual, speech_model=speech_model or None,
                            clip_model=clip_model or None, extra=extra, **kw)

    # -- hits ---------------------------------------------------------------------
    def set_results(self, hits: list[Hit]) -> None:
        self.results = list(hits)
        self.current = -1
        self.results_changed.emit(self.results, False)

    def add_results(self, hits: list[Hit]) -> None:
        self.results.extend(hits)
        self.results_changed.emit(self.results, True)

    def set_current(self, index: int) -> None:
        self.current = index

    def set_pads(self, before: float, after: float) -> None:
        pads = (max(0.0, float(before)), max(0.0, float(after)))
        if pads != self.pads:
            self.pads = pads
            self._clips.clear()
            self.pads_changed.emit(*pads)

    def describe(self, hit: Hit) -> tuple[str, str | None]:
        """(source timecode of the hit's first frame, a thumbnail) for a results row."""
        tc = self.library.timecode(hit) if self.library else None
        thumb = hit.thumbnail or (self.library.thumbnail_at(hit.media_id, hit.start_frame) if self.library else None)
        return tc or f"{hit.start:.2f}s", thumb

    def clip_for(self, index: int) -> Clip | None:
        """Result ``index`` as a clip with the session's pads (None for sound-only media, which has no picture)."""
        hit = self.results[index]
        key = (index, id(hit))
        if key not in self._clips:
            row = self.media_row(hit.media_id)
            self._clips[key] = None if not row or media_rate(row) is None else self.library.clip_from_hit(
                hit, SequenceOptions(pad_before=self.pads[0], pad_after=self.pads[1]), self._sources)
        return self._clips[key]

    def frame_ref(self, path: str, frame: int, rate) -> str:
        """A catalogued frame named the way searches take it: MEDIA_PATH@SECONDS."""
        return f"{path}@{float(frame / rate):.6f}"

    # -- sequence -----------------------------------------------------------------
    def clips_to_add(self, indices) -> list[Clip]:
        """Clips for results ``indices``; an empty sequence takes the rate of its first clip."""
        return self.fit_to_sequence(c for c in (self.clip_for(i) for i in indices if 0 <= i < len(self.results)) if c)

    def fit_to_sequence(self, clips) -> list[Clip]:
        """The clips; an empty sequence first takes the rate of the first of them."""
        clips = list(clips)
        seq = self.sequence
        if clips and not seq.clips and seq.rate != clips[0].media.rate:
            seq.rate, seq.drop_frame = clips[0].media.rate, clips[0].media.drop_frame
            seq.start_frame = seq.timecode.to_frames("01:00:00:00")
        return clips

    # -- text-based editing (timeline/textcut.py) -----------------------------------
    def media_words(self, media_id: int) -> list:
        if media_id not in self._words:
            self._words[media_id] = self.library.media_words(media_id)
        return self._words[media_id]

    def clips_for_words(self, media_id: int, runs: list[tuple[int, int]]) -> list[Clip]:
        """A clip per run of words (positions in ``media_words``), each holding exactly those words."""
        row = self.media_row(media_id)
        rate = media_rate(row) if row else None
        if rate is None:
            return []
        words, clips = self.media_words(media_id), []
        for i, j in runs:
            a, b = textcut.span_frames(words, i, j, rate, row.get("frames") or None)
            said = " ".join(w.text for w in words[i:j + 1])
            hit = Hit(media_id=media_id, media_path=row["path"], start_frame=a, end_frame=b, rate=rate, score=1.0,
                      kind="transcript", text=said, query=said)
            clips.append(self.library.clip_from_hit(hit, SequenceOptions(), self._sources))
        return self.fit_to_sequence(clips)

    # -- the sequence's edits, history, unsaved flag and autosave ----------------------
    @property
    def dirty(self) -> bool:
        return self._dirty

    def _changed(self, edited: bool = True) -> None:
        dirty = not self.history.clean
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
        if edited:
            self.sequence_edited.emit()

    def edit(self, command) -> bool:
        """Do a core edit on the sequence and keep it for undo; a refused one (out of range, outside
        the file) changes nothing, is announced on ``edit_refused`` and gives False."""
        try:
            command.do(self.sequence)
        except (ValueError, IndexError) as exc:
            self.edit_refused.emit(str(exc))
            return False
        self.history.push(command)
        self._changed()
        return True

    def undo(self) -> bool:
        done = self.history.undo(self.sequence) is not None
        if done:
            self._changed()
        return done

    def redo(self) -> bool:
        done = self.history.redo(self.sequence) is not None
        if done:
            self._changed()
        return done

    def add_clips(self, clips, index: int | None = None) -> bool:
        """Add clips (at ``index``, else at the end) joined to overlapping takes by the rule export uses."""
        clips = list(clips)
        if not clips:
            return False
        cmd = edits.AddClips(clips, index, self.pad_mode)
        cmd.text = f"Add {len(clips)} clip{'s' if len(clips) != 1 else ''}"
        return self.edit(cmd)

    def mark_clean(self) -> None:
        """The sequence as it is now counts as saved (a check's edits, closing without asking)."""
        self.history.set_clean()
        self._changed(edited=False)

    def autosave(self) -> Path | None:
        """Write the unsaved sequence where a crashed session's edit is found again (see
        ``timeline/autosave.py``); the app calls this a moment after edits."""
        if self.autosave_dir is None or not self.dirty:
            return None
        return autosave.write(self.sequence, self.autosave_dir, self.sequence_path)

    def discard_autosave(self) -> None:
        if self.autosave_dir is not None:
            autosave.clear(self.autosave_dir)

    def pending_recovery(self):
        """(sequence, the path it was saved to) left by a session that did not end cleanly, or None.
        An unreadable autosave raises FrameSenseError naming the file."""
        pending = autosave.pending(self.autosave_dir) if self.autosave_dir is not None else None
        return autosave.read(pending) if pending is not None else None

    def recover(self, sequence: Sequence, saved_path=None) -> Sequence:
        """Open a recovered sequence: it stays unsaved until the user saves it."""
        self.set_sequence(sequence, saved_path)
        self.history.set_never_clean()
        self._changed(edited=False)
        return sequence

    def new_sequence(self, name: str = "Sequence 1") -> Sequence:
        return self.set_sequence(Sequence(name=name), None)

    def set_sequence(self, sequence: Sequence, path=None) -> Sequence:
        self.sequence, self.sequence_path = sequence, Path(path) if path else None
        self.history.clear()
        self._changed(edited=False)
        self.sequence_changed.emit(sequence, self.sequence_path)
        return sequence

    def open_sequence(self, path) -> Sequence:
        return self.set_sequence(self.library.load_sequence(path), path)

    def save_sequence(self, path=None) -> Path:
        path = Path(path or self.sequence_path or self.default_sequence_path())
        self.sequence_path = self.library.save_sequence(self.sequence, path)
        self.mark_clean()
        self.discard_autosave()
        return self.sequence_path

    def default_sequence_path(self) -> Path:
        return self.library.path / f"{self.sequence.name}{SEQUENCE_SUFFIX}"

    def export(self, path, fmt: str | None = None, rate=None, handles: int | None = None,
               comments: bool = True) -> list[Path]:
        options = ExportOptions(format=fmt, rate=rate, handles=handles, comments=comments)
        if self.library is None:
            return export_sequence(self.sequence, path, options)
        return self.library.export(self.sequence, path, options)

    def exporters(self) -> list:
        """Every exporter in the registry, built-ins first (the export dialog's formats)."""
        return (self.library.plugins if self.library else plugin_registry()).exporters()
