"""Frame-exact shot boundaries: hard cuts by adaptive content change, fades by darkness.

The detector sees one small Y/U/V sample grid per frame (see media.frames.sample_grid)
and never the full picture, so it costs almost nothing on top of decoding. Like
PySceneDetect's detectors it is a small push interface; a boundary is the index of
the first frame of the new shot.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Boundary:
    frame: int
    kind: str  # "cut" or "fade"


class ShotDetector:
    """Interface: push every frame's grid in order, collect boundaries, then finish()."""

    lag = 0  # frames a boundary may be reported after its frame was pushed
    luma = 0.0  # mean luma (8-bit) of the last frame pushed

    def push(self, index: int, grid: np.ndarray) -> list[Boundary]:
        raise NotImplementedError

    def finish(self) -> list[Boundary]:
        return []


class CutFadeDetector(ShotDetector):
    """Hard cuts: a frame differs from the previous one far more than its neighbours do.

    score(i) = mean |grid(i) - grid(i-1)| (luma weighted double). A cut at i needs
    score(i) >= min_score and score(i) >= ratio * the mean score of the ``window``
    frames on each side (an adaptive test, robust to camera motion). Fades: a run of
    dark frames between two lit ones puts a boundary in the middle of the run.
    """

    def __init__(self, ratio: float = 3.0, min_score: float = 10.0, window: int = 2,
                 min_shot: int = 6, dark: float = 24.0):
        self.ratio, self.min_score, self.window = ratio, min_score, window
        self.min_shot, self.dark = min_shot, dark
        self.lag = window + 1
        self._prev = None
        self._scores: deque[tuple[int, float, bool, np.ndarray]] = deque()
        self._last_boundary = 0
        self._dark_start: int | None = None
        self._seen_lit = False

    def push(self, index, grid):
        out = []
        luma = self.luma = float(grid[0].mean())
        is_dark = luma < self.dark
        if self._prev is not None:
            dy, du, dv = np.abs(grid - self._prev).reshape(3, -1).mean(axis=1)
            score = float((2 * dy + du + dv) / 4)
            both_dark = is_dark and self._prev_dark
            self._scores.append((index, score, both_dark, self._prev))
        self._prev, self._prev_dark = grid, is_dark
        out.extend(self._fade(index, is_dark))
        w = self.window
        if len(self._scores) >= 2 * w + 1:
            out.extend(self._judge(w))
            self._scores.popleft()
        return out

    def _judge(self, pos):
        scores = self._scores
        i, s, both_dark, before = scores[pos]
        if both_dark or s < self.min_score:
            return []
        around = [scores[k][1] for k in range(len(scores)) if k != pos]
        ref = sum(around) / len(around) if around else 0.0
        if s < self.ratio * max(ref, 1.0):
            return []
        # A flash (one odd frame, then the same picture as before) is not a cut: neither
        # the odd frame (i+1 looks like i-1) nor the return from it (i looks like i-2).
        if pos + 2 < len(scores) and self._alike(scores[pos + 2][3], before, s):
            return []
        if pos >= 1 and self._alike(scores[pos + 1][3] if pos + 1 < len(scores) else self._prev,
                                    scores[pos - 1][3], s):
            return []
        return self._emit(i, "cut")

    def _alike(self, a, b, jump) -> bool:
        return float(np.abs(a - b).mean()) < jump / self.ratio

    def _fade(self, index, is_dark):
        out = []
        if is_dark:
            if self._dark_start is None:
                self._dark_start = index
        else:
            if self._dark_start is not None and self._seen_lit:
                run = index - self._dark_start
                out = self._emit(self._dark_start + run // 2, "fade")
            self._dark_start = None
            self._seen_lit = True
        return out

    def _emit(self, frame, kind):
        if frame - self._last_boundary < self.min_shot:
            return []
        self._last_boundary = frame
        return [Boundary(frame, kind)]

    def finish(self):
        out = []
        w = self.window
        # judge the tail with the (shorter) right-hand context we have
        while len(self._scores) > w:
            out.extend(self._judge(w))
            self._scores.popleft()
        return out


def shots_from_boundaries(boundaries: list[Boundary], total_frames: int) -> list[tuple[int, int, str]]:
    """[(start, end_exclusive, transition)] covering [0, total_frames)."""
    starts = [(0, "start")] + [(b.frame, b.kind) for b in sorted(boundaries, key=lambda b: b.frame)
                               if 0 < b.frame < total_frames]
    shots = []
    for k, (start, kind) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else total_frames
        if end > start:
            shots.append((start, end, kind))
    return shots


def score_boundaries(detected: list[int], truth: list[int], tolerance: int = 0) -> dict:
    """Precision and recall of detected cut frames against known ones (greedy one-to-one match)."""
    unmatched = sorted(truth)
    tp = 0
    for d in sorted(detected):
        best = min(unmatched, key=lambda t: abs(t - d), default=None)
        if best is not None and abs(best - d) <= tolerance:
            unmatched.remove(best)
            tp += 1
    fp, fn = len(detected) - tp, len(unmatched)
    return {"tp": tp, "fp": fp, "fn": fn,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0}
