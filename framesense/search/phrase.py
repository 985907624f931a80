"""Phrase search over spoken words: exact phrase, then all-words full text, then fuzzy.

Exact phrases walk the pair postings: ``words_by_pair (term_id, next_term_id, media_id, seq)``
lists where each pair of neighbouring words is said, the rarest pair of the phrase anchors the
lookup and the other pairs are checked by seeks at the neighbouring sequence numbers of the
same media. Cost follows how often the rarest pair is said, not the words' frequency or the
catalog's size (issue 31). When no exact phrase is spoken, FTS5 finds segments holding all the
words in any order (at most FTS_CANDIDATES, ranked by bm25); when that finds nothing either,
words within a small edit distance of the vocabulary stand in for misspelt ones (Whisper's
mistakes). Answers that do not change between searches (prefix expansions, misspelt words'
stand-ins, ``--media`` files) are kept per catalog state (``memo.py``).

A hit runs from the pause before its first word to the pause after its last
(``transcript.cuts``: never inside a neighbouring word), in whole frames at the
media's exact rate (milliseconds for sound-only files), clamped to the file. Pads are the sequence's business, not the search's.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass

from ..catalog import Catalog, media_rate
from ..errors import QueryError
from ..paths import display, from_db
from ..transcript.cuts import cut_frames, quiet_at
from ..transcript.languages import ELISIONS, is_elided_piece
from .hits import AUDIO_TIME_BASE, Hit
from .memo import remembered
from .query import SearchQuery
from .scores import hit_score
from .wordforms import Form, phrase_forms, tokens_of

MAX_PREFIX_TERMS = 2000   # a prefix standing for more vocabulary words than this ("a*") is refused


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
    """term id -> count for one query word (a prefix expands to many, once per catalog state)."""
    return remembered(catalog, ("terms", tok.norm, tok.prefix), lambda: _lookup_terms(catalog, tok))


def _lookup_terms(catalog: Catalog, tok: Token) -> dict[int, int]:
    if tok.prefix:
        rows = catalog.execute("SELECT id, count FROM terms WHERE norm >= ? AND norm < ? AND count > 0 LIMIT ?",
                               (tok.norm, tok.norm + "\U0010ffff", MAX_PREFIX_TERMS + 1)).fetchall()
        if len(rows) > MAX_PREFIX_TERMS:
            raise QueryError(f"'{tok.norm}*' stands for more than {MAX_PREFIX_TERMS:,} different spoken words: "
                             f"give more of its letters")
    else:
        rows = catalog.execute("SELECT id, count FROM terms WHERE norm = ? AND count > 0", (tok.norm,)).fetchall()
    return {r[0]: r[1] for r in rows}


def _media_filter(catalog: Catalog, patterns: list[str]) -> list[int] | None:
    if not patterns:
        return None
    return remembered(catalog, ("media", tuple(patterns)), lambda: _matching_media(catalog, patterns))


def _matching_media(catalog: Catalog, patterns: list[str]) -> list[int]:
    """Ids of the files a pattern names (a part of the path, or a glob). SQLite first keeps the paths
    holding each pattern's longest literal piece, so a big library is not walked in Python."""
    pieces = [max(re.split(r"\[[^\]]*\]|[*?]", pat), key=len).lower() for pat in patterns]
    where = ("" if not all(pieces) else
             " WHERE typeof(path) = 'blob' OR " + " OR ".join("instr(lower(path), ?) > 0" for _ in pieces))
    ids = []
    for r in catalog.execute("SELECT id, path FROM media" + where, pieces if where else ()):
        path = from_db(r[1])
        for pat in patterns:
            if any((pat in p) or fnmatch.fnmatch(p, pat) or fnmatch.fnmatch(p, f"*{pat}") for p in {path, display(path)}):
                ids.append(r[0])
                break
    return ids


def _id_list(ids) -> str:
    return ",".join(str(int(i)) for i in ids)


