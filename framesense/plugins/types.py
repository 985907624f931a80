"""Qt-free descriptions of what plugins contribute besides analyzers and hits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..search.options import SearchOption


@dataclass
class ExporterSpec:
    """Writes a timeline sequence to files; ``export(sequence, path, **options)`` returns the files written."""

    name: str
    suffixes: tuple[str, ...]            # e.g. (".csv",): chosen by the output path's suffix
    export: Callable[..., list[Path]]
    description: str = ""


@dataclass
class SearchSpec:
    """A search provider: ``answers(query)`` says whether the query asks for it; ``search(catalog, query)``
    returns Hits. ``options`` are the typed options it reads (``query.get(name)``): the API's keywords,
    the CLI's flags and the app's modes are made from them, and every query is checked against them.
    A plain name stands for a text option."""

    name: str
    answers: Callable[[Any], bool]
    search: Callable[..., list]
    description: str = ""
    options: tuple[SearchOption, ...] = ()

    def __post_init__(self):
        self.options = tuple(o if isinstance(o, SearchOption) else SearchOption(str(o)) for o in self.options)


@dataclass
class ActionContext:
    """What an app action receives: the hits selected in the results and/or the open sequence."""

    library_dir: Path
    selection: list = field(default_factory=list)   # Hit objects
    sequence: Any = None                              # framesense.timeline sequence, if any


@dataclass
class AppAction:
    """A menu entry; the app calls ``run(ActionContext)`` and shows the returned message, if any."""

    id: str
    label: str
    run: Callable[[ActionContext], str | None]
    scope: str = "selection"            # "selection" (needs hits) or "sequence"
    menu: str = "Plugins"
    shortcut: str | None = None

    def enabled_for(self, ctx: ActionContext) -> bool:
        return bool(ctx.selection) if self.scope == "selection" else ctx.sequence is not None
