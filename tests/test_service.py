"""One service: the CLI, the app and scripts go through ``framesense.Library`` and agree.

Each disagreement found on the old main has a test here through the CLI and through the app's
session: a rate change on a drop-frame sequence, pads on every kind of search, and the library's
picture-model setting honoured by scripts. Also: the registry lists built-ins by name, and the
package's imports run one way (no circle, no arrow from a lower layer to a higher one).
"""

from __future__ import annotations

import ast
import json
import re
from fractions import Fraction
from pathlib import Path

import pycmx
import pytest

from conftest import ROOT, run_cli
from framesense.media.synth import Shot, write_video

RATE = 25


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Two 25 fps files (one reusing a shot of the other) and a 29.97 DF file, indexed with a tiny CLIP."""
    from clip_fixture import make_tiny_clip

    root = tmp_path_factory.mktemp("service")
    clip = make_tiny_clip(root / "tiny-clip")
    src = write_video(root / "f" / "rushes.mp4", [Shot(50, 1), Shot(60, 2), Shot(50, 3)], rate=RATE, audio=None)
    prog = write_video(root / "f" / "programme.mp4", [Shot(45, 11), Shot(40, 2, brightness=30), Shot(45, 12)],
                       rate=RATE, audio=None)
    df = write_video(root / "f" / "ntsc.mp4", [Shot(60, 21), Shot(60, 22)], rate="30000/1001",
                     start_timecode="00:59:50;00", audio=None)
    lib = root / "lib"
    run_cli(lib, "models", "use", "clip", str(clip))       # the library's setting, not an option per run
    report = json.loads(run_cli(lib, "index", root / "f", "--no-speech", "--json").stdout)
    assert all(f["stages"].get("visual") == "done" for f in report["files"]), report
    return {"root": root, "lib": lib, "src": src, "prog": prog, "df": df, "clip": clip}


def edl_events(path):
    with open(path) as f:
        return [e.edits[0] for e in pycmx.parse_cmx3600(f).events]


def otio_clips(path):
    import opentimelineio as otio
    return list(otio.adapters.read_from_file(str(path)).find_clips())


# -- the library's clip-model setting is the scripts' too ----------------------------------

def test_scripts_honour_the_librarys_clip_model_setting(world, tmp_path, monkeypatch):
    from framesense import IndexOptions, Library

    monkeypatch.delenv("FRAMESENSE_CLIP_MODEL", raising=False)
    clip2 = write_video(tmp_path / "more" / "extra.mp4", [Shot(30, 7)], rate=RATE, audio=None)
    with Library.open(world["lib"]) as lib:
        assert lib.setting("clip_model") == str(world["clip"])
        report = lib.index([clip2.path], IndexOptions(speech=False))
        assert report.files[0].stages["visual"] == "done", report.files[0]
        assert report.notices == [] or all("picture" not in n for n in report.notices)
        hits = lib.search(like=f"{clip2.path}@0.5", limit=3)
        assert hits and hits[0].media_path == str(clip2.path)


# -- pads apply to every kind of search, once ---------------------------------------------------

@pytest.mark.parametrize("kind", ["same", "like", "text"])
def test_pad_before_applies_to_picture_and_same_footage_exports(world, tmp_path, kind):
    ref = f"{world['src'].path}@{(50 + 30) / RATE}"
    search = {"same": ["--same-as", ref], "like": ["--like", ref, "--limit", "1"],
              "text": ["--text", "grey", "--limit", "1"]}[kind]
    plain = json.loads(run_cli(world["lib"], "search", *search, "--json").stdout)[0]
    padded = json.loads(run_cli(world["lib"], "search", *search, "--pad-before", "1", "--json").stdout)[0]
    assert padded["matched"] == [plain["start_frame"], plain["end_frame"]]
    assert padded["start_frame"] == max(0, plain["start_frame"] - RATE)
    for pad in ("0", "1"):
        run_cli(world["lib"], "export", *search, "--pad-before", pad, "-o", tmp_path / f"{pad}.edl")
    (a,), (b,) = edl_events(tmp_path / "0.edl")[:1], edl_events(tmp_path / "1.edl")[:1]
    frames = lambda tc: sum(int(x) * m for x, m in zip(tc.replace(";", ":").split(":"), (90000, 1500, 25, 1)))  # noqa: E731
    assert frames(a.source_in) - frames(b.source_in) == min(RATE, plain["start_frame"])
    assert frames(a.source_out) == frames(b.source_out)


def test_session_pads_every_kind_of_hit_the_same_way(world):
    from framesense import Library
    from framesense.session import Session

    with Library.open(world["lib"]) as lib:
        ref = f"{world['src'].path}@{(50 + 30) / RATE}"
        session = Session(lib, pad_before=1.0, pad_after=0.2)
        session.set_results(lib.search(same_as=ref) + lib.search(like=ref, limit=1) + lib.shot_hits(world["prog"].path))
        for i, hit in enumerate(session.results):
            clip = session.clip_for(i)
            assert (clip.source_in, clip.source_out) == lib.padded(hit, 1.0, 0.2)
            assert clip.source_in == max(0, hit.start_frame - RATE) and clip.source_out >= hit.end_frame + 5 \
                or clip.source_out == clip.media.frames


# -- a rate change on a drop-frame sequence: CLI and app agree -----------------------------------

def _df_sequence(world, tmp_path) -> Path:
    out = tmp_path / "df.otio"
    res = json.loads(run_cli(world["lib"], "export", "--like", f"{world['df'].path}@0.5", "--media", "ntsc",
                             "-o", out, "--json").stdout)
    assert res["rate"] == "30000/1001" and res["drop_frame"] is True
    return out


def test_cli_changes_the_rate_of_a_drop_frame_sequence(world, tmp_path):
    saved = _df_sequence(world, tmp_path)
    out = tmp_path / "film.edl"
    res = json.loads(run_cli(world["lib"], "export", "--sequence", saved, "--rate", "24000/1001", "-o", out,
                             "--json").stdout)
    assert res["rate"] == "24000/1001" and res["drop_frame"] is False
    text = out.read_text()
    assert "FCM: NON-DROP FRAME" in text
    ev = edl_events(out)[0]
    assert ev.record_in == "01:00:00:00" and ";" not in ev.record_in
    bad = run_cli(world["lib"], "export", "--sequence", saved, "--rate", "1/0", "-o", out, check=False)
    assert bad.returncode == 2 and "not a frame rate" in bad.stderr and "Traceback" not in bad.stderr


def test_app_export_dialog_changes_the_rate_of_a_drop_frame_sequence(world, tmp_path, qtbot):
    from framesense import Library
    from framesense.app.dialogs import ExportDialog
    from framesense.session import Session

    saved = _df_sequence(world, tmp_path)
    with Library.open(world["lib"]) as lib:
        session = Session(lib)
        session.open_sequence(saved)
        assert session.sequence.drop_frame
        dlg = ExportDialog(session, None, str(tmp_path))
        qtbot.addWidget(dlg)
        dlg.set_format("edl")
        dlg.path.setText(str(tmp_path / "app.edl"))
        dlg.rate.setCurrentText("23.976")
        assert dlg.export(), dlg.result.toPlainText()
    cli = tmp_path / "cli.edl"
    run_cli(world["lib"], "export", "--sequence", saved, "--rate", "24000/1001", "-o", cli)
    assert (tmp_path / "app.edl").read_text() == cli.read_text()


def test_export_takes_every_search_search_takes(world, tmp_path):
    from framesense.commands.export import export_cmd
    from framesense.commands.search import search
    names = lambda cmd: {p.name for p in cmd.params} - {"as_json"}  # noqa: E731
    assert names(search) <= names(export_cmd)
    out = tmp_path / "same.otio"
    run_cli(world["lib"], "export", "--same-as", f"{world['src'].path}@3.2", "-o", out)
    assert [c.media_reference.target_url.endswith("programme.mp4") for c in otio_clips(out)] == [True]


# -- min_score, --media and --rate: applied by the service, the same for the CLI and the API --------

def _api_hits(lib_path, plugins=None, **kw) -> list[dict]:
    from framesense import Library
    from framesense.catalog import Catalog
    with Library(Catalog.open(lib_path), plugins) as lib:
        return json.loads(json.dumps([h.to_json() for h in lib.search(**kw)], default=str))


def _api_export(lib_path, out, plugins=None, rate=None, **kw) -> dict:
    from framesense import ExportOptions, Library, SequenceOptions
    from framesense.catalog import Catalog
    with Library(Catalog.open(lib_path), plugins) as lib:
        options = ExportOptions(rate=rate)
        seq = lib.sequence_from_hits(lib.search(**kw), SequenceOptions(name="cut"))
        lib.export(seq, out, options)
        seq = options.sequence_for(seq)
        return {"clips": len(seq.clips), "rate": str(seq.rate), "drop_frame": seq.drop_frame}


def _cli_export(lib_path, out, *args) -> dict:
    res = json.loads(run_cli(lib_path, "export", *args, "--name", "cut", "-o", out, "--json").stdout)
    return {"clips": res["clips"], "rate": res["rate"], "drop_frame": res["drop_frame"]}


@pytest.mark.parametrize("kind", ["like", "text"])
def test_min_score_and_a_media_glob_give_the_same_picture_hits_and_sequence_everywhere(world, tmp_path, kind):
    ref = f"{world['src'].path}@{(50 + 30) / RATE}"
    option, value = {"like": ("like", ref), "text": ("text", "grey")}[kind]
    everything = _api_hits(world["lib"], **{option: value})
    scores = sorted({h["score"] for h in everything})
    assert len(scores) > 2, everything
    floor = scores[len(scores) // 2]
    flag = f"--{option.replace('_', '-')}"
    cli = json.loads(run_cli(world["lib"], "search", flag, value, "--min-score", floor, "--media", "r?shes.mp4",
                             "--media", "ntsc", "--json").stdout)
    api = _api_hits(world["lib"], **{option: value}, min_score=floor, media=["r?shes.mp4", "ntsc"])
    assert cli == api
    kept = [h for h in everything if h["score"] >= floor
            and (h["media_path"].endswith("/rushes.mp4") or "ntsc" in h["media_path"])]
    assert [(h["media_path"], h["start_frame"]) for h in api] == [(h["media_path"], h["start_frame"]) for h in kept]
    assert api and len(api) < len(everything)
    opts = [flag, value, "--min-score", floor, "--media", "r?shes.mp4", "--media", "ntsc"]
    assert _cli_export(world["lib"], tmp_path / "cli.edl", *opts) == \
        _api_export(world["lib"], tmp_path / "api.edl", **{option: value}, min_score=floor, media=["r?shes.mp4", "ntsc"])
    assert edl_events(tmp_path / "cli.edl") and \
        [(e.source_in, e.source_out) for e in edl_events(tmp_path / "cli.edl")] == \
        [(e.source_in, e.source_out) for e in edl_events(tmp_path / "api.edl")]


def test_same_footage_hits_take_the_media_glob_the_same_way(world):
    ref = f"{world['src'].path}@{(50 + 30) / RATE}"
    cli = json.loads(run_cli(world["lib"], "search", "--same-as", ref, "--media", "prog*.mp4", "--json").stdout)
    assert cli == _api_hits(world["lib"], same_as=ref, media=["prog*.mp4"])
    assert [h["media_path"] for h in cli] == [str(world["prog"].path)]
    assert _api_hits(world["lib"], same_as=ref, media=["prog*.mp4"], min_score=1.01) == []


def test_phrase_hits_take_min_score_and_the_media_glob_the_same_way(world, tmp_path):
    from framesense import Library
    srt = tmp_path / "said.srt"
    srt.write_text("1\n00:00:00,500 --> 00:00:02,500\nfishing boats at dawn\n")
    with Library.open(world["lib"]) as lib:
        for f in ("src", "prog", "df"):
            lib.import_transcript(world[f].path, srt)
    args = ["--phrase", "fishing boats", "--min-score", "0.5", "--media", "r?shes.mp4", "--media", "ntsc"]
    cli = json.loads(run_cli(world["lib"], "search", *args, "--json").stdout)
    api = _api_hits(world["lib"], phrase="fishing boats", min_score=0.5, media=["r?shes.mp4", "ntsc"])
    assert cli == api
    assert sorted(h["media_path"] for h in api) == sorted([str(world["src"].path), str(world["df"].path)])
    assert _api_hits(world["lib"], phrase="fishing boats", min_score=1.01) == []
    assert _cli_export(world["lib"], tmp_path / "cli.otio", *args) == \
        _api_export(world["lib"], tmp_path / "api.otio", phrase="fishing boats", min_score=0.5,
                    media=["r?shes.mp4", "ntsc"])


SPREAD = '''
from framesense.plugins import SearchOption, SearchSpec, hookimpl
from framesense.plugins.helpers import shot_hit

def _spread(catalog, query):
    # one hit a shot, scored by its index: it filters nothing itself, the service must
    return [shot_hit(catalog, m, s["idx"], (s["idx"] + 1) / 4, "spread")
            for m in catalog.query("SELECT * FROM media") for s in catalog.query(
                "SELECT idx FROM shots WHERE media_id = ?", (m["id"],))]

@hookimpl
def framesense_searches():
    return [SearchSpec("spread", lambda q: "spread" in q.options, _spread, options=(SearchOption("spread", int),))]
'''


def test_plugin_hits_get_min_score_and_the_media_filter_from_the_service(world, tmp_path, monkeypatch):
    from conftest import plugin_folder
    from framesense.plugins.manager import Plugins
    plugin_folder(tmp_path, monkeypatch, {"spread.py": SPREAD})
    plugins = Plugins().load()
    assert "spread" in [s.name for s in plugins.searches()]
    cli = json.loads(run_cli(world["lib"], "search", "--where", "spread=1", "--min-score", "0.5", "--media",
                             "rushes.mp?", "--json").stdout)
    api = _api_hits(world["lib"], plugins, spread="1", min_score=0.5, media=["rushes.mp?"])
    assert cli == api
    assert [(h["media_path"], h["shot"], h["score"]) for h in api] == \
        [(str(world["src"].path), 2, 0.75), (str(world["src"].path), 1, 0.5)]
    assert _cli_export(world["lib"], tmp_path / "cli.edl", "--where", "spread=1", "--min-score", "0.5", "--media",
                       "rushes.mp?") == \
        _api_export(world["lib"], tmp_path / "api.edl", plugins, spread="1", min_score=0.5, media=["rushes.mp?"])
    assert (tmp_path / "cli.edl").read_text() == (tmp_path / "api.edl").read_text()


def test_export_rate_is_the_services_option_for_a_search_too(world, tmp_path):
    ref = f"{world['df'].path}@0.5"
    cli = _cli_export(world["lib"], tmp_path / "cli.edl", "--like", ref, "--media", "ntsc", "--rate", "24000/1001")
    api = _api_export(world["lib"], tmp_path / "api.edl", rate="24000/1001", like=ref, media=["ntsc"])
    assert cli == api == {"clips": api["clips"], "rate": "24000/1001", "drop_frame": False}
    assert (tmp_path / "cli.edl").read_text() == (tmp_path / "api.edl").read_text()


# -- exporters are functions of the sequence; the service lists what it saved ---------------------

def _sequence_rows(lib_path) -> dict[str, dict]:
    from framesense.catalog import Catalog
    with Catalog.open(lib_path) as cat:
        return {r["path"]: r for r in cat.query("SELECT path, name, rate, clips, duration_frames FROM sequences")}


@pytest.mark.parametrize("suffix", [".otio", ".xml", ".fcpxml", ".edl"])
def test_an_export_is_the_same_file_from_the_cli_the_api_the_app_and_no_library(world, tmp_path, suffix):
    """The same hits and options give the same bytes whoever exports them, and the bare exporter (no
    library at all) too: an exporter is a function of the sequence. A saved .otio is listed among the
    library's sequences, by the service, with the sequence as written (at its new rate)."""
    from framesense import ExportOptions, Library, SequenceOptions
    from framesense.api import export_sequence
    from framesense.session import Session
    from framesense.timecode import rate_str
    from framesense.timeline.otio_io import load

    ref, rate = f"{world['src'].path}@{(50 + 30) / RATE}", "24000/1001"
    out = {k: tmp_path / f"{k}{suffix}" for k in ("cli", "api", "app", "bare")}
    run_cli(world["lib"], "export", "--like", ref, "--limit", "3", "--rate", rate, "--name", "cut", "-o", out["cli"])
    with Library.open(world["lib"]) as lib:
        hits = lib.search(like=ref, limit=3)
        seq = lib.sequence_from_hits(hits, SequenceOptions(name="cut"))
        lib.export(seq, out["api"], ExportOptions(rate=rate))
        session = Session(lib)                      # the app: results added to a new timeline, exported
        session.set_results(hits)
        session.new_sequence("cut")
        session.add_clips(session.clips_to_add(range(len(hits))))
        session.export(out["app"], rate=rate)
    export_sequence(seq, out["bare"], ExportOptions(rate=rate))
    # FCP7 XML and FCPXML give each export fresh uuids (an NLE tells imports apart by them): all else is equal
    fresh = re.compile(rb"<uuid>[0-9a-f-]{36}</uuid>|uid=\"[0-9A-F]{32}\"")
    files = {k: fresh.sub(b"UUID", p.read_bytes()) for k, p in out.items()}
    assert len(seq.clips) == 3 and files["cli"] and len(set(files.values())) == 1, \
        {k: len(v) for k, v in files.items()}
    rows = _sequence_rows(world["lib"])
    if suffix != ".otio":
        assert not {str(p.resolve()) for p in out.values()} & set(rows)
        return
    written = load(out["cli"])
    assert written.rate == Fraction(24000, 1001) and written.rate != seq.rate
    expected = {"name": "cut", "rate": rate_str(written.rate), "clips": len(written.clips),
                "duration_frames": written.duration}
    for k in ("cli", "api", "app"):
        assert rows[str(out[k].resolve())] == {**expected, "path": str(out[k].resolve())}, k
    assert str(out["bare"].resolve()) not in rows           # no library, no row: the exporter wrote the file only


