"""NLE exporters: one small module per format, each with ``export(sequence, path, **options) -> list[Path]``."""

from __future__ import annotations

import importlib
from pathlib import Path

from ...errors import FrameSenseError

FORMATS = {
    "otio": ("otio_native", ".otio"),
    "otioz": ("otioz", ".otioz"),
    "fcp7": ("fcp7_xml", ".xml"),
    "fcpxml": ("fcpxml", ".fcpxml"),
    "edl": ("cmx3600", ".edl"),
}


def exporter(fmt: str):
    if fmt not in FORMATS:
        raise FrameSenseError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    return importlib.import_module(f"{__name__}.{FORMATS[fmt][0]}")


def export(sequence, path, fmt: str, **options) -> list[Path]:
    return exporter(fmt).export(sequence, Path(path), **options)


def format_for_path(path) -> str | None:
    suffix = Path(path).suffix.lower()
    for fmt, (_, ext) in FORMATS.items():
        if ext == suffix:
            return fmt
    return None
