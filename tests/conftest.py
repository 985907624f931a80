"""Shared fixtures: a fresh library per test and a way to run the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
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
    return proc


def cli_json(library: Path, *args, check: bool = True):
    proc = run_cli(library, *args, "--json", check=check)
    return json.loads(proc.stdout)


@pytest.fixture
def cli(library):
    def _run(*args, check=True):
        return run_cli(library, *args, check=check)
    _run.json = lambda *args, check=True: cli_json(library, *args, check=check)
    return _run
