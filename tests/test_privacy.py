"""Nothing leaves the machine: a full index (speech included) and a search, traced at the system-call
level (strace sees native libraries too, where an audit hook would see only Python), make no
internet connection and send no DNS query."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from conftest import ROOT
from framesense.media.synth import Shot, write_video

INET = re.compile(r"(connect|sendto|sendmsg)\(\d+, \{sa_family=AF_INET6?\b")
DNS = re.compile(r"htons\(53\)")


def test_index_and_search_make_no_network_traffic(tmp_path):
    strace = shutil.which("strace")
    assert strace, "strace is needed to check the privacy promise (make install puts it in)"
    clip = write_video(tmp_path / "f" / "talk.mp4", [Shot(60, 1)], rate=25, audio="silence",
                       speech=[(0.5, "nothing leaves this machine")], width=160, height=96)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    lib = tmp_path / "lib"
    for args in (["index", str(clip.path), "--no-visual", "--speech-model", "tiny.en"],
                 ["search", "--phrase", "this machine"]):
        log = tmp_path / f"{args[0]}.trace"
        proc = subprocess.run([strace, "-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o", str(log),
                               sys.executable, "-m", "framesense", "--library", str(lib), *args],
                              capture_output=True, text=True, env=env, timeout=600)
        assert proc.returncode == 0, proc.stderr
        calls = log.read_text()
        leaks = [line for line in calls.splitlines() if INET.search(line) or DNS.search(line)]
        assert not leaks, "\n".join(leaks[:10])