def test_a_saved_sequence_is_listed_the_same_from_the_cli_the_api_and_the_app(world, tmp_path):
    """``assemble -o x.otio`` and the app's Save go through ``Library.save_sequence``, as ``export`` of a
    .otio does: one row per file, describing the file."""
    from framesense import Library, SequenceOptions
    from framesense.session import Session

    ref = f"{world['prog'].path}@0.5"
    cli = tmp_path / "cli.otio"
    run_cli(world["lib"], "export", "--like", ref, "--limit", "2", "--name", "kept", "-o", cli)
    with Library.open(world["lib"]) as lib:
        seq = lib.sequence_from_hits(lib.search(like=ref, limit=2), SequenceOptions(name="kept"))
        api = lib.save_sequence(seq, tmp_path / "api.otio")
        session = Session(lib)
        session.set_sequence(lib.load_sequence(cli))
        app = session.save_sequence(tmp_path / "app.otio")
        listed = {Path(r["path"]).name: r for r in lib.sequences() if Path(r["path"]).parent == tmp_path.resolve()}
    assert cli.read_bytes() == api.read_bytes() == app.read_bytes()
    same = lambda r: (r["name"], r["rate"], r["clips"], r["duration_frames"], r["exists"])  # noqa: E731
    assert same(listed["cli.otio"]) == same(listed["api.otio"]) == same(listed["app.otio"]) == \
        ("kept", str(seq.rate), len(seq.clips), seq.duration, True)


