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

from ..errors import MediaError, ModelUnavailable
from ..media.audio import SAMPLE_RATE, decode_audio_checked, has_sound
from ..transcript.formats import find_sidecar, read_transcript
from ..transcript.languages import language_code
from ..transcript.model import Segment, Transcript, Word
from ..transcript.store import store_transcripts
from .base import AnalysisContext, Analyzer
from ..models.whisper_runtime import import_ctranslate2, speech_threads
from .word_timing import VERSION as TIMING_VERSION
from .word_timing import time_words

BEAM_SIZE = 1          # greedy decoding: ~2x faster than beam 5 on CPU, same word timing
RETRY_BEAM_SIZE = 5    # the stronger second pass for audible speech that gave no words
BATCH_SIZE = 8         # BatchedInferencePipeline chunks decoded together
# Batched decoding measured no faster on a 2-core CPU (benchmarks/speech.py: tiny.en 26x vs 30x,
# base 11x vs 12x); it pays off with more cores or a GPU, so it is opt-in (batched=True).

# Whisper invents words over music and effects ("Hmm", "Thank you."): a segment the model itself
# doubts is speech, or decodes with a low likelihood, is not kept.
NO_SPEECH_PROB = 0.5   # above this the segment is probably not speech...
LOW_LOGPROB = -0.9     # ...unless its average token log-probability is above this
MIN_LOGPROB = -1.6     # below this a segment is noise whatever no_speech_prob says
MAX_COMPRESSION = 2.4  # a segment whose text repeats itself this much is a hallucination loop
MIN_SPEECH_S = 1.0     # VAD-heard speech of at least this long that yields no words is suspicious

_MODELS: dict[tuple, object] = {}
_LOCK = threading.Lock()


def device_and_compute() -> tuple[str, str]:
    """CUDA with float16 when a GPU is there, else CPU with int8."""
    try:
        ctranslate2 = import_ctranslate2()
        if ctranslate2.get_cuda_device_count() > 0:
            return "cuda", "float16"
    except Exception:
        pass
    return "cpu", "int8"


def quiet_onnxruntime() -> None:
    """faster-whisper's voice detector runs on onnxruntime, whose telemetry was seen looking up a
    Microsoft host during indexing. What stops it is ``ORT_DISABLE_TELEMETRY``, set when framesense is
    imported (``framesense/offline.py``); this switches the events off too, for a host that imported
    onnxruntime before framesense."""
    try:
        import onnxruntime
        onnxruntime.disable_telemetry_events()
    except Exception:   # not installed (no VAD then), or a build without telemetry
        pass


def load_whisper(path, device: str | None = None, compute_type: str | None = None):
    """One loaded WhisperModel per (folder, device, compute type, threads) per process."""
    import_ctranslate2()
    quiet_onnxruntime()
    from faster_whisper import WhisperModel
    d, c = device_and_compute()
    device, compute_type = device or d, compute_type or c
    threads = speech_threads()
    key = (str(path), device, compute_type, threads)
    with _LOCK:
        if key not in _MODELS:
            _MODELS[key] = WhisperModel(str(path), device=device, compute_type=compute_type,
                                        cpu_threads=threads if device == "cpu" else 0, num_workers=1)
        return _MODELS[key]


def decode_options(language: str | None, *, strong: bool = False) -> dict:
    """Whisper settings that give the same words and times on every run.

    One temperature (0: no sampling, so no random fallback when a segment fails the
    compression or log-prob checks); greedy or beam search, both deterministic. The strong
    variant (beam search, no VAD) is the retry for audible speech that gave no words.
    """
    return dict(language=language, word_timestamps=True, vad_filter=not strong,
                beam_size=RETRY_BEAM_SIZE if strong else BEAM_SIZE, best_of=1, temperature=0.0,
                condition_on_previous_text=False)


def is_speech_segment(seg) -> bool:
    """False for what Whisper writes over music and effects: segments it doubts are speech."""
    lp = getattr(seg, "avg_logprob", 0.0)
    nsp = getattr(seg, "no_speech_prob", 0.0)
    if lp < MIN_LOGPROB or getattr(seg, "compression_ratio", 0.0) > MAX_COMPRESSION:
        return False
    return not (nsp > NO_SPEECH_PROB and lp < LOW_LOGPROB)


