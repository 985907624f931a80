"""``framesense models`` (list, path, download) and ``framesense transcript`` (show as subtitles, import)."""

from __future__ import annotations

from pathlib import Path

import click

from ..cli import Ctx, cli, emit_json, pass_ctx


@cli.group()
def models():
    """Models FrameSense uses (speech; other kinds register here too)."""


@models.command("list")
@click.option("--kind", default=None, help="Only this kind of model (e.g. speech).")
@click.option("--json", "as_json", is_flag=True)
def models_list(kind, as_json):
    """List known models, where they live, and whether they are on this machine."""
    from ..models import kinds, list_models
    entries = list_models(kind)
    if as_json:
        emit_json([e.to_json() for e in entries])
        return
    defaults = {k.name: k.default for k in kinds().values()}
    for e in entries:
        mark = "*" if defaults.get(e.kind) == e.name else " "
        state = e.path if e.available else f"(not here) {e.note}"
        click.echo(f"{mark} {e.kind:8} {e.name:20} {state}")


@models.command("path")
@click.argument("name")
@click.option("--kind", default="speech", show_default=True)
def models_path(name, kind):
    """Print the local folder of a model (joining or checking packaged files on first use)."""
    from ..models import get_kind
    click.echo(str(get_kind(kind).resolve(name)))


@models.command("download")
@click.argument("name")
@click.option("--kind", default="speech", show_default=True)
def models_download(name, kind):
    """Fetch a model into the model cache (needs the network)."""
    from ..errors import ModelUnavailable
    from ..models import get_kind
    k = get_kind(kind)
    if not k.download:
        raise ModelUnavailable(f"models of kind '{kind}' cannot be downloaded by FrameSense")
    click.echo(str(k.download(name)))


class _DefaultGroup(click.Group):
    """``transcript MEDIA`` shows; ``transcript import FILE`` imports: unknown first words mean 'show'."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["show", *args]
        return super().parse_args(ctx, args)


@cli.group(cls=_DefaultGroup)
def transcript():
    """Transcripts: 'transcript MEDIA --format srt|vtt|json', 'transcript import FILE --media MEDIA'."""


@transcript.command("show")
@click.argument("media_path")
@click.option("--format", "fmt", type=click.Choice(["srt", "vtt", "json"]), default="srt", show_default=True)
@click.option("--stream", type=int, default=None, help="Only the transcript of this audio stream index.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="Write to a file.")
@pass_ctx
def transcript_show(ctx: Ctx, media_path, fmt, stream, output):
    """Print a media file's transcript as SRT, WebVTT or JSON (with word times)."""
    from ..transcript.formats import render
    from ..transcript.model import Transcript
    from ..transcript.store import load_transcripts
    row = ctx.catalog.find_media(media_path)
    ts = load_transcripts(ctx.catalog, row["id"])
    if stream is not None:
        ts = [t for t in ts if t.stream == stream]
    if not ts:
        raise LookupError(f"{row['path']}: has no transcript (index it with speech on, or "
                          f"'framesense transcript import FILE --media {row['path']}')")
    if len(ts) == 1:
        merged = ts[0]
    else:
        segs = sorted((s for t in ts for s in t.segments), key=lambda s: s.start)
        merged = Transcript(segs, ts[0].language, ts[0].source, ts[0].origin, ts[0].stream)
    text = render(merged, fmt)
    if output:
        Path(output).write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
    else:
        click.echo(text)


@transcript.command("import")
@click.argument("file", type=click.Path())
@click.option("--media", "media_path", required=True, help="The catalogued media this transcript belongs to.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def transcript_import(ctx: Ctx, file, media_path, as_json):
    """Import an SRT, WebVTT or Whisper/WhisperX JSON transcript instead of transcribing."""
    from ..transcript.formats import read_transcript
    from ..transcript.store import store_transcripts
    row = ctx.catalog.find_media(media_path)
    t = read_transcript(file, source="import")
    with ctx.catalog.transaction():
        counts = store_transcripts(ctx.catalog, row["id"], [t])
    if as_json:
        emit_json({"media": row["path"], "file": t.origin, **counts})
    else:
        click.echo(f"imported {counts['segments']} segments, {counts['words']} words into {row['path']}")
