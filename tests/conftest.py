"""Shared fixtures: a fresh library per test and a way to run the real CLI."""

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


def run_cli(library: Path, *args, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``python -m framesense --library LIB ARGS`` as a user would, from this checkout."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "framesense", "--library", str(library), *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"framesense {' '.join(map(str, args))} exited {proc.returncode}\n"
                             f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    if WRITERS.intersection(map(str, args)) and proc.returncode in (0, 1) and (Path(library) / "catalog.sqlite").is_file():
        from catalog_dump import assert_consistent   # every index or merge leaves rows that agree
        assert_consistent(library)
    return proc


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


def cli_json(library: Path, *args, check: bool = True):
    proc = run_cli(library, *args, "--json", check=check)
    return json.loads(proc.stdout)


@pytest.fixture
def cli(library):
    def _run(*args, check=True):
        return run_cli(library, *args, check=check)
    _run.json = lambda *args, check=True: cli_json(library, *args, check=check)
    return _run


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
