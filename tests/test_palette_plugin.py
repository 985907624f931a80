"""The palette example plugin: dominant colours per shot, found by `framesense search --color`."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from framesense.media.synth import write_frames

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_DIR = ROOT / "plugins" / "framesense-palette"


def colour_field(rgb, w=320, h=180, seed=0):
    """A flat colour with mild noise and a small dark block: a shot clearly of that colour."""
    rng = np.random.default_rng(seed)
    img = np.clip(np.array(rgb, np.float32)[None, None] + rng.normal(0, 6, (h, w, 3)), 0, 255)
    img[h // 3: h // 3 + 30, 40: 90] = 20
    return img.astype(np.uint8)


@pytest.fixture
def palette_env(monkeypatch):
    # The plugin folder discovery path: the package folder holds framesense_palette/.
    monkeypatch.setenv("FRAMESENSE_PLUGINS", str(PLUGIN_DIR))


def test_kmeans_palette_finds_the_two_colours():
    import sys
    sys.path.insert(0, str(PLUGIN_DIR))
    try:
        from framesense_palette import kmeans_palette, parse_color, rgb_to_lab
    finally:
        sys.path.remove(str(PLUGIN_DIR))
    img = np.zeros((20, 40, 3), np.uint8)
    img[:, :30] = (255, 136, 0)
    img[:, 30:] = (0, 0, 255)
    pal = kmeans_palette(img, k=3)
    assert pal[0][0] == (255, 136, 0) and pal[0][2] == pytest.approx(0.75)
    assert pal[1][0] == (0, 0, 255) and pal[1][2] == pytest.approx(0.25)
    assert parse_color("orange") == (255, 165, 0)
    assert np.allclose(rgb_to_lab(np.array([255, 255, 255])), [100, 0, 0], atol=0.05)


def test_index_and_search_by_colour(tmp_path, cli, palette_env):
    clip = write_frames(tmp_path / "footage" / "colours.mp4",
                        [(25, colour_field((250, 130, 10))), (25, colour_field((20, 60, 220), seed=1)),
                         (25, colour_field((40, 170, 60), seed=2))])
    rep = cli.json("index", clip.path)
    assert rep["counts"] == {"new": 1}, rep
    assert rep["files"][0]["stages"]["palette"] == "done"
    listed = {p["name"]: p for p in cli.json("plugins", "list") if p["status"] == "loaded"}
    assert listed["palette"]["status"] == "loaded" and listed["palette"]["owns_tables"] == ["palette_colors"]

    hits = cli.json("search", "--color", "#ff8800")
    assert hits and hits[0]["shot"] == 0 and hits[0]["kind"] == "color"
    assert hits[0]["start"] == pytest.approx(0.0) and hits[0]["end"] == pytest.approx(1.0)
    assert all(h["shot"] != 1 for h in hits)
    blue = cli.json("search", "--color", "blue")
    assert blue[0]["shot"] == 1 and blue[0]["start"] == pytest.approx(1.0)
    green = cli.json("search", "--color", "forestgreen")
    assert green[0]["shot"] == 2

    bad = cli("search", "--color", "not-a-colour", check=False)
    assert bad.returncode == 2 and "not a colour" in bad.stderr

    # --disable applies to plugins: a second file indexed without the palette gets no palette run
    other = write_frames(tmp_path / "footage" / "other.mp4", [(25, colour_field((250, 130, 10), seed=5))])
    rep = cli.json("index", other.path, "--disable", "palette")
    assert "palette" not in rep["files"][0]["stages"]


def test_colour_is_one_option_from_the_cli_the_api_and_the_app(tmp_path, plugin_registry, qtbot):
    """The plugin's typed option: ``--color`` (in-process CLI), ``color=`` and the app's colour mode
    give the same hits, and refuse a colour that is none with the same message."""
    pytest.importorskip("PySide6")
    from framesense import Library
    from framesense.errors import QueryError
    from front_ends import api_search, app_search, cli_search
    plugin_registry(PLUGIN_DIR)
    clip = write_frames(tmp_path / "footage" / "colours.mp4",
                        [(25, colour_field((250, 130, 10))), (25, colour_field((20, 60, 220), seed=1))])
    library = tmp_path / "lib"
    with Library.open(library) as lib:
        assert lib.index([clip.path], speech=False, visual=False).files[0].stages["palette"] == "done"
    blue = cli_search(library, "--color", "blue")
    assert blue[0]["shot"] == 1 and blue[0]["kind"] == "color"
    assert blue == api_search(library, color="blue") == app_search(qtbot, library, "colour: blue")
    said = []
    for ask in (lambda: cli_search(library, "--color", "not-a-colour"), lambda: api_search(library, color="not-a-colour"),
                lambda: app_search(qtbot, library, "colour: not-a-colour")):
        with pytest.raises(QueryError) as err:
            ask()
        said.append(str(err.value))
    assert said[0] == said[1] == said[2] and said[0].startswith("search 'color': --color: 'not-a-colour' is not a colour")
