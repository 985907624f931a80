"""Spanish speech through the real multilingual model: espeak-ng's Spanish voice, faster-whisper base.

The model's wording is never asserted; what is asserted is that a phrase written the way a Spanish
editor writes it finds the sentence that says it (inside that sentence's time), whichever way the
model wrote it, and that "por qué" never finds "porque". The language Whisper detected, and its
confidence, are shown by ``media --json``; ``index --language es`` sets it instead.
"""

from __future__ import annotations

import pytest

from conftest import cli_json
from framesense import Library
from framesense.media.synth import Shot, espeak_available, write_video
from framesense.transcript.model import normalize_word

pytestmark = [pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed"),
              pytest.mark.slow]   # a real multilingual speech model

SENTENCES = [
    (1.0, "Porque tengo mucho trabajo."),
    (5.5, "El cincuenta por ciento de la gente votó."),
    (11.0, "En mil novecientos ochenta y cuatro llegó el señor García."),
    (18.0, "Fue el primer día de la canción."),
    (23.0, "El doctor García habló con la señora López."),
]
SPAN_S = 4.5     # each sentence is heard within this many seconds of its start


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    root = tmp_path_factory.mktemp("spanish")
    clip = write_video(root / "f" / "entrevista.mp4", [Shot(25 * 30, 1)], rate="25", audio="silence",
                       speech=SENTENCES, voice="es")
    lib = root / "lib"
    report = cli_json(lib, "index", "--no-visual", "--speech-model", "base", root / "f")
    assert report["files"][0]["stages"]["speech"] == "done", report
    with Library.open(lib) as library:
        yield {"lib": lib, "library": library, "clip": clip, "root": root}


def in_sentence(hit, k: int) -> bool:
    start = SENTENCES[k][0]
    return start - 0.5 <= hit.start and hit.end <= start + SPAN_S + 0.5


@pytest.mark.parametrize("query, k", [
    ("cincuenta por ciento de la gente", 1),     # percent in words finds what the model wrote
    ("50% de la gente", 1),                      # ... and in digits
    ("1984", 2),                                 # a year in digits, or in words, finds it
    ("mil novecientos ochenta y cuatro", 2),
    ("Sr. García", 2),                           # a title abbreviated finds it said in full
    ("el 1er día", 3),                           # an ordinal in digits
    ("la cancion", 3),                           # no accent typed
    ("Dr. García", 4),
])
def test_spanish_phrases_find_their_sentence(spoken, query, k):
    hits = spoken["library"].search(phrase=query)
    good = [h for h in hits if in_sentence(h, k) and h.extra["match"] in ("exact", "variant")]
    assert good, (query, [(h.text, h.start, h.extra["match"]) for h in hits],
                  [t.segments and [s.text for s in t.segments] for t in spoken["library"].transcripts("entrevista.mp4")])
    assert all(h.extra["language"] == "es" for h in good)


def test_por_que_never_finds_porque(spoken):
    heard = spoken["library"].search(phrase="porque tengo")
    assert heard and in_sentence(heard[0], 0)
    for h in spoken["library"].search(phrase="por qué tengo"):
        assert "porque" not in [normalize_word(w) for w, _, _ in h.extra["words"]], h


def test_media_json_has_the_detected_language(spoken):
    (row,) = cli_json(spoken["lib"], "media")
    (stream,) = row["audio_streams"]
    assert stream["language"] == "es" and stream["language_from"] == "detected", stream
    assert 0.0 < stream["language_probability"] <= 1.0


def test_index_language_sets_it(spoken):
    lib = spoken["root"] / "forced"
    write_video(spoken["root"] / "g" / "corto.mp4", [Shot(25 * 4, 1)], rate="25", audio="silence",
                speech=[SENTENCES[0]], voice="es")
    cli_json(lib, "index", "--no-visual", "--speech-model", "base", "--language", "ES", spoken["root"] / "g")
    (row,) = cli_json(lib, "media")
    (stream,) = row["audio_streams"]
    assert (stream["language"], stream["language_from"], stream["language_probability"]) == ("es", "set", None)
