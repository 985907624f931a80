"""``framesense assemble``: a paper edit (the lines an editor wants said) to a timeline."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..api import PICTURE_SOURCES as SOURCES

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
@click.option("--suggest-pictures", is_flag=True,
              help="Lay a suggested shot on V2 over each take (pictures matching the words, the person "
                   "speaking, on-screen text); the other suggestions are kept as alternates.")
@click.option("--picture-sources", default=",".join(SOURCES), show_default=True,
              help="Which suggestions to look for, comma-separated.")
@click.option("--json", "as_json", is_flag=True, help="Print the line-by-line report as JSON.")
@pass_ctx
def assemble(ctx: Ctx, script, output, pad_before, pad_after, per_media, rate, name, suggest_pictures,
             picture_sources, as_json):
    """SCRIPT (one line per wanted utterance, or a CSV with a 'line' and optional 'media' and 'person' columns) to a
    sequence of the takes that say them, in order; lines never said are marked and reported."""
    from ..api import SequenceOptions

    lib = ctx.library
    options = SequenceOptions(name=name or Path(script).stem, rate=rate, pad_before=pad_before, pad_after=pad_after)
    seq, report = lib.assemble(script, options, per_media=per_media)
    pictures = lib.suggest_pictures(seq, sources=_sources(picture_sources)) if suggest_pictures else None
    files = _write(lib, seq, output)
    missing = [r for r in report if r.status == "missing"]
    if as_json:
        data = {"files": [str(f) for f in files], "clips": len(seq.clips), "lines": [r.to_json() for r in report]}
        if pictures is not None:
            data["pictures"] = [c.to_json() for c in pictures]
        emit_json(data)
    else:
        takes = iter(pictures or [])
        for r in report:
            where = f"{Path(r.media_path).name} {r.start:.2f}-{r.end:.2f}s" if r.media_path else "-"
            click.echo(f"{r.line:4d} {r.status:8} {where:32} {r.text}")
            if r.near_miss:
                click.echo(f"{'':14}nearest: \"{r.near_miss['said']}\" in {Path(r.near_miss['media_path']).name}")
            if pictures is not None and r.media_path:
                _echo_pictures(next(takes))
        for f in files:
            click.echo(str(f))
    sys.exit(1 if missing else 0)


@click.command()
@click.argument("sequence", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(),
              help="The sequence with its V2 track: .otio (keeps the alternates), or any export format.")
@click.option("--picture-sources", default=",".join(SOURCES), show_default=True,
              help="Which suggestions to look for, comma-separated.")
@click.option("--alternates", default=4, show_default=True, type=click.IntRange(0, 50),
              help="Other suggestions kept on each V2 clip.")
@click.option("--json", "as_json", is_flag=True, help="Print the suggestions per cut as JSON.")
@pass_ctx
def suggest(ctx: Ctx, sequence, output, picture_sources, alternates, as_json):
    """Lay a suggested picture on V2 over each cut of a saved SEQUENCE (.otio): shots matching the words
    said, shots of the person speaking, shots with the words on screen."""
    lib = ctx.library
    seq = lib.load_sequence(sequence)
    found = lib.suggest_pictures(seq, sources=_sources(picture_sources), alternates=alternates)
    files = _write(lib, seq, output)
    if as_json:
        emit_json({"files": [str(f) for f in files], "cuts": [c.to_json() for c in found]})
        return
    for c in found:
        click.echo(f"{c.index + 1:4d} {c.words[:60]}")
        _echo_pictures(c)
    for f in files:
        click.echo(str(f))


def _sources(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


def _write(lib, seq, output):
    if Path(output).suffix.lower() == ".otio":
        return [lib.save_sequence(seq, output)]
    return lib.export(seq, output)


def _echo_pictures(cut) -> None:
    if cut.suggestions:
        top = cut.suggestions[0].hit
        click.echo(f"{'':14}V2: {Path(top.media_path).name} {top.start:.2f}-{top.end:.2f}s "
                   f"({', '.join(cut.suggestions[0].reasons)}; {len(cut.suggestions) - 1} alternates)")
    else:
        why = "; ".join(f"{k}: {v}" for k, v in cut.unavailable.items()) or "nothing matched"
        click.echo(f"{'':14}V2: none ({why})")


COMMANDS = [assemble, suggest]
