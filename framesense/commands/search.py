"""``framesense search``: every search (built-in and plugin) from one set of options, shared with
``framesense export`` so that whatever can be searched can be exported. The flags of the searches
are generated from their declarations (``SearchSpec.options``), as the app's search modes are."""

from __future__ import annotations

import functools

import click

from .context import Ctx, emit_json, pass_ctx

def _finite(ctx, param, value):
    if value != value:   # NaN passes every range check
        raise click.BadParameter("must be a number of seconds, not NaN", param=param)
    return value


PREFIX = "search_option__"   # the parameter names of the generated flags: they never meet a command's own


class SearchCommand(click.Command):
    """A command whose search flags are generated from the registry's searches (``SearchSpec.options``,
    built-in and plugin alike), when it is first parsed or its help shown; its own static options follow.
    A plugin option whose flag a command already has stays reachable with ``--where NAME=VALUE``."""

    def get_params(self, ctx):
        params = super().get_params(ctx)
        generated = ctx.meta.get(PREFIX)
        if generated is None:
            from ..api import search_specs
            taken = {flag for p in params for flag in (*p.opts, *p.secondary_opts)}
            generated = ctx.meta[PREFIX] = [_flag(spec, opt) for spec in search_specs() for opt in spec.options
                                            if opt.flag not in taken]
        return generated + params


def _flag(spec, opt) -> click.Option:
    text = opt.help or f"An option of the '{spec.name}' search."
    if opt.default is not None and not opt.is_flag:
        text += f"  [default: {opt.default}]"
    return click.Option([opt.flag, PREFIX + opt.name], is_flag=opt.is_flag, multiple=opt.multiple,
                        metavar=opt.type_name() or None, help=text,
                        default=False if opt.is_flag else None)


_SEARCH_OPTIONS = [
    click.option("--where", "where", multiple=True, metavar="KEY=VALUE",
                 help="Any search's option by its name, e.g. --where face_index=1 (repeatable)."),
    click.option("--min-score", "min_score", default=0.0, show_default=True, type=click.FloatRange(0, 1),
                 help="Drop hits scoring below this. Phrase scores: exact 0.75-1, other written form 0.55-0.75, "
                      "all words any order 0.35-0.55, misspelt 0.1-0.35, placed by the speech model's confidence."),
    click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000)),
    click.option("--media", "media_filter", multiple=True, help="Only media whose path contains this or ends with it as a glob, e.g. 'interview_0?.mov' (repeatable)."),
    click.option("--pad-before", default=0.0, show_default=True, type=click.FloatRange(0, 3600), callback=_finite,
                 help="Seconds added before each hit (any kind of search), as whole frames."),
    click.option("--pad-after", default=0.0, show_default=True, type=click.FloatRange(0, 3600), callback=_finite,
                 help="Seconds added after each hit."),
]


def search_command(name=None, **attrs):
    """``click.command`` for a command that takes a search: the generated search flags and the
    service's own (--where, --min-score, --limit, --media, pads) become the ``SearchQuery`` and pads
    passed as ``query`` and ``pads``; the values are checked by ``Library.search``, as the API's are."""
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, where, limit, min_score, media_filter, pad_before, pad_after, **kw):
            from ..api import SearchQuery
            query = SearchQuery(limit=limit, min_score=min_score, media=list(media_filter))
            for item in where:
                key, sep, value = item.partition("=")
                if not sep or not key.strip():
                    raise click.BadParameter(f"{item!r}: expected KEY=VALUE", param_hint="--where")
                query.set(key.strip(), value.strip())
            for key in [k for k in kw if k.startswith(PREFIX)]:
                value = kw.pop(key)
                if value not in (None, False, ()):
                    query.set(key.removeprefix(PREFIX), list(value) if isinstance(value, tuple) else value)
            return fn(*args, query=query, pads=(pad_before, pad_after), **kw)
        for option in reversed(_SEARCH_OPTIONS):
            wrapper = option(wrapper)
        return click.command(name, cls=SearchCommand, **attrs)(wrapper)
    return decorate


def search_notes(lib) -> None:
    """Plugin search providers that failed (and were switched off): one line each on stderr, so a
    short result is never silently short; --debug adds the plugin's traceback."""
    debug = click.get_current_context().find_root().params.get("debug")
    for w in lib.search_warnings():
        first, *rest = w.splitlines() or [""]
        click.echo(f"note: {w if debug else first}" + (" (run with --debug for the traceback)" if rest and not debug else ""),
                   err=True)


@search_command()
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
