"""``framesense index --ray auto|ADDRESS|local:N``: per-file analysis on a Ray cluster.

Ray (an existing engine, not a home-made one) schedules the work; this process stays
the single writer. Each Ray worker is an actor that builds the analyzers once, so each
model loads once per worker, not once per file. The head walks, hashes, probes and
registers files, plans their stages and sends each plan with a snapshot of the file's
catalog rows; the actor decodes the footage (at the same path on every machine: a
shared mount, or a synced copy) and returns the stage outcomes, thumbnails included
as bytes. The head commits them one transaction per stage, exactly as a local run.

Failures: an actor that dies mid-file (a crash, a lost node, kill -9) is restarted by
Ray (``max_restarts``) and the file's task re-run on it (``max_task_retries``); a file
whose retries are spent is recorded as failed with the reason and the run goes on.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .analysis.perfile import FileTask, run_task
from .offline import QUIET_ENV
from .parallel import Pool, dispatch

MAX_RESTARTS = 4
MAX_TASK_RETRIES = 3


class FileWorker:
    """A Ray actor: the analyzers (and their models) for the life of the worker."""

    def __init__(self, options: dict, library_dir: str):
        from .plugins.manager import get_plugins
        self.options = options
        self.analyzers = get_plugins().analyzers(options)
        lib = Path(library_dir)
        # Stages that read the library (isolated plugins) see it when it is shared; else a scratch folder.
        self.library_dir = lib if lib.is_dir() else Path(tempfile.mkdtemp(prefix="framesense-ray-"))

    def pid(self) -> int:
        return os.getpid()

    def run(self, task: FileTask) -> list:
        return run_task(task, self.analyzers, self.library_dir, options=self.options)

    def __del__(self):
        for a in getattr(self, "analyzers", ()):
            getattr(a, "close", lambda: None)()   # plugin processes end with the actor


def connect(address: str) -> bool:
    """Join or start a Ray cluster; True when this process started it (and so stops it)."""
    import ray

    if ray.is_initialized():
        return False
    # Workers of a cluster started elsewhere do not inherit this environment: the opt-outs go with the job.
    job = dict(log_to_driver=False, logging_level="ERROR", runtime_env={"env_vars": dict(QUIET_ENV)})
    quiet = dict(include_dashboard=False, **job)
    if address.startswith("local"):
        n = int(address.split(":", 1)[1]) if ":" in address else None
        ray.init(num_cpus=n, **quiet)
        return True
    if address == "auto":
        try:
            ray.init(address="auto", **job)
            return False
        except (ConnectionError, RuntimeError):
            ray.init(**quiet)
            return True
    ray.init(address=address, **job)
    return False


class RayPool(Pool):
    def __init__(self, address: str, options: dict, library_dir: Path, workers: int | None = None):
        import ray

        self.ray = ray
        self.started = connect(address)
        n = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        actor = ray.remote(num_cpus=1, max_restarts=MAX_RESTARTS, max_task_retries=MAX_TASK_RETRIES)(FileWorker)
        self.actors = [actor.remote(options, str(library_dir)) for _ in range(n)]
        self.load = [0] * n
        self.refs: dict = {}           # object ref -> (key, actor index)
        self.slots = 2 * n

    def submit(self, key, task):
        i = min(range(len(self.actors)), key=lambda k: self.load[k])
        self.load[i] += 1
        self.refs[self.actors[i].run.remote(task)] = (key, i)

    def events(self, timeout):
        if not self.refs:
            return
        ray = self.ray
        ready, _ = ray.wait(list(self.refs), num_returns=1, timeout=timeout or 0)
        if ready:
            more, _ = ray.wait([r for r in self.refs if r not in ready], num_returns=max(1, len(self.refs) - 1),
                               timeout=0) if len(self.refs) > 1 else ([], [])
            ready = ready + more
        for ref in ready:
            key, i = self.refs.pop(ref)
            self.load[i] -= 1
            try:
                outcomes = ray.get(ref)
            except Exception as exc:  # retries spent: the actor kept dying, or the task raised
                yield ("lost", key, f"Ray task failed after retries: {type(exc).__name__}: {str(exc)[:300]}")
                continue
            for o in outcomes:
                yield ("stage", key, o)
            yield ("done", key)

    def close(self):
        for a in self.actors:
            try:
                self.ray.kill(a)
            except Exception:
                pass
        if self.started:
            self.ray.shutdown()


class RayExecutor:
    """``Indexer.run(paths, executor=RayExecutor("auto", options))``."""

    def __init__(self, address: str, options: dict, workers: int | None = None):
        try:
            import ray  # noqa: F401
        except ImportError:
            from .errors import FrameSenseError
            from .installation import how_to_get
            raise FrameSenseError(f"--ray needs Ray: {how_to_get('scale', 'Ray')}") from None
        self.address, self.options, self.workers = address, options, workers

    def run(self, indexer, files, report):
        if not files:
            return
        dispatch(indexer, files, report, RayPool(self.address, self.options, indexer.catalog.dir, self.workers))
