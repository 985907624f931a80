"""Which searches this machine can run offline, and how to turn on the others: one answer
for the app's info bar, ``doctor`` and scripts (``Library.model_status``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import FrameSenseError
from . import clip as clip_model
from .speech import DEFAULT_SPEECH_MODEL, resolve_speech_model


@dataclass
class ModelReport:
    visual_problem: str | None    # why visual search is off, or None when a CLIP model loads offline
    speech_model: str             # the speech model name the indexer would use
    speech_problem: str | None    # why speech search is off, or None
    picture_languages: str | None = None   # what the picture model's text tower reads ("English", ...)

    def text(self) -> str:
        works = "phrase search, same-footage search and export work" if not self.speech_problem \
            else "same-footage search and export work"
        lines = []
        if self.visual_problem:
            lines.append(f"{_sentence(self.visual_problem)} Without it, {works}.")
        lines.append(f"Speech search: ready (model {self.speech_model})" if not self.speech_problem
                     else f"Speech search: off: {self.speech_problem}")
        return "\n".join(lines)


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def model_status(catalog=None, clip_setting: str | None = None, speech_setting: str | None = None) -> ModelReport:
    """Which models this machine has offline, using the same checks the indexer uses."""

    try:
        spec, _ = clip_model.configured_spec(catalog=catalog, setting=clip_setting or None)
        visual = clip_model.problem(spec)
        languages = None if visual else clip_model.text_languages(spec)
    except FrameSenseError as exc:   # a malformed setting reads as "off, and why"
        visual, languages = f"visual search is off: {exc}", None
    name = speech_setting or DEFAULT_SPEECH_MODEL
    try:
        resolve_speech_model(name, prepare=False)   # no joining or copying just to report
        speech = None
    except FrameSenseError as exc:
        speech = str(exc)
    return ModelReport(visual, Path(name).name if "/" in name else name, speech, languages)