MAX_JOINED = 8          # words looked up by SQL joins (each checks two positions); longer phrases finish in Python
INDEX_JOIN_KEYS = 16    # pairs with at most this many term combinations are checked in the pair postings
MAX_PAIR_KEYS = 4096    # term combinations of two neighbouring positions looked up as pairs (a prefix after a word)
PROBE_CAPS = (256, 4096)   # pair postings counted up to these, growing only while every pair fills the cap


def _pair_sizes(catalog: Catalog, positions: list[dict[int, int]]) -> tuple[dict[int, int], set[int]]:
    """How many times each pair of neighbouring positions is spoken (position i and i+1), counted
    through ``words_by_pair`` only as far as needed to tell the rarest pair: a pair of common
    words is never counted to the end. Pairs are counted rarest words first and the counting stops
    at the first pair never spoken: the phrase is then proven absent from the counts alone (a
    shuffled phrase's unlikely neighbours), whatever its other pairs hold. Also says which pairs were counted only as far as a cap
    (the others' counts are exact)."""
    todo = [i for i in range(len(positions) - 1) if len(positions[i]) * len(positions[i + 1]) <= MAX_PAIR_KEYS]
    todo.sort(key=lambda i: sum(positions[i].values()) * sum(positions[i + 1].values()))
    sizes: dict[int, int] = {}
    for cap in PROBE_CAPS:
        for i in todo:
            sizes[i] = catalog.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM words INDEXED BY words_by_pair WHERE term_id IN "
                f"({_id_list(positions[i])}) AND next_term_id IN ({_id_list(positions[i + 1])}) LIMIT {cap})"
            ).fetchone()[0]
            if not sizes[i]:
                return {i: 0}, set()
        todo = [i for i in todo if sizes[i] >= cap]
        if len(todo) < 2 or len(todo) < len(sizes):   # the rarest is known (or all that is left is one)
            break
    return sizes, set(todo)


FEW_PLACES = 64          # places of the anchor few enough to check by seeks alone


def _pair_places(catalog: Catalog, positions, i: int, media_ids) -> set[tuple[int, int]]:
    """(media_id, start seq) of every place the pair at positions i, i+1 is spoken, as the phrase's start."""
    sql = (f"SELECT media_id, seq - {i} FROM words INDEXED BY words_by_pair WHERE term_id IN "
           f"({_id_list(positions[i])}) AND next_term_id IN ({_id_list(positions[i + 1])})")
    if media_ids is not None:
        sql += f" AND media_id IN ({_id_list(media_ids)})"
    return {(m, s) for m, s in catalog.execute(sql)}


def _intersected(catalog: Catalog, positions, pairs: dict[int, int], capped: set[int], media_ids, limit: int):
    """The phrase's places from its pairs' postings read whole and intersected (each read in index
    order, a few pages), rarest first among those counted exactly (short of their cap), then the
    other positions checked by one batched seek each. None where fewer than two pairs are rare
    enough to read whole (the caller walks the rarest instead). An absent phrase ends at the first
    empty intersection, having read a few thousand postings in order instead of seeking once per
    place of its rarest pair."""
    known = sorted((c, i) for i, c in pairs.items() if i not in capped)
    if len(known) < 2:      # nothing to intersect: SQLite's walk of the rarest, seeking the rest, is cheaper
        return None
    places, covered = None, set()
    for c, i in known:
        if places is not None and (len(places) <= FEW_PLACES or c > 16 * len(places)):
            break   # few enough to check each, or the next posting far bigger than what is left
        got = _pair_places(catalog, positions, i, media_ids)
        places = got if places is None else places & got
        covered |= {i, i + 1}
        if not places:
            return []
    n = len(positions)
    rest = [i for i in range(n) if i not in covered]
    ordered, out = sorted(places), []
    step = 256
    for a in range(0, len(ordered), step):
        batch = ordered[a: a + step]
        for i in sorted(rest, key=lambda i: sum(positions[i].values())):   # rarest word first
            if not batch:
                break
            batch = _holding(catalog, batch, i, positions[i])
        out += [(m, s, s + n - 1) for m, s in batch]
        if len(out) >= limit:
            break
    return out[:limit]


