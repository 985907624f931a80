"""The shots stage: one decode pass yields shot boundaries, a thumbnail per shot, and the
sampled frames every frame stage (fingerprints, pictures, plugins) asked for."""

from __future__ import annotations

import io
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path


from ..atomic_files import write_atomic
from ..errors import MediaError
from ..media.tolerant import DecodeLoss, decode_frames
from ..media.frames import frame_image, open_video, sample_grid
from .base import AnalysisContext, Analyzer, FrameRequest, FrameSession
from .shots import Boundary, CutFadeDetector, ShotDetector, shots_from_boundaries

THUMB_WIDTH = 320


@dataclass
class ScanResult:
    frames: int
    shots: list[tuple[int, int, str]]
    thumbnails: dict[int, tuple[int, str, int, int]] = field(default_factory=dict)  # shot idx -> (frame, relpath, w, h)
    seconds: float = 0.0
    note: str | None = None
    warning: str | None = None     # damage the user should hear about (the file is still indexed)
    files: dict[str, bytes] = field(default_factory=dict)  # relpath -> JPEG; written by store() on the writer
    consumers: dict[str, dict] = field(default_factory=dict)  # stage -> _Feed.outcome()


class _Feed:
    """Hands one stage its frames during the scan; a stage that raises is cut off, the scan goes on."""

    def __init__(self, name: str, request: FrameRequest, session: FrameSession, rate):
        self.name, self.request, self.session = name, request, session
        self.step = request.step(rate) if rate else None
        self.error: tuple[str, str] | None = None
        self.seconds = 0.0

    def add(self, index, shot_idx, frame):
        if self.error is None:
            t0 = time.perf_counter()
            try:
                self.session.add(index, shot_idx, frame)
            except Exception as exc:  # noqa: BLE001 - recorded as this stage's failure
                self.error = (f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=8))
            self.seconds += time.perf_counter() - t0

    def grid(self, index, shot_start, shot_idx, frame):
        if self.request.on_grid(index, shot_start, self.step):
            self.add(index, shot_idx, frame)

    def representative(self, index, shot_start, shot_idx, frame):
        if self.request.representative and not self.request.on_grid(index, shot_start, self.step):
            self.add(index, shot_idx, frame)

    def outcome(self) -> dict:
        """{"status": done|failed, "result" | "reason" + "detail", "seconds": time spent on this stage}."""
        if self.error is None:
            t0 = time.perf_counter()
            try:
                result = self.session.result()
                return {"status": "done", "result": result, "seconds": self.seconds + time.perf_counter() - t0}
            except Exception as exc:  # noqa: BLE001
                self.error = (f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=8))
        return {"status": "failed", "reason": self.error[0], "detail": self.error[1], "seconds": self.seconds}


class _ThumbPicker:
    """Chooses a thumbnail near each shot's middle with one conversion per shot.

    Decoded frames at 1, 2, 4, 8... frames into the shot are kept by reference (no
    copy); the middle of a shot of length L lies between the last two of them, so
    only those two are kept, and the nearer lit one is converted when the shot ends.
    """

    def __init__(self, rel_base: str, dark: float):
        self.rel_base, self.dark = rel_base, dark
        self.candidates: list[tuple[int, bool, object]] = []  # (frame index, lit, av frame)
        self.shot_start = 0

    def offer(self, index, frame, luma):
        r = index - self.shot_start
        lit = luma >= self.dark
        if r == 0 or (r & (r - 1)) == 0 or not self.candidates or (lit and not self.candidates[-1][1]):
            self.candidates.append((index, lit, frame))
            lit_ones = [c for c in self.candidates if c[1]]
            if len(lit_ones) > 2:
                self.candidates.remove(lit_ones[0])
            elif len(self.candidates) > 3:
                self.candidates.pop(0)

    def close_shot(self, start, end):
        """Pick and encode the thumbnail for [start, end); drop candidates before end.

        Returns (frame, relpath, width, height, jpeg bytes, decoder frame) or None."""
        mine = [c for c in self.candidates if start <= c[0] < end]
        self.candidates = [c for c in self.candidates if c[0] >= end]
        self.shot_start = end
        if not mine:
            return None
        mid = (start + end - 1) / 2
        frame, _, av_frame = min(mine, key=lambda c: (not c[1], abs(c[0] - mid)))
        image = frame_image(av_frame, THUMB_WIDTH)
        rel = f"{self.rel_base}/{frame:08d}.jpg"
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=80)
        return frame, rel, image.width, image.height, buf.getvalue(), av_frame


