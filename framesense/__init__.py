"""FrameSense: offline footage search to NLE timeline."""

__version__ = "0.1.0"
