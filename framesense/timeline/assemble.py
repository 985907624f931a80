"""A paper edit to a sequence: for each wanted line, the take that says it, in script order.

Each line is searched as spoken words (the phrase search with its number, spelling and
compound variants, then all-words and fuzzy fallbacks). A line not found as written may have
been heard differently (``_aligned``): the line is aligned word by word to the transcript around
takes of its runs, rare words weighing more than common ones, the way ScriptSync lines a script
up with what was said. Failing that, the
longest run of its words that was said (at least ``MIN_RUN_SHARE`` of the line) stands in, and
the report says so. The other candidate takes ride on the clip as alternates (saved in the
``.otio``), so an editor can swap them. A line with no take becomes a marker on the cut where
it belongs ("MISSING: ..."), and the report gives its best near miss.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import replace
from typing import Callable

from ..errors import QueryError
from ..search.hits import AUDIO_TIME_BASE, Hit
from ..search.query import SearchQuery
from ..transcript.cuts import cut_frames
from .footage import Footage, Search
from .model import Marker, Sequence, SequenceOptions, clip_from_hit, sequence_from_clips
from .paper_edit import alternate
from .script import LineResult, ScriptLine, parse_script, read_script

__all__ = ["assemble", "split_line", "alternate", "ScriptLine", "LineResult", "parse_script", "read_script"]

MIN_RUN_SHARE = 0.6      # a partial take must hold at least this share of the line's words
CANDIDATES = 6           # takes looked at per line: the best, and up to five alternates
ANCHOR_CANDIDATES = 40   # takes of each run of a line heard differently: short runs ("by evening the") are common
MIN_SCORE = 0.35         # below this a phrase hit is a guess at misspelt words, not a take
MAX_LINE_WORDS = 40      # longer lines are split at sentence boundaries (then clauses), each part placed alone
SHORT_LINE = 12          # longer lines: anchors from their rare words, and at most one search per word for runs


LONG_LINE_SEARCHES = 6   # runs of a long line searched for a partial take, or for its near miss


def _long_runs(words: list[str]):
    """A long line's runs worth a search (each costs as much as the line): its longest beginnings and
    endings down to ``MIN_RUN_SHARE`` of it, where a take that ran into another file or a cut stops."""
    n = len(words)
    for size in sorted({n - 1, int(n * 0.8 + 0.999), int(n * MIN_RUN_SHARE + 0.999)}, reverse=True):
        yield " ".join(words[:size])
        yield " ".join(words[n - size:])


def _runs(words: list[str]):
    """Contiguous runs of the line's words, longest first (then earliest)."""
    n = len(words)
    for size in range(n - 1, max(1, int(n * MIN_RUN_SHARE + 0.999)) - 1, -1):
        for start in range(0, n - size + 1):
            yield " ".join(words[start:start + size])


