"""FrameSense: offline footage search to NLE timeline."""

from .offline import silence_telemetry

silence_telemetry()   # first, before any library with telemetry (onnxruntime) can load: see offline.py

__version__ = "0.1.0"

__all__ = ["Library", "IndexOptions", "SearchQuery", "SequenceOptions", "ExportOptions", "__version__"]


def __getattr__(name):
    # Lazy: ``import framesense`` (the CLI, the app) stays cheap; ``from framesense import Library`` works.
    if name in __all__[:-1]:
        from . import api
        return getattr(api, name)
    raise AttributeError(f"module 'framesense' has no attribute {name!r}")
