"""``framesense export``, ``framesense render`` and ``framesense sequence``: hits and sequences to NLEs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..cli import Ctx, cli, emit_json, pass_ctx

FORMAT_CHOICES = ["otio", "otioz", "fcp7", "fcpxml", "edl"]


def _load_or_search(ctx, sequence_file, phrase, text, image, limit, media_filter, pad_before, pad_after, rate, name):
    from ..errors import QueryError
    from ..timecode import parse_rate
    from ..timeline.otio_io import load
    from ..timeline.model import sequence_from_hits

    if sequence_file:
        if phrase or text or image:
            raise QueryError("give either --sequence or a search (--phrase/--text/--image), not both")
        seq = load(sequence_file)
        if rate:
            seq.rate = parse_rate(rate)
            seq.drop_frame = seq.drop_frame and seq.rate.denominator == 1001
            seq.start_frame = seq.timecode.to_frames("01:00:00:00")
        return seq
    from ..search.engine import run
    from ..search.query import SearchQuery

    q = SearchQuery(phrase=phrase, text=list(text), image=list(image), limit=limit, media=list(media_filter),
                    pad_before=pad_before, pad_after=pad_after)
    try:
        hits = run(ctx.catalog, q)
    except ModuleNotFoundError as exc:  # a search provider not installed in this build
        raise QueryError(f"this search is not available: {exc.name} is missing") from None
    if not hits:
        raise QueryError("the search found no hits: nothing to export")
    # Padding is applied once, by the search; clips take the hits' ranges as given.
    return sequence_from_hits(ctx.catalog, hits, name=name or (phrase or " ".join(text) or "FrameSense hits"),
                              rate=parse_rate(rate) if rate else None)


@cli.command("export")
@click.option("--sequence", "sequence_file", type=click.Path(), help="Export a saved sequence (.otio).")
@click.option("--phrase", help="Search spoken words and export the hits.")
@click.option("--text", multiple=True, help="Search picture descriptions (repeatable).")
@click.option("--image", multiple=True, type=click.Path(), help="Search by example image (repeatable).")
@click.option("--limit", default=50, show_default=True, type=int)
@click.option("--media", "media_filter", multiple=True, help="Only media whose path contains this.")
@click.option("--pad-before", default=0.0, show_default=True, type=float, help="Seconds added before each hit.")
@click.option("--pad-after", default=0.0, show_default=True, type=float, help="Seconds added after each hit.")
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default=None,
              help="Output format (default: from the -o extension).")
@click.option("-o", "--output", required=True, type=click.Path(), help="File to write.")
@click.option("--rate", default=None, help="Sequence rate, e.g. 24000/1001 or 25 (default: the most common media rate).")
@click.option("--name", default=None, help="Sequence name.")
@click.option("--no-edl-comments", is_flag=True, help="EDL without comment lines (reel legend, clip names), for Premiere.")
@click.option("--allow-missing", is_flag=True, help="Export even if media files are missing (they import offline).")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def export_cmd(ctx: Ctx, sequence_file, phrase, text, image, limit, media_filter, pad_before, pad_after, fmt, output,
               rate, name, no_edl_comments, allow_missing, as_json):
    """Turn a search (or a saved sequence) into an NLE timeline: OTIO, FCP7 XML, FCPXML or CMX3600 EDL."""
    from ..errors import QueryError
    from ..timecode import rate_str
    from ..timeline.exporters import export, format_for_path

    fmt = fmt or format_for_path(output)
    from ..plugins import get_plugins
    plugin_exporter = None if fmt else get_plugins().exporter_for(output)  # e.g. a plugin's .csv cut list
    if fmt is None and plugin_exporter is None:
        raise QueryError(f"cannot tell the format from {output!r}: give --format ({', '.join(FORMAT_CHOICES)})")
    seq = _load_or_search(ctx, sequence_file, phrase, text, image, limit, media_filter, pad_before, pad_after,
                          rate, name)
    if name:
        seq.name = name
    if plugin_exporter is not None:
        fmt, paths = plugin_exporter.name, list(plugin_exporter.export(seq, Path(output)))
    else:
        paths = export(seq, output, fmt, allow_missing=allow_missing, comments=not no_edl_comments,
                       catalog=ctx.catalog if fmt == "otio" else None)
    if as_json:
        emit_json({"format": fmt, "files": [str(p) for p in paths], "clips": len(seq.clips),
                   "rate": rate_str(seq.rate), "duration_frames": seq.duration})
        return
    for p in paths:
        click.echo(str(p))
    click.echo(f"{len(seq.clips)} clips, {seq.duration} frames at {float(seq.rate):.3f} fps", err=True)


@cli.command("render")
@click.argument("sequence_file", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(), help="The preview file (.mp4).")
@click.option("--width", type=int, default=None, help="Picture width (default: the first clip's).")
@click.option("--height", type=int, default=None, help="Picture height (default: keeps the aspect).")
@click.option("--burn-in", is_flag=True, help="Draw the matched words (marker text) on the picture.")
@pass_ctx
def render_cmd(ctx: Ctx, sequence_file, output, width, height, burn_in):
    """Render a sequence as one H.264/AAC preview at the sequence rate."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ..timeline.otio_io import load
    from ..timeline.render import render

    seq = load(sequence_file)
    with Progress(TextColumn("[bold]Rendering"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[clip]}"),
                  TimeRemainingColumn(), disable=not sys.stderr.isatty(), transient=False) as bar:
        task = bar.add_task("render", total=seq.duration, clip="")
        path = render(seq, output, width=width, height=height, burn_in_text=burn_in,
                      progress=lambda done, total, clip: bar.update(task, completed=done, clip=clip))
    click.echo(str(path))


@cli.group()
def sequence():
    """Saved sequences."""


@sequence.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def sequence_list(ctx: Ctx, as_json):
    """List the sequences saved as .otio (newest first); missing files are marked."""
    rows = ctx.catalog.query("SELECT * FROM sequences ORDER BY saved_at DESC, id DESC")
    for r in rows:
        r["exists"] = Path(r["path"]).is_file()
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("no saved sequences", err=True)
    for r in rows:
        flag = "" if r["exists"] else "  (missing)"
        click.echo(f"{r['saved_at'][:19]}  {r['clips']:5d} clips  {r['rate']:>10}  {r['name']}  {r['path']}{flag}")
