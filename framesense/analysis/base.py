"""The one small interface every index stage implements, built-in or plugin.

An analyzer computes without touching the catalog (``analyze``), then the
pipeline opens one transaction in which the analyzer replaces its rows for
that media (``store``) and the run is recorded. A crash in ``analyze`` loses
nothing; a kill during ``store`` rolls the whole unit back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..catalog import Catalog

ProgressFn = Callable[[float, str], None]  # (fraction of this stage done 0..1, note)


@dataclass
class AnalysisContext:
    catalog: Catalog
    media: dict                     # the media row
    library_dir: Path
    progress: ProgressFn = lambda fraction, note="": None
    options: dict = field(default_factory=dict)


class Analyzer:
    name: str = ""
    version: str = "1"
    requires: tuple[str, ...] = ()   # analyzers whose results this one reads
    owns_tables: tuple[str, ...] = ()

    def model_id(self) -> str | None:
        """Identifies the model in use; a change re-runs the analyzer."""
        return None

    def unavailable_reason(self) -> str | None:
        """Why this analyzer cannot run on this machine (None when it can)."""
        return None

    def applies_to(self, media: dict) -> bool:
        return True

    def analyze(self, ctx: AnalysisContext) -> Any:
        raise NotImplementedError

    def store(self, catalog: Catalog, media: dict, result: Any) -> str | None:
        """Replace this analyzer's rows for the media; may return a detail note."""
        raise NotImplementedError