# -- one registry ------------------------------------------------------------------------------

def test_plugins_list_shows_the_builtin_stages_searches_and_exporters(world):
    rows = {r["name"]: r for r in json.loads(run_cli(world["lib"], "plugins", "list", "--json").stdout)}
    provides = rows["builtin"]["provides"]
    assert {"shots", "fingerprint", "speech", "visual", "faces"} <= set(provides["stages"])
    assert provides["searches"] == ["phrase", "pictures", "same-footage", "faces"]
    assert provides["exporters"] == ["otio", "otioz", "fcp7", "fcpxml", "edl"]
    text = run_cli(world["lib"], "plugins", "list").stdout
    assert "searches: phrase, pictures, same-footage" in text


def test_exporter_is_chosen_by_name_or_suffix_from_the_registry(tmp_path):
    from framesense.api import plugin_registry
    from framesense.errors import FrameSenseError
    reg = plugin_registry()
    assert reg.exporter_for(tmp_path / "a.fcpxml").name == "fcpxml"
    assert reg.exporter_for(tmp_path / "a.xml").name == "fcp7"
    assert reg.exporter_for(tmp_path / "a.whatever", "edl").name == "edl"
    with pytest.raises(FrameSenseError, match="unknown export format 'mp3'"):
        reg.exporter_for(tmp_path / "a.edl", "mp3")


