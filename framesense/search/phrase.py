"""Phrase search over spoken words: exact phrase, then all-words full text, then fuzzy.

Exact phrases walk the ``words`` table: the rarest query word (by the
``terms`` counts) is looked up through ``words_by_term``, and every other word
must sit at the neighbouring sequence numbers of the same media (primary-key
lookups). Cost follows the rarest word's frequency, not the catalog's size.
When no exact phrase is spoken, FTS5 (bm25) finds segments holding all the
words in any order; when that finds nothing either, words within a small edit
distance of the vocabulary stand in for misspelt ones (Whisper's mistakes).

A hit runs from the pause before its first word to the pause after its last
(``transcript.cuts``: never inside a neighbouring word), in whole frames at the
media's exact rate (milliseconds for sound-only files), clamped to the file. Pads are the sequence's business, not the search's.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from ..catalog import Catalog, media_rate
from ..errors import QueryError
from ..paths import display, from_db
from ..transcript.cuts import words_frames
from ..transcript.languages import ELISIONS, is_elided_piece
from .hits import AUDIO_TIME_BASE, Hit
from .query import SearchQuery
from .scores import hit_score
from .wordforms import Form, phrase_forms, tokens_of

MAX_PREFIX_TERMS = 2000   # a prefix like "a*" expands to at most this many vocabulary words


@dataclass
class Token:
    norm: str
    prefix: bool = False


def parse_phrase(text: str, languages=()) -> list[Token]:
    """The query's words for the full-text and fuzzy searches (elisions split if a language searched has them)."""
    eliding = next((x for x in languages if x in ELISIONS), None)
    tokens = [Token(w, p) for w, p in tokens_of(text, eliding)]
    if not tokens:
        raise QueryError(f"phrase {text!r} has no words to search for")
    return tokens


def _terms(catalog: Catalog, tok: Token) -> dict[int, int]:
    """term id -> count for one query word (a prefix expands to many)."""
    if tok.prefix:
        rows = catalog.execute("SELECT id, count FROM terms WHERE norm >= ? AND norm < ? AND count > 0 LIMIT ?",
                               (tok.norm, tok.norm + "\U0010ffff", MAX_PREFIX_TERMS)).fetchall()
    else:
        rows = catalog.execute("SELECT id, count FROM terms WHERE norm = ? AND count > 0", (tok.norm,)).fetchall()
    return {r[0]: r[1] for r in rows}


def _media_filter(catalog: Catalog, patterns: list[str]) -> list[int] | None:
    if not patterns:
        return None
    ids = []
    for r in catalog.execute("SELECT id, path FROM media"):
        path = from_db(r[1])
        for pat in patterns:
            if any((pat in p) or fnmatch.fnmatch(p, pat) or fnmatch.fnmatch(p, f"*{pat}") for p in {path, display(path)}):
                ids.append(r[0])
                break
    return ids


def _id_list(ids) -> str:
    return ",".join(str(int(i)) for i in ids)


MAX_JOINED = 6    # positions checked by SQL joins; the rest of a long phrase is checked in Python


def match_sequences(catalog: Catalog, positions: list[dict[int, int]], media_ids: list[int] | None,
                    limit: int) -> list[tuple[int, int, int]]:
    """(media_id, first_seq, last_seq) where position i's word is one of positions[i]'s terms, in order.

    The rarest position anchors the lookup; at most MAX_JOINED positions are joined in SQL (SQLite
    allows 64 tables in a join) and the words of longer phrases are then read and compared, so a
    phrase of any length works.
    """
    if any(not p for p in positions):
        return []
    n = len(positions)
    order = sorted(range(n), key=lambda i: sum(positions[i].values()))
    k, joined = order[0], order[1:MAX_JOINED]
    rest = [i for i in range(n) if i != k and i not in joined]
    sql = [f"SELECT d.media_id, d.seq - {k} FROM words d INDEXED BY words_by_term"]
    for i in joined:
        sql.append(f"CROSS JOIN words w{i} ON w{i}.media_id = d.media_id AND w{i}.seq = d.seq + {i - k} "
                   f"AND w{i}.term_id IN ({_id_list(positions[i])})")
    sql.append(f"WHERE d.term_id IN ({_id_list(positions[k])})")
    if media_ids is not None:
        if not media_ids:
            return []
        sql.append(f"AND d.media_id IN ({_id_list(media_ids)})")
    if not rest:
        sql.append(f"LIMIT {int(limit)}")
        return [(m, s, s + n - 1) for m, s in catalog.execute(" ".join(sql))]
    out = []
    for m, s in catalog.execute(" ".join(sql)).fetchall():
        seen = dict(catalog.execute("SELECT seq, term_id FROM words WHERE media_id = ? AND seq BETWEEN ? AND ?",
                                    (m, s, s + n - 1)).fetchall())
        if all(seen.get(s + i) in positions[i] for i in rest):
            out.append((m, s, s + n - 1))
            if len(out) >= limit:
                break
    return out


