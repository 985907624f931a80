"""``index --ray``: a local Ray cluster (2 worker actors) indexes the test media into the same
catalog, row for row, as a plain index; a worker killed mid-file is restarted by Ray and
its file retried; the result merges into another library once."""

from __future__ import annotations

import os
from functools import partial

import pytest

pytest.importorskip("ray")   # in the dev and all extras; --ray says how to install it when missing

from catalog_dump import assert_same, dump
from clip_fixture import make_tiny_clip
from conftest import plugin_folder, run_cli
from test_parallel import CRASH_PLUGIN, footage

pytestmark = pytest.mark.slow   # a Ray cluster

run_cli = partial(run_cli, process=True)   # Ray starts and stops with its process


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("ray")
    footage(root / "f")
    env = {"FRAMESENSE_CLIP_MODEL": str(make_tiny_clip(root / "tiny-clip"))}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    plain = root / "plain"
    run_cli(plain, "index", root / "f", "--no-speech")
    yield {"root": root, "plain": plain}
    for k, v in old.items():
        os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


def test_ray_cluster_indexes_like_one_process_and_retries_a_killed_worker(world, tmp_path, monkeypatch):
    plugin_folder(tmp_path, monkeypatch, {"crashonce.py": CRASH_PLUGIN})
    monkeypatch.setenv("CRASH_MARK", str(tmp_path / "crashed"))
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    lib = tmp_path / "lib"
    proc = run_cli(lib, "index", world["root"] / "f", "--no-speech", "--ray", "local:2", "--json")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "crashed").exists(), "a Ray worker should have died mid-file"
    d = dump(lib)
    # the killed worker's file was retried on the restarted actor, in a different process
    crash = [r for r in d["runs"] if r["analyzer"] == "crashonce"]
    assert [r["status"] for r in crash] == ["done"] * 3
    d["runs"] = [r for r in d["runs"] if r["analyzer"] != "crashonce"]
    ref = dump(world["plain"])
    assert d["embeddings"] and d["fingerprints"] and len(d["shots"]) == 9
    assert_same(ref, d)
    assert all((lib / r["thumb"]).is_file() for r in d["shots"])
    # a re-run on the cluster finds nothing to do
    again = run_cli(lib, "index", world["root"] / "f", "--no-speech", "--json")
    assert '"unchanged": 3' in again.stdout
