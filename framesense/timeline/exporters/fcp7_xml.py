"""FCP7 XML (xmeml v4) for Premiere Pro and Resolve.

Written by us rather than the fcp_xml adapter, whose writer leaves ``<format>``
empty, puts bare paths in ``<pathurl>`` and rounds clip durations through floats.
Clip items carry their media's own ``<rate>``, so ``<in>``/``<out>`` are exact media
frames; ``<start>``/``<end>`` are sequence frames (see ``Sequence.placements``).
As Premiere writes it: ``file://localhost/`` path URLs (``D%3a`` for a drive letter),
``<link><clipindex>`` counting the item's place in its own track, each file's real
audio sample rate and channel count, and a ``<uuid>`` per sequence.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path
from urllib.parse import quote

from ...timecode import Timecode, is_ntsc, timebase
from ..model import Sequence, SourceMedia
from .common import file_url, prepare, reel_names, write_atomic, xml_document


def premiere_url(path: str) -> str:
    """``file://localhost/...``, each part percent-encoded, a drive letter as ``D%3a``."""
    url = file_url(path)
    if url.startswith("file:///"):
        rest = url[len("file:///"):]
        if len(rest) > 1 and rest[1] == ":" and rest[0].isalpha():     # C:/x -> C%3a/x
            rest = rest[0] + quote(":").lower() + rest[2:]
        return "file://localhost/" + rest
    return url      # a UNC share keeps its server name


def _sub(parent, tag, text=None, **attrs):
    el = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        el.text = str(text)
    return el


def _rate(parent, rate: Fraction):
    r = _sub(parent, "rate")
    _sub(r, "timebase", timebase(rate))
    _sub(r, "ntsc", "TRUE" if is_ntsc(rate) else "FALSE")
    return r


def _timecode(parent, rate: Fraction, frame: int, drop: bool, reel: str | None = None):
    tc = _sub(parent, "timecode")
    _rate(tc, rate)
    _sub(tc, "string", Timecode(rate, drop).to_string(frame))
    _sub(tc, "frame", frame)
    _sub(tc, "displayformat", "DF" if drop else "NDF")
    if reel:
        _sub(_sub(tc, "reel"), "name", reel)
    return tc


def _samplechars(parent, rate, width, height):
    sc = _sub(parent, "samplecharacteristics")
    _rate(sc, rate)
    _sub(sc, "width", width or 1920)
    _sub(sc, "height", height or 1080)
    _sub(sc, "anamorphic", "FALSE")
    _sub(sc, "pixelaspectratio", "square")
    _sub(sc, "fielddominance", "none")
    return sc


def build(seq: Sequence, width: int | None = None, height: int | None = None) -> ET.Element:
    placements = seq.placements()
    media = seq.media()
    reels = reel_names(media)
    width = width or next((m.width for m in media if m.width), 1920)
    height = height or next((m.height for m in media if m.height), 1080)
    root = ET.Element("xmeml", version="4")
    s = _sub(root, "sequence", id="sequence-1")
    _sub(s, "uuid", str(uuid.uuid4()))
    _sub(s, "name", seq.name)
    _sub(s, "duration", seq.duration)
    _rate(s, seq.rate)
    _timecode(s, seq.rate, seq.start_frame, seq.drop_frame)
    m_el = _sub(s, "media")
    video = _sub(m_el, "video")
    _samplechars(_sub(video, "format"), seq.rate, width, height)
    vtrack = _sub(video, "track")
    audio = _sub(m_el, "audio")
    n_audio = min(2, max((m.audio_channels for m in media), default=0))
    if n_audio:
        _sub(_sub(_sub(audio, "format"), "samplecharacteristics"), "samplerate", 48000)
    atracks = [_sub(audio, "track") for _ in range(n_audio)]
    file_ids: dict[str, str] = {}
    midx = {m.path: i + 1 for i, m in enumerate(media)}

    def file_el(parent, m: SourceMedia):
        if m.path in file_ids:
            return _sub(parent, "file", id=file_ids[m.path])
        fid = file_ids[m.path] = f"file-{midx[m.path]}"
        f = _sub(parent, "file", id=fid)
        _sub(f, "name", m.name)
        _sub(f, "pathurl", premiere_url(m.path))
        _rate(f, m.rate)
        _sub(f, "duration", m.frames)
        _timecode(f, m.rate, m.start_frame, m.drop_frame, reels[m.path])
        fm = _sub(f, "media")
        _samplechars(_sub(fm, "video"), m.rate, m.width, m.height)
        if m.has_audio:
            a = _sub(fm, "audio")
            sc = _sub(a, "samplecharacteristics")
            _sub(sc, "depth", 16)
            _sub(sc, "samplerate", m.sample_rate)
            _sub(a, "channelcount", m.audio_channels)
        return f

    def clipitem(track, p, cid, kind, channel=1):
        c, m = p.clip, p.clip.media
        ci = _sub(track, "clipitem", id=cid)
        _sub(ci, "masterclipid", f"masterclip-{midx[m.path]}")
        _sub(ci, "name", c.name)
        _sub(ci, "enabled", "TRUE")
        _sub(ci, "duration", m.frames)
        _rate(ci, m.rate)
        _sub(ci, "start", p.record_in)
        _sub(ci, "end", p.record_out)
        _sub(ci, "in", c.source_in)
        _sub(ci, "out", c.source_out)
        file_el(ci, m)
        if kind == "audio":
            st = _sub(ci, "sourcetrack")
            _sub(st, "mediatype", "audio")
            _sub(st, "trackindex", channel)
        for mk in c.markers:
            me = _sub(ci, "marker")
            _sub(me, "name", mk.name)
            _sub(me, "comment", f"query: {mk.query}" if mk.query else (mk.text or ""))
            _sub(me, "in", mk.frame)
            _sub(me, "out", mk.frame + mk.duration)
        return ci

    counts = {"v": 0, **{f"a{k + 1}": 0 for k in range(n_audio)}}   # clip items so far, per track
    for p in placements:
        i = p.index + 1
        items = [(clipitem(vtrack, p, f"clipitem-v{i}", "video"), "video", 1, "v")]
        for ch in range(min(p.clip.media.audio_channels, n_audio)):
            ci = clipitem(atracks[ch], p, f"clipitem-a{ch + 1}-{i}", "audio", ch + 1)
            items.append((ci, "audio", ch + 1, f"a{ch + 1}"))
        for _, _, _, key in items:
            counts[key] += 1
        if len(items) > 1:
            for item, *_ in items:
                for other, kind, track_index, key in items:
                    ln = _sub(item, "link")
                    _sub(ln, "linkclipref", other.get("id"))
                    _sub(ln, "mediatype", kind)
                    _sub(ln, "trackindex", track_index)
                    _sub(ln, "clipindex", counts[key])   # its place in its own track, as Premiere writes it
    # V2 after V1 in the file, so each <file> is defined in full where it is first met; picture only.
    v2 = _sub(video, "track") if seq.has_overlays else None
    for n, p in enumerate(seq.overlay_placements(placements), 1):
        clipitem(v2, p, f"clipitem-v2-{n}", "video")
    return root


def to_string(seq: Sequence, **kw) -> str:
    root = build(seq, **kw)
    ET.indent(root, "  ")
    return xml_document('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n'   # odd names: as \\xNN
                        + ET.tostring(root, encoding="unicode") + "\n")


def export(sequence, path: Path, *, allow_missing: bool = False, width=None, height=None, **_) -> list[Path]:
    prepare(sequence, allow_missing)
    return [write_atomic(path, to_string(sequence, width=width, height=height))]
