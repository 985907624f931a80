"""``framesense index``: walk folders, register media, run analyzers incrementally.

Per file: stat, fingerprint (size + mtime + a partial content hash), probe, then
each analyzer as its own transaction. Re-running skips what is done, redoes
what changed, and follows moved files by their fingerprint.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from .analysis.base import Analyzer
from .analysis.perfile import FileTask, StageOutcome, analyze_file
from .catalog import Catalog
from .errors import MediaError, not_the_footage  # noqa: F401 - not_the_footage is used here and by importers
from .media.probe import MediaInfo, probe
from .progress import Progress

# Files a footage folder holds beside the footage; never probed when walking a folder.
SIDECAR_EXTS = {
    ".srt", ".vtt", ".json", ".txt", ".xml", ".fcpxml", ".edl", ".otio", ".otioz", ".ale", ".csv",
    ".md", ".pdf", ".doc", ".docx", ".jpg", ".jpeg", ".png", ".gif", ".tif", ".tiff", ".bmp",
    ".webp", ".heic", ".psd", ".db", ".sqlite", ".ini", ".log", ".zip", ".py", ".html", ".lut",
    ".cube", ".xmp", ".thm", ".lrv", ".sha1", ".md5", ".bak", ".tmp", ".part", ".lock",
}

HASH_CHUNK = 1 << 20


def content_hash(path, size: int | None = None) -> str:
    """blake2b of the size and three 1 MiB pieces (head, middle, tail): fast on huge files."""
    size = os.path.getsize(path) if size is None else size
    h = hashlib.blake2b(digest_size=16)
    h.update(str(size).encode())
    with open(path, "rb") as f:
        for offset in sorted({0, max(0, size // 2 - HASH_CHUNK // 2), max(0, size - HASH_CHUNK)}):
            f.seek(offset)
            h.update(f.read(HASH_CHUNK))
    return h.hexdigest()


def walk(paths: Iterable, errors: list, library: Path | None = None) -> list[Path]:
    """Expand folders into candidate files; a file named explicitly is always a candidate,
    except inside ``library``: the catalog, its WAL and caches are never footage."""
    found: list[Path] = []
    library = Path(library).resolve() if library is not None else None

    def in_library(path: Path) -> bool:
        return library is not None and (path == library or library in path.parents)

    for raw in paths:
        p = Path(raw).expanduser()
        if not p.exists():
            errors.append((str(p), "path not found"))
            continue
        p = p.resolve()
        if in_library(p):
            continue
        if p.is_file():
            found.append(p)
            continue
        for root, dirs, files in os.walk(p, onerror=lambda e: errors.append((e.filename, f"cannot list folder: {e.strerror}"))):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not in_library(Path(root) / d))
            for name in sorted(files):
                if name.startswith(".") or Path(name).suffix.lower() in SIDECAR_EXTS:
                    continue
                found.append(Path(root) / name)
    seen, unique = set(), []
    for f in found:
        if f not in seen:
            seen.add(f)
            unique.append(f)
    return unique


@dataclass
class FileOutcome:
    path: str
    action: str               # new, changed, moved, unchanged, resumed (unchanged, stages left to do), failed
    error: str | None = None
    stages: dict = field(default_factory=dict)  # analyzer -> done/failed/skipped/cached
    warnings: list = field(default_factory=list)  # optional (plugin) stages that failed; the file is still indexed


@dataclass
class IndexReport:
    files: list[FileOutcome] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.error]

    def counts(self) -> dict:
        out: dict = {}
        for f in self.files:
            out[f.action] = out.get(f.action, 0) + 1
        return out

    def to_json(self) -> dict:
        return {"counts": self.counts(), "failed": [{"path": f.path, "error": f.error} for f in self.failed],
                "notices": self.notices, "seconds": round(self.seconds, 3),
                "files": [vars(f) for f in self.files]}


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _media_values(info: MediaInfo) -> dict:
    import json
    return {
        "container": info.container, "duration": info.duration, "frames": info.frames,
        "rate_num": info.rate.numerator if info.rate else None,
        "rate_den": info.rate.denominator if info.rate else None,
        "vfr": int(info.vfr), "width": info.width, "height": info.height,
        "video_codec": info.video_codec, "pix_fmt": info.pix_fmt, "has_video": int(info.has_video),
        "audio_streams": json.dumps([vars(a) for a in info.audio]),
        "start_timecode": info.start_timecode, "start_tc_frames": info.start_tc_frames,
        "drop_frame": int(info.drop_frame), "reel": info.reel,
    }


class Indexer:
    def __init__(self, catalog: Catalog, analyzers: list[Analyzer], progress: Progress | None = None):
        self.catalog = catalog
        self.analyzers = analyzers
        self.progress = progress or Progress()
        self._unavailable: dict[str, str] = {}
        self._by_name = {a.name: a for a in analyzers}
        self._failing: dict[int, list[str]] = {}   # media id -> failures of required stages so far
        self._warned: dict[int, list[str]] = {}    # media id -> damage stages worked around
        for a in analyzers:
            reason = a.unavailable_reason()
            if reason:
                self._unavailable[a.name] = reason

    def run(self, paths: Iterable, executor=None) -> IndexReport:
        """Index PATHS; ``executor`` (``parallel.ProcessExecutor``, ``distributed.RayExecutor``)
        runs the per-file analysis elsewhere while this process stays the single writer."""
        t0 = time.perf_counter()
        report = IndexReport()
        self.catalog.verify()   # writing into a damaged file spreads the damage (~1 s per 600 MB, once per state)
        for name, reason in self._unavailable.items():
            report.notices.append(f"{name}: {reason}")
            self.progress.notice(f"{name}: {reason}")
        walk_errors: list = []
        paths = list(paths)
        files = walk(paths, walk_errors, self.catalog.dir)
        for raw in paths:
            p = Path(raw).expanduser()
            if p.is_dir():
                with self.catalog.transaction():
                    self.catalog.add_folder(p.resolve())
        for path, reason in walk_errors:   # unlistable folders: in the catalog too, so `media --status failed` shows them
            if reason != "path not found":
                self._record_failure(Path(path), None, reason, self.catalog.media_by_path(path))
            report.files.append(FileOutcome(path=str(path), action="failed", error=reason))
        self.progress.start(len(files))
        if executor is not None:
            executor.run(self, files, report)
        else:
            for i, path in enumerate(files):
                if self.progress.cancelled():
                    report.notices.append("cancelled")
                    break
                self.progress.file(i, str(path))
                outcome = self.index_file(path)
                report.files.append(outcome)
                self.progress.file_done(outcome)
        report.seconds = time.perf_counter() - t0
        return report

    # -- one file ------------------------------------------------------------
    def index_file(self, path: Path) -> FileOutcome:
        """Register, analyse here, commit each stage as soon as it is computed."""
        outcome, task = self.prepare(path)
        if task is not None:
            analyze_file(task, self.analyzers, self.catalog, self.catalog.dir, progress=self.progress.stage,
                         emit=lambda o: self.commit_stage(task, o, outcome))
            self.finish_file(task, outcome)
        return outcome

    def prepare(self, path: Path) -> tuple[FileOutcome, FileTask | None]:
        """Writer side, before analysis: stat, hash, probe, register; then plan the stages to run.
        Returns the outcome so far and the task (None when the file failed already)."""
        cat = self.catalog
        spath = str(path)   # lossless: a name that is not UTF-8 keeps its bytes (see ``framesense.paths``)
        try:
            st = path.stat()
        except OSError as exc:   # a broken link, a link loop, a file gone since the walk
            reason = f"cannot read: {exc.strerror}" + (" (a broken or looping link)" if path.is_symlink() else "")
            self._record_failure(path, None, reason, cat.media_by_path(spath))
            return FileOutcome(spath, "failed", reason), None
        if not stat.S_ISREG(st.st_mode):   # a FIFO would block the hash forever; devices and sockets are no footage
            reason = "not a regular file (a pipe, device or socket): skipped"
            self._record_failure(path, st, reason, cat.media_by_path(spath))
            return FileOutcome(spath, "failed", reason), None
        row = cat.media_by_path(spath)
        try:
            if row and row["size"] == st.st_size and row["mtime_ns"] == st.st_mtime_ns and row["content_hash"]:
                action = "unchanged"
            else:
                digest = content_hash(path, st.st_size)
                action, row = self._register(path, st, digest, row)
        except MediaError as exc:
            self._record_failure(path, st, exc.reason, row)
            return FileOutcome(spath, "failed", exc.reason), None
        except OSError as exc:
            if not_the_footage(exc):
                raise
            reason = f"cannot read: {exc.strerror or exc}"
            self._record_failure(path, st, reason, row)
            return FileOutcome(spath, "failed", reason), None
        outcome = FileOutcome(spath, action)
        return outcome, self._plan(row, outcome)

    def _register(self, path: Path, st, digest: str, row: dict | None):
        """Insert, update or move a media row; returns (action, row)."""
        cat = self.catalog
        spath = str(path)
        if row and row["content_hash"] == digest and row["size"] == st.st_size:
            with cat.transaction():
                cat.update("media", row["id"], {"mtime_ns": st.st_mtime_ns, "updated_at": _now()})
            return "unchanged", cat.media_by_id(row["id"])
        if not row:
            for twin in cat.query("SELECT * FROM media WHERE content_hash = ? AND size = ? AND status != 'failed'",
                                  (digest, st.st_size)):
                if not Path(twin["path"]).exists():
                    with cat.transaction():
                        cat.update("media", twin["id"], {"path": spath, "folder": str(path.parent),
                                                         "name": path.name, "mtime_ns": st.st_mtime_ns,
                                                         "updated_at": _now()})
                    return "moved", cat.media_by_id(twin["id"])
        info = probe(path)
        values = {"path": spath, "folder": str(path.parent), "name": path.name, "size": st.st_size,
                  "mtime_ns": st.st_mtime_ns, "content_hash": digest, "status": "pending", "error": None,
                  "updated_at": _now(), **_media_values(info)}
        with cat.transaction():
            if row:
                # Changed content: every derived row goes (cascade), the media keeps its id.
                cat.execute("DELETE FROM analysis_runs WHERE media_id = ?", (row["id"],))
                for a in self.analyzers:
                    for table in a.owns_tables:
                        cat.execute(f"DELETE FROM {table} WHERE media_id = ?", (row["id"],))
                cat.update("media", row["id"], values)
                media_id, action = row["id"], ("changed" if row["content_hash"] else "new")
            else:
                media_id, action = cat.insert("media", values), "new"
        return action, cat.media_by_id(media_id)

    def _record_failure(self, path: Path, st, reason: str, row: dict | None):
        cat = self.catalog
        values = {"path": str(path), "folder": str(path.parent), "name": path.name,
                  "size": st.st_size if st else None, "mtime_ns": st.st_mtime_ns if st else None,
                  "content_hash": None, "status": "failed", "error": reason, "updated_at": _now()}
        with cat.transaction():
            if row:
                cat.update("media", row["id"], values)
            else:
                cat.insert("media", values)

    def _plan(self, row: dict, outcome: FileOutcome) -> FileTask:
        """The stages this file still needs (not done with this version and model)."""
        cat = self.catalog
        runs = cat.runs(row["id"])
        task = FileTask(media=row, stages=[], models={})
        self._failing[row["id"]] = []
        warned = self._warned[row["id"]] = []   # damage a stage worked around: the file is indexed, the user is told
        for a in self.analyzers:
            off = getattr(a, "disabled_reason", None)  # a plugin that failed earlier in this run
            if off:
                with cat.transaction():
                    self._record_run(row["id"], a, None, "skipped", off, None, _now(), 0.0)
                outcome.stages[a.name] = "skipped"
                continue
            try:
                if a.name in self._unavailable or not a.applies_to(row):
                    continue
                model = a.model_id()
            except Exception as exc:
                if not getattr(a, "optional", False):
                    raise
                with cat.transaction():
                    self._record_run(row["id"], a, None, "failed", f"{type(exc).__name__}: {exc}",
                                     traceback.format_exc(limit=8), _now(), 0.0)
                outcome.stages[a.name] = "failed"
                outcome.warnings.append(f"{a.name}: {type(exc).__name__}: {exc}")
                continue
            prev = runs.get(a.name)
            if prev and prev["status"] == "done" and prev["version"] == a.version and prev["model"] == model:
                outcome.stages[a.name] = "cached"
                if prev["error"]:
                    warned.append(f"{a.name}: {prev['error']}")
                task.settled.append(a.name)
                continue
            task.stages.append(a.name)
            task.models[a.name] = model
        return task

    def commit_stage(self, task: FileTask, o: StageOutcome, outcome: FileOutcome) -> None:
        """Writer side: one stage's outcome in its own transaction (rows + its run record).
        A full disk or a broken catalog stops the run, blaming no file."""
        cat = self.catalog
        a = self._by_name[o.name]
        mid = task.media["id"]
        if o.status == "fatal":
            raise o.result if isinstance(o.result, BaseException) else OSError(o.reason)
        if o.status == "skipped":
            outcome.stages[o.name] = "skipped"
            return
        reason, detail = o.reason, o.detail
        if o.status == "done":
            try:
                with cat.transaction():
                    note = a.store(cat, cat.media_by_id(mid), o.result)
                    warning = getattr(o.result, "warning", None) or None
                    self._record_run(mid, a, o.model, "done", warning, note, o.started, o.seconds)
                outcome.stages[o.name] = "done"
                if warning:
                    self._warned.setdefault(mid, []).append(f"{a.name}: {warning}")
                    outcome.warnings.append(f"{a.name}: {warning}")
                return
            except Exception as exc:  # a failing store rolls back; recorded like a failing analyze
                if not_the_footage(exc):
                    raise
                reason = str(exc) if hasattr(exc, "detail") else f"{type(exc).__name__}: {exc}"
                detail = getattr(exc, "detail", None) or traceback.format_exc(limit=8)
        with cat.transaction():
            self._record_run(mid, a, o.model, "failed", reason, detail, o.started or _now(), o.seconds)
        outcome.stages[o.name] = "failed"
        if getattr(a, "optional", False):
            outcome.warnings.append(f"{a.name}: {reason}")
            fail = getattr(a, "_fail", None)  # a plugin failing in a worker is switched off here too
            if fail and reason:
                fail(reason)
        else:
            self._failing.setdefault(mid, []).append(f"{a.name}: {reason}")

    def finish_file(self, task: FileTask, outcome: FileOutcome, lost: str | None = None) -> None:
        """Writer side: the media's status once every stage outcome is in (``lost``: its worker never answered)."""
        mid = task.media["id"]
        failures = self._failing.pop(mid, [])
        warned = self._warned.pop(mid, [])
        if lost:
            failures.append(lost)
        status = "failed" if failures else "indexed"
        error = "; ".join(failures) or ("warning: " + "; ".join(warned) if warned else None)
        if outcome.action == "unchanged" and any(v in ("done", "failed") for v in outcome.stages.values()):
            outcome.action = "resumed"   # a run killed part way through this file: its stages were finished now
        with self.catalog.transaction():
            self.catalog.update("media", mid, {"status": status, "error": error, "updated_at": _now()})
        if failures:
            outcome.error = error

    def _record_run(self, media_id, a: Analyzer, model, status, error, detail, started, seconds: float):
        self.catalog.execute(
            "INSERT INTO analysis_runs (media_id, analyzer, version, model, status, error, detail, started_at, "
            "finished_at, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (media_id, analyzer) DO UPDATE SET "
            "version = excluded.version, model = excluded.model, status = excluded.status, error = excluded.error, "
            "detail = excluded.detail, started_at = excluded.started_at, finished_at = excluded.finished_at, "
            "seconds = excluded.seconds",
            (media_id, a.name, a.version, model, status, error, detail, started, _now(), seconds))
