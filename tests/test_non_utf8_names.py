"""A file whose name is not UTF-8 (``latin1-\\xe9t\\xe9.mov`` in a folder ``caf\\xe9``) is footage like
any other: indexed with speech and shots, found, exported pointing at its very bytes, shown escaped.
The catalog keeps the path losslessly (a BLOB of the raw bytes), so a re-index finds it again."""

from __future__ import annotations

import json
import os
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlparse
from functools import partial

import pytest

from conftest import run_cli

from framesense.media.synth import Shot, write_video

pytestmark = pytest.mark.slow   # a real speech model, every command a process

run_cli = partial(run_cli, process=True)   # names that are not UTF-8 cross argv and the streams as bytes

SHOWN = "caf\\xe9/latin1-\\xe9t\\xe9.mov"      # as people see it


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("names")
    folder = root / "in"
    clip = write_video(root / "talk.mp4", [Shot(30, 1), Shot(30, 2)], rate=25, audio="silence",
                       speech=[(0.3, "nothing leaves this machine")], width=96, height=64)
    # The same second shot, encoded apart under a plain name: a same-footage search from it finds the odd file.
    write_video(folder / "ref.mp4", [Shot(30, 7), Shot(30, 2)], rate=25, audio=None, width=96, height=64, crf=30)
    raw = os.fsencode(folder) + b"/caf\xe9/latin1-\xe9t\xe9.mov"
    os.mkdir(os.path.dirname(raw))
    os.rename(clip.path, raw)
    lib = root / "lib"
    proc = run_cli(lib, "index", folder, "--no-visual", "--speech-model", "tiny.en", "--json")
    return {"raw": raw, "path": os.fsdecode(raw), "lib": lib, "root": root, "report": json.loads(proc.stdout)}


def test_the_file_is_indexed_and_its_path_kept_to_the_byte(world):
    (mine,) = [f for f in world["report"]["files"] if f["path"].endswith(SHOWN)]
    assert mine["action"] == "new" and not mine["error"], mine
    assert mine["stages"]["speech"] == "done" and mine["stages"]["shots"] == "done", mine["stages"]
    from framesense import Library
    with Library.open(world["lib"]) as lib:
        rows = {os.fsencode(r["path"]): r for r in lib.media()}
    row = rows[world["raw"]]
    assert row["status"] == "indexed" and os.fsencode(row["name"]) == b"latin1-\xe9t\xe9.mov"
    con = sqlite3.connect(world["lib"] / "catalog.sqlite")
    assert con.execute("SELECT path FROM media WHERE id = ?", (row["id"],)).fetchone()[0] == world["raw"]
    # shown escaped; the output is valid UTF-8 (run_cli decodes it strictly)
    listing = run_cli(world["lib"], "media", "--status", "indexed")
    assert SHOWN in listing.stdout and "Traceback" not in listing.stderr


def test_a_re_index_finds_it_again(world):
    report = json.loads(run_cli(world["lib"], "index", world["root"] / "in", "--no-visual",
                                "--speech-model", "tiny.en", "--json").stdout)
    assert report["counts"] == {"unchanged": 2}, report
    con = sqlite3.connect(world["lib"] / "catalog.sqlite")
    assert con.execute("SELECT count(*) FROM media").fetchone()[0] == 2


