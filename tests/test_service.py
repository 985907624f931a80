"""One service: the CLI, the app and scripts go through ``framesense.Library`` and agree.

Each disagreement found on the old main has a test here through the CLI and through the app's
session: a rate change on a drop-frame sequence, pads on every kind of search, and the library's
picture-model setting honoured by scripts. Also: the registry lists built-ins by name, and the
package's imports run one way (no circle, no arrow from a lower layer to a higher one).
"""

from __future__ import annotations

import ast
import json
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

# Lower layers first; a module may import its own layer or any layer below, never one above.
LAYERS = [
    {"errors", "config", "timecode", "progress", "paths",
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


def _package_imports():
    """(module, imported framesense module path) for every import in the package, lazy ones included."""
    pkg = ROOT / "framesense"
    modules = {p.stem for p in pkg.glob("*.py")} | {p.name for p in pkg.iterdir() if (p / "__init__.py").exists()}
    for path in pkg.rglob("*.py"):
        rel = path.relative_to(pkg).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = parts[: len(parts) - node.level + (1 if path.name == "__init__.py" else 0)]
                target = base + (node.module.split(".") if node.module else [])
                targets = [target] if node.module else [base + [a.name] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("framesense."):
                targets = [node.module.split(".")[1:]]
            elif isinstance(node, ast.Import):
                targets = [a.name.split(".")[1:] for a in node.names if a.name.startswith("framesense.")]
            else:
                continue
            for t in targets:
                if t and t[0] in modules:      # not a name like __version__ from the package itself
                    yield parts, t, path


def _layer(name: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if name in layer)


def test_imports_run_one_way():
    upward = []
    for parts, target, path in _package_imports():
        if not parts or parts[0] == target[0] or target[0] == "__init__":
            continue
        if _layer(target[0]) > _layer(parts[0]):
            upward.append(f"{path.relative_to(ROOT)} imports framesense.{'.'.join(target)}")
    assert not upward, "\n".join(upward)


def test_no_import_circle_between_packages():
    graph: dict[str, set[str]] = {}
    for parts, target, _ in _package_imports():
        if parts and target[0] != parts[0]:
            graph.setdefault(parts[0], set()).add(target[0])
    seen, stack = set(), []

    def visit(n):
        assert n not in stack, f"import circle: {' -> '.join(stack[stack.index(n):] + [n])}"
        if n in seen:
            return
        stack.append(n)
        for m in graph.get(n, ()):
            visit(m)
        stack.pop()
        seen.add(n)
    for node in list(graph):
        visit(node)


def test_commands_and_app_call_the_service_not_the_machinery():
    below = {"ingest", "analysis", "models", "plugins.manager", "search.phrase", "search.visual", "search.same",
             "timeline.exporters", "timeline.render", "timeline.otio_io", "catalog.schema"}
    offenders = [f"{p.relative_to(ROOT)} -> {'.'.join(t)}" for parts, t, p in _package_imports()
                 if parts and parts[0] in ("commands", "app", "cli", "session", "session_edits")
                 and any(".".join(t) == b or ".".join(t).startswith(b + ".") for b in below)]
    assert not offenders, "\n".join(offenders)


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
