"""``framesense demo``: the main job on bundled, generated footage, start to finish."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import click

from .. import demo as demo_footage
from ..installation import command
from .context import Ctx, pass_ctx


@click.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("framesense-demo"), show_default=True,
              help="Folder for the demo footage, library and exports.")
@pass_ctx
def demo(ctx: Ctx, out: Path):
    """Generate footage with known cuts and speech, index it, search it and export the hits."""
    footage = out / "footage"
    library = Path(ctx.library_dir) if ctx.library_dir else out / "library"
    click.echo(f"1. writing demo footage to {footage}")
    _, speech = demo_footage.write_footage(footage)
    if not speech:
        click.echo("   (espeak-ng is not installed: the footage has no speech, so phrase search finds nothing)")
    ctx.close()
    ctx.library_dir = str(library)
    lib = ctx.library
    click.echo(f"2. indexing into {library}")
    from .progress import RichProgress
    with RichProgress() as progress:
        report = lib.index([footage], progress=progress)
    click.echo(f"   {json.dumps(report.counts())}; notes: {report.notices or 'none'}")
    for f in report.failed:
        click.echo(f"   FAILED {f.path}: {f.error}")
    for row in lib.media():
        shots = lib.shots(row)
        click.echo(f"   {row['name']}: {row['rate_num']}/{row['rate_den']} fps, TC {row['start_timecode']}, "
                   f"{len(shots)} shots at frames {[s['start_frame'] for s in shots]}")
    _search_and_export(lib, out)
    demo_footage.remember(library)     # the app's welcome screen offers it ("Open the demo")
    click.echo(f"done: library {library}")
    click.echo(f"Open it in the window with:\n   {command()} --library {shlex.quote(str(Path(library).resolve()))} app")


def _search_and_export(lib, out: Path):
    hits = lib.search(phrase=demo_footage.PHRASE)
    click.echo(f"3. phrase search '{demo_footage.PHRASE}': {len(hits)} hits")
    for h in hits:
        click.echo(f"   {Path(h.media_path).name} {h.start:.3f}-{h.end:.3f}s  \"{h.text}\"  ({h.context})")
    if not hits:
        return
    seq = lib.sequence_from_hits(hits, name=f"{demo_footage.PHRASE} supercut", pad_before=0.25, pad_after=0.25)
    exports = out / "exports"
    written = [lib.save_sequence(seq, exports / "supercut.otio")]
    for name in ("supercut.xml", "supercut.fcpxml", "supercut.edl"):
        written += lib.export(seq, exports / name)
    click.echo(f"4. exported a {len(seq.clips)}-clip sequence at {seq.rate} fps:")
    for p in written:
        click.echo(f"   {p}")
    edl = exports / "supercut.edl"
    click.echo("   " + "\n   ".join(edl.read_text().splitlines()[:12]))


COMMANDS = [demo]
