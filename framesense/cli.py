"""The command line: every core feature without the GUI, each with --json for scripts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import FrameSenseError


def emit_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


class Ctx:
    def __init__(self, library):
        self.library = library
        self._catalog = None

    @property
    def catalog(self):
        if self._catalog is None:
            from .catalog import Catalog
            self._catalog = Catalog.open(self.library)
        return self._catalog


pass_ctx = click.make_pass_decorator(Ctx)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="framesense")
@click.option("--library", type=click.Path(), envvar="FRAMESENSE_LIBRARY",
              help="Library folder (holds catalog.sqlite). Default: $FRAMESENSE_LIBRARY, else the user data dir.")
@click.pass_context
def cli(ctx, library):
    """FrameSense: search local footage by what is said and shown, export the hits to your NLE."""
    ctx.obj = Ctx(library)


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


def _register_commands():
    from .commands import core  # noqa: F401  (each module adds its commands to ``cli``)
    from .commands import available
    for name in available():
        __import__(f"{__package__}.commands.{name}")


_register_commands()
