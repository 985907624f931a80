"""Run a plugin's analyzer with a deadline and a data check; one failure disables it for the run.

``analyze`` runs in the plugin's own process (host.py), killed at the deadline;
a plugin that opts into ``isolation = "thread"`` runs in a daemon thread that is
abandoned at the deadline instead (never joined, so it cannot hold up the exit).
Either way the timeout is recorded against the media and the plugin is switched off.
"""

from __future__ import annotations

import sys
import threading
import traceback
from contextlib import contextmanager

from ..analysis.base import AnalysisContext, Analyzer
from .host import HostFailure, PluginHost, restored_environment

MIN_TIMEOUT = 120.0        # seconds per media file, at least ...
TIMEOUT_PER_SECOND = 2.0   # ... or this many per second of the file: one hang costs minutes, not hours
STORE_TIMEOUT = 60.0       # seconds store() may hold the index's write transaction


class PluginFailure(Exception):
    """A plugin analyzer failed; ``detail`` keeps the plugin's own traceback."""

    def __init__(self, message: str, detail: str | None = None):
        super().__init__(message)
        self.detail = detail


class GuardedAnalyzer(Analyzer):
    """Wraps a plugin's Analyzer: same name/version/tables, plus timeout, validation, disable-on-failure."""

    optional = True  # its failure is recorded but does not mark the media failed

    def __init__(self, inner: Analyzer, plugin: str, timeout: float | None = None, host: PluginHost | None = None):
        self.inner = inner
        self.host = host
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
        changed: list[str] = []
        try:
            with restored_environment() as changed:
                yield
        finally:
            self._note_environment(changed)

    def _note_environment(self, changed: list[str]):
        if changed:
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
        # Its own process by default: a plugin that holds the GIL or spins in native code is killed at the
        # limit and cannot touch the core's state. ``isolation = "thread"`` opts out (models shared with the core).
        if self.host is not None and getattr(self.inner, "isolation", "process") == "process":
            try:
                result, changed = self.host.run(ctx.library_dir, ctx.media, ctx.options, self.timeout, ctx.progress,
                                                getattr(ctx, "snapshot", None))
                self._note_environment(changed)
            except HostFailure as exc:
                reason = f"analyze() {exc}"
                self._fail(reason)
                raise PluginFailure(f"{self.name}: {reason}", exc.detail) from None
            return self._checked(result)
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
        """``store`` runs inside the index's write transaction, so it gets a deadline too: past it the
        transaction is rolled back, a statement still running is interrupted, and the abandoned
        call finds the catalog closed to it (it cannot write outside the transaction later)."""
        with self._own_environment():
            gate = _Gate(catalog)
            box: dict = {}
            done = threading.Event()

            def work():
                try:
                    box["note"] = self.inner.store(gate, media, result)
                except BaseException as exc:  # noqa: BLE001 - re-raised below
                    box["error"] = exc
                finally:
                    done.set()

            threading.Thread(target=work, name=f"plugin-{self.name}-store", daemon=True).start()
            limit = self.fixed_timeout or STORE_TIMEOUT
            if not done.wait(limit):
                gate.shut()
                catalog.conn.interrupt()
                reason = f"store() did not finish within {limit:g} s (time limit; its writes were rolled back)"
                self._fail(reason)
                raise PluginFailure(f"{self.name}: {reason}")
            if "error" in box:
                exc = box["error"]
                self._fail(f"store() raised {type(exc).__name__}: {exc}")
                raise exc
            return box.get("note")

    # A plugin frame stage (analysis.base.FrameConsumer) that opts into ``isolation = "thread"`` rides on
    # the shots scan like a built-in one (its failures there are recorded and disable it as analyze()
    # failures do). In its own process (the default) it decodes its frames there, alone, killable.
    @property
    def frame_request(self):
        if getattr(self.inner, "isolation", "process") == "process" and self.host is not None:
            return None
        return getattr(self.inner, "frame_request", None)

    def frame_session(self, media, rate):
        return self._call("frame_session()", self.inner.frame_session, media, rate)

    def close(self):
        """Stop its process (the end of a run)."""
        if self.host is not None:
            self.host.close()


class _Gate:
    """The catalog (and its connection) as a plugin's ``store`` sees it: shut at the deadline, after
    which every call raises; ``transaction()`` is the pipeline's own, already open."""

    def __init__(self, target, state: dict | None = None):
        self._target = target
        self._state = state if state is not None else {"open": True}

    def shut(self):
        self._state["open"] = False

    def transaction(self):
        from contextlib import nullcontext
        self._check()
        return nullcontext()

    def _check(self):
        if not self._state["open"]:
            raise RuntimeError("the catalog is closed to this plugin: its store() ran past its time limit")

    def __getattr__(self, name):
        self._check()
        value = getattr(self._target, name)
        if name == "conn":
            return _Gate(value, self._state)
        if callable(value):
            def call(*args, **kwargs):
                self._check()
                return value(*args, **kwargs)
            return call
        return value
