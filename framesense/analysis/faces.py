"""The faces stage: faces found, tracked and embedded in the frames the shots scan hands over.

Frames are sampled like the visual stage samples them (each shot's thumbnail frame, plus one
every ``FACE_EVERY_S``), scaled to ``ANALYSIS_W`` pixels wide (never up) and handed to
``face_tracks.FaceTrackSession``: near-duplicate samples skipped, a fine search only where small
faces are, one row per face track (its best sample: box as fractions of the frame, a float16
128-d descriptor, a JPEG crop) embedded once. ``store`` then clusters the new faces into people
(``people.assign_faces``), honouring what the user pinned.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from ..models import faces as face_models
from . import face_pool
from .base import FrameConsumer, FrameRequest, FrameSession, shot_ids
from .face_tracks import ANALYSIS_W, MIN_SCORE, FaceTrackSession, frame_rgb, thumb_jpeg

__all__ = ["ANALYSIS_W", "Face", "FacesAnalyzer", "detect_faces", "frame_rgb", "image_faces"]

FACE_EVERY_S = 1.0
UPSAMPLE = 1            # HOG pyramid doubling for a still (``image_faces``): faces down to about 40 px
MIN_FACE_PX = 36        # smaller boxes in a still (at ANALYSIS_W) are too blurry to identify


@dataclass
class Face:
    box: tuple[float, float, float, float]   # x, y, w, h as fractions of the picture
    score: float
    embedding: np.ndarray                    # float32 (128,)
    thumb: bytes = b""
    frame: int = 0                           # the track's best sample (its thumbnail's frame)
    shot_id: int | None = None
    shot_idx: int = 0
    track_start: int | None = None           # first and last sampled frame the face was seen in
    track_end: int | None = None
    samples: int = 1                         # sampled frames it was seen in

    @property
    def area(self) -> float:
        return self.box[2] * self.box[3]


def detect_faces(models: "face_models.FaceModels", rgb: np.ndarray, *, upsample: int = UPSAMPLE,
                 min_px: int = MIN_FACE_PX, min_score: float = MIN_SCORE, thumbs: bool = True) -> list[Face]:
    """Faces in one RGB picture (uint8 HxWx3), largest first. The picture is used at its own size."""
    h, w = rgb.shape[:2]
    with _DLIB:            # one model set per process, shared by the index and the app's search workers
        found = face_pool.detect(rgb, upsample, min_px, min_score, models.accurate)
        faces = [Face(((s.box[0]) / w, s.box[1] / h, (s.box[2] - s.box[0]) / w, (s.box[3] - s.box[1]) / h),
                      s.score, face_pool.embed(s.crop, s.crop_box, models.accurate),
                      thumb_jpeg(s.crop, s.crop_box) if thumbs else b"") for s in found]
    faces.sort(key=lambda f: -f.area)
    return faces


_DLIB = threading.Lock()


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
    frames: int = 0              # samples handed over
    analysed: int = 0            # samples searched (the rest repeated the sample before them)
    fine: int = 0                # fine (small-face) whole-picture searches among them (one a shot)
    regions: int = 0             # fine searches of the region around a small face seen a sample before
    cpu: dict = field(default_factory=dict)   # CPU seconds by step (convert, coarse, fine, regions, embed), and
                                              # "stage": all of it, with the helper processes' overhead


class _Session(FrameSession):
    def __init__(self, accurate: bool, model: str, workers: int | None, rate=25.0):
        self.model = model
        self.tracks = FaceTrackSession(accurate, workers, float(rate or 25.0))

    def add(self, index, shot_idx, frame):
        self.tracks.add(index, shot_idx, frame)

    def result(self) -> FacesResult:
        out = FacesResult(self.model)
        for t in self.tracks.tracks():
            frame, s = t.best
            w, h = t.size
            l, top, r, b = s.box
            out.faces.append(Face((l / w, top / h, (r - l) / w, (b - top) / h), s.score, t.embedding,
                                  thumb_jpeg(s.crop, s.crop_box), frame, None, t.shot_idx, t.start, t.end,
                                  t.samples))
        t = self.tracks
        out.frames, out.analysed, out.fine, out.regions = t.handed, t.analysed, t.fine_searches, t.region_searches
        out.cpu = {k: round(v, 2) for k, v in t.cpu.items()}
        out.cpu["stage"] = round(t.stage_cpu(), 2)
        return out


class FacesAnalyzer(FrameConsumer):
    """Samples: each shot's thumbnail frame plus one a second (fed by the shots scan)."""
    name = "faces"
    version = "2"
    requires = ("shots",)
    owns_tables = ("faces",)

    def __init__(self, options: dict | None = None):
        options = options or {}
        self.accurate = bool(options.get("faces_accurate"))
        self.every_s = float(options.get("faces_every") or FACE_EVERY_S)
        self.workers = options.get("faces_workers")
        self.frame_request = FrameRequest(every_s=self.every_s, representative=True)

    def model_id(self):
        return face_models.model_id(self.accurate)

    def unavailable_reason(self):
        return face_models.problem(self.accurate)

    def applies_to(self, media):
        return bool(media.get("has_video"))

    def frame_session(self, media, rate):
        face_models.load(self.accurate)          # a missing model fails the stage before the scan
        return _Session(self.accurate, self.model_id(), None if self.workers is None else int(self.workers), rate)

    def store(self, catalog, media, result: FacesResult):
        from .people import assign_faces, apply_pins
        ids_of = shot_ids(catalog, media["id"])   # the writer's ids: a worker's snapshot numbers shots its own way
        catalog.execute("DELETE FROM faces WHERE media_id = ?", (media["id"],))
        ids = []
        for f in result.faces:
            ids.append(catalog.insert("faces", {
                "media_id": media["id"], "shot_id": ids_of.get(f.shot_idx), "shot_idx": f.shot_idx,
                "frame": f.frame, "track_start": f.track_start, "track_end": f.track_end, "samples": f.samples,
                "x": f.box[0], "y": f.box[1], "w": f.box[2], "h": f.box[3], "score": f.score,
                "embedding": f.embedding.astype("<f2").tobytes(), "thumb": f.thumb, "model": result.model}))
        apply_pins(catalog, media["id"], ids)
        people = assign_faces(catalog, ids)
        cpu = ", ".join(f"{k} {v:.1f}" for k, v in result.cpu.items())
        return (f"{len(ids)} faces (tracks) in {result.frames} sampled frames ({result.analysed} searched, "
                f"{result.fine} finely, {result.regions} small-face regions), {people} people"
                + (f"; CPU s: {cpu}" if cpu else ""))
