"""``.otio`` for Resolve 18.5+: plain absolute paths, source ranges at each media's rate."""

from __future__ import annotations

from pathlib import Path

from ..otio_io import save
from .common import prepare


def export(sequence, path: Path, *, allow_missing: bool = False, **_) -> list[Path]:
    prepare(sequence, allow_missing)
    return [save(sequence, path)]
