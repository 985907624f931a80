"""The player's sound through a real audio device (issue 26): the hits play through a PulseAudio null
sink, the sink's monitor is recorded with parec, and each hit's own speech must be in the recording
where the frame log says its frames were shown (``framesense check-heard``, which build/smoke.sh runs on
the bundle). The WAV file sink (tests/test_audio_out.py) checks the player's clock; this checks that
sound reaches the device at all."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest
from conftest import ROOT, cli_json, run_cli
from pulse_fixture import private_pulse

from framesense import demo
from framesense.media.synth import espeak_available

pytestmark = pytest.mark.slow   # a real sound device, played in real time


def test_hits_are_heard_on_the_device_where_their_frames_were_shown(tmp_path, monkeypatch):
    if not espeak_available() or not shutil.which("parec"):
        pytest.fail("espeak-ng and parec (pulseaudio-utils) are needed (make install puts them in)")
    paths, _ = demo.write_footage(tmp_path / "footage")
    lib = tmp_path / "library"
    cli_json(lib, "index", "--speech-model", "tiny.en", "--no-visual", tmp_path / "footage")
    with private_pulse(tmp_path / "pulse", "fs_heard", "Heard-Sink") as server:
        monkeypatch.setenv("PULSE_SERVER", server)
        raw = tmp_path / "heard.raw"
        with open(raw, "wb") as out:
            rec = subprocess.Popen(["parec", "--server", server, "-d", "fs_heard.monitor", "--format=s16le",
                                    "--rate=48000", "--channels=2"], stdout=out)
        try:
            log = tmp_path / "frames.json"
            played = run_cli(lib, "app", "--smoke", tmp_path / "app.png", "--query", demo.PHRASE, "--play", 15,
                             "--frames-log", log, timeout=300)
        finally:
            rec.send_signal(signal.SIGINT)
            rec.wait(10)
    assert "with sound" in played.stdout, played.stdout
    assert json.loads(log.read_text())["device"] == "Heard-Sink"       # the device, not a file
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    check = subprocess.run([sys.executable, "-m", "framesense", "check-heard", str(raw), str(log), "--json"],
                           capture_output=True, text=True, env=env, timeout=300)
    report = json.loads(check.stdout)
    assert check.returncode == 0 and report["ok"], report
    assert {os.path.basename(h["path"]) for h in report["hits"]} == {p.name for p in paths}
    for h in report["hits"]:
        assert h["match"] > 0.9 and abs(h["off_s"]) <= h["frame_s"], h