# -- structure ---------------------------------------------------------------------------------
# The checker is a set of functions of a package folder, so a test can run it on a planted tree.

# Lower layers first; a module may import its own layer or any layer below, never one above.
LAYERS = [
    {"errors", "config", "timecode", "progress", "paths", "atomic_files", "child_process",
     "offline", "installation", "desktop_entry"},      # telemetry opt-outs; how FrameSense was installed
    {"catalog", "media", "transcript", "demo"},
    {"models"},
    {"analysis", "search"},
    {"timeline", "ingest"},
    {"plugins", "parallel", "distributed", "merge"},   # where and how a run's analysis happens
    {"api"},
    {"session", "session_edits"},               # the Qt-free app state and its edits
    {"commands", "cli", "__main__", "app"},     # the front ends (``framesense app`` starts the window)
]
FRONT_ENDS = {"commands", "cli", "__main__", "app", "session", "session_edits"}
# What a front end may import besides the service (api) and each other: the data types, the
# foundation layer, and media read for display (docs/architecture.md, "Rules the tests hold").
FRONT_END_MAY_IMPORT = LAYERS[0] | {
    "api", "search.hits", "search.query", "timeline.model", "timeline.edits", "timeline.textcut",
    "timeline.autosave", "transcript.model", "transcript.formats", "plugins.types",
    "transcript.languages",                                        # language codes and the names shown for them
    "timeline.history", "timeline.paper_edit",                     # the Qt-free undo history and paper edit
    "timeline.script",                                             # a script's lines, read from text or CSV
    "timeline.supercut",  # the rules joining takes, pure over clips: the app's timeline adds takes by them
    "media.frames", "media.seek", "media.pcm", "media.waveform",   # the player decodes and draws media
    "media.heard",        # check-heard compares a recording of the player with its frame log
    "demo",               # writes the demo footage it then indexes
}
# What timeline/ must not reach: it is handed values and lookups (``timeline.footage``) by the service.
TIMELINE_MAY_NOT_IMPORT = {"api", "analysis.people", "catalog.reads", "ingest", "plugins"}


