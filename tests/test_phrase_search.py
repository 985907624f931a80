"""Phrase search over stored transcripts: exact sequences, prefixes, filters, fallbacks, frame snapping."""

from __future__ import annotations

from fractions import Fraction

import pytest

from framesense.catalog import Catalog
from framesense.errors import QueryError
from framesense.api import Library
from framesense.search.phrase import edit_distance, parse_phrase, search_phrase
from framesense.search.query import SearchQuery
from framesense.transcript.model import Segment, Transcript, Word
from framesense.transcript.store import store_transcripts


def seg(start, text, step=0.4, speaker=None):
    words = [Word(t, round(start + i * step, 3), round(start + (i + 1) * step - 0.05, 3), 0.9)
             for i, t in enumerate(text.split())]
    return Segment(words[0].start, words[-1].end, text, words, speaker)


def add_media(cat, path, *, rate=None, frames=None, duration=None):
    values = {"path": path, "folder": "/f", "name": path.rsplit("/", 1)[-1], "status": "indexed",
              "duration": duration, "has_video": int(rate is not None), "frames": frames}
    if rate is not None:
        values.update(rate_num=rate.numerator, rate_den=rate.denominator)
    return cat.insert("media", values)


@pytest.fixture
def cat(tmp_path):
    c = Catalog.open(tmp_path / "lib")
    with c.transaction():
        a = add_media(c, "/f/news_a.mov", rate=Fraction(24000, 1001), frames=600, duration=600 / (24000 / 1001))
        b = add_media(c, "/f/news_b.mov", rate=Fraction(25), frames=250, duration=10.0)
        w = add_media(c, "/f/radio.wav", duration=20.0)
        store_transcripts(c, a, [Transcript([seg(1.0, "Good evening, and welcome to the news."),
                                             seg(5.0, "Tonight: the twenty-one biggest stories")], "en")])
        store_transcripts(c, b, [Transcript([seg(0.2, "And welcome to the news at ten")], "en", stream=1),
                                 Transcript([seg(3.0, "the news hour"), seg(6.0, "hour glass")], "en", stream=2)])
        store_transcripts(c, w, [Transcript([seg(2.0, "Welcome to the newsroom, everyone")], "en")])
    yield c
    c.close()


def q(text, **kw):
    return SearchQuery(phrase=text, **kw)


def test_exact_phrase_across_media_case_and_punctuation(cat):
    hits = search_phrase(cat, q("WELCOME to the News!"))
    assert [(h.media_path, h.extra["match"]) for h in hits] == [("/f/news_a.mov", "exact"), ("/f/news_b.mov", "exact")]
    a = hits[0]
    assert a.text == "welcome to the news."
    assert a.context == "Good evening, and welcome to the news."
    assert a.kind == "phrase" and a.query == "WELCOME to the News!"
    # the words whole, cut in the pauses around them (at most LEAD_S and a frame more), at 24000/1001
    from framesense.transcript.cuts import LEAD_S
    w0, w1 = a.extra["words"][0][1], a.extra["words"][-1][2]
    assert a.rate == Fraction(24000, 1001)
    assert w0 - LEAD_S - 1 / 23.976 <= a.start <= w0 and w1 <= a.end <= w1 + LEAD_S + 1 / 23.976 + 1e-9


def test_phrase_spans_segments_but_not_streams(cat):
    (h,) = search_phrase(cat, q("news tonight"))  # end of one segment, start of the next
    assert h.media_path == "/f/news_a.mov" and h.context.startswith("Good evening") and "Tonight" in h.context
    # "at ten" ends stream 1, "the news hour" starts stream 2: never one phrase
    assert all(h.extra["match"] != "exact" for h in search_phrase(cat, q("ten the news")))
    assert [h.text for h in search_phrase(cat, q("hour hour"))] == ["hour hour"]  # segments of one stream


