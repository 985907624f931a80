"""Tiny catalogued footage for the timeline, export and render tests (shared, built once per run)."""

from __future__ import annotations

from pathlib import Path

from framesense.media.synth import Shot, write_video

# name, rate, start timecode, reel, audio
SPECS = [
    ("clip 23976 é.mp4", "24000/1001", "01:00:00:00", "CAMERA_A_ROLL", "tone"),
    ("pal 25.mov", "25", "10:00:00:00", None, "tone"),
    ("ntsc df 2997.mp4", "30000/1001", "00:59:50;00", "CAMERA_A_RO2", None),
]


def make_footage(folder: Path, frames: int = 48) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for i, (name, rate, tc, reel, audio) in enumerate(SPECS):
        out[rate] = write_video(folder / name, [Shot(frames, seed=10 + i)], rate=rate, start_timecode=tc,
                                reel=reel, audio=audio, width=160, height=96, gop=12).path
    return out


def index_footage(tmp: Path) -> Path:
    """Generate the footage in ``tmp/footage`` and index it with the real CLI into ``tmp/library``.
    Built once per run by the session fixture ``timeline_footage`` (tests/conftest.py)."""
    from tests.conftest import run_cli

    make_footage(tmp / "footage")
    run_cli(tmp / "library", "index", tmp / "footage", "--no-speech", "--no-visual")
    return tmp


def open_footage(tmp: Path, library: Path | None = None):
    """The indexed library in ``tmp`` (see ``index_footage``), or a copy of it in ``library``:
    (catalog, {rate: media row}); close the catalog."""
    from framesense.catalog import Catalog

    catalog = Catalog.open(library or tmp / "library")
    rows = {rate: catalog.media_by_path(str((tmp / "footage" / name).resolve())) for name, rate, *_ in SPECS}
    assert all(rows.values()), rows
    return catalog, rows


def hit(row, start, end, text="hello world", query="hello"):
    """A hit on ``row`` from media seconds, snapped outward to its frames as every search does."""
    from framesense.catalog import media_rate
    from framesense.search.hits import Hit
    return Hit.from_seconds(start=start, end=end, rate=media_rate(row), frames=row["frames"], media_id=row["id"],
                            media_path=row["path"], score=1.0, kind="phrase", text=text, query=query)


def export(seq, path, fmt=None, **options):
    """Write ``seq`` through the exporter registry (format by name, else by suffix), as Library.export does."""
    from framesense.api import plugin_registry
    return plugin_registry().exporter_for(path, fmt).export(seq, path, **options)
