"""The phrase index (issue 31): pair postings kept by the writer, migrated from older catalogs,
languages and media filters kept in step, bounded prefixes and fallbacks."""

from __future__ import annotations

import sqlite3

import pytest

from framesense.catalog import Catalog
from framesense.catalog import schema
from framesense.catalog.migrations import BUILTIN
from framesense.errors import QueryError
from framesense.search import phrase
from framesense.search.phrase import search_phrase
from framesense.search.query import SearchQuery
from framesense.transcript.cuts import LEAD_S
from framesense.transcript.model import Transcript
from framesense.transcript.store import store_transcripts
from tests.test_phrase_search import add_media, seg


def q(text, **kw):
    return SearchQuery(phrase=text, **kw)


def pairs(cat, media_id):
    """(word, next word or None) per stored word, from the rows' own term ids."""
    return [(r["w"], r["n"]) for r in cat.query(
        "SELECT t.norm AS w, n.norm AS n FROM words w JOIN terms t ON t.id = w.term_id "
        "LEFT JOIN terms n ON n.id = w.next_term_id WHERE w.media_id = ? ORDER BY w.seq", (media_id,))]


@pytest.fixture
def cat(tmp_path):
    c = Catalog.open(tmp_path / "lib")
    yield c
    c.close()


def test_each_word_carries_the_next_term_within_its_transcript(cat):
    with cat.transaction():
        m = add_media(cat, "/f/a.wav", duration=30.0)
        store_transcripts(cat, m, [Transcript([seg(0.0, "the boats came"), seg(3.0, "came in")], "en", stream=1),
                                   Transcript([seg(9.0, "harbour lights")], "fr", stream=2)])
    # across segments of one stream the pair holds; a stream's last word has none (no phrase crosses streams)
    assert pairs(cat, m) == [("the", "boats"), ("boats", "came"), ("came", "came"), ("came", "in"), ("in", None),
                             ("harbour", "lights"), ("lights", None)]
    with cat.transaction():      # storing again replaces the words and their pairs, in one transaction
        store_transcripts(cat, m, [Transcript([seg(0.0, "boats in")], "en")])
    assert pairs(cat, m) == [("boats", "in"), ("in", None)]
    assert [h.text for h in search_phrase(cat, q("boats in"))] == ["boats in"]
    assert search_phrase(cat, q("came in")) == []


def test_an_older_catalog_gains_the_pairs_and_languages_when_opened(tmp_path):
    lib = tmp_path / "old"
    lib.mkdir()
    conn = sqlite3.connect(str(lib / "catalog.sqlite"), isolation_level=None)
    old = {name: scripts for name, scripts in BUILTIN.items()}
    old["speech"] = BUILTIN["speech"][:2]          # the catalog as FrameSense wrote it before issue 31
    schema.migrate(conn, only=old)
    conn.execute("INSERT INTO media (id, path, folder, name, status, duration) VALUES (1, '/f/x.wav', '/f', 'x.wav', "
                 "'indexed', 20)")
    conn.execute("INSERT INTO transcripts (id, media_id, stream, source, language) VALUES (1, 1, 0, 'whisper', 'de')")
    conn.execute("INSERT INTO segments (id, media_id, transcript_id, idx, start, end, text, norm, first_seq, last_seq) "
                 "VALUES (1, 1, 1, 0, 0, 2, 'guten abend zusammen', 'guten abend zusammen', 0, 2)")
    for norm in ("guten", "abend", "zusammen"):
        conn.execute("INSERT INTO terms (norm) VALUES (?)", (norm,))
    for seq, norm in enumerate(("guten", "abend", "zusammen")):
        conn.execute("INSERT INTO words (media_id, seq, term_id, segment_id, start, end, probability, text) "
                     "SELECT 1, ?, id, 1, ?, ?, 0.9, ? FROM terms WHERE norm = ?", (seq, seq * 0.5, seq * 0.5 + 0.4,
                                                                                   norm, norm))
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'words_by_pair'").fetchone()
    conn.close()
    cat = Catalog.open(lib)
    try:
        assert pairs(cat, 1) == [("guten", "abend"), ("abend", "zusammen"), ("zusammen", None)]
        assert cat.one("SELECT 1 AS x FROM sqlite_master WHERE name = 'words_by_term'") is None
        assert phrase._languages(cat) == ["de"]
        (h,) = search_phrase(cat, q("abend zusammen"))
        assert h.extra["match"] == "exact" and h.text == "abend zusammen"
    finally:
        cat.close()


