"""A hostile world: odd files, broken catalogs, bad options, two writers, plugins that change the
environment. Each case ends in one clear line and a non-zero exit, never a traceback, and the run
goes on where it can."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import importlib.util
import sys

import pytest

from conftest import ROOT, plugin_folder, run_cli
from framesense.media.synth import Shot, write_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    return write_video(root / "good.mp4", [Shot(25, 1), Shot(25, 2)], rate=25, audio=None, width=96, height=64).path


def no_traceback(proc):
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    return lines


# -- odd inputs ----------------------------------------------------------------------------------

def test_odd_names_and_file_types_are_recorded_and_the_run_goes_on(tmp_path, clip, library):
    folder = tmp_path / "in"
    folder.mkdir()
    bad = os.fsencode(str(folder)) + b"/latin1-\xe9t\xe9.mov"
    with open(bad, "wb") as f:
        f.write(clip.read_bytes())
    os.mkfifo(folder / "x.mov")                                 # opening it for a hash would hang
    (folder / "dangling.mov").symlink_to(folder / "nowhere.mov")
    shutil.copy(clip, folder / "z good.mp4")                    # sorted after every odd one
    proc = run_cli(library, "index", folder, "--no-speech", "--no-visual", check=False, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    failed = {os.path.basename(r["path"]): r["error"] for r in
              __import__("json").loads(run_cli(library, "media", "--status", "failed", "--json").stdout)}
    assert "not a regular file" in failed["x.mov"]
    assert "link" in failed["dangling.mov"]
    indexed = __import__("json").loads(run_cli(library, "media", "--status", "indexed", "--json").stdout)
    # a name that is not UTF-8 is footage like any other, shown escaped (tests/test_non_utf8_names.py)
    assert sorted(os.path.basename(r["path"]) for r in indexed) == ["latin1-\\xe9t\\xe9.mov", "z good.mp4"]


def test_links_loops_unlistable_folders_and_huge_frames_are_recorded_as_failed(clip):
    """Each lands in `media --status failed` with its reason; as root, the index runs as 'nobody' so a
    folder without permissions is really unlistable."""
    import json
    import tempfile
    base = tempfile.mkdtemp(prefix="framesense-odd-")
    folder, lib = os.path.join(base, "in"), os.path.join(base, "lib")
    try:
        os.makedirs(os.path.join(folder, "locked"))
        shutil.copy(clip, os.path.join(folder, "locked", "hidden.mp4"))
        shutil.copy(clip, os.path.join(folder, "good.mp4"))
        os.symlink("loop.mov", os.path.join(folder, "loop.mov"))            # a link to itself
        with open(os.path.join(folder, "huge.y4m"), "wb") as f:             # a 60000x60000 frame
            f.write(b"YUV4MPEG2 W60000 H60000 F25:1 Ip A1:1 C420jpeg\nFRAME\n" + bytes(4096))
        for p in (base, folder):
            os.chmod(p, 0o777)
        os.chmod(os.path.join(folder, "locked"), 0o000)
        cmd = [sys.executable, "-m", "framesense", "--library", lib, "index", folder, "--no-speech", "--no-visual"]
        if os.geteuid() == 0:   # root lists any folder: index as an unprivileged user instead
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        env = dict(os.environ, PYTHONPATH=str(ROOT), HOME=base)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        failed = {os.path.basename(r["path"]): r["error"] for r in
                  json.loads(run_cli(lib, "media", "--status", "failed", "--json").stdout)}
        assert "cannot list folder" in failed["locked"], failed
        assert "link" in failed["loop.mov"], failed
        assert "60000x60000" in failed["huge.y4m"] and "too large" in failed["huge.y4m"], failed
        indexed = json.loads(run_cli(lib, "media", "--status", "indexed", "--json").stdout)
        assert [os.path.basename(r["path"]) for r in indexed] == ["good.mp4"]
    finally:
        for root, dirs, _ in os.walk(base):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        os.chmod(os.path.join(folder, "locked"), 0o755)
        shutil.rmtree(base, ignore_errors=True)


# -- bad options and queries -----------------------------------------------------------------

@pytest.mark.parametrize("args,says", [
    (["search", "--phrase", " ".join(["word"] * 200)], None),           # long phrases work
    (["search", "--same-as", "{clip}@1e999"], "outside"),
    (["search", "--phrase", "x", "--limit", "99999999999999999999"], "--limit"),
    (["search", "--phrase", "x", "--pad-before", "nan"], "NaN"),
    (["export", "--phrase", "x", "-o", "{tmp}/o.edl", "--rate", "1/0"], "frame rate"),
    (["export", "--sequence", "{tmp}/none.otio", "-o", "{tmp}/o.edl", "--rate", "1e9"], "outside 1-240"),
])
def test_bad_options_get_one_line_and_no_traceback(tmp_path, clip, library, args, says):
    run_cli(library, "index", clip, "--no-speech", "--no-visual")
    args = [a.format(clip=clip, tmp=tmp_path) for a in args]
    proc = run_cli(library, *args, check=False)
    no_traceback(proc)
    if says is None:
        assert proc.returncode == 0, proc.stderr
    else:
        assert proc.returncode == 2 and says in proc.stderr, proc.stderr


def test_sequence_rate_must_be_sane(tmp_path):
    from framesense.timeline.model import Clip, Sequence, SourceMedia
    from fractions import Fraction
    seq = Sequence(clips=[Clip(SourceMedia("/a.mov", Fraction(25), 100), 0, 10)])
    with pytest.raises(ValueError, match="outside 1-240"):
        seq.with_rate("1e9")


# -- broken catalogs -----------------------------------------------------------------------------

def test_damaged_catalogs_are_reported_as_such(tmp_path, clip, library):
    run_cli(library, "index", clip, "--no-speech", "--no-visual")
    cat = library / "catalog.sqlite"
    data = bytearray(cat.read_bytes())
    for name, damage in (("zero-byte", b""), ("garbage header", b"\xff" * 100 + bytes(data[100:])),
                         ("truncated", bytes(data[: len(data) // 3]))):
        broken = tmp_path / name / "catalog.sqlite"
        broken.parent.mkdir()
        broken.write_bytes(damage)
        proc = run_cli(broken.parent, "search", "--phrase", "x", check=False)
        lines = no_traceback(proc)
        assert proc.returncode == 2 and lines and "the catalog is damaged" in lines[0], (name, proc.stderr)
    # garbage in the middle: caught where it is read, and not blamed on the footage
    mid = tmp_path / "mid" / "catalog.sqlite"
    mid.parent.mkdir()
    con = sqlite3.connect(mid)
    con.execute("CREATE TABLE filler (x)")
    con.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 400)
    con.commit()
    con.close()
    run_cli(mid.parent, "index", clip, "--no-speech", "--no-visual")
    raw = bytearray(mid.read_bytes())
    raw[len(raw) // 2: len(raw) // 2 + 16384] = os.urandom(16384)
    mid.write_bytes(bytes(raw))
    proc = run_cli(mid.parent, "doctor", "--library", "--json", check=False)
    no_traceback(proc)
    if proc.returncode == 0:
        catalog = __import__("json").loads(proc.stdout)["catalog"]
        assert not catalog["ok"] and "the catalog is damaged" in catalog["detail"]
    else:
        assert "the catalog is damaged" in proc.stderr
    # every open checks the file: a search says so too, never "no hits"
    proc = run_cli(mid.parent, "search", "--phrase", "x", check=False)
    lines = no_traceback(proc)
    assert proc.returncode == 2 and lines and "the catalog is damaged" in lines[0], proc.stderr
    # an index checks the file before writing: it stops, blaming no footage and writing nothing
    before = mid.read_bytes()
    other = tmp_path / "other.mp4"
    shutil.copy(clip, other)
    proc = run_cli(mid.parent, "index", other, "--no-speech", "--no-visual", check=False)
    lines = no_traceback(proc)
    assert proc.returncode == 2 and lines and "the catalog is damaged" in lines[0], proc.stderr
    assert "FAILED" not in proc.stdout + proc.stderr and mid.read_bytes() == before


def test_a_sound_catalog_is_checked_once_per_state_of_the_file(tmp_path, clip, library, monkeypatch):
    """The check at every open costs a scan only when the file changed since the last sound check."""
    from framesense.catalog import Catalog
    run_cli(library, "index", clip, "--no-speech", "--no-visual")
    checks = []
    health = Catalog.health
    monkeypatch.setattr(Catalog, "health", lambda self: checks.append(1) or health(self))
    def opens(n):
        for _ in range(n):
            with Catalog.open(library) as cat:
                cat.query("SELECT count(*) FROM media")
    opens(2)            # the index (and a first open that upgrades the schema) changed the file since its check
    settled = len(checks)
    assert settled >= 1
    opens(3)
    assert len(checks) == settled                # the same file: no scan
    with Catalog.open(library) as cat, cat.transaction():
        cat.execute("UPDATE media SET reel = 'R1'")
    opens(3)
    assert len(checks) == settled + 1            # a write: checked again, once


def test_a_schema_upgrade_first_keeps_a_backup_to_restore(tmp_path, clip, library, monkeypatch):
    """What 'the catalog is damaged' tells the user to restore: a copy made before each migration."""
    run_cli(library, "index", clip, "--no-speech", "--no-visual")
    assert not (library / "catalog.sqlite.bak").exists()            # nothing to upgrade yet
    plugin_folder(tmp_path, monkeypatch, {"grow.py": "from framesense.plugins import hookimpl\n\n@hookimpl\n"
                                                     "def framesense_migrations():\n"
                                                     "    return {'plugin_grow': ['CREATE TABLE grow_rows (media_id INTEGER)']}\n"})
    run_cli(library, "media")                                          # opening migrates
    bak = sqlite3.connect(library / "catalog.sqlite.bak")
    assert bak.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert bak.execute("SELECT count(*) FROM media WHERE status = 'indexed'").fetchone()[0] == 1
    assert not bak.execute("SELECT 1 FROM sqlite_master WHERE name = 'grow_rows'").fetchone()
    bak.close()
    con = sqlite3.connect(library / "catalog.sqlite")
    assert con.execute("SELECT 1 FROM sqlite_master WHERE name = 'grow_rows'").fetchone()
    con.close()
    # a FrameSense upgrade (a built-in component's new migration) keeps one too
    from framesense.catalog import Catalog, schema
    monkeypatch.setitem(schema._EXTRA, "zz_upgrade", ["CREATE TABLE zz_rows (x)"])
    with Catalog.open(library) as cat:
        assert cat.one("SELECT 1 AS y FROM sqlite_master WHERE name = 'zz_rows'")
    bak = sqlite3.connect(library / "catalog.sqlite.bak")
    assert bak.execute("SELECT count(*) FROM sqlite_master WHERE name IN ('grow_rows', 'zz_rows')").fetchone()[0] == 1
    bak.close()


def test_a_read_only_library_can_be_searched(tmp_path, clip, library):
    """Read-only for the user who searches: as root, that user is 'nobody' on a copy root owns."""
    import tempfile
    run_cli(library, "index", clip, "--no-speech", "--no-visual")
    base = tempfile.mkdtemp(prefix="framesense-ro-")
    ro = os.path.join(base, "lib")
    try:
        shutil.copytree(library, ro)
        for p in [base, ro, *(os.path.join(ro, n) for n in os.listdir(ro))]:
            os.chmod(p, 0o555 if os.path.isdir(p) else 0o444)
        cmd = [sys.executable, "-m", "framesense", "--library", ro, "search", "--same-as", "good.mp4@0.2", "--json"]
        if os.geteuid() == 0:   # root writes anywhere: search as an unprivileged user instead
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        env = dict(os.environ, PYTHONPATH=str(ROOT), HOME=base, FRAMESENSE_DEBUG="1")
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip().startswith("[")
        assert sorted(os.listdir(ro)) == sorted(os.listdir(library))   # nothing written beside the catalog
    finally:
        for root, dirs, _ in os.walk(base):
            os.chmod(root, 0o755)
        shutil.rmtree(base, ignore_errors=True)


# -- hostile export names ------------------------------------------------------------------------

def test_hostile_names_export_to_files_their_readers_accept(tmp_path):
    """Control characters, XML specials, '%20' and bytes that are not UTF-8 in a file's name: every
    format parses, names are escaped, and each file URL decodes to the file's very bytes."""
    import xml.etree.ElementTree as ET
    from fractions import Fraction
    from urllib.parse import unquote_to_bytes, urlparse
    import opentimelineio as otio
    import pycmx
    from framesense.timeline.model import Clip, Sequence, SourceMedia
    from tests.timeline_media import export
    raw = b"/footage/a%20b/bell\x07 line\nbreak &<>\"' caf\xe9.mov"
    seq = Sequence(name="cut\x01 & <x>", rate=Fraction(25),
                   clips=[Clip(SourceMedia(os.fsdecode(raw), Fraction(25), 100, audio_channels=2), 5, 30,
                               label="take\x02\none")])
    url_bytes = lambda url: unquote_to_bytes(urlparse(url).path)   # noqa: E731
    [xml7] = export(seq, tmp_path / "cut.xml", "fcp7", allow_missing=True)
    doc = ET.parse(xml7)
    assert {url_bytes(e.text.replace("file://localhost", "file://")) for e in doc.iter("pathurl")} == {raw}
    names = [e.text for e in doc.iter("name")]
    assert "bell\\x07 line\nbreak &<>\"' caf\\xe9.mov" in names and "cut\\x01 & <x>" in names
    [fcpx] = export(seq, tmp_path / "cut.fcpxml", "fcpxml", allow_missing=True)
    assert [url_bytes(a.get("src")) for a in ET.parse(fcpx).iter("asset")] == [raw]
    [edl] = export(seq, tmp_path / "cut.edl", "edl", allow_missing=True)
    with open(edl, encoding="utf-8") as f:
        (event,) = pycmx.parse_cmx3600(f).events
    assert event.edits[0].source_file == "/footage/a%20b/bell\\x07 line\\x0abreak &<>\"' caf\\xe9.mov"
    [native] = export(seq, tmp_path / "cut.otio", "otio", allow_missing=True)
    tl = otio.adapters.read_from_file(str(native))
    assert [url_bytes(c.media_reference.target_url) for c in tl.find_clips()] == [raw, raw]   # video, audio


