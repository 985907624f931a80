"""Phrase search forgives how words are written, on transcripts whose words are known.

Numbers (digits <-> words, years, ordinals, decimals, percent), British/American
spelling, compounds joined or split, abbreviations, hyphens; long phrases; scores
by match kind and word confidence. Each hit must span exactly the matched words.
"""

from __future__ import annotations

import pytest

from framesense.catalog import Catalog
from framesense.search.phrase import hit_score, search_phrase
from framesense.search.query import SearchQuery
from framesense.search.wordforms import phrase_forms
from framesense.transcript.model import Segment, Transcript, Word
from framesense.transcript.store import store_transcripts

LINES = [
    "In 1984 the harbour master met Mr. Dashwood at St. Paul's",
    "about 50% of the 3rd class passengers were ill-disposed",
    "the colour of the sea was grey, 2.5 miles out",
    "we counted twenty one boats and nineteen eighty nine nets",
    "the harbourmaster's daughter rode the fire engine home",
]


def seg(start, text, prob=0.9, step=0.5):
    words = [Word(t, round(start + i * step, 3), round(start + (i + 1) * step - 0.1, 3), prob)
             for i, t in enumerate(text.split())]
    return Segment(words[0].start, words[-1].end, text, words)


@pytest.fixture
def cat(tmp_path):
    c = Catalog.open(tmp_path / "lib")
    with c.transaction():
        m = c.insert("media", {"path": "/f/talk.wav", "folder": "/f", "name": "talk.wav", "status": "indexed",
                               "duration": 200.0, "has_video": 0})
        segs = [seg(10.0 * i, line, prob=0.9 if i != 1 else 0.5) for i, line in enumerate(LINES)]
        store_transcripts(c, m, [Transcript(segs, "en")])
    yield c
    c.close()


def find(cat, text, **kw):
    return search_phrase(cat, SearchQuery(phrase=text, **kw))


def one(cat, text):
    hits = find(cat, text)
    assert len(hits) == 1, (text, [(h.text, h.extra) for h in hits])
    return hits[0]


@pytest.mark.parametrize("query, spoken, kind", [
    ("in nineteen eighty four", "In 1984", "variant"),            # a year said as words finds the digits
    ("in 1984", "In 1984", "exact"),
    ("twenty-one boats", "twenty one boats", "exact"),             # hyphen or space: the same words
    ("21 boats", "twenty one boats", "variant"),                   # digits find the spoken number
    ("1989 nets", "nineteen eighty nine nets", "variant"),         # a year in digits finds it said
    ("third class", "3rd class", "variant"),                       # ordinals
    ("fifty percent of", "50% of", "variant"),                     # percent
    ("two point five miles", "2.5 miles", "variant"),              # decimals
    ("the color of the sea", "the colour of the sea", "variant"),  # American finds British
    ("harbourmaster met", "harbour master met", "variant"),        # joined finds split
    ("the harbour master's daughter", "the harbourmaster's daughter", "variant"),  # split finds joined
    ("mister dashwood", "Mr. Dashwood", "variant"),                # abbreviations
    ("at saint paul's", "at St. Paul's", "variant"),
    ("ill disposed", "ill-disposed", "exact"),
    ("firengine", None, None),
])
def test_forms_find_each_other_and_span_the_spoken_words(cat, query, spoken, kind):
    if spoken is None:
        assert find(cat, query) == [] or all(h.extra["match"] == "fuzzy" for h in find(cat, query))
        return
    h = one(cat, query)
    assert h.text == spoken                       # exactly the matched spoken words, whatever their count
    assert h.extra["match"] == kind
    n = len(h.extra["words"])
    first, last = h.extra["words"][0], h.extra["words"][-1]
    assert h.start <= first[1] + 1e-9 and h.end >= last[2] - 1e-9
    assert n == len(spoken.replace("-", " ").split())
    if kind == "variant":
        assert h.extra["form"] and h.extra["form"] != query   # says which written form matched


def test_hyphenated_words_stay_whole_in_hit_text(cat, tmp_path):
    with cat.transaction():
        m = cat.insert("media", {"path": "/f/b.wav", "folder": "/f", "name": "b.wav", "status": "indexed",
                                 "duration": 10.0, "has_video": 0})
        words = [Word("an", 0.0, 0.2, 0.9), Word("ill", 0.3, 0.5, 0.9), Word("-disposed", 0.5, 0.9, 0.9),
                 Word("man", 1.0, 1.3, 0.9)]
        store_transcripts(cat, m, [Transcript([Segment(0.0, 1.3, "an ill-disposed man", words)], "en")])
    hits = find(cat, "an ill-disposed man", media=["b.wav"])
    assert [h.text for h in hits] == ["an ill-disposed man"]


def test_not_spoken_finds_nothing(cat):
    assert find(cat, "nineteen eighty five") == []
    assert find(cat, "the colour of the sky") == []
    assert find(cat, "doctor dashwood") == []


def test_forms_say_what_they_are():
    vocab = {"in", "1984", "nineteen", "eighty", "four", "one", "thousand", "nine", "hundred", "and", "mister",
             "smith", "mr"}
    known = lambda words: set(words) & vocab  # noqa: E731  (the catalog's words)
    forms = phrase_forms("In 1984", known)
    assert forms[0].kind == "exact" and forms[0].words == ("in", "1984")
    said = {f.words for f in forms}
    assert ("in", "nineteen", "eighty", "four") in said
    assert ("in", "one", "thousand", "nine", "hundred", "and", "eighty", "four") in said
    assert ("mister", "smith") in {f.words for f in phrase_forms("Mr. Smith", known)}


def test_long_phrase_has_no_join_limit(cat, tmp_path):
    text = " ".join(f"w{i % 7} word{i}" for i in range(60))   # 120 words
    with cat.transaction():
        m = cat.insert("media", {"path": "/f/long.wav", "folder": "/f", "name": "long.wav", "status": "indexed",
                                 "duration": 200.0, "has_video": 0})
        store_transcripts(cat, m, [Transcript([seg(0.0, text, step=0.2)], "en")])
    h = one(cat, text)
    assert len(h.extra["words"]) == 120 and h.extra["match"] == "exact"
    wrong = text.replace("word59", "word58")
    assert all(x.extra["match"] != "exact" for x in find(cat, wrong))


def test_scores_follow_match_kind_and_confidence(cat):
    exact = one(cat, "the colour of the sea")
    variant = one(cat, "the color of the sea")
    assert exact.score > variant.score
    sure = one(cat, "in 1984")                      # words at probability 0.9
    unsure = one(cat, "about 50% of the")           # words at probability 0.5
    assert sure.score > unsure.score and unsure.extra["match"] == "exact"
    loose = find(cat, "sea colour")
    assert loose and loose[0].extra["match"] == "all-words" and loose[0].score < variant.score
    assert hit_score("exact", [None]) == 1.0 and hit_score("fuzzy", [1.0]) < hit_score("all-words", [0.0]) + 0.01
    assert find(cat, "the color of the sea", min_score=0.8) == []
    assert len(find(cat, "the colour of the sea", min_score=0.8)) == 1
