"""Shared fixtures: a fresh library per test and a way to run the real CLI (in this process or a new one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Two cores on CI: keep math libraries from oversubscribing them.
os.environ.setdefault("OMP_NUM_THREADS", "2")
# Tests see only the plugins they install themselves, never the developer's own plugin folder.
os.environ.setdefault("FRAMESENSE_PLUGINS", str(ROOT / "tests" / ".no-user-plugins"))
# ... nor the plugins pip installed (the examples, when the README's extras are in): a test that
# wants a plugin loads it explicitly, so the suite behaves the same whatever is installed.
os.environ["FRAMESENSE_ENTRY_POINTS"] = "0"
# Keep the user's model cache untouched: models joined for tests live in the temp folder.
os.environ.setdefault("FRAMESENSE_MODELS", os.path.join(tempfile.gettempdir(), "framesense-test-models"))


def pytest_configure(config):
    """A real audio device for the player's sound tests: PulseAudio with its null sink (plays in real
    time, silently). Started before Qt looks for devices; where PulseAudio is missing, nothing happens."""
    import shutil
    if shutil.which("pulseaudio") and subprocess.run(["pactl", "info"], capture_output=True).returncode != 0:
        subprocess.run(["pulseaudio", "--start", "--exit-idle-time=-1"], capture_output=True)


@pytest.fixture
def library(tmp_path) -> Path:
    return tmp_path / "library"


@pytest.fixture(scope="session")
def timeline_footage(tmp_path_factory) -> Path:
    """tests/timeline_media.py's three files, generated and indexed once for the whole run; the folder
    holding footage/ and library/, opened with ``timeline_media.open_footage``. Read-only: a test that
    writes to the library works on a copy (``copy_library``). The end of the run checks nobody wrote."""
    from timeline_media import index_footage

    root = index_footage(tmp_path_factory.mktemp("timeline-footage"))
    before = catalog_text(root / "library")
    yield root
    assert catalog_text(root / "library") == before, "a test wrote to the shared timeline_footage library"


def catalog_text(library: Path) -> str:
    """Every row of a library's catalog as SQL text (read-only), to see that nobody changed it."""
    import sqlite3
    con = sqlite3.connect(f"file:{Path(library) / 'catalog.sqlite'}?mode=ro", uri=True)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


def copy_library(library: Path, to: Path) -> Path:
    """A private copy of a shared fixture's library folder for a test that writes to it; the copied
    catalog still names the shared footage files, which stay read-only."""
    import shutil
    return Path(shutil.copytree(library, to / "library-copy"))


def run_cli(library: Path, *args, check: bool = True, timeout: float = 600,
            process: bool = False) -> subprocess.CompletedProcess:
    """Run ``framesense --library LIB ARGS``: the CLI's own ``main`` in this process (Click's CliRunner),
    or, with ``process=True``, ``python -m framesense`` as a user would start it from this checkout.
    In-process is the default: the same code, exit codes and output, without a new interpreter and its
    imports (torch alone takes seconds) per command. Ask for the process where the process is the point
    (a real start, signals, file descriptors, children, another user). ``timeout`` bounds a process;
    in-process, pytest-timeout does."""
    process = process or next((str(a) for a in args if not str(a).startswith("-")), None) in OWN_PROCESS
    proc = (_run_process if process else _run_in_process)(library, args, timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"framesense {' '.join(map(str, args))} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    if WRITERS.intersection(map(str, args)) and proc.returncode in (0, 1) and (Path(library) / "catalog.sqlite").is_file():
        from catalog_dump import assert_consistent   # every index or merge leaves rows that agree
        assert_consistent(library)
    return proc


# Commands whose report is the process's own: the window (QApplication, sound device, Qt's event loop) and
# doctor (what a fresh process finds: Qt's sound server read once, a QCoreApplication made if none).
OWN_PROCESS = {"app", "doctor"}


def _run_process(library: Path, args, timeout: float) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "framesense", "--library", str(library), *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=timeout)


def _run_in_process(library: Path, args, timeout: float) -> subprocess.CompletedProcess:
    """``framesense.cli.main`` under CliRunner's isolation (its own stdin, stdout, stderr), returned as a
    finished process would be. What a new process would start afresh is reset here: the plugin set
    (loaded once per process, from $FRAMESENSE_PLUGINS as it is now) and the migrations its plugins
    register, the folders swept for temp files,
    the working directory, and warnings (printed to stderr, as a process prints them)."""
    import traceback
    import warnings

    from click.testing import CliRunner

    from framesense import atomic_files, cli
    from framesense.catalog import schema
    from framesense.plugins import manager

    argv = ["--library", str(library), *map(str, args)]
    cwd, environ, migrations = os.getcwd(), dict(os.environ), dict(schema._EXTRA)
    manager._DEFAULT = None
    schema._EXTRA.clear()           # plugins' migrations, registered again as the run loads its plugins
    atomic_files._SWEPT.clear()
    with CliRunner().isolation() as (out, err, _), warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
        warnings.showwarning = lambda message, category, filename, lineno, file=None, line=None: \
            sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))
        try:
            cli.main(argv)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
            if not isinstance(exc.code, (int, type(None))):
                print(exc.code, file=sys.stderr)
        except Exception:       # what the interpreter does with an uncaught exception
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        stdout, stderr = out.getvalue(), err.getvalue()
    manager._DEFAULT = None
    schema._EXTRA.clear()
    schema._EXTRA.update(migrations)
    os.chdir(cwd)
    if dict(os.environ) != environ:      # a process's changes to its environment die with it
        os.environ.clear()
        os.environ.update(environ)
    return subprocess.CompletedProcess(["framesense", *argv], code, stdout.decode("utf-8"), stderr.decode("utf-8"))


