"""``framesense transcript``: show a transcript as subtitles, or import one."""

from __future__ import annotations

from pathlib import Path

import click

from .context import Ctx, emit_json, pass_ctx


class _DefaultGroup(click.Group):
    """``transcript MEDIA`` shows; ``transcript import FILE`` imports: unknown first words mean 'show'."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["show", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultGroup)
def transcript():
    """Transcripts: 'transcript MEDIA --format srt|vtt|json', 'transcript import FILE --media MEDIA',
    'transcript language MEDIA CODE'."""


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
    row = ctx.library.find_media(media_path)
    ts = ctx.library.transcripts(row)
    if stream is not None:
        ts = [t for t in ts if t.stream == stream]
    if not ts:
        if stream is not None:
            raise LookupError(f"{row['path']}: has no transcript for audio stream {stream}")
        raise LookupError(ctx.library.why_no_transcript(row))
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
    row = ctx.library.find_media(media_path)
    t, counts = ctx.library.import_transcript(row, file)
    if as_json:
        emit_json({"media": row["path"], "file": t.origin, **counts})
    else:
        click.echo(f"imported {counts['segments']} segments, {counts['words']} words into {row['path']}")


@transcript.command("language")
@click.argument("media_path")
@click.argument("language")
@pass_ctx
def transcript_language(ctx: Ctx, media_path, language):
    """Say which language MEDIA's transcript is in (e.g. es): its words are searched by that language's
    rules from now on. Words Whisper heard in the wrong language need 'index --language CODE' instead."""
    row = ctx.library.find_media(media_path)
    n = ctx.library.set_language(row, language)
    if not n:
        raise LookupError(ctx.library.why_no_transcript(row))
    click.echo(f"{row['path']}: {n} transcript(s) now in {language}")


COMMANDS = [transcript]