def join_words(texts) -> str:
    """Words as one line; Whisper's hyphenated pieces ("ill", "-disposed") and elided ones ("c'", "est")
    stay one word."""
    out, last = "", ""
    for t in texts:
        t = t.strip()
        out += t if (not out or t.startswith("-") or out.endswith("-") or is_elided_piece(last)) else " " + t
        last = t
    return out


class _HitMaker:
    def __init__(self, catalog: Catalog, q: SearchQuery):
        self.catalog, self.q = catalog, q
        self.media: dict[int, dict] = {}

    def _media(self, media_id: int) -> dict:
        if media_id not in self.media:
            self.media[media_id] = self.catalog.media_by_id(media_id) or {}
        return self.media[media_id]

    def make(self, media_id: int, first: int, last: int, quality: float, match: str, context: str | None = None,
             form=None):
        cat = self.catalog
        words = cat.query("SELECT seq, start, end, text, segment_id, speaker, probability FROM words "
                          "WHERE media_id = ? AND seq BETWEEN ? AND ? ORDER BY seq", (media_id, first, last))
        if not words:
            return None
        media = self._media(media_id)
        rate = media_rate(media) if media.get("has_video") else None
        frames = media.get("frames") if rate else None
        if rate is None and media.get("duration"):
            frames = int(media["duration"] * AUDIO_TIME_BASE)
        if context is None:
            seg_ids = list(dict.fromkeys(w["segment_id"] for w in words))
            segs = cat.query(f"SELECT text FROM segments WHERE id IN ({_id_list(seg_ids)}) ORDER BY start")
            context = " ".join(s["text"] for s in segs)
        a, b = words_frames(cat, media_id, first, last, words[0]["start"], max(words[-1]["end"], words[0]["start"]),
                            rate or AUDIO_TIME_BASE, frames)   # cut in the pauses around the words
        hit = Hit(start_frame=a, end_frame=b, rate=rate or AUDIO_TIME_BASE, media_id=media_id,
                  media_path=media.get("path", ""), score=hit_score(match, [w["probability"] for w in words], quality),
                  kind="phrase", text=join_words(w["text"] for w in words), context=context, query=self.q.phrase)
        if rate:
            row = cat.one("SELECT idx FROM shots WHERE media_id = ? AND start_frame <= ? AND end_frame > ?",
                          (media_id, hit.start_frame, hit.start_frame))
            hit.shot = row["idx"] if row else None
        stream = cat.one("SELECT t.stream, t.language FROM segments s JOIN transcripts t ON t.id = s.transcript_id "
                         "WHERE s.id = ?", (words[0]["segment_id"],))
        hit.extra = {"match": match, "form": form.label if form else None,
                     "stream": stream["stream"] if stream else None, "language": stream["language"] if stream else None,
                     "words": [[w["text"], w["start"], w["end"]] for w in words]}
        if words[0]["speaker"]:
            hit.extra["speaker"] = words[0]["speaker"]
        return hit


def _known_terms(catalog: Catalog):
    def known(norms: set) -> set:
        norms = sorted(norms)
        out = set()
        for i in range(0, len(norms), 500):
            chunk = norms[i: i + 500]
            out |= {r[0] for r in catalog.execute(
                f"SELECT norm FROM terms WHERE count > 0 AND norm IN ({','.join('?' * len(chunk))})", chunk)}
        return out
    return known


