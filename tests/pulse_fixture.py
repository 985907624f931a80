"""A PulseAudio server of a test's own (never the shared one): its sinks are null sinks, so sound
plays in real time, silently, and each sink's monitor can be recorded (``parec``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from contextlib import contextmanager

import pytest


@contextmanager
def private_pulse(folder, sink: str = "fs_test", description: str = "Test-Sink"):
    """Yields the server address (for PULSE_SERVER); its default sink is ``sink``."""
    if not shutil.which("pulseaudio"):
        pytest.fail("PulseAudio is needed for the sound checks (make install puts it in)")
    folder.mkdir(parents=True, exist_ok=True)
    sock = folder / "native"
    proc = subprocess.Popen(["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
                             "--disable-shm=yes", "-L", f"module-native-protocol-unix socket={sock}",
                             "-L", f"module-null-sink sink_name={sink} sink_properties=device.description={description}"],
                            env=dict(os.environ, PULSE_RUNTIME_PATH=str(folder)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = f"unix:{sock}"
    try:
        deadline = time.monotonic() + 20
        while subprocess.run(["pactl", "--server", server, "info"], capture_output=True).returncode:
            assert time.monotonic() < deadline and proc.poll() is None, "the private PulseAudio did not start"
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        proc.wait(10)
