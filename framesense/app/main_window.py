"""The main window: layout and wiring over a Qt-free ``framesense.session.Session``.

The session (and through it ``framesense.Library``) holds the state and does the work;
controllers run searches and indexing off the GUI thread (``searching``, ``indexing``) and
keep the player's playlist in step (``playlist``); menus and keys are in ``menus``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QThreadPool, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QFileDialog, QMainWindow, QMessageBox

from ..api import model_status
from ..config import resolve_library
from ..paths import display
from ..session import Session
from .dialogs import ExportDialog, SettingsDialog
from .first_run import library_exists, open_demo, recent_libraries, remember_library
from .indexing import IndexController
from .layout import build_layout
from .menus import build_menus, run_plugin_action
from .pictures import PictureSuggestions
from .playlist import PlaylistController
from .searching import SearchController
from .window_settings import DEFAULTS, app_settings, restore_window, save_settings, save_window, setting

SEQUENCE_FILTER = "Sequences (*.otio);;All files (*)"


class MainWindow(QMainWindow):
    def __init__(self, library=None, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings or app_settings()
        self.library_dir = resolve_library(library or self.settings.value("library") or None)
        self.session = Session(pad_before=float(self._setting("pad_before")),
                               pad_after=float(self._setting("pad_after")))
        if library_exists(self.library_dir):   # no catalog yet: the first-run page asks before creating one
            self.session.open_library(self.library_dir)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.last_error: str | None = None
        resources = Path(__file__).resolve().parents[2] / "resources"
        for icon in (resources / "framesense.png", resources / "framesense.svg"):  # PNG: bundles ship no SVG plugin
            if icon.exists():
                self.setWindowIcon(QIcon(str(icon)))
                break
        build_layout(self)
        self.pictures = PictureSuggestions(self)
        self._wire()
        build_menus(self)
        restore_window(self)
        self.update_model_info()
        self._update_title()
        if self.session.library is None:
            self.show_first_run()
        self.refresh_library()
        if QApplication.platformName() not in ("offscreen", "minimal"):   # a crashed session's sequence back
            QTimer.singleShot(0, self.offer_recovery)

    def _wire(self):
        s, status = self.session, self.statusBar()
        self.search_ctl = SearchController(self)
        self.indexing_ctl = IndexController(self)
        self.playlist = PlaylistController(self)
        for ctl in (self.search_ctl, self.indexing_ctl):
            ctl.message.connect(lambda m: status.showMessage(m, 10000))
            ctl.error.connect(self.error)
        self.playlist.error.connect(self.error)
        self.library.add_folder_requested.connect(self.choose_folder)
        self.library.progress.cancel_requested.connect(self.indexing_ctl.cancel)
        self.library.media_selected.connect(self.browse_media)
        self.people.search_requested.connect(lambda ref: (self.search.set_query("person", ref), self.search.submit()))
        self.people.error.connect(self.error)
        self.search.search_requested.connect(self.start_search)
        self.results.current_hit_changed.connect(self.playlist.hit_selected)
        self.results.current_hit_changed.connect(self.transcript.hit_changed)
        self.timeline.changed.connect(self.transcript.sequence_changed)
        self.results.activated.connect(lambda i: self.add_hits_to_timeline([i]))
        self.results.filter.currentIndexChanged.connect(lambda _: self.playlist.rebuild())
        self.results.add_button.clicked.connect(self.add_selected_to_timeline)
        self.player.pads_changed.connect(s.set_pads)
        s.pads_changed.connect(lambda *_: self.playlist.rebuild())
        self.player.item_changed.connect(self.playlist.item_changed)
        self.timeline.error.connect(self.error)
        self.player.notice.connect(lambda m: self.statusBar().showMessage(m, 15000))
        self.model_info.dismissed.connect(lambda text: self.settings.setValue("info/dismissed", text))
        self.model_info.setup_requested.connect(self.setup_picture_search)
        self.timeline.play_from.connect(self.play_sequence)   # Space / Play: the sequence from the playhead
        self.timeline.clip_opened.connect(self.playlist.open_clip)   # double-click: the clip in the monitor
        s.autosave_dir = self.library_dir
        s.pad_mode = self._setting("pad_overlap")
        self.player.frame_shown.connect(self.playlist.frame_shown)
        self.timeline.hits_dropped.connect(self.add_hits_to_timeline)
        s.sequence_changed.connect(self._update_title)
        s.dirty_changed.connect(self._update_title)
        s.library_changed.connect(self._library_opened)
        s.results_changed.connect(self._show_results)
        self.first_run.create_requested.connect(self.create_library)
        self.first_run.add_folder_requested.connect(self.add_folder)
        self.first_run.skipped.connect(self.leave_first_run)
        self.first_run.open_requested.connect(self.open_library)
        self.first_run.demo_requested.connect(lambda: open_demo(self))
        self._update_title()

    # -- state the tests and plugins read ----------------------------------------
    @property
    def indexing(self) -> bool:
        return self.indexing_ctl.running

    @property
    def searching(self) -> bool:
        return self.search_ctl.searching

    @property
    def playlist_mode(self) -> str:
        return self.playlist.mode

    def _setting(self, key):
        return setting(self.settings, key)

    def closeEvent(self, event):
        if not self.timeline.confirm_discard(self.save_sequence, "quit"):
            event.ignore()
            return
        self.timeline.discard_autosave()   # a clean exit: nothing to recover next time
        self.indexing_ctl.cancel()
        save_window(self)
        self.player.shutdown()
        self.pool.waitForDone(10000)
        self.session.close()
        super().closeEvent(event)

    def show_settings(self):
        dlg = SettingsDialog({**{k: self._setting(k) for k in DEFAULTS}, "library": str(self.library_dir)}, self)
        if dlg.exec():
            self.apply_settings(dlg.values())

    def apply_settings(self, values: dict):
        save_settings(self.settings, values)
        self.player.pad_before.setValue(float(values.get("pad_before", self.player.pads()[0])))
        self.player.pad_after.setValue(float(values.get("pad_after", self.player.pads()[1])))
        self.session.pad_mode = self._setting("pad_overlap")
        self.update_model_info()
        lib = values.get("library")
        if lib and resolve_library(lib) != self.library_dir:
            self.open_library(lib)

    def _update_title(self, *_):
        dirty = " *" if self.session.dirty else ""
        self.setWindowTitle(f"FrameSense — {self.session.sequence.name}{dirty} — {self.library_dir}")

    def update_model_info(self):
        lib = self.session.library
        self.models = model_status(lib, self._setting("clip_model") or None, self._setting("speech_model") or None)
        self.model_info.show_report(self.models, self.settings.value("info/dismissed"))
        off = self.models.visual_problem
        self.search.set_unavailable({m: f"Needs a picture model: {off}" for m in ("description", "image")} if off else {})
        self.search.set_description_languages(self.models.picture_languages)

    def setup_picture_search(self, path=None) -> str | None:
        """Pick a CLIP checkpoint file or folder, check it loads offline, then use it; None when it does (else why not)."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Picture model: an open_clip checkpoint (or Cancel to pick a folder)",
                                                  str(Path.home()), "Checkpoints (*.pt *.bin *.safetensors);;All files (*)")
            if not path:
                path = QFileDialog.getExistingDirectory(self, "Picture model folder", str(Path.home()))
            if not path:
                return "cancelled"
        problem = model_status(self.session.library, str(path), self._setting("speech_model") or None).visual_problem
        if problem:
            self.error(f"{path} is not a usable picture model: {problem}")
            if self.isVisible() and QApplication.platformName() not in ("offscreen", "minimal"):
                QMessageBox.warning(self, "Picture model", f"{path} is not a usable picture model:\n\n{problem}")
            return problem
        self.settings.setValue("clip_model", str(path))
        self.update_model_info()
        self.statusBar().showMessage(f"Picture search uses {path}; index footage again to add pictures", 10000)
        return None

    def error(self, message: str):
        self.last_error = message
        self.statusBar().showMessage(message, 15000)

    # -- library ----------------------------------------------------------------
    def choose_library(self):
        path = QFileDialog.getExistingDirectory(self, "Open library folder", str(self.library_dir))
        if path:
            self.open_library(path)

    def open_library(self, path) -> bool:
        if self.indexing:
            self.error("Wait for indexing to finish (or cancel it) before switching libraries")
            return False
        try:
            self.session.open_library(resolve_library(path))   # the user picked it: created if new
        except Exception as exc:
            self.error(f"Cannot open the library at {path}: {exc}")
            return False
        self.leave_first_run()
        self.results.clear("No search yet")
        return True

    def _library_opened(self, library):
        self.library_dir = library.path
        remember_library(self.settings, library.path)      # the next start opens it; the welcome page lists it
        self.statusBar().showMessage(f"Library: {library.path}")
        self.refresh_library()
        self.update_model_info()
        self._update_title()

    @property
    def first_run_showing(self) -> bool:
        return self.pages.currentWidget() is self.first_run

    def show_first_run(self):
        self.first_run.set_location(self.library_dir)
        self.first_run.show_create_step()
        self.first_run.set_recent(recent_libraries(self.settings))
        self.pages.setCurrentWidget(self.first_run)
        self.library_dock.hide()

    def leave_first_run(self):
        self.pages.setCurrentWidget(self.vsplit)
        self.library_dock.show()

    def create_library(self, path=None) -> Path:
        """Create (or open) the catalog where the user accepted; the first run moves on to adding footage."""
        target = resolve_library(path or self.library_dir)
        if self.open_library(target) and self.first_run is not None:
            self.pages.setCurrentWidget(self.first_run)
            self.first_run.show_add_step(target)
        return self.library_dir

    def refresh_library(self):
        if self.session.library is not None:
            self.session.forget_media()
            self.library.refresh(self.session.library)
            self.people.refresh(self.session.library)

    def choose_folder(self):
        path = QFileDialog.getExistingDirectory(self, "Add a footage folder")
        if path:
            self.add_folder(path)

    def add_folder(self, path, **options):
        if self.indexing:
            self.error("Already indexing; wait or cancel first")
            return None
        if self.session.library is None and not self.open_library(self.library_dir):
            return None   # adding footage is the user's yes to a library here
        self.leave_first_run()
        for key in ("speech", "visual", "speech_model", "clip_model", "sample_interval"):
            options.setdefault(key, self._setting(key))
        return self.indexing_ctl.start(path, self.session.index_options(**options))

    # -- search and hits ---------------------------------------------------------------
    def start_search(self, mode: str, text: str) -> bool:
        return self.search_ctl.start(mode, text)

    def _show_results(self, hits, appended: bool):
        """The results list and the playlist follow the session's hits."""
        first = not self.results.hits
        if not appended:
            self.results.clear(self.results.summary.text())
        self.results.add_hits(hits[len(self.results.hits):])
        self.playlist.rebuild(cue=first or not appended)

    def browse_media(self, media_id: int):
        """Selecting a file in the library lists its shots as hits (like 'framesense shots')."""
        hits = self.session.library.shot_hits(media_id)
        if hits:
            self.search_ctl.show_hits(hits, f"{len(hits)} shots of {display(Path(hits[0].media_path).name)}")

    def search_same_as_frame(self):
        self.search_ctl.from_frame("same footage")

    def search_like_frame(self):
        self.search_ctl.from_frame("image")

    def run_plugin_action(self, spec) -> str | None:
        return run_plugin_action(self, spec)

    def play_sequence(self, from_frame: int | None = None):
        self.playlist.play_sequence(from_frame)

    # -- timeline -----------------------------------------------------------------
    def _clip_thumbnail(self, clip):
        lib = self.session.library
        return lib.thumbnail_at(clip.media.media_id, clip.source_in) if lib and clip.media.media_id else None

    def add_selected_to_timeline(self):
        current = self.playlist.current_hit()
        self.add_hits_to_timeline(self.results.selected_indices() or ([current] if current is not None else []))

    def add_hits_to_timeline(self, indices: list, at: int | None = None):
        clips = self.playlist.with_marks(indices, self.session.clips_to_add(indices))   # I / O marks
        if not clips:
            self.error("Select hits (with video) to add to the timeline")
            return
        self.timeline.add_clips(clips, at)
        self.statusBar().showMessage(f"Added {len(clips)} clip(s) to the timeline", 5000)

    def new_sequence(self):
        if self.timeline.confirm_discard(self.save_sequence, "start a new sequence"):
            self.session.new_sequence()

    def offer_recovery(self, ask: bool = True) -> bool:
        """Offer back a sequence autosaved by a session that did not end cleanly; it stays unsaved."""
        got = self.timeline.pending_recovery(ask)
        if got is None:
            return False
        self.session.recover(*got)
        return True

    def choose_sequence(self):
        if not self.timeline.confirm_discard(self.save_sequence, "open another sequence"):
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open sequence", str(self.library_dir), SEQUENCE_FILTER)
        if path:
            self.open_sequence(path)

    def open_sequence(self, path) -> bool:
        try:
            self.session.open_sequence(path)
        except Exception as exc:
            self.error(str(exc))
            if self.isVisible() and QApplication.platformName() not in ("offscreen", "minimal"):
                QMessageBox.warning(self, "Open sequence", str(exc))
            return False
        return True

    def save_sequence(self, ask: bool = False, path=None):
        if path is None and (ask or self.session.sequence_path is None):
            path, _ = QFileDialog.getSaveFileName(self, "Save sequence", str(self.session.default_sequence_path()),
                                                  SEQUENCE_FILTER)
            if not path:
                return None
        path = self.session.save_sequence(path)
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return path

    def export_dialog(self) -> ExportDialog:
        return ExportDialog(self.session, self, str(self.export_folder()))

    def export_folder(self) -> Path:
        """The last export's folder, else the sequence's, else home: never inside the library."""
        saved = self.session.sequence_path
        for folder in (self.settings.value("export/folder"), saved.parent if saved else None):
            if folder and Path(folder).is_dir() and not _inside(Path(folder), Path(self.library_dir)):
                return Path(folder)
        return Path.home()

    def show_export(self):
        dlg = self.export_dialog()
        dlg.exec()
        if dlg.written:
            self.settings.setValue("export/folder", str(dlg.written[0].parent))


def _inside(folder: Path, library: Path) -> bool:
    try:
        folder.resolve().relative_to(library.resolve())
        return True
    except ValueError:
        return False
