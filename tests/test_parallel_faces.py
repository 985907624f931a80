"""Nothing lost on the parallel paths, on footage with faces of two real people: ``index``,
``index --jobs 2``, ``index --ray`` and an index split in two libraries then merged give the
same catalog, table by table (ids aside; each face's shot and person included), and every one
passes the catalog's invariants. ``merge`` carries people: names, merges, splits and removed faces.
"""

from __future__ import annotations

import json
import os
from functools import partial

import pytest

pytest.importorskip("skimage")
from catalog_dump import assert_same, dump  # noqa: E402
from clip_fixture import make_tiny_clip  # noqa: E402
from conftest import run_cli  # noqa: E402
from framesense.media.synth import write_frames  # noqa: E402
from framesense.models import faces as face_models  # noqa: E402
from test_faces import N, face_shots, hopper_shots, no_face_shots  # noqa: E402

run_cli = partial(run_cli, process=True)   # worker processes are the point

pytestmark = [pytest.mark.skipif(face_models.problem() is not None, reason=str(face_models.problem())),
              pytest.mark.slow]   # face models in worker processes


def face_footage(root):
    """Three clips in two folders: faces in different shots of each, so a shot id made in a worker
    (counted from 1 in its snapshot) names another file's shot or the wrong one."""
    f, hp, nf = face_shots(), hopper_shots(), no_face_shots()
    write_frames(root / "one" / "a.mp4", [(N, nf[0]), (N, f[0]), (N, hp[0]), (N, nf[1]), (N, f[1])])
    write_frames(root / "one" / "b.mp4", [(N, nf[2]), (N, nf[0])])                   # no face at all
    write_frames(root / "two" / "c.mp4", [(N, hp[1]), (N, nf[1]), (N, f[2]), (N, hp[2])])
    return root


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("pfaces")
    face_footage(root / "f")
    env = {"FRAMESENSE_CLIP_MODEL": str(make_tiny_clip(root / "tiny-clip")), "RAY_AUTH_MODE": "disabled"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    plain = root / "plain"
    run_cli(plain, "index", root / "f", "--no-speech")
    yield {"root": root, "f": root / "f", "plain": plain, "dump": dump(plain)}
    for k, v in old.items():
        os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


def _same_tables(ref: dict, got: dict, skip=()) -> None:
    for table in ref:
        if table not in skip:
            assert_same({table: ref[table]}, {table: got[table]})


def test_the_reference_index_has_both_people_on_their_own_shots(world):
    d = world["dump"]
    assert len(d["people"]) == 2
    shots_of: dict = {}
    for f in d["faces"]:
        shots_of.setdefault(f["same_person_as"], set()).add((f["path"].rsplit("/", 1)[1], f["shot_idx"]))
    assert sorted(map(sorted, shots_of.values())) == [[("a.mp4", 1), ("a.mp4", 4), ("c.mp4", 2)],
                                                      [("a.mp4", 2), ("c.mp4", 0), ("c.mp4", 3)]]
    by_file: dict = {}
    for f in d["faces"]:
        assert f["shot"] == f["shot_idx"]                   # shot_id names the shot of shot_idx
        by_file.setdefault(f["path"].rsplit("/", 1)[1], set()).add(f["shot_idx"])
    assert by_file == {"a.mp4": {1, 2, 4}, "c.mp4": {0, 2, 3}}


@pytest.mark.parametrize("how", ["jobs", "ray"])
def test_jobs_and_ray_give_the_reference_catalog_table_by_table(world, tmp_path, how):
    if how == "ray":
        pytest.importorskip("ray")
    lib = tmp_path / how
    extra = ("--jobs", "2") if how == "jobs" else ("--ray", "local:2")
    run_cli(lib, "index", world["f"], "--no-speech", *extra)
    d = dump(lib)                                            # the invariants hold first
    assert d["faces"] and d["people"] and d["embeddings"] and d["fingerprints"]
    _same_tables(world["dump"], d)
    # and what a user sees: a face search finds the same shots
    still = world["f"] / "one" / "a.mp4"
    hits = [[(h["media_path"], h["shot"], h["start_frame"], h["end_frame"], round(h["score"], 4)) for h in
             json.loads(run_cli(where, "search", "--face", f"{still}@1.2", "--json").stdout)]
            for where in (world["plain"], lib)]
    assert len(hits[0]) == 3 and hits[0] == hits[1]


def test_an_index_split_in_two_libraries_then_merged_is_the_reference(world, tmp_path):
    one, two, lib = tmp_path / "one", tmp_path / "two", tmp_path / "merged"
    run_cli(one, "index", world["f"] / "one", "--no-speech")
    run_cli(two, "index", world["f"] / "two", "--no-speech")
    run_cli(lib, "merge", one)
    report = json.loads(run_cli(lib, "merge", two, "--json").stdout)
    assert report["people_joined"], report                 # the second library's people met the first's
    d = dump(lib)
    _same_tables(world["dump"], d, skip=("folders",))       # folders: the ones each index was given
    assert {r["path"] for r in d["folders"]} == {str(world["f"] / "one"), str(world["f"] / "two")}
    again = json.loads(run_cli(lib, "merge", two, "--json").stdout)
    assert again["stages_copied"] == 0 and not again["people_joined"]
    _same_tables(d, dump(lib))


def _people_of(library) -> dict:
    """person name ('' unnamed; None: removed from every person) -> sorted (file, shot, detached) of its faces."""
    from framesense.catalog import Catalog
    with Catalog.open(library, create=False) as cat:
        rows = cat.query("SELECT m.name AS file, f.shot_idx, f.detached, f.person_id, p.name FROM faces f "
                         "JOIN media m ON m.id = f.media_id LEFT JOIN people p ON p.id = f.person_id")
    out: dict = {}
    for r in rows:
        who = None if r["person_id"] is None else (r["name"] or "")
        out.setdefault(who, set()).add((r["file"], r["shot_idx"], r["detached"]))
    return {k: sorted(v) for k, v in out.items()}


def test_merge_carries_names_splits_and_removed_faces_into_a_library_with_people(world, tmp_path):
    """A face held through a shot is one face (a track), so each change below is made on its own
    person: Eileen is joined by her name (in another case), her split-off late face stays a person
    of its own (its name contradicts hers), Grace's removed face stays removed. (Joining unnamed
    people by face is checked by the split-then-merged equality test above.)"""
    from framesense import Library
    src, dst = tmp_path / "src", tmp_path / "dst"
    run_cli(src, "index", world["f"] / "one", "--no-speech", "--no-visual")
    run_cli(dst, "index", world["f"] / "two", "--no-speech", "--no-visual")
    with Library.open(src) as lib:
        faces = {r["shot_idx"]: r for p in lib.people() for r in lib.person_faces(f"#{p['id']}")}
        eileen, grace = (lib.catalog.one("SELECT person_id FROM faces WHERE id = ?", (faces[i]["id"],))["person_id"]
                         for i in (1, 2))
        lib.name_person(f"#{eileen}", "Eileen Collins")
        lib.name_person(f"#{grace}", "Grace Hopper")
        late = [r["id"] for r in lib.person_faces("Eileen Collins") if r["shot_idx"] == 4]
        lib.split_person(late, "Eileen (late)")                   # a split: a named person of its own
        lib.remove_face(faces[2]["id"])                           # a wrong match, removed for good
    with Library.open(dst) as lib:                                # here Grace is #1 and Eileen #2: ids differ
        def here(shot):
            return lib.catalog.one("SELECT person_id FROM faces f JOIN media m ON m.id = f.media_id "
                                   "WHERE m.name = 'c.mp4' AND f.shot_idx = ?", (shot,))["person_id"]
        lib.name_person(f"#{here(0)}", "Grace Hopper")
        lib.name_person(f"#{here(2)}", "eileen collins")          # names match whatever their case
    report = json.loads(run_cli(dst, "merge", src, "--json").stdout)
    joined = sorted(report["people_joined"])
    assert report["people_added"] == 1, report                   # Eileen (late)
    assert any("'Eileen Collins' -> our" in j and "'eileen collins' (by name)" in j for j in joined), joined
    assert not any("Eileen (late)" in j for j in joined), joined
    assert _people_of(dst) == {
        "eileen collins": [("a.mp4", 1, 0), ("c.mp4", 2, 0)],
        "Grace Hopper": [("c.mp4", 0, 0), ("c.mp4", 3, 0)],
        "Eileen (late)": [("a.mp4", 4, 0)],                    # the split stays apart: its name is another
        None: [("a.mp4", 2, 1)]}
    with Library.open(dst) as lib:                             # the removed face is still only one face
        assert lib.catalog.one("SELECT COUNT(*) AS n FROM faces WHERE detached = 1")["n"] == 1
        assert sorted(h.shot for h in lib.search(person="Grace Hopper")) == [0, 3]


def test_a_merge_killed_at_any_moment_leaves_the_library_as_it_was_or_merged(world, tmp_path):
    """One transaction: kill -9 wherever it lands, the target is either untouched or fully merged,
    passes its invariants, and merging again gives what one uninterrupted merge gives."""
    import shutil
    import signal
    import subprocess
    import sys
    import time
    from conftest import ROOT
    base = tmp_path / "base"
    run_cli(base, "index", world["f"] / "two", "--no-speech", "--no-visual")
    whole = tmp_path / "whole"
    shutil.copytree(base, whole)
    run_cli(whole, "merge", world["plain"])
    before, after = dump(base), dump(whole)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for delay in (0.8, 1.6, 2.4):
        lib = tmp_path / f"killed{delay}"
        shutil.copytree(base, lib)
        proc = subprocess.Popen([sys.executable, "-m", "framesense", "--library", str(lib), "merge",
                                 str(world["plain"])], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = dump(lib)                        # consistent, whatever moment the kill hit
        assert _equal(now, before) or _equal(now, after)
        run_cli(lib, "merge", world["plain"])
        _same_tables(after, dump(lib))


def _equal(a: dict, b: dict) -> bool:
    try:
        _same_tables(a, b)
        return True
    except AssertionError:
        return False


def test_a_merge_that_fails_on_a_full_disk_leaves_the_library_as_it_was(world, tmp_path):
    from conftest import fill, small_filesystem
    with small_filesystem(tmp_path / "small", "4m") as small:
        lib = small / "lib"
        run_cli(lib, "index", world["f"] / "one" / "b.mp4", "--no-speech", "--no-visual")
        before = dump(lib)
        files = sorted(p.relative_to(lib) for p in lib.rglob("*") if p.is_file() and "-wal" not in p.name
                       and "-shm" not in p.name)
        fill(small, 96 * 1024)
        proc = run_cli(lib, "merge", world["plain"], check=False)
        assert proc.returncode == 2 and "the disk is full" in proc.stderr, proc.stderr
        assert "FOREIGN KEY" not in proc.stderr and "Traceback" not in proc.stderr
        (small / "filler").unlink()
        _same_tables(before, dump(lib))                       # not a row of it kept
        after = sorted(p.relative_to(lib) for p in lib.rglob("*") if p.is_file() and "-wal" not in p.name
                       and "-shm" not in p.name)
        assert after == files                                 # nor a thumbnail or temporary file
