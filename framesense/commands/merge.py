"""``framesense merge OTHER``: bring another library's finished analysis into this one."""

from __future__ import annotations

import click

from .context import Ctx, emit_json, pass_ctx


@click.command()
@click.argument("other", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report.")
@pass_ctx
def merge(ctx: Ctx, other, as_json):
    """Merge the library at OTHER (another machine's index, a worker's partial results) into this one.

    Files match by path and content; each finished stage is copied once, so merging again changes nothing.
    People come with their faces: joined to people here by name, else by face, else added. All or nothing."""
    lib = ctx.library
    try:
        report = lib.merge(other)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        emit_json(report.to_json())
        return
    click.echo(f"Merged {other} into {lib.catalog_path}: {report.media_added} files added, "
               f"{report.stages_copied} stages copied, {report.stages_kept} already here, "
               f"{report.people_added} people added, {len(report.people_joined)} joined to people here")
    for j in report.people_joined:
        click.echo(f"joined: {j}")
    for c in report.conflicts:
        click.echo(f"conflict: {c}", err=True)
    for s in report.skipped:
        click.echo(f"skipped: {s}", err=True)


COMMANDS = [merge]
