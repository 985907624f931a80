"""Run a plugin's analyzer with a deadline and a data check; one failure disables it for the run.

``analyze`` runs in a daemon worker thread; past the deadline the pipeline
stops waiting (the thread is abandoned, never joined, so a hung plugin cannot
hold up indexing or the process's exit) and records the timeout against the media.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from contextlib import contextmanager

from ..analysis.base import AnalysisContext, Analyzer

MIN_TIMEOUT = 120.0        # seconds per media file, at least ...
TIMEOUT_PER_SECOND = 2.0   # ... or this many per second of the file: one hang costs minutes, not hours


class PluginFailure(Exception):
    """A plugin analyzer failed; ``detail`` keeps the plugin's own traceback."""

    def __init__(self, message: str, detail: str | None = None):
        super().__init__(message)
        self.detail = detail


class GuardedAnalyzer(Analyzer):
    """Wraps a plugin's Analyzer: same name/version/tables, plus timeout, validation, disable-on-failure."""

    optional = True  # its failure is recorded but does not mark the media failed

    def __init__(self, inner: Analyzer, plugin: str, timeout: float | None = None):
        self.inner = inner
        self.plugin = plugin
        self.name = inner.name
        self.version = str(inner.version)
        self.requires = tuple(inner.requires)
        self.owns_tables = tuple(inner.owns_tables)
        self.fixed_timeout = timeout if timeout is not None else getattr(inner, "timeout", None)
        self.disabled_reason: str | None = None
        self.warnings: list[str] = []

    @contextmanager
    def _own_environment(self):
        """A plugin may not change the process environment the core runs in (an OMP_THREAD_LIMIT set
        by an OCR plugin slowed every later transcription 30x): what it changes is put back, and said."""
        before = dict(os.environ)
        try:
            yield
        finally:
            if dict(os.environ) != before:
                changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))
                os.environ.clear()
                os.environ.update(before)
                note = (f"plugin '{self.plugin}' changed the process environment ({', '.join(changed)}); "
                        "undone (pass such settings to your own subprocesses instead)")
                if note not in self.warnings:
                    self.warnings.append(note)

    def _call(self, what: str, fn, *args):
        try:
            return fn(*args)
        except Exception as exc:
            self._fail(f"{what} raised {type(exc).__name__}: {exc}")
            raise

    def _fail(self, reason: str):
        if self.disabled_reason is None:
            self.disabled_reason = f"plugin '{self.plugin}' disabled for this run after: {reason}"

    def model_id(self):
        return self._call("model_id()", self.inner.model_id)

    def unavailable_reason(self):
        try:
            return self.inner.unavailable_reason()
        except Exception as exc:
            return f"plugin '{self.plugin}': unavailable_reason() raised {type(exc).__name__}: {exc}"

    def applies_to(self, media):
        return bool(self._call("applies_to()", self.inner.applies_to, media))

    def analyze(self, ctx: AnalysisContext):
        with self._own_environment():
            return self._analyze(ctx)

    def limit(self, media: dict) -> float:
        """The plugin's own time limit, else one in proportion to the file."""
        return self.fixed_timeout or max(MIN_TIMEOUT, TIMEOUT_PER_SECOND * float(media.get("duration") or 0))

    def _analyze(self, ctx: AnalysisContext):
        self.timeout = self.limit(ctx.media)
        # A child process by default: a plugin that holds the GIL or spins in native code is killed at the
        # limit, and cannot touch the core's state. ``isolation = "thread"`` opts out (progress, shared models).
        if getattr(self.inner, "isolation", "process") == "process" and _can_fork():
            return self._checked(self._analyze_in_process(ctx))
        box: dict = {}
        done = threading.Event()

        def work():
            try:
                box["result"] = self.inner.analyze(ctx)
            except BaseException as exc:  # noqa: BLE001 - reported to the pipeline below
                box["error"] = exc
                box["trace"] = "".join(traceback.format_exception(*sys.exc_info()))
            finally:
                done.set()

        worker = threading.Thread(target=work, name=f"plugin-{self.name}", daemon=True)
        worker.start()
        if not done.wait(self.timeout):
            reason = f"analyze() did not finish within {self.timeout:g} s (time limit)"
            self._fail(reason)
            frame = sys._current_frames().get(worker.ident)
            where = "".join(traceback.format_stack(frame)) if frame is not None else None
            raise PluginFailure(f"{self.name}: {reason}", f"where it was when abandoned:\n{where}" if where else None)
        if "error" in box:
            exc = box["error"]
            reason = f"analyze() raised {type(exc).__name__}: {exc}"
            self._fail(reason)
            raise PluginFailure(f"{self.name}: {reason}", box["trace"])
        return self._checked(box.get("result"))

    def _checked(self, result):
        check = getattr(self.inner, "validate", None)
        if check is not None:
            try:
                problem = check(result)
            except Exception as exc:
                problem = f"{type(exc).__name__}: {exc}"
            if problem:
                reason = f"analyze() returned bad data: {problem}"
                self._fail(reason)
                raise PluginFailure(f"{self.name}: {reason}")
        return result

    def store(self, catalog, media, result):
        with self._own_environment():
            return self._call("store()", self.inner.store, catalog, media, result)

    def _analyze_in_process(self, ctx: AnalysisContext):
        """``isolation = "process"``: analyze in a forked child that is killed at the deadline.

        For plugins whose code may spin without returning (native loops, CPU-bound
        hangs) that a thread could not stop. The result must pickle; the child reads
        the catalog through its own connection and reports no progress.
        """
        import multiprocessing as mp

        mpctx = mp.get_context("fork")
        recv, send = mpctx.Pipe(duplex=False)
        child = mpctx.Process(target=_child_analyze, args=(self.inner, ctx.library_dir, ctx.media, ctx.options, send),
                              name=f"plugin-{self.name}", daemon=True)
        child.start()
        send.close()
        try:
            if not recv.poll(self.timeout):
                reason = f"analyze() did not finish within {self.timeout:g} s (time limit; its process was killed)"
                self._fail(reason)
                raise PluginFailure(f"{self.name}: {reason}")
            try:
                status, payload, trace = recv.recv()
            except EOFError:
                child.join(5)
                status, payload, trace = "error", f"its process died (exit code {child.exitcode})", None
        finally:
            recv.close()
            if child.is_alive():
                child.kill()
            child.join(5)
        if status == "error":
            reason = f"analyze() raised {payload}"
            self._fail(reason)
            raise PluginFailure(f"{self.name}: {reason}", trace)
        return payload


def _can_fork() -> bool:
    import multiprocessing as mp
    return "fork" in mp.get_all_start_methods()


def _child_analyze(inner, library_dir, media, options, send):
    from ..catalog import Catalog

    try:
        catalog = Catalog.open(library_dir, create=False)
        result = inner.analyze(AnalysisContext(catalog=catalog, media=media, library_dir=library_dir, options=options))
        send.send(("ok", result, None))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which records it
        send.send(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
    finally:
        send.close()
