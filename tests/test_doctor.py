"""``framesense doctor`` really loads each part; the bundle smoke test (build/smoke.sh) relies on it."""

import subprocess

import pytest
from conftest import cli_json
from pulse_fixture import private_pulse


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
def pulse_server(tmp_path):
    with private_pulse(tmp_path / "pulse", "fs_doctor", "Doctor-Sink") as server:
        yield server


def test_doctor_loads_qtmultimedia_and_names_the_output_the_player_uses(library, monkeypatch, pulse_server):
    """The outputs come from the sound server, and the player's is the server's default sink (read back with pactl)."""
    monkeypatch.setenv("PULSE_SERVER", pulse_server)
    subprocess.run(["pactl", "--server", pulse_server, "load-module", "module-null-sink", "sink_name=fs_other"],
                   check=True, capture_output=True)
    default = subprocess.run(["pactl", "--server", pulse_server, "get-default-sink"], capture_output=True,
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