def assemble(lines: list[ScriptLine], search: Search, footage: Footage,
             options: SequenceOptions | None = None, per_media: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> tuple[Sequence, list[LineResult]]:
    """Takes from ``search`` (phrase queries), the transcript around them from ``footage``.
    ``progress(lines done, lines)`` after each line (an exception it raises stops the assembly)."""
    options = options or SequenceOptions(name="Paper edit")
    search = _tolerant(search)
    weights = _Weights(footage)
    used: dict[str, int] = {}
    cache: dict = {}
    clips, report, pending_missing = [], [], []
    for n, line, note in _parts(lines):
        found = _Searches(search, line)   # one search per run of the line, whichever step asks again

        def takes(phrase, limit=CANDIDATES):
            return [h for h in found(phrase, limit)
                    if h.score >= MIN_SCORE and (not per_media or used.get(h.media_path, 0) < per_media)]
        words = line.text.split()
        long = len(words) > SHORT_LINE    # a long line: a few searches for runs, each linear in the line
        hits, status = takes(line.text), "placed"
        if not hits and len(words) >= 3:      # words heard differently: the line aligned to the transcript
            aligned = _aligned(words, lambda phrase, limit=ANCHOR_CANDIDATES: takes(phrase, limit), footage, weights)
            if aligned is not None:
                hits = [aligned]
        if not hits and len(words) >= 3:
            for run in (_long_runs(words) if long else _runs(words)):
                hits = takes(run)
                if hits:
                    status = "partial"
                    break
        res = LineResult(n, line.text, status if hits else "missing", note=note)
        if not hits:
            res.near_miss = _near_miss(words, found, LONG_LINE_SEARCHES if long else None)
            pending_missing.append(res)
            report.append(res)
            if progress:
                progress(n, len(lines))
            continue
        best, alternates = hits[0], hits[1:]
        used[best.media_path] = used.get(best.media_path, 0) + 1
        clip = clip_from_hit(footage, best, options, media_cache=cache)
        clip.label = line.text
        clip.alternates = [alternate(h) for h in alternates]
        for miss in pending_missing:      # lines missing before this one: marked where they belong
            clip.markers.append(Marker(frame=clip.source_in, name=f"MISSING: {miss.text}", text=miss.text,
                                       query="paper edit"))
        pending_missing = []
        clips.append(clip)
        res.said, res.media_path, res.start, res.end = best.text, best.media_path, best.start, best.end
        res.score, res.match, res.alternates = best.score, best.extra.get("match"), len(alternates)
        report.append(res)
        if progress:
            progress(n, len(lines))
    if not clips:
        raise QueryError("no line of the script was found in the library's speech")
    for miss in pending_missing:          # missing lines at the end: on the last cut's last frame
        last = clips[-1]
        last.markers.append(Marker(frame=last.source_out - 1, name=f"MISSING: {miss.text}", text=miss.text,
                                   query="paper edit"))
    return sequence_from_clips(clips, options), report


def split_line(text: str, limit: int = MAX_LINE_WORDS) -> list[str]:
    """A line of up to ``limit`` words as it is; a longer one in parts of at most ``limit`` words, cut
    at sentence ends where it can, else at clause marks (, ; :), else evenly."""
    words = text.split()
    if len(words) <= limit:
        return [text.strip()]
    parts: list[str] = []
    for pattern in (r"(?<=[.!?])\s+", r"(?<=[,;:])\s+"):
        pieces = [p for p in re.split(pattern, text.strip()) if p.strip()]
        if len(pieces) > 1:
            out, cur = [], []
            for piece in pieces:
                n = len(piece.split())
                if cur and len(" ".join(cur).split()) + n > limit:
                    out.append(" ".join(cur))
                    cur = []
                cur.append(piece)
            out.append(" ".join(cur))
            for part in out:
                parts += split_line(part, limit) if len(part.split()) > limit else [part]
            return parts
    k = -(-len(words) // limit)                      # no mark to cut at: even parts
    size = -(-len(words) // k)
    return [" ".join(words[a:a + size]) for a in range(0, len(words), size)]


def _parts(lines: list[ScriptLine]):
    """(line number, the line or one part of it, a note when it was split)."""
    for n, line in enumerate(lines, 1):
        parts = split_line(line.text)
        for k, part in enumerate(parts, 1):
            note = None if len(parts) == 1 else (
                f"part {k} of {len(parts)}: the line has {len(line.text.split())} words; lines over "
                f"{MAX_LINE_WORDS} are split at sentence boundaries (else clauses, else evenly), each part "
                f"placed on its own")
            yield n, replace(line, text=part), note


SIMILAR = 0.5   # letters shared (difflib ratio) for a heard word to stand for the script's word (one per line)
ALIGN_MIN = 0.7         # weighted share of a line that its aligned take must say (alike words count part)
ALIGN_ANCHORS = 40      # takes of the line's runs whose surroundings are aligned
ALIGN_REACH_S = 8.0     # seconds of transcript either side of such a take
MERGE_SIMILAR = 0.7     # two heard words standing for one written ("count to": "counted")
SMALL_WORD = 3          # letters: words this short ("by", "the") may be dropped or heard as others
ALIGN_SIMILAR = 0.7     # letters shared for any number of longer words heard otherwise ("lories": "lorries",
                        # not "boats": "barrels"); one word per line may be as loose as SIMILAR ("landers")
EDGE_GAP_S = 0.5        # heard words closer than this run on (no pause between)


class _Weights:
    """How much each word says: rare words (names, things) weigh more than common ones ("the"),
    from the library's word counts; a word never heard weighs as much as the rarest."""

    def __init__(self, footage: Footage):
        self.footage, self.cache = footage, {}
        self.total = None

    def __call__(self, norms: list[str]) -> list[float]:
        import math
        if self.total is None:
            self.total = max(2, self.footage.words_said())
        todo = [w for w in dict.fromkeys(norms) if w not in self.cache]
        if todo:
            got = self.footage.word_counts(todo)
            for w in todo:
                self.cache[w] = max(1.0, math.log(self.total / max(1, got.get(w, 0))))
        return [self.cache[w] for w in norms]


def _aligned(words: list[str], takes, footage: Footage, weights: _Weights) -> Hit | None:
    """The whole line where several of its words were heard differently: stretches of transcript
    where the line may have been said (``_run_stretches``, or ``_rare_word_stretches`` for a long
    line), the line (and its numbers written the other way) aligned to each, and the best stretch
    stands if it says enough. The line and the stretch are read by the rules of the take's language
    (its numbers, percent, elisions)."""
    from ..search.wordforms import tokens_of, written_texts
    text = " ".join(words)

    @functools.lru_cache(maxsize=None)
    def forms_in(language):
        forms = [[w for w, _ in tokens_of(t, language)] for t in written_texts(text, language or "en")]
        return [f for f in forms if f]
    find = _rare_word_stretches if len(words) > SHORT_LINE else _run_stretches
    best = None      # (share, take score, anchor, first word row, last word row, words heard differently)
    for near, h in find(words, takes, footage, weights):
        language = h.extra.get("language")
        heard = [" ".join(w for w, _ in tokens_of(r["text"], language)) for r in near]
        for form in forms_in(language):
            got = _align(form, weights(form), heard)
            if got is not None and (best is None or (got[0], h.score) > best[:2]):
                share, first, last, before, after, differ = got
                first, last = _edges(near, first, last, before, after)
                best = (share, h.score, h, near[first], near[last], differ)
    if best is None or best[0] < ALIGN_MIN:
        return None
    share, _, h, first, last, differ = best
    frames = (footage.media_by_id(h.media_id) or {}).get("frames") if h.rate != AUDIO_TIME_BASE else None
    prev_end, next_start = footage.word_neighbours(h.media_id, first["seq"], last["seq"])
    start, end = cut_frames(first["start"], last["end"], prev_end, next_start, h.rate,
                            frames)   # cut in the pauses around the words, as a phrase hit is
    return Hit(media_id=h.media_id, media_path=h.media_path, start_frame=start, end_frame=max(end, start + 1),
               rate=h.rate, score=round(h.score * share * 0.9, 6), kind="phrase",
               text=footage.said(h.media_id, first["start"], last["end"]), context=h.context,
               query=text, extra={"match": "one word heard differently" if differ == 1 else "heard differently",
                                  "alike": round(share, 3)})


def _run_stretches(words: list[str], takes, footage: Footage, weights):
    """Takes of the line's runs of two or more words (longest first) anchor stretches of transcript
    (``ALIGN_REACH_S`` either side): searches grow with the square of the line, so short lines only."""
    anchors: dict = {}
    for size in range(len(words) - 1, 1, -1):
        for start in range(0, len(words) - size + 1):
            for h in takes(" ".join(words[start:start + size])):
                anchors.setdefault((h.media_id, h.start_frame), h)
        if len(anchors) >= ALIGN_ANCHORS:
            break
    by_media: dict[int, list[Hit]] = {}
    for h in list(anchors.values())[:ALIGN_ANCHORS * 2]:
        by_media.setdefault(h.media_id, []).append(h)
    for media_id, hs in by_media.items():
        rows = footage.words(media_id, min(h.start for h in hs) - ALIGN_REACH_S, max(h.end for h in hs) + ALIGN_REACH_S)
        yield from _stretches(rows, sorted(hs, key=lambda h: h.start))


VOTE_WORDS = 6           # a long line's rarest words searched (with a neighbour: pairs are rarer still)
VOTE_HITS = 20           # takes of each
VOTE_STRETCHES = 4       # stretches aligned, those where most of the rare words were heard in order
WORD_S = 0.6             # seconds a spoken word takes at most, to place a line's words around one heard


def _rare_word_stretches(words: list[str], takes, footage: Footage, weights):
    """For a long line: each of its rarest words is searched once; a word at place ``i`` of the line
    heard at time ``t`` puts the line's start near ``t - i * WORD_S``; where several rare words agree,
    the transcript the line would span is a stretch to align. Searches and stretches are bounded, and
    each alignment grows with the line's length times the stretch's, itself linear in the line."""
    from ..search.wordforms import tokens_of
    norms = [" ".join(w for w, _ in tokens_of(word)) for word in words]
    weight = dict(zip(norms, weights(norms)))
    first_at: dict[str, int] = {}
    for i, norm in enumerate(norms):
        if len(norm) > SMALL_WORD:
            first_at.setdefault(norm, i)
    rare = sorted(first_at, key=lambda w: -weight[w])[:VOTE_WORDS]
    n = len(words)
    votes: dict[int, list] = {}        # media -> [(line start estimate, place in line, weight, take)]
    for norm in rare:
        i = first_at[norm]
        for at in (i, i - 1, None):    # the word and the next, else the one before, else alone
            if at is not None and not 0 <= at < n - 1:
                continue
            hits = takes(" ".join(words[at:at + 2]) if at is not None else words[i], VOTE_HITS)
            if hits:
                break
        for h in hits:
            votes.setdefault(h.media_id, []).append((h.start - (i if at is None else at) * WORD_S, i,
                                                     weight[norm], h))
    slack = 2.0 + 0.3 * n * WORD_S                   # speech faster than WORD_S shifts later words' estimates
    windows = []
    for media_id, vs in votes.items():
        vs.sort(key=lambda v: v[0])
        b = 0
        for a in range(len(vs)):
            while b < len(vs) and vs[b][0] <= vs[a][0] + slack:
                b += 1
            group = vs[a:b]
            said = {v[1]: v[2] for v in group}
            windows.append((sum(said.values()), media_id, group))
    windows.sort(key=lambda w: -w[0])
    taken: list[tuple[int, float, float]] = []
    for votes_for, media_id, group in windows:
        if votes_for < 0.5 * windows[0][0]:
            return                                   # far fewer of the rare words agree than at the best
        a = min(v[3].start - v[1] * WORD_S for v in group) - 1.0
        b = max(v[3].end + (n - 1 - v[1]) * WORD_S for v in group) + 1.0
        if any(m == media_id and a < y and x < b for m, x, y in taken):
            continue                                 # overlaps a stretch already chosen
        taken.append((media_id, a, b))
        near = footage.words(media_id, a, b)
        if near:
            yield near, max((v[3] for v in group), key=lambda h: h.score)
        if len(taken) >= VOTE_STRETCHES:
            return


def _edges(near: list[dict], first: int, last: int, before: int, after: int) -> tuple[int, int]:
    """A line's first (or last) words unsaid in the alignment were most likely said as something
    else right there ("By evening" heard as "I evening"): the take takes in as many heard words
    as run on without a pause, so it does not open on half a word."""
    while before and first > 0 and near[first]["start"] - near[first - 1]["end"] <= EDGE_GAP_S:
        first, before = first - 1, before - 1
    while after and last + 1 < len(near) and near[last + 1]["start"] - near[last]["end"] <= EDGE_GAP_S:
        last, after = last + 1, after - 1
    return first, last


def _stretches(rows: list[dict], hits: list[Hit]):
    """The transcript around takes of one file (sorted by start), takes close together in one stretch;
    each stretch with its best-scoring take."""
    group: list[Hit] = []
    for h in hits + [None]:
        if group and (h is None or h.start - ALIGN_REACH_S > group[-1].end + ALIGN_REACH_S):
            a, b = group[0].start - ALIGN_REACH_S, max(g.end for g in group) + ALIGN_REACH_S
            near = [r for r in rows if a <= r["start"] <= b]
            if near:
                yield near, max(group, key=lambda g: g.score)
            group = []
        if h is not None:
            group.append(h)


def _align(line: list[str], w: list[float], heard: list[str]) -> tuple[float, int, int, int, int, int] | None:
    """The best alignment of the whole line to a stretch of heard words: (weighted share said, index
    of the stretch's first and last heard word, line words unsaid before it and after it, line words
    not heard as written). A word heard alike counts by how alike; a different word costs its weight,
    an unsaid one half of it, a heard word between half an average one. Only small words ("by", "a")
    may go unsaid or be heard as other words, longer ones only as words much like them ("harbour"
    said as "office" is another line, not a mishearing), and one of them per line as loosely as
    SIMILAR ("letters" heard as "landers"). Layer ``k`` of the table: that loose word used or not."""
    n, m = len(line), len(heard)
    if not n or not m:
        return None
    neg = float("-inf")
    extra = 0.5 * sum(w) / n      # a heard word between the line's words (a filler, a repeat)
    # per layer and cell: the best score, and (first heard, last heard, first line word said,
    # last line word said, words not as written) of the path to it
    score = [[[0.0 if i == 0 and k == 0 else neg] * (m + 1) for i in range(n + 1)] for k in (0, 1)]
    span = [[[(j, -1, -1, -1, 0) if i == 0 else None for j in range(m + 1)] for i in range(n + 1)] for k in (0, 1)]

    def offer(k, i, j, value, via):
        if value > score[k][i][j]:
            score[k][i][j], span[k][i][j] = value, via

    def heard_as(prev, j, i, differs):     # line word i heard, ending at heard word j
        return prev[0], j, prev[2] if prev[2] >= 0 else i, i, prev[4] + differs

    for i in range(1, n + 1):
        word, wi = line[i - 1], w[i - 1]
        small = len(word) <= SMALL_WORD
        for j in range(0, m + 1):
            for k in (0, 1):
                if small and score[k][i - 1][j] > neg:                                  # not said
                    prev = span[k][i - 1][j]
                    offer(k, i, j, score[k][i - 1][j] - 0.5 * wi, prev[:4] + (prev[4] + 1,))
                if j >= 1 and score[k][i - 1][j - 1] > neg:
                    prev, sim = span[k][i - 1][j - 1], (1.0 if heard[j - 1] == word else _alike(word, heard[j - 1]))
                    if sim >= (SIMILAR if small else ALIGN_SIMILAR):
                        offer(k, i, j, score[k][i - 1][j - 1] + wi * sim, heard_as(prev, j - 1, i - 1, sim < 1))
                    elif small:
                        offer(k, i, j, score[k][i - 1][j - 1] - wi, heard_as(prev, j - 1, i - 1, 1))
                    elif k == 0 and sim >= SIMILAR:                                     # the loose one
                        offer(1, i, j, score[0][i - 1][j - 1] + wi * sim, heard_as(prev, j - 1, i - 1, 1))
                if j >= 2 and score[k][i - 1][j - 2] > neg:                              # two heard as one
                    sim = _alike(word, heard[j - 2] + heard[j - 1])
                    if sim >= MERGE_SIMILAR:
                        offer(k, i, j, score[k][i - 1][j - 2] + wi * sim,
                              heard_as(span[k][i - 1][j - 2], j - 1, i - 1, 1))
            for k in (0, 1):                                                            # a heard word between
                if j >= 1 and score[k][i][j - 1] > neg and span[k][i][j - 1][1] >= 0:
                    offer(k, i, j, score[k][i][j - 1] - extra, span[k][i][j - 1])
    k, j = max(((k, j) for k in (0, 1) for j in range(m + 1)), key=lambda kj: score[kj[0]][n][kj[1]])
    if score[k][n][j] == neg or span[k][n][j][1] < 0:
        return None
    first, last, said_first, said_last, differ = span[k][n][j]
    return score[k][n][j] / sum(w), first, last, said_first, n - 1 - said_last, differ


@functools.lru_cache(maxsize=65536)
def _alike(written: str, heard: str) -> float:
    """How alike a script's word and what was heard in its place are (0-1, letters shared)."""
    from ..transcript.model import normalize_word
    return _letters_shared(normalize_word(written), "".join(normalize_word(w) for w in heard.split()))


def _letters_shared(a: str, b: str) -> float:
    """difflib's ratio, or 0 where even its upper bounds are under SIMILAR (the loosest bar any
    use of it sets): most pairs in an alignment are different words, and are told so cheaply."""
    from difflib import SequenceMatcher
    if not a or not b or 2 * min(len(a), len(b)) < SIMILAR * (len(a) + len(b)):
        return 0.0
    m = SequenceMatcher(None, a, b)
    return m.ratio() if m.quick_ratio() >= SIMILAR else 0.0


def _tolerant(search):
    """A line that is no searchable phrase (only punctuation, say) finds nothing rather than stopping the edit."""
    def run(query):
        try:
            return search(query)
        except QueryError:
            return []
    return run


def _query(line: ScriptLine, phrase: str, limit: int) -> SearchQuery:
    return SearchQuery(phrase=phrase, limit=limit, media=line.media,
                       options={"person": line.person} if line.person else {})


class _Searches:
    """A line's searches, remembered: the anchors, the runs and the near miss ask for the same runs
    (with different limits); a run is searched again only for more takes than a full answer held."""

    def __init__(self, search, line: ScriptLine):
        self.search, self.line, self.seen = search, line, {}

    def __call__(self, phrase: str, limit: int) -> list[Hit]:
        got = self.seen.get(phrase)
        if got is None or (got[0] < limit and len(got[1]) >= got[0]):
            got = self.seen[phrase] = (limit, self.search(_query(self.line, phrase, limit)))
        return got[1][:limit]


def _near_miss(words: list[str], found: _Searches, budget: int | None = None) -> dict | None:
    """The longest run of the line's words that was said anywhere, however short (within ``budget``
    searches, longest runs first)."""
    n = len(words)
    if budget is None:
        runs = ((size, start) for size in range(n - 1, 0, -1) for start in range(0, n - size + 1))
    else:   # a long line: a few sizes, runs overlapping by half, longest first
        sizes = sorted({n - 1, 3 * n // 4, n // 2, n // 4, 6, 4, 3, 2} - {0, 1}, reverse=True)
        runs = ((size, start) for size in sizes for start in range(0, n - size + 1, max(1, size // 2)))
    for size, start in itertools.islice(runs, budget):
        run = " ".join(words[start:start + size])
        hits = found(run, CANDIDATES)    # (as the runs were searched: answered from memory)
        if hits and (size > 1 or n == 1):
            h = hits[0]
            return {"words": run, "share": round(size / n, 2), "said": h.text,
                    "media_path": h.media_path, "start": h.start, "score": h.score}
    return None
