"""Dominant colours per shot, so an editor can ask for "the orange shots".

One frame from the middle of each shot, shrunk to 64 px wide, clustered by
k-means in CIE Lab (perceptual distances); each shot keeps up to five colours
with the share of the picture each covers. Search: ``--color "#ff8800"`` or a
CSS name; a shot scores by how much of it lies near the colour (delta E 76).
"""

from __future__ import annotations

import numpy as np
from PIL import ImageColor

from framesense.analysis.base import Analyzer
from framesense.plugins import SearchOption, SearchSpec, hookimpl
from framesense.catalog import media_rate
from framesense.plugins.helpers import media_matches, sample_shots, shot_hit

PLUGIN_NAME = "palette"
PLUGIN_VERSION = "1.0.0"
OWNS_TABLES = ("palette_colors",)
COLORS = 5
NEAR = 50.0  # delta E at which a palette colour stops counting as "that colour" (names are loose)

MIGRATIONS = [
    """
    CREATE TABLE palette_colors (
        media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
        shot_idx INTEGER NOT NULL,
        rank INTEGER NOT NULL,
        hex TEXT NOT NULL,
        l REAL NOT NULL, a REAL NOT NULL, b REAL NOT NULL,
        weight REAL NOT NULL,             -- share of the frame's pixels, 0..1
        PRIMARY KEY (media_id, shot_idx, rank)
    );
    """,
]


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (..., 3) in 0..255 to CIE Lab (D65)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    c = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    m = np.array([[0.4124564, 0.3575761, 0.1804375],
                  [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = c @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def kmeans_palette(pixels_rgb: np.ndarray, k: int = COLORS, iters: int = 12, seed: int = 0):
    """[(rgb tuple, lab array, weight)] sorted by weight; deterministic (k-means++ with a fixed seed)."""
    rgb = pixels_rgb.reshape(-1, 3).astype(np.float64)
    lab = rgb_to_lab(rgb)
    rng = np.random.default_rng(seed)
    k = min(k, len(np.unique(rgb, axis=0)))
    centers = [lab[rng.integers(len(lab))]]
    for _ in range(1, k):
        d = np.min(((lab[:, None, :] - np.array(centers)[None]) ** 2).sum(-1), axis=1)
        centers.append(lab[rng.choice(len(lab), p=d / d.sum())] if d.sum() > 0 else lab[rng.integers(len(lab))])
    centers = np.array(centers)
    for _ in range(iters):
        label = ((lab[:, None, :] - centers[None]) ** 2).sum(-1).argmin(1)
        new = np.array([lab[label == j].mean(0) if np.any(label == j) else centers[j] for j in range(k)])
        if np.allclose(new, centers, atol=0.01):
            break
        centers = new
    label = ((lab[:, None, :] - centers[None]) ** 2).sum(-1).argmin(1)
    out = []
    for j in range(k):
        members = label == j
        if members.any():
            out.append((tuple(int(round(v)) for v in rgb[members].mean(0)), lab[members].mean(0),
                        float(members.mean())))
    return sorted(out, key=lambda c: -c[2])


def parse_color(value: str) -> tuple[int, int, int]:
    try:
        return ImageColor.getrgb(value.strip())[:3]
    except (ValueError, AttributeError):
        raise ValueError(f"{value!r} is not a colour; give '#rrggbb' or a name like 'orange'") from None


def colour_name(value) -> str:
    """The --color option's type: a colour PIL can read, kept as given."""
    parse_color(value)
    return value.strip()


class PaletteAnalyzer(Analyzer):
    name = "palette"
    version = "1"
    requires = ("shots",)
    owns_tables = OWNS_TABLES
    timeout = 300.0

    def applies_to(self, media):
        return bool(media.get("has_video"))

    def analyze(self, ctx):
        shots = ctx.catalog.shots(ctx.media["id"])
        result = []
        for shot, _frame, img in sample_shots(ctx.media["path"], shots, rate=media_rate(ctx.media), per_shot=1, width=64,
                                              progress=ctx.progress):
            result.append((shot["idx"], kmeans_palette(np.asarray(img.convert("RGB")))))
        return result

    def validate(self, result):
        if not isinstance(result, list):
            return f"expected a list of (shot, palette), got {type(result).__name__}"
        return None

    def store(self, catalog, media, result):
        catalog.execute("DELETE FROM palette_colors WHERE media_id = ?", (media["id"],))
        for shot_idx, palette in result:
            for rank, (rgb, lab, weight) in enumerate(palette):
                catalog.insert("palette_colors", {
                    "media_id": media["id"], "shot_idx": shot_idx, "rank": rank,
                    "hex": "#%02x%02x%02x" % rgb, "l": float(lab[0]), "a": float(lab[1]), "b": float(lab[2]),
                    "weight": weight})
        return f"{len(result)} shot palettes"


def search_color(catalog, query):
    wanted = rgb_to_lab(np.array(parse_color(query.get("color")), dtype=np.float64))
    rows = catalog.query("SELECT p.*, m.path FROM palette_colors p JOIN media m ON m.id = p.media_id")
    scores: dict[tuple[int, int], float] = {}
    best: dict[tuple[int, int], str] = {}
    for r in rows:
        if not media_matches(query, r["path"]):
            continue
        de = float(np.linalg.norm(np.array([r["l"], r["a"], r["b"]]) - wanted))
        s = r["weight"] * max(0.0, 1.0 - de / NEAR)
        if s > 0:
            key = (r["media_id"], r["shot_idx"])
            if s > scores.get(key, 0.0):
                best[key] = r["hex"]
            scores[key] = scores.get(key, 0.0) + s
    hits = []
    media = {}
    for (mid, idx), s in scores.items():
        if s < 0.05:
            continue
        m = media.setdefault(mid, catalog.media_by_id(mid))
        h = shot_hit(catalog, m, idx, s, "color", text=best[(mid, idx)], query=query.get("color"),
                     extra={"color": best[(mid, idx)]})
        if h:
            hits.append(h)
    return sorted(hits, key=lambda h: -h.score)


@hookimpl
def framesense_migrations():
    return {"plugin_palette": MIGRATIONS}


@hookimpl
def framesense_analyzers(options):
    return [PaletteAnalyzer()]


@hookimpl
def framesense_searches():
    return [SearchSpec("color", lambda q: "color" in q.options, search_color,
                       "shots whose dominant colours are near a colour",
                       options=(SearchOption("color", colour_name, "A dominant colour: '#ff8800' or a name like "
                                             "'orange'.", mode="colour", prefixes=("colour",), metavar="COLOUR",
                                             hint="A dominant colour: #ff8800 or orange"),))]
