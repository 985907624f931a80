"""``framesense search``: every search (built-in and plugin) from one set of options, shared with
``framesense export`` so that whatever can be searched can be exported."""

from __future__ import annotations

import functools

import click

from .context import Ctx, emit_json, pass_ctx

def _finite(ctx, param, value):
    if value != value:   # NaN passes every range check
        raise click.BadParameter("must be a number of seconds, not NaN", param=param)
    return value


_SEARCH_OPTIONS = [
    click.option("--phrase", help="Words as spoken (exact phrase; 'news*' for a prefix)."),
    click.option("--text", multiple=True, help="A description of the picture; '-term' weighs against (repeatable)."),
    click.option("--image", multiple=True, type=click.Path(), help="An example image file (repeatable)."),
    click.option("--like", help="A catalogued frame as the example: MEDIA_PATH@SECONDS."),
    click.option("--same-as", "same_as", help="Find reuses of this shot: MEDIA_PATH@SECONDS or an image file."),
    click.option("--face", help="Shots with this face: an image file or MEDIA_PATH@SECONDS (largest face in it)."),
    click.option("--face-index", "face_index", type=click.IntRange(0), help="Which face in --face, largest first."),
    click.option("--person", help="Shots where this person (a name or #id from 'people list') is on screen."),
    click.option("--ocr", help="On-screen text (needs the OCR plugin)."),
    click.option("--color", help="A dominant colour: '#ff8800' or a name like 'orange' (needs the palette plugin)."),
    click.option("--where", "where", multiple=True, metavar="KEY=VALUE",
                 help="A plugin search's own option, e.g. --where scale=close-up (repeatable)."),
    click.option("--min-score", "min_score", default=0.0, show_default=True, type=click.FloatRange(0, 1),
                 help="Drop hits scoring below this. Phrase scores: exact 0.75-1, other written form 0.55-0.75, "
                      "all words any order 0.35-0.55, misspelt 0.1-0.35, placed by the speech model's confidence."),
    click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000)),
    click.option("--media", "media_filter", multiple=True, help="Only media whose path contains this or ends with it as a glob, e.g. 'interview_0?.mov' (repeatable)."),
    click.option("--language", default=None, metavar="CODE",
                 help="Only words spoken in this language (e.g. es, fr), as 'framesense media' shows it (--phrase)."),
    click.option("--pad-before", default=0.0, show_default=True, type=click.FloatRange(0, 3600), callback=_finite,
                 help="Seconds added before each hit (any kind of search), as whole frames."),
    click.option("--pad-after", default=0.0, show_default=True, type=click.FloatRange(0, 3600), callback=_finite,
                 help="Seconds added after each hit."),
]


def search_options(fn):
    """The search options, and the ``SearchQuery`` and pads they make, passed as ``query`` and ``pads``."""
    @functools.wraps(fn)
    def wrapper(*args, phrase, text, image, like, same_as, face, face_index, person, ocr, color, where, limit, min_score, media_filter,
                language, pad_before, pad_after, **kw):
        from ..api import SearchQuery
        query = SearchQuery(phrase=phrase, text=list(text), image=list(image), like=like, same_as=same_as, ocr=ocr,
                            limit=limit, min_score=min_score, media=list(media_filter), language=language)
        for item in where:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise click.BadParameter(f"{item!r}: expected KEY=VALUE", param_hint="--where")
            query.extra[key.strip()] = value.strip()
        if color:
            query.extra["color"] = color
        for key, value in (("face", face), ("face_index", face_index), ("person", person)):
            if value is not None:
                query.extra[key] = value
        return fn(*args, query=query, pads=(pad_before, pad_after), **kw)
    for option in reversed(_SEARCH_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def search_notes(lib) -> None:
    """Plugin search providers that failed (and were switched off): one line each on stderr, so a
    short result is never silently short; --debug adds the plugin's traceback."""
    debug = click.get_current_context().find_root().params.get("debug")
    for w in lib.search_warnings():
        first, *rest = w.splitlines() or [""]
        click.echo(f"note: {w if debug else first}" + (" (run with --debug for the traceback)" if rest and not debug else ""),
                   err=True)


@click.command()
@search_options
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def search(ctx: Ctx, query, pads, as_json):
    """Search the catalog; hits are exact frame ranges (seconds shown), padded by --pad-before/--pad-after."""
    lib = ctx.library
    hits = lib.search(query)
    rows = []
    for h in hits:
        row = h.to_json()
        if any(pads):
            a, b = lib.padded(h, *pads)
            row.update(start_frame=a, end_frame=b, start=float(a / h.rate), end=float(b / h.rate),
                       matched=[h.start_frame, h.end_frame])
        rows.append(row)
    search_notes(lib)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("no hits", err=True)
    for r in rows:
        words = f"  \"{r['text']}\"" if r["text"] else ""
        if (r.get("extra") or {}).get("person"):
            words += f"  [{r['extra']['person']}]"
        click.echo(f"{r['score']:6.3f}  {r['start']:9.3f}-{r['end']:<9.3f} {r['media_path']}{words}")


COMMANDS = [search]