# -- two writers ---------------------------------------------------------------------------------

def test_a_second_indexer_is_told_who_holds_the_library(tmp_path, clip, library):
    from framesense.catalog.lock import writer_lock
    from framesense.errors import LibraryBusy
    library.mkdir(parents=True)
    with writer_lock(library):
        proc = run_cli(library, "index", clip, "--no-speech", "--no-visual", check=False, process=True)  # another pid
        assert proc.returncode == 3 and "is indexing this library" in proc.stderr and "pid" in proc.stderr
        with pytest.raises(LibraryBusy):
            with writer_lock(library):
                pass
    run_cli(library, "index", clip, "--no-speech", "--no-visual")     # free again once the first is done


@pytest.mark.slow   # two indexer processes at once
def test_two_indexers_at_once_on_a_new_library_never_corrupt_it(tmp_path, clip):
    lib = tmp_path / "both"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "framesense", "--library", str(lib), "index", str(clip), "--no-speech", "--no-visual"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert sorted(rc for rc, _ in results)[0] == 0, results
    for rc, err in results:
        assert "Traceback" not in err and (rc == 0 or "is indexing this library" in err), err
    con = sqlite3.connect(lib / "catalog.sqlite")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM media").fetchone()[0] == 1


# -- plugins cannot poison the core -------------------------------------------------------------

