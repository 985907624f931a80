"""On-device models, below the analyzers and searches that use them: a registry of kinds
(``registry``), speech (faster-whisper) and pictures (OpenCLIP), each registering itself."""

from . import clip, speech  # noqa: F401  (each registers its kind)
from .registry import ModelEntry, ModelKind, get_kind, kinds, list_models, register_kind
from .speech import DEFAULT_SPEECH_MODEL, resolve_speech_model

__all__ = ["DEFAULT_SPEECH_MODEL", "ModelEntry", "ModelKind", "get_kind", "kinds", "list_models", "register_kind",
           "resolve_speech_model"]
