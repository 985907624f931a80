"""The tests' in-process CLI (conftest.run_cli) answers as a started process does: the same exit
codes, stdout and stderr, and nothing carried from one command to the next (plugins, environment,
working directory)."""

from __future__ import annotations

import os

import pytest

from conftest import plugin_folder, run_cli

PLUGIN = '''
from framesense.analysis.base import Analyzer
from framesense.plugins import hookimpl


class Marker(Analyzer):
    name = "marker"
    version = "1"

    def analyze(self, ctx):
        return None

    def store(self, catalog, media, result):
        pass


@hookimpl
def framesense_analyzers(options):
    return [Marker()]
'''


@pytest.mark.parametrize("args", [
    ["media", "--json"],                                  # 0, JSON on stdout
    ["--version"],                                        # 0, printed by click
    ["search", "--phrase"],                               # 2, click's usage error
    ["index", "--no-such-option"],                        # 2, click's usage error
    ["search", "--like", "/nowhere.mp4@1", "--json"],     # 2, one line from main's error handler
    ["export", "--sequence", "/nowhere.otio", "-o", "x.edl"],
    ["models", "list", "--json"],
])
def test_in_process_runs_answer_as_the_process_does(library, args):
    run_cli(library, "media")                             # the library exists in both runs
    inside = run_cli(library, *args, check=False)
    started = run_cli(library, *args, check=False, process=True)
    assert (inside.returncode, inside.stdout, inside.stderr) == (started.returncode, started.stdout, started.stderr)


def test_each_in_process_run_starts_afresh(tmp_path, library, monkeypatch):
    names = lambda: {p["name"] for p in json_of(run_cli(library, "plugins", "list", "--json"))}  # noqa: E731
    assert "marker" not in names()
    plugin_folder(tmp_path, monkeypatch, {"marker.py": PLUGIN})
    assert "marker" in names()                           # the plugin set is loaded again for each command
    monkeypatch.setenv("FRAMESENSE_PLUGINS", str(tmp_path / "none"))
    assert "marker" not in names()
    env, cwd = dict(os.environ), os.getcwd()
    run_cli(library, "media")
    assert dict(os.environ) == env and os.getcwd() == cwd


def json_of(proc):
    import json
    return json.loads(proc.stdout)
