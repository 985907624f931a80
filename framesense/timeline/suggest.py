"""Pictures to lay over the words: for each cut on the speech track, shots that could cover it on V2.

Three sources, each used when the library can answer it:

- ``pictures``: a picture search with the words said in the cut (needs a picture model);
- ``person``: other shots of the person on screen while the words are said (needs faces);
- ``text``: shots whose on-screen text holds a content word of the cut (needs the OCR plugin).

Their scores mean different things, so their rankings are fused by reciprocal rank: a shot two
sources agree on rises above one that only one source found. The cut's own shots are never
suggested, and a shot already laid over an earlier cut is used again only when nothing else is left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from ..errors import QueryError
from ..search.hits import Hit
from ..search.query import SearchQuery
from .footage import Footage, MediaRows, Search
from .model import Clip, Overlay, Sequence, SequenceOptions, clip_from_hit
from .paper_edit import alternate

SOURCES = ("pictures", "person", "text")
REASONS = {"pictures": "pictures match the words", "person": "the person speaking",
           "text": "on-screen text matches the words"}
RRF_K = 60            # reciprocal-rank fusion constant (the usual one): 1 / (K + rank) per source
PER_SOURCE = 12       # hits looked at per source and cut
TEXT_WORDS = 4        # content words of a cut looked for on screen
_STOP = frozenset("""a an and are as at be been but by for from had has have he her his i if in into is it its
just me my no not of on or our out over she so than that the their them then there these they this those to
too up us was we were what when where which while who will with would you your""".split())


@dataclass
class Suggestion:
    hit: Hit
    reasons: list[str]          # the sources that found it, best first
    score: float                # fused reciprocal rank

    def to_json(self) -> dict:
        return {**self.hit.to_json(), "reasons": self.reasons, "fused": round(self.score, 6)}


@dataclass
class CutSuggestions:
    """What was found for one cut (by its index on the sequence)."""
    index: int
    words: str
    suggestions: list[Suggestion] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)   # source -> why it could not answer

    def to_json(self) -> dict:
        return {"index": self.index, "words": self.words, "unavailable": self.unavailable,
                "suggestions": [s.to_json() for s in self.suggestions]}


def content_words(words: str, n: int = TEXT_WORDS) -> list[str]:
    """The longest words that are not function words, at most ``n``, in the order said."""
    seen, out = set(), []
    for w in re.findall(r"[^\W_]+(?:'[^\W_]+)?", words.lower()):
        if len(w) >= 4 and w not in _STOP and w not in seen:
            seen.add(w)
            out.append(w)
    keep = set(sorted(out, key=len, reverse=True)[:n])
    return [w for w in out if w in keep]


def media_id(media: MediaRows, clip: Clip) -> int | None:
    """The cut's file in this library (a sequence saved from another library carries other ids)."""
    mid = clip.media.media_id
    row = media.media_by_id(mid) if mid is not None else None
    if row is None or row["path"] != clip.media.path:
        row = media.media_by_path(clip.media.path)
    return row["id"] if row else None


def cut_words(footage: Footage, clip: Clip, mid: int | None) -> str:
    """The words said in the cut (from the transcript of file ``mid``), else its label and markers."""
    if mid is not None:
        rate = clip.media.rate
        said = footage.said(mid, float(Fraction(clip.source_in) / rate), float(Fraction(clip.source_out) / rate))
        if said:
            return said
    return clip.label or " ".join(m.text or "" for m in clip.markers).strip()


def _own_span(footage: Footage, clip: Clip, mid: int | None) -> tuple[int, int]:
    """The frames of the shots the cut is in (its own range when the file has no shots)."""
    span = footage.shots_span(mid, clip.source_in, clip.source_out) if mid is not None else None
    if span is not None:
        return min(span[0], clip.source_in), max(span[1], clip.source_out)
    return clip.source_in, clip.source_out