def speech_seconds(samples: np.ndarray) -> float:
    """Seconds of speech Silero VAD (shipped with faster-whisper) hears in 16 kHz samples."""
    from faster_whisper.vad import get_speech_timestamps
    return sum(t["end"] - t["start"] for t in get_speech_timestamps(samples)) / SAMPLE_RATE


def needs_retry(segments: list, samples: np.ndarray) -> bool:
    """No words, yet VAD hears at least MIN_SPEECH_S of speech: implausibly empty, try harder."""
    return not segments and speech_seconds(samples) >= MIN_SPEECH_S


def transcribe_samples(model, samples: np.ndarray, *, language: str | None = None, batched: bool | None = None,
                       strong: bool = False, progress=lambda f, note="": None,
                       heard: dict | None = None) -> tuple[list[Segment], str | None]:
    """Whisper over 16 kHz mono samples: segments with word timestamps, and the language used
    (``heard``, when given, also gets Whisper's ``language_probability``, and ``timing_warning``
    where English word edges could not be force-aligned)."""
    duration = samples.size / SAMPLE_RATE
    if not model.model.is_multilingual:
        language = "en"
    if batched is None:
        batched = os.environ.get("FRAMESENSE_WHISPER_BATCHED") == "1"
    kwargs = decode_options(language, strong=strong)
    progress(0.0, f"listening to {duration:.0f} s")
    if batched and not strong:
        from faster_whisper import BatchedInferencePipeline
        pipe = BatchedInferencePipeline(model=model)
        seg_iter, info = pipe.transcribe(samples, batch_size=BATCH_SIZE, **kwargs)
    else:
        seg_iter, info = model.transcribe(samples, **kwargs)
    out: list[Segment] = []
    for s in seg_iter:
        if duration:
            progress(min(1.0, s.end / duration), f"{s.end:.0f}/{duration:.0f} s")
        if not is_speech_segment(s):
            continue
        words = [Word(w.word.strip(), round(float(w.start), 3), round(float(w.end), 3),
                      round(float(w.probability), 4)) for w in (s.words or []) if w.word.strip()]
        if words:
            out.append(Segment(round(float(s.start), 3), round(float(s.end), 3), s.text.strip(), words))
    warning = fit_words_to_sound(out, samples, info.language)
    if heard is not None:
        heard.update(language=info.language, language_probability=round(float(info.language_probability), 4))
        if warning:
            heard["timing_warning"] = warning
    return out, info.language


def fit_words_to_sound(segments: list[Segment], samples: np.ndarray, language: str | None = None) -> str | None:
    """Move each word's edges onto its sound (``word_timing``), so a hit holds whole words and
    no word begins in a pause or inside the word before; subtitles follow the words. A warning
    when English words could not be force-aligned, else None."""
    _unhang_first_words(segments)
    warning = time_words([s.words for s in segments], samples, language)
    for s in segments:
        if s.words:
            s.start, s.end = s.words[0].start, max(s.words[-1].end, s.words[0].start)
    return warning


GLUED_S = 0.1      # a segment's first word starting this close to the previous speech's end ...
HUNG_PAUSE_S = 1.0  # ... and this long before its own next word was hung on the wrong side of a pause
HUNG_REACH_S = 0.3  # where it is looked for instead: this much before its next word


def _unhang_first_words(segments: list[Segment]) -> None:
    """Whisper (with VAD) often hangs the first word after a pause on the end of the speech before
    it ("dawn. We ... [3 s] counted"): a hit for that line then starts seconds early. Such a word
    is moved to just before its next word, where its sound is (``fit_words_to_sound`` then finds it).
    A word said before a real hesitation is not glued to the previous speech, so it stays."""
    prev_end = None
    for s in segments:
        ws = s.words
        if (len(ws) >= 2 and prev_end is not None and ws[0].start - prev_end <= GLUED_S
                and ws[1].start - ws[0].end >= HUNG_PAUSE_S):
            ws[0].start = round(max(ws[0].end, ws[1].start - HUNG_REACH_S), 3)
            ws[0].end = ws[1].start
        if ws:
            prev_end = ws[-1].end


@dataclass
class SpeechResult:
    transcripts: list[Transcript]
    keep: bool = False           # a hand-imported transcript stays
    note: str = ""
    warning: str | None = None   # damaged audio, or audible speech that gave no words


