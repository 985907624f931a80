"""``framesense plugins``: what is installed, what loaded, and where user plugins go."""

from __future__ import annotations

import click

from .context import Ctx, emit_json, pass_ctx


@click.group()
def plugins():
    """Plugins: list them with their status, or show the user plugin folder."""


@plugins.command("list")
@click.option("--disable", multiple=True, metavar="NAME", help="Treat this plugin as disabled (repeatable).")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def list_plugins(ctx: Ctx, disable, as_json):
    """Each plugin: status (with the reason), version, source, and the stages, searches and exporters it provides."""
    from ..api import IndexOptions

    lib = ctx.library
    rows = lib.plugin_list(IndexOptions(disable=disable))
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        why = f"  ({r['reason']})" if r["reason"] else ""
        click.echo(f"{r['name']:16} {r['version']:8} {r['status']:9} {r['source']}{why}")
        for kind in ("stages", "searches", "exporters"):
            if r["provides"].get(kind):
                click.echo(f"{'':18}{kind}: {', '.join(r['provides'][kind])}")
        if r["owns_tables"]:
            click.echo(f"{'':18}tables: {', '.join(r['owns_tables'])}")
    for w in lib.plugins.warnings:
        click.echo(f"note: {w}", err=True)


@plugins.command("path")
def plugin_path():
    """Print the user plugin folder ($FRAMESENSE_PLUGINS overrides it); .py files and packages there load."""
    from ..config import user_plugin_dir

    click.echo(str(user_plugin_dir()))


COMMANDS = [plugins]