def _languages(catalog: Catalog) -> list[str]:
    return [r[0] for r in catalog.execute("SELECT DISTINCT language FROM transcripts WHERE language IS NOT NULL")] \
        or ["en"]


def _in_languages(catalog: Catalog, languages, media_ids: list[int] | None) -> list[int] | None:
    """The media (of media_ids) with a transcript in one of the languages, or of no known language."""
    if not languages:
        return media_ids
    marks = ",".join("?" * len(languages))
    ids = [r[0] for r in catalog.execute(f"SELECT DISTINCT media_id FROM transcripts WHERE language IN ({marks}) "
                                         "OR language IS NULL", tuple(languages))]
    return ids if media_ids is None else sorted(set(ids) & set(media_ids))


def _speaks(hit: Hit, languages) -> bool:
    """A hit's words are in one of the languages (a transcript of no known language is in every one)."""
    return not languages or hit.extra.get("language") in (None, *languages)


def _exact(catalog, tokens, media_ids, limit, maker, text=None, languages=None) -> list[Hit]:
    """The phrase as typed, then as written other ways (numbers, spellings, compounds, abbreviations),
    each form in the transcripts of the languages that write it so."""
    forms = phrase_forms(text, _known_terms(catalog), languages or _languages(catalog)) if text else []
    if not forms:
        forms = [Form(tuple(t.norm for t in tokens), tuple(t.prefix for t in tokens), "exact", "")]
    hits, seen, speaking = [], set(), {}
    for form in forms:
        positions = [_terms(catalog, Token(w, p)) for w, p in zip(form.words, form.prefix)]
        if form.languages not in speaking:
            speaking[form.languages] = _in_languages(catalog, form.languages, media_ids)
        for m, a, b in match_sequences(catalog, positions, speaking[form.languages], limit):
            # one span of spoken words is one hit, under the first (best) form that found it
            if any(m == m2 and a <= b2 and a2 <= b for m2, a2, b2 in seen):
                continue
            h = maker.make(m, a, b, 1.0, form.kind, form=form)
            if h and _speaks(h, form.languages):
                seen.add((m, a, b))
                hits.append(h)
    hits.sort(key=lambda h: (h.media_path, h.start))
    return hits


def _fts(catalog, tokens, media_ids, limit, maker) -> list[Hit]:
    match = " AND ".join(f'"{t.norm}"' + ("*" if t.prefix else "") for t in tokens)
    sql = ("SELECT s.id, s.media_id, s.text, s.first_seq, s.last_seq, bm25(segments_fts) AS rank "
           "FROM segments_fts JOIN segments s ON s.id = segments_fts.rowid WHERE segments_fts MATCH ?")
    if media_ids is not None:
        if not media_ids:
            return []
        sql += f" AND s.media_id IN ({_id_list(media_ids)})"
    sql += " ORDER BY rank LIMIT ?"
    rows = catalog.query(sql, (match, limit))
    want = set()
    for t in tokens:
        want |= set(_terms(catalog, t))
    hits = []
    for r in rows:
        if r["first_seq"] is None:
            continue
        seqs = catalog.execute(
            f"SELECT min(seq), max(seq) FROM words WHERE media_id = ? AND seq BETWEEN ? AND ? "
            f"AND term_id IN ({_id_list(want)})", (r["media_id"], r["first_seq"], r["last_seq"])).fetchone()
        if seqs[0] is None:
            continue
        strength = -r["rank"] / (1.0 - r["rank"])  # bm25 is negative; map to 0..1
        h = maker.make(r["media_id"], seqs[0], seqs[1], 0.5 + 0.5 * strength, "all-words", r["text"])
        if h:
            hits.append(h)
    return hits


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edit distance counting a swap of neighbours as one edit; gives up (limit + 1) past limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _allowed(word: str) -> int:
    return 0 if len(word) <= 2 else 1 if len(word) <= 7 else 2


