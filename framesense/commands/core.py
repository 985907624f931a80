"""Core commands: index, media, shots."""

from __future__ import annotations

import json
import sys

import click

from ..api import media_rate
from ..timecode import rate_str
from ..transcript.languages import language_label
from .context import Ctx, emit_json, pass_ctx


def media_json(row: dict, streams: list[dict] | None = None) -> dict:
    """A media row for JSON; ``streams``: its audio streams with their spoken language
    (``Library.stream_languages``), else the streams as probed."""
    rate = media_rate(row)
    return {
        "id": row["id"], "path": row["path"], "name": row["name"], "duration": row["duration"],
        "frames": row["frames"], "rate": rate_str(rate) if rate else None, "vfr": bool(row["vfr"]), "width": row["width"],
        "height": row["height"], "video_codec": row["video_codec"],
        "audio_streams": streams if streams is not None else
        (json.loads(row["audio_streams"]) if row.get("audio_streams") else []),
        "start_timecode": row["start_timecode"], "reel": row["reel"], "status": row["status"],
        "error": row["error"],
    }


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--no-speech", is_flag=True, help="Skip the speech (transcription) stage.")
@click.option("--no-visual", is_flag=True, help="Skip the picture (embedding) stage.")
@click.option("--disable", multiple=True, metavar="NAME", help="Skip an analyzer or plugin by name (repeatable).")
@click.option("--faces-accurate", is_flag=True, help="Find faces with dlib's CNN detector (slow without a GPU).")
@click.option("--speech-model", default=None, help="Speech model name or folder (see 'framesense models list').")
@click.option("--language", default=None, help="Force the spoken language (e.g. en); default: detect per file.")
@click.option("--clip-model", default=None,
              help="CLIP model: an ONNX model folder (see 'models export-onnx'), a downloaded name "
                   "(ViT-B-32__openai), ARCH:TAG, ARCH:/path/to/checkpoint.pt or an open_clip folder "
                   "(default: the library's 'models use clip' setting).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Analyse this many files at once in worker processes (this process commits); with --ray: workers.")
@click.option("--ray", "ray_address", default=None, metavar="auto|ADDRESS|local:N",
              help="Analyse files on a Ray cluster: 'auto' (the running one, else a local one), an address, "
                   "or 'local:N' (a local cluster of N CPUs). Footage must be at the same path on the workers. "
                   "Source installs only (pip install 'framesense[scale]'): the desktop bundle leaves Ray out.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report instead of a summary.")
@pass_ctx
def index(ctx: Ctx, paths, no_speech, no_visual, disable, faces_accurate, speech_model, language, clip_model, jobs,
          ray_address, as_json):
    """Index footage: PATHS are files or folders (walked recursively)."""
    from ..api import IndexOptions
    from .progress import RichProgress

    options = IndexOptions(speech=not no_speech, visual=not no_visual, disable=disable, speech_model=speech_model,
                           language=language, clip_model=clip_model, jobs=jobs, ray=ray_address,
                           extra={"faces_accurate": True} if faces_accurate else {})
    lib = ctx.library
    with RichProgress(enabled=not as_json and sys.stderr.isatty()) as progress:
        report = lib.index(paths, options, progress=progress)
    if as_json:
        emit_json(report.to_json())
    else:
        counts = report.counts()
        summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no media files found"
        click.echo(f"Indexed into {lib.catalog_path}: {summary} ({report.seconds:.1f} s)")
        for note in report.notices:
            click.echo(f"note: {note}", err=True)
        for f in report.failed:
            click.echo(f"FAILED {f.path}: {f.error}", err=True)
    sys.exit(1 if report.failed else 0)


@click.command()
@click.option("--status", type=click.Choice(["indexed", "failed", "pending"]), default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def media(ctx: Ctx, status, as_json):
    """List catalogued media files."""
    lib = ctx.library
    rows = [media_json(r, lib.stream_languages(r)) for r in lib.media(status=status)]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        dur = f"{r['duration']:.2f}s" if r["duration"] else "-"
        extra = f"  {r['error']}" if r["error"] else ""
        click.echo(f"{r['status']:8} {dur:>10} {r['rate'] or '-':>10} {r['start_timecode'] or '':>12} "
                   f"{r['reel'] or '':>10} {language_label(r['audio_streams']):>9}  {r['path']}{extra}")


@click.command()
@click.argument("media_path")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def shots(ctx: Ctx, media_path, as_json):
    """List the shots of one media file (media time in seconds, end exclusive)."""
    lib = ctx.library
    row = lib.find_media(media_path)
    if not media_rate(row):
        raise click.ClickException(f"{row['path']}: has no video, so no shots")
    out = [{"index": h.shot, "start_frame": h.start_frame, "end_frame": h.end_frame, "start": h.start, "end": h.end,
            "timecode": lib.timecode(h), "transition": h.extra["transition"], "thumbnail": h.thumbnail}
           for h in lib.shot_hits(row)]
    if as_json:
        emit_json(out)
        return
    for s in out:
        click.echo(f"{s['index']:4d}  {s['start_frame']:7d}-{s['end_frame']:<7d} {s['start']:9.3f}s-{s['end']:.3f}s  "
                   f"{s['timecode']}  {s['transition']}")


@click.command("folder-language")
@click.argument("folder", type=click.Path(file_okay=False), required=False)
@click.argument("language", required=False)
@pass_ctx
def folder_language(ctx: Ctx, folder, language):
    """Transcribe FOLDER's files as LANGUAGE (e.g. es; 'auto' to detect again) from the next index on;
    with no LANGUAGE, show it; with no FOLDER, list every folder's."""
    lib = ctx.library
    if folder is None or language is None:
        langs = lib.folder_languages()
        if folder is not None:
            from pathlib import Path
            langs = {k: v for k, v in langs.items() if k == str(Path(folder).expanduser().resolve())}
        for path, code in sorted(langs.items()):
            click.echo(f"{code}  {path}")
        return
    n = lib.set_folder_language(folder, language)
    click.echo(f"{folder}: {language}" + (f"; speech of {n} catalogued file(s) redone by the next index" if n else ""))


COMMANDS = [index, media, shots, folder_language]
