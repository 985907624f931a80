"""Starting FrameSense the way a desktop user does (issue 26): the demo says how to open its library and
that command opens it; the menu entry runs this installation's window; a double-click (no arguments,
no terminal) opens the window where typing ``framesense`` in a terminal prints the help."""

from __future__ import annotations

import configparser
import os
import pty
import re
import shlex
import shutil
import subprocess
import sys
import time

import pytest
from conftest import ROOT

from framesense.media.synth import espeak_available

pytestmark = pytest.mark.slow   # desktop starts, a frozen bundle


def env_with(**extra) -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT), **{k: str(v) for k, v in extra.items()})


def test_demo_prints_the_command_that_opens_its_library_and_the_app_finds_it(tmp_path):
    if not espeak_available():
        pytest.fail("espeak-ng is needed to generate speech test media")
    data = tmp_path / "data"
    out = tmp_path / "my demo"                       # a space: the printed command must quote it
    proc = subprocess.run([sys.executable, "-m", "framesense", "demo", "--out", str(out)], capture_output=True,
                          text=True, env=env_with(XDG_DATA_HOME=data), timeout=900, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[-2].startswith("Open it in the window with:"), lines[-3:]
    argv = shlex.split(lines[-1])
    assert argv[-1] == "app" and argv[argv.index("--library") + 1] == str((out / "library").resolve())
    # the printed command, run as printed, opens the window on the demo's library: its hits are there
    shot = tmp_path / "app.png"
    opened = subprocess.run(argv + ["--smoke", str(shot), "--query", "fishing boats"], capture_output=True,
                            text=True, env=env_with(QT_QPA_PLATFORM="offscreen"), timeout=300, cwd="/")
    assert opened.returncode == 0, opened.stderr
    found_hits = re.search(r"screenshot: .* \((\d+) hits", opened.stdout)
    assert shot.stat().st_size > 0 and found_hits and int(found_hits.group(1)) > 0, opened.stdout
    # and the app's welcome screen knows where it is
    found = subprocess.run([sys.executable, "-c", "from framesense import demo; print(demo.known_library())"],
                           capture_output=True, text=True, env=env_with(XDG_DATA_HOME=data), check=True)
    assert found.stdout.strip() == str((out / "library").resolve())


def test_install_desktop_writes_an_entry_that_runs_this_installation(tmp_path):
    data = tmp_path / "data"
    proc = subprocess.run([sys.executable, "-m", "framesense", "install-desktop"], capture_output=True, text=True,
                          env=env_with(XDG_DATA_HOME=data), timeout=120)
    assert proc.returncode == 0, proc.stderr
    entry_file = data / "applications" / "framesense.desktop"
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(entry_file, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application" and entry["Name"] == "FrameSense" and entry["Terminal"] == "false"
    icon = entry["Icon"]
    assert os.path.isabs(icon) and open(icon, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(entry_file)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    argv = shlex.split(entry["Exec"])                 # absolute: a desktop session's PATH has no virtualenv
    assert os.path.isabs(argv[0]) and argv[-1] == "app", argv
    # what the menu runs is this installation: the same program answers --version and lists its commands
    version = subprocess.run(argv[:-1] + ["--version"], capture_output=True, text=True, env=env_with(), timeout=120)
    assert version.returncode == 0 and version.stdout.startswith("framesense, version"), version.stderr
    removed = subprocess.run([sys.executable, "-m", "framesense", "install-desktop", "--remove"], capture_output=True,
                             text=True, env=env_with(XDG_DATA_HOME=data), timeout=120)
    assert removed.returncode == 0 and not entry_file.exists() and not os.path.exists(icon)


def test_in_a_terminal_framesense_alone_prints_its_help(tmp_path):
    controller, terminal = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "framesense"], stdin=terminal, stdout=terminal, stderr=terminal,
                          env=env_with(DISPLAY=":99"), timeout=120)
    os.close(terminal)
    text = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        text += chunk
    os.close(controller)
    assert proc.returncode in (0, 2)          # click: no command given is a usage message
    assert b"Usage: framesense" in text and b"install-desktop" in text


def test_started_from_a_desktop_with_no_arguments_it_opens_the_window(tmp_path):
    """Under a real X server (Xvfb): no arguments, stdin and stdout not a terminal, as a file manager or a
    launcher starts it. A window titled FrameSense must appear on the display."""
    for tool in ("Xvfb", "xwininfo"):
        assert shutil.which(tool), f"{tool} is needed (make install puts xvfb and x11-utils in)"
    display = f":{90 + os.getpid() % 500}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = None
    try:
        env = env_with(DISPLAY=display, HOME=tmp_path, XDG_CONFIG_HOME=tmp_path / "config",
                       XDG_DATA_HOME=tmp_path / "data", XDG_RUNTIME_DIR=tmp_path)
        env.pop("QT_QPA_PLATFORM", None)
        time.sleep(1.0)
        app = subprocess.Popen([sys.executable, "-m", "framesense"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        deadline, tree = time.monotonic() + 90, ""
        while time.monotonic() < deadline and app.poll() is None:
            tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True,
                                  env=env).stdout
            if '"FrameSense' in tree:
                break
            time.sleep(0.5)
        assert app.poll() is None, app.communicate()
        assert '"FrameSense' in tree, tree[-2000:]
    finally:
        if app is not None and app.poll() is None:
            app.terminate()
            try:
                app.wait(20)
            except subprocess.TimeoutExpired:
                app.kill()
        xvfb.terminate()
        xvfb.wait(20)
