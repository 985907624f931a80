"""``framesense doctor`` really loads each part; the bundle smoke test (build/smoke.sh) relies on it."""

import subprocess

import pytest
from conftest import cli_json
from pulse_fixture import private_pulse


@pytest.mark.slow   # doctor checks every part in a process of its own
def test_doctor_reports_every_part(cli):
    checks = cli.json("doctor")
    assert checks["framesense"]["ok"]
    assert checks["media (PyAV)"]["ok"], checks["media (PyAV)"]
    for name in ("otio", "fcp7", "fcpxml", "edl"):   # every exporter in the registry writes a sequence
        assert checks[f"export {name}"]["ok"], checks[f"export {name}"]
    assert "read back 1 clip(s)" in checks["export otio"]["detail"]
    assert set(checks) >= {"speech", "picture search", "desktop app"}


@pytest.mark.slow   # doctor checks every part in a process of its own
def test_doctor_text_output_marks_missing_parts(cli):
    text = cli("doctor").stdout
    assert "ok   export edl:" in text
    for line in text.splitlines():
        assert line[:4] in ("ok  ", "OFF "), line


@pytest.fixture
def pulse_server(tmp_path):
    with private_pulse(tmp_path / "pulse", "fs_doctor", "Doctor-Sink") as server:
        yield server


@pytest.mark.slow   # a private sound server
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


@pytest.mark.slow   # doctor's sound check in its own process
def test_doctor_says_when_there_is_no_sound_server(library, monkeypatch, tmp_path):
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path / 'nothing-here'}")
    monkeypatch.setenv("PIPEWIRE_REMOTE", str(tmp_path / "nothing-here"))
    sound = cli_json(library, "doctor")["sound"]
    assert not sound["ok"] and sound["player"] is None, sound


@pytest.mark.slow   # doctor checks every part in a process of its own
def test_doctor_library_finds_rows_that_disagree(cli, library, tmp_path):
    """A sound SQLite file whose rows point at the wrong shot (as --jobs once wrote faces) is no sound catalog."""
    import sqlite3

    from framesense.media.synth import Shot, write_video
    for name in ("a", "b"):
        write_video(tmp_path / "f" / f"{name}.mp4", [Shot(20, 1), Shot(20, 2)], width=160, height=90, audio=None)
    cli("index", tmp_path / "f", "--no-speech", "--no-visual")
    ok = cli.json("doctor", "--library")["catalog"]
    assert ok["ok"] and "rows consistent" in ok["detail"], ok
    con = sqlite3.connect(library / "catalog.sqlite")
    with con:   # b's fingerprints moved onto a's first shot: every foreign key still holds
        con.execute("UPDATE shot_fingerprints SET shot_id = (SELECT MIN(id) FROM shots) WHERE media_id = "
                    "(SELECT id FROM media WHERE name = 'b.mp4')")
    con.close()
    bad = cli.json("doctor", "--library")["catalog"]
    assert not bad["ok"] and "shot_fingerprints rows whose shot is missing or of another media" in bad["detail"], bad
