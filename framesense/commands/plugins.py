"""``framesense plugins``: what is installed, what loaded, and where user plugins go."""

from __future__ import annotations

import click

from ..cli import cli, emit_json


@cli.group()
def plugins():
    """Plugins: list them with their status, or show the user plugin folder."""


@plugins.command("list")
@click.option("--disable", multiple=True, metavar="NAME", help="Treat this plugin as disabled (repeatable).")
@click.option("--json", "as_json", is_flag=True)
def list_plugins(disable, as_json):
    """Each plugin: loaded / disabled / failed (with the reason), version, source, tables it owns."""
    from ..plugins import Plugins

    pl = Plugins(disable).load()
    pl.analyzers({})  # fills in owned tables and catches plugins whose hook raises
    rows = [r.to_json() for r in pl.records.values()]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        why = f"  ({r['reason']})" if r["reason"] else ""
        owns = f"  tables: {', '.join(r['owns_tables'])}" if r["owns_tables"] else ""
        click.echo(f"{r['name']:16} {r['version']:8} {r['status']:9} {r['source']}{owns}{why}")
    for w in pl.warnings:
        click.echo(f"note: {w}", err=True)


@plugins.command("path")
def plugin_path():
    """Print the user plugin folder ($FRAMESENSE_PLUGINS overrides it); .py files and packages there load."""
    from ..config import user_plugin_dir

    click.echo(str(user_plugin_dir()))