def test_a_plugin_that_sets_the_environment_is_undone_and_named(tmp_path, clip, library, monkeypatch):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "envy.py").write_text('''
import os
from framesense.analysis.base import Analyzer
from framesense.plugins import hookimpl

class Envy(Analyzer):
    name = "envy"
    def analyze(self, ctx):
        os.environ["OMP_THREAD_LIMIT"] = "1"
        return []
    def store(self, catalog, media, result):
        return None

@hookimpl
def framesense_analyzers(options):
    return [Envy()]
''')
    monkeypatch.setenv("FRAMESENSE_PLUGINS", str(plugins))
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    from framesense import Library
    from framesense.plugins import get_plugins
    get_plugins(reload=True)
    try:
        with Library.open(library) as lib:
            report = lib.index([clip], speech=False, visual=False)
        assert "OMP_THREAD_LIMIT" not in os.environ
        assert any("envy" in n and "OMP_THREAD_LIMIT" in n and "undone" in n for n in report.notices)
    finally:
        monkeypatch.undo()
        get_plugins(reload=True)


HANGING = {
    "sleepy.py": "import time\ntime.sleep(600)\n",
    "gil.py": '''
import re
from framesense.analysis.base import Analyzer
from framesense.plugins import hookimpl

class Gil(Analyzer):
    name = "gil"
    timeout = 2.0
    def analyze(self, ctx):
        re.match(r"(a+)+$", "a" * 64 + "b")    # catastrophic backtracking: holds the GIL for ages
        return []
    def store(self, catalog, media, result):
        return None

@hookimpl
def framesense_analyzers(options):
    return [Gil()]
''',
}


