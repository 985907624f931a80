"""The sequence as OpenTimelineIO: the native ``.otio`` format, read back losslessly.

Exact values (rational rates, frame numbers, catalog facts) ride in each object's
``metadata["framesense"]``, because OTIO stores rates as doubles; the OTIO ranges
themselves are correct too (integer frames at the media's own rate, starting at
its start timecode), so Resolve and other OTIO readers see the right frames.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from ..atomic_files import write_atomic
from ..errors import FrameSenseError
from ..paths import display, file_url, is_text, json_safe, path_from_url
from ..timecode import parse_rate, snap_rate
from .model import Clip, Overlay, Sequence, SourceMedia

KEY = "framesense"


def _rt(frames: int, rate: Fraction) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, float(rate))


def _tr(start: int, dur: int, rate: Fraction) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_rt(start, rate), _rt(dur, rate))


def source_range(seq: Sequence, placement) -> otio.opentime.TimeRange:
    """A clip's range: its first frame at its own rate; at the sequence's rate a clip lasts its record
    duration, so every cut lands on a whole sequence frame (a clip at another rate plays at its own
    speed and the NLE conforms its last frame, as in FCPXML)."""
    c, m = placement.clip, placement.clip.media
    if m.rate == seq.rate:
        return _tr(m.start_frame + c.source_in, c.duration, m.rate)
    return otio.opentime.TimeRange(_rt(m.start_frame + c.source_in, m.rate), _rt(placement.record_duration, seq.rate))


def media_reference(media: SourceMedia, url: str | None = None, clip: Clip | None = None) -> otio.schema.ExternalReference:
    """The file; with a clip that has handles, its available range is the clip plus that many frames
    each side, clamped to the file (what conform and consolidate tools copy)."""
    first, count = 0, media.frames
    if clip is not None and clip.handles:
        first = max(0, clip.source_in - clip.handles)
        count = (min(media.frames, clip.source_out + clip.handles) if media.frames else clip.source_out + clip.handles) - first
    path = str(media.path)   # a name that is not UTF-8 goes as a file URL of its raw bytes
    ref = otio.schema.ExternalReference(target_url=url or (path if is_text(path) else file_url(path)),
                                        available_range=_tr(media.start_frame + first, count, media.rate))
    ref.name = display(media.name)
    return ref


def to_otio(seq: Sequence, url=None) -> otio.schema.Timeline:
    """url(media) -> target_url; default: the plain absolute path (what Resolve reads).
    Tracks: V1 (the cuts), V2 (their overlays, between gaps) when any, A1 (the cuts' sound)."""
    tl = otio.schema.Timeline(name=seq.name)
    tl.global_start_time = _rt(seq.start_frame, seq.rate)
    tl.metadata[KEY] = json_safe(seq.to_json())   # OTIO holds UTF-8 text; paths ride as path_url too

    def item(p):
        clip, m = p.clip, p.clip.media
        it = otio.schema.Clip(name=display(clip.name), media_reference=media_reference(m, url(m) if url else None, clip),
                              source_range=source_range(seq, p))
        it.metadata[KEY] = json_safe(clip.to_json())
        for mk in clip.markers:
            it.markers.append(otio.schema.Marker(
                name=mk.name, marked_range=_tr(m.start_frame + mk.frame, mk.duration, m.rate),
                color=mk.color_or(otio.schema.MarkerColor.GREEN), metadata={KEY: mk.to_json()}))
        return it

    def gap(frames):
        return otio.schema.Gap(source_range=_tr(0, frames, seq.rate))

    video = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    audio = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    placements = seq.placements()
    for p in placements:
        video.append(item(p))
        audio.append(item(p) if p.clip.media.has_audio else gap(p.record_duration))
    tl.tracks.append(video)
    over = seq.overlay_placements(placements)
    if over:
        v2, at = otio.schema.Track(name="V2", kind=otio.schema.TrackKind.Video), 0
        for p in over:
            if p.record_in > at:
                v2.append(gap(p.record_in - at))
            v2.append(item(p))
            at = p.record_out
        tl.tracks.append(v2)
    if any(c.media.has_audio for c in seq.clips):
        tl.tracks.append(audio)
    return tl


def from_otio(tl: otio.schema.Timeline) -> Sequence:
    meta = dict(tl.metadata.get(KEY, {}))
    videos = [t for t in tl.tracks if t.kind == otio.schema.TrackKind.Video] or list(tl.tracks)
    if not videos:
        raise FrameSenseError(f"timeline {tl.name!r} has no tracks")
    clips = [_clip_from_otio(c) for c in videos[0].find_clips()]
    if meta.get("rate"):
        rate = parse_rate(meta["rate"])
    elif tl.global_start_time is not None:
        rate = snap_rate(Fraction(tl.global_start_time.rate).limit_denominator(1001))
    else:
        rate = clips[0].media.rate if clips else Fraction(25)
    seq = Sequence(name=meta.get("name") or tl.name or "sequence", rate=rate,
                   start_frame=meta.get("start_frame"), drop_frame=bool(meta.get("drop_frame")), clips=clips,
                   script=[dict(row) for row in meta.get("script") or []])
    if meta.get("start_frame") is None and tl.global_start_time is not None:
        seq.start_frame = round(tl.global_start_time.rescaled_to(float(rate)).value)
    if len(videos) > 1 and not seq.has_overlays:     # another tool's V2: each clip over the cut it starts in
        _attach_overlays(seq, videos[1])
    return seq


def _attach_overlays(seq: Sequence, track) -> None:
    import bisect
    placements = seq.placements()
    starts = [p.record_in for p in placements]
    for item in track:
        if not isinstance(item, otio.schema.Clip) or not getattr(item.media_reference, "target_url", None):
            continue
        rec = round(item.range_in_parent().start_time.rescaled_to(float(seq.rate)).value)
        i = bisect.bisect_right(starts, rec) - 1
        if i < 0 or rec >= placements[i].record_out or seq.clips[i].overlay is not None:
            continue
        cut, p = seq.clips[i], placements[i]
        at = cut.source_in + _round(Fraction(rec - p.record_in) / seq.rate * cut.media.rate)
        seq.clips[i] = cut.copy(overlay=Overlay(_clip_from_otio(item), at))


def _round(x: Fraction) -> int:
    return int((x + Fraction(1, 2)).__floor__())


def _clip_from_otio(item: otio.schema.Clip) -> Clip:
    data = item.metadata.get(KEY)
    if data:
        return Clip.from_json(_plain(data))
    # A clip written by another tool: recover frames from the ranges.
    ref = item.media_reference
    url = getattr(ref, "target_url", None)
    if not url:
        raise FrameSenseError(f"clip {item.name!r} has no media file")
    path = url
    if url.startswith("file:"):
        path = path_from_url(url)   # bytes that are not UTF-8 decoded losslessly, others as OTIO reads them
        path = path if not is_text(path) else otio.url_utils.filepath_from_url(url)
    sr = item.source_range or item.available_range()
    rate = snap_rate(Fraction(sr.start_time.rate).limit_denominator(1001))
    avail = ref.available_range
    start = round(avail.start_time.rescaled_to(sr.start_time.rate).value) if avail else 0
    frames = round(avail.duration.rescaled_to(sr.start_time.rate).value) if avail else 0
    s_in = round(sr.start_time.value) - start
    media = SourceMedia(path=path, rate=rate, frames=frames, start_frame=start)
    dur = round(sr.duration.rescaled_to(sr.start_time.rate).value)
    return Clip(media=media, source_in=s_in, source_out=s_in + max(1, dur), label=item.name or None)


def _plain(v):
    """OTIO's AnyDictionary / AnyVector as plain Python."""
    if hasattr(v, "items"):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)) or type(v).__name__ == "AnyVector":
        return [_plain(x) for x in v]
    return v


def save(seq: Sequence, path) -> Path:
    """Write ``.otio`` atomically; returns its absolute path (``Library`` lists it among its sequences)."""
    path = Path(path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = otio.adapters.write_to_string(to_otio(seq), "otio_json")
    write_atomic(path, text)
    return path


def load(path) -> Sequence:
    path = Path(path).expanduser()
    if not path.is_file():
        raise FrameSenseError(f"{path}: no such sequence file")
    try:
        tl = otio.adapters.read_from_file(str(path))
    except Exception as exc:  # OTIO raises many types for a bad file
        raise FrameSenseError(f"{path}: not a readable OTIO sequence ({exc})") from None
    if not isinstance(tl, otio.schema.Timeline):
        raise FrameSenseError(f"{path}: holds a {type(tl).__name__}, not a timeline")
    return from_otio(tl)