def test_languages_are_kept_by_the_writer(cat):
    with cat.transaction():
        a = add_media(cat, "/f/a.wav", duration=10.0)
        b = add_media(cat, "/f/b.wav", duration=10.0)
        store_transcripts(cat, a, [Transcript([seg(0.0, "bonjour")], "fr")])
        store_transcripts(cat, b, [Transcript([seg(0.0, "hello")], "en"), Transcript([seg(0.0, "hallo")], "de",
                                                                                      stream=1)])
    assert phrase._languages(cat) == ["de", "en", "fr"]
    with cat.transaction():
        cat.execute("DELETE FROM media WHERE id = ?", (b,))       # cascades to its transcripts
        cat.execute("UPDATE transcripts SET language = 'it' WHERE media_id = ?", (a,))
    assert phrase._languages(cat) == ["it"]
    with cat.transaction():
        cat.execute("DELETE FROM transcripts")
    assert phrase._languages(cat) == ["en"]                       # nothing known: English, as before


def test_a_media_filter_follows_files_added_by_another_connection(cat, tmp_path):
    with cat.transaction():
        a = add_media(cat, "/f/interview_a.wav", duration=10.0)
        store_transcripts(cat, a, [Transcript([seg(0.0, "we choose to go")], "en")])
    assert search_phrase(cat, q("we choose", media=["interview_b"])) == []
    other = Catalog.open(tmp_path / "lib")                         # another process indexing, say
    try:
        with other.transaction():
            b = add_media(other, "/f/interview_b.wav", duration=10.0)
            store_transcripts(other, b, [Transcript([seg(1.0, "we choose the moon")], "en")])
    finally:
        other.close()
    assert [h.media_path for h in search_phrase(cat, q("we choose", media=["interview_b"]))] == ["/f/interview_b.wav"]


def test_a_prefix_standing_for_too_many_words_is_refused_by_name(cat):
    many = " ".join(f"za{i:04d}x" for i in range(phrase.MAX_PREFIX_TERMS + 1))
    with cat.transaction():
        m = add_media(cat, "/f/list.wav", duration=3000.0)
        store_transcripts(cat, m, [Transcript([seg(0.0, many, step=0.2)], "en")])
    with pytest.raises(QueryError, match=r"'za\*' stands for more than 2,000 .*more of its letters"):
        search_phrase(cat, q("za*"))
    assert len(search_phrase(cat, q("za000*", limit=100))) == 10     # za0000x .. za0009x
    (h,) = search_phrase(cat, q("za0001x za000*"))
    assert h.text == "za0001x za0002x"


def test_common_words_long_phrases_and_repeats(cat):
    """Phrases of common words anchor on their rarest pair; long ones go past the joined checks."""
    filler = "the of and the of and to the of"
    said = "of of of the of that"
    long = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen " \
           "seventeen eighteen nineteen twenty"
    with cat.transaction():
        m = add_media(cat, "/f/talk.wav", duration=600.0)
        store_transcripts(cat, m, [Transcript([seg(0.0, filler), seg(10.0, said), seg(20.0, filler),
                                               seg(30.0, said + " " + filler), seg(50.0, long)], "en")])
    hits = search_phrase(cat, q(said))
    assert [(h.extra["match"], h.text) for h in hits] == [("exact", said), ("exact", said)]
    assert [h.start for h in hits] == pytest.approx([10.0 - LEAD_S, 30.0 - LEAD_S])   # cut in the pause before
    assert len(search_phrase(cat, q("the of", limit=3))) == 3
    assert [h.text for h in search_phrase(cat, q(long))] == [long]       # 20 words: more than the SQL joins
    assert all(h.extra["match"] != "exact" for h in search_phrase(cat, q(long.replace("twelve", "eleven"))))


