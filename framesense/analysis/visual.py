"""The visual stage: CLIP embeddings of sampled frames, stored as float16 unit vectors.

Samples per shot: its middle frame, plus one every ``visual_every`` seconds (default 2)
when the shot is longer than that. Only sampled frames are converted, straight to the
size that covers the model's input, then centre-cropped and normalised in batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..catalog import media_rate
from ..media.sample import frames_at
from .base import AnalysisContext, Analyzer
from ..models import clip as clip_model

DEFAULT_EVERY_S = 2.0
BATCH = 32


def sample_frames(shots: list[dict], rate: Fraction, every_s: float = DEFAULT_EVERY_S) -> dict[int, int]:
    """{frame: shot_id}: each shot's middle frame, plus one every every_s seconds in long shots."""
    step = max(1, int(round(every_s * rate)))
    out: dict[int, int] = {}
    for s in shots:
        a, b = s["start_frame"], s["end_frame"]
        out[(a + b - 1) // 2] = s["id"]
        if b - a > step:
            for f in range(a + step // 2, b, step):
                out[f] = s["id"]
    return out


@dataclass
class EmbedResult:
    model: str
    dim: int
    rows: list[tuple[int, int, bytes]]   # (frame, shot_id, float16 bytes)


def embed_frames(model: "clip_model.ClipModel", path, wanted: dict[int, int], rate: Fraction,
                 progress=lambda f, note="": None) -> EmbedResult:
    rows: list[tuple[int, int, bytes]] = []
    batch, keys = [], []
    cover = None

    def flush():
        if batch:
            vecs = model.embed_images_np(np.stack(batch)).astype("<f2")
            rows.extend((f, wanted[f], v.tobytes()) for f, v in zip(keys, vecs))
            batch.clear()
            keys.clear()
            progress(len(rows) / max(1, len(wanted)), f"{len(rows)}/{len(wanted)} frames embedded")

    for index, frame in frames_at(path, list(wanted), rate):
        if cover is None:
            sar = getattr(frame, "sample_aspect_ratio", None)
            display_w = frame.width * float(sar) if sar else frame.width
            cover = model.cover_size(int(round(display_w)), frame.height)
        rgb = frame.reformat(width=cover[0], height=cover[1], format="rgb24", interpolation="BICUBIC").to_ndarray()
        batch.append(model.prepare(rgb))
        keys.append(index)
        if len(batch) >= BATCH:
            flush()
    flush()
    return EmbedResult(model=model.model_id, dim=model.dim, rows=rows)


class VisualAnalyzer(Analyzer):
    name = "visual"
    version = "1"
    requires = ("shots",)
    owns_tables = ("frame_embeddings",)

    def __init__(self, options: dict | None = None):
        options = options or {}
        self.every_s = float(options.get("visual_every") or DEFAULT_EVERY_S)
        self._reason = None
        try:
            self.spec, _ = clip_model.configured_spec(options.get("clip_model"),
                                                       setting=options.get("clip_model_setting"))
            self._reason = clip_model.problem(self.spec)
        except Exception as exc:  # a malformed spec disables the stage, it does not stop the index
            self.spec, self._reason = None, f"visual search is off: {exc}"

    def model_id(self):
        return self.spec.model_id() if self.spec and not self._reason else None

    def unavailable_reason(self):
        return self._reason

    def applies_to(self, media):
        return bool(media.get("has_video"))

    def analyze(self, ctx: AnalysisContext) -> EmbedResult:
        m = ctx.media
        rate = media_rate(m)
        shots = ctx.catalog.query("SELECT id, start_frame, end_frame FROM shots WHERE media_id = ? ORDER BY idx",
                                  (m["id"],))
        wanted = sample_frames(shots, rate, self.every_s)
        model = clip_model.load(self.spec)
        return embed_frames(model, m["path"], wanted, rate, ctx.progress)

    def store(self, catalog, media, result: EmbedResult):
        catalog.execute("DELETE FROM frame_embeddings WHERE media_id = ?", (media["id"],))
        catalog.conn.executemany(
            "INSERT INTO frame_embeddings (media_id, shot_id, frame, model, dim, vector) VALUES (?, ?, ?, ?, ?, ?)",
            [(media["id"], sid, f, result.model, result.dim, blob) for f, sid, blob in result.rows])
        return f"{len(result.rows)} frames embedded"