def _modules(pkg: Path) -> set[tuple[str, ...]]:
    """Every module and package path of the tree, whether or not its folder has an ``__init__.py``."""
    found = set()
    for path in pkg.rglob("*.py"):
        parts = path.relative_to(pkg).with_suffix("").parts
        found.add(parts[:-1] if parts[-1] == "__init__" else parts)
        found.update(parts[:i] for i in range(1, len(parts)))
    return found


def package_imports(pkg: Path):
    """(module parts, imported module parts, file) for every import of the package by itself, lazy ones included."""
    modules, name = _modules(pkg), pkg.name
    for path in sorted(pkg.rglob("*.py")):
        parts = list(path.relative_to(pkg).with_suffix("").parts)
        is_init = parts[-1] == "__init__"
        if is_init:
            parts = parts[:-1]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] == name):
                base = parts[: len(parts) - node.level + (1 if is_init else 0)] if node.level \
                    else node.module.split(".")[1:]
                mod = base + (node.module.split(".") if node.level and node.module else [])
                targets = [mod + [a.name] if tuple(mod + [a.name]) in modules else mod for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name.split(".")[1:] for a in node.names if a.name.split(".")[0] == name]
            else:
                continue
            for t in targets:
                if t and tuple(t[:1]) in modules:      # not a name like __version__ from the package itself
                    yield parts, t, path


