"""Decoding that survives damage: a packet the codec rejects is skipped, counted and placed in time.

Archive footage is full of damaged packets; one bad audio packet must not cost a
whole file its transcript, nor a bad frame its shots. Every decode path (index
stages, render, player) reads frames through ``decode_frames`` and reports what
it lost through a ``DecodeLoss`` that says how much and where.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import av

MAX_LISTED = 5     # times named in a note; the count covers the rest


@dataclass
class DecodeLoss:
    """What one decode pass of one stream could not read."""

    kind: str = "video"                  # audio or video
    stream: int | None = None            # container stream index
    packets: int = 0                     # packets the codec rejected
    seconds: float = 0.0                 # their duration, where the container says it
    where: list[float] = field(default_factory=list)   # media seconds of the first damaged packets
    stopped_at: float | None = None      # the demuxer gave up here (truncated or unreadable tail)
    reason: str = ""                     # the last decoder error

    def add(self, packet, stream, exc) -> None:
        self.packets += 1
        self.reason = _short(exc)
        tb = packet.time_base or stream.time_base
        if packet.duration and tb:
            self.seconds += float(packet.duration * tb)
        t = packet_seconds(packet, stream)
        if t is not None and len(self.where) < MAX_LISTED:
            self.where.append(round(t, 2))

    def __bool__(self) -> bool:
        return bool(self.packets or self.stopped_at is not None)

    def note(self) -> str:
        """One line for the user: how much was lost and where ('' when nothing was)."""
        parts = []
        what = f"{self.kind} stream #{self.stream}" if self.stream is not None else self.kind
        if self.packets:
            at = ", ".join(f"{t:.2f}" for t in self.where)
            more = "" if self.packets <= len(self.where) else ", ..."
            dur = f", {self.seconds:.2f} s" if self.seconds >= 0.005 else ""
            parts.append(f"skipped {self.packets} damaged {what} packet{'s' * (self.packets != 1)}"
                         f"{dur} at {at}{more} s ({self.reason})")
        if self.stopped_at is not None:
            parts.append(f"{what} unreadable after {self.stopped_at:.2f} s ({self.reason})")
        return "; ".join(parts)


def _short(exc) -> str:
    text = str(exc)
    return text.split(": '", 1)[0] if ": '" in text else text


def packet_seconds(packet, stream) -> float | None:
    ts = packet.pts if packet.pts is not None else packet.dts
    tb = packet.time_base or stream.time_base
    if ts is None or not tb:
        return None
    return float((ts - (stream.start_time or 0)) * tb)


def decode_frames(container, stream, loss: DecodeLoss | None = None):
    """Yield decoded frames of one stream, skipping packets the codec rejects (recorded in loss)."""
    loss = loss if loss is not None else DecodeLoss(stream.type, stream.index)
    demux = container.demux(stream)
    last_t = 0.0
    while True:
        try:
            packet = next(demux)
        except StopIteration:
            return
        except av.error.FFmpegError as exc:   # the container itself is unreadable from here
            loss.stopped_at, loss.reason = last_t, _short(exc)
            return
        t = packet_seconds(packet, stream)
        if t is not None:
            last_t = t
        try:
            frames = packet.decode()
        except av.error.FFmpegError as exc:
            if packet.size == 0:   # the flush packet: errors here belong to frames already counted
                return
            loss.add(packet, stream, exc)
            continue
        yield from frames
