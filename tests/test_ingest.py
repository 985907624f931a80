"""Indexing a folder: incremental re-runs, changes, moves, bad input and kill -9 resume."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, cli_json, kill_after_indexed, write_kill_footage
from framesense.catalog import Catalog
from framesense.media.synth import Shot, write_broken_files, write_video


def _footage(folder: Path, n: int = 3, frames: int = 40):
    out = []
    rates = ["24000/1001", "25", "30000/1001"]
    for i in range(n):
        out.append(write_video(folder / f"clip {i}.mov", [Shot(frames, 10 * i + 1), Shot(frames, 10 * i + 2)],
                               rate=rates[i % 3], start_timecode="01:00:00:00" if i % 3 != 2 else "01:00:00;00",
                               audio="tone" if i % 2 == 0 else None))
    return out


def _runs(library):
    with Catalog.open(library) as cat:
        return {(r["path"], r["analyzer"]): r["finished_at"] for r in cat.query(
            "SELECT m.path, a.analyzer, a.finished_at FROM analysis_runs a JOIN media m ON m.id = a.media_id")}


def test_index_media_and_shots_json(tmp_path, cli, library):
    clips = _footage(tmp_path / "footage")
    report = cli.json("index", tmp_path / "footage", "--no-speech", "--no-visual")
    assert report["counts"] == {"new": 3}
    media = {Path(m["path"]).name: m for m in cli.json("media")}
    assert set(media) == {"clip 0.mov", "clip 1.mov", "clip 2.mov"}
    m = media["clip 2.mov"]
    assert m["rate"] == "30000/1001" and m["start_timecode"] == "01:00:00;00"
    assert m["status"] == "indexed" and m["error"] is None
    assert (m["width"], m["height"]) == (320, 180)
    assert m["duration"] == pytest.approx(80 * 1001 / 30000, abs=1e-6)
    assert media["clip 0.mov"]["rate"] == "24000/1001" and media["clip 0.mov"]["start_timecode"] == "01:00:00:00"
    assert media["clip 0.mov"]["reel"] == "CLIP_0"
    shots = cli.json("shots", clips[1].path)
    assert [(s["start_frame"], s["end_frame"]) for s in shots] == [(0, 40), (40, 80)]
    assert shots[1]["start"] == pytest.approx(40 / 25) and shots[1]["end"] == pytest.approx(80 / 25)
    assert all(Path(s["thumbnail"]).is_file() for s in shots)


def test_rerun_skips_unchanged_and_redoes_changed(tmp_path, cli, library):
    clips = _footage(tmp_path / "f", n=2)
    cli("index", tmp_path / "f", "--no-speech")
    before = _runs(library)
    report = cli.json("index", tmp_path / "f", "--no-speech")
    assert report["counts"] == {"unchanged": 2}
    assert _runs(library) == before  # nothing re-analysed
    # rewrite one file with different cuts: it is re-indexed, the other is not
    write_video(clips[0].path, [Shot(20, 5), Shot(20, 6), Shot(20, 7)], rate="24000/1001")
    report = cli.json("index", tmp_path / "f", "--no-speech")
    assert report["counts"] == {"changed": 1, "unchanged": 1}
    shots = cli.json("shots", clips[0].path)
    assert [s["start_frame"] for s in shots] == [0, 20, 40]
    after = _runs(library)
    assert after[(str(clips[1].path), "shots")] == before[(str(clips[1].path), "shots")]
    assert after[(str(clips[0].path), "shots")] != before[(str(clips[0].path), "shots")]
    with Catalog.open(library) as cat:
        assert cat.one("SELECT count(*) n FROM media")["n"] == 2


def test_a_library_inside_the_footage_is_never_footage(tmp_path):
    """`--library ./lib index .`: the catalog, its WAL, its check file and thumbnails are not media."""
    footage = tmp_path / "f"
    _footage(footage, n=1)
    lib = footage / "lib"
    for _ in range(2):
        run = cli_json(lib, "index", footage, "--no-speech", "--no-visual", "--disable", "faces")
        assert not run["failed"]
    assert [Path(m["path"]).name for m in cli_json(lib, "media")] == ["clip 0.mov"]
    assert cli_json(lib, "index", lib / "catalog.sqlite", "--no-speech", "--no-visual")["counts"] == {}


def test_moved_file_keeps_its_analysis(tmp_path, cli, library):
    clips = _footage(tmp_path / "f", n=1)
    cli("index", tmp_path / "f", "--no-speech")
    with Catalog.open(library) as cat:
        old = cat.media_by_path(clips[0].path)
        old_run = cat.runs(old["id"])["shots"]["finished_at"]
    new_path = tmp_path / "f" / "sub" / "renamed.mov"
    new_path.parent.mkdir()
    os.rename(clips[0].path, new_path)
    report = cli.json("index", tmp_path / "f", "--no-speech")
    assert report["counts"] == {"moved": 1}
    with Catalog.open(library) as cat:
        row = cat.media_by_path(new_path)
        assert row["id"] == old["id"] and row["status"] == "indexed"
        assert cat.runs(row["id"])["shots"]["finished_at"] == old_run
        assert cat.one("SELECT count(*) n FROM media")["n"] == 1
        assert len(cat.shots(row["id"])) == 2


def test_bad_files_are_recorded_and_the_run_goes_on(tmp_path, cli, library):
    _footage(tmp_path / "f", n=1)
    broken = write_broken_files(tmp_path / "f" / "broken")
    unreadable = tmp_path / "f" / "locked.mp4"
    write_video(unreadable, [Shot(10, 3)], audio=None)
    unreadable.chmod(0)
    (tmp_path / "f" / "notes.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nhi\n")  # sidecar: ignored
    proc = cli("index", tmp_path / "f", "--no-speech", "--json", check=False)
    assert proc.returncode == 1  # something failed
    media = {Path(m["path"]).name: m for m in cli.json("media")}
    assert media["clip 0.mov"]["status"] == "indexed"
    assert "notes.srt" not in media
    for kind, path in broken.items():
        assert media[path.name]["status"] == "failed", kind
        assert media[path.name]["error"]
    assert media["empty.mp4"]["error"] == "empty file (0 bytes)"
    if os.geteuid() != 0:  # root reads anything
        assert media["locked.mp4"]["error"] == "permission denied"
    # the summary names each failing file and its reason
    text = cli("index", tmp_path / "f", "--no-speech", check=False)
    assert f"FAILED {broken['empty']}: empty file (0 bytes)" in text.stderr
    missing = cli("index", tmp_path / "nope", check=False)
    assert missing.returncode == 1 and "path not found" in missing.stderr


@pytest.mark.slow   # kill -9 mid-run, then resume
def test_kill_during_index_then_resume(tmp_path, library):
    folder = tmp_path / "f"
    write_kill_footage(folder)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "framesense", "--library", str(library), "index", str(folder), "--no-speech"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = kill_after_indexed(proc, library, 2, timeout=120)
    assert 2 <= done < 8, "the kill should land mid-run"
    with Catalog.open(library) as cat:
        # committed units are whole: every shot row belongs to a completed 'shots' run
        orphans = cat.one("SELECT count(*) n FROM shots s WHERE NOT EXISTS (SELECT 1 FROM analysis_runs a "
                          "WHERE a.media_id = s.media_id AND a.analyzer='shots' AND a.status='done')")
        assert orphans["n"] == 0
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    with Catalog.open(library) as cat:
        rows = cat.query("SELECT m.path, m.status, count(s.id) n FROM media m LEFT JOIN shots s ON s.media_id = m.id "
                         "GROUP BY m.id")
        assert len(rows) == 8
        assert all(r["status"] == "indexed" and r["n"] == 3 for r in rows), rows
        assert cat.one("SELECT count(*) n FROM analysis_runs WHERE analyzer = 'shots' AND status = 'done'")["n"] == 8


def test_catalog_is_wal_with_foreign_keys_and_versions(library):
    with Catalog.open(library) as cat:
        assert cat.one("PRAGMA journal_mode")["journal_mode"] == "wal"
        assert cat.one("PRAGMA foreign_keys")["foreign_keys"] == 1
        assert cat.one("SELECT version FROM schema_versions WHERE component='core'")["version"] >= 1
        with pytest.raises(sqlite3.IntegrityError):
            with cat.transaction():
                cat.insert("shots", {"media_id": 999, "idx": 0, "start_frame": 0, "end_frame": 5})


def test_forward_migration_of_an_existing_library(library):
    from framesense.catalog import schema
    Catalog.open(library).close()
    schema.register("extra_test", ["CREATE TABLE extra_a (id INTEGER PRIMARY KEY)"])
    try:
        Catalog.open(library).close()
        schema.register("extra_test", ["CREATE TABLE extra_a (id INTEGER PRIMARY KEY)",
                                       "ALTER TABLE extra_a ADD COLUMN note TEXT"])
        with Catalog.open(library) as cat:
            assert cat.one("SELECT version FROM schema_versions WHERE component='extra_test'")["version"] == 2
            assert "note" in [c["name"] for c in cat.query("PRAGMA table_info(extra_a)")]
    finally:
        schema._EXTRA.pop("extra_test", None)


def test_library_location_precedence(tmp_path, monkeypatch):
    from framesense.config import default_library_dir, resolve_library
    monkeypatch.delenv("FRAMESENSE_LIBRARY", raising=False)
    assert resolve_library(None) == default_library_dir().resolve()
    monkeypatch.setenv("FRAMESENSE_LIBRARY", str(tmp_path / "env"))
    assert resolve_library(None) == (tmp_path / "env").resolve()
    assert resolve_library(tmp_path / "flag") == (tmp_path / "flag").resolve()
    assert resolve_library(tmp_path / "x" / "catalog.sqlite") == (tmp_path / "x").resolve()
