"""The visual stage: CLIP embeddings of sampled frames, stored as float16 unit vectors.

Samples per shot: its thumbnail frame (near the middle), plus one every ``visual_every``
seconds (default 2). The shots scan hands them over on its own decode; only sampled
frames are converted, straight to the size that covers the model's input, then
centre-cropped and normalised in batches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import base
from .base import FrameConsumer, FrameRequest, FrameSession, shot_ids
from ..models import clip as clip_model
from ..models.picture_model import PictureModel  # noqa: F401  (the type EmbedSession takes)

DEFAULT_EVERY_S = 2.0
BATCH = 32
_SCALER = {"bicubic": "BICUBIC", "bilinear": "BILINEAR", "nearest": "POINT", "lanczos": "LANCZOS"}


def sample_frames(shots: list[dict], rate, every_s: float = DEFAULT_EVERY_S) -> dict[int, int]:
    """The frames this stage reads at its default rate of sampling (``base.sample_frames``)."""
    return base.sample_frames(shots, rate, every_s)


@dataclass
class EmbedResult:
    model: str
    dim: int
    rows: list[tuple[int, int, bytes]]   # (frame, shot idx, float16 bytes)


class EmbedSession(FrameSession):
    """Converts each frame handed over straight to the size that covers the model's input,
    and embeds them in batches."""

    def __init__(self, model: "PictureModel", progress=lambda f, note="": None):
        self.model, self.progress = model, progress
        self.rows: list[tuple[int, int, bytes]] = []
        self.batch, self.keys = [], []
        self.cover = None

    def add(self, index, shot_idx, frame):
        if self.cover is None:
            sar = getattr(frame, "sample_aspect_ratio", None)
            display_w = frame.width * float(sar) if sar else frame.width
            self.cover = self.model.cover_size(int(round(display_w)), frame.height)
        rgb = frame.reformat(width=self.cover[0], height=self.cover[1], format="rgb24",
                             interpolation=_SCALER.get(self.model.interpolation, "BICUBIC")).to_ndarray()
        self.batch.append(self.model.prepare(rgb))
        self.keys.append((index, shot_idx))
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self):
        if self.batch:
            vecs = self.model.embed_images_np(np.stack(self.batch)).astype("<f2")
            self.rows.extend((f, idx, v.tobytes()) for (f, idx), v in zip(self.keys, vecs))
            self.batch.clear()
            self.keys.clear()

    def result(self) -> EmbedResult:
        self.flush()
        return EmbedResult(model=self.model.model_id, dim=self.model.dim, rows=sorted(self.rows))


class VisualAnalyzer(FrameConsumer):
    """Samples: each shot's thumbnail frame plus one every ``visual_every`` seconds (fed by the shots scan)."""
    name = "visual"
    version = "2"
    requires = ("shots",)
    owns_tables = ("frame_embeddings",)

    def __init__(self, options: dict | None = None):
        options = options or {}
        self.every_s = float(options.get("visual_every") or DEFAULT_EVERY_S)
        self.frame_request = FrameRequest(every_s=self.every_s, representative=True)
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

    def frame_session(self, media, rate):
        return EmbedSession(clip_model.load(self.spec))

    def store(self, catalog, media, result: EmbedResult):
        ids = shot_ids(catalog, media["id"])
        catalog.execute("DELETE FROM frame_embeddings WHERE media_id = ?", (media["id"],))
        catalog.conn.executemany(
            "INSERT INTO frame_embeddings (media_id, shot_id, frame, model, dim, vector) VALUES (?, ?, ?, ?, ?, ?)",
            [(media["id"], ids[idx], f, result.model, result.dim, blob) for f, idx, blob in result.rows])
        return f"{len(result.rows)} frames embedded"
