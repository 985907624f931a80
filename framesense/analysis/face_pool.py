"""dlib work of the faces stage spread over the machine's cores.

dlib holds Python's GIL while it detects or embeds, so threads would not help: detection and
embedding run in a small pool of spawned processes (one per core, at most ``MAX_WORKERS``),
started once per indexing process and reused for every file. The decode pass keeps going while
they work. Inside a ``--jobs`` or Ray worker the files themselves already use the cores, so the
work runs inline there (``workers`` 0), as it does on a one-core machine.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from ..child_process import exit_with_parent

MAX_WORKERS = 2
CROP_MARGIN = 0.6      # a sample keeps its face box plus this much of its size on each side (room for alignment)


@dataclass
class Sample:
    """One face found in one analysed frame: where, how sure, and the crop it can be embedded from."""
    box: tuple[int, int, int, int]          # left, top, right, bottom in the analysed picture's pixels
    score: float
    frontal: bool                           # HOG's front-facing sub-detector found it (the others: turned)
    sharpness: float                        # Laplacian variance of the face, at a fixed size
    crop: np.ndarray                        # RGB around the face (box + CROP_MARGIN)
    crop_box: tuple[int, int, int, int]     # the face box inside ``crop``


def default_workers() -> int:
    """Processes to use here: 0 (inline) in a worker process or on one core, else up to MAX_WORKERS."""
    if multiprocessing.current_process().name != "MainProcess" or os.environ.get("RAY_JOB_ID"):
        return 0
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return min(MAX_WORKERS, cores) if cores > 1 else 0


# -- what runs in a worker (or inline) ----------------------------------------------------------

def _sharpness(gray: np.ndarray) -> float:
    from PIL import Image
    g = np.asarray(Image.fromarray(gray).resize((48, 48), Image.BILINEAR), dtype=np.float32)
    lap = g[1:-1, 1:-1] * 4 - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:]
    return float(lap.var())


def detect(rgb: np.ndarray, upsample: int, min_px: int, min_score: float, accurate: bool = False,
           offset: tuple[float, float] = (0, 0), scale: float = 1.0, prescaled: bool = False,
           luma: bool = False) -> list[Sample]:
    """Faces in ``rgb`` seen ``scale`` times larger than the analysed picture (resized here, or
    already that size when ``prescaled``), at this pyramid upsampling; at least ``min_px`` high in
    analysed pixels. Boxes come back in analysed pixels, moved by ``offset`` (a region's corner);
    crops are cut from the larger picture. ``luma``: HOG looks at the grey picture (a fifth cheaper than
    colour; video frames), else at the colour one (stills, as the clustering threshold was chosen on)."""
    from PIL import Image

    from ..models import faces as face_models
    models = face_models.load(accurate)
    rgb = np.ascontiguousarray(rgb[..., :3], dtype=np.uint8)
    if scale != 1.0 and not prescaled:
        rgb = np.asarray(Image.fromarray(rgb).resize((round(rgb.shape[1] * scale), round(rgb.shape[0] * scale)),
                                                     Image.BICUBIC))
    h, w = rgb.shape[:2]
    if models.accurate:
        found = [(d.rect, float(d.confidence), 0) for d in models.detector(rgb, upsample)]
    else:
        seen = np.asarray(Image.fromarray(rgb).convert("L")) if luma else rgb
        rects, scores, kinds = models.detector.run(seen, upsample, 0.0)
        found = list(zip(rects, (float(s) for s in scores), (int(k) for k in kinds)))
    out = []
    for rect, score, kind in found:
        l, t, r, b = max(0, rect.left()), max(0, rect.top()), min(w, rect.right()), min(h, rect.bottom())
        if min(r - l, b - t) < min_px * scale or score < min_score:
            continue
        m = int(max(r - l, b - t) * CROP_MARGIN)
        cl, ct, cr, cb = max(0, l - m), max(0, t - m), min(w, r + m), min(h, b + m)
        crop = rgb[ct:cb, cl:cr].copy()
        gray = (rgb[t:b, l:r].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)).astype(np.uint8)
        ox, oy = offset
        box = (round(l / scale + ox), round(t / scale + oy), round(r / scale + ox), round(b / scale + oy))
        out.append(Sample(box, score, kind == 0, _sharpness(gray), crop, (l - cl, t - ct, r - cl, b - ct)))
    return out


def timed(fn, *args):
    """``fn(*args)`` and the CPU seconds it took where it ran (a helper process, or inline)."""
    import time
    t0 = time.thread_time()
    value = fn(*args)
    return value, time.thread_time() - t0


def embed(crop: np.ndarray, box: tuple[int, int, int, int], accurate: bool = False) -> np.ndarray:
    """The 128-d descriptor of the face at ``box`` in ``crop`` (5-point alignment, dlib's ResNet run with numpy)."""
    import dlib

    from ..models import faces as face_models
    from ..models.face_resnet import CHIP_PADDING, CHIP_PX
    models = face_models.load(accurate)
    crop = np.ascontiguousarray(crop, dtype=np.uint8)
    shape = models.landmarks(crop, dlib.rectangle(*box))
    return models.recogniser.descriptor(dlib.get_face_chip(crop, shape, CHIP_PX, CHIP_PADDING))


# -- the pool ---------------------------------------------------------------------------------

class _Inline:
    """The executor interface, run at once in this process."""

    def submit(self, fn, *args, **kwargs) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - raised again where the result is read
            fut.set_exception(exc)
        return fut


_POOLS: dict[int, ProcessPoolExecutor] = {}


_NO_POOL: list[str] = []      # why processes could not be started here (then faces are found inline)


def executor(workers: int):
    """A shared pool of ``workers`` spawned processes (inline when 0); kept for the process's life.
    Where processes cannot start (no semaphores, an interpreter the user may not run again, a
    sandbox) the work runs inline: slower, never lost."""
    if workers <= 0 or _NO_POOL:
        return _Inline()
    if not os.access(sys.executable, os.X_OK):        # spawned helpers run this interpreter again
        _NO_POOL.append(f"this user may not run {sys.executable}")
        return _Inline()
    pool = _POOLS.get(workers)
    if pool is None:
        try:
            pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=exit_with_parent)   # no orphans after a kill -9
            pool.submit(int, 0).result(timeout=120)     # a child that cannot start shows here, not mid-file
        except Exception as exc:  # noqa: BLE001 - any failure to start helpers means: work inline
            _NO_POOL.append(f"{type(exc).__name__}: {exc}")
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            return _Inline()
        _POOLS[workers] = pool
    return pool


def helpers_cpu(pool) -> float:
    """CPU seconds the pool's helper processes have used so far (0 inline: that work is timed in-thread)."""
    total = 0.0
    for pid in list(getattr(pool, "_processes", None) or {}):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            pass
    return total


@atexit.register
def _shutdown():
    for pool in _POOLS.values():
        pool.shutdown(wait=True, cancel_futures=True)
    _POOLS.clear()