@pytest.mark.slow   # waits out plugin time limits
def test_hanging_plugins_cannot_hang_the_core(tmp_path, clip, library, monkeypatch):
    import time
    import framesense.plugins.manager as manager
    plugin_folder(tmp_path, monkeypatch, HANGING)
    monkeypatch.setattr(manager, "IMPORT_TIMEOUT", 2.0)
    # As in a real run after the picture and speech stages: torch loaded, where a forked child deadlocks
    # and a thread cannot stop a plugin holding the GIL (this once hung CI for 90 minutes).
    if importlib.util.find_spec("torch"):
        import torch  # noqa: F401
    from framesense import Library
    t0 = time.monotonic()
    registry = manager.Plugins().load()
    assert registry.records["sleepy"].status == "failed" and "did not finish" in registry.records["sleepy"].reason
    with Library.open(library, ) as lib:
        lib.plugins = registry
        report = lib.index([clip], speech=False, visual=False)
    assert time.monotonic() - t0 < 60
    (f,) = report.files
    assert f.stages["shots"] == "done" and f.stages["gil"] == "failed"
    assert any("time limit" in w for w in f.warnings), f.warnings


def test_a_plugin_time_limit_is_proportionate_to_the_file():
    """Not 600 s per call whatever the file: at least 2 minutes, else 2 s per second of footage."""
    from framesense.analysis.base import Analyzer
    from framesense.plugins.guard import GuardedAnalyzer

    class Plain(Analyzer):
        name = "plain"

    guarded = GuardedAnalyzer(Plain(), "plain")
    assert guarded.limit({"duration": 10.0}) == 120.0 and guarded.limit({"duration": None}) == 120.0
    assert guarded.limit({"duration": 3600.0}) == 7200.0
    assert GuardedAnalyzer(Plain(), "plain", timeout=5.0).limit({"duration": 3600.0}) == 5.0


