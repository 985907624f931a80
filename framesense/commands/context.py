"""What every CLI command shares: the library it runs on (opened once, lazily) and JSON output."""

from __future__ import annotations

import json

import click

from ..paths import json_text


def emit_json(data) -> None:
    """Valid UTF-8 JSON; a path whose bytes are not UTF-8 appears as people see it (``\\xNN``)."""
    click.echo(json_text(json.dumps(data, indent=2, ensure_ascii=False, default=str)))


def emit_rows(rows: list, as_json: bool, empty: str, line) -> None:
    """A listing: JSON, or one line a row (``line(row)``), or what to do when there is none (on stderr)."""
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo(empty, err=True)
    for r in rows:
        click.echo(line(r))


class Ctx:
    """The ``--library`` folder and, once a command needs it, the open ``framesense.Library``."""

    def __init__(self, library_dir):
        self.library_dir = library_dir
        self._library = None

    @property
    def library(self):
        if self._library is None:
            from ..api import Library
            self._library = Library.open(self.library_dir)
        return self._library

    def close(self):
        if self._library is not None:
            self._library.close()
            self._library = None


pass_ctx = click.make_pass_decorator(Ctx)