def _holding(catalog: Catalog, places: list[tuple[int, int]], i: int, terms: dict[int, int]) -> list:
    """The places (media_id, start seq) whose word at start + i is one of terms: one seek each by the
    words' primary key, in one statement. The keys come as JSON: a join against a VALUES list of
    them makes SQLite build a Bloom filter over every word first, an OR of them has a depth limit."""
    rows = catalog.execute(
        f"SELECT w.media_id, w.seq - {int(i)} FROM json_each(?) k CROSS JOIN words w ON w.media_id = k.value ->> 0 "
        f"AND w.seq = (k.value ->> 1) + {int(i)} WHERE +w.term_id IN ({_id_list(terms)})",
        (json.dumps(places),)).fetchall()
    return sorted((m, s) for m, s in rows)


def match_sequences(catalog: Catalog, positions: list[dict[int, int]], media_ids: list[int] | None,
                    limit: int, scan: int | None = None) -> list[tuple[int, int, int]]:
    """(media_id, first_seq, last_seq) where position i's word is one of positions[i]'s terms, in order.

    The lookup starts from the rarest pair of neighbouring positions (``words_by_pair`` holds each
    word with the term said after it), or from one position's terms where no pair can be looked up
    (a lone word, two short prefixes side by side), so the cost follows how often the phrase's
    rarest pair is said, not how common its words are. The other positions are then checked two at
    a time (a word and the term after it), the rarest pair first: by a seek in the pair postings
    (close to the last one, since anchor rows come in file order), or by the word's primary key
    where a position has many terms; at most MAX_JOINED are joined in SQL and the words of longer
    phrases are read and compared. ``scan`` bounds how many places of the anchor are looked at
    (the fuzzy fallback's bound); exact phrases look at all of them.
    """
    if any(not p for p in positions) or (media_ids is not None and not media_ids):
        return []
    n = len(positions)
    pairs, capped = _pair_sizes(catalog, positions)
    if 0 in pairs.values():
        return []       # a pair of the phrase is never said: absent, from the counts alone
    if scan is None and n > 2 and min(pairs.values(), default=FEW_PLACES + 1) > FEW_PLACES:
        found = _intersected(catalog, positions, pairs, capped, media_ids, limit)
        if found is not None:
            return found
    ones = {i: sum(p.values()) for i, p in enumerate(positions)}
    size = {("pair", i): c for i, c in pairs.items()} | {("one", i): c for i, c in ones.items()}
    guess = {("pair", i): ones[i] * ones[i + 1] for i in pairs} | {("one", i): c * c for i, c in ones.items()}
    # the smallest; among pairs counted past the last cap, the one whose words are rarest
    kind, k = min(size, key=lambda key: (size[key], key[0] != "pair", guess[key], key[1]))
    covered = {k, k + 1} if kind == "pair" else {k}
    checks = []         # (size, guess, j): the pair at positions j, j+1 checked at each anchor row
    for i in range(n):
        if i not in covered:
            j = i if i + 1 < n else i - 1
            checks.append((pairs.get(j, min(ones[j], ones[j + 1])), ones[j] * ones[j + 1], j))
            covered |= {j, j + 1}
    checks.sort()
    joined, rest = checks[: MAX_JOINED - 1], [i for *_, j in checks[MAX_JOINED - 1:] for i in (j, j + 1)]
    anchor = [f"term_id IN ({_id_list(positions[k])})"]
    if kind == "pair":
        anchor.append(f"next_term_id IN ({_id_list(positions[k + 1])})")
    if media_ids is not None:
        anchor.append(f"media_id IN ({_id_list(media_ids)})")
    if scan is None:
        sql = [f"SELECT d.media_id, d.seq - {k} FROM words d INDEXED BY words_by_pair"]
    else:
        sql = [f"SELECT d.media_id, d.seq - {k} FROM (SELECT media_id, seq FROM words INDEXED BY words_by_pair "
               f"WHERE {' AND '.join(anchor)} LIMIT {int(scan)}) d"]
    for *_, j in joined:
        terms = f"{{}}term_id IN ({_id_list(positions[j])}) AND {{}}next_term_id IN ({_id_list(positions[j + 1])})"
        if len(positions[j]) * len(positions[j + 1]) <= INDEX_JOIN_KEYS:
            # a seek in the pair postings: the anchor rows come in (media, seq) order, so these stay close
            sql.append(f"CROSS JOIN words w{j} INDEXED BY words_by_pair ON {terms.format(f'w{j}.', f'w{j}.')} "
                       f"AND w{j}.media_id = d.media_id AND w{j}.seq = d.seq + {j - k}")
        else:   # many term choices: the word itself by its primary key (unary + keeps it off the term index)
            sql.append(f"CROSS JOIN words w{j} ON w{j}.media_id = d.media_id AND w{j}.seq = d.seq + {j - k} "
                       f"AND {terms.format(f'+w{j}.', f'+w{j}.')}")
    if scan is None:
        sql.append("WHERE " + " AND ".join(f"d.{c}" for c in anchor))
    if not rest:
        sql.append(f"LIMIT {int(limit)}")
        return [(m, s, s + n - 1) for m, s in catalog.execute(" ".join(sql))]
    out = []
    for m, s in catalog.conn.cursor().execute(" ".join(sql)):
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
            self.media[media_id] = self.catalog.one(
                "SELECT id, path, has_video, rate_num, rate_den, frames, duration FROM media WHERE id = ?",
                (media_id,)) or {}
        return self.media[media_id]

    def media_path(self, media_id: int) -> str:
        return self._media(media_id).get("path", "")

    def make(self, media_id: int, first: int, last: int, quality: float, match: str, context: str | None = None,
             form=None):
        cat = self.catalog
        # the words and their neighbours (where to cut) in one read; a transcript's edge has none
        around = cat.execute("SELECT seq, start, end, text, segment_id, speaker, probability, quiet_ms FROM words "
                             "WHERE media_id = ? AND seq BETWEEN ? AND ? ORDER BY seq",
                             (media_id, first - 1, last + 1)).fetchall()
        words = [w for w in around if first <= w["seq"] <= last]
        if not words:
            return None
        before = next((w for w in around if w["seq"] == first - 1), None)
        after = next((w for w in around if w["seq"] == last + 1), None)
        prev_end = float(before["end"]) if before else None
        next_start = float(after["start"]) if after else None
        # the cut points stored before the first word and before the word after the last (cuts.py)
        quiet_in = quiet_at(words[0]["start"], words[0]["quiet_ms"]) if before else None
        quiet_out = quiet_at(after["start"], after["quiet_ms"]) if after else None
        media = self._media(media_id)
        rate = media_rate(media) if media.get("has_video") else None
        frames = media.get("frames") if rate else None
        if rate is None and media.get("duration"):
            frames = int(media["duration"] * AUDIO_TIME_BASE)
        seg_ids = list(dict.fromkeys(w["segment_id"] for w in words))
        segs = cat.execute(f"SELECT s.id, s.text, t.stream, t.language FROM segments s JOIN transcripts t "
                           f"ON t.id = s.transcript_id WHERE s.id IN ({_id_list(seg_ids)}) ORDER BY s.start").fetchall()
        if context is None:
            context = " ".join(r["text"] for r in segs)
        stream = next((r for r in segs if r["id"] == seg_ids[0]), None)
        a, b = cut_frames(words[0]["start"], max(words[-1]["end"], words[0]["start"]), prev_end, next_start,
                          rate or AUDIO_TIME_BASE, frames, quiet_in, quiet_out)   # cut in the pauses around the words
        hit = Hit(start_frame=a, end_frame=b, rate=rate or AUDIO_TIME_BASE, media_id=media_id,
                  media_path=media.get("path", ""), score=hit_score(match, [w["probability"] for w in words], quality),
                  kind="phrase", text=join_words(w["text"] for w in words), context=context, query=self.q.phrase)
        if rate:
            row = cat.one("SELECT idx FROM shots WHERE media_id = ? AND start_frame <= ? AND end_frame > ?",
                          (media_id, hit.start_frame, hit.start_frame))
            hit.shot = row["idx"] if row else None
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
    """The transcripts' languages, from the table the transcripts' triggers keep (a few rows)."""
    return [r[0] for r in catalog.execute("SELECT language FROM transcript_languages ORDER BY language")] or ["en"]


