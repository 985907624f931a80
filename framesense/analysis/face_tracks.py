"""The faces stage's frame session: look only where a face can be new, embed each face once.

Fed by the shots scan (one decode), samples are held per shot until the shot ends; then

- a sample that is a near-duplicate of the last kept sample of its shot (mean luma change under
  ``DUP_DIFF`` on a 64x36 picture taken from the Y plane: interviews hold still), or that comes
  under ``KEY_GAP_S`` after it, is not searched; it counts as a repeat of the kept one, whose
  faces are taken to be there too. Only kept samples are converted to RGB;
- the shot's first kept sample is searched finely: the decoded frame at ``FINE_W`` (1280 px, a
  720p frame's own pixels), inside any black bars, no pyramid doubling: faces down to about 30 px
  at the 640-px analysis width. The others coarsely at 640 px (faces from about 80 px), plus a
  search at ``REGION_SCALE`` of the small region around each face under ``SMALL_PX`` the sample
  before had (where it can have moved to). A small face that enters a shot after its first
  sample is not looked for;
- a face seen in consecutive searched samples (moved under ``TRACK_REACH`` face heights) is one
  track, embedded once, from its best sample (front-facing first, then the sharpest) which is
  also kept as its thumbnail. HOG runs on luma (video only: stills keep colour); descriptors come from dlib's ResNet run with
  numpy (models/face_resnet.py).

Searches and embeddings run in ``face_pool``'s processes while the decode goes on; the shot
before the current one is settled as each shot ends (its region searches done, its faces followed
into tracks, the tracks that ended sent to be embedded), so memory holds two shots' frames at most.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from . import face_pool
from .fingerprint import active_box

ANALYSIS_W = 640        # samples are searched at this width (coarsely: faces from about 80 px)
FINE_W = 1280           # ... and each shot's first one also at this width (for 720p its own pixels): faces from ~30 px
DUP_DIFF = 2.5          # mean |luma change| (0-255) at 64x36 under which a sample repeats the last analysed one
REGION_SCALE = 2.5      # a small-face region is seen up to 2.5 x larger (no doubling): faces from ~32 px
REGION_FACE_PX = 96     # ... so that its face is about this high (HOG's window is 80 px)
KEY_GAP_S = 2.0         # after a shot's first sample, one searched at most every 2 s (the ones between: repeats)
SMALL_PX = 80           # a face under this (at 640 px) is missed by the coarse search: looked for finely near it
TRACK_REACH = 1.5       # a face moves at most 1.5 face heights between samples (a second apart) to stay one track
TRACK_GROWTH = 1.5      # ... and grows or shrinks by at most this factor
MIN_FACE_PX = 30        # smaller boxes (at 640 px) are too blurry to identify
MIN_SCORE = 0.3         # HOG scores below this were mostly textures, not faces (astronaut's suit: 0.12)
THUMB_PX = 64
MAX_HELD = 120          # samples of one shot held (at 640 px) before it is searched: a long shot goes in parts


def thumb_jpeg(crop: np.ndarray, box: tuple[int, int, int, int]) -> bytes:
    """A small JPEG of the face at ``box`` in ``crop`` with a quarter of its size around it."""
    h, w = crop.shape[:2]
    l, t, r, b = box
    m = (r - l) // 4
    img = Image.fromarray(crop[max(0, t - m): min(h, b + m), max(0, l - m): min(w, r + m)])
    img.thumbnail((THUMB_PX, THUMB_PX))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def frame_rgb(frame, width: int = ANALYSIS_W, upscale: bool = False) -> np.ndarray:
    """An av.VideoFrame as RGB ``width`` wide (display aspect kept), never wider than it is unless ``upscale``."""
    sar = getattr(frame, "sample_aspect_ratio", None)
    display_w = frame.width * float(sar) if sar else frame.width
    w = width if upscale else min(width, int(round(display_w)))
    h = max(2, int(round(frame.height * w / display_w)))
    return frame.reformat(width=w, height=h, format="rgb24",
                          interpolation="AREA" if w <= display_w else "BICUBIC").to_ndarray()


def luma_thumb(frame) -> np.ndarray:
    """The frame's luma at 64x36 (float32): what the near-duplicate test compares. Averaged from
    every 4th pixel of the Y plane where the frame is planar 8-bit YUV (no conversion), else scaled."""
    from ..media.frames import _is_planar_yuv, _plane_view
    planar, deep = _is_planar_yuv(frame.format)
    y = _plane_view(frame.planes[0])[::4, ::4] if planar and not deep else None
    if y is None or y.shape[0] < 36 or y.shape[1] < 64:     # not 8-bit planar, or under 256x144: scaled
        return frame.reformat(width=64, height=36, format="gray", interpolation="AREA").to_ndarray().astype(np.float32)
    y = y.astype(np.float32)
    rows = np.linspace(0, y.shape[0], 37).astype(int)[:-1]
    cols = np.linspace(0, y.shape[1], 65).astype(int)[:-1]
    sums = np.add.reduceat(np.add.reduceat(y, rows, axis=0), cols, axis=1)
    counts = np.outer(np.diff(np.append(rows, y.shape[0])), np.diff(np.append(cols, y.shape[1])))
    return (sums / counts - 16.0) * (255.0 / 219.0)      # video range to full, as the scaled gray picture has it


def _active(rgb: np.ndarray) -> tuple[int, int, int, int]:
    """The picture inside any black bars (top, bottom, left, right); the whole one if that is too small."""
    gray = rgb[::2, ::2].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    t, b, l, r = (2 * v for v in active_box(gray))
    b, r = min(b, rgb.shape[0]), min(r, rgb.shape[1])
    if b - t < 2 * MIN_FACE_PX or r - l < 2 * MIN_FACE_PX:
        return 0, rgb.shape[0], 0, rgb.shape[1]
    return t, b, l, r


def _step(a, b) -> float | None:
    """How far box ``b`` lies from box ``a`` in face heights, or None when it cannot be the same
    face a sample later (moved more than ``TRACK_REACH`` heights, or grown/shrunk past ``TRACK_GROWTH``)."""
    ha, hb = a[3] - a[1], b[3] - b[1]
    if max(ha, hb) > TRACK_GROWTH * min(ha, hb):
        return None
    d = np.hypot((a[0] + a[2] - b[0] - b[2]) / 2, (a[1] + a[3] - b[1] - b[3]) / 2) / ((ha + hb) / 2)
    return float(d) if d <= TRACK_REACH else None


def _overlap(a, b) -> bool:
    """The same face found twice (a region search and the whole-picture one): centres within half a face."""
    h = max(a[3] - a[1], b[3] - b[1])
    return abs((a[0] + a[2]) - (b[0] + b[2])) / 2 < h / 2 and abs((a[1] + a[3]) - (b[1] + b[3])) / 2 < h / 2


def _quality(s: face_pool.Sample) -> tuple:
    return (s.frontal, s.sharpness * min(1.0, (s.box[3] - s.box[1]) / SMALL_PX), s.score)


@dataclass
class _Analysed:
    frame: int
    rgb: np.ndarray | None                  # at ANALYSIS_W
    last: int                               # the last sample (frame) this one stands for (its repeats)
    repeats: int = 0                        # samples after it skipped as its near-duplicates
    search: object = None                   # the whole-picture search (a future of face_pool.detect)
    small: np.ndarray | None = None         # 64x36 luma, for the near-duplicate test
    fine: np.ndarray | None = None          # at FINE_W: the shot's first sample only


@dataclass
class _Shot:
    idx: int
    size: tuple[int, int]                   # analysed picture (w, h)
    frames: list[_Analysed] = field(default_factory=list)
    settled: bool = False


@dataclass
class Track:
    shot_idx: int
    start: int
    end: int
    best: tuple[int, face_pool.Sample]      # (frame, sample)
    samples: int = 1
    last_box: tuple = ()
    size: tuple[int, int] = (0, 0)          # the analysed picture (w, h) its boxes are in
    embedding: object = None                # a future, then the vector


class FaceTrackSession:
    """One file's faces: ``add`` each sampled frame in stream order (by shot), then ``tracks``."""

    def __init__(self, accurate: bool = False, workers: int | None = None, rate: float = 25.0):
        self.accurate = accurate
        self.key_gap = max(1, round(KEY_GAP_S * rate) - 1)
        self.pool = face_pool.executor(face_pool.default_workers() if workers is None else workers)
        self.pending: list[_Analysed] = []
        self.shot: int | None = None
        self.shots: list[_Shot] = []
        self.handed = self.analysed = self.fine_searches = self.region_searches = 0
        self.cpu: dict[str, float] = {}        # CPU seconds by step: convert, coarse, fine, regions, embed
        self.main_cpu = 0.0                     # this thread's CPU in add/tracks (conversions, handing work over)
        self.helpers_start = face_pool.helpers_cpu(self.pool)
        self.open_tracks: list[Track] = []
        self.open_idx: int | None = None
        self.all_tracks: list[Track] = []

    # -- feeding -------------------------------------------------------------------------------
    def add(self, index: int, shot_idx: int, frame) -> None:
        """``frame``: the decoder's frame (av.VideoFrame). A near-duplicate of the last sample kept
        in its shot, or one under ``KEY_GAP_S`` after it, is only counted (a repeat); the others are
        scaled to ``ANALYSIS_W``, and the first kept sample of a shot also to ``FINE_W`` (its fine search)."""
        t_in = time.thread_time()
        if shot_idx != self.shot:
            self._close_shot()
            self.shot = shot_idx
        self.handed += 1
        t0 = time.thread_time()
        small = luma_thumb(frame)
        held = self.pending
        if held and (abs(index - held[-1].frame) < self.key_gap or
                     float(np.abs(small - held[-1].small).mean()) < DUP_DIFF):
            held[-1].last = max(held[-1].last, index)
            held[-1].repeats += 1
        else:
            fine = frame_rgb(frame, FINE_W, upscale=True) if not held else None
            held.append(_Analysed(index, frame_rgb(frame), index, small=small, fine=fine))
        self.cpu["convert"] = self.cpu.get("convert", 0.0) + time.thread_time() - t0
        if len(held) >= MAX_HELD:      # a very long shot is searched in parts (tracks go on across them)
            self._close_shot()
        self.main_cpu += time.thread_time() - t_in

    def _submit(self, step: str, fn, *args):
        return step, self.pool.submit(face_pool.timed, fn, *args)

    def _take(self, job):
        """A submitted job's value; its CPU seconds go to its step's count."""
        step, fut = job
        value, cpu = fut.result()
        self.cpu[step] = self.cpu.get(step, 0.0) + cpu
        return value

    def _close_shot(self):
        if self.shot is None or not self.pending:
            return
        frames = sorted(self.pending, key=lambda a: a.frame)
        h, w = frames[0].rgb.shape[:2]
        shot = _Shot(self.shot, (w, h), frames)
        self.pending = []
        self.analysed += len(frames)
        for a in frames:
            a.search = self._search(a.rgb) if a.fine is None else self._fine(a.fine, w)
            a.fine = a.small = None
        for earlier in self.shots:
            if not earlier.settled:
                self._settle(earlier)
        self.shots = [shot]                    # settled shots live on in their tracks

    def _search(self, rgb: np.ndarray):
        """A coarse whole-picture search (inside any black bars): faces from about 80 px."""
        t, b, l, r = _active(rgb)
        return self._submit("coarse", face_pool.detect, np.ascontiguousarray(rgb[t:b, l:r]), 0, MIN_FACE_PX,
                            MIN_SCORE, self.accurate, (l, t), 1.0, False, True)

    def _fine(self, big: np.ndarray, w: int):
        """The fine search of a shot's first sample: its picture at ``FINE_W`` (inside any black bars),
        no pyramid doubling; boxes come back in analysis pixels, crops at the finer size."""
        k = big.shape[1] / w
        t, b, l, r = _active(big)
        self.fine_searches += 1
        return self._submit("fine", face_pool.detect, np.ascontiguousarray(big[t:b, l:r]), 0, MIN_FACE_PX,
                            MIN_SCORE, self.accurate, (l / k, t / k), k, True, True)

    def _near(self, rgb: np.ndarray, box):
        """A fine search of the region a small face seen a sample before can have moved to, magnified
        just enough for the face to be about ``REGION_FACE_PX`` high (at most ``REGION_SCALE``)."""
        h, w = rgb.shape[:2]
        reach = int((box[3] - box[1]) * (TRACK_REACH + 0.5))
        scale = min(REGION_SCALE, max(1.0, REGION_FACE_PX / max(1, box[3] - box[1])))
        l, t, r, b = max(0, box[0] - reach), max(0, box[1] - reach), min(w, box[2] + reach), min(h, box[3] + reach)
        self.region_searches += 1
        return self._submit("regions", face_pool.detect, np.ascontiguousarray(rgb[t:b, l:r]), 0, MIN_FACE_PX,
                            MIN_SCORE, self.accurate, (l, t), scale, False, True)

    def _settle(self, shot: _Shot):
        """Each analysed sample's faces: the coarse search's, plus the small faces of the sample
        before it looked for finely near where they were (the first sample was searched finely)."""
        prev: list[face_pool.Sample] = []
        for k, a in enumerate(shot.frames):
            found = self._take(a.search)
            if k:
                near = [self._near(a.rgb, s.box) for s in prev if s.box[3] - s.box[1] < SMALL_PX
                        and not any(_step(s.box, c.box) is not None for c in found)]
                for fut in near:
                    found += [s for s in self._take(fut) if not any(_overlap(s.box, c.box) for c in found)]
            a.rgb, a.search = None, None
            self._follow(shot, a, found)
            prev = found
        shot.settled = True

    def _follow(self, shot: _Shot, a: _Analysed, found: list[face_pool.Sample]):
        """Extend the open tracks with this sample's faces (nearest first), start tracks for the rest;
        a track not seen in this sample is over and sent to be embedded."""
        if shot.idx != self.open_idx:
            self._end(self.open_tracks)
            self.open_tracks, self.open_idx = [], shot.idx
        opened = self.open_tracks
        pairs = sorted((d, i, j) for i, t in enumerate(opened) for j, s in enumerate(found)
                       if (d := _step(t.last_box, s.box)) is not None)
        taken_t, taken_s, still = set(), set(), []
        for _, i, j in pairs:
            if i in taken_t or j in taken_s:
                continue
            taken_t.add(i)
            taken_s.add(j)
            t, s = opened[i], found[j]
            t.end, t.last_box, t.samples = a.last, s.box, t.samples + 1 + a.repeats
            if _quality(s) > _quality(t.best[1]):
                t.best = (a.frame, s)
            still.append(t)
        self._end([t for i, t in enumerate(opened) if i not in taken_t])
        for j, s in enumerate(found):
            if j not in taken_s:
                t = Track(shot.idx, a.frame, a.last, (a.frame, s), 1 + a.repeats, s.box, shot.size)
                self.all_tracks.append(t)
                still.append(t)
        self.open_tracks = still

    def _end(self, tracks: list[Track]):
        for t in tracks:
            s = t.best[1]
            t.embedding = self._submit("embed", face_pool.embed, s.crop, s.crop_box, self.accurate)

    # -- results -------------------------------------------------------------------------------
    def tracks(self) -> list[Track]:
        """Every face track of the file, each embedded once (from its best sample)."""
        t_in = time.thread_time()
        self._close_shot()
        for shot in self.shots:
            if not shot.settled:
                self._settle(shot)
        self._end(self.open_tracks)
        self.open_tracks = []
        for t in self.all_tracks:
            t.embedding = self._take(t.embedding)
        self.main_cpu += time.thread_time() - t_in
        return self.all_tracks

    def stage_cpu(self) -> float:
        """The file's faces CPU seconds: this thread's part plus the helper processes' (their
        decoding of what was handed over included); inline, the timed steps ran in this thread."""
        helpers = face_pool.helpers_cpu(self.pool) - self.helpers_start
        return self.main_cpu + helpers
