"""Full disks and kills leave nothing behind: creating or upgrading a catalog on a full disk says
"the disk is full" and leaves no half-made file; every export format meeting a full disk removes
its temporary file; temporary files of killed writers are swept when a library opens or a writer
next writes into their folder (never a live writer's)."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path
from functools import partial

import pytest

from conftest import fill, run_cli, small_filesystem

from framesense.media.synth import Shot, write_video

run_cli = partial(run_cli, process=True)   # what a process leaves behind (files, locks of dead pids) is the point


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in Path(folder).rglob("*") if p.name.startswith(".") or p.name.endswith(
        (".new", "-journal", ".tmp")))


def one_line_disk_full(proc) -> None:
    lines = [line for line in proc.stderr.splitlines() if line.strip() and not line.startswith("note:")]
    assert proc.returncode == 2 and len(lines) == 1 and "the disk is full" in lines[0], proc.stderr


def dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


@pytest.mark.slow   # full disks (tmpfs), every command a process
@pytest.mark.parametrize("free_kb", [40, 90, 150])
def test_creating_a_library_on_a_full_disk_says_so_and_leaves_nothing(tmp_path, free_kb):
    (tmp_path / "empty").mkdir()
    with small_filesystem(tmp_path / "small", "1m", free=free_kb * 1024) as small:
        proc = run_cli(small / "lib", "index", tmp_path / "empty", check=False)
        one_line_disk_full(proc)
        assert "cannot rollback" not in proc.stderr
        assert not (small / "lib" / "catalog.sqlite").exists() and leftovers(small) == []


@pytest.mark.slow   # a full disk (tmpfs), every command a process
def test_upgrading_a_catalog_on_a_full_disk_changes_nothing_and_works_once_there_is_room(tmp_path):
    with small_filesystem(tmp_path / "small", "2m") as small:
        lib = small / "lib"
        run_cli(lib, "media")
        con = sqlite3.connect(lib / "catalog.sqlite")   # as an older FrameSense left it: no sequences table yet
        with con:
            con.execute("DROP TABLE sequences")
            con.execute("DELETE FROM schema_versions WHERE component = 'timeline'")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        before = (lib / "catalog.sqlite").read_bytes()
        filler = fill(small)
        proc = run_cli(lib, "media", check=False)
        one_line_disk_full(proc)
        assert (lib / "catalog.sqlite").read_bytes() == before     # the upgrade did not start
        assert not (lib / "catalog.sqlite.bak").exists() and leftovers(small) == []
        filler.unlink()
        run_cli(lib, "media")
        con = sqlite3.connect(lib / "catalog.sqlite")
        assert con.execute("SELECT version FROM schema_versions WHERE component = 'timeline'").fetchone() == (1,)
        con.close()
        assert (lib / "catalog.sqlite.bak").stat().st_size > 0 and leftovers(small) == []


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    root = tmp_path_factory.mktemp("leftovers")
    clips = [write_video(root / "f" / f"c{i}.mp4", [Shot(25, i + 1), Shot(25, i + 40)], width=160, height=90,
                         audio=None) for i in range(2)]
    import shutil
    shutil.copy(clips[0].path, root / "f" / "reuse.mp4")     # what ``--same-as`` finds
    lib = root / "lib"
    run_cli(lib, "index", root / "f", "--no-speech", "--no-visual")
    return lib, clips


@pytest.mark.slow   # full disks (tmpfs), every command a process
@pytest.mark.parametrize("name", ["cut.otio", "cut.xml", "cut.fcpxml", "cut.edl", "cut.otioz"])
def test_every_export_on_a_full_disk_says_so_and_removes_its_temporary_file(indexed, tmp_path, name):
    lib, clips = indexed
    with small_filesystem(tmp_path / "small", "1m", free=0) as small:
        proc = run_cli(lib, "export", "--same-as", f"{clips[0].path}@0.5", "-o", small / "out" / name, check=False)
        one_line_disk_full(proc)
        assert not (small / "out" / name).exists() and leftovers(small) == []


@pytest.mark.slow   # temp files of dead and live writer processes
def test_temporary_files_of_dead_writers_are_swept_and_live_ones_kept(indexed, tmp_path):
    import os
    lib, clips = indexed
    out = tmp_path / "out"
    out.mkdir()
    dead = dead_pid()
    stale = [out / f".tmp-{dead}-0123abcd-cut.otio", lib / f".catalog.sqlite.{dead}.140.new",
             lib / "cache" / f".tmp-{dead}-89abcdef-state.json"]
    live = [out / f".tmp-{os.getpid()}-0123abcd-other.otio", lib / f".catalog.sqlite.{os.getpid()}.7.new"]
    for p in stale + live:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("half")
    run_cli(lib, "export", "--same-as", f"{clips[0].path}@0.5", "-o", out / "cut.otio")
    assert (out / "cut.otio").stat().st_size > 0
    assert [p for p in stale if p.exists()] == [] and all(p.exists() for p in live)
    assert oct((out / "cut.otio").stat().st_mode & 0o777) == oct(0o666 & ~_umask())   # the user's mode


def _umask() -> int:
    import os
    u = os.umask(0)
    os.umask(u)
    return u