def test_all_words_fallback_ranks_shorter_and_rarer_first(cat):
    with cat.transaction():
        m = add_media(cat, "/f/news.wav", duration=100.0)
        store_transcripts(cat, m, [Transcript([
            seg(0.0, "the harbour was quiet and the boats were still out at sea that night"),
            seg(10.0, "boats in the harbour"),
            *(seg(20.0 + 3 * i, "nothing said here at all") for i in range(6))], "en")])
    hits = search_phrase(cat, q("harbour boats"))                  # both words, never in that order
    assert [h.extra["match"] for h in hits] == ["all-words", "all-words"]
    assert hits[0].text == "boats in the harbour" and hits[0].score > hits[1].score
    assert hits[1].text.startswith("harbour") and hits[1].text.endswith("boats")


def test_all_words_in_stretches_when_every_word_is_common(cat, monkeypatch):
    with cat.transaction():
        for i in range(8):
            m = add_media(cat, f"/f/reel_{i}.wav", duration=100.0)
            store_transcripts(cat, m, [Transcript([seg(0.0, "and so the boats"), seg(5.0, "boats so and the")], "en")])
    everywhere = search_phrase(cat, q("the so boats", limit=100))
    assert len(everywhere) == 16 and {h.extra["match"] for h in everywhere} == {"all-words"}
    monkeypatch.setattr(phrase, "FTS_BUDGET", 4)                   # the rarest word is said 16 times
    part = search_phrase(cat, q("the so boats", limit=100))
    windows = phrase._fts_windows(cat, 16)
    assert len(windows) == phrase.FTS_WINDOWS and windows[0][0] == 1
    assert 0 < len(part) < 16 and {(h.media_path, h.start) for h in part} <= {(h.media_path, h.start)
                                                                             for h in everywhere}


def test_words_two_edits_away_are_the_same_with_or_without_rapidfuzz(monkeypatch):
    rows = [(i, w) for i, w in enumerate(["harbours", "harbour", "habrour", "harbinger", "barbour", "hrabouxr",
                                          "harbourmaster", "arbour", "harbor"])]
    with_c = sorted(phrase._within("harbour", rows, 2))
    monkeypatch.setitem(__import__("sys").modules, "rapidfuzz", None)      # as where it is not installed
    monkeypatch.setitem(__import__("sys").modules, "rapidfuzz.distance", None)
    assert sorted(phrase._within("harbour", rows, 2)) == with_c
    assert {rows[i][1] for i, _ in with_c} == {"harbours", "harbour", "habrour", "barbour", "hrabouxr", "arbour",
                                              "harbor"}
    assert dict(with_c)[2] == 1 and dict(with_c)[1] == 0       # a swap of neighbours is one edit


def test_media_patterns_parts_and_globs(cat):
    with cat.transaction():
        for path in ("/f/Reel_01/take.wav", "/f/reel_02/take.wav", "/f/other/interview.wav"):
            m = add_media(cat, path, duration=10.0)
            store_transcripts(cat, m, [Transcript([seg(0.0, "roll the tape")], "en")])

    def found(*patterns):
        return sorted(h.media_path for h in search_phrase(cat, q("roll the", media=list(patterns))))
    assert found("reel_0") == ["/f/reel_02/take.wav"]                        # a part, as typed
    assert found("*/[Rr]eel_0?/*") == ["/f/Reel_01/take.wav", "/f/reel_02/take.wav"]
    assert found("interview.*", "Reel_01") == ["/f/Reel_01/take.wav", "/f/other/interview.wav"]
    assert found("*") == ["/f/Reel_01/take.wav", "/f/other/interview.wav", "/f/reel_02/take.wav"]
    assert found("reel_03") == []


def test_a_language_every_transcript_is_in_needs_no_list_of_files(cat):
    with cat.transaction():
        a = add_media(cat, "/f/a.wav", duration=10.0)
        b = add_media(cat, "/f/b.wav", duration=10.0)
        store_transcripts(cat, a, [Transcript([seg(0.0, "the boats")], "en")])
        store_transcripts(cat, b, [Transcript([seg(0.0, "los barcos")], None)])
    assert phrase._in_languages(cat, ["en"], None) is None            # all of them: no filter at all
    assert phrase._in_languages(cat, ["en"], [b]) == [b]
    with cat.transaction():
        c = add_media(cat, "/f/c.wav", duration=10.0)
        store_transcripts(cat, c, [Transcript([seg(0.0, "los barcos")], "es")])
    assert sorted(phrase._in_languages(cat, ["en"], None)) == [a, b]  # unknown language counts as any
    assert sorted(phrase._in_languages(cat, ["es"], None)) == [b, c]


