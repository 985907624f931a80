"""``index --jobs 2``: the same catalog as one process, kill -9 safe and resumable; a dead
worker's file is retried; ``merge`` copies stages once and a second merge changes nothing;
a frame stage added later decodes alone and gives the rows the one-pass scan gives."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest

from catalog_dump import assert_same, dump
from clip_fixture import make_tiny_clip
from conftest import ROOT, children, kill_after_indexed, plugin_folder, run_cli, running, write_kill_footage
from framesense.media.synth import Shot, write_video

pytestmark = pytest.mark.slow   # worker processes, kill loops

run_cli = partial(run_cli, process=True)   # worker processes, kills and leftovers are the point

CRASH_PLUGIN = '''
import os, signal
from pathlib import Path
from framesense.analysis.base import Analyzer
from framesense.plugins import hookimpl


class CrashOnce(Analyzer):
    """Kills its own process the first time it sees c1 (a worker dying mid-file). In the indexer's
    process (``isolation = "thread"``): in its own plugin process the kill would only fail the stage."""
    name = "crashonce"
    version = "1"
    isolation = "thread"

    def analyze(self, ctx):
        mark = Path(os.environ["CRASH_MARK"])
        if ctx.media["name"] == "c1.mp4" and not mark.exists():
            mark.write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)
        return os.getpid()

    def store(self, catalog, media, result):
        return "ok"


@hookimpl
def framesense_analyzers(options):
    return [CrashOnce()]
'''


def footage(folder: Path, n: int = 3) -> list:
    rates = ["25", "24000/1001", "30000/1001"]
    return [write_video(folder / f"c{i}.mp4", [Shot(40, 3 * i + 1), Shot(55, 3 * i + 2), Shot(30, 3 * i + 3)],
                        rate=rates[i % 3], width=320, height=180, audio="tone" if i == 0 else None)
            for i in range(n)]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("parallel")
    footage(root / "f")
    model = make_tiny_clip(root / "tiny-clip")
    env = {"FRAMESENSE_CLIP_MODEL": str(model)}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    plain = root / "plain"
    run_cli(plain, "index", root / "f", "--speech-model", "tiny.en")
    yield {"root": root, "plain": plain, "dump": dump(plain)}
    for k, v in old.items():
        os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


def test_jobs_2_gives_the_same_catalog_row_for_row(world):
    lib = world["root"] / "jobs"
    proc = run_cli(lib, "index", world["root"] / "f", "--speech-model", "tiny.en", "--jobs", "2", "--json")
    assert proc.returncode == 0
    d = dump(lib)
    assert len(d["shots"]) == 9 and d["fingerprints"] and d["embeddings"]
    assert {r["analyzer"] for r in d["runs"]} >= {"shots", "fingerprint", "visual", "speech"}
    assert_same(world["dump"], d)
    assert all((lib / r["thumb"]).is_file() for r in d["shots"])
    again = run_cli(lib, "index", world["root"] / "f", "--jobs", "2", "--speech-model", "tiny.en", "--json")
    assert '"unchanged": 3' in again.stdout


def test_merge_twice_changes_nothing(world):
    lib = world["root"] / "merged"
    first = run_cli(lib, "merge", world["plain"], "--json").stdout
    assert '"media_added": 3' in first
    d1 = dump(lib)
    assert_same(world["dump"], d1, vector_atol=0)
    second = run_cli(lib, "merge", world["plain"], "--json").stdout
    assert '"stages_copied": 0' in second and '"media_added": 0' in second
    assert_same(d1, dump(lib), vector_atol=0)
    # the merged library is complete: indexing it again finds nothing to do
    again = run_cli(lib, "index", world["root"] / "f", "--speech-model", "tiny.en", "--json").stdout
    assert '"unchanged": 3' in again and '"done"' not in again
    assert all((lib / r["thumb"]).is_file() for r in d1["shots"])


def test_a_partial_library_merges_into_a_fuller_one(world, tmp_path):
    part = tmp_path / "part"    # a worker that got as far as shots and fingerprints
    run_cli(part, "index", world["root"] / "f", "--no-speech", "--no-visual")
    lib = tmp_path / "lib"
    run_cli(lib, "merge", part)
    out = run_cli(lib, "index", world["root"] / "f", "--speech-model", "tiny.en", "--json").stdout
    assert '"shots": "cached"' in out and '"visual": "done"' in out   # only the missing stages ran
    assert_same(world["dump"], dump(lib))


def test_a_frame_stage_run_later_decodes_alone_to_the_same_rows(world, tmp_path):
    lib = tmp_path / "lib"
    run_cli(lib, "index", world["root"] / "f", "--speech-model", "tiny.en", "--disable", "fingerprint",
            "--no-visual")
    out = run_cli(lib, "index", world["root"] / "f", "--speech-model", "tiny.en", "--json").stdout
    assert '"fingerprint": "done"' in out and '"shots": "cached"' in out
    assert_same(world["dump"], dump(lib))


def test_a_dead_worker_process_is_retried(world, tmp_path, monkeypatch):
    plugin_folder(tmp_path, monkeypatch, {"crashonce.py": CRASH_PLUGIN})
    monkeypatch.setenv("CRASH_MARK", str(tmp_path / "crashed"))
    lib = tmp_path / "lib"
    proc = run_cli(lib, "index", world["root"] / "f", "--no-speech", "--no-visual", "--jobs", "2", "--json")
    assert (tmp_path / "crashed").exists(), "the worker should have died once"
    assert proc.returncode == 0, proc.stderr
    d = dump(lib)
    assert all(m["status"] == "indexed" for m in d["media"])
    assert {(r["path"].rsplit("/", 1)[1], r["status"]) for r in d["runs"] if r["analyzer"] == "crashonce"} == {
        ("c0.mp4", "done"), ("c1.mp4", "done"), ("c2.mp4", "done")}
    assert [r for r in d["shots"]] == [r for r in world["dump"]["shots"]]


def test_kill_during_jobs_2_then_resume(tmp_path, library):
    folder = tmp_path / "f"
    write_kill_footage(folder)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "framesense", "--library", str(library), "index", str(folder), "--no-speech",
           "--no-visual", "--jobs", "2"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    helpers: list[int] = []
    done = kill_after_indexed(proc, library, 2, timeout=180, before_kill=lambda: helpers.extend(children(proc.pid)))
    assert 2 <= done < 8, "the kill should land mid-run"
    assert len(helpers) >= 2, "the writer should have had its worker processes"
    deadline = time.time() + 15         # the workers die with the writer (PR_SET_PDEATHSIG); 15 s: a busy machine
    while any(map(running, helpers)) and time.time() < deadline:
        time.sleep(0.05)
    assert not [p for p in helpers if running(p)], "worker processes outlived the killed writer"
    con = sqlite3.connect(f"file:{library / 'catalog.sqlite'}?mode=ro", uri=True, timeout=5)
    orphans = con.execute("SELECT count(*) FROM shots s WHERE NOT EXISTS (SELECT 1 FROM analysis_runs a "
                          "WHERE a.media_id = s.media_id AND a.analyzer='shots' AND a.status='done')").fetchone()[0]
    con.close()
    assert orphans == 0
    resumed = subprocess.run(cmd + ["--json"], env=env, check=True, capture_output=True, text=True)
    d = dump(library)
    assert len(d["media"]) == 8 and all(m["status"] == "indexed" for m in d["media"])
    assert len(d["shots"]) == 24
    assert sum(1 for r in d["runs"] if r["analyzer"] == "shots" and r["status"] == "done") == 8
    counts = json.loads(resumed.stdout)["counts"]   # files whose stages were finished now are not "unchanged"
    assert counts.get("unchanged", 0) <= done and sum(counts.values()) == 8, counts
    clean = tmp_path / "clean"                      # and the resumed catalog is a clean run's, table by table
    run_cli(clean, "index", folder, "--no-speech", "--no-visual")
    assert_same(dump(clean), d)


RIDER_PLUGIN = '''
from framesense.analysis.base import FrameConsumer, FrameRequest
from framesense.plugins import hookimpl
from framesense.plugins.helpers import ShotImages


class Widths(FrameConsumer):
    """A plugin frame stage: the width of each shot's thumbnail frame, read during the shots scan
    (plugin frame stages ride on the scan when they run in the indexer's process)."""
    name = "widths"
    version = "1"
    isolation = "thread"
    frame_request = FrameRequest(representative=True)

    def frame_session(self, media, rate):
        rows = []
        return ShotImages(lambda idx, f, img: rows.append((idx, f, img.width)), lambda: sorted(rows), width=64)

    def analyze(self, ctx):
        raise RuntimeError("decoded on its own")   # never: the shots scan feeds it

    def store(self, catalog, media, result):
        return repr(result)


@hookimpl
def framesense_analyzers(options):
    return [Widths()]
'''


def test_a_plugin_frame_stage_rides_on_the_shots_scan(world, tmp_path, monkeypatch):
    plugin_folder(tmp_path, monkeypatch, {"widths.py": RIDER_PLUGIN})
    lib = tmp_path / "lib"
    run_cli(lib, "index", world["root"] / "f", "--no-speech", "--no-visual")
    from framesense.catalog import Catalog
    with Catalog.open(lib) as cat:
        runs = cat.query("SELECT m.id, a.status, a.detail FROM analysis_runs a JOIN media m ON m.id = a.media_id "
                         "WHERE a.analyzer = 'widths'")
        assert len(runs) == 3 and all(r["status"] == "done" for r in runs), runs
        for r in runs:
            thumbs = [(s["idx"], s["thumbnail_frame"], 64) for s in cat.shots(r["id"])]
            assert r["detail"] == repr(thumbs)   # exactly the thumbnail frames, at the asked width


SHOTS_PLUGIN = '''
from framesense.analysis.base import Analyzer
from framesense.plugins import hookimpl


class ShotSpans(Analyzer):
    """A plugin stage in its own process (the default) that reads the shots catalogued before it."""
    name = "shotspans"
    version = "1"
    requires = ("shots",)

    def analyze(self, ctx):
        return [(s["idx"], s["start_frame"], s["end_frame"], s["thumbnail_frame"])
                for s in ctx.catalog.shots(ctx.media["id"])]

    def store(self, catalog, media, result):
        return repr(result)


@hookimpl
def framesense_analyzers(options):
    return [ShotSpans()]
'''


def test_a_plugin_in_its_own_process_reads_the_shots_its_worker_just_found(world, tmp_path, monkeypatch):
    """Under --jobs the file's shots are not committed yet when its plugin stage runs in the worker:
    the plugin's process reads the worker's view of the file, and sees what a plain run sees."""
    plugin_folder(tmp_path, monkeypatch, {"shotspans.py": SHOTS_PLUGIN})
    details = []
    for name, extra in (("plain", ()), ("jobs", ("--jobs", "2"))):
        lib = tmp_path / name
        run_cli(lib, "index", world["root"] / "f", "--no-speech", "--no-visual", *extra)
        from framesense.catalog import Catalog
        with Catalog.open(lib) as cat:
            details.append(cat.query("SELECT m.path, a.status, a.detail FROM analysis_runs a JOIN media m "
                                     "ON m.id = a.media_id WHERE a.analyzer = 'shotspans' ORDER BY 1"))
    assert len(details[0]) == 3 and all(r["status"] == "done" and r["detail"] != "[]" for r in details[0])
    assert details[0] == details[1]
