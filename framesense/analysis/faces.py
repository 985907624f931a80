"""The faces stage: detect, align (5 points) and embed faces in frames sampled from each shot.

Frames are sampled like the visual stage samples them (each shot's middle, plus one every
``FACE_EVERY_S`` in long shots), scaled to ``ANALYSIS_W`` pixels wide (never up), searched by
dlib's HOG detector (the CNN one with ``faces_accurate``), and each face big and sure enough
is stored with its box (fractions of the frame), a float16 128-d descriptor and a JPEG crop.
``store`` then clusters the new faces into people (``framesense.people``).
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from ..catalog import media_rate
from ..media.sample import frames_at
from ..models import faces as face_models
from .base import AnalysisContext, Analyzer, shot_ids
from .visual import sample_frames

FACE_EVERY_S = 1.0
ANALYSIS_W = 640        # frames are scaled down to this width before detection
UPSAMPLE = 1            # HOG pyramid upsampling: finds faces down to about 40 px at ANALYSIS_W
MIN_FACE_PX = 36        # smaller boxes (at ANALYSIS_W) are too blurry to identify
MIN_SCORE = 0.3         # HOG scores below this were mostly textures, not faces (astronaut's suit: 0.12)
THUMB_PX = 64


@dataclass
class Face:
    box: tuple[float, float, float, float]   # x, y, w, h as fractions of the picture
    score: float
    embedding: np.ndarray                    # float32 (128,)
    thumb: bytes = b""
    frame: int = 0
    shot_id: int | None = None
    shot_idx: int = 0

    @property
    def area(self) -> float:
        return self.box[2] * self.box[3]


def _thumb(rgb: np.ndarray, l: int, t: int, r: int, b: int) -> bytes:
    h, w = rgb.shape[:2]
    m = (r - l) // 4
    crop = Image.fromarray(rgb[max(0, t - m): min(h, b + m), max(0, l - m): min(w, r + m)])
    crop.thumbnail((THUMB_PX, THUMB_PX))
    buf = io.BytesIO()
    crop.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def detect_faces(models: "face_models.FaceModels", rgb: np.ndarray, *, upsample: int = UPSAMPLE,
                 min_px: int = MIN_FACE_PX, min_score: float = MIN_SCORE, thumbs: bool = True) -> list[Face]:
    """Faces in one RGB picture (uint8 HxWx3), largest first. The picture is used at its own size."""
    import dlib
    with _DLIB:            # one model set per process, shared by the index and the app's search workers
        return _detect(dlib, models, np.ascontiguousarray(rgb[..., :3], dtype=np.uint8), upsample, min_px, min_score,
                       thumbs)


_DLIB = threading.Lock()


def _detect(dlib, models, rgb, upsample, min_px, min_score, thumbs) -> list[Face]:
    h, w = rgb.shape[:2]
    if models.accurate:
        found = [(d.rect, float(d.confidence)) for d in models.detector(rgb, upsample)]
    else:
        rects, scores, _ = models.detector.run(rgb, upsample, 0.0)
        found = list(zip(rects, (float(s) for s in scores)))
    faces = []
    for rect, score in found:
        l, t, r, b = max(0, rect.left()), max(0, rect.top()), min(w, rect.right()), min(h, rect.bottom())
        if min(r - l, b - t) < min_px or score < min_score:
            continue
        shape = models.landmarks(rgb, dlib.rectangle(l, t, r, b))
        vec = np.asarray(models.recogniser.compute_face_descriptor(rgb, shape), dtype=np.float32)
        faces.append(Face((l / w, t / h, (r - l) / w, (b - t) / h), score, vec,
                          _thumb(rgb, l, t, r, b) if thumbs else b""))
    faces.sort(key=lambda f: -f.area)
    return faces


def frame_rgb(frame, width: int = ANALYSIS_W) -> np.ndarray:
    """An av.VideoFrame as RGB at most ``width`` wide (display aspect kept)."""
    sar = getattr(frame, "sample_aspect_ratio", None)
    display_w = frame.width * float(sar) if sar else frame.width
    w = min(width, int(round(display_w)))
    h = max(2, int(round(frame.height * w / display_w)))
    return frame.reformat(width=w, height=h, format="rgb24", interpolation="AREA").to_ndarray()


def image_faces(image, accurate: bool = False) -> list[Face]:
    """Faces in a PIL image or RGB array (for ``--face IMAGE``), scaled like video frames."""
    rgb = np.asarray(image.convert("RGB")) if isinstance(image, Image.Image) else np.asarray(image)
    if rgb.shape[1] > ANALYSIS_W:
        pil = Image.fromarray(rgb)
        pil = pil.resize((ANALYSIS_W, max(2, rgb.shape[0] * ANALYSIS_W // rgb.shape[1])), Image.BOX)
        rgb = np.asarray(pil)
    return detect_faces(face_models.load(accurate), rgb)


@dataclass
class FacesResult:
    model: str
    faces: list[Face] = field(default_factory=list)
    frames: int = 0


class FacesAnalyzer(Analyzer):
    name = "faces"
    version = "1"
    requires = ("shots",)
    owns_tables = ("faces",)

    def __init__(self, options: dict | None = None):
        options = options or {}
        self.accurate = bool(options.get("faces_accurate"))
        self.every_s = float(options.get("faces_every") or FACE_EVERY_S)

    def model_id(self):
        return face_models.model_id(self.accurate)

    def unavailable_reason(self):
        return face_models.problem(self.accurate)

    def applies_to(self, media):
        return bool(media.get("has_video"))

    def analyze(self, ctx: AnalysisContext) -> FacesResult:
        m = ctx.media
        rate = media_rate(m)
        shots = ctx.catalog.query("SELECT id, idx, start_frame, end_frame FROM shots WHERE media_id = ? ORDER BY idx",
                                  (m["id"],))
        idx_of = {s["id"]: s["idx"] for s in shots}
        wanted = sample_frames(shots, rate, self.every_s)
        models = face_models.load(self.accurate)
        out = FacesResult(self.model_id())
        for n, (index, frame) in enumerate(frames_at(m["path"], list(wanted), rate)):
            for face in detect_faces(models, frame_rgb(frame)):
                face.frame, face.shot_id, face.shot_idx = index, wanted[index], idx_of[wanted[index]]
                out.faces.append(face)
            out.frames += 1
            ctx.progress(n / max(1, len(wanted)), f"{n}/{len(wanted)} frames searched for faces")
        return out

    def store(self, catalog, media, result: FacesResult):
        from .people import assign_faces
        catalog.execute("DELETE FROM faces WHERE media_id = ?", (media["id"],))
        shots = shot_ids(catalog, media["id"])   # the writer's ids: a worker's snapshot numbers shots its own way
        ids = []
        for f in result.faces:
            ids.append(catalog.insert("faces", {
                "media_id": media["id"], "shot_id": shots.get(f.shot_idx), "shot_idx": f.shot_idx, "frame": f.frame,
                "x": f.box[0], "y": f.box[1], "w": f.box[2], "h": f.box[3], "score": f.score,
                "embedding": f.embedding.astype("<f2").tobytes(), "thumb": f.thumb, "model": result.model}))
        people = assign_faces(catalog, ids)
        return f"{len(ids)} faces in {result.frames} frames, {people} people"
