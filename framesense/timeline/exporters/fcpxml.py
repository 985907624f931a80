"""FCPXML 1.8 for Final Cut Pro (10.4 and later) and Resolve, with exact rational times (``1001/24000s``).

Version 1.8 on purpose: the newest that Resolve 17/18 and FCP 10.4 both import, and it is
what Apple's ``FCPXMLv1_8.dtd`` validates: an ``asset`` names its file in ``src`` (the
``media-rep`` child came in 1.9). Written by us: the fcpx_xml adapter's writer leaves
``frameDuration`` empty and loses the project. Every time is a Fraction of seconds that is
a whole number of frames: asset-clip ``start`` at the media's rate (including its start
timecode), ``offset``/``duration`` at the sequence rate from ``tcStart``, so every cut lands
on a sequence frame. Clips at another rate keep their own speed (``conform-rate
scaleEnabled="0"``); the NLE conforms their last frame. Assets say what the files are:
picture format, duration, start timecode, audio channels and sample rate; ids and uids are
unique per export.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

from ..model import Sequence
from .common import file_url, prepare, seconds_str, write_atomic, xml_document


def _fmt_key(rate: Fraction, w, h):
    return (rate, w or 1920, h or 1080)


def build(seq: Sequence, version: str = "1.8") -> ET.Element:
    root = ET.Element("fcpxml", version=version)
    res = ET.SubElement(root, "resources")
    formats: dict = {}
    media = seq.media()
    seq_w = next((m.width for m in media if m.width), 1920)
    seq_h = next((m.height for m in media if m.height), 1080)

    def fmt_id(rate, w, h):
        key = _fmt_key(rate, w, h)
        if key not in formats:
            formats[key] = f"r{len(formats) + 1}"
            ET.SubElement(res, "format", id=formats[key], frameDuration=seconds_str(1 / rate),
                          width=str(key[1]), height=str(key[2]), colorSpace="1-1-1 (Rec. 709)")
        return formats[key]

    seq_fmt = fmt_id(seq.rate, seq_w, seq_h)
    assets = {}
    for i, m in enumerate(media, 1):
        f = fmt_id(m.rate, m.width, m.height)
        attrs = dict(id=f"a{i}", name=m.name, uid=uuid.uuid4().hex.upper(), src=file_url(m.path),
                     start=seconds_str(Fraction(m.start_frame) / m.rate),
                     duration=seconds_str(Fraction(m.frames) / m.rate),
                     hasVideo="1", format=f, hasAudio="1" if m.has_audio else "0")
        if m.has_audio:
            attrs.update(audioSources="1", audioChannels=str(m.audio_channels), audioRate=str(m.sample_rate))
        assets[m.path] = ET.SubElement(res, "asset", attrs)

    seq_tc = Fraction(seq.start_frame) / seq.rate
    frame = 1 / seq.rate
    lib = ET.SubElement(root, "library")
    event = ET.SubElement(lib, "event", name="FrameSense")
    project = ET.SubElement(event, "project", name=seq.name, uid=uuid.uuid4().hex.upper())
    s = ET.SubElement(project, "sequence", format=seq_fmt, duration=seconds_str(seq.duration * frame),
                      tcStart=seconds_str(seq_tc), tcFormat="DF" if seq.drop_frame else "NDF",
                      audioLayout="stereo", audioRate="48k")
    spine = ET.SubElement(s, "spine")
    placements = seq.placements()
    overlays = {op.index: op for op in seq.overlay_placements(placements)}

    def asset_clip(parent, p, offset, **extra):
        c, m = p.clip, p.clip.media
        ac = ET.SubElement(parent, "asset-clip", ref=assets[m.path].get("id"), **extra, name=c.name,
                           offset=seconds_str(offset),
                           start=seconds_str(Fraction(m.start_frame + c.source_in) / m.rate),
                           duration=seconds_str(p.record_duration * frame),
                           format=fmt_id(m.rate, m.width, m.height),
                           tcFormat="DF" if m.drop_frame else "NDF")
        if m.rate != seq.rate:
            ET.SubElement(ac, "conform-rate", scaleEnabled="0")
        return ac

    for p in placements:
        c, m = p.clip, p.clip.media
        ac = asset_clip(spine, p, seq_tc + p.record_in * frame)
        op = overlays.get(p.index)
        if op is not None:    # V2: a connected clip in lane 1, its offset in the cut's own (source) time
            asset_clip(ac, op, Fraction(m.start_frame + c.source_in) / m.rate + (op.record_in - p.record_in) * frame,
                       lane="1", srcEnable="video")
        for mk in c.markers:
            attrs = dict(start=seconds_str(Fraction(m.start_frame + mk.frame) / m.rate),
                         duration=seconds_str(Fraction(mk.duration) / m.rate), value=mk.name or (mk.text or ""))
            if mk.query:
                attrs["note"] = f"query: {mk.query}"
            ET.SubElement(ac, "marker", attrs)
    return root


def to_string(seq: Sequence, version: str = "1.8") -> str:
    root = build(seq, version)
    ET.indent(root, "  ")
    return xml_document('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n'   # odd names: as \\xNN
                        + ET.tostring(root, encoding="unicode") + "\n")


def export(sequence, path: Path, *, allow_missing: bool = False, version: str = "1.8", **_) -> list[Path]:
    prepare(sequence, allow_missing)
    return [write_atomic(path, to_string(sequence, version))]
