"""Same-footage fingerprints: learned-weight-free DCT hashes of a few frames per shot.

Archives reuse a shot recut, re-encoded, re-graded and boxed. Each sampled frame gets
two 64-bit hashes of its luma (the low 8x8 DCT coefficients against their median, so
any gain or offset in brightness cancels out):

- ``band``:   the central horizontal band of the full frame, which survives bars painted
              over the picture (masked letterbox, top/bottom crops);
- ``active``: the picture inside detected black bars, which survives a picture scaled
              into a letterbox or pillarbox.

Near-black or flat frames (fades, slates) carry no identity and are not stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from .base import FrameConsumer, FrameRequest, FrameSession, shot_ids

EVERY_S = 0.25          # one sample per quarter second of every shot
GRAY_W, GRAY_H = 128, 72
BAND = (0.3, 0.7)       # rows of the frame the band hash sees
BAR_LUMA, BAR_STD = 28.0, 10.0
MIN_STD = 4.0           # flatter pictures are not fingerprinted

_N = 32
_DCT = np.cos(np.pi * (2 * np.arange(_N)[None, :] + 1) * np.arange(_N)[:, None] / (2 * _N)).astype(np.float32)


def dct_hash(gray: np.ndarray) -> int:
    """64-bit hash (as signed int64) of a float luma array of any size."""
    small = np.asarray(Image.fromarray(gray.astype(np.float32), mode="F").resize((_N, _N), Image.BOX))
    small = (small - small.mean()) / (small.std() + 1e-6)
    coef = (_DCT @ small @ _DCT.T)[:8, :8].ravel()
    low = coef[1:]                                   # DC carries only brightness
    bits = np.concatenate([[0], low > np.median(low)]).astype(np.uint8)
    return int(np.packbits(bits).view(">u8")[0].astype(np.int64))


def active_box(gray: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the picture inside black bars."""
    def span(profile_mean, profile_std):
        lit = np.nonzero((profile_mean > BAR_LUMA) | (profile_std > BAR_STD))[0]
        return (int(lit[0]), int(lit[-1]) + 1) if lit.size else (0, profile_mean.size)
    top, bottom = span(gray.mean(axis=1), gray.std(axis=1))
    left, right = span(gray[top:bottom].mean(axis=0), gray[top:bottom].std(axis=0))
    return top, bottom, left, right


def frame_hashes(gray: np.ndarray) -> tuple[int, int] | None:
    """(band_hash, active_hash) of one luma picture, or None when it is flat or black."""
    gray = gray.astype(np.float32)
    t, b, l, r = active_box(gray)
    active = gray[t:b, l:r]
    if active.size < 64 or active.std() < MIN_STD:
        return None
    h = gray.shape[0]
    band = gray[int(h * BAND[0]): int(h * BAND[1])]
    return dct_hash(band), dct_hash(active)


def image_hashes(image: Image.Image) -> tuple[int, int] | None:
    gray = np.asarray(image.convert("L").resize((GRAY_W, GRAY_H), Image.BOX), dtype=np.float32)
    return frame_hashes(gray)


REQUEST = FrameRequest(every_s=EVERY_S, representative=True)


@dataclass
class FingerprintResult:
    rows: list[tuple[int, int, int, int]]   # (frame, shot idx, band_hash, active_hash)


class _Session(FrameSession):
    def __init__(self):
        self.rows: list[tuple[int, int, int, int]] = []

    def add(self, index, shot_idx, frame):
        gray = frame.reformat(width=GRAY_W, height=GRAY_H, format="gray", interpolation="AREA").to_ndarray()
        hashes = frame_hashes(gray)
        if hashes:
            self.rows.append((index, shot_idx, *hashes))

    def result(self):
        return FingerprintResult(sorted(self.rows))


class FingerprintAnalyzer(FrameConsumer):
    """Samples: every quarter second of each shot plus its thumbnail frame (fed by the shots scan)."""
    name = "fingerprint"
    version = "2"
    requires = ("shots",)
    owns_tables = ("shot_fingerprints",)
    frame_request = REQUEST

    def applies_to(self, media):
        return bool(media.get("has_video"))

    def frame_session(self, media, rate):
        return _Session()

    def store(self, catalog, media, result: FingerprintResult):
        ids = shot_ids(catalog, media["id"])
        catalog.execute("DELETE FROM shot_fingerprints WHERE media_id = ?", (media["id"],))
        catalog.conn.executemany(
            "INSERT INTO shot_fingerprints (media_id, shot_id, frame, band_hash, active_hash) VALUES (?, ?, ?, ?, ?)",
            [(media["id"], ids[idx], f, bh, ah) for f, idx, bh, ah in result.rows])
        return f"{len(result.rows)} frames fingerprinted"
