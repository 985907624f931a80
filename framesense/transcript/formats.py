"""Read SRT, WebVTT and Whisper/WhisperX JSON transcripts; write SRT, WebVTT and JSON.

SRT and WebVTT cues carry no word times: each cue's span is shared among its
words in proportion to their character length (see ``spread_words``).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from ..errors import FrameSenseError
from .languages import language_code, whisper_languages
from .model import Segment, Transcript, Word, spread_words

SIDECAR_SUFFIXES = (".srt", ".vtt", ".json")


class TranscriptFormatError(FrameSenseError):
    """A transcript file that cannot be read; the message names the file and the reason."""

    def __init__(self, path, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}")


_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})$")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_VOICE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]+)>")


def _parse_time(s: str) -> float:
    m = _TIME.match(s.strip())
    if not m:
        raise ValueError(f"bad timestamp {s!r}")
    h, mnt, sec, frac = m.groups()
    return int(h or 0) * 3600 + int(mnt) * 60 + int(sec) + int(frac.ljust(3, "0")) / 1000


def _cues(path: Path, text: str, vtt: bool) -> list[Segment]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    blocks = re.split(r"\n\s*\n", text.strip())
    if vtt:
        if not blocks or not blocks[0].startswith("WEBVTT"):
            raise TranscriptFormatError(path, "not a WebVTT file (no WEBVTT header)")
        blocks = blocks[1:]
    segments: list[Segment] = []
    for block in blocks:
        lines = [l for l in block.split("\n")]
        if vtt and lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        k = next((i for i, l in enumerate(lines) if "-->" in l), None)
        if k is None:
            if not vtt and all(l.strip().isdigit() for l in lines):
                continue
            raise TranscriptFormatError(path, f"cue without a timing line: {lines[0][:60]!r}")
        a, _, b = lines[k].partition("-->")
        try:
            start, end = _parse_time(a), _parse_time(b.strip().split()[0] if b.strip() else "")
        except (ValueError, IndexError) as exc:
            raise TranscriptFormatError(path, f"{exc} in {lines[k]!r}") from None
        raw = "\n".join(lines[k + 1:])
        speaker = None
        if vtt and (m := _VOICE.search(raw)):
            speaker = m.group(1).strip()
        body = html.unescape(_TAG.sub("", raw)).replace("\n", " ").strip()
        body = re.sub(r"\s+", " ", body)
        if not body:
            continue
        if end < start:
            raise TranscriptFormatError(path, f"cue ends before it starts: {lines[k]!r}")
        segments.append(Segment(start, end, body, spread_words(body, start, end, speaker), speaker))
    if not segments:
        raise TranscriptFormatError(path, "no cues found")
    return segments


def _fill_word_times(words: list[dict], seg_start: float, seg_end: float) -> None:
    """WhisperX leaves some words (numbers, symbols) unaligned: place them between their neighbours."""
    n = len(words)
    i = 0
    while i < n:
        if "start" in words[i] and "end" in words[i]:
            i += 1
            continue
        j = i
        while j < n and not ("start" in words[j] and "end" in words[j]):
            j += 1
        lo = words[i - 1]["end"] if i else seg_start
        hi = words[j]["start"] if j < n else seg_end
        hi = max(hi, lo)
        step = (hi - lo) / (j - i)
        for k in range(i, j):
            words[k]["start"], words[k]["end"] = lo + step * (k - i), lo + step * (k - i + 1)
        i = j


def _from_json(path: Path, text: str) -> tuple[list[Segment], str | None]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptFormatError(path, f"invalid JSON: {exc}") from None
    language = None
    if isinstance(data, dict):
        language = data.get("language")
        segs = data.get("segments")
    else:
        segs = data
    if not isinstance(segs, list):
        raise TranscriptFormatError(path, "not a Whisper/WhisperX transcript (no 'segments' list)")
    out: list[Segment] = []
    for i, s in enumerate(segs):
        if not isinstance(s, dict) or "start" not in s or "end" not in s:
            raise TranscriptFormatError(path, f"segment {i} has no start/end")
        start, end = float(s["start"]), float(s["end"])
        speaker = s.get("speaker")
        raw_words = [dict(w) for w in s.get("words") or [] if isinstance(w, dict)]
        words: list[Word] = []
        if raw_words:
            _fill_word_times(raw_words, start, end)
            for w in raw_words:
                t = str(w.get("word", w.get("text", ""))).strip()
                if not t:
                    continue
                prob = w.get("probability", w.get("score"))
                words.append(Word(t, float(w["start"]), float(w["end"]),
                                  float(prob) if prob is not None else None, w.get("speaker", speaker)))
        text_ = str(s.get("text", "")).strip() or " ".join(w.text for w in words)
        if not words:
            words = spread_words(text_, start, end, speaker)
        if text_:
            out.append(Segment(start, end, text_, words, speaker))
    return out, language


def read_transcript(path, *, source: str = "import") -> Transcript:
    """Parse a transcript file by its suffix (.srt, .vtt, .json)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TranscriptFormatError(p, "file not found") from None
    except UnicodeDecodeError:
        raise TranscriptFormatError(p, "not UTF-8 text") from None
    except OSError as exc:
        raise TranscriptFormatError(p, f"cannot read: {exc.strerror}") from None
    suffix = p.suffix.lower()
    language = None
    if suffix == ".srt":
        segments = _cues(p, text, vtt=False)
    elif suffix == ".vtt":
        segments = _cues(p, text, vtt=True)
    elif suffix == ".json":
        segments, language = _from_json(p, text)
    else:
        raise TranscriptFormatError(p, f"unknown transcript format '{suffix}' (use .srt, .vtt or Whisper .json)")
    if language is None:  # clip.en.srt
        parts = p.name.split(".")
        if len(parts) >= 3 and 2 <= len(parts[-2]) <= 3 and parts[-2].isalpha():
            language = parts[-2].lower()
            known = whisper_languages()
            if known and language_code(language) not in known:   # clip.mov.srt: a suffix, not a language
                language = None
    language = language_code(language)
    return Transcript(segments, language=language, source=source, origin=str(p.resolve()), stream=-1,
                      language_from="file" if language else None)


