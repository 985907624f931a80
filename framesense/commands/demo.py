"""``framesense demo``: the main job on bundled, generated footage, start to finish."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .context import Ctx, pass_ctx

SENTENCES = [
    (1.0, "welcome to the harbour at dawn"),
    (6.0, "the fishing boats are coming home"),
]


@click.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("framesense-demo"), show_default=True,
              help="Folder for the demo footage, library and exports.")
@pass_ctx
def demo(ctx: Ctx, out: Path):
    """Generate footage with known cuts and speech, index it, search it and export the hits."""
    from ..media.synth import Shot, espeak_available, write_video

    footage = out / "footage"
    library = Path(ctx.library_dir) if ctx.library_dir else out / "library"
    speech = SENTENCES if espeak_available() else None
    clips = [
        ("Harbour Dawn.mov", "24000/1001", "01:00:00:00"),
        ("Fleet Returns.mov", "25", "10:00:00:00"),
        ("Market Day.mov", "30000/1001", "00:59:50;00"),
    ]
    click.echo(f"1. writing demo footage to {footage}")
    for k, (name, rate, tc) in enumerate(clips):
        path = footage / name
        if not path.exists():
            write_video(path, [Shot(72, 11 * k + 1), Shot(96, 11 * k + 2), Shot(120, 11 * k + 3, fade_out=12),
                               Shot(84, 11 * k + 4, fade_in=12)], rate=rate, start_timecode=tc, speech=speech,
                        audio="tone" if not speech else "silence")
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
    click.echo(f"done: library {library}")


def _search_and_export(lib, out: Path):
    hits = lib.search(phrase="fishing boats")
    click.echo(f"3. phrase search 'fishing boats': {len(hits)} hits")
    for h in hits:
        click.echo(f"   {Path(h.media_path).name} {h.start:.3f}-{h.end:.3f}s  \"{h.text}\"  ({h.context})")
    if not hits:
        return
    seq = lib.sequence_from_hits(hits, name="fishing boats supercut", pad_before=0.25, pad_after=0.25)
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
