"""The registry of model kinds: named models resolve to local folders; nothing is fetched unless asked.

A small registry of model *kinds* backs ``framesense models list|path|download``:
each kind lists the names it knows and resolves a name, or a local folder, to a
path. ``speech`` (faster-whisper) and ``clip`` (OpenCLIP) register themselves in
their own modules, below the analyzers and searches that use them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import ModelUnavailable


@dataclass
class ModelEntry:
    kind: str
    name: str
    path: str | None          # local folder when available
    available: bool
    source: str               # where it comes from: package, cache, download, local
    note: str = ""

    def to_json(self) -> dict:
        return dict(vars(self))


@dataclass
class ModelKind:
    """One kind of model (speech, visual, ...): how to list and resolve its names."""

    name: str
    list: Callable[[], list[ModelEntry]]
    resolve: Callable[[str], Path]            # raises ModelUnavailable with how to get it
    download: Callable[[str], Path] | None = None
    default: str | None = None
    extra: dict = field(default_factory=dict)


_KINDS: dict[str, ModelKind] = {}


def register_kind(kind: ModelKind) -> None:
    _KINDS[kind.name] = kind


def kinds() -> dict[str, ModelKind]:
    return dict(_KINDS)


def get_kind(name: str) -> ModelKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise ModelUnavailable(f"unknown model kind '{name}' (known: {', '.join(sorted(_KINDS))})") from None


def list_models(kind: str | None = None) -> list[ModelEntry]:
    out: list[ModelEntry] = []
    for k in ([get_kind(kind)] if kind else _KINDS.values()):
        out += k.list()
    return out