def missing_inits(pkg: Path) -> list[str]:
    """Folders holding Python modules but no ``__init__.py``: imports of them would go unseen."""
    return sorted(str(d.relative_to(pkg)) for d in {p.parent for p in pkg.rglob("*.py")}
                  if d != pkg and "__pycache__" not in d.parts and not (d / "__init__.py").exists())


def unplaced(pkg: Path, layers) -> list[str]:
    """Top-level modules and packages that no layer names."""
    return sorted({m[0] for m in _modules(pkg) if m} - set().union(*layers) - {"__init__"})


def upward_imports(pkg: Path, layers) -> list[str]:
    """Imports from a lower layer of one above it."""
    layer = lambda n: next((i for i, names in enumerate(layers) if n in names), -1)  # noqa: E731
    return [f"{path.relative_to(pkg.parent)} imports {pkg.name}.{'.'.join(t)}"
            for parts, t, path in package_imports(pkg) if parts and parts[0] != t[0] and layer(t[0]) > layer(parts[0])]


def import_circles(pkg: Path) -> list[str]:
    """Every circle of imports between the top-level modules and packages."""
    graph: dict[str, set[str]] = {}
    for parts, target, _ in package_imports(pkg):
        if parts and target[0] != parts[0]:
            graph.setdefault(parts[0], set()).add(target[0])
    circles, done = set(), set()

    def visit(n, stack):
        if n in stack:
            loop = stack[stack.index(n):]
            i = loop.index(min(loop))
            circles.add(" -> ".join(loop[i:] + loop[:i] + [min(loop)]))
            return
        if n in done:
            return
        for m in sorted(graph.get(n, ())):
            visit(m, stack + [n])
        done.add(n)
    for node in sorted(graph):
        visit(node, [])
    return sorted(circles)


