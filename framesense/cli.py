"""The command line: every core feature without the GUI, each with --json for scripts.

Commands live in ``framesense/commands/``, one module per group; each calls
``framesense.Library`` and nothing below it.
"""

from __future__ import annotations

import sys

import click

from . import __version__
from .commands import app, core, demo, doctor, export, models, plugins, search, speech
from .commands.context import Ctx
from .errors import FrameSenseError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="framesense")
@click.option("--library", type=click.Path(), envvar="FRAMESENSE_LIBRARY",
              help="Library folder (holds catalog.sqlite). Default: $FRAMESENSE_LIBRARY, else the user data dir.")
@click.pass_context
def cli(ctx, library):
    """FrameSense: search local footage by what is said and shown, export the hits to your NLE."""
    ctx.obj = Ctx(library)
    ctx.call_on_close(ctx.obj.close)


for _module in (core, search, export, speech, models, plugins, doctor, demo, app):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main(argv=None):
    try:
        cli.main(args=argv, prog_name="framesense", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (FrameSenseError, LookupError, FileNotFoundError, OSError, ValueError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except SystemExit:
        raise
    except BaseException as exc:  # pragma: no cover - keep Ctrl-C quiet
        if isinstance(exc, KeyboardInterrupt):
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        raise
