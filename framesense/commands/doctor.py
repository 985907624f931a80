"""``framesense doctor``: what this installation (source or frozen bundle) can actually do.

Each check loads the real thing (every exporter writes a timeline, PyAV opens an encoder) so a
bundle missing a model file or a library shows up here, not mid-export.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from fractions import Fraction
from pathlib import Path

import click

from .. import __version__
from .context import Ctx, emit_json, pass_ctx

def _ok(detail, ok=True) -> dict:
    return {"ok": ok, "detail": detail}


def check_exporters() -> dict:
    """Every registered exporter (built-in and plugin) writes a one-clip sequence; the OTIO file reads back."""
    import tempfile

    from ..api import ExportOptions, export_sequence, plugin_registry
    from ..timeline.model import Clip, Sequence, SourceMedia

    seq = Sequence(name="doctor", rate=25, clips=[Clip(SourceMedia("/doctor/a.mov", Fraction(25), 250), 0, 25)])
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for spec in plugin_registry().exporters():
            suffix = spec.suffixes[0] if spec.suffixes else ""
            if spec.name == "otioz":   # a bundle carries the media itself, which the doctor has none of
                continue
            try:
                files = export_sequence(seq, Path(tmp) / f"doctor{suffix}", ExportOptions(format=spec.name,
                                                                                         allow_missing=True))
                size = sum(p.stat().st_size for p in files)
                detail = f"wrote {len(files)} file(s), {size} bytes"
                if spec.name == "otio":
                    import opentimelineio as otio
                    n = len(list(otio.adapters.read_from_file(str(files[0])).find_clips()))
                    detail += f", read back {n} clip(s) with opentimelineio {otio.__version__}"
                out[f"export {spec.name}"] = _ok(detail, size > 0)
            except Exception as exc:   # what the user would hit on export
                out[f"export {spec.name}"] = _ok(f"{type(exc).__name__}: {exc}", False)
    return out


def check_speech() -> dict:
    try:
        import faster_whisper  # noqa: F401
        from ..api import list_models
    except ImportError as exc:
        return {"speech": _ok(f"not installed ({exc})", False)}
    found = [m for m in list_models("speech") if m.available]
    out = {"speech": _ok(", ".join(f"{m.name} ({m.source})" for m in found) or "no model installed", bool(found))}
    from ..api import word_aligner_status
    ok, detail = word_aligner_status()
    out["word edges"] = _ok(detail, ok)
    return out


def check_visual() -> dict:
    """Picture search runs on onnxruntime (torch is optional: export and the torch path)."""
    from ..api import picture_runtime_status
    ok, detail = picture_runtime_status()
    return {"picture search": _ok(detail, ok)}


def check_faces() -> dict:
    from ..api import face_model_status
    return {"face search": face_model_status()}


def check_media() -> dict:
    try:
        import av
        av.codec.Codec("h264", "w")
        av.codec.Codec("aac", "w")
    except Exception as exc:
        return {"media (PyAV)": _ok(f"{type(exc).__name__}: {exc}", False)}
    return {"media (PyAV)": _ok(f"av {av.__version__}, FFmpeg {av.ffmpeg_version_info}, h264/aac encoders")}


def check_app() -> dict:
    ok = importlib.util.find_spec("PySide6") is not None   # not imported: the core stays free of Qt
    return {"desktop app": _ok("PySide6 present" if ok else "PySide6 is not installed", ok)}


def check_sound() -> dict:
    """QtMultimedia loaded for real, the audio outputs listed and the player's one named (framesense/app/audio_check.py)."""
    if importlib.util.find_spec("PySide6") is None:
        return {"sound": _ok("no desktop app, so no player", False)}
    from ..app.audio_check import sound_report
    report = sound_report()
    return {"sound": {**_ok(report["detail"], report["ok"]), "outputs": report["outputs"], "player": report["player"]}}


def check_tools() -> dict:
    return {"espeak-ng (demo speech)": _ok(shutil.which("espeak-ng") or "not on PATH (optional)", True)}


def check_catalog(ctx) -> dict:
    from ..errors import FrameSenseError
    try:
        lib = ctx.library
    except FrameSenseError as exc:   # damaged beyond opening
        return {"catalog": _ok(str(exc), False)}
    problem = lib.health()
    if problem:
        from ..errors import CatalogDamaged
        return {"catalog": _ok(str(CatalogDamaged(lib.catalog_path, problem)), False)}
    broken = lib.consistency()
    if broken:
        return {"catalog": _ok(f"{lib.catalog_path}: the file is sound but its rows disagree: " + " | ".join(broken)
                               + " (re-index the media named, or restore catalog.sqlite.bak)", False)}
    return {"catalog": _ok(f"{lib.catalog_path}: sound, rows consistent ({len(lib.media())} media)")}


def run_checks() -> dict:
    out = {"framesense": _ok(f"{__version__}{' (bundle)' if getattr(sys, 'frozen', False) else ''}, "
                             f"Python {sys.version.split()[0]}")}
    for check in (check_media, check_speech, check_visual, check_faces, check_exporters, check_app, check_sound,
                  check_tools):
        out.update(check())
    return out


@click.command()
@click.option("--library", "check_library", is_flag=True,
              help="Also check the library's catalog: SQLite quick_check, then that its rows agree (faces on "
                   "shots of their media, words in their segments...); slow on a very large catalog.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def doctor(ctx: Ctx, check_library, as_json):
    """Check what this installation can do: media, speech, picture search, exporters, app."""
    checks = run_checks()
    if check_library:
        checks.update(check_catalog(ctx))
    if as_json:
        emit_json(checks)
        return
    for name, c in checks.items():
        click.echo(f"{'ok  ' if c['ok'] else 'OFF '} {name}: {c['detail']}")


COMMANDS = [doctor]
