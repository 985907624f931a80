"""The one small interface every index stage implements, built-in or plugin.

An analyzer computes without touching the catalog (``analyze``), then the
pipeline opens one transaction in which the analyzer replaces its rows for
that media (``store``) and the run is recorded. A crash in ``analyze`` loses
nothing; a kill during ``store`` rolls the whole unit back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..catalog import Catalog

ProgressFn = Callable[[float, str], None]  # (fraction of this stage done 0..1, note)


@dataclass
class AnalysisContext:
    catalog: Catalog
    media: dict                     # the media row
    library_dir: Path
    progress: ProgressFn = lambda fraction, note="": None
    options: dict = field(default_factory=dict)
    snapshot: bytes | None = None   # in a worker: its catalog view (analysis/perfile.py), for a plugin's process


class Analyzer:
    name: str = ""
    version: str = "1"
    requires: tuple[str, ...] = ()   # analyzers whose results this one reads
    owns_tables: tuple[str, ...] = ()

    def model_id(self) -> str | None:
        """Identifies the model in use; a change re-runs the analyzer."""
        return None

    def unavailable_reason(self) -> str | None:
        """Why this analyzer cannot run on this machine (None when it can)."""
        return None

    def applies_to(self, media: dict) -> bool:
        return True

    def analyze(self, ctx: AnalysisContext) -> Any:
        raise NotImplementedError

    def store(self, catalog: Catalog, media: dict, result: Any) -> str | None:
        """Replace this analyzer's rows for the media; may return a detail note."""
        raise NotImplementedError


# -- frame consumers: stages that read sampled frames of each shot ---------------------------

@dataclass(frozen=True)
class FrameRequest:
    """Which frames of each shot a stage reads; the same rule whether the shots scan hands them over
    or the stage decodes alone, so both give the same rows.

    ``every_s``: frames start + step//2 + k*step inside each shot (step = every_s at the media rate);
    ``representative``: the shot's thumbnail frame (near its middle, lit when it can be).
    Both rules are decidable while a file streams past, which is what lets one decode serve all.
    """
    every_s: float | None = None
    representative: bool = True

    def step(self, rate) -> int | None:
        return max(1, int(round(self.every_s * rate))) if self.every_s else None

    def on_grid(self, frame: int, shot_start: int, step: int | None) -> bool:
        if not step:
            return False
        r = frame - shot_start - step // 2
        return r >= 0 and r % step == 0

    def frames(self, shots: list[dict], rate) -> dict[int, int]:
        """{frame: shot idx} for catalogued shots (``Catalog.shots`` rows, with thumbnail_frame)."""
        step = self.step(rate)
        out: dict[int, int] = {}
        for s in shots:
            a, b = s["start_frame"], s["end_frame"]
            if step:
                for f in range(a + step // 2, b, step):
                    out[f] = s["idx"]
            if self.representative and s.get("thumbnail_frame") is not None:
                out.setdefault(s["thumbnail_frame"], s["idx"])
        return out



def sample_frames(shots: list[dict], rate, every_s: float | None) -> dict[int, int]:
    """{frame: shot id} a stage sampling every ``every_s`` seconds (plus each shot's thumbnail) reads,
    for plain shot rows (id, start, end): the thumbnail is the middle frame unless the row names one.
    For estimates, benchmarks and tests; a stage itself uses the catalogued thumbnail frame."""
    rows = [dict(s, idx=s["id"], thumbnail_frame=s.get("thumbnail_frame", (s["start_frame"] + s["end_frame"] - 1) // 2))
            for s in shots]
    return FrameRequest(every_s=every_s, representative=True).frames(rows, rate)


class FrameSession:
    """One file's worth of frames for one stage: ``add`` each frame handed over, then ``result``."""

    def add(self, index: int, shot_idx: int, frame) -> None:
        """``frame`` is a decoder frame (av.VideoFrame); convert it once, to the size you need."""
        raise NotImplementedError

    def result(self) -> Any:
        raise NotImplementedError


class FrameConsumer(Analyzer):
    """An analyzer fed by the shots scan: the file is decoded once for every frame stage.

    Implement ``frame_session``. Run later on its own (shots already catalogued), the stage
    decodes just the frames its request names (``analyze`` below).
    """
    requires = ("shots",)
    frame_request = FrameRequest()

    def frame_session(self, media: dict, rate) -> FrameSession:
        raise NotImplementedError

    def analyze(self, ctx: AnalysisContext) -> Any:
        from ..catalog import media_rate
        from ..media.sample import frames_at

        m = ctx.media
        rate = media_rate(m)
        wanted = self.frame_request.frames(ctx.catalog.shots(m["id"]), rate)
        session = self.frame_session(m, rate)
        for n, (index, frame) in enumerate(frames_at(m["path"], list(wanted), rate)):
            session.add(index, wanted[index], frame)
            if n % 64 == 0:
                ctx.progress(n / max(1, len(wanted)), f"{n}/{len(wanted)} frames")
        return session.result()


def shot_ids(catalog: Catalog, media_id: int) -> dict[int, int]:
    """{shot idx: shot row id}: stages keep shot indexes in their results (portable across catalogs)."""
    return {r["idx"]: r["id"] for r in catalog.query("SELECT id, idx FROM shots WHERE media_id = ?", (media_id,))}
