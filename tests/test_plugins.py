"""Plugin system: real entry-point and plugin-folder discovery, plugin analyzers as index stages,
plugin search providers, and failures (crash, hang, bad data, broken import) that leave the index whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from framesense.catalog import Catalog
from framesense.media.synth import Shot, write_video

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def plugin_dir(tmp_path, monkeypatch):
    d = tmp_path / "plugins"
    d.mkdir()
    monkeypatch.setenv("FRAMESENSE_PLUGINS", str(d))
    monkeypatch.delenv("FRAMESENSE_CLIP_MODEL", raising=False)
    return d


@pytest.fixture
def footage(tmp_path):
    folder = tmp_path / "footage"
    a = write_video(folder / "a.mp4", [Shot(20, 1, brightness=-60), Shot(20, 2, brightness=90)], audio=None)
    b = write_video(folder / "b.mp4", [Shot(25, 3), Shot(20, 4, brightness=-80)], audio=None)
    return folder, a, b


def doc_block(doc: str, n: int = 0) -> str:
    import re
    return re.findall(r"```python\n(.*?)```", (ROOT / "docs" / doc).read_text(), flags=re.S)[n]


# The plugin-writing guide's example, run as written.
LUMA_PLUGIN = doc_block("plugins.md", 0)


def test_plugin_file_in_folder_indexes_and_searches(plugin_dir, footage, cli, library):
    (plugin_dir / "luma.py").write_text(LUMA_PLUGIN)
    (plugin_dir / "luma_copy.py").write_text('PLUGIN_NAME = "luma"\n' + LUMA_PLUGIN)  # the same plugin twice
    assert cli("plugins", "path").stdout.strip() == str(plugin_dir)
    rows = cli.json("plugins", "list")
    copy = [p for p in rows if p["source"].endswith("luma_copy.py")][0]
    assert copy["status"] == "disabled" and "duplicate of 'luma'" in copy["reason"]
    listed = {p["name"]: p for p in rows if p["status"] == "loaded"}
    assert listed["luma"]["status"] == "loaded" and listed["luma"]["version"] == "0.3"
    assert listed["luma"]["owns_tables"] == ["shot_luma"] and listed["luma"]["source"].endswith("luma.py")
    assert listed["builtin"]["status"] == "loaded"

    folder, a, b = footage
    rep = cli.json("index", folder)
    assert rep["counts"] == {"new": 2}
    assert all(f["stages"] == {"shots": "done", "fingerprint": "done", "faces": "done", "luma": "done"} for f in rep["files"])
    hits = cli.json("search", "--min-luma", "150")     # the flag the plugin's typed option brings
    assert [(Path(h["media_path"]).name, h["shot"]) for h in hits] == [("a.mp4", 1)]
    assert cli.json("search", "--where", "min_luma=150") == hits
    assert hits[0]["start"] == pytest.approx(20 / 25) and hits[0]["end"] == pytest.approx(40 / 25)

    # incremental: a second run finds the plugin stage done
    rep = cli.json("index", folder)
    assert all(f["stages"]["luma"] == "cached" for f in rep["files"])
    # changed content clears the plugin's owned rows for that media before re-analysis
    write_video(a.path, [Shot(30, 9)], audio=None)
    rep = cli.json("index", folder)
    with Catalog.open(library) as cat:
        rows = cat.query("SELECT m.name, l.shot_idx FROM shot_luma l JOIN media m ON m.id = l.media_id "
                         "WHERE m.name = 'a.mp4'")
    assert rows == [{"name": "a.mp4", "shot_idx": 0}]
    # --disable NAME skips a plugin's stage for this run
    rep = cli.json("index", folder, "--disable", "luma")
    assert all("luma" not in f["stages"] for f in rep["files"])
    listed = {p["name"]: p for p in cli.json("plugins", "list", "--disable", "luma")}
    assert listed["luma"]["status"] == "disabled"


FAILING = {
    "crash.py": '''
from framesense.analysis.base import Analyzer
from framesense.plugins import hookimpl

class Crash(Analyzer):
    name = "crash"
    def analyze(self, ctx):
        raise RuntimeError("boom in " + ctx.media["name"])
    def store(self, catalog, media, result):
        pass

@hookimpl
def framesense_analyzers(options):
    return [Crash()]
''',
    "hang.py": '''
import time
from framesense.analysis.base import Analyzer
from framesense.plugins import hookimpl

class Hang(Analyzer):
    name = "hang"
    timeout = 1.5
    isolation = "thread"        # a thread that sleeps: abandoned at the deadline, its stack recorded
    def analyze(self, ctx):
        time.sleep(120)
    def store(self, catalog, media, result):
        pass

@hookimpl
def framesense_analyzers(options):
    return [Hang()]
''',
    "spin.py": '''
from framesense.analysis.base import Analyzer
from framesense.plugins import hookimpl

class Spin(Analyzer):
    name = "spin"
    timeout = 1.5
    isolation = "process"       # a CPU-bound hang: the child process is killed at the deadline
    def analyze(self, ctx):
        import os
        open(os.environ["SPIN_PID_FILE"], "w").write(str(os.getpid()))
        while True:
            pass
    def store(self, catalog, media, result):
        pass

@hookimpl
def framesense_analyzers(options):
    return [Spin()]
''',
    "baddata.py": '''
from framesense.analysis.base import Analyzer
from framesense.plugins import SearchSpec, hookimpl

class Bad(Analyzer):
    name = "baddata"
    def analyze(self, ctx):
        return "not a list"
    def validate(self, result):
        return None if isinstance(result, list) else "wanted a list"
    def store(self, catalog, media, result):
        pass

@hookimpl
def framesense_analyzers(options):
    return [Bad()]

@hookimpl
def framesense_searches():
    return [SearchSpec("bad", lambda q: True, lambda catalog, query: ["not a hit"])]
''',
    "broken.py": "import this_module_does_not_exist_anywhere\n",
    "typo.py": "from framesense.plugins import hookimpl\n@hookimpl\ndef framesense_analyser(options):\n    return []\n",
}


@pytest.mark.slow   # waits out plugin time limits
def test_crashing_hanging_and_bad_plugins_leave_the_index_complete(plugin_dir, footage, cli, library, monkeypatch):
    monkeypatch.setenv("SPIN_PID_FILE", str(plugin_dir.parent / "spin.pid"))
    for name, text in FAILING.items():
        (plugin_dir / name).write_text(textwrap.dedent(text))
    listed = {p["name"]: p for p in cli.json("plugins", "list")}
    assert listed["broken"]["status"] == "failed"
    assert "this_module_does_not_exist_anywhere" in listed["broken"]["reason"]
    assert listed["typo"]["status"] == "failed" and "unknown hook 'framesense_analyser'" in listed["typo"]["reason"]
    assert {listed[n]["status"] for n in ("crash", "hang", "spin", "baddata")} == {"loaded"}

    folder, a, b = footage
    t0 = time.monotonic()
    rep = cli.json("index", folder, process=True)   # exits 0: plugin failures do not fail the media
    assert time.monotonic() - t0 < 60  # the hung thread neither blocks the run nor the exit
    assert rep["counts"] == {"new": 2} and rep["failed"] == []
    first, second = rep["files"]
    assert first["stages"] == {"shots": "done", "fingerprint": "done", "faces": "done", "crash": "failed", "hang": "failed", "spin": "failed",
                               "baddata": "failed"}
    assert second["stages"] == {"shots": "done", "fingerprint": "done", "faces": "done", "crash": "skipped", "hang": "skipped", "spin": "skipped",
                                "baddata": "skipped"}
    spin_pid = int((plugin_dir.parent / "spin.pid").read_text())
    assert not Path(f"/proc/{spin_pid}").exists()   # the spinning child was killed, not left running
    notes = "\n".join(rep["notices"])
    assert "boom in a.mp4" in notes and "time limit" in notes and "wanted a list" in notes
    assert "broken" in notes

    with Catalog.open(library) as cat:
        assert {m["name"]: m["status"] for m in cat.media_list()} == {"a.mp4": "indexed", "b.mp4": "indexed"}
        assert [len(cat.shots(m["id"])) for m in cat.media_list()] == [2, 2]
        runs = {(r["name"], r["analyzer"]): r for r in cat.query(
            "SELECT m.name, r.* FROM analysis_runs r JOIN media m ON m.id = r.media_id")}
    crash = runs[("a.mp4", "crash")]
    assert crash["status"] == "failed" and "RuntimeError: boom in a.mp4" in crash["detail"]
    assert 'raise RuntimeError("boom in "' in crash["detail"]   # the plugin's own traceback
    hang = runs[("a.mp4", "hang")]
    assert hang["status"] == "failed" and "1.5 s" in hang["error"]
    assert "time.sleep(120)" in hang["detail"]   # the hung plugin's stack when it was abandoned
    assert runs[("a.mp4", "baddata")]["error"].endswith("bad data: wanted a list")
    assert "its process was killed" in runs[("a.mp4", "spin")]["error"]
    for name in ("crash", "hang", "spin", "baddata"):
        skipped = runs[("b.mp4", name)]
        assert skipped["status"] == "skipped" and "disabled for this run" in skipped["error"]

    # a search provider returning junk is switched off; built-in and other results still come back
    (plugin_dir / "luma.py").write_text(LUMA_PLUGIN)
    cli.json("index", folder)  # crash etc. are retried (not done), luma runs
    hits = cli.json("search", "--where", "min_luma=0")
    assert len(hits) == 4 and {h["kind"] for h in hits} == {"luma"}


@pytest.mark.slow   # pip install, every command a process
def test_entry_point_plugin_installed_with_pip(tmp_path, plugin_dir, cli, monkeypatch):
    """pip-install the palette example into a target dir; discovery goes through its entry point."""
    import shutil
    target = tmp_path / "site"
    source = shutil.copytree(ROOT / "plugins" / "framesense-palette", tmp_path / "src" / "framesense-palette",
                             ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))  # builds leave files
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--no-index", "--target", str(target), str(source)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert list(target.glob("framesense_palette-1.0.0.dist-info/entry_points.txt"))
    monkeypatch.setenv("PYTHONPATH", str(target))          # read as a process starts: each command its own
    monkeypatch.setenv("FRAMESENSE_ENTRY_POINTS", "1")   # this test is about entry-point discovery
    listed = {p["name"]: p for p in cli.json("plugins", "list", process=True)}
    assert listed["palette"]["status"] == "loaded"
    assert listed["palette"]["source"].startswith("entry point framesense_palette (framesense-palette 1.0.0)")

    from framesense.media.synth import write_frames
    red = np.zeros((180, 320, 3), np.uint8); red[..., 0] = 230
    teal = np.zeros((180, 320, 3), np.uint8); teal[..., 1:] = 160
    clip = write_frames(tmp_path / "footage" / "rt.mp4", [(25, red), (25, teal)])
    rep = cli.json("index", clip.path, process=True)
    assert rep["files"][0]["stages"]["palette"] == "done"
    hits = cli.json("search", "--color", "teal", "--limit", "5", process=True)
    assert hits[0]["shot"] == 1 and hits[0]["extra"]["color"].startswith("#00")


def test_shot_scale_plugin_skipped_without_picture_weights(tmp_path, cli, monkeypatch):
    plugin = ROOT / "plugins" / "framesense-shotscale"
    monkeypatch.setenv("FRAMESENSE_PLUGINS", str(plugin))
    monkeypatch.delenv("FRAMESENSE_CLIP_MODEL", raising=False)
    monkeypatch.setenv("FRAMESENSE_MODELS", str(tmp_path / "no-models"))
    clip = write_video(tmp_path / "f" / "s.mp4", [Shot(20, 1)], audio=None)
    rep = cli.json("index", clip.path)
    assert rep["failed"] == [] and "shotscale" not in rep["files"][0]["stages"]
    note = [n for n in rep["notices"] if n.startswith("shotscale:")]
    assert note and "skipped" in note[0] and ("CLIP" in note[0] or "visual" in note[0])


def test_shot_scale_classification_on_given_embeddings():
    sys.path.insert(0, str(ROOT / "plugins" / "framesense-shotscale"))
    try:
        from framesense_shotscale import PROMPTS, SCALES, class_directions, classify
    finally:
        sys.path.pop(0)
    # A toy text encoder: each prompt's embedding points at its class axis plus a little noise.
    rng = np.random.default_rng(0)
    axis = {p: SCALES.index(c) for c, ps in PROMPTS.items() for p in ps}

    def embed_texts(texts):
        v = rng.normal(0, 0.05, (len(texts), 8)).astype(np.float32)
        for i, t in enumerate(texts):
            v[i, axis[t]] += 1
        return v

    d = class_directions(embed_texts)
    images = np.array([[0.9, 0.1, 0.0, 0, 0, 0, 0, 0], [0.1, 0.2, 1.0, 0, 0, 0, 0, 0],
                       [0.2, 0.8, 0.3, 0, 0, 0, 0, 0]])
    out = classify(images, d)
    assert [label for label, _ in out] == ["close-up", "wide", "medium"]
    assert all(0.5 < p <= 1.0 for _, p in out)


CUTLIST_PLUGIN = '''
"""A CSV cut list exporter and an app action that counts the selected hits' seconds."""
import csv
from pathlib import Path
from framesense.plugins import AppAction, ExporterSpec, hookimpl

