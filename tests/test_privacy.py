"""Nothing leaves the machine: an index of more than a minute of speech and a search, traced at the
system-call level (strace sees native libraries too, where an audit hook would see only Python),
make no internet connection and send no DNS query, and leave nothing under a fresh HOME's
~/.cache/Microsoft.

Why a minute: onnxruntime (faster-whisper's voice detector) 1.29+ sends 1DS telemetry unless
ORT_DISABLE_TELEMETRY=1 is set before it loads (framesense/offline.py). It writes its device id at
once but first looks up mobile.events.data.microsoft.com about 9 s after it starts, so a short clip
indexed in a few seconds misses the lookups. The base model on 70 s of speech keeps onnxruntime
loaded for longer than that on 2 cores.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, run_cli
from framesense.media.synth import Shot, write_video

pytestmark = pytest.mark.slow   # strace over a minute of real speech indexed

INET = re.compile(r"(connect|sendto|sendmsg)\(\d+, \{sa_family=AF_INET6?\b")
DNS = re.compile(r"htons\(53\)")
LINES = ["the harbour wakes before the sun comes up", "fishing boats leave the quay one by one",
         "gulls follow the nets across the water", "the market opens when the first catch lands",
         "old men mend the ropes on the harbour wall", "by noon the tide has turned again",
         "lanterns burn along the pier at night"]


def traced(strace: str, log, args, env) -> list[str]:
    """Run ``python -m framesense ARGS`` (and every process it starts) under strace; the network calls
    to the internet it made (AF_INET/AF_INET6 connects and sends, anything to port 53)."""
    proc = subprocess.run([strace, "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect,sendto,sendmsg",
                           "-o", str(log), sys.executable, "-m", "framesense", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stderr
    return [line for line in log.read_text().splitlines() if INET.search(line) or DNS.search(line)]


def test_indexing_a_minute_of_speech_and_searching_make_no_network_traffic(tmp_path):
    strace = shutil.which("strace")
    assert strace, "strace is needed to check the privacy promise (make install puts it in)"
    speech = [(1.0 + 5.0 * i, LINES[i % len(LINES)]) for i in range(14)]      # 14 sentences over 70 s
    clip = write_video(tmp_path / "f" / "talk.mp4", [Shot(25 * 72, 1)], rate=25, audio="silence",
                       speech=speech, width=96, height=64)
    assert clip.speech[-1][1] - clip.speech[0][0] >= 60
    home = tmp_path / "home"
    home.mkdir()
    # A fresh HOME, and nothing from the caller's environment that would switch the telemetry off.
    env = {k: v for k, v in os.environ.items() if k not in ("ORT_DISABLE_TELEMETRY", "DO_NOT_TRACK")}
    env.update(PYTHONPATH=str(ROOT), HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    lib = tmp_path / "lib"
    for args in (["--library", lib, "index", clip.path.parent, "--no-visual", "--speech-model", "base"],
                 ["--library", lib, "search", "--phrase", "fishing boats"]):
        leaks = traced(strace, tmp_path / f"{args[2]}.trace", args, env)
        assert not leaks, "\n".join(leaks[:10])
    assert not (home / ".cache" / "Microsoft").exists(), sorted(map(str, (home / ".cache").rglob("*")))
    # the whole minute was transcribed: words all the way to the last sentence
    words = [w for s in json.loads(run_cli(lib, "transcript", "show", clip.path, "--format", "json").stdout)["segments"]
             for w in s["words"]]
    assert len(words) >= 60 and words[-1]["end"] > 60, (len(words), words[-1:])
