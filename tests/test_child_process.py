"""Helper processes never outlive the process that started them, even when it is killed with kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, running

HOLDS_FACE_HELPERS = """
import sys, time
from framesense.analysis import face_pool
pool = face_pool.executor(2)
for f in [pool.submit(time.sleep, 0.5) for _ in range(4)]:
    f.result()
print(" ".join(map(str, pool._processes)), flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads processes from /proc")
def test_face_helpers_end_when_the_process_holding_them_is_killed():
    """An indexer (or a ``--jobs`` worker, killed with its writer) holds the faces stage's pool of
    helpers. Those hold both ends of their task queue, so no end-of-file reaches them: before, every
    kill -9 left them waiting for ever (three processes a killed run, seen after each test suite).
    They now watch their parent and end with it."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDS_FACE_HELPERS], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        helpers = [int(p) for p in proc.stdout.readline().split()]
        assert helpers and all(map(running, helpers)), helpers
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        deadline = time.time() + 15       # a busy machine
        while any(map(running, helpers)) and time.time() < deadline:
            time.sleep(0.05)
        left = [p for p in helpers if running(p)]
        for p in left:
            os.kill(p, signal.SIGKILL)
        assert not left, "face helpers outlived the killed process"
    finally:
        proc.kill()
