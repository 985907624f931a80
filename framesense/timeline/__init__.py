"""Sequences of hits and their export to NLEs (OTIO, FCP7 XML, FCPXML, CMX3600 EDL)."""

from .model import Clip, Marker, SourceMedia, Sequence

__all__ = ["Clip", "Marker", "SourceMedia", "Sequence"]