def front_end_reaches(pkg: Path, front_ends, may_import) -> list[str]:
    """Imports by a front end of anything below the service it is not allowed (a data type, a foundation module)."""
    def allowed(t):
        dotted = ".".join(t)
        return t[0] in front_ends or any(dotted == a or dotted.startswith(a + ".") for a in may_import)
    return [f"{path.relative_to(pkg)} -> {'.'.join(t)}" for parts, t, path in package_imports(pkg)
            if parts and parts[0] in front_ends and not allowed(t)]


def catalog_uses(pkg: Path, folders) -> list[str]:
    """Code under ``folders`` (front ends; timeline/) that holds the catalog: ``<library>.catalog``, or a
    name or parameter called ``catalog``, instead of a Library method or the values it hands down."""
    found = []
    for path in sorted(pkg.rglob("*.py")):
        rel = path.relative_to(pkg)
        if rel.parts[0].removesuffix(".py") not in folders:
            continue
        found += [f"{rel}:{n.lineno}" for n in ast.walk(ast.parse(path.read_text()))
                  if isinstance(n, ast.Attribute) and n.attr == "catalog" or isinstance(n, ast.Name) and n.id == "catalog"
                  or isinstance(n, ast.arg) and n.arg == "catalog"]
    return found


def reaches(pkg: Path, folder: str, forbidden) -> list[str]:
    """Imports by modules of ``folder`` of any module under ``forbidden`` (dotted, without the package)."""
    return [f"{path.relative_to(pkg)} -> {'.'.join(t)}" for parts, t, path in package_imports(pkg)
            if parts and parts[0] == folder
            and any(".".join(t) == f or ".".join(t).startswith(f + ".") for f in forbidden)]


