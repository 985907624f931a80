"""The word-timing stage: a library's Whisper words re-measured from the sound, without re-transcribing.

Words transcribed before ``word_edges`` (or under an older version of its rules) keep the times
Whisper gave them: takes that open in a pause or on the previous word's tail. This stage reads a
file's Whisper transcripts whose ``timing`` is not the current version, decodes their audio
streams, fits the words to the sound (``word_timing``: energy rules, and for English a forced
aligner) and updates their start/end (and their segments') in place;
the text, the vocabulary and the search index stay. A file transcribed by the current speech stage
is already timed: the stage then records itself done without decoding anything. Imported and
sidecar transcripts are kept as given (their times are someone's decision, not Whisper's guess).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..media.audio import decode_audio_checked
from .base import AnalysisContext, Analyzer
from .word_timing import VERSION, time_words


@dataclass
class Retimed:
    words: dict[int, tuple[float, float]] = field(default_factory=dict)    # seq -> (start, end)
    transcripts: list[int] = field(default_factory=list)                    # ids now timed
    note: str = ""
    warning: str | None = None


class WordTimingAnalyzer(Analyzer):
    name = "word_timing"
    version = VERSION
    requires = ("speech",)

    def applies_to(self, media: dict) -> bool:
        from .speech import SpeechAnalyzer
        return SpeechAnalyzer.applies_to(self, media)

    def analyze(self, ctx: AnalysisContext) -> Retimed:
        from .speech import _unhang_first_words
        from ..transcript.model import Segment, Word
        cat, mid = ctx.catalog, ctx.media["id"]
        todo = cat.query("SELECT id, stream, language FROM transcripts WHERE media_id = ? AND source = 'whisper' "
                         "AND (timing IS NULL OR timing != ?) ORDER BY stream", (mid, VERSION))
        out = Retimed()
        if not todo:
            out.note = "words already timed from the sound"
            return out
        warnings = []
        for k, t in enumerate(todo):
            ctx.progress(k / len(todo), f"stream {t['stream']}")
            rows = cat.query("SELECT w.seq, w.segment_id, w.start, w.end, w.text FROM words w "
                             "JOIN segments s ON s.id = w.segment_id WHERE s.transcript_id = ? AND w.media_id = ? "
                             "ORDER BY w.seq", (t["id"], mid))
            samples, loss = decode_audio_checked(ctx.media["path"], t["stream"])
            if loss:
                warnings.append(loss.note())
            segs: dict[int, Segment] = {}
            words = []
            for r in rows:
                w = Word(r["text"], float(r["start"]), float(r["end"]), 1.0)
                segs.setdefault(r["segment_id"], Segment(w.start, w.end, "", [])).words.append(w)
                words.append((r["seq"], w))
            _unhang_first_words(list(segs.values()))
            warning = time_words([s.words for s in segs.values()], samples, t["language"])
            if warning and warning not in warnings:
                warnings.append(warning)
            out.words.update((seq, (w.start, w.end)) for seq, w in words)
            out.transcripts.append(t["id"])
        out.note = f"{len(out.words)} words re-timed from the sound"
        out.warning = "; ".join(warnings) or None
        return out

    def store(self, catalog, media, result: Retimed) -> str | None:
        mid = media["id"]
        catalog.conn.executemany("UPDATE words SET start = ?, end = ? WHERE media_id = ? AND seq = ?",
                                 [(a, b, mid, seq) for seq, (a, b) in result.words.items()])
        for tid in result.transcripts:
            # subtitles follow their words, as the speech stage leaves them
            catalog.execute("UPDATE segments SET start = (SELECT min(start) FROM words w WHERE w.segment_id = "
                            "segments.id), end = (SELECT max(end) FROM words w WHERE w.segment_id = segments.id) "
                            "WHERE transcript_id = ? AND first_seq IS NOT NULL", (tid,))
            catalog.execute("UPDATE transcripts SET timing = ? WHERE id = ?", (VERSION, tid))
        return result.note
