"""The command line: every core feature without the GUI, each with --json for scripts.

Commands live in ``framesense/commands/``, one module per group; each calls
``framesense.Library`` and nothing below it.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
import traceback

import click

from . import __version__
from .commands import (app, assemble, core, demo, desktop, doctor, export, merge, models, people, plugins, search,
                       speech)
from .commands.context import Ctx
from .errors import CatalogDamaged, FrameSenseError, LibraryBusy
from .paths import escape_streams


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="framesense")
@click.option("--library", type=click.Path(), envvar="FRAMESENSE_LIBRARY",
              help="Library folder (holds catalog.sqlite). Default: $FRAMESENSE_LIBRARY, else the user data dir.")
@click.option("--debug", is_flag=True, envvar="FRAMESENSE_DEBUG", help="Show the full traceback of an error.")
@click.pass_context
def cli(ctx, library, debug):
    """FrameSense: search local footage by what is said and shown, export the hits to your NLE.

    'framesense app' opens the window (so does starting framesense from a desktop, with no arguments);
    'framesense install-desktop' adds it to the desktop's menu."""
    ctx.obj = Ctx(library)
    ctx.call_on_close(ctx.obj.close)


for _module in (core, merge, search, export, assemble, speech, models, people, plugins, doctor, demo, app, desktop):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main(argv=None):
    """Every error reaches the user as one line that says what and why, with a non-zero exit;
    ``--debug`` (or FRAMESENSE_DEBUG=1) adds the traceback."""
    escape_streams(sys.stdout, sys.stderr)   # a file name that is not UTF-8 prints as \xNN, never a crash
    args = list(sys.argv[1:] if argv is None else argv)
    if not args and started_from_desktop():
        args = ["app"]          # a double-click or a launcher: the window, not the help text
    debug = "--debug" in args[: args.index("--")] if "--" in args else "--debug" in args
    debug = debug or os.environ.get("FRAMESENSE_DEBUG") == "1"
    try:
        cli.main(args=args, prog_name="framesense", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except BaseException as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"error: {_one_line(exc)}", err=True)
        sys.exit(3 if isinstance(exc, LibraryBusy) else 2)


def started_from_desktop() -> bool:
    """No terminal on either end (a file manager's double-click, a desktop launcher) and a screen to
    open a window on. Typed in a terminal, ``framesense`` alone keeps printing its help."""
    for stream in (sys.stdin, sys.stdout):
        if stream is not None and stream.isatty():
            return False
    if sys.platform.startswith("linux"):
        return any(os.environ.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY"))
    return True


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return str(CatalogDamaged("catalog.sqlite", str(exc)))
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or (
            "disk is full" in str(exc) and not isinstance(exc, FrameSenseError)):   # those say it their way
        where = getattr(exc, "filename", None)
        return (f"the disk is full{f' ({where})' if where else ''}: free some space and run the "
                "same command again; what was finished is kept")
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, (FrameSenseError, LookupError, OSError, ValueError)):
        return text
    return f"{type(exc).__name__}: {text} (run with --debug for the traceback)"
