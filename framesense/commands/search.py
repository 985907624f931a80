"""``framesense search``: phrase, description, image and same-footage search."""

from __future__ import annotations

import click

from ..cli import Ctx, cli, emit_json, pass_ctx


@cli.command()
@click.option("--phrase", help="Words as spoken (exact phrase; 'news*' for a prefix).")
@click.option("--text", multiple=True, help="A description of the picture; '-term' weighs against (repeatable).")
@click.option("--image", multiple=True, type=click.Path(), help="An example image file (repeatable).")
@click.option("--like", help="A catalogued frame as the example: MEDIA_PATH@SECONDS.")
@click.option("--same-as", "same_as", help="Find reuses of this shot: MEDIA_PATH@SECONDS or an image file.")
@click.option("--ocr", help="On-screen text (needs the OCR plugin).")
@click.option("--color", help="A dominant colour: '#ff8800' or a name like 'orange' (needs the palette plugin).")
@click.option("--where", "where", multiple=True, metavar="KEY=VALUE",
              help="A plugin's own search option, e.g. --where scale=close-up (repeatable).")
@click.option("--limit", default=50, show_default=True, type=int)
@click.option("--media", "media_filter", multiple=True, help="Only media whose path contains this (repeatable).")
@click.option("--pad-before", default=0.0, show_default=True, type=float, help="Seconds added before each phrase hit.")
@click.option("--pad-after", default=0.0, show_default=True, type=float, help="Seconds added after each phrase hit.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def search(ctx: Ctx, phrase, text, image, like, same_as, ocr, color, where, limit, media_filter, pad_before, pad_after, as_json):
    """Search the catalog; hits are time ranges in media seconds."""
    from ..search.engine import run
    from ..search.query import SearchQuery

    q = SearchQuery(phrase=phrase, text=list(text), image=list(image), like=like, same_as=same_as, ocr=ocr,
                    limit=limit, media=list(media_filter), pad_before=pad_before, pad_after=pad_after)
    for item in where:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r}: expected KEY=VALUE", param_hint="--where")
        q.extra[key.strip()] = value.strip()
    if color:
        q.extra["color"] = color
    hits = run(ctx.catalog, q)
    if as_json:
        emit_json([h.to_json() for h in hits])
        return
    if not hits:
        click.echo("no hits", err=True)
    for h in hits:
        words = f"  \"{h.text}\"" if h.text else ""
        click.echo(f"{h.score:6.3f}  {h.start:9.3f}-{h.end:<9.3f} {h.media_path}{words}")