def test_it_is_found_by_phrase_and_by_its_pictures(world):
    from framesense import Library
    with Library.open(world["lib"]) as lib:
        hits = lib.search(phrase="this machine")
    assert [os.fsencode(h.media_path) for h in hits] == [world["raw"]]
    found = json.loads(run_cli(world["lib"], "search", "--phrase", "this machine", "--json").stdout)
    assert [h["media_path"].endswith(SHOWN) for h in found] == [True]
    for only in (world["path"], "caf\\xe9", "ref.mp4"):       # --media as given, as shown; another file
        found = json.loads(run_cli(world["lib"], "search", "--phrase", "this machine", "--media", only, "--json").stdout)
        assert len(found) == (only != "ref.mp4"), (only, found)
    ref = world["root"] / "in" / "ref.mp4"
    same = json.loads(run_cli(world["lib"], "search", "--same-as", f"{ref}@1.5", "--json").stdout)
    assert any(h["media_path"].endswith(SHOWN) and h["start"] < 1.5 < h["end"] for h in same), same
    # the file named as given on a command line (its bytes), or as it is shown
    for ref in (f"{world['path']}@1.5", "latin1-\\xe9t\\xe9.mov@1.5"):
        back = json.loads(run_cli(world["lib"], "search", "--same-as", ref, "--json").stdout)
        assert [h["media_path"] for h in back] == [str(world["root"] / "in" / "ref.mp4")], (ref, back)


def test_the_app_shows_the_name_escaped(world, qtbot):
    """Qt drops bytes that are not UTF-8 (``latin1-t.mov``): the library panel shows them as \\xNN."""
    from framesense.app.library_panel import LibraryPanel
    from framesense import Library
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    with Library.open(world["lib"]) as lib:
        panel.refresh(lib)
    items = panel.media_items()
    assert sorted(items) == ["latin1-\\xe9t\\xe9.mov", "ref.mp4"], sorted(items)
    assert items["latin1-\\xe9t\\xe9.mov"].toolTip(0).endswith(SHOWN)
    panel.progress.file(0, world["path"])
    assert "latin1-\\xe9t\\xe9.mov" in panel.progress.label.text()


def _url_bytes(url: str) -> bytes:
    return unquote_to_bytes(urlparse(url).path)


def test_exports_point_at_the_file_itself(world, tmp_path):
    import opentimelineio as otio
    out = {ext: tmp_path / f"cut{ext}" for ext in (".xml", ".fcpxml", ".otio", ".edl")}
    for path in out.values():
        run_cli(world["lib"], "export", "--phrase", "this machine", "-o", path)
    urls = [e.text for e in ET.parse(out[".xml"]).iter("pathurl")]
    assert urls and all(_url_bytes(u) == world["raw"] for u in urls), urls
    assets = [a.get("src") for a in ET.parse(out[".fcpxml"]).iter("asset")]
    assert [_url_bytes(u) for u in assets] == [world["raw"]]
    tl = otio.adapters.read_from_file(str(out[".otio"]))
    refs = [c.media_reference.target_url for c in tl.find_clips()]
    assert refs and all(_url_bytes(u) == world["raw"] for u in refs), refs
    from framesense.timeline.otio_io import load
    assert [os.fsencode(c.media.path) for c in load(out[".otio"]).clips] == [world["raw"]]
    edl = out[".edl"].read_bytes().decode("utf-8")           # valid UTF-8, the name escaped on its line
    assert f"* SOURCE FILE: {Path(world['root'] / 'in')}/{SHOWN}" in edl
    # a saved sequence exports again to the same file
    again = tmp_path / "again.xml"
    run_cli(world["lib"], "export", "--sequence", out[".otio"], "-o", again)
    assert [e.text for e in ET.parse(again).iter("pathurl")] == urls


def test_paths_round_trip():
    from framesense.paths import display, file_url, from_db, json_text, path_from_url, to_db
    odd = os.fsdecode(b"/x/caf\xe9 %41/a\xff.mov")
    assert to_db(odd) == b"/x/caf\xe9 %41/a\xff.mov" and from_db(to_db(odd)) == odd
    assert to_db("/x/ü.mov") == "/x/ü.mov"                     # UTF-8 names stay text
    assert display(odd) == "/x/caf\\xe9 %41/a\\xff.mov"
    assert file_url(odd) == "file:///x/caf%E9%20%2541/a%FF.mov" and path_from_url(file_url(odd)) == odd
    assert path_from_url("file://localhost/x/a%20b.mov") == "/x/a b.mov"
    assert json.loads(json_text(json.dumps({"p": odd}, ensure_ascii=False))) == {"p": display(odd)}
