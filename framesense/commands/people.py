"""``framesense people``: the people faces were clustered into; name, merge, split, remove a face."""

from __future__ import annotations

import click

from .context import Ctx, emit_json, emit_rows, pass_ctx


@click.group()
def people():
    """People found by the faces stage (search them with 'search --person NAME')."""


def _line(p: dict) -> str:
    return (f"#{p['id']:<5} {p['name'] or '(unnamed)':<24} {p['faces']:>5} faces  {p['shots']:>4} shots  "
            f"{p['files']:>3} files  face ids {' '.join(map(str, p['face_ids']))}")


@people.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def list_(ctx: Ctx, as_json):
    """Everyone with at least one face, most faces first."""
    emit_rows(ctx.library.people(), as_json,
              "no people (index footage with faces; 'framesense doctor' says whether face search is on)", _line)


@people.command("faces")
@click.argument("person")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def faces(ctx: Ctx, person, as_json):
    """A person's faces (ids for split and remove-face), by name or #id."""
    rows = ctx.library.person_faces(person)
    if as_json:
        emit_json(rows)
        return
    for f in rows:
        click.echo(f"face {f['id']:<6} shot {f['shot_idx']:<4} frame {f['frame']:<7} "
                   f"box {f['x']:.3f},{f['y']:.3f} {f['w']:.3f}x{f['h']:.3f}  {f['media_path']}")


@people.command("name")
@click.argument("person")
@click.argument("name")
@pass_ctx
def name(ctx: Ctx, person, name):
    """Give PERSON (a name or #id) the NAME; it stays through re-indexing."""
    p = ctx.library.name_person(person, name)
    click.echo(f"#{p['id']} is now {p['name']}")


@people.command("merge")
@click.argument("people_", nargs=-1, required=True, metavar="INTO OTHER...")
@pass_ctx
def merge(ctx: Ctx, people_):
    """The OTHER people become INTO (one person found under several)."""
    p = ctx.library.merge_people(*people_)
    click.echo(f"merged into #{p['id']} {p['name'] or '(unnamed)'}")


@people.command("split")
@click.argument("face_ids", nargs=-1, required=True, type=int)
@click.option("--name", default=None, help="Name the new person.")
@pass_ctx
def split(ctx: Ctx, face_ids, name):
    """These faces (ids from 'people faces') become a new person."""
    p = ctx.library.split_person(face_ids, name)
    click.echo(f"new person #{p['id']} {p['name'] or '(unnamed)'} with {len(face_ids)} face(s)")


@people.command("remove-face")
@click.argument("face_id", type=int)
@pass_ctx
def remove_face(ctx: Ctx, face_id):
    """The face leaves its person (a wrong match) and is not clustered again."""
    ctx.library.remove_face(face_id)
    click.echo(f"face {face_id} removed from its person")


COMMANDS = [people]