STORE_HANG = '''
import time
from framesense.analysis.base import Analyzer
from framesense.plugins import hookimpl

class Slow(Analyzer):
    name = "slowstore"
    timeout = 2.0
    owns_tables = ("slow_rows",)
    def analyze(self, ctx):
        return [1]
    def store(self, catalog, media, result):
        catalog.execute("INSERT INTO slow_rows (media_id) VALUES (?)", (media["id"],))
        time.sleep(4)                          # past its limit: this write is rolled back ...
        catalog.conn.execute("INSERT INTO slow_rows (media_id) VALUES (?)", (media["id"],))   # ... this one refused
        return "stored"

@hookimpl
def framesense_migrations():
    return {"plugin_slowstore": ["CREATE TABLE slow_rows (media_id INTEGER)"]}

@hookimpl
def framesense_analyzers(options):
    return [Slow()]
'''


@pytest.mark.slow   # waits out a store() time limit
def test_a_plugin_whose_store_hangs_is_stopped_and_writes_nothing(tmp_path, clip, library, monkeypatch):
    import time
    from framesense import Library
    from framesense.plugins import Plugins
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "slowstore.py").write_text(STORE_HANG)
    t0 = time.monotonic()
    with Library.open(library) as lib:
        lib.plugins = Plugins().load(plugins, entry_points=False)
        report = lib.index([clip], speech=False, visual=False)
        took = time.monotonic() - t0
        time.sleep(3)                          # the abandoned store() wakes and tries to write
        rows = lib.catalog.one("SELECT count(*) AS n FROM slow_rows")["n"]
        media = lib.media()
    (f,) = report.files
    assert f.stages["shots"] == "done" and f.stages["slowstore"] == "failed", f.stages
    assert any("store() did not finish" in w for w in f.warnings), f.warnings
    assert took < 30 and rows == 0 and media[0]["status"] == "indexed"