def find_sidecar(media_path) -> Path | None:
    """A transcript beside the media: clip.srt, clip.en.vtt, clip.json (or clip.mp4.srt)."""
    m = Path(media_path)
    stem = m.stem
    candidates: list[Path] = []
    for suffix in (".srt", ".vtt"):
        candidates += [m.with_suffix(suffix), m.parent / (m.name + suffix)]
        candidates += sorted(m.parent.glob(f"{glob_escape(stem)}.*{suffix}"))
    for c in candidates:
        if c.is_file() and c != m:
            return c
    js = m.with_suffix(".json")
    if js.is_file() and js != m and _looks_like_whisper_json(js):
        return js
    return None


def glob_escape(s: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", s)


def _looks_like_whisper_json(path: Path) -> bool:
    try:
        if path.stat().st_size > 200 << 20:
            return False
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return False
    segs = data.get("segments") if isinstance(data, dict) else data
    return isinstance(segs, list) and all(isinstance(s, dict) and "start" in s and "end" in s for s in segs[:5])


# -- writing -------------------------------------------------------------------

def _stamp(t: float, sep: str) -> str:
    ms = max(0, int(round(t * 1000)))
    h, ms = divmod(ms, 3600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(segments: list[Segment]) -> str:
    out = []
    for i, s in enumerate(segments, 1):
        out.append(f"{i}\n{_stamp(s.start, ',')} --> {_stamp(s.end, ',')}\n{s.text.strip()}\n")
    return "\n".join(out)


def to_vtt(segments: list[Segment]) -> str:
    out = ["WEBVTT\n"]
    for s in segments:
        body = s.text.strip()
        if s.speaker:
            body = f"<v {s.speaker}>{body}"
        out.append(f"{_stamp(s.start, '.')} --> {_stamp(s.end, '.')}\n{body}\n")
    return "\n".join(out)


def to_json(transcript: Transcript) -> dict:
    return {
        "language": transcript.language,
        "source": transcript.source,
        "origin": transcript.origin,
        "segments": [
            {"id": i, "start": s.start, "end": s.end, "text": s.text, "speaker": s.speaker,
             "words": [{"word": w.text, "start": w.start, "end": w.end, "probability": w.probability,
                        **({"speaker": w.speaker} if w.speaker else {})} for w in s.words]}
            for i, s in enumerate(transcript.segments)],
    }


def render(transcript: Transcript, fmt: str) -> str:
    if fmt == "srt":
        return to_srt(transcript.segments)
    if fmt == "vtt":
        return to_vtt(transcript.segments)
    if fmt == "json":
        return json.dumps(to_json(transcript), indent=2, ensure_ascii=False)
    raise ValueError(f"unknown subtitle format '{fmt}' (srt, vtt, json)")
