"""The main window: library, search, results, player and timeline over one catalog.

The window owns a Catalog connection for reads on the GUI thread; indexing and
searching run in a QThreadPool, each worker with its own connection.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QThreadPool, QTimer
from PySide6.QtGui import QAction, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QDockWidget, QFileDialog, QMainWindow, QMessageBox, QSplitter,
                               QStackedWidget, QVBoxLayout, QWidget)

from ..catalog import Catalog, media_rate
from ..config import resolve_library
from ..search.hits import Hit
from ..timecode import Timecode
from . import sequence_adapter as seqmod
from .dialogs import ExportDialog, SettingsDialog
from .first_run import FirstRunPanel, ModelInfoBar, library_exists, model_report
from .library_panel import LibraryPanel
from .player import PlayItem, Player, caption_html
from .results import ResultsPanel
from .search_bar import SearchBar, build_query
from .timeline_view import TimelinePanel
from .workers import IndexWorker, SearchWorker, analyzer_options

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
SEQUENCE_FILTER = "Sequences (*.otio);;All files (*)"
DEFAULTS = {"pad_before": 0.5, "pad_after": 0.5, "sample_interval": 2.0, "speech": True, "visual": True,
            "speech_model": "", "clip_model": ""}


def app_settings() -> QSettings:
    return QSettings("FrameSense", "FrameSense")


class MainWindow(QMainWindow):
    def __init__(self, library=None, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings or app_settings()
        self.library_dir = resolve_library(library or self.settings.value("library") or None)
        # No catalog yet: the first-run page asks before anything is created.
        self.catalog: Catalog | None = Catalog.open(self.library_dir) if library_exists(self.library_dir) else None
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._workers: set = set()
        self._index_worker: IndexWorker | None = None
        self._search_gen = 0
        self._searching = False
        self._media_cache: dict[int, dict] = {}
        self._clip_cache: dict = {}   # media id -> the core's SourceMedia
        self.playlist_mode = "results"
        self._playlist_hits: list[int] = []
        self.last_error: str | None = None

        self.setWindowTitle(f"FrameSense — {self.library_dir}")
        for icon in (RESOURCES / "framesense.png", RESOURCES / "framesense.svg"):  # PNG: bundles ship no SVG plugin
            if icon.exists():
                self.setWindowIcon(QIcon(str(icon)))
                break
        self._refresh_timer = QTimer(self, singleShot=True, interval=300)
        self._refresh_timer.timeout.connect(self.refresh_library)
        self._build()
        self._actions()
        self._restore()
        self.update_model_info()
        if self.catalog is None:
            self.show_first_run()
        self.refresh_library()
        if not _offscreen():   # a sequence autosaved by a session that crashed is offered back
            QTimer.singleShot(0, self.timeline.offer_recovery)

    # -- layout ----------------------------------------------------------------
    def _build(self):
        self.library = LibraryPanel(self)
        self.library.add_folder_requested.connect(self.choose_folder)
        self.library.progress.cancel_requested.connect(self.cancel_indexing)
        self.library.media_selected.connect(self.browse_media)
        dock = QDockWidget("Library", self)
        dock.setObjectName("library-dock")
        dock.setWidget(self.library)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.library_dock = dock

        self.search = SearchBar(self)
        self.search.search_requested.connect(self.start_search)
        self.results = ResultsPanel(self.describe_hit, self)
        self.results.current_hit_changed.connect(self._hit_selected)
        self.results.activated.connect(lambda i: self.add_hits_to_timeline([i]))
        self.results.filter.currentIndexChanged.connect(lambda _: self._rebuild_playlist())
        self.results.add_button.clicked.connect(self.add_selected_to_timeline)
        self.player = Player(self, float(self._setting("pad_before")), float(self._setting("pad_after")))
        self.player.pads_changed.connect(lambda *_: self._rebuild_playlist())
        self.player.item_changed.connect(self._player_item_changed)
        self.timeline = TimelinePanel(self, thumbnail_for=lambda c: self.thumbnail_at(c.media.media_id, c.source_in))
        self.timeline.error.connect(self.error)
        self.timeline.play_from.connect(self.play_sequence)   # Space / Play: the sequence from the playhead
        self.timeline.autosave_dir = self.library_dir
        self.player.frame_shown.connect(self._sequence_frame_shown)
        self.timeline.hits_dropped.connect(self.add_hits_to_timeline)
        self.timeline.changed.connect(self._update_title)

        self.hsplit = QSplitter(Qt.Orientation.Horizontal, self)
        self.hsplit.addWidget(self.results)
        self.hsplit.addWidget(self.player)
        self.hsplit.setStretchFactor(0, 2)
        self.hsplit.setStretchFactor(1, 3)
        top = QWidget(self)
        tl = QVBoxLayout(top)
        tl.setContentsMargins(6, 6, 6, 0)
        self.model_info = ModelInfoBar(top)
        tl.addWidget(self.model_info)
        tl.addWidget(self.search)
        tl.addWidget(self.hsplit, 1)
        self.vsplit = QSplitter(Qt.Orientation.Vertical, self)
        self.vsplit.addWidget(top)
        bottom = QWidget(self)
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(6, 0, 6, 6)
        bl.addWidget(self.timeline)
        self.vsplit.addWidget(bottom)
        self.vsplit.setStretchFactor(0, 1)
        self.vsplit.setStretchFactor(1, 0)
        self.first_run = FirstRunPanel(self.library_dir, self)
        self.first_run.create_requested.connect(self.create_library)
        self.first_run.add_folder_requested.connect(self.add_folder)
        self.first_run.skipped.connect(self.leave_first_run)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.vsplit)
        self.pages.addWidget(self.first_run)
        self.setCentralWidget(self.pages)
        self.resizeDocks([dock], [400], Qt.Orientation.Horizontal)
        self.hsplit.setSizes([430, 600])
        self.statusBar().showMessage(f"Library: {self.library_dir}")

    def _actions(self):
        def act(menu, text, slot, shortcut=None):
            a = QAction(text, self)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(slot)
            menu.addAction(a)
            return a

        m = self.menuBar().addMenu("&File")
        act(m, "Add &folder…", self.choose_folder, "Ctrl+Shift+A")
        act(m, "Open &library…", self.choose_library)
        m.addSeparator()
        act(m, "&New sequence", self.new_sequence, "Ctrl+N")
        act(m, "&Open sequence…", self.choose_sequence, "Ctrl+O")
        act(m, "&Save sequence", self.save_sequence, "Ctrl+S")
        act(m, "Save sequence &as…", lambda: self.save_sequence(ask=True), "Ctrl+Shift+S")
        act(m, "&Export…", self.show_export, "Ctrl+E")
        m.addSeparator()
        act(m, "Se&ttings…", self.show_settings, "Ctrl+,")
        act(m, "&Quit", self.close, "Ctrl+Q")
        e = self.menuBar().addMenu("&Edit")
        e.addAction(self.timeline.undo_action)
        e.addAction(self.timeline.redo_action)
        self.addAction(self.timeline.undo_action)
        self.addAction(self.timeline.redo_action)
        h = self.menuBar().addMenu("&Hits")
        self.add_action = act(h, "&Add to timeline", self.add_selected_to_timeline)
        self.add_action.setToolTip("Add the selected hits to the timeline (A or Enter in the results)")
        act(h, "&Play hits", self.play_results)
        act(h, "Find the same &footage as this frame", self.search_same_as_frame, "Ctrl+Shift+F")
        act(h, "Find pictures &like this frame", self.search_like_frame, "Ctrl+Shift+L")
        act(h, "Find &search field", lambda: self.search.field.setFocus(), "Ctrl+F")
        self._plugin_actions()
        p = self.menuBar().addMenu("&Playback")
        for text, slot in (("Play / pause\tSpace", self.player.toggle), ("Play / faster\tL", self.player.faster),
                           ("Pause\tK", self.player.pause), ("Frame back\tJ", lambda: self.player.step(-1)),
                           ("Previous hit\tLeft", self.player.previous_item), ("Next hit\tRight", self.player.next_item),
                           ("Play sequence", self.play_sequence)):
            act(p, text, slot)
        # Transport keys work wherever focus is, except while typing in a field.
        keys = {Qt.Key.Key_Space: self.player.toggle, Qt.Key.Key_L: self.player.faster,
                Qt.Key.Key_K: self.player.pause, Qt.Key.Key_J: lambda: self.player.step(-1),
                Qt.Key.Key_Comma: lambda: self.player.step(-1), Qt.Key.Key_Period: lambda: self.player.step(1),
                Qt.Key.Key_A: self.add_selected_to_timeline}
        for widget in (self.results.list, self.player, self.library.tree):   # the timeline has its own keys
            for key, slot in keys.items():
                s = QShortcut(QKeySequence(key), widget)
                s.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                s.activated.connect(slot)
        for widget in (self.results.list, self.player):
            for key, slot in ((Qt.Key.Key_Left, self.player.previous_item), (Qt.Key.Key_Right, self.player.next_item)):
                s = QShortcut(QKeySequence(key), widget)
                s.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                s.activated.connect(slot)

    def _plugin_actions(self):
        """Menu entries contributed by plugins (framesense_app_actions)."""
        try:
            from ..plugins import get_plugins
            actions = get_plugins().app_actions()
        except Exception as exc:  # a broken plugin never stops the window
            self.error(f"plugins: {exc}")
            return
        menus: dict = {}
        for spec in actions:
            menu = menus.get(spec.menu) or menus.setdefault(spec.menu, self.menuBar().addMenu(spec.menu))
            a = QAction(spec.label, self)
            if spec.shortcut:
                a.setShortcut(QKeySequence(spec.shortcut))
            a.triggered.connect(lambda _=False, s=spec: self.run_plugin_action(s))
            menu.addAction(a)

    def run_plugin_action(self, spec) -> str | None:
        from ..plugins.types import ActionContext

        ctx = ActionContext(library_dir=self.library_dir,
                            selection=[self.results.hits[i] for i in self.results.selected_indices()],
                            sequence=self.timeline.sequence)
        if not spec.enabled_for(ctx):
            self.error(f"{spec.label}: select hits first" if spec.scope == "selection" else f"{spec.label}: no sequence")
            return None
        try:
            message = spec.run(ctx)
        except Exception as exc:
            self.error(f"{spec.label} failed: {type(exc).__name__}: {exc}")
            return None
        if message:
            self.statusBar().showMessage(f"{spec.label}: {message}", 15000)
        return message

    # -- settings and state ------------------------------------------------------
    def _setting(self, key):
        value = self.settings.value(key, DEFAULTS.get(key))
        if isinstance(DEFAULTS.get(key), bool) and isinstance(value, str):
            return value.lower() == "true"
        return value

    def _restore(self):
        geo = self.settings.value("window/geometry")
        if isinstance(geo, QByteArray):
            self.restoreGeometry(geo)
        else:
            self.resize(1280, 800)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        for name, split in (("window/hsplit", self.hsplit), ("window/vsplit", self.vsplit)):
            s = self.settings.value(name)
            if isinstance(s, QByteArray):
                split.restoreState(s)

    def save_state(self):
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/hsplit", self.hsplit.saveState())
        self.settings.setValue("window/vsplit", self.vsplit.saveState())
        self.settings.setValue("library", str(self.library_dir))
        self.settings.sync()

    def closeEvent(self, event):
        if not self.timeline.confirm_discard(self.save_sequence, "quit"):
            event.ignore()
            return
        self.timeline.discard_autosave()   # a clean exit: nothing to recover next time
        if self._index_worker is not None:
            self._index_worker.cancel()
        self.save_state()
        self.player.shutdown()
        self.pool.waitForDone(10000)
        if self.catalog is not None:
            self.catalog.close()
        super().closeEvent(event)

    def show_settings(self):
        values = {k: self._setting(k) for k in DEFAULTS}
        values["library"] = str(self.library_dir)
        dlg = SettingsDialog(values, self)
        if dlg.exec():
            self.apply_settings(dlg.values())

    def apply_settings(self, values: dict):
        for k in DEFAULTS:
            if k in values:
                self.settings.setValue(k, values[k])
        self.player.pad_before.setValue(float(values.get("pad_before", self.player.pads()[0])))
        self.player.pad_after.setValue(float(values.get("pad_after", self.player.pads()[1])))
        self.update_model_info()
        lib = values.get("library")
        if lib and resolve_library(lib) != self.library_dir:
            self.open_library(lib)

    def choose_library(self):
        path = QFileDialog.getExistingDirectory(self, "Open library folder", str(self.library_dir))
        if path:
            self.open_library(path)

    def open_library(self, path):
        if self._index_worker is not None:
            self.error("Wait for indexing to finish (or cancel it) before switching libraries")
            return
        if self.catalog is not None:
            self.catalog.close()
        self.library_dir = resolve_library(path)
        self.catalog = Catalog.open(self.library_dir)   # the user picked it: create it if new
        self.leave_first_run()
        self.update_model_info()
        self._media_cache.clear()
        self.settings.setValue("library", str(self.library_dir))
        self.results.clear("No search yet")
        self.refresh_library()
        self._update_title()

    def _update_title(self):
        seq = self.timeline.sequence
        dirty = "" if self.timeline.undo_stack.isClean() else " *"
        self.setWindowTitle(f"FrameSense — {seq.name}{dirty} — {self.library_dir}")

    # -- first run and model status ---------------------------------------------
    @property
    def first_run_showing(self) -> bool:
        return self.pages.currentWidget() is self.first_run

    def show_first_run(self):
        self.first_run.set_location(self.library_dir)
        self.first_run.show_create_step()
        self.pages.setCurrentWidget(self.first_run)
        self.library_dock.hide()

    def leave_first_run(self):
        self.pages.setCurrentWidget(self.vsplit)
        self.library_dock.show()

    def create_library(self, path=None) -> Path:
        """Create (or open) the catalog where the user accepted; the first run moves on to adding footage."""
        target = resolve_library(path or self.library_dir)
        try:
            catalog = Catalog.open(target)
        except Exception as exc:
            self.error(f"Cannot create the library at {target}: {exc}")
            return self.library_dir
        if self.catalog is not None:
            self.catalog.close()
        self.catalog, self.library_dir = catalog, target
        self._media_cache.clear()
        self.settings.setValue("library", str(target))
        self.first_run.show_add_step(target)
        self.statusBar().showMessage(f"Library: {target}")
        self.refresh_library()
        self.update_model_info()
        self._update_title()
        return target

    def update_model_info(self):
        self.models = model_report(self.catalog, self._setting("clip_model") or None,
                                         self._setting("speech_model") or None)
        self.model_info.show_report(self.models)

    def error(self, message: str):
        self.last_error = message
        self.statusBar().showMessage(message, 15000)

    # -- library and indexing ------------------------------------------------------
    def refresh_library(self):
        self._refresh_timer.stop()
        if self.catalog is None:
            return
        self._media_cache.clear()
        self._clip_cache.clear()
        self.library.refresh(self.catalog)

    def _refresh_soon(self):
        """Coalesce refreshes while indexing: a big folder would rebuild the tree per file."""
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def choose_folder(self):
        path = QFileDialog.getExistingDirectory(self, "Add a footage folder")
        if path:
            self.add_folder(path)

    def add_folder(self, path, **options) -> IndexWorker | None:
        if self._index_worker is not None:
            self.error("Already indexing; wait or cancel first")
            return None
        if self.catalog is None:   # adding footage is the user's yes to a library here
            self.create_library()
            if self.catalog is None:
                return None
        if self.first_run_showing:
            self.leave_first_run()
        opts = analyzer_options(speech=options.pop("speech", self._setting("speech")),
                                visual=options.pop("visual", self._setting("visual")),
                                speech_model=options.pop("speech_model", self._setting("speech_model") or None),
                                **options)
        opts["visual_every"] = float(self._setting("sample_interval"))   # the picture stage's sampling
        opts["clip_model"] = self._setting("clip_model") or None
        worker = IndexWorker(self.library_dir, [path], opts)
        s = worker.signals
        s.started.connect(self.library.progress.start)
        s.file.connect(self._index_file)
        s.stage.connect(self.library.progress.stage)
        s.file_done.connect(self._index_file_done)
        s.notice.connect(lambda m: self.statusBar().showMessage(f"note: {m}", 10000))
        s.finished.connect(self._index_finished)
        s.failed.connect(self._index_failed)
        self._index_worker = worker
        self.library.add_button.setEnabled(False)
        self.statusBar().showMessage(f"Indexing {path}…")
        self.pool.start(worker)
        return worker

    def cancel_indexing(self):
        if self._index_worker is not None:
            self._index_worker.cancel()
            self.library.progress.label.setText("Cancelling after the current file…")

    def _index_file(self, index, path):
        self.library.indexing_path = path
        self.library.progress.file(index, path)
        self._refresh_soon()

    def _index_file_done(self, outcome):
        self.library.indexing_path = None
        self._refresh_soon()
        if outcome.error:
            self.statusBar().showMessage(f"{Path(outcome.path).name}: {outcome.error}", 10000)

    def _index_finished(self, report):
        self._index_worker = None
        self.library.add_button.setEnabled(True)
        self.library.indexing_path = None
        counts = ", ".join(f"{n} {k}" for k, n in sorted(report.counts().items())) or "no media files found"
        failed = len(report.failed)
        cancelled = " (cancelled)" if "cancelled" in report.notices else ""
        notes = [n for n in report.notices if n != "cancelled"]
        self.library.progress.finish(f"Done{cancelled}: {counts} in {report.seconds:.1f} s"
                                     + (f"; {failed} failed (see the Reason column)" if failed else "")
                                     + "".join(f"<br><small>note: {_esc(n)}</small>" for n in notes[:5]))
        self.refresh_library()
        self.statusBar().showMessage(f"Indexed: {counts}", 10000)

    def _index_failed(self, message):
        self._index_worker = None
        self.library.add_button.setEnabled(True)
        self.library.progress.finish(message)
        self.error(message)
        self.refresh_library()

    @property
    def indexing(self) -> bool:
        return self._index_worker is not None

    # -- hits -------------------------------------------------------------------
    def media_row(self, media_id: int) -> dict | None:
        row = self._media_cache.get(media_id)
        if row is None:
            row = self._media_cache[media_id] = self.catalog.media_by_id(media_id)
        return row

    def describe_hit(self, hit: Hit) -> tuple[str, str | None]:
        """(source timecode of the hit's start, a thumbnail path) for a results row."""
        row = self.media_row(hit.media_id)
        if row is None or media_rate(row) is None:
            return f"{hit.start:.2f}s", hit.thumbnail
        rate = media_rate(row)
        frame = int(Fraction(str(hit.start)) * rate)
        tc = Timecode(rate, bool(row["drop_frame"])).to_string((row["start_tc_frames"] or 0) + frame)
        return tc, hit.thumbnail or self.thumbnail_at(hit.media_id, frame)

    def thumbnail_at(self, media_id, frame: int) -> str | None:
        """The thumbnail of the shot that holds a frame."""
        if media_id is None:
            return None
        shot = self.catalog.one(
            "SELECT t.path FROM shots s JOIN thumbnails t ON t.shot_id = s.id WHERE s.media_id = ? "
            "AND s.start_frame <= ? ORDER BY s.start_frame DESC LIMIT 1", (media_id, frame))
        return str(self.catalog.dir / shot["path"]) if shot else None

    def start_search(self, mode: str, text: str):
        pad_b, pad_a = self.player.pads()
        try:
            query = build_query(mode, text, pad_before=0.0, pad_after=0.0)
        except ValueError as exc:
            self.error(str(exc))
            return
        if query.is_empty():
            self.error("Type something to search for")
            return
        if self.catalog is None:
            self.error("Create the library and add footage first")
            return
        self._search_gen += 1
        self._searching = True
        self.results.clear(f"Searching {mode}: {text}…")
        self.playlist_mode = "results"
        self._playlist_hits = []
        worker = SearchWorker(self.library_dir, query, self._search_gen)
        worker.signals.hits.connect(self._search_hits)
        worker.signals.finished.connect(self._search_finished)
        worker.signals.failed.connect(self._search_failed)
        self._keep(worker)
        self.pool.start(worker)

    def _keep(self, worker):
        self._workers.add(worker)
        done = lambda *_, w=worker: self._workers.discard(w)  # noqa: E731
        worker.signals.finished.connect(done)
        worker.signals.failed.connect(done)

    def _search_hits(self, gen, hits):
        if gen == self._search_gen:
            first = not self.results.hits
            self.results.add_hits(hits)
            self._rebuild_playlist(cue=first)

    def _search_finished(self, gen, seconds):
        if gen != self._search_gen:
            return
        self._searching = False
        n = len(self.results.hits)
        self.results.summary.setText(f"{n} hits ({seconds:.2f} s)" if n else "No hits")
        self.statusBar().showMessage(f"{n} hits in {seconds:.2f} s", 8000)

    def _search_failed(self, gen, message):
        if gen != self._search_gen:
            return
        self._searching = False
        self.results.summary.setText(f"Search failed: {message}")
        self.error(f"Search failed: {message}")

    @property
    def searching(self) -> bool:
        return self._searching

    def _frame_ref(self) -> str | None:
        """The player's frame as MEDIA_PATH@SECONDS, the core's way to name a catalogued frame."""
        if not (0 <= self.player.index < len(self.player.items)) or self.player.current_frame is None:
            self.error("Show a frame in the player first")
            return None
        item = self.player.items[self.player.index]
        return f"{item.path}@{float(Fraction(self.player.current_frame) / item.rate):.3f}"

    def search_same_as_frame(self):
        ref = self._frame_ref()
        if ref:
            self.search.set_query("same footage", ref)
            self.search.submit()

    def search_like_frame(self):
        ref = self._frame_ref()
        if ref:
            self.search.set_query("image", ref)
            self.search.submit()

    def browse_media(self, media_id: int):
        """Selecting a file in the library lists its shots as hits (like 'framesense shots')."""
        row = self.media_row(media_id)
        if not row or media_rate(row) is None:
            return
        rate = media_rate(row)
        hits = [Hit(media_id=media_id, media_path=row["path"], start=float(s["start_frame"] / rate),
                    end=float(s["end_frame"] / rate), score=1.0, kind="shot", shot=s["idx"],
                    thumbnail=str(self.catalog.dir / s["thumbnail"]) if s["thumbnail"] else None)
                for s in self.catalog.shots(media_id)]
        self._search_gen += 1
        self._playlist_hits = []
        self.results.clear()
        self.results.add_hits(hits)
        self.results.summary.setText(f"{len(hits)} shots of {row['name']}")
        self.playlist_mode = "results"
        self._rebuild_playlist(cue=True)

    # -- player -------------------------------------------------------------------
    def _clip_for_hit(self, hit_index: int) -> seqmod.Clip | None:
        hit = self.results.hits[hit_index]
        row = self.media_row(hit.media_id)
        if not row or media_rate(row) is None:
            return None   # audio-only media: nothing to show or cut
        return seqmod.clip_from_hit(self.catalog, hit, *self.player.pads(), cache=self._clip_cache)

    @staticmethod
    def _play_item(clip, caption: str) -> PlayItem:
        m = clip.media
        return PlayItem(m.path, m.rate, clip.source_in, clip.source_out, label=m.name, caption=caption,
                        start_tc_frames=m.start_frame, drop_frame=m.drop_frame)

    def _rebuild_playlist(self, cue: bool = True):
        if self.playlist_mode != "results":
            return
        keep = self._playlist_hits[self.player.index] if 0 <= self.player.index < len(self._playlist_hits) else None
        items, order = [], []
        for i in self.results.visible_indices():
            clip = self._clip_for_hit(i)
            if clip is None:
                continue
            hit = self.results.hits[i]
            item = self._play_item(clip, caption_html(hit.text, hit.context))
            words = (hit.extra or {}).get("words") or ()
            if words and hit.text:
                item.words, item.text, item.context = tuple(tuple(w) for w in words), hit.text, hit.context
            items.append(item)
            order.append(i)
        was_playing = self.player.playing
        self._playlist_hits = order
        if not cue and self.player.index >= 0:
            self.player.items = items  # more hits arrived: extend without interrupting playback
            return
        at = order.index(keep) if keep in order else 0
        self.player.set_playlist(items, at, play=was_playing)

    def _hit_selected(self, hit_index: int):
        if hit_index < 0:
            return
        if self.playlist_mode != "results":
            self.playlist_mode = "results"
            self._rebuild_playlist()
        if hit_index in self._playlist_hits:
            pos = self._playlist_hits.index(hit_index)
            if pos != self.player.index:
                self.player.cue(pos)

    def _player_item_changed(self, pos: int):
        if self.playlist_mode == "results" and 0 <= pos < len(self._playlist_hits):
            self.results.select_hit(self._playlist_hits[pos])
        elif self.playlist_mode == "sequence":
            self.timeline.follow_playback(pos)   # the playhead follows; the selection (what edits act on) stays

    def _sequence_frame_shown(self, frame: int):
        if self.playlist_mode == "sequence":
            self.timeline.follow_playback(self.player.index, frame)

    def play_results(self):
        self.playlist_mode = "results"
        self._rebuild_playlist()
        self.player.play()

    def play_sequence(self, from_frame: int | None = None):
        """Play the timeline's clips, from the clip under the playhead (at the playhead's frame)."""
        clips = self.timeline.sequence.clips
        if not clips:
            self.error("The timeline is empty")
            return
        self.playlist_mode = "sequence"
        items = [self._play_item(c, caption_html(seqmod.clip_text(c), None)) for c in clips]
        start = self.timeline.playhead_clip()
        if from_frame is not None and 0 <= start < len(items):
            first = seqmod.source_frame_at(self.timeline.sequence, start, from_frame)
            if clips[start].source_in < first < clips[start].source_out:
                items[start].first = first
        self.player.set_playlist(items, start if start < len(items) else 0, play=True)

    # -- timeline -----------------------------------------------------------------
    def add_selected_to_timeline(self):
        indices = self.results.selected_indices()
        if not indices and 0 <= self.player.index < len(self._playlist_hits) and self.playlist_mode == "results":
            indices = [self._playlist_hits[self.player.index]]
        self.add_hits_to_timeline(indices)

    def add_hits_to_timeline(self, indices: list, at: int | None = None):
        clips = [c for c in (self._clip_for_hit(i) for i in indices if 0 <= i < len(self.results.hits)) if c]
        if not clips:
            self.error("Select hits (with video) to add to the timeline")
            return
        seq = self.timeline.sequence
        if not seq.clips and seq.rate != clips[0].media.rate:  # an empty sequence takes its first clip's rate
            seq.rate, seq.drop_frame = clips[0].media.rate, clips[0].media.drop_frame
            seq.start_frame = seq.timecode.to_frames("01:00:00:00")
        self.timeline.add_clips(clips, at)
        self.statusBar().showMessage(f"Added {len(clips)} clip(s) to the timeline", 5000)

    def new_sequence(self):
        if not self.timeline.confirm_discard(self.save_sequence, "start a new sequence"):
            return
        self.timeline.set_sequence(seqmod.new_sequence())

    def choose_sequence(self):
        if not self.timeline.confirm_discard(self.save_sequence, "open another sequence"):
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open sequence", str(self.library_dir), SEQUENCE_FILTER)
        if path:
            self.open_sequence(path)

    def open_sequence(self, path):
        try:
            seq = seqmod.load_sequence(path)
        except Exception as exc:
            self.error(str(exc))
            if self.isVisible() and not _offscreen():
                QMessageBox.warning(self, "Open sequence", str(exc))
            return False
        self.timeline.set_sequence(seq, Path(path))
        return True

    def save_sequence(self, ask: bool = False, path=None):
        path = path or (None if ask else self.timeline.path)
        if path is None:
            default = str(self.library_dir / f"{self.timeline.sequence.name}{seqmod.SEQUENCE_SUFFIX}")
            path, _ = QFileDialog.getSaveFileName(self, "Save sequence", default, SEQUENCE_FILTER)
            if not path:
                return None
        path = seqmod.save_sequence(self.timeline.sequence, path, catalog=self.catalog)
        self.timeline.mark_saved(path)
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return path

    def export_dialog(self) -> ExportDialog:
        path = self.timeline.path   # the last export's folder, else the sequence's, else the library's
        folder = self.settings.value("export/folder") or str(Path(path).parent if path else self.library_dir)
        return ExportDialog(self.timeline.sequence, self, folder, catalog=self.catalog)

    def show_export(self):
        dlg = self.export_dialog()
        dlg.exec()
        if dlg.written:
            self.settings.setValue("export/folder", str(dlg.written[0].parent))


def _esc(text) -> str:
    import html
    return html.escape(str(text))


def _offscreen() -> bool:
    return QApplication.platformName() in ("offscreen", "minimal")