def write_csv(sequence, path, **options):
    path = Path(path)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["media", "source_in", "source_out", "record_in", "record_out"])
        for p in sequence.placements():
            w.writerow([Path(p.clip.media.path).name, p.clip.source_in, p.clip.source_out, p.record_in, p.record_out])
    return [path]

def total_seconds(ctx):
    return f"{sum(h.end - h.start for h in ctx.selection):.2f} s selected"

@hookimpl
def framesense_exporters():
    return [ExporterSpec(name="cutlist", suffixes=(".csv",), export=write_csv, description="CSV cut list")]

@hookimpl
def framesense_app_actions():
    return [AppAction(id="cutlist.seconds", label="Total seconds", run=total_seconds)]
'''


def test_plugin_exporter_and_app_action(tmp_path, plugin_dir, footage, cli, library):
    import csv

    from framesense import Library
    from framesense.plugins import ActionContext, get_plugins

    (plugin_dir / "luma.py").write_text(LUMA_PLUGIN)
    (plugin_dir / "cutlist.py").write_text(CUTLIST_PLUGIN)
    folder, a, b = footage
    cli.json("index", folder)
    plugins = get_plugins(reload=True)
    try:
        with Library.open(library) as lib:
            hits = lib.search(min_luma=0)
            assert len(hits) == 4
            seq = lib.sequence_from_hits(sorted(hits, key=lambda h: (h.media_path, h.start)))
            written = lib.export(seq, tmp_path / "cut.csv")
            lib.export(seq, tmp_path / "cut.otio")
        rows = list(csv.DictReader(open(written[0])))
        assert [(r["media"], int(r["source_in"]), int(r["source_out"])) for r in rows] == [
            ("a.mp4", 0, 20), ("a.mp4", 20, 40), ("b.mp4", 0, 25), ("b.mp4", 25, 45)]
        assert [int(r["record_in"]) for r in rows] == [0, 20, 40, 65]
        # the CLI's export finds the plugin exporter by the output suffix
        out = cli.json("export", "--sequence", tmp_path / "cut.otio", "-o", tmp_path / "cli.csv")
        assert out["format"] == "cutlist"
        assert (tmp_path / "cli.csv").read_text() == (tmp_path / "cut.csv").read_text()
        # app actions are plain descriptions: the app calls run() with the selection
        action = {x.id: x for x in plugins.app_actions()}["cutlist.seconds"]
        ctx = ActionContext(library_dir=library, selection=hits)
        assert action.enabled_for(ctx) and action.menu == "Plugins"
        assert action.run(ctx) == "3.40 s selected"
        assert not action.enabled_for(ActionContext(library_dir=library))
    finally:
        import framesense.plugins.manager as manager
        manager._DEFAULT = None  # the next user reloads with the environment monkeypatch restores


SHOTCOUNT = """
import os
from framesense.analysis.base import Analyzer
from framesense.plugins import hookimpl

class ShotCount(Analyzer):
    name = "shotcount"
    requires = ("shots",)

    def __init__(self, options):
        self.ready = False

    def unavailable_reason(self):
        self.ready = True          # state set up the way the indexer's run does, in each process
        return None

    def analyze(self, ctx):
        assert self.ready
        ctx.progress(0.5, "counting")
        os.environ["SHOTCOUNT_WAS_HERE"] = "1"
        return {"shots": len(ctx.catalog.shots(ctx.media["id"])), "pid": os.getpid()}

    def store(self, catalog, media, result):
        return f"{result['shots']} shots (pid {result['pid']})"

@hookimpl
def framesense_analyzers(options):
    return [ShotCount(options)]
"""


def test_process_isolated_analyzer_reads_catalog_and_stores(tmp_path, library, monkeypatch):
    """analyze runs in the plugin's own process (its own catalog connection, progress sent back);
    store in the indexer. Two files: the process is started once per run."""
    from framesense import Library
    from framesense.plugins import Plugins
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "shotcount.py").write_text(SHOTCOUNT)
    monkeypatch.delenv("SHOTCOUNT_WAS_HERE", raising=False)
    clips = [write_video(tmp_path / f"c{i}.mp4", [Shot(20, 1), Shot(20, 2), Shot(20, 3)][: i + 2], audio=None).path
             for i in range(2)]
    notes = []
    with Library.open(library) as lib:
        lib.plugins = Plugins().load(folder, entry_points=False)
        report = lib.index(clips, speech=False, visual=False,
                           progress=_Notes(notes))
        assert [f.stages["shotcount"] for f in report.files] == ["done", "done"], report.to_json()
        rows = lib.catalog.query("SELECT detail FROM analysis_runs WHERE analyzer = 'shotcount' ORDER BY media_id")
    details = [r["detail"] for r in rows]
    assert [d.split(" shots")[0] for d in details] == ["2", "3"]
    pids = {d.split("pid ")[1] for d in details}
    assert len(pids) == 1 and str(os.getpid()) not in pids      # one process for the run, not this one
    assert "SHOTCOUNT_WAS_HERE" not in os.environ
    assert "counting" in notes


def _Notes(notes):
    """A Progress that keeps the stage notes it is sent."""
    from framesense.progress import Progress

    class Notes(Progress):
        def stage(self, name, fraction, note=""):
            notes.append(note)
    return Notes()


@pytest.mark.slow   # a real picture model
def test_shot_scale_plugin_with_picture_weights(tmp_path, cli, library, monkeypatch):
    """With a CLIP model (a tiny random one here: labels are arbitrary, the pipeline is real) every shot
    gets a scale, stored in the plugin's table and found with --where scale=..."""
    pytest.importorskip("framesense.models.clip", reason="the visual component (branch visual) is not merged")
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from clip_fixture import make_tiny_clip
    finally:
        sys.path.pop(0)
    monkeypatch.setenv("FRAMESENSE_PLUGINS", str(ROOT / "plugins" / "framesense-shotscale"))
    monkeypatch.setenv("FRAMESENSE_CLIP_MODEL", str(make_tiny_clip(tmp_path / "tiny-clip")))
    monkeypatch.setenv("FRAMESENSE_MODELS", str(tmp_path / "cache"))
    clip = write_video(tmp_path / "f" / "s.mp4", [Shot(20, 1), Shot(20, 2), Shot(20, 3)], audio=None)
    rep = cli.json("index", clip.path, "--no-speech")
    assert rep["files"][0]["stages"]["shotscale"] == "done", rep
    with Catalog.open(library) as cat:
        rows = cat.query("SELECT shot_idx, scale, confidence FROM shot_scale ORDER BY shot_idx")
    assert [r["shot_idx"] for r in rows] == [0, 1, 2]
    assert all(r["scale"] in ("close-up", "medium", "wide") and 0 < r["confidence"] <= 1 for r in rows)
    hits = cli.json("search", "--scale", rows[0]["scale"])
    assert 0 in {h["shot"] for h in hits} and all(h["kind"] == "scale" for h in hits)
    bad = cli("search", "--scale", "extreme-macro", check=False)
    assert bad.returncode == 2 and "expected one of" in bad.stderr