def _said(cat, phrase_words):
    """Where the words are said in a row, read from the words table one word at a time (no index)."""
    rows = cat.query("SELECT w.media_id AS m, w.seq AS s, t.norm AS norm FROM words w JOIN terms t ON t.id = w.term_id")
    at = {(r["m"], r["s"]): r["norm"] for r in rows}
    n = len(phrase_words)
    return {(m, s, s + n - 1) for m, s in at if all(at.get((m, s + i)) == w for i, w in enumerate(phrase_words))}


@pytest.fixture
def chatter(cat):
    """Two files of 1,500 words each drawn from five, so every pair of them is said many times."""
    import random
    rng = random.Random(4)
    vocab = ["ra", "bo", "ki", "mu", "te"]
    with cat.transaction():
        for name in ("a", "b"):
            m = add_media(cat, f"/f/{name}.wav", duration=4000.0)
            segs = [seg(i * 5.0, " ".join(rng.choice(vocab) for _ in range(10))) for i in range(150)]
            store_transcripts(cat, m, [Transcript(segs, "en")])
    return vocab


@pytest.mark.parametrize("few, caps", [(64, (256, 4096)), (2, (8, 64)), (2, (4, 8))])
def test_phrases_of_common_pairs_are_found_by_intersecting_postings(chatter, cat, monkeypatch, few, caps):
    """Every way through the pair postings (a walk from the rarest pair, postings read whole and
    intersected, checks batched by key, pairs counted only to a cap) finds exactly where a phrase
    is said, present or absent, as reading the words one by one does."""
    import random
    monkeypatch.setattr(phrase, "FEW_PLACES", few)
    monkeypatch.setattr(phrase, "PROBE_CAPS", caps)
    rng = random.Random(9)
    for _ in range(40):
        words = [rng.choice(chatter) for _ in range(rng.randint(3, 7))]
        positions = [phrase._terms(cat, phrase.Token(w)) for w in words]
        assert set(phrase.match_sequences(cat, positions, None, 100_000)) == _said(cat, words), words
    some = [phrase._terms(cat, phrase.Token(w)) for w in ("ra", "bo", "ki")]
    assert len(phrase.match_sequences(cat, some, None, 3)) == min(3, len(_said(cat, ["ra", "bo", "ki"])))


def test_an_absent_phrase_is_answered_from_its_pair_counts(chatter, cat):
    """A phrase with a pair never said ends after counting pairs: no walk, no join, no word read."""
    with cat.transaction():
        m = add_media(cat, "/f/c.wav", duration=100.0)
        store_transcripts(cat, m, [Transcript([seg(0.0, "zebra quagga okapi")], "en")])
    words = ["ra", "bo", "okapi", "zebra", "ki"]      # real words, shuffled: "okapi zebra" is never said
    positions = [phrase._terms(cat, phrase.Token(w)) for w in words]
    statements = []
    cat.conn.set_trace_callback(statements.append)
    try:
        assert phrase.match_sequences(cat, positions, None, 50) == []
    finally:
        cat.conn.set_trace_callback(None)
    assert statements and all(s.startswith("SELECT count(*)") for s in statements)
    assert len(statements) <= 2      # the pairs of the rarest words are counted first: "okapi zebra" at once
    assert [h.extra["match"] for h in search_phrase(cat, q("okapi zebra"))] == ["all-words"]   # the segment