WRITERS = {"index", "merge", "people"}   # commands after which the tests check the catalog's invariants


def plugin_folder(tmp_path: Path, monkeypatch, files: dict[str, str]) -> Path:
    """Plugin files (name -> source) in a folder that every process of the test loads ($FRAMESENSE_PLUGINS)."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    for name, code in files.items():
        (folder / name).write_text(code)
    monkeypatch.setenv("FRAMESENSE_PLUGINS", str(folder))
    return folder


@pytest.fixture
def plugin_registry(monkeypatch):
    """``load(folder)``: the plugins of a folder become this process's registry (what in-process CLI
    runs, ``Library.open`` and the app use); the environment and the registry are put back after."""
    from framesense.plugins.manager import get_plugins

    def load(folder: Path):
        monkeypatch.setenv("FRAMESENSE_PLUGINS", str(folder))
        return get_plugins(reload=True)
    yield load
    monkeypatch.undo()
    get_plugins(reload=True)


def write_kill_footage(folder: Path, n: int = 8) -> Path:
    """Clips big enough (640x360, three shots) that a kill lands mid-run."""
    from framesense.media.synth import Shot, write_video
    for i in range(n):
        write_video(folder / f"c{i}.mp4", [Shot(60, i + 1), Shot(60, i + 50), Shot(60, i + 90)],
                    width=640, height=360, audio=None)
    return folder


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (Linux /proc; empty elsewhere)."""
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            out += [int(c) for c in task.read_text().split()]
        except OSError:
            pass
    return out


def running(pid: int) -> bool:
    """Alive and not a zombie waiting for its (dead) parent to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@contextmanager
def small_filesystem(path: Path, size: str = "1m", free: int | None = None):
    """A tmpfs of ``size`` at ``path``, filled to leave ``free`` bytes (None: empty). Needs root (CI has it)."""
    import shutil
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small filesystem needs root (CI has it)")
    path.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)]).returncode:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        if free is not None:
            fill(path, free)
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)])


def fill(folder: Path, free: int = 0) -> Path:
    """Fill ``folder``'s filesystem to leave about ``free`` bytes; returns the filler file (delete it to undo)."""
    filler = Path(folder) / "filler"
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError:
            pass
    os.truncate(filler, max(0, filler.stat().st_size - free))
    return filler


def kill_after_indexed(proc, library: Path, n: int, timeout: float = 120, before_kill=None) -> int:
    """kill -9 an indexer once ``n`` files are indexed (read from the catalog as it grows); returns how many were.
    ``before_kill()`` runs just before the kill (to note the indexer's worker processes)."""
    import signal
    import sqlite3
    import time
    db = Path(library) / "catalog.sqlite"
    deadline, done = time.time() + timeout, 0
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
                done = con.execute("SELECT count(*) FROM media WHERE status='indexed'").fetchone()[0]
                con.close()
            except sqlite3.OperationalError:
                done = 0
        if done >= n:
            break
        time.sleep(0.02)
    if before_kill:
        before_kill()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return done


def cli_json(library: Path, *args, check: bool = True, process: bool = False):
    proc = run_cli(library, *args, "--json", check=check, process=process)
    return json.loads(proc.stdout)


@pytest.fixture
def cli(library):
    def _run(*args, check=True, process=False):
        return run_cli(library, *args, check=check, process=process)
    _run.json = lambda *args, check=True, process=False: cli_json(library, *args, check=check, process=process)
    return _run


@pytest.fixture(autouse=True)
def _plugins_do_not_outlive_their_test():
    """The process loads its plugin set once (framesense.plugins.get_plugins), and the plugins' catalog
    migrations join every later open. A test that points $FRAMESENSE_PLUGINS at its own plugins and
    loads them must not hand them to the tests after it (which would then migrate their tables into a
    shared library): each test ends with the set and the migrations it began with."""
    from framesense.catalog import schema
    from framesense.plugins import manager
    before, migrations = manager._DEFAULT, dict(schema._EXTRA)
    yield
    manager._DEFAULT = before
    schema._EXTRA.clear()
    schema._EXTRA.update(migrations)


_DIALOG_WATCH: list = []   # the one timer; boxes it had to close


@pytest.fixture(autouse=True)
def _no_forgotten_dialogs(request):
    """A modal box nobody answers (offscreen, no person) would hang the suite until CI kills it.
    A timer that outlives every test (window fixtures close after this one's teardown) closes
    any box left open for 20 s; the test running then fails, naming it."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("qtbot")      # the QApplication exists from here
    if not _DIALOG_WATCH:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        ages: dict = {}
        closed: list[str] = []

        def check():
            box = QApplication.activeModalWidget()
            if box is None:
                return
            ages[id(box)] = ages.get(id(box), 0) + 1
            if ages[id(box)] >= 20:
                text = box.text() if hasattr(box, "text") else box.windowTitle()
                closed.append(f"{type(box).__name__}: {text}")
                box.reject()

        timer = QTimer(QApplication.instance())
        timer.setInterval(1000)
        timer.timeout.connect(check)
        timer.start()
        _DIALOG_WATCH[:] = [timer, closed]
    closed = _DIALOG_WATCH[1]
    before = len(closed)
    yield
    assert len(closed) == before, f"a modal dialog was left open with nobody to answer it: {closed[before:]}"
