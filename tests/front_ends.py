"""The same search asked through each front end, in this process: the CLI (Click's runner), the API
(``framesense.Library``) and the app's search bar (headless). Each returns the hits as JSON rows,
so a test can say the three agree; a refused query raises its QueryError from each."""

from __future__ import annotations

import json
from pathlib import Path


def cli_search(library: Path, *args) -> list[dict]:
    """``framesense --library LIB search ARGS --json``."""
    from click.testing import CliRunner
    from framesense.cli import cli
    res = CliRunner().invoke(cli, ["--library", str(library), "search", *map(str, args), "--json"])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def cli_help(*command: str) -> str:
    from click.testing import CliRunner
    from framesense.cli import cli
    return CliRunner().invoke(cli, [*command, "--help"], terminal_width=200).stdout


def api_search(library: Path, **keywords) -> list[dict]:
    from framesense import Library
    with Library.open(library) as lib:
        return [h.to_json() for h in lib.search(**keywords)]


def app_search(qtbot, library: Path, typed: str) -> list[dict]:
    """What the app's search bar asks for when this is typed and Enter pressed (its worker's search)."""
    from PySide6.QtCore import Qt
    from framesense import Library
    from framesense.app.search_bar import SearchBar
    bar = SearchBar()
    qtbot.addWidget(bar)
    bar.field.setText(typed)
    with qtbot.waitSignal(bar.search_requested, timeout=2000) as sig:
        qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    with Library.open(library) as lib:
        return [h.to_json() for h in lib.search(bar.query(*sig.args))]
