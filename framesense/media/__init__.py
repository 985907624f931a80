"""Everything that touches media bytes, through PyAV only (no ffmpeg binary)."""

from .probe import MediaInfo, probe

__all__ = ["MediaInfo", "probe"]