def _in_languages(catalog: Catalog, languages, media_ids: list[int] | None) -> list[int] | None:
    """The media (of media_ids) with a transcript in one of the languages, or of no known language."""
    if not languages:
        return media_ids
    spoken = {r[0] for r in catalog.execute("SELECT language FROM transcript_languages")}
    if spoken <= set(languages):   # every transcript qualifies: no list of files (it grows with the archive)
        return media_ids
    marks = ",".join("?" * len(languages))
    ids = remembered(catalog, ("in languages", tuple(languages)), lambda: [r[0] for r in catalog.execute(
        f"SELECT DISTINCT media_id FROM transcripts WHERE language IN ({marks}) OR language IS NULL",
        tuple(languages))])
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


FTS_CANDIDATES = 200    # segments holding every word that are ranked (bm25) for the all-words fallback
FTS_BUDGET = 5000       # uses of the query's rarest word whose segments the all-words fallback looks through
FTS_WINDOWS = 2         # when a word is more common than that: this many stretches of the catalog, spread evenly
FTS_SEGMENTS = 50_000   # segments those stretches hold at most, together
FTS_MATCHED = 2         # the rarest words FTS5 matches; a segment's other words are checked in its text


def _fts_windows(catalog: Catalog, rarest: int) -> list[tuple[int, int]] | None:
    """Segment id ranges for the all-words fallback, or None for all of them. FTS5 walks every segment
    holding the rarest word to find those that hold the others too (and, when all are common, nearly
    every segment), so where that word is common only stretches of the catalog are looked through,
    together holding about FTS_BUDGET of its uses and at most FTS_SEGMENTS segments."""
    if rarest <= FTS_BUDGET:
        return None
    last = catalog.execute("SELECT max(rowid) FROM segments").fetchone()[0] or 0
    width = max(1, int(min(last * FTS_BUDGET / rarest, FTS_SEGMENTS) / FTS_WINDOWS))
    return [(a, a + width - 1) for a in (1 + j * last // FTS_WINDOWS for j in range(FTS_WINDOWS))]


def _fts(catalog, tokens, media_ids, limit, maker) -> list[Hit]:
    """Segments holding every word in any order: the best by bm25 among the first FTS_CANDIDATES that
    FTS5 finds (in segment order), in stretches of the catalog when all the words are common
    (``_fts_windows``), so the fallback costs about the same at any size of archive. FTS5 matches
    only the FTS_MATCHED rarest words and the others are checked in each found segment's words: an
    AND with "the" seeks into its postings once per segment (17-46 ms at 100M words for 6-8 words,
    2-6 ms this way). bm25 is computed here from the vocabulary counts: FTS5's own counts every
    segment holding each word."""
    if media_ids is not None and not media_ids:
        return []
    want, df = set(), {}
    for t in tokens:
        terms = _terms(catalog, t)
        if not terms:           # a word never spoken: no segment holds them all
            return []
        want |= set(terms)
        df[(t.norm, t.prefix)] = sum(terms.values())
    match = " AND ".join(dict.fromkeys(f'"{t.norm}"' + ("*" if t.prefix else "") for t in tokens))
    sql = ("SELECT s.id, s.media_id, s.text, s.norm, s.first_seq, s.last_seq "
           "FROM segments_fts JOIN segments s ON s.id = segments_fts.rowid WHERE segments_fts MATCH ?")
    if media_ids is not None:
        sql += f" AND s.media_id IN ({_id_list(media_ids)})"
    room = max(FTS_CANDIDATES, limit)
    windows = _fts_windows(catalog, min(df.values()))
    if windows is None and len(df) <= FTS_MATCHED:
        rows = catalog.execute(sql + " LIMIT ?", (match, room)).fetchall()
    elif windows is None:   # FTS5 matches the rarest words (seeking into a common word's postings for each
        rows = []           # of their segments costs more than reading the segment); the others checked here
        rare = sorted(df, key=df.get)[:FTS_MATCHED]
        for r in catalog.execute(sql, (" AND ".join(f'"{w}"' + ("*" if p else "") for w, p in rare),)):
            if _holds_all(r[3], df):
                rows.append(r)
                if len(rows) >= room:
                    break
    else:   # FTS5 would not stop an AND of common words at a stretch's end: the rarest word alone, and
        rows = []      # the others checked here, in each segment's words
        rare = min(df, key=df.get)
        for a, b in windows:
            for r in catalog.execute(sql + " AND segments_fts.rowid BETWEEN ? AND ?",
                                     ('"' + rare[0] + '"' + ("*" if rare[1] else ""), a, b)):
                if len(rows) < room and _holds_all(r[3], df):
                    rows.append(r)
    rank = _bm25(catalog, df)
    ranked = sorted(((rank(r[3]), r) for r in rows), key=lambda sr: (-sr[0], sr[1][0]))[:limit]
    hits = []
    for score, (_, media_id, text, _, first_seq, last_seq) in ranked:
        if first_seq is None:
            continue
        seqs = catalog.execute(
            f"SELECT min(seq), max(seq) FROM words WHERE media_id = ? AND seq BETWEEN ? AND ? "
            f"AND +term_id IN ({_id_list(want)})", (media_id, first_seq, last_seq)).fetchone()
        if seqs[0] is None:
            continue
        strength = score / (1.0 + score)  # bm25 is 0 or more; map to 0..1
        h = maker.make(media_id, seqs[0], seqs[1], 0.5 + 0.5 * strength, "all-words", text)
        if h:
            hits.append(h)
    return hits


def _holds_all(norm: str, words) -> bool:
    """Whether a segment's normalised words hold each (word, is prefix) of the query."""
    seg = norm.split()
    return all(any(x.startswith(w) for x in seg) if prefix else w in seg for w, prefix in words)


def _bm25(catalog: Catalog, df: dict[tuple[str, bool], int]):
    """Okapi BM25 of a segment's normalised words for the query words (k1 1.2, b 0.75, as FTS5 ranks),
    each word's uses standing in for the number of segments holding it."""
    import math
    segments, words = remembered(catalog, ("segment stats",), lambda: tuple(catalog.execute(
        "SELECT (SELECT max(rowid) FROM segments), (SELECT sum(count) FROM terms)").fetchone()))
    n, avg = max(1, segments or 0), max(1.0, (words or 0) / max(1, segments or 0))
    idf = {key: max(1e-6, math.log((n - min(c, n) + 0.5) / (min(c, n) + 0.5))) for key, c in df.items()}

    def rank(norm: str) -> float:
        seg = norm.split()
        k = 1.2 * (1 - 0.75 + 0.75 * len(seg) / avg)
        total = 0.0
        for (word, prefix), w in idf.items():
            tf = sum(1 for x in seg if (x.startswith(word) if prefix else x == word))
            total += w * tf * 2.2 / (tf + k)
        return total
    return rank


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
        rows = catalog.execute(      # the norm index alone (id is its rowid): counts only for the near ones
            "SELECT id, norm FROM terms WHERE norm >= ? AND norm < ? AND length(norm) BETWEEN ? AND ?",
            (word[0], word[0] + "\U0010ffff", len(word) - d, len(word) + d)).fetchall()
        near = {tid: dist for tid, dist in _within(word, rows, d) if tid not in out}
        for tid, cnt in catalog.execute(f"SELECT id, count FROM terms WHERE id IN ({_id_list(near)}) AND count > 0"):
            out[tid] = (near[tid], cnt)
    return out


def _within(word: str, rows, d: int):
    """(id, distance) of the rows (id, norm) whose norm is at most d edits from word: RapidFuzz's
    optimal string alignment (the same distance as ``edit_distance``, in C) where it is installed."""
    try:
        from rapidfuzz.distance import OSA
        from rapidfuzz.process import extract
    except ImportError:
        letters = set(word)
        need = len(letters) - d  # each edit removes at most one distinct letter
        for tid, norm in rows:
            if len(letters.intersection(norm)) >= need and (dist := edit_distance(word, norm, d)) <= d:
                yield tid, dist
        return
    for _, dist, i in extract(word, [r[1] for r in rows], scorer=OSA.distance, score_cutoff=d, limit=None):
        yield rows[i][0], dist


FUZZY_SCAN = 5_000       # places of its rarest pair of stand-ins the fuzzy fallback looks at
FUZZY_TERMS = 12         # stand-ins kept for one unknown word: the nearest, then the most said


def stand_ins(catalog: Catalog, word: str) -> dict[int, tuple[int, int]]:
    """The vocabulary words standing in for a word never spoken: term id -> (distance, count), at
    most FUZZY_TERMS of them (nearest first, then the most said), kept per catalog state."""
    def nearest():
        near = near_terms(catalog, word)
        keep = sorted(near, key=lambda k: (near[k][0], -near[k][1], k))[:FUZZY_TERMS]
        return {k: near[k] for k in keep}
    return remembered(catalog, ("near", word), nearest)


def _fuzzy(catalog, tokens, media_ids, limit, maker) -> list[Hit]:
    """Vocabulary words near each typed word never spoken stand in for it (Whisper's mistakes and
    the user's typos); a word the transcripts hold is taken as typed, so a phrase of known words
    (the exact search already looked for it) ends here at once, and a misspelt one looks up a few
    stand-ins, not every word one edit from each of its words. Of the first ``limit * 4`` such
    phrases (among the first FUZZY_SCAN places of their rarest pair), the best scoring ``limit``
    become hits, scored from their words before any hit is made."""
    positions, dists, standing_in = [], [], False
    for t in tokens:
        terms = _terms(catalog, t)
        if t.prefix or terms:
            positions.append(terms)
            dists.append({k: 0 for k in terms})
        else:
            near = stand_ins(catalog, t.norm)
            positions.append({k: v[1] for k, v in near.items()})
            dists.append({k: v[0] for k, v in near.items()})
            standing_in = True
        if not positions[-1]:   # nothing near this word: no phrase can match
            return []
    if not standing_in:
        return []
    total_len = sum(len(t.norm) for t in tokens)
    found = []
    for m, a, b in match_sequences(catalog, positions, media_ids, limit * 4, scan=FUZZY_SCAN):
        rows = catalog.execute("SELECT term_id, probability, start FROM words WHERE media_id = ? AND seq BETWEEN ? "
                               "AND ? ORDER BY seq", (m, a, b)).fetchall()
        quality = max(0.1, 1 - sum(dists[i].get(r[0], 0) for i, r in enumerate(rows)) / max(1, total_len))
        score = hit_score("fuzzy", [r[1] for r in rows], quality)
        found.append(((-score, maker.media_path(m), rows[0][2]), quality, m, a, b))
    found.sort(key=lambda f: f[0])      # the order hits are given in, known before any is made
    hits = [h for _, quality, m, a, b in found[: limit + 8] if (h := maker.make(m, a, b, quality, "fuzzy"))]
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