BOOM_SEARCH = '''
from framesense.plugins import SearchSpec, hookimpl

def search_boom(catalog, query):
    raise RuntimeError("provider exploded")

@hookimpl
def framesense_searches():
    return [SearchSpec("boom", lambda q: "boom" in q.options, search_boom, "always fails", options=("boom",))]
'''


def test_a_failing_search_provider_is_named_in_one_line(tmp_path, clip, library, monkeypatch):
    """The built-in hits still come; the user is told which plugin failed (its traceback only with --debug)."""
    import json
    plugin_folder(tmp_path, monkeypatch, {"boom.py": BOOM_SEARCH})
    shutil.copy(clip, tmp_path / "copy.mp4")
    run_cli(library, "index", clip, tmp_path / "copy.mp4", "--no-speech", "--no-visual")
    for args in (["search", "--json"], ["export", "-o", tmp_path / "cut.edl"]):
        proc = run_cli(library, *args, "--same-as", f"{clip}@1.5", "--where", "boom=1")
        notes = [line for line in no_traceback(proc) + proc.stderr.splitlines() if "boom" in line]
        assert notes == ["note: plugin 'boom' failed: search 'boom' raised RuntimeError: provider exploded "
                         "(run with --debug for the traceback)"], proc.stderr
        if args[0] == "search":
            assert [os.path.basename(h["media_path"]) for h in json.loads(proc.stdout)] == ["copy.mp4"]
    debug = run_cli(library, "--debug", "search", "--same-as", f"{clip}@1.5", "--where", "boom=1")
    assert "Traceback" in debug.stderr and 'raise RuntimeError("provider exploded")' in debug.stderr


@pytest.mark.slow   # a full disk met by an indexer process and its workers
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_disk_stops_the_run_with_one_line_and_blames_no_footage(tmp_path, clip, jobs):
    """The library on a 700 KiB filesystem (a tmpfs mounted for the test: CI runs as root);
    with --jobs 2 the writer meets the full disk while worker processes analyse."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small filesystem needs root (CI has it)")
    folder = tmp_path / "footage"
    folder.mkdir()
    for i in range(8):
        shutil.copy(clip, folder / f"c{i}.mp4")
    small = tmp_path / "small"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=700k", "tmpfs", str(small)]).returncode:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        proc = run_cli(small / "lib", "index", folder, "--no-speech", "--no-visual", "--jobs", jobs, check=False,
                       process=True)
        lines = no_traceback(proc)
        assert proc.returncode == 2 and lines == [lines[0]] and "the disk is full" in lines[0], proc.stderr
        con = sqlite3.connect(f"file:{small / 'lib' / 'catalog.sqlite'}?mode=ro", uri=True)
        assert con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM media WHERE status = 'failed'").fetchone()[0] == 0
        con.close()
    finally:
        subprocess.run(["umount", str(small)])
