"""``framesense doctor``: what this installation (source or frozen bundle) can actually do.

Each check loads the real thing (an OTIO adapter writes a timeline, PyAV opens an encoder) so a
bundle missing a plugin manifest, a model file or a library shows up here, not mid-export.
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import sys

import click

from .. import __version__
from .context import emit_json

NLE_ADAPTERS = ("fcp_xml", "fcpx_xml", "cmx_3600")


def _ok(detail, ok=True) -> dict:
    return {"ok": ok, "detail": detail}


def check_otio() -> dict:
    """The interchange adapters the app exports through, found via their entry points and manifests."""
    try:
        import opentimelineio as otio
    except ImportError as exc:
        return {"otio": _ok(str(exc), False)}
    out = {"otio": _ok(otio.__version__)}
    names = set(otio.adapters.available_adapter_names())
    tl = otio.schema.Timeline(name="doctor", global_start_time=otio.opentime.RationalTime(0, 25))
    track = otio.schema.Track()
    tl.tracks.append(track)
    rt, tr = otio.opentime.RationalTime, otio.opentime.TimeRange
    ref = otio.schema.ExternalReference("file:///a.mov", available_range=tr(rt(0, 25), rt(250, 25)))
    track.append(otio.schema.Clip(name="clip", media_reference=ref, source_range=tr(rt(0, 25), rt(25, 25))))
    for name in NLE_ADAPTERS:
        if name not in names:
            out[f"otio adapter {name}"] = _ok("not registered (plugin manifest or entry point missing)", False)
            continue
        try:
            text = otio.adapters.write_to_string(tl, adapter_name=name)
            back = otio.adapters.read_from_string(text, adapter_name=name)
            n = len(list(back.find_clips()))
            out[f"otio adapter {name}"] = _ok(f"wrote {len(text)} chars, read back {n} clip(s)", n == 1)
        except Exception as exc:  # any failure here is what the user would hit on export
            out[f"otio adapter {name}"] = _ok(f"{type(exc).__name__}: {exc}", False)
    return out


def check_speech() -> dict:
    try:
        import faster_whisper  # noqa: F401
        from ..models import list_models
    except ImportError as exc:
        return {"speech": _ok(f"not installed ({exc})", False)}
    found = [m for m in list_models("speech") if m.available]
    return {"speech": _ok(", ".join(f"{m.name} ({m.source})" for m in found) or "no model installed", bool(found))}


def check_visual() -> dict:
    try:
        import open_clip
        import torch
    except ImportError as exc:
        return {"picture search": _ok(f"not in this build ({exc.name or exc}): install from source with "
                                      "pip install 'framesense[visual]'", False)}
    except Exception as exc:  # installed but broken (e.g. torchvision's C++ ops missing)
        return {"picture search": _ok(f"{type(exc).__name__}: {exc}", False)}
    x = torch.ones(2, 2) @ torch.ones(2, 2)   # runs a CPU kernel, not just the import
    return {"picture search": _ok(f"torch {torch.__version__} (CPU ok: {float(x.sum()) == 8.0}), "
                                  f"open_clip {open_clip.__version__}")}


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


def check_tools() -> dict:
    return {"espeak-ng (demo speech)": _ok(shutil.which("espeak-ng") or "not on PATH (optional)", True)}


def run_checks() -> dict:
    out = {"framesense": _ok(f"{__version__}{' (bundle)' if getattr(sys, 'frozen', False) else ''}, "
                             f"Python {sys.version.split()[0]}")}
    for check in (check_media, check_speech, check_visual, check_otio, check_app, check_tools):
        out.update(check())
    return out


@click.command()
@click.option("--json", "as_json", is_flag=True)
def doctor(as_json):
    """Check what this installation can do: media, speech, picture search, NLE adapters, app."""
    checks = run_checks()
    if as_json:
        emit_json(checks)
        return
    for name, c in checks.items():
        click.echo(f"{'ok  ' if c['ok'] else 'OFF '} {name}: {c['detail']}")


COMMANDS = [doctor]
