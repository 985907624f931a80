"""Same footage: a recut, re-encoded, brightened, letterboxed copy of a shot is found; others are not."""

from __future__ import annotations

import json

import av
import numpy as np
import pytest

from conftest import run_cli
from framesense.analysis.fingerprint import frame_hashes
from framesense.media.synth import Shot, write_video
from framesense.search.same import hamming

RATE = 25


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("same")
    src = write_video(root / "f" / "rushes.mp4", [Shot(50, 1), Shot(60, 2), Shot(50, 3)], rate=RATE, audio=None)
    # The programme reuses rushes shot 1: only its first 35 frames, re-encoded harder,
    # brightened and letterboxed, between shots that appear nowhere else.
    prog = write_video(root / "f" / "programme.mp4",
                       [Shot(45, 11), Shot(35, 2, brightness=35, letterbox=0.2), Shot(45, 12)],
                       rate=RATE, audio=None, crf=32)
    lib = root / "lib"
    report = json.loads(run_cli(lib, "index", root / "f", "--no-speech", "--no-visual", "--json").stdout)
    assert all(f["stages"]["fingerprint"] == "done" for f in report["files"])
    return {"src": src, "prog": prog, "lib": lib, "root": root}


def same_as(world, ref, check=True):
    proc = run_cli(world["lib"], "search", "--same-as", ref, "--json", check=check)
    return json.loads(proc.stdout) if proc.returncode == 0 else proc


def test_reuse_is_found_and_unrelated_shots_are_not(world):
    src, prog = world["src"], world["prog"]
    hits = same_as(world, f"{src.path}@{(50 + 30) / RATE}")
    found = {(h["media_path"], h["shot"]) for h in hits}
    assert found == {(str(prog.path), 1)}, hits
    hit = hits[0]
    lo, hi = prog.shot_ranges[1]
    # the matched range lies in the reused shot and covers most of it
    assert lo / RATE - 1e-6 <= hit["start"] < hit["end"] <= hi / RATE + 1e-6
    assert hit["end"] - hit["start"] >= 0.8 * (hi - lo) / RATE
    assert hit["kind"] == "same"


def test_search_from_the_copy_finds_the_original(world):
    src, prog = world["src"], world["prog"]
    lo, hi = prog.shot_ranges[1]
    hits = same_as(world, f"{prog.path}@{(lo + 10) / RATE}")
    assert [(h["media_path"], h["shot"]) for h in hits] == [(str(src.path), 1)]


def test_unrelated_shots_have_no_reuse(world):
    src, prog = world["src"], world["prog"]
    assert same_as(world, f"{src.path}@0.5") == []
    assert same_as(world, f"{prog.path}@0.5") == []


def test_an_image_file_finds_every_use(world, tmp_path):
    src = world["src"]
    with av.open(str(src.path)) as c:
        for i, frame in enumerate(c.decode(video=0)):
            if i == 62:
                img = frame.to_image()
                break
    path = tmp_path / "still.jpg"
    img.resize((400, 225)).save(path, quality=70)
    hits = same_as(world, str(path))
    found = {(h["media_path"], h["shot"]) for h in hits}
    assert found == {(str(src.path), 1), (str(world["prog"].path), 1)}


def test_hashes_ignore_brightness_and_bars_but_not_content():
    rng = np.random.default_rng(3)
    base = np.kron(rng.uniform(40, 200, (9, 16)), np.ones((8, 8)))  # 72 x 128
    other = np.kron(rng.uniform(40, 200, (9, 16)), np.ones((8, 8)))
    boxed = base + 30
    boxed[:7] = 0
    boxed[-7:] = 0
    h0, h1, h2 = frame_hashes(base), frame_hashes(boxed), frame_hashes(other)
    d = lambda x, y: int(hamming(np.array([x]), np.array([y]))[0, 0])
    assert d(h0[0], h1[0]) <= 4
    assert d(h0[0], h2[0]) > 12
    assert frame_hashes(np.zeros((72, 128))) is None       # black: no identity
    assert frame_hashes(np.full((72, 128), 128.0)) is None  # flat grey: none either


def test_bad_reference_is_a_clear_error(world):
    proc = same_as(world, "nothing-here.mp4@2", check=False)
    assert proc.returncode == 2 and "nothing-here.mp4" in proc.stderr
    proc = same_as(world, f"{world['src'].path}@abc", check=False)
    assert proc.returncode == 2 and "abc" in proc.stderr