_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def edits1(word: str) -> set[str]:
    """Every string one edit away (delete, swap, replace, insert): looked up through the terms index."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    out |= {a + c + b for a, b in splits for c in _ALPHABET}
    for c in set(word) - set(_ALPHABET):  # letters beyond ASCII: replace/insert those too
        out |= {a + c + b[1:] for a, b in splits if b} | {a + c + b for a, b in splits}
    return out


def near_terms(catalog: Catalog, word: str) -> dict[int, tuple[int, int]]:
    """Vocabulary words within a small edit distance: term id -> (distance, count).

    One edit: the candidate spellings are generated and looked up by index (fast at
    any vocabulary size). Two edits (words of 8+ letters): a scan of the terms with
    the same first letter and a similar length, filtered by shared letters before
    the distance is computed.
    """
    d = _allowed(word)
    out: dict[int, tuple[int, int]] = {}
    for tid, cnt in catalog.execute("SELECT id, count FROM terms WHERE norm = ? AND count > 0", (word,)):
        out[tid] = (0, cnt)
    if d == 0:
        return out
    cands = sorted(edits1(word) - {word})
    for i in range(0, len(cands), 900):
        chunk = cands[i: i + 900]
        for tid, cnt in catalog.execute(
                f"SELECT id, count FROM terms WHERE count > 0 AND norm IN ({','.join('?' * len(chunk))})", chunk):
            out[tid] = (1, cnt)
    if d >= 2:
        letters = set(word)
        need = len(letters) - d  # each edit removes at most one distinct letter
        for tid, norm, cnt in catalog.execute(
                "SELECT id, norm, count FROM terms WHERE norm >= ? AND norm < ? AND length(norm) BETWEEN ? AND ? "
                "AND count > 0", (word[0], word[0] + "\U0010ffff", len(word) - d, len(word) + d)):
            if tid in out or len(letters.intersection(norm)) < need:
                continue
            dist = edit_distance(word, norm, d)
            if dist <= d:
                out[tid] = (dist, cnt)
    return out


def _fuzzy(catalog, tokens, media_ids, limit, maker) -> list[Hit]:
    positions, dists = [], []
    for t in tokens:
        if t.prefix:
            terms = _terms(catalog, t)
            positions.append(terms)
            dists.append({k: 0 for k in terms})
        else:
            near = near_terms(catalog, t.norm)
            positions.append({k: v[1] for k, v in near.items()})
            dists.append({k: v[0] for k, v in near.items()})
    total_len = sum(len(t.norm) for t in tokens)
    hits = []
    for m, a, b in match_sequences(catalog, positions, media_ids, limit * 4):
        ids = [r[0] for r in catalog.execute(
            "SELECT term_id FROM words WHERE media_id = ? AND seq BETWEEN ? AND ? ORDER BY seq", (m, a, b))]
        cost = sum(dists[i].get(tid, 0) for i, tid in enumerate(ids))
        h = maker.make(m, a, b, max(0.1, 1 - cost / max(1, total_len)), "fuzzy")
        if h:
            hits.append(h)
    hits.sort(key=lambda h: (-h.score, h.media_path, h.start))
    return hits[:limit]


def search_phrase(catalog: Catalog, query: SearchQuery) -> list[Hit]:
    """Exact phrase hits first; the full-text and fuzzy fallbacks only when there is none."""
    languages = [query.language] if query.language else _languages(catalog)
    tokens = parse_phrase(query.phrase or "", languages)
    media_ids = _media_filter(catalog, query.media)
    if query.language:      # only words spoken in that language
        media_ids = _in_languages(catalog, languages, media_ids)
    maker = _HitMaker(catalog, query)
    limit = max(1, query.limit)
    for finder in (_exact, _fts, _fuzzy):
        hits = (finder(catalog, tokens, media_ids, limit, maker, text=query.phrase, languages=languages)
                if finder is _exact else finder(catalog, tokens, media_ids, limit, maker))
        hits = [h for h in hits if h.score >= (query.min_score or 0.0) and
                (not query.language or h.extra.get("language") == query.language)]
        if hits:
            return hits[:limit]
    return []
