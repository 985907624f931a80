"""``framesense doctor`` really loads each part; the bundle smoke test (build/smoke.sh) relies on it."""

import os
import shutil
import subprocess
import time

import pytest
from conftest import cli_json


def test_doctor_reports_every_part(cli):
    checks = cli.json("doctor")
    assert checks["framesense"]["ok"]
    assert checks["media (PyAV)"]["ok"], checks["media (PyAV)"]
    for name in ("otio", "fcp7", "fcpxml", "edl"):   # every exporter in the registry writes a sequence
        assert checks[f"export {name}"]["ok"], checks[f"export {name}"]
    assert "read back 1 clip(s)" in checks["export otio"]["detail"]
    assert set(checks) >= {"speech", "picture search", "desktop app"}


def test_doctor_text_output_marks_missing_parts(cli):
    text = cli("doctor").stdout
    assert "ok   export edl:" in text
    for line in text.splitlines():
        assert line[:4] in ("ok  ", "OFF "), line


@pytest.fixture
def private_pulse(tmp_path):
    """A PulseAudio server of this test's own (never the shared one) whose only sink is a null sink."""
    if not shutil.which("pulseaudio"):
        pytest.fail("PulseAudio is needed for the sound check (make install puts it in)")
    run = tmp_path / "pulse"
    run.mkdir()
    sock = run / "native"
    proc = subprocess.Popen(["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
                             "--disable-shm=yes", "-L", f"module-native-protocol-unix socket={sock}",
                             "-L", "module-null-sink sink_name=fs_doctor sink_properties=device.description=Doctor-Sink"],
                            env=dict(os.environ, PULSE_RUNTIME_PATH=str(run)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = f"unix:{sock}"
    deadline = time.monotonic() + 20
    while subprocess.run(["pactl", "--server", server, "info"], capture_output=True).returncode:
        assert time.monotonic() < deadline and proc.poll() is None, "the private PulseAudio did not start"
        time.sleep(0.2)
    yield server
    proc.terminate()
    proc.wait(10)


def test_doctor_loads_qtmultimedia_and_names_the_output_the_player_uses(library, monkeypatch, private_pulse):
    """The outputs come from the sound server, and the player's is the server's default sink (read back with pactl)."""
    monkeypatch.setenv("PULSE_SERVER", private_pulse)
    subprocess.run(["pactl", "--server", private_pulse, "load-module", "module-null-sink", "sink_name=fs_other"],
                   check=True, capture_output=True)
    default = subprocess.run(["pactl", "--server", private_pulse, "get-default-sink"], capture_output=True,
                             text=True, check=True).stdout.strip()
    sound = cli_json(library, "doctor")["sound"]
    assert sound["ok"], sound
    assert {o["id"] for o in sound["outputs"]} >= {"fs_doctor", "fs_other"}
    assert [o["id"] for o in sound["outputs"] if o["default"]] == [default]
    assert sound["player"] == next(o["name"] for o in sound["outputs"] if o["id"] == default)
    assert "QtMultimedia" in sound["detail"] and f"the player uses {sound['player']}" in sound["detail"]


def test_doctor_says_when_there_is_no_sound_server(library, monkeypatch, tmp_path):
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path / 'nothing-here'}")
    monkeypatch.setenv("PIPEWIRE_REMOTE", str(tmp_path / "nothing-here"))
    sound = cli_json(library, "doctor")["sound"]
    assert not sound["ok"] and sound["player"] is None, sound
