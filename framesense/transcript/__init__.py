"""Transcripts: the in-memory model, sidecar/JSON formats, and catalog storage."""

from .model import Segment, Transcript, Word, normalize_word

__all__ = ["Segment", "Transcript", "Word", "normalize_word"]