def test_fuzzy_stands_in_only_for_words_never_said_and_only_a_few(cat, monkeypatch):
    with cat.transaction():
        m = add_media(cat, "/f/d.wav", duration=100.0)
        store_transcripts(cat, m, [Transcript([seg(0.0, "the boats came in"), seg(5.0, "the boots came in"),
                                               seg(10.0, "the bolts came in"), seg(15.0, "she boats came in")], "en")])
    # every word is said, never in this order: the exact search had the last word, fuzzy adds nothing
    assert search_phrase(cat, q("in came boats")) == [] or all(
        h.extra["match"] == "all-words" for h in search_phrase(cat, q("in came boats")))
    assert phrase._fuzzy(cat, phrase.parse_phrase("in came boats"), None, 10, phrase._HitMaker(cat, q("x"))) == []
    # "boxts" is never said: its stand-ins are boats, boots, bolts (one edit); "the" stays "the" (not "she")
    hits = search_phrase(cat, q("the boxts came"))
    assert {h.text for h in hits} == {"the boats came", "the boots came", "the bolts came"}
    assert all(h.extra["match"] == "fuzzy" for h in hits)
    monkeypatch.setattr(phrase, "FUZZY_TERMS", 1)
    with cat.transaction():     # a write: the remembered stand-ins are dropped
        cat.execute("UPDATE media SET duration = 101.0 WHERE id = ?", (m,))
    assert len(phrase.stand_ins(cat, "boxts")) == 1           # the nearest, then the most said: boats
    assert [h.text for h in search_phrase(cat, q("the boxts came"))] == ["the boats came"]


def test_all_words_matches_the_rarest_two_and_checks_the_rest_in_the_segment(cat):
    """FTS5 is asked for the two rarest words only; a segment missing any other word is no hit."""
    with cat.transaction():
        m = add_media(cat, "/f/e.wav", duration=100.0)
        store_transcripts(cat, m, [Transcript([seg(0.0, "the harbour at dawn was quiet"),
                                               seg(5.0, "at dawn the harbour"),                  # no "quiet"
                                               seg(10.0, "quiet was the harbour at dawn today"),
                                               seg(15.0, "the the quiet quiet")], "en")])
    hits = search_phrase(cat, q("quiet dawn the harbour"))
    assert {h.extra["match"] for h in hits} == {"all-words"}
    # "dawn" and "harbour" are the rarest: FTS5 finds the second segment too, its words rule it out
    assert sorted(h.context for h in hits) == ["quiet was the harbour at dawn today", "the harbour at dawn was quiet"]


def test_a_hit_a_take_and_a_text_trim_of_the_same_words_cut_at_the_same_frames(cat):
    """Words said without a pause between them: each cut goes to the frame edge nearest the cut point
    the word timing stored (transcript/cuts.py), not to the edge nearest the catalogued boundary. A
    phrase hit, a paper-edit take and a text trim of the same words land on the same frames."""
    from fractions import Fraction

    from framesense.catalog.reads import CatalogReads
    from framesense.timeline import textcut
    from framesense.timeline.assemble import assemble
    from framesense.timeline.script import ScriptLine
    from framesense.transcript.model import Segment, Word
    rate = Fraction(25)
    with cat.transaction():
        m = add_media(cat, "/f/talk.mov", rate=rate, frames=250, duration=10.0)
        # "so|we" touch at 1.41 s (nearest edge: frame 35) but the stored cut point is 1.435 (frame 36);
        # "home|now" touch at 2.61 s (frame 65) but the stored cut point is 2.575 (frame 64)
        ws = [Word("so", 1.0, 1.41, 0.9), Word("we", 1.41, 1.8, 0.9, quiet=1.435), Word("go", 1.8, 2.2, 0.9, quiet=1.8),
              Word("home", 2.2, 2.61, 0.9, quiet=2.2), Word("now", 2.61, 3.0, 0.9, quiet=2.575)]
        store_transcripts(cat, m, [Transcript([Segment(1.0, 3.0, "so we go home now", ws)], "en")])
    hit = next(h for h in search_phrase(cat, q("we go home")) if h.media_id == m)
    assert (hit.start_frame, hit.end_frame) == (36, 64)
    words = textcut.as_words(CatalogReads(cat).words(m))
    assert textcut.span_frames(words, 1, 3, rate, 250) == (36, 64)
    _, report = assemble([ScriptLine("we go home")], lambda query: search_phrase(cat, query), CatalogReads(cat))
    assert report[0].status == "placed"
    assert (round(report[0].start * 25), round(report[0].end * 25)) == (36, 64)