PKG = ROOT / "framesense"


def test_every_package_has_its_init_and_its_layer():
    assert missing_inits(PKG) == []
    assert unplaced(PKG, LAYERS) == []


def test_imports_run_one_way():
    assert upward_imports(PKG, LAYERS) == []


def test_no_import_circle_between_packages():
    assert import_circles(PKG) == []


def test_commands_and_app_call_the_service_not_the_machinery():
    assert front_end_reaches(PKG, FRONT_ENDS, FRONT_END_MAY_IMPORT) == []
    assert catalog_uses(PKG, FRONT_ENDS) == []


def test_timeline_is_handed_values_not_the_catalog_or_the_service():
    assert reaches(PKG, "timeline", TIMELINE_MAY_NOT_IMPORT) == []
    assert catalog_uses(PKG, {"timeline"}) == []


def test_the_import_checks_fail_on_planted_violations(tmp_path):
    """A throwaway tree with each violation: the same checker functions must name every one."""
    pkg = tmp_path / "fake"
    files = {
        "__init__.py": "", "errors.py": "", "api.py": "from .models import m\n",
        "models/__init__.py": "", "models/m.py": "def f():\n    from ..analysis import a\n",   # upward, lazy
        "analysis/a.py": "from fake.models.m import f\n",                                     # no __init__; circle
        "commands/__init__.py": "", "commands/run.py": "from ..analysis.a import x\nfrom .. import api, errors\n"
                                                        "print(api.lib.catalog)\nfrom ..catalog.db import media_rate\n",
        "catalog/__init__.py": "", "catalog/db.py": "",
        "timeline/__init__.py": "", "timeline/cut.py": "def cut(catalog):\n    from ..api import Library\n",
        "stray.py": "",
    }
    for name, text in files.items():
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(text)
    layers = [{"errors"}, {"catalog"}, {"models"}, {"analysis"}, {"timeline"}, {"api"}, {"commands"}]
    assert missing_inits(pkg) == ["analysis"]
    assert unplaced(pkg, layers) == ["stray"]
    assert upward_imports(pkg, layers) == ["fake/models/m.py imports fake.analysis.a",
                                           "fake/timeline/cut.py imports fake.api"]
    assert import_circles(pkg) == ["analysis -> models -> analysis"]
    assert front_end_reaches(pkg, {"commands"}, {"api", "errors"}) == ["commands/run.py -> analysis.a",
                                                                       "commands/run.py -> catalog.db"]
    assert catalog_uses(pkg, {"commands"}) == ["commands/run.py:3"]
    assert catalog_uses(pkg, {"timeline"}) == ["timeline/cut.py:1"]
    assert reaches(pkg, "timeline", {"api"}) == ["timeline/cut.py -> api"]


def test_timecode_agrees_with_opentime():
    import opentimelineio as otio
    from framesense.timecode import Timecode
    for rate, df in ((Fraction(24000, 1001), False), (Fraction(25), False), (Fraction(30000, 1001), True),
                     (Fraction(30000, 1001), False), (Fraction(60000, 1001), True)):
        tc = Timecode(rate, df)
        for frames in (0, 1, 1799, 1800, 17982, 107892, 1999999):   # under 24 hours at every rate
            ours = tc.to_string(frames)
            theirs = otio.opentime.to_timecode(otio.opentime.RationalTime(frames, float(rate)), float(rate), df)
            assert ours == theirs, (rate, df, frames)
            assert tc.to_frames(ours) == frames
