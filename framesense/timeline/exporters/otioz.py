"""``.otioz``: the timeline plus its media in one zip bundle (OTIO's own otioz adapter)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import opentimelineio as otio

from ...errors import FrameSenseError
from ..otio_io import to_otio
from .common import file_url, prepare


def export(sequence, path: Path, **_) -> list[Path]:
    prepare(sequence, allow_missing=False)   # a bundle cannot hold a file that is not there
    path = Path(path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    names = {}
    for m in sequence.media():
        other = names.setdefault(Path(m.path).name, m.path)
        if other != m.path:
            raise FrameSenseError(f"otioz needs unique file names; {m.path} and {other} share one "
                                  f"(export .otio instead, or rename one)")
    tl = to_otio(sequence, url=lambda m: file_url(m.path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".otioz", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        otio.adapters.write_to_file(tl, tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return [path]
