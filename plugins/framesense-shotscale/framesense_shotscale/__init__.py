"""Shot scale (close-up / medium / wide) per shot, by zero-shot CLIP prompts.

Each scale is described by a few prompts; their text embeddings are averaged
into one direction per scale, and a shot's middle frame goes to the nearest
direction (softmax over cosine similarities x 100, as CLIP was trained). Needs
picture weights (see ``framesense models``); without them the stage is skipped
with the visual component's message. Search: ``--where scale=close-up``.
"""

from __future__ import annotations

import numpy as np

from framesense.analysis.base import Analyzer
from framesense.plugins import SearchOption, SearchSpec, hookimpl
from framesense.catalog import media_rate
from framesense.plugins.helpers import media_matches, sample_shots, shot_hit

PLUGIN_NAME = "shotscale"
PLUGIN_VERSION = "1.0.0"
OWNS_TABLES = ("shot_scale",)

PROMPTS = {
    "close-up": ["a close-up shot of a face", "an extreme close-up photo", "a close-up of an object",
                 "a tight close-up film still"],
    "medium": ["a medium shot of a person from the waist up", "a medium shot film still",
               "two people talking in a medium shot"],
    "wide": ["a wide shot of a landscape", "a wide establishing shot", "a long shot of a street with people",
             "an aerial wide view"],
}
SCALES = tuple(PROMPTS)

MIGRATIONS = [
    """
    CREATE TABLE shot_scale (
        media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
        shot_idx INTEGER NOT NULL,
        scale TEXT NOT NULL CHECK (scale IN ('close-up', 'medium', 'wide')),
        confidence REAL NOT NULL,
        PRIMARY KEY (media_id, shot_idx)
    );
    """,
]


def class_directions(embed_texts, prompts: dict[str, list[str]] = PROMPTS) -> np.ndarray:
    """One unit vector per class: the mean of its prompts' text embeddings."""
    rows = []
    for cls in prompts:
        v = np.asarray(embed_texts(prompts[cls]), dtype=np.float32).mean(0)
        rows.append(v / (np.linalg.norm(v) or 1.0))
    return np.stack(rows)


def classify(image_embeddings: np.ndarray, directions: np.ndarray, labels=SCALES, temperature: float = 100.0):
    """[(label, probability)] per image embedding (rows need not be normalised)."""
    x = np.asarray(image_embeddings, dtype=np.float32)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-8)
    logits = temperature * x @ directions.T
    logits -= logits.max(1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(1, keepdims=True)
    return [(labels[int(i)], float(row[int(i)])) for row, i in zip(p, p.argmax(1))]


def _clip():
    """The visual component's model loader (framesense.analysis.clip_model), or None if absent."""
    try:
        from framesense.models import clip as clip_model
    except ImportError:
        return None
    return clip_model


class ShotScaleAnalyzer(Analyzer):
    name = "shotscale"
    version = "1"
    requires = ("shots",)
    owns_tables = OWNS_TABLES
    timeout = 900.0

    def __init__(self, options: dict | None = None):
        self.options = options or {}
        self._spec = None

    def _spec_or_reason(self, catalog=None):
        cm = _clip()
        if cm is None:
            return None, "shot scale needs the visual component (framesense.analysis.clip_model), not installed"
        try:
            spec, _ = cm.configured_spec(self.options.get("clip_model"), catalog=catalog)
            return spec, cm.problem(spec)
        except Exception as exc:
            return None, f"no usable CLIP model: {exc}"

    def unavailable_reason(self):
        if self.options.get("visual") is False:
            return "skipped: picture analysis is off (--no-visual)"
        spec, reason = self._spec_or_reason()
        if reason:
            return f"skipped: {reason}"
        self._spec = spec
        return None

    def model_id(self):
        return self._spec.model_id() if self._spec else None

    def applies_to(self, media):
        return bool(media.get("has_video"))

    def analyze(self, ctx):
        cm = _clip()
        model = cm.load(self._spec)
        directions = class_directions(model.embed_texts)
        shots = ctx.catalog.shots(ctx.media["id"])
        images, idxs = [], []
        for shot, _frame, img in sample_shots(ctx.media["path"], shots, rate=media_rate(ctx.media), per_shot=1, width=320,
                                              progress=ctx.progress):
            images.append(img)
            idxs.append(shot["idx"])
        if not images:
            return []
        return [(i, label, p) for i, (label, p) in zip(idxs, classify(model.embed_pil(images), directions))]

    def validate(self, result):
        if not isinstance(result, list) or any(r[1] not in SCALES for r in result):
            return f"expected [(shot, one of {SCALES}, confidence)]"
        return None

    def store(self, catalog, media, result):
        catalog.execute("DELETE FROM shot_scale WHERE media_id = ?", (media["id"],))
        for idx, label, p in result:
            catalog.insert("shot_scale", {"media_id": media["id"], "shot_idx": idx, "scale": label,
                                          "confidence": p})
        return ", ".join(f"{s}: {sum(r[1] == s for r in result)}" for s in SCALES)


def scale_name(value) -> str:
    """The --scale option's type: 'Close up' and 'closeup' are close-up."""
    want = str(value).strip().lower().replace(" ", "-").replace("closeup", "close-up")
    if want not in SCALES:
        raise ValueError(f"{value!r}: expected one of {', '.join(SCALES)}")
    return want


def search_scale(catalog, query):
    want = query.get("scale")
    rows = catalog.query("SELECT s.*, m.path FROM shot_scale s JOIN media m ON m.id = s.media_id "
                         "WHERE s.scale = ? ORDER BY s.confidence DESC", (want,))
    hits, media = [], {}
    for r in rows:
        if media_matches(query, r["path"]):
            m = media.setdefault(r["media_id"], catalog.media_by_id(r["media_id"]))
            h = shot_hit(catalog, m, r["shot_idx"], r["confidence"], "scale", text=want, query=want)
            if h:
                hits.append(h)
    return hits


@hookimpl
def framesense_migrations():
    return {"plugin_shotscale": MIGRATIONS}


@hookimpl
def framesense_analyzers(options):
    return [ShotScaleAnalyzer(options)]


@hookimpl
def framesense_searches():
    return [SearchSpec("scale", lambda q: "scale" in q.options, search_scale,
                       "shots of a scale: wide, medium, close-up",
                       options=(SearchOption("scale", scale_name, "Shots of this scale.", choices=SCALES,
                                             mode="shot scale", hint="close-up, medium or wide"),))]
