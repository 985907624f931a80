"""A plugin analyzer in its own process: killed at its deadline, whatever it is doing.

A thread cannot stop a plugin that holds the GIL or spins in native code, and a
fork of an indexer that has loaded torch or CTranslate2 can deadlock in the child.
So the analyzer runs in a *spawned* process (a fresh interpreter, safe on every
platform) that rebuilds it from the plugin's own hook and stays up for the run,
so the start-up is paid once per run, not once per file. The child goes through
the same steps the indexer does (the plugin's hook, then ``unavailable_reason()``). The deadline counts
from when the job is sent; progress comes back over the same pipe.
"""

from __future__ import annotations

import importlib.util
import os
import pickle
import sys
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

ENTRY_POINT_GROUP = "framesense.plugins"
START_TIMEOUT = 60.0   # seconds a host may take to start and import its plugin


class HostFailure(Exception):
    """The host could not run the job; ``detail`` is the child's traceback, if it had one."""

    def __init__(self, message: str, detail: str | None = None):
        super().__init__(message)
        self.detail = detail


def picklable(options: dict) -> dict:
    """The options that can cross to the child (callbacks and open handles stay behind)."""
    out = {}
    for key, value in (options or {}).items():
        try:
            pickle.dumps(value)
        except Exception:
            continue
        out[key] = value
    return out


@contextmanager
def restored_environment():
    """Yields a list that names, on exit, the environment variables the block changed (and were put back)."""
    before = dict(os.environ)
    changed: list[str] = []
    try:
        yield changed
    finally:
        if dict(os.environ) != before:
            changed += sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))
            os.environ.clear()
            os.environ.update(before)


class PluginHost:
    """One spawned process holding one analyzer of one plugin."""

    def __init__(self, locator: tuple, plugin_key: str, analyzer: str, options: dict):
        self.args = (locator, plugin_key, analyzer, picklable(options))
        self.proc = None
        self.conn = None

    def _start(self):
        import multiprocessing as mp
        ctx = mp.get_context("spawn")
        self.conn, child_end = ctx.Pipe()
        self.proc = ctx.Process(target=host_main, args=(*self.args, child_end), kwargs={"parent": os.getpid()},
                                name=f"plugin-{self.args[2]}", daemon=True)
        self.proc.start()
        child_end.close()
        if not self.conn.poll(START_TIMEOUT):
            self.close()
            raise HostFailure(f"its process did not start within {START_TIMEOUT:g} s")
        status, *rest = self._recv()
        if status != "ready":
            self.close()
            raise HostFailure(f"its process could not build the analyzer: {rest[0]}", rest[1])

    def _recv(self):
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            code = self.proc.exitcode if self.proc is not None else None
            self.close()
            raise HostFailure(f"its process died (exit code {code})") from None

    def run(self, library_dir, media: dict, options: dict, timeout: float, progress=None, snapshot: bytes | None = None):
        """(result, environment variables it changed) for one media file; HostFailure on error, death or the deadline (the process is killed).
        ``snapshot``: in an index worker, the file's catalog rows (analysis/perfile.py) to read instead of the library's."""
        if self.proc is None or not self.proc.is_alive():
            self._start()
        self.conn.send(("job", str(library_dir), dict(media), picklable(options), snapshot))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self.conn.poll(left):
                self.close()
                raise HostFailure(f"did not finish within {timeout:g} s (time limit; its process was killed)")
            status, *rest = self._recv()
            if status == "progress":
                if progress is not None:
                    progress(*rest)
                continue
            if status == "ok":
                return rest[0], rest[1]
            raise HostFailure(f"raised {rest[0]}", rest[1])

    def close(self):
        if self.conn is not None:
            try:
                self.conn.send(("stop",))
            except (OSError, ValueError):
                pass
            self.conn.close()
            self.conn = None
        if self.proc is not None:
            self.proc.join(2)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(5)
            self.proc = None


def load_locator(locator: tuple):
    """The plugin object a locator names: ("entry", name, value) or ("file", name, path, package_dir)."""
    if locator[0] == "entry":
        import importlib.metadata as md
        return md.EntryPoint(locator[1], locator[2], ENTRY_POINT_GROUP).load()
    _, name, path, package_dir = locator
    return _import_file(name, Path(path), Path(package_dir) if package_dir else None)


def _import_file(name: str, path: Path, package_dir: Path | None = None):
    """Import a plugin-folder module or package under its own name (packages keep relative imports)."""
    modname = name if package_dir else f"framesense_user_plugin_{name}"
    spec = importlib.util.spec_from_file_location(
        modname, path, submodule_search_locations=[str(package_dir)] if package_dir else None)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path}: not an importable Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(modname, None)
        raise
    return module


def host_main(locator, plugin_key, analyzer, options, conn, parent=None):
    """The child: build the analyzer through the plugin's own hook, then analyse until told to stop.
    It dies with its parent (an index worker killed with the writer takes its plugins along)."""
    from ..child_process import die_with_parent
    if not die_with_parent(parent):
        return
    try:
        import pluggy

        from . import hookspecs
        pm = pluggy.PluginManager(hookspecs.PROJECT)
        pm.add_hookspecs(hookspecs)
        pm.register(load_locator(locator), name=plugin_key)
        made = [a for batch in pm.hook.framesense_analyzers(options=options) for a in batch or ()]
        inner = next((a for a in made if getattr(a, "name", None) == analyzer), None)
        if inner is None:
            raise LookupError(f"framesense_analyzers returned no analyzer named {analyzer!r}")
        reason = inner.unavailable_reason()   # as the indexer asks at the start of a run (analyzers set up here)
        if reason:
            raise RuntimeError(f"unavailable in its own process: {reason}")
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which records it
        conn.send(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
        return
    conn.send(("ready",))
    from ..analysis.base import AnalysisContext
    from ..catalog import Catalog
    catalogs: dict = {}
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg[0] != "job":
            return
        _, library_dir, media, job_options, snapshot = msg
        view = None
        try:
            if snapshot is not None:
                from ..analysis.perfile import open_snapshot
                catalog = view = open_snapshot(snapshot, Path(library_dir))
            else:
                catalog = catalogs.get(library_dir) or catalogs.setdefault(library_dir, Catalog.open(library_dir, create=False))
            ctx = AnalysisContext(catalog=catalog, media=media, library_dir=catalog.dir, options=job_options,
                                  progress=lambda fraction, note="": conn.send(("progress", fraction, note)))
            with restored_environment() as changed:
                result = inner.analyze(ctx)
            try:
                pickle.dumps(result)
            except Exception as exc:
                raise TypeError(f"its result cannot be sent back to the indexer ({exc}); "
                                "return plain data or set isolation = 'thread'") from None
            conn.send(("ok", result, changed))
        except BaseException as exc:  # noqa: BLE001 - sent to the parent, which records it
            conn.send(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
        finally:
            if view is not None:
                view.close()
