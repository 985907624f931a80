"""The analysis of one file, wherever it runs: in the indexing process, a ``--jobs`` worker
process or a Ray worker on another machine.

``analyze_file`` computes every planned stage and returns (or streams through ``emit``)
one ``StageOutcome`` per stage; it never writes the catalog. The single writer commits
each outcome in its own transaction. The shots scan decodes the file once and hands
sampled frames to every frame stage planned with it (``FrameConsumer``); a frame stage
planned without shots (shots already catalogued) decodes alone.

Workers away from the catalog read it through a ``snapshot``: an in-memory SQLite with
the catalog's schema and this file's rows only (its media row, shots, thumbnails and
hand-imported transcripts), shipped with the task.
"""

from __future__ import annotations

import sqlite3
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from ..catalog import Catalog, media_rate
from ..errors import MediaError, not_the_footage
from .base import AnalysisContext


@dataclass
class StageOutcome:
    name: str
    model: str | None
    status: str                  # done, failed, skipped; fatal: the machine or catalog failed (result: the exception)
    result: Any = None
    reason: str | None = None
    detail: str | None = None
    started: str = ""
    seconds: float = 0.0


@dataclass
class FileTask:
    """What the writer asks a worker to compute for one registered file."""
    media: dict                                  # the media row
    stages: list[str]                            # analyzers to run, in pipeline order
    models: dict[str, str | None]                # analyzer -> model id, recorded with the run
    settled: list[str] = field(default_factory=list)   # stages already done (their rows are in the catalog)
    snapshot: bytes | None = None                # the file's rows, for workers away from the catalog


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _failure(exc: BaseException) -> tuple[str, str | None]:
    reason = exc.reason if isinstance(exc, MediaError) else (
        str(exc) if hasattr(exc, "detail") else f"{type(exc).__name__}: {exc}")
    detail = None if isinstance(exc, MediaError) else (getattr(exc, "detail", None) or traceback.format_exc(limit=8))
    return reason, detail


def _is_frame_stage(a) -> bool:
    return getattr(a, "frame_request", None) is not None and "shots" in getattr(a, "requires", ())


def analyze_file(task: FileTask, analyzers: list, catalog: Catalog, library_dir: Path,
                 progress: Callable[[str, float, str], None] | None = None,
                 emit: Callable[[StageOutcome], None] | None = None, options: dict | None = None,
                 mirror: bool = False) -> list[StageOutcome]:
    """Compute the task's stages in order; ``emit`` receives each outcome as soon as it is known.

    A full disk or a broken catalog (``errors.not_the_footage``) is no stage's failure: in the
    writer it is raised; in a worker (``mirror``) it is sent as a ``fatal`` outcome and the file stops.
    ``mirror``: ``catalog`` is the worker's snapshot; a finished stage that a later one requires is
    stored into it too, so the later stage reads its rows (shots for a plugin) as it would in one process.
    """
    progress = progress or (lambda name, f, note="": None)
    by_name = {a.name: a for a in analyzers}
    stages = [by_name[n] for n in task.stages if n in by_name]
    media, rate = task.media, media_rate(task.media)
    ok = set(task.settled)
    out: list[StageOutcome] = []
    riders: dict[str, tuple] = {}     # frame stages that ride on the shots scan
    early: dict[str, StageOutcome] = {}
    if "shots" in task.stages and rate:
        for a in stages:
            if a.name != "shots" and _is_frame_stage(a):
                started, t0 = now(), time.perf_counter()
                try:
                    riders[a.name] = (a.frame_request, a.frame_session(media, rate))
                except Exception as exc:  # noqa: BLE001 - e.g. its model does not load: this stage fails
                    reason, detail = _failure(exc)
                    early[a.name] = StageOutcome(a.name, task.models.get(a.name), "failed", None, reason, detail,
                                                 started, time.perf_counter() - t0)
    scanned: dict[str, dict] = {}
    scan_started = now()
    needed = {r for a in stages for r in getattr(a, "requires", ())}

    def send(o: StageOutcome):
        out.append(o)
        if o.status == "done":
            ok.add(o.name)
            if mirror and o.name in needed:
                try:
                    with catalog.transaction():
                        by_name[o.name].store(catalog, catalog.media_by_id(media["id"]) or media, o.result)
                except Exception:  # noqa: BLE001 - the writer's commit is what counts; the snapshot is a view
                    pass
        if emit:
            emit(o)

    for a in stages:
        model = task.models.get(a.name)
        if a.name in early:
            send(early[a.name])
            continue
        blocked = [r for r in a.requires if r not in ok and r in by_name]
        if blocked:
            send(StageOutcome(a.name, model, "skipped", reason=f"needs {', '.join(blocked)}"))
            continue
        if a.name in scanned:
            s = scanned[a.name]
            send(StageOutcome(a.name, model, s["status"], s.get("result"), s.get("reason"), s.get("detail"),
                              scan_started, s["seconds"]))
            continue
        started, t0 = now(), time.perf_counter()
        progress(a.name, 0.0, "")
        current = catalog.media_by_id(media["id"]) or media   # as earlier stages left it (frames, duration)
        ctx = AnalysisContext(catalog=catalog, media=current, library_dir=library_dir,
                              progress=lambda f, note="", n=a.name: progress(n, f, note), options=options or {})
        if mirror and getattr(a, "host", None) is not None:   # a plugin's own process reads this snapshot
            ctx.snapshot = catalog.conn.serialize()
        try:
            if a.name == "shots" and riders:
                scan_started = started
                result = a.analyze(ctx, consumers=riders)
                scanned, result.consumers = dict(result.consumers), {}   # sent once, as their own outcomes
                riders = {}
            else:
                result = a.analyze(ctx)
            send(StageOutcome(a.name, model, "done", result, None, None, started, time.perf_counter() - t0))
        except Exception as exc:  # an analyzer's failure is recorded, the run goes on
            if not_the_footage(exc):
                if not mirror:
                    raise
                send(StageOutcome(a.name, model, "fatal", exc, f"{type(exc).__name__}: {exc}"))
                return out
            reason, detail = _failure(exc)
            send(StageOutcome(a.name, model, "failed", None, reason, detail, started, time.perf_counter() - t0))
        progress(a.name, 1.0, "")
    return out