class SpeechAnalyzer(Analyzer):
    name = "speech"
    version = "2"   # 2: deterministic decoding, non-speech dropped, words fitted to their sound
    owns_tables = ("words", "segments", "transcripts")

    def __init__(self, model: str | None = None, language: str | None = None, batched: bool | None = None,
                 folder_languages: dict[str, str] | None = None):
        from ..models import DEFAULT_SPEECH_MODEL
        self.model_name = model or DEFAULT_SPEECH_MODEL
        self.language = language_code(language)
        self.folder_languages = {k.rstrip("/") + "/": v for k, v in (folder_languages or {}).items()}
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

    def language_for(self, path: str) -> str | None:
        """The language a file is transcribed as: this run's --language, else its folder's, else None (its
        stream's tag or Whisper's detection)."""
        if self.language:
            return self.language
        under = [f for f in self.folder_languages if str(path).startswith(f)]
        return self.folder_languages[max(under, key=len)] if under else None

    def analyze(self, ctx: AnalysisContext) -> SpeechResult:
        media = ctx.media
        forced = self.language_for(media["path"])
        mine = ctx.catalog.one("SELECT origin FROM transcripts WHERE media_id = ? AND source = 'import' LIMIT 1",
                               (media["id"],))
        if mine:
            return SpeechResult([], keep=True, note=f"kept imported transcript {mine['origin']}")
        sidecar = find_sidecar(media["path"])
        if sidecar:
            t = read_transcript(sidecar, source="sidecar")
            if t.language is None and forced:    # the file's own tag wins; else what the user set
                t.language, t.language_from = forced, "set"
            return SpeechResult([t], note=f"imported {sidecar.name}")
        from ..models import resolve_speech_model
        model = load_whisper(resolve_speech_model(self.model_name))  # joins packaged parts on first use
        streams = json.loads(media.get("audio_streams") or "[]")
        out, notes, warnings = [], [], []
        for k, st in enumerate(streams):
            try:
                samples, loss = decode_audio_checked(media["path"], st["index"])
            except MediaError as exc:
                if len(streams) == 1:
                    raise
                warnings.append(f"stream {st['index']}: {exc.reason}")   # another stream may still speak
                continue
            if loss:
                warnings.append(loss.note())
            if not has_sound(samples):
                notes.append(f"stream {st['index']}: silent")
                continue
            tag = language_code(st.get("language"))
            lang = forced or tag
            report = lambda f, note="", k=k: ctx.progress((k + f) / len(streams), note)  # noqa: E731
            heard: dict = {}
            segs, used = transcribe_samples(model, samples, language=lang, batched=self.batched, progress=report,
                                            heard=heard)
            retried = ""
            if needs_retry(segs, samples):
                # audible speech but no words: never silently 'done'; try harder before giving up
                segs, used = transcribe_samples(model, samples, language=lang, strong=True, progress=report,
                                                heard=heard)
                retried = " after a retry (beam search, no VAD)"
                if not segs:
                    warnings.append(f"stream {st['index']}: speech is audible but no words were recognised"
                                    f"{retried}")
            if heard.get("timing_warning") and heard["timing_warning"] not in warnings:
                warnings.append(heard["timing_warning"])
            if not segs:   # music, effects, noise: no transcript rather than an empty one
                notes.append(f"stream {st['index']}: no speech heard{retried}")
                continue
            out.append(Transcript(segs, language=used, source="whisper", origin=self.model_name,
                                  stream=st["index"], language_from=_language_from(forced, tag, model),
                                  language_probability=heard.get("language_probability") if not lang else None,
                                  timing=TIMING_VERSION))
            notes.append(f"stream {st['index']}: {len(segs)} segments, {used}{retried}")
        if not out and warnings and len(warnings) == len(streams):
            raise MediaError(media["path"], "; ".join(warnings))
        return SpeechResult(out, note="; ".join(notes), warning="; ".join(warnings) or None)

    def store(self, catalog, media, result: SpeechResult) -> str | None:
        if result.keep:
            return result.note
        counts = store_transcripts(catalog, media["id"], result.transcripts)
        return f"{result.note} ({counts['words']} words)"


def _language_from(forced: str | None, tag: str | None, model) -> str:
    """Where a Whisper transcript's language came from: set by the user, the stream's tag, the
    English-only model, or detected."""
    if forced:
        return "set"
    if not model.model.is_multilingual:
        return "model"
    return "container" if tag else "detected"