def scan_video(path, library_dir: Path | None, media_key: str, *, detector: ShotDetector | None = None,
               progress=lambda f, note="": None, expected_frames: int | None = None,
               consumers: dict[str, tuple[FrameRequest, FrameSession]] | None = None, rate=None) -> ScanResult:
    """Decode every frame once: detect shots on sample grids, keep a thumbnail per shot, and hand
    each consumer (stage name -> (request, session)) the frames it asked for.

    With ``library_dir`` the thumbnails are written there at once; without, they stay in
    ``result.files`` for the writer (workers on other processes or machines)."""
    t0 = time.perf_counter()
    detector = detector or CutFadeDetector()
    dark = getattr(detector, "dark", 24.0)
    picker = _ThumbPicker(f"thumbnails/{media_key[:2]}/{media_key}", dark)
    feeds = [_Feed(name, req, session, rate) for name, (req, session) in (consumers or {}).items()]
    files: dict[str, bytes] = {}
    boundaries: list[Boundary] = []
    closed_until = 0
    shot_idx = 0
    thumbs: dict[int, tuple] = {}
    pending: deque = deque()
    count = 0
    note = None

    def keep(idx, start, thumb):
        frame, rel, w, h, data, av_frame = thumb
        thumbs[idx] = (frame, rel, w, h)
        files[rel] = data
        for feed in feeds:
            feed.representative(frame, start, idx, av_frame)

    def settle(upto_frame):
        """Close every shot whose end boundary is now known and lies at or before upto_frame."""
        nonlocal closed_until, shot_idx
        for b in sorted(boundaries, key=lambda b: b.frame):
            if closed_until < b.frame <= upto_frame:
                thumb = picker.close_shot(closed_until, b.frame)
                if thumb:
                    keep(shot_idx, closed_until, thumb)
                shot_idx += 1
                closed_until = b.frame

    def hand_over(idx, f, luma):
        settle(idx)
        picker.offer(idx, f, luma)
        for feed in feeds:
            feed.grid(idx, closed_until, shot_idx, f)

    with open_video(path) as (container, stream):
        loss = DecodeLoss("video", stream.index)
        lost = 0
        held = None
        for frame in decode_frames(container, stream, loss):
            # a damaged frame keeps its place: the frame before it stands in, so indexes stay true
            for _ in range(loss.packets - lost if held is not None else 0):
                boundaries.extend(detector.push(count, held[0]))
                pending.append((count, held[1], held[2]))
                count += 1
            if held is None:
                count += loss.packets - lost
            lost = loss.packets
            grid = sample_grid(frame)
            boundaries.extend(detector.push(count, grid))
            pending.append((count, frame, detector.luma))
            held = (grid, frame, detector.luma)
            count += 1
            while len(pending) > detector.lag:
                hand_over(*pending.popleft())
            if expected_frames and count % 64 == 0:
                progress(min(count / expected_frames, 1.0), f"frame {count}/{expected_frames}")
        if loss:
            note = f"damaged: {loss.note()}"
            if held is None:
                raise MediaError(path, f"cannot decode video: {loss.reason or 'no decodable frames'}")
    if count == 0:
        raise MediaError(path, "the video stream has no decodable frames")
    boundaries.extend(detector.finish())
    while pending:
        hand_over(*pending.popleft())
    settle(count)
    shots = shots_from_boundaries(boundaries, count)
    last = picker.close_shot(closed_until, count)
    if last:
        keep(len(shots) - 1, closed_until, last)
    if expected_frames and count < expected_frames * 0.98 and not note:
        note = f"decoded {count} of {expected_frames} frames the header promises (truncated?)"
    result = ScanResult(frames=count, shots=shots, thumbnails=thumbs, seconds=time.perf_counter() - t0,
                        note=note, warning=note if loss else None, files=files,
                        consumers={f.name: f.outcome() for f in feeds})
    if library_dir is not None:
        write_files(Path(library_dir), result.files)
        result.files = {}
    return result


def write_files(library_dir: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        write_atomic(library_dir / rel, data)


class ShotsAnalyzer(Analyzer):
    name = "shots"
    version = "1"
    owns_tables = ("shots", "thumbnails")

    def applies_to(self, media):
        return bool(media.get("has_video"))

    def analyze(self, ctx: AnalysisContext, consumers: dict | None = None) -> ScanResult:
        """The scan; ``consumers`` (stage -> (request, session)) ride along on the same decode.
        Thumbnails travel in the result and are written by ``store`` on the writer."""
        from ..catalog import media_rate

        m = ctx.media
        return scan_video(m["path"], None, m["content_hash"] or f"id{m['id']}",
                          progress=ctx.progress, expected_frames=m.get("frames"),
                          consumers=consumers, rate=media_rate(m))

    def store(self, catalog, media, result: ScanResult):
        mid = media["id"]
        write_files(Path(catalog.dir), result.files)
        catalog.execute("DELETE FROM thumbnails WHERE media_id = ?", (mid,))
        catalog.execute("DELETE FROM shots WHERE media_id = ?", (mid,))
        for k, (start, end, kind) in enumerate(result.shots):
            sid = catalog.insert("shots", {"media_id": mid, "idx": k, "start_frame": start,
                                           "end_frame": end, "transition": kind})
            thumb = result.thumbnails.get(k)
            if thumb:
                frame, rel, w, h = thumb
                catalog.insert("thumbnails", {"media_id": mid, "shot_id": sid, "frame": frame,
                                              "path": rel, "width": w, "height": h})
        rate = (media["rate_num"], media["rate_den"])
        catalog.update("media", mid, {"frames": result.frames,
                                      "duration": result.frames * rate[1] / rate[0]
                                      if all(rate) else media["duration"]})
        return result.note
