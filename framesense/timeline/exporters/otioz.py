"""``.otioz``: the timeline plus its media in one zip bundle, in OpenTimelineIO's bundle layout
(``version.txt``, ``content.otio``, ``media/<file>``; media stored, text deflated).

Written by us rather than OTIO's otioz writer, which decodes a file URL twice, so a folder
named ``a%20b`` became ``a b`` and the export failed. Here each clip's file is the catalogued
path itself, never a URL to decode.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import opentimelineio as otio

from ...errors import FrameSenseError
from ...paths import display
from ..otio_io import to_otio
from ...atomic_files import atomic_path
from .common import prepare

BUNDLE_VERSION = "1.0.0"


def export(sequence, path: Path, **_) -> list[Path]:
    prepare(sequence, allow_missing=False)   # a bundle cannot hold a file that is not there
    path = Path(path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    inside: dict[str, str] = {}              # catalogued path -> its name in the bundle
    for m in sequence.media():
        name = f"media/{display(Path(m.path).name)}"   # zip names are UTF-8 text
        other = next((p for p, n in inside.items() if n == name), None)
        if other is not None:
            raise FrameSenseError(f"otioz needs unique file names; {m.path} and {other} share one "
                                  f"(export .otio instead, or rename one)")
        inside[m.path] = name
    tl = to_otio(sequence, url=lambda m: otio.url_utils.url_from_filepath(inside[m.path]))
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w") as z:
        z.writestr("version.txt", BUNDLE_VERSION, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.otio", otio.adapters.write_to_string(tl, "otio_json"),
                   compress_type=zipfile.ZIP_DEFLATED)
        for src, name in inside.items():
            z.write(src, name, compress_type=zipfile.ZIP_STORED)
    return [path]