# -- snapshots: a worker's read-only view of one file's catalog rows -----------------------------

_TEMPLATE: bytes | None = None
SNAPSHOT_TABLES = (("media", "id = ?"), ("shots", "media_id = ?"), ("thumbnails", "media_id = ?"),
                   ("transcripts", "media_id = ?"), ("segments", "media_id = ?"), ("words", "media_id = ?"))


def _empty_catalog_bytes() -> bytes:
    global _TEMPLATE
    if _TEMPLATE is None:
        from ..catalog import schema
        conn = sqlite3.connect(":memory:", isolation_level=None)
        schema.migrate(conn)
        _TEMPLATE = conn.serialize()
        conn.close()
    return _TEMPLATE


def _columns(conn, table) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def snapshot(catalog: Catalog, media_id: int) -> bytes:
    """This file's rows in an in-memory catalog, serialised (a few KB to a few hundred)."""
    mem = sqlite3.connect(":memory:", isolation_level=None)
    mem.deserialize(_empty_catalog_bytes())
    mem.execute("PRAGMA foreign_keys = OFF")
    for table, where in SNAPSHOT_TABLES:
        cols = [c for c in _columns(mem, table) if c in set(_columns(catalog.conn, table))]
        if not cols:
            continue
        names = ", ".join(cols)
        rows = catalog.conn.execute(f"SELECT {names} FROM {table} WHERE {where}", (media_id,)).fetchall()
        if rows:
            mem.execute("BEGIN")
            mem.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in cols)})",
                            [tuple(r) for r in rows])
            mem.execute("COMMIT")
    data = mem.serialize()
    mem.close()
    return data


def open_snapshot(data: bytes, library_dir: Path) -> Catalog:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.deserialize(data)
    conn.row_factory = sqlite3.Row
    return Catalog(library_dir, conn)


def run_task(task: FileTask, analyzers: list, library_dir: Path, emit=None, progress=None,
             options: dict | None = None) -> list[StageOutcome]:
    """A worker's whole job for one file: open the snapshot, analyse, close."""
    cat = open_snapshot(task.snapshot, library_dir)
    try:
        return analyze_file(task, analyzers, cat, library_dir, progress=progress, emit=emit, options=options,
                            mirror=True)
    finally:
        cat.close()
