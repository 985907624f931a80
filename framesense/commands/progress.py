"""A rich progress bar for the indexer: files done, current file and stage, ETA."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from ..progress import Progress


class RichProgress(Progress):
    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.console = Console(stderr=True)
        self.bar = Bar(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("{task.fields[stage]}"), TimeElapsedColumn(), TextColumn("ETA"),
                       TimeRemainingColumn(), console=self.console, disable=not enabled, transient=False)
        self.task = None
        self.done = 0

    def __enter__(self):
        self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        self.bar.__exit__(*exc)

    def start(self, total_files):
        self.task = self.bar.add_task("Indexing", total=total_files, stage="")

    def file(self, index, path):
        self.done = index
        self.bar.update(self.task, completed=index, stage=Path(path).name)
        self._name = Path(path).name

    def stage(self, name, fraction, note=""):
        self.bar.update(self.task, completed=self.done + min(fraction, 0.999),
                        stage=f"{self._name} · {name} {fraction:4.0%}")

    def file_done(self, outcome):
        self.bar.update(self.task, completed=self.done + 1)

    def step(self, name):
        if self.task is not None:
            self.bar.update(self.task, stage=name)

    def notice(self, message):
        if self.enabled:
            self.console.print(f"[yellow]note:[/] {escape(message)}")  # messages may hold [brackets]