def test_hyphenated_words_and_prefix(cat):
    (h,) = search_phrase(cat, q("twenty one biggest"))
    assert h.text == "twenty-one biggest"   # the spoken word stays whole
    assert len(search_phrase(cat, q("the twenty-one"))) == 1
    paths = sorted(h.media_path for h in search_phrase(cat, q("the news*")))
    assert paths == ["/f/news_a.mov", "/f/news_b.mov", "/f/news_b.mov", "/f/radio.wav"]


def test_limit_and_media_filter(cat):
    assert len(search_phrase(cat, q("the news*", limit=2))) == 2
    assert [h.media_path for h in search_phrase(cat, q("welcome to the", media=["radio"]))] == ["/f/radio.wav"]
    assert [h.media_path for h in search_phrase(cat, q("welcome to the", media=["*/news_b.*"]))] == ["/f/news_b.mov"]
    assert search_phrase(cat, q("welcome", media=["nothing-matches"])) == []


def test_not_spoken_finds_nothing(cat):
    assert search_phrase(cat, q("purple elephant")) == []
    assert search_phrase(cat, q("evening glass")) == []  # both words spoken, but never together


def test_full_text_fallback_ranks_below_exact(cat):
    hits = search_phrase(cat, q("news welcome"))
    assert hits and {h.extra["match"] for h in hits} == {"all-words"}
    assert all(h.score < 1.0 for h in hits)
    a = [h for h in hits if h.media_path == "/f/news_a.mov"][0]
    assert a.text == "welcome to the news."  # from the first matched word to the last


def test_fuzzy_fallback_tolerates_misspellings(cat):
    hits = search_phrase(cat, q("welcom to the nwes"))
    assert hits and hits[0].extra["match"] == "fuzzy" and hits[0].score < 0.5
    assert {h.media_path for h in hits} == {"/f/news_a.mov", "/f/news_b.mov"}
    assert edit_distance("kitten", "sitting", 3) == 3 and edit_distance("abc", "xyzxyz", 2) == 3 and edit_distance("news", "nwes", 1) == 1


def test_pads_are_applied_once_and_clamped_and_audio_counts_milliseconds(cat):
    lib = Library(cat)
    (w,) = search_phrase(cat, q("everyone"))
    first = w.extra["words"][0]
    from framesense.transcript.cuts import LEAD_S
    assert w.rate == 1000       # milliseconds; cut in the pauses around the word
    assert first[1] - LEAD_S - 0.001 <= w.start <= first[1] and first[2] <= w.end <= first[2] + LEAD_S + 0.001
    assert lib.padded(w, 0.25, 0.5) == (w.start_frame - 250, w.end_frame + 500)
    (b,) = search_phrase(cat, q("at ten"))
    assert lib.padded(b, 0.0, 50) == (b.start_frame, 250)          # clamped to the file's last frame
    (s,) = search_phrase(cat, q("and welcome", media=["news_b"]))
    assert lib.padded(s, 5, 0) == (0, s.end_frame)                  # and to its first


def test_engine_dispatch_and_bad_queries(cat):
    hits = Library(cat).search(q("the news hour"))
    assert len(hits) == 1 and hits[0].media_path == "/f/news_b.mov"
    with pytest.raises(QueryError):
        parse_phrase(" ,,, ")
    assert parse_phrase("News*")[0].prefix and parse_phrase("Don't stop")[0].norm == "dont"


def test_words_deleted_with_media_keep_counts_right(cat):
    mid = cat.media_by_path("/f/radio.wav")["id"]
    before = cat.one("SELECT count FROM terms WHERE norm = 'welcome'")["count"]
    with cat.transaction():
        cat.execute("DELETE FROM words WHERE media_id = ?", (mid,))
        cat.execute("DELETE FROM segments WHERE media_id = ?", (mid,))
    assert cat.one("SELECT count FROM terms WHERE norm = 'welcome'")["count"] == before - 1
    assert search_phrase(cat, q("newsroom")) == []
