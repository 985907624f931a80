"""Pictures: a tiny real OpenCLIP model from a local checkpoint, indexed and searched via the CLI."""

from __future__ import annotations

import json
import os
from fractions import Fraction

import av
import pytest

from clip_fixture import make_tiny_clip
from conftest import run_cli
from framesense.analysis.visual import sample_frames
from framesense.media.synth import Shot, write_video
from framesense.search.visual import parse_term

RATE = 25
A_SHOTS = [Shot(40, 1), Shot(100, 2), Shot(40, 3), Shot(45, 4)]   # shot 1 is long: several samples (synth pans wrap after ~106 frames)
B_SHOTS = [Shot(40, 5), Shot(40, 6), Shot(40, 7)]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("visual")
    model = make_tiny_clip(root / "tiny-clip")
    footage = root / "footage"
    a = write_video(footage / "a.mp4", A_SHOTS, rate=RATE, audio=None)
    b = write_video(footage / "b.mp4", B_SHOTS, rate=RATE, audio=None)
    lib = root / "library"
    env = {"FRAMESENSE_CLIP_MODEL": str(model), "FRAMESENSE_MODELS": str(root / "cache")}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        report = json.loads(run_cli(lib, "index", footage, "--no-speech", "--json").stdout)
        yield {"root": root, "model": model, "a": a, "b": b, "lib": lib, "report": report}
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def search(world, *args, check=True):
    proc = run_cli(world["lib"], "search", *args, "--json", check=check)
    return json.loads(proc.stdout) if proc.returncode == 0 else proc


def mid_seconds(rng):
    return (rng[0] + rng[1]) / 2 / RATE


def test_index_ran_visual_stage(world):
    stages = {os.path.basename(f["path"]): f["stages"] for f in world["report"]["files"]}
    assert stages["a.mp4"]["visual"] == "done"
    assert stages["a.mp4"]["fingerprint"] == "done"
    assert not world["report"]["notices"]
    # the index left the vector cache in step: the first search builds nothing
    (state,) = [json.loads(p.read_text()) for p in (world["lib"] / "cache" / "vectors").glob("*/state.json")]
    from framesense.catalog import Catalog
    cat = Catalog.open(world["lib"])
    try:
        assert state["count"] == cat.one("SELECT COUNT(*) AS n FROM frame_embeddings")["n"] > 0
    finally:
        cat.close()


def test_like_finds_its_own_shot_first(world):
    for media in ("a", "b"):
        res = world[media]
        for k, rng in enumerate(res.shot_ranges):
            hits = search(world, "--like", f"{res.path}@{mid_seconds(rng) + 0.13:.3f}")
            top = hits[0]
            assert top["media_path"] == str(res.path)
            assert top["shot"] == k
            assert abs(top["start"] - rng[0] / RATE) < 1e-6 and abs(top["end"] - rng[1] / RATE) < 1e-6
            assert top["thumbnail"] and os.path.isabs(top["thumbnail"]) and os.path.exists(top["thumbnail"])


def export_frame(path, index, out, size=(240, 136)):
    with av.open(str(path)) as c:
        for i, frame in enumerate(c.decode(video=0)):
            if i == index:
                frame.to_image().resize(size).save(out)
                return out
    raise AssertionError("frame not found")


def test_example_image_finds_its_shot(world, tmp_path):
    b = world["b"]
    for k in (0, 2):
        lo, hi = b.shot_ranges[k]
        img = export_frame(b.path, lo + 7, tmp_path / f"still{k}.png")
        hits = search(world, "--image", img)
        assert hits[0]["media_path"] == str(b.path) and hits[0]["shot"] == k
        assert hits[0]["kind"] == "image"


def test_neighbouring_frame_hits_merge_into_the_shot(world):
    a = world["a"]
    lo, hi = a.shot_ranges[1]
    assert len(sample_frames([{"id": 1, "start_frame": lo, "end_frame": hi}], Fraction(RATE))) >= 3
    hits = search(world, "--like", f"{a.path}@{(lo + 20) / RATE}", "--limit", "50")
    keys = [(h["media_path"], h["shot"]) for h in hits]
    assert len(keys) == len(set(keys)), "one hit per shot"
    top = hits[0]
    assert top["shot"] == 1 and len(top["extra"]["frames"]) >= 3
    assert (top["start"], top["end"]) == (lo / RATE, hi / RATE)
    assert len(hits) == len(A_SHOTS) + len(B_SHOTS)


def test_text_terms_with_weights_and_mixed_queries(world, tmp_path):
    hits = search(world, "--text", "harbour", "--text", "-night", "--text", "boats:0.5")
    assert hits and all(h["kind"] == "text" and h["end"] > h["start"] for h in hits)
    b = world["b"]
    img = export_frame(b.path, b.shot_ranges[1][0] + 5, tmp_path / "s.png")
    mixed = search(world, "--image", str(img), "--text", "night:-0.1")
    assert mixed[0]["media_path"] == str(b.path) and mixed[0]["shot"] == 1
    only_negative = search(world, "--text", "-night", check=False)
    assert only_negative.returncode == 2 and "positive" in only_negative.stderr