def suggest_for_cut(clip: Clip, search: Search, footage: Footage, *,
                    sources=SOURCES, has_ocr: bool = True, limit: int = 5, used: set | None = None,
                    index: int = 0) -> CutSuggestions:
    mid = media_id(footage, clip)
    own_a, own_b = own = _own_span(footage, clip, mid)
    words = cut_words(footage, clip, mid)
    out = CutSuggestions(index, words)
    ranked: dict[str, list[Hit]] = {}

    def ask(source, query):
        try:
            ranked.setdefault(source, []).extend(search(query))
        except QueryError as exc:       # this library cannot answer this kind of search
            out.unavailable[source] = str(exc)

    if "pictures" in sources:
        if words:
            ask("pictures", SearchQuery(text=[words], limit=PER_SOURCE))
        else:
            out.unavailable["pictures"] = "no words in this cut"
    if "person" in sources:
        person = footage.speaker(mid, *own) if mid is not None else None   # seen most in the cut's shots
        if person is None:
            out.unavailable["person"] = "no known face in this cut"
        else:
            ask("person", SearchQuery(options={"person": f"#{person}"}, limit=PER_SOURCE))
    if "text" in sources:
        if not has_ocr:
            out.unavailable["text"] = "no on-screen text search (install the OCR plugin)"
        for w in content_words(words) if has_ocr else []:
            ask("text", SearchQuery(options={"ocr": w}, limit=PER_SOURCE))

    fused: dict[tuple, Suggestion] = {}
    for source in SOURCES:
        hits = sorted(ranked.get(source, []), key=lambda h: -h.score)
        seen = set()
        for h in hits:
            key = (h.media_id, h.start_frame, h.end_frame)
            if key in seen or (h.media_path == clip.media.path and h.start_frame < own_b and h.end_frame > own_a):
                continue           # once per source; never the cut's own shot
            seen.add(key)
            s = fused.setdefault(key, Suggestion(h, [], 0.0))
            s.reasons.append(source)
            s.score += 1.0 / (RRF_K + len(seen))
    used = used or set()
    best = sorted(fused.values(), key=lambda s: ((s.hit.media_id, s.hit.start_frame) in used, -s.score,
                                                  s.hit.media_path, s.hit.start_frame))
    out.suggestions = best[:limit]
    return out


def overlay_from(media: MediaRows, clip: Clip, s: Suggestion, alternates: list[Suggestion], cache: dict) -> Overlay:
    """The suggested shot over the whole cut, or centred in it when the shot is shorter."""
    pic = clip_from_hit(media, s.hit, SequenceOptions(), media_cache=cache)
    want = max(1, int(Fraction(clip.duration) / clip.media.rate * pic.media.rate))   # cut length, its frames
    have = pic.source_out - pic.source_in
    pic = pic.copy(source_out=pic.source_in + min(want, have), label=None, handles=clip.handles,
                   markers=[], alternates=[{**alternate(a.hit), "reasons": a.reasons} for a in alternates])
    short = int(Fraction(want - min(want, have)) / pic.media.rate * clip.media.rate) // 2
    return Overlay(pic, at=clip.source_in + short, reason=", ".join(REASONS[r] for r in s.reasons))


def suggest_pictures(seq: Sequence, search: Search, footage: Footage, *, sources=SOURCES, has_ocr: bool = True,
                     alternates: int = 4, lay: bool = True, progress=None) -> list[CutSuggestions]:
    """Suggestions for every cut; with ``lay``, the best goes on V2 over its cut (the rest ride on it
    as alternates) and cuts with no suggestion keep what they had. progress(done, total) per cut."""
    report, used, cache = [], set(), {}
    for i, clip in enumerate(seq.clips):
        found = suggest_for_cut(clip, search, footage, sources=sources, has_ocr=has_ocr, limit=1 + alternates,
                                used=used, index=i)
        report.append(found)
        if lay and found.suggestions:
            top, rest = found.suggestions[0], found.suggestions[1:]
            used.add((top.hit.media_id, top.hit.start_frame))
            seq.clips[i] = clip.copy(overlay=overlay_from(footage, clip, top, rest, cache))
        if progress:
            progress(i + 1, len(seq.clips))
    return report


def next_overlay(media: MediaRows, clip: Clip) -> Overlay | None:
    """The cut's next suggestion in place of its current picture, which goes to the back of the
    alternates (so swapping round the list comes back to it); None when it has no alternates."""
    ov = clip.overlay
    if ov is None or not ov.clip.alternates:
        return None
    first, rest = ov.clip.alternates[0], ov.clip.alternates[1:]
    current = {"media_id": ov.clip.media.media_id, "media_path": ov.clip.media.path,
               "start_frame": ov.clip.source_in, "end_frame": ov.clip.source_out,
               "rate": f"{ov.clip.media.rate.numerator}/{ov.clip.media.rate.denominator}", "score": 0.0,
               "reasons": [k for k, v in REASONS.items() if v in ov.reason]}
    hit = Hit(media_id=first["media_id"], media_path=first["media_path"], start_frame=int(first["start_frame"]),
              end_frame=int(first["end_frame"]), rate=Fraction(first["rate"]), score=float(first.get("score") or 0),
              kind="suggestion")
    new = overlay_from(media, clip.copy(overlay=None), Suggestion(hit, list(first.get("reasons") or []), 0.0), [], {})
    new.clip.alternates = rest + [current]
    return new
