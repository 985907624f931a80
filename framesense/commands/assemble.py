"""``framesense assemble``: a paper edit (the lines an editor wants said) to a timeline."""

from __future__ import annotations

import sys

import click

from .context import Ctx, emit_json, pass_ctx
from .export import _rate


@click.command()
@click.argument("script", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(),
              help="The sequence: .otio (keeps the alternates), or any export format by its suffix.")
@click.option("--pad-before", default=0.0, show_default=True, type=click.FloatRange(0, 3600))
@click.option("--pad-after", default=0.0, show_default=True, type=click.FloatRange(0, 3600))
@click.option("--per-media", type=click.IntRange(1, 100_000), default=None, help="At most N takes from one file.")
@click.option("--rate", default=None, callback=lambda ctx, param, v: _rate(v, param), help="Sequence rate.")
@click.option("--name", default=None, help="Sequence name (default: the script's file name).")
@click.option("--json", "as_json", is_flag=True, help="Print the line-by-line report as JSON.")
@pass_ctx
def assemble(ctx: Ctx, script, output, pad_before, pad_after, per_media, rate, name, as_json):
    """SCRIPT (one line per wanted utterance, or a CSV with a 'line' and optional 'media' column) to a
    sequence of the takes that say them, in order; lines never said are marked and reported."""
    from pathlib import Path

    from ..api import SequenceOptions

    lib = ctx.library
    options = SequenceOptions(name=name or Path(script).stem, rate=rate, pad_before=pad_before, pad_after=pad_after)
    seq, report = lib.assemble(script, options, per_media=per_media)
    if Path(output).suffix.lower() == ".otio":
        files = [lib.save_sequence(seq, output)]
    else:
        files = lib.export(seq, output)
    missing = [r for r in report if r.status == "missing"]
    if as_json:
        emit_json({"files": [str(f) for f in files], "clips": len(seq.clips), "lines": [r.to_json() for r in report]})
    else:
        for r in report:
            where = f"{Path(r.media_path).name} {r.start:.2f}-{r.end:.2f}s" if r.media_path else "-"
            click.echo(f"{r.line:4d} {r.status:8} {where:32} {r.text}")
            if r.near_miss:
                click.echo(f"{'':14}nearest: \"{r.near_miss['said']}\" in {Path(r.near_miss['media_path']).name}")
        for f in files:
            click.echo(str(f))
    sys.exit(1 if missing else 0)


COMMANDS = [assemble]