def test_bad_references_are_clear_errors(world, tmp_path):
    proc = search(world, "--like", f"{world['a'].path}@999", check=False)
    assert proc.returncode == 2 and "outside" in proc.stderr
    bogus = tmp_path / "nope.png"
    bogus.write_text("not an image")
    proc = search(world, "--image", bogus, check=False)
    assert proc.returncode == 2 and "nope.png" in proc.stderr


def test_reindex_is_incremental(world):
    report = json.loads(run_cli(world["lib"], "index", world["a"].path, "--no-speech", "--json").stdout)
    assert report["files"][0]["stages"]["visual"] == "cached"


def test_parse_term():
    assert parse_term("harbour") == ("harbour", 1.0)
    assert parse_term("-night") == ("night", -1.0)
    assert parse_term("night:-0.5") == ("night", -0.5)
    assert parse_term("a red car:2") == ("a red car", 2.0)


def test_missing_model_leaves_the_rest_working(tmp_path):
    clip = write_video(tmp_path / "f" / "clip.mp4", [Shot(30, 1), Shot(30, 2)], rate=RATE, audio=None)
    lib = tmp_path / "lib"
    env_backup = {k: os.environ.pop(k, None) for k in ("FRAMESENSE_CLIP_MODEL",)}
    os.environ["FRAMESENSE_MODELS"] = str(tmp_path / "empty-cache")
    try:
        proc = run_cli(lib, "index", clip.path, "--no-speech")
        notes = [line for line in proc.stderr.splitlines() if "visual search is off" in line]
        assert len(notes) == 1, proc.stderr
        assert "framesense models download clip ViT-B-32:openai" in notes[0]
        assert "FRAMESENSE_CLIP_MODEL" in notes[0]
        shots = json.loads(run_cli(lib, "shots", clip.path, "--json").stdout)
        assert len(shots) == 2
        same = json.loads(run_cli(lib, "search", "--same-as", f"{clip.path}@0.5", "--json").stdout)
        assert isinstance(same, list)
        proc = run_cli(lib, "search", "--text", "harbour", check=False)
        assert proc.returncode == 2 and "visual search is off" in proc.stderr
        os.environ["FRAMESENSE_CLIP_MODEL"] = "ViT-B-32:/no/such/checkpoint.pt"
        proc = run_cli(lib, "index", clip.path, "--no-speech")
        assert "/no/such/checkpoint.pt" in proc.stderr and "visual search is off" in proc.stderr
        proc = run_cli(lib, "index", clip.path, "--no-speech", "--no-visual")
        assert "visual search is off" not in proc.stderr
    finally:
        os.environ.pop("FRAMESENSE_CLIP_MODEL", None)
        os.environ.pop("FRAMESENSE_MODELS", None)
        for k, v in env_backup.items():
            if v is not None:
                os.environ[k] = v


def test_model_specs_resolve_without_the_network(tmp_path, monkeypatch):
    from framesense.models import clip as cm

    monkeypatch.setenv("FRAMESENSE_MODELS", str(tmp_path / "cache"))
    monkeypatch.delenv("FRAMESENSE_CLIP_MODEL", raising=False)
    ckpt = tmp_path / "weights.pt"
    ckpt.write_bytes(b"x")
    assert cm.parse_spec(f"ViT-B-32:{ckpt}") == cm.ClipSpec("ViT-B-32", path=str(ckpt))
    assert cm.parse_spec("ViT-B-32:openai") == cm.ClipSpec("ViT-B-32", tag="openai")
    assert cm.problem(cm.parse_spec(f"ViT-B-32:{ckpt}")) is None
    assert "unknown open_clip architecture" in cm.problem(cm.parse_spec(f"NoSuchNet:{ckpt}"))
    # a tag that was never downloaded is off, with the download command in the message
    assert "framesense models download clip ViT-B-32:openai" in cm.problem(cm.parse_spec("ViT-B-32:openai"))
    assert cm.configured_spec() == (None, "")
    assert cm.configured_spec(setting=f"ViT-B-32:{ckpt}")[1] == "catalog setting clip_model"
    monkeypatch.setenv("FRAMESENSE_CLIP_MODEL", "ViT-B-32:openai")
    assert cm.configured_spec(setting=f"ViT-B-32:{ckpt}")[0].tag == "openai"   # env beats the setting
    rows = cm.clip_model_status()
    assert rows[0]["active"] and not rows[0]["installed"] and rows[0]["name"] == "ViT-B-32:openai"
    assert {r["name"] for r in rows} >= {"ViT-B-32:openai", "ViT-B-32:laion2b_s34b_b79k"}
    # a broken checkpoint is a clear error naming the spec, not a traceback
    with pytest.raises(cm.ModelUnavailable, match="weights.pt"):
        cm.ClipModel(cm.parse_spec(f"ViT-B-32:{ckpt}"))
