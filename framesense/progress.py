"""What long work reports as it goes: the indexer calls these; the CLI draws a bar, the app a view."""

from __future__ import annotations


class Progress:
    def start(self, total_files: int): ...
    def file(self, index: int, path: str): ...
    def stage(self, name: str, fraction: float, note: str = ""): ...
    def file_done(self, outcome): ...           # framesense.ingest.FileOutcome
    def notice(self, message: str): ...
    def step(self, name: str): ...              # work after the last file (the search caches): no file is current

    def cancelled(self) -> bool:
        return False
