"""Decode only the frames a stage asked for: one sequential pass, or seeks over long gaps.

Frames that are not wanted are decoded (the codec needs them) but never converted;
wanted ones are handed over as decoder frames, so each stage reformats them once,
straight to the small size it needs.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

import av

from ..errors import MediaError
from .frames import open_video
from .tolerant import DecodeLoss, decode_frames


def frames_at(path, wanted: list[int], rate: Fraction, seek_gap_s: float = 20.0) -> Iterator[tuple[int, object]]:
    """Yield (frame_index, av.VideoFrame) for each wanted index, in order.

    Indexes count decoded frames from the first one, like the shots scan does. A gap of
    more than seek_gap_s seconds to the next wanted frame is crossed by a keyframe seek;
    after a seek the index comes from the frame's timestamp.
    """
    wanted = sorted(set(int(w) for w in wanted if w >= 0))
    if not wanted:
        return
    gap = max(1, int(seek_gap_s * rate))
    with open_video(path) as (container, stream):
        tb = stream.time_base
        start_pts = None
        k = 0
        index = -1
        seeked = False
        last_seek = None

        loss = DecodeLoss("video", stream.index)

        def decode():  # damaged packets are skipped: the frames after them still come
            return decode_frames(container, stream, loss)

        it = decode()
        lost = 0
        while k < len(wanted):
            target = wanted[k]
            if index >= 0 and target - index > gap and tb and start_pts is not None and last_seek != target:
                last_seek = target
                pts = start_pts + int((Fraction(target - int(rate)) / rate) / tb)
                container.seek(max(start_pts, pts), backward=True, any_frame=False, stream=stream)
                it = decode()
                seeked = True
            try:
                frame = next(it)
            except StopIteration:
                return
            except av.error.FFmpegError as exc:
                if index < 0:
                    raise MediaError(path, f"cannot decode video: {exc}") from None
                return
            if start_pts is None:
                start_pts = frame.pts if frame.pts is not None else 0
            if seeked and frame.pts is not None and tb:
                index = int(round((frame.pts - start_pts) * tb * rate))
            else:
                index += 1 + loss.packets - lost  # a skipped damaged frame still takes its place
            lost = loss.packets
            while k < len(wanted) and wanted[k] < index:
                k += 1  # a seek landed past it (should not happen with backward seeks)
            if k < len(wanted) and wanted[k] == index:
                yield index, frame
                k += 1
