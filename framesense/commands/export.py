"""``framesense export``, ``framesense render`` and ``framesense sequence``: hits and sequences to NLEs."""

from __future__ import annotations

import sys

import click

from .context import Ctx, emit_json, emit_rows, pass_ctx
from .search import search_command, search_notes


def _rate(value, param):
    """Checked before any work starts."""
    from ..timecode import sequence_rate
    if value is None:
        return None
    try:
        return sequence_rate(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param=param) from None


def supercut_options(fn):
    """Which hits become clips, in what order, how long (timeline/supercut.py); gathered as ``rules``."""
    from ..api import SUPERCUT_ORDERS as ORDERS

    defaults = {"order": None, "per_media": None, "max_duration": None, "merge_overlaps": True, "dedupe": False}

    def gather(ctx, param, value):
        rules = ctx.params.setdefault("rules", {})
        if value != defaults[param.name]:
            rules[param.name] = value
        return value
    for option in reversed([
        click.option("--order", type=click.Choice([*ORDERS, "script"]), default=None, expose_value=False,
                     callback=gather, help="Clip order: given (as found; default), score, time (where in its file), "
                                           "media (file by file)."),
        click.option("--per-media", type=click.IntRange(1, 100_000), default=None, expose_value=False,
                     callback=gather, help="At most N takes from one file (its best-scoring)."),
        click.option("--max-duration", type=click.FloatRange(0, min_open=True), default=None, expose_value=False,
                     callback=gather, help="Seconds: whole clips, in order, while the sequence stays within it."),
        click.option("--merge/--no-merge", "merge_overlaps", default=True, expose_value=False, callback=gather,
                     help="Join takes of one file whose padded ranges overlap (default), so no frame plays twice."),
        click.option("--dedupe", is_flag=True, expose_value=False, callback=gather,
                     help="Keep one take of the same footage (same-footage fingerprints): the best-scoring."),
    ]):
        fn = option(fn)
    return fn


@search_command("export")
@click.option("--sequence", "sequence_file", type=click.Path(), help="Export a saved sequence (.otio).")
@click.option("--format", "fmt", default=None,
              help="Output format: otio, otioz, fcp7, fcpxml, edl or a plugin's (default: from the -o suffix).")
@click.option("-o", "--output", required=True, type=click.Path(), help="File to write.")
@click.option("--rate", default=None, callback=lambda ctx, param, v: _rate(v, param),
              help="Sequence rate, e.g. 24000/1001 or 25 (default: the most common media rate).")
@click.option("--handles", default=None, type=click.IntRange(0, 100_000),
              help="Frames of handle each side of every clip, where the format has a place for them.")
@click.option("--name", default=None, help="Sequence name.")
@click.option("--no-edl-comments", is_flag=True, help="EDL without comment lines (reel legend, clip names), for Premiere.")
@click.option("--allow-missing", is_flag=True, help="Export even if media files are missing (they import offline).")
@supercut_options
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def export_cmd(ctx: Ctx, sequence_file, query, pads, fmt, output, rate, handles, name, no_edl_comments,
               allow_missing, rules, as_json):
    """Turn any search (or a saved sequence) into an NLE timeline: OTIO, FCP7 XML, FCPXML, CMX3600 EDL or a plugin's."""
    from ..api import ExportOptions, SequenceOptions
    from ..errors import QueryError
    from ..timecode import rate_str

    lib = ctx.library
    exporter = lib.exporter(output, fmt)   # a bad format or suffix fails before any search runs
    if sequence_file:
        if not query.is_empty() or any(pads) or rules:
            raise QueryError("give either --sequence or a search (with its pads and rules), not both")
        seq = lib.load_sequence(sequence_file)
    else:
        hits = lib.search(query)
        search_notes(lib)
        if not hits:
            raise QueryError("the search found no hits: nothing to export")
        label = query.phrase or " ".join(query.text) or query.same_as or query.like or "FrameSense hits"
        seq = lib.sequence_from_hits(hits, SequenceOptions(name=label, pad_before=pads[0], pad_after=pads[1], **rules))
    if name:
        seq.name = name
    options = ExportOptions(format=exporter.name, rate=rate, handles=handles, comments=not no_edl_comments,
                            allow_missing=allow_missing)
    paths = lib.export(seq, output, options)
    seq = options.sequence_for(seq)      # what was written, for the report
    if as_json:
        emit_json({"format": exporter.name, "files": [str(p) for p in paths], "clips": len(seq.clips),
                   "rate": rate_str(seq.rate), "drop_frame": seq.drop_frame, "duration_frames": seq.duration})
        return
    for p in paths:
        click.echo(str(p))
    click.echo(f"{len(seq.clips)} clips, {seq.duration} frames at {float(seq.rate):.3f} fps", err=True)


@click.command("render")
@click.argument("sequence_file", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(), help="The preview file (.mp4).")
@click.option("--width", type=click.IntRange(16, 16384), default=None, help="Picture width (default: the first clip's).")
@click.option("--height", type=click.IntRange(16, 16384), default=None, help="Picture height (default: keeps the aspect).")
@click.option("--burn-in", is_flag=True, help="Draw the matched words (marker text) on the picture.")
@pass_ctx
def render_cmd(ctx: Ctx, sequence_file, output, width, height, burn_in):
    """Render a sequence as one H.264/AAC preview at the sequence rate."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    lib = ctx.library
    seq = lib.load_sequence(sequence_file)
    with Progress(TextColumn("[bold]Rendering"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[clip]}"),
                  TimeRemainingColumn(), disable=not sys.stderr.isatty(), transient=False) as bar:
        task = bar.add_task("render", total=seq.duration, clip="")
        path = lib.render(seq, output, width=width, height=height, burn_in=burn_in,
                          progress=lambda done, total, clip: bar.update(task, completed=done, clip=clip))
    click.echo(str(path))


@click.group()
def sequence():
    """Saved sequences."""


@sequence.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def sequence_list(ctx: Ctx, as_json):
    """List the sequences saved as .otio (newest first); missing files are marked."""
    emit_rows(ctx.library.sequences(), as_json, "no saved sequences",
              lambda r: f"{r['saved_at'][:19]}  {r['clips']:5d} clips  {r['rate']:>10}  {r['name']}  {r['path']}"
                        + ("" if r["exists"] else "  (missing)"))


COMMANDS = [export_cmd, render_cmd, sequence]
