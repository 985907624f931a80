"""Core commands: index, media, shots."""

from __future__ import annotations

import json
import sys

import click

from ..catalog import media_rate
from ..cli import Ctx, cli, emit_json, pass_ctx
from ..timecode import rate_str


def media_json(row: dict) -> dict:
    rate = media_rate(row)
    return {
        "id": row["id"], "path": row["path"], "name": row["name"], "duration": row["duration"],
        "frames": row["frames"], "rate": rate_str(rate) if rate else None, "vfr": bool(row["vfr"]), "width": row["width"],
        "height": row["height"], "video_codec": row["video_codec"],
        "audio_streams": json.loads(row["audio_streams"]) if row.get("audio_streams") else [],
        "start_timecode": row["start_timecode"], "reel": row["reel"], "status": row["status"],
        "error": row["error"],
    }


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--no-speech", is_flag=True, help="Skip the speech (transcription) stage.")
@click.option("--no-visual", is_flag=True, help="Skip the picture (embedding) stage.")
@click.option("--disable", multiple=True, metavar="NAME", help="Skip an analyzer or plugin by name (repeatable).")
@click.option("--speech-model", default=None, help="Speech model name or folder (see 'framesense models list').")
@click.option("--language", default=None, help="Force the spoken language (e.g. en); default: detect per file.")
@click.option("--clip-model", default=None, help="CLIP model: ARCH:TAG, ARCH:/path/to/checkpoint.pt or an open_clip folder.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report instead of a summary.")
@pass_ctx
def index(ctx: Ctx, paths, no_speech, no_visual, disable, speech_model, language, clip_model, as_json):
    """Index footage: PATHS are files or folders (walked recursively)."""
    from ..plugins.pipeline import index_paths
    from .progress import RichProgress

    options = {"speech": not no_speech, "visual": not no_visual, "disable": set(disable),
               "speech_model": speech_model, "language": language,
               "clip_model": clip_model, "clip_model_setting": ctx.catalog.meta("clip_model")}
    with RichProgress(enabled=not as_json and sys.stderr.isatty()) as progress:
        report = index_paths(ctx.catalog, paths, options, progress)  # built-in and plugin analyzers
    if as_json:
        emit_json(report.to_json())
    else:
        counts = report.counts()
        summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no media files found"
        click.echo(f"Indexed into {ctx.catalog.path}: {summary} ({report.seconds:.1f} s)")
        for note in report.notices:
            click.echo(f"note: {note}", err=True)
        for f in report.failed:
            click.echo(f"FAILED {f.path}: {f.error}", err=True)
    sys.exit(1 if report.failed else 0)


@cli.command()
@click.option("--status", type=click.Choice(["indexed", "failed", "pending"]), default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def media(ctx: Ctx, status, as_json):
    """List catalogued media files."""
    rows = [media_json(r) for r in ctx.catalog.media_list(status=status)]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        dur = f"{r['duration']:.2f}s" if r["duration"] else "-"
        extra = f"  {r['error']}" if r["error"] else ""
        click.echo(f"{r['status']:8} {dur:>10} {r['rate'] or '-':>10} {r['start_timecode'] or '':>12} "
                   f"{r['reel'] or '':>10}  {r['path']}{extra}")


@cli.command()
@click.argument("media_path")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def shots(ctx: Ctx, media_path, as_json):
    """List the shots of one media file (media time in seconds, end exclusive)."""
    row = ctx.catalog.find_media(media_path)
    rate = media_rate(row)
    if not rate:
        raise click.ClickException(f"{row['path']}: has no video, so no shots")
    out = []
    for s in ctx.catalog.shots(row["id"]):
        out.append({"index": s["idx"], "start_frame": s["start_frame"], "end_frame": s["end_frame"],
                    "start": float(s["start_frame"] / rate), "end": float(s["end_frame"] / rate),
                    "transition": s["transition"],
                    "thumbnail": str(ctx.catalog.dir / s["thumbnail"]) if s["thumbnail"] else None})
    if as_json:
        emit_json(out)
        return
    for s in out:
        click.echo(f"{s['index']:4d}  {s['start_frame']:7d}-{s['end_frame']:<7d} {s['start']:9.3f}s-{s['end']:.3f}s  {s['transition']}")
