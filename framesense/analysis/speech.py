"""The speech stage: faster-whisper with word timestamps and VAD, or a transcript beside the file.

Every audio stream that has sound is transcribed on its own (stream = container
index); the language is detected per stream unless given. A sidecar (clip.srt,
clip.en.vtt, clip.json) is imported instead of transcribing, and a transcript
imported by hand (``framesense transcript import``) is kept.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass

import numpy as np

from ..errors import ModelUnavailable
from ..media.audio import SAMPLE_RATE, decode_audio, has_sound
from ..transcript.formats import find_sidecar, read_transcript
from ..transcript.model import Segment, Transcript, Word
from ..transcript.store import store_transcripts
from .base import AnalysisContext, Analyzer

BEAM_SIZE = 1          # greedy decoding: ~2x faster than beam 5 on CPU, same word timing
STRONG_BEAM_SIZE = 5   # the retry when audible speech gave no words
BATCH_SIZE = 8         # BatchedInferencePipeline chunks decoded together
# Batched decoding measured no faster on a 2-core CPU (benchmarks/speech.py: tiny.en 26x vs 30x,
# base 11x vs 12x); it pays off with more cores or a GPU, so it is opt-in (batched=True).

_MODELS: dict[tuple, object] = {}
_LOCK = threading.Lock()


def device_and_compute() -> tuple[str, str]:
    """CUDA with float16 when a GPU is there, else CPU with int8."""
    try:
        import ctranslate2
        if ctranslate2.get_cuda_device_count() > 0:
            return "cuda", "float16"
    except Exception:
        pass
    return "cpu", "int8"


def load_whisper(path, device: str | None = None, compute_type: str | None = None):
    """One loaded WhisperModel per (folder, device, compute type) per process."""
    from faster_whisper import WhisperModel
    d, c = device_and_compute()
    device, compute_type = device or d, compute_type or c
    threads = int(os.environ.get("FRAMESENSE_THREADS", "0")) or min(os.cpu_count() or 1, 8)
    key = (str(path), device, compute_type, threads)
    with _LOCK:
        if key not in _MODELS:
            _MODELS[key] = WhisperModel(str(path), device=device, compute_type=compute_type,
                                        cpu_threads=threads if device == "cpu" else 0)
        return _MODELS[key]


def transcribe_samples(model, samples: np.ndarray, *, language: str | None = None, batched: bool | None = None,
                       progress=lambda f, note="": None, strong: bool = False) -> tuple[list[Segment], str | None]:
    """Whisper over 16 kHz mono samples: segments with word timestamps, and the language used.

    Decoding is deterministic: temperature 0 only. Whisper's fallback samples at higher
    temperatures when a segment fails its checks, which made the same file transcribe
    differently from run to run (and sometimes to nothing). ``strong`` is the retry for
    audible speech that gave no words: beam search, and no VAD to cut it away.
    """
    duration = samples.size / SAMPLE_RATE
    if not model.model.is_multilingual:
        language = "en"
    if batched is None:
        batched = os.environ.get("FRAMESENSE_WHISPER_BATCHED") == "1"
    kwargs = dict(language=language, word_timestamps=True, vad_filter=not strong,
                  beam_size=STRONG_BEAM_SIZE if strong else BEAM_SIZE, temperature=0.0,
                  condition_on_previous_text=False)
    if batched:
        from faster_whisper import BatchedInferencePipeline
        pipe = BatchedInferencePipeline(model=model)
        seg_iter, info = pipe.transcribe(samples, batch_size=BATCH_SIZE, **kwargs)
    else:
        seg_iter, info = model.transcribe(samples, **kwargs)
    out: list[Segment] = []
    for s in seg_iter:
        words = [Word(w.word.strip(), round(float(w.start), 3), round(float(w.end), 3),
                      round(float(w.probability), 4)) for w in (s.words or []) if w.word.strip()]
        out.append(Segment(round(float(s.start), 3), round(float(s.end), 3), s.text.strip(), words))
        if duration:
            progress(min(1.0, s.end / duration), f"{s.end:.0f}/{duration:.0f} s")
    tighten_words(out, samples)
    return out, info.language


def speech_seconds(samples: np.ndarray) -> float:
    """Seconds the voice detector (Silero, as faster-whisper's VAD) marks as speech; music and effects give ~0."""
    from faster_whisper.vad import get_speech_timestamps
    return sum(t["end"] - t["start"] for t in get_speech_timestamps(samples)) / SAMPLE_RATE


def tighten_words(segments: list[Segment], samples: np.ndarray, hop: int = SAMPLE_RATE // 100) -> None:
    """Pull each word's start and end inward onto the sound (10 ms RMS frames).

    Whisper's word times run loose at pauses (a first word often starts a few
    hundred ms early, a last word ends late); times only ever move inside the
    word's own window, so a word never grows or swaps order.
    """
    n = samples.size // hop
    if n == 0:
        return
    rms = np.sqrt((samples[: n * hop].astype(np.float32).reshape(n, hop) ** 2).mean(axis=1))
    p10, p98 = np.percentile(rms, [10, 98])
    loud = rms > max(0.003, 2.5 * p10, 0.05 * p98)
    for s in segments:
        for w in s.words:
            a, b = int(w.start * 100), int(np.ceil(w.end * 100))
            idx = np.flatnonzero(loud[max(0, a): min(n, b)])
            if idx.size == 0:
                continue
            new_start = (max(0, a) + idx[0]) / 100
            new_end = (max(0, a) + idx[-1] + 1) / 100
            if new_end - new_start >= 0.03:
                w.start, w.end = round(float(max(w.start, new_start)), 3), round(float(min(w.end, new_end)), 3)
        if s.words:  # subtitles follow the words
            s.start, s.end = s.words[0].start, max(s.words[-1].end, s.words[0].start)


@dataclass
class SpeechResult:
    transcripts: list[Transcript]
    keep: bool = False           # a hand-imported transcript stays
    note: str = ""


class SpeechAnalyzer(Analyzer):
    name = "speech"
    version = "2"          # 2: deterministic decoding, retry of empty transcripts
    owns_tables = ("words", "segments", "transcripts")

    def __init__(self, model: str | None = None, language: str | None = None, batched: bool | None = None):
        from ..models import DEFAULT_SPEECH_MODEL
        self.model_name = model or DEFAULT_SPEECH_MODEL
        self.language = language
        self.batched = batched
        self._path = None
        self._reason: str | None = None
        try:
            from ..models import resolve_speech_model
            self._path = resolve_speech_model(self.model_name, prepare=False)
        except ModelUnavailable as exc:
            self._reason = str(exc)
        except ImportError as exc:
            self._reason = f"faster-whisper is not installed ({exc}): pip install faster-whisper"

    def model_id(self) -> str | None:
        return f"faster-whisper:{self.model_name}" + (f":{self.language}" if self.language else "")

    def unavailable_reason(self) -> str | None:
        return self._reason

    def applies_to(self, media: dict) -> bool:
        try:
            return bool(json.loads(media.get("audio_streams") or "[]"))
        except ValueError:
            return False

    def analyze(self, ctx: AnalysisContext) -> SpeechResult:
        media = ctx.media
        mine = ctx.catalog.one("SELECT origin FROM transcripts WHERE media_id = ? AND source = 'import' LIMIT 1",
                               (media["id"],))
        if mine:
            return SpeechResult([], keep=True, note=f"kept imported transcript {mine['origin']}")
        sidecar = find_sidecar(media["path"])
        if sidecar:
            t = read_transcript(sidecar, source="sidecar")
            return SpeechResult([t], note=f"imported {sidecar.name}")
        from ..models import resolve_speech_model
        model = load_whisper(resolve_speech_model(self.model_name))  # joins packaged parts on first use
        streams = json.loads(media.get("audio_streams") or "[]")
        out, notes = [], []
        for k, st in enumerate(streams):
            samples = decode_audio(media["path"], st["index"])
            if not has_sound(samples):
                notes.append(f"stream {st['index']}: silent")
                continue
            tag = st.get("language")
            lang = self.language or (_ISO3.get(tag) if tag and len(tag) == 3 else tag)
            segs, used = transcribe_samples(
                model, samples, language=lang, batched=self.batched,
                progress=lambda f, note="": ctx.progress((k + f) / len(streams), note))
            retried = ""
            speech_s = speech_seconds(samples) if not any(s.words for s in segs) else 0.0
            if speech_s:   # the voice detector hears speech, Whisper wrote nothing: not "done" like that
                segs, used = transcribe_samples(model, samples, language=lang, batched=False, strong=True)
                retried = " after a retry with beam search and no VAD"
                if not any(s.words for s in segs):
                    ctx.warn(f"stream {st['index']}: {speech_s:.1f} s of speech detected but no words "
                             f"transcribed{retried}; try --speech-model base or --language")
            out.append(Transcript(segs, language=used, source="whisper", origin=self.model_name,
                                  stream=st["index"]))
            notes.append(f"stream {st['index']}: {len(segs)} segments, {used}{retried}")
        return SpeechResult(out, note="; ".join(notes))

    def store(self, catalog, media, result: SpeechResult) -> str | None:
        if result.keep:
            return result.note
        counts = store_transcripts(catalog, media["id"], result.transcripts)
        return f"{result.note} ({counts['words']} words)"


# Container language tags are ISO 639-2 (eng); Whisper wants ISO 639-1 (en).
_ISO3 = {"eng": "en", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "ita": "it",
         "por": "pt", "nld": "nl", "dut": "nl", "rus": "ru", "jpn": "ja", "zho": "zh", "chi": "zh",
         "kor": "ko", "ara": "ar", "pol": "pl", "tur": "tr", "swe": "sv", "nor": "no", "dan": "da",
         "fin": "fi", "ukr": "uk", "ces": "cs", "cze": "cs", "ell": "el", "gre": "el", "heb": "he",
         "hin": "hi"}
