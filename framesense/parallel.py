"""``framesense index --jobs N``: files analysed in N worker processes, one writer committing.

SQLite has one writer, so the indexing process keeps it: it walks, hashes, probes and
registers each file, plans its stages, and ships the plan with a snapshot of the
file's catalog rows (``analysis.perfile``) to a worker. Workers stream each stage's
outcome back as soon as it is computed; the writer commits it in its own transaction,
exactly as a one-process run does, so kill -9 at any moment loses only uncommitted
work and a re-run resumes. A worker that dies (a decoder crash, the OOM killer) has
its files retried once on a fresh worker, then recorded as failed.

The dispatch loop (``dispatch``) is shared with the Ray executor (``distributed``).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from pathlib import Path
from typing import Iterator

from .analysis.perfile import FileTask, run_task, snapshot
from .child_process import die_with_parent

RETRIES = 1          # a file whose worker died is tried this many more times
PROGRESS_EVERY_S = 0.25


class Pool:
    """What ``dispatch`` needs from a set of workers."""

    slots = 1                                      # files in flight at once

    def submit(self, key: int, task: FileTask) -> None: ...

    def events(self, timeout: float) -> Iterator[tuple]:
        """("stage", key, StageOutcome) | ("progress", key, stage, fraction, note) | ("done", key)
        | ("lost", key, reason): the worker holding it is gone."""
        return iter(())

    def close(self) -> None: ...


def dispatch(indexer, files: list[Path], report, pool: Pool, retries: int = RETRIES) -> None:
    """Feed files to the pool, commit outcomes as they stream back, report progress like a local run."""
    progress = indexer.progress
    todo = iter(files)
    inflight: dict[int, list] = {}   # key -> [path, outcome, task, tries]
    done = 0
    more = True
    try:
        while more or inflight:
            while more and len(inflight) < pool.slots:
                if progress.cancelled():
                    report.notices.append("cancelled")
                    more = False
                    break
                path = next(todo, None)
                if path is None:
                    more = False
                    break
                outcome, task = indexer.prepare(path)
                if task is None or not task.stages:
                    if task is not None:
                        indexer.finish_file(task, outcome)
                    progress.file(done, str(path))
                    report.files.append(outcome)
                    progress.file_done(outcome)
                    done += 1
                    continue
                task.snapshot = snapshot(indexer.catalog, task.media["id"])
                key = task.media["id"]
                inflight[key] = [path, outcome, task, 0]
                pool.submit(key, task)
            for event in pool.events(0.2 if inflight else 0):
                kind, key = event[0], event[1]
                entry = inflight.get(key)
                if entry is None:
                    continue
                path, outcome, task, tries = entry
                if kind == "progress":
                    progress.file(done, str(path))
                    progress.stage(event[2], event[3], event[4])
                elif kind == "stage":
                    o = event[2]
                    if o.name in task.stages:  # a retried task may repeat a committed stage: commit it once
                        task.stages = [s for s in task.stages if s != o.name]
                        if o.status == "done":
                            task.settled.append(o.name)
                        progress.file(done, str(path))
                        indexer.commit_stage(task, o, outcome)
                elif kind in ("done", "lost"):
                    if kind == "lost" and task.stages and tries < retries:
                        entry[3] += 1
                        progress.notice(f"{path}: {event[2]}; retrying")
                        task.snapshot = snapshot(indexer.catalog, task.media["id"])
                        pool.submit(key, task)
                        continue
                    lost = None
                    if kind == "lost" and task.stages:
                        lost = f"{', '.join(task.stages)}: {event[2]}"
                    indexer.finish_file(task, outcome, lost=lost)
                    del inflight[key]
                    progress.file(done, str(path))
                    report.files.append(outcome)
                    progress.file_done(outcome)
                    done += 1
    finally:
        pool.close()


# -- local worker processes ----------------------------------------------------------------

def _worker_main(options: dict, library_dir: str, tasks, conn, parent: int) -> None:
    if not die_with_parent(parent):   # the kernel kills this worker when the writer dies (kill -9 included)
        return
    import threading
    from .plugins.manager import get_plugins
    lock = threading.Lock()   # plugin stages report progress from their own threads

    class _Events:
        @staticmethod
        def put(event):
            with lock:
                conn.send(event)

    events = _Events()
    analyzers = get_plugins().analyzers(options)
    try:
        _serve(analyzers, options, library_dir, tasks, events)
    finally:
        for a in analyzers:
            getattr(a, "close", lambda: None)()   # plugin processes end with the worker


def _serve(analyzers, options: dict, library_dir: str, tasks, events) -> None:
    while True:
        item = tasks.get()
        if item is None:
            return
        key, task = item
        last = [0.0]

        def progress(name, fraction, note="", key=key):
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY_S or fraction >= 1.0:
                last[0] = now
                events.put(("progress", key, name, fraction, note))

        run_task(task, analyzers, Path(library_dir), emit=lambda o, key=key: events.put(("stage", key, o)),
                 progress=progress, options=options)
        events.put(("done", key))


class ProcessPool(Pool):
    """N spawned worker processes, each building the analyzers (and loading models) once."""

    def __init__(self, jobs: int, options: dict, library_dir: Path):
        self.ctx = mp.get_context("spawn")  # no fork: torch and decoder threads do not survive it
        self.options, self.library_dir = options, str(library_dir)
        self.jobs = max(1, jobs)
        self.workers: list[dict] = []        # started at the first file that needs analysis
        self.slots = 2 * self.jobs           # one running and one waiting per worker: no idle gap for probes

    def _start(self) -> dict:
        # Not a daemon: a worker starts plugin processes of its own (plugins/host.py); it dies with the
        # writer anyway (PR_SET_PDEATHSIG) and ``close`` stops it.
        # One task queue and one event pipe per worker: a worker killed mid-send takes only its own
        # channel down (a shared queue's lock would stay held and stall every other worker).
        tasks = self.ctx.Queue()
        recv, send = self.ctx.Pipe(duplex=False)
        proc = self.ctx.Process(target=_worker_main, args=(self.options, self.library_dir, tasks, send,
                                                           os.getpid()), name="framesense-worker")
        proc.start()
        send.close()
        return {"proc": proc, "tasks": tasks, "keys": [], "events": recv}

    def submit(self, key, task):
        if not self.workers:
            self.workers = [self._start() for _ in range(self.jobs)]
        w = min(self.workers, key=lambda w: len(w["keys"]))
        w["keys"].append(key)
        w["tasks"].put((key, task))

    def events(self, timeout):
        from multiprocessing.connection import wait

        out = []
        if not self.workers:
            return
        ready = wait([w["events"] for w in self.workers], timeout=timeout)
        for w in self.workers:
            if w["events"] in ready:
                try:
                    while w["events"].poll():
                        out.append(w["events"].recv())
                except (EOFError, OSError):
                    pass  # it died; handled below
        for ev in out:
            if ev[0] == "done":
                for w in self.workers:
                    if ev[1] in w["keys"]:
                        w["keys"].remove(ev[1])
        for i, w in enumerate(self.workers):
            if not w["proc"].is_alive():
                # what it sent before dying was read above; its unfinished files are lost
                code, lost = w["proc"].exitcode, list(w["keys"])
                w["events"].close()
                self.workers[i] = self._start()
                out.extend(("lost", k, f"worker process died (exit code {code})") for k in lost)
        yield from out

    def close(self):
        for w in self.workers:
            try:
                w["tasks"].put(None)
            except Exception:
                pass
        deadline = time.monotonic() + 10
        for w in self.workers:
            w["proc"].join(max(0.1, deadline - time.monotonic()))
            if w["proc"].is_alive():
                w["proc"].kill()
                w["proc"].join(2)


class ProcessExecutor:
    """``Indexer.run(paths, executor=ProcessExecutor(2, options))``."""

    def __init__(self, jobs: int, options: dict):
        self.jobs, self.options = jobs, options

    def run(self, indexer, files, report):
        if not files:
            return
        pool = ProcessPool(min(self.jobs, len(files)), self.options, indexer.catalog.dir)
        dispatch(indexer, files, report, pool)
