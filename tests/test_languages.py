"""French and Spanish archives searched as a native editor expects, through real sidecars.

Each language has two transcripts of the same lines: an SRT sidecar (subtitle style: elided words
whole, "M.", "1er", "50%") and a Whisper JSON sidecar (Whisper style: "c'" and "est" as two words,
words spelled out). Every query must find its line in both, whichever way it is written, and the
negative cases must find nothing: "ans" is never "dans", "por qué" is never "porque", an English
"Sr." is never "señor". The files are real video with real sidecars, indexed by the real CLI.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import cli_json, run_cli
from framesense import Library
from framesense.media.synth import Shot, write_video
from framesense.transcript.model import normalize_word

pytestmark = pytest.mark.slow   # real speech models on half a minute of speech per language

FR = [  # (SRT line, the same line as Whisper writes it, word by word)
    ("C'est l'homme de l'année.", "c' est l' homme de l' année."),
    ("50% des gens sont venus.", "cinquante pour cent des gens sont venus."),
    ("M. Dupont est arrivé le 1er mai.", "monsieur Dupont est arrivé le premier mai."),
    ("Dans vingt-deux ans, jusqu'à demain.", "Dans 22 ans, jusqu' à demain."),
    ("Le Dr Bernard et Mme Martin.", "Le docteur Bernard et madame Martin."),
    ("La deuxième fois, soixante-dix personnes.", "La 2e fois, 70 personnes."),
    ("En mil neuf cent quatre-vingt-quatre, les gens ont voté pour lui.",
     "En mil neuf cent quatre-vingt-quatre, les gens ont voté pour lui."),
]
ES = [
    ("¿Por qué no vienes?", "Porque llueve mucho."),
    ("El Sr. García llegó el 1.er día.", "el señor García llegó el primer día."),
    ("El 50% de la gente votó.", "el cincuenta por ciento de la gente votó."),
    ("La Dra. López y el Dr. Martínez.", "la doctora López y el doctor Martínez."),
    ("En 1984 cantó.", "en mil novecientos ochenta y cuatro cantó."),
]
EN = [("Sr. Smith arrived in 1984 with fifty percent.", None)]


def srt(lines) -> str:
    return "\n".join(f"{i + 1}\n00:00:{4 * i:02d},000 --> 00:00:{4 * i + 3:02d},000\n{a}\n" for i, (a, _) in
                     enumerate(lines))


def whisper_json(lines, language) -> dict:
    segs = []
    for i, (_, b) in enumerate(lines):
        words = b.split()
        segs.append({"start": 4.0 * i, "end": 4.0 * i + 3, "text": b, "words": [
            {"word": " " + w, "start": 4.0 * i + 0.4 * k, "end": 4.0 * i + 0.4 * k + 0.35, "probability": 0.9}
            for k, w in enumerate(words)]})
    return {"language": language, "segments": segs}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("languages")
    footage = root / "footage"
    for name in ("fr_srt", "fr_json", "es_srt", "es_json", "en_srt"):
        write_video(footage / f"{name}.mp4", [Shot(25 * 30, 1)], rate="25", audio="silence")
    (footage / "fr_srt.fr.srt").write_text(srt(FR), encoding="utf-8")
    (footage / "fr_json.json").write_text(json.dumps(whisper_json(FR, "fr")), encoding="utf-8")
    (footage / "es_srt.es.srt").write_text(srt(ES), encoding="utf-8")
    (footage / "es_json.json").write_text(json.dumps(whisper_json(ES, "es")), encoding="utf-8")
    (footage / "en_srt.en.srt").write_text(srt(EN), encoding="utf-8")
    lib = root / "lib"
    report = cli_json(lib, "index", "--no-visual", footage)
    assert all(f["stages"].get("speech") == "done" for f in report["files"]), report
    with Library.open(lib) as library:
        yield {"lib": lib, "library": library}


def found(world, phrase, **kw):
    """{file name: (hit text, match kind, language)} for a phrase."""
    hits = world["library"].search(phrase=phrase, **kw)
    return {h.media_path.rsplit("/", 1)[-1].split(".")[0]: (h.text, h.extra["match"], h.extra["language"])
            for h in hits}


@pytest.mark.parametrize("query, line", [
    ("c'est l'homme de l'année", 0),          # elisions, joined (SRT) or split (Whisper)
    ("l'homme", 0),
    ("homme", 0),
    ("c'est", 0),
    ("jusqu'à demain", 3),
    ("cinquante pour cent des gens", 1),      # percent both ways
    ("50% des gens", 1),
    ("monsieur Dupont", 2),                   # titles both ways
    ("M. Dupont", 2),
    ("le premier mai", 2),                    # ordinals both ways
    ("le 1er mai", 2),
    ("vingt-deux ans", 3),                    # numbers both ways
    ("22 ans", 3),
    ("docteur Bernard", 4),
    ("Dr Bernard", 4),
    ("madame Martin", 4),
    ("Mme Martin", 4),
    ("la deuxième fois", 5),
    ("la 2e fois", 5),
    ("soixante-dix personnes", 5),
    ("70 personnes", 5),
])
def test_french_finds_both_ways_of_writing(world, query, line):
    got = found(world, query)
    assert set(got) == {"fr_srt", "fr_json"}, (query, got)
    for name, (text, match, language) in got.items():
        assert match in ("exact", "variant") and language == "fr", (name, text, match)
    srt_line, whisper_line = FR[line]
    assert got["fr_srt"][0].rstrip(".,").lower() in srt_line.lower(), got
    assert got["fr_json"][0].rstrip(".,").lower() in whisper_line.lower().replace("' ", "'"), got


def test_french_elisions_read_back_whole_and_do_not_collide(world):
    got = found(world, "c'est l'homme de l'année")
    assert got["fr_json"][0] == "c'est l'homme de l'année."           # Whisper's pieces joined as written
    assert got["fr_srt"][0] == "C'est l'homme de l'année."
    ans = found(world, "ans")                                          # "ans", never the "ans" of "dans"
    assert {n: t for n, (t, _, _) in ans.items()} == {"fr_srt": "ans,", "fr_json": "ans,"}
    assert found(world, "dans vingt-deux")                             # "dans" is still a word of its own
    assert all(m != "fuzzy" for _, m, _ in found(world, "c'est").values())
    assert found(world, "est l'homme de la") == {}


@pytest.mark.parametrize("query, line", [
    ("señor García", 1),
    ("Sr. García", 1),
    ("el primer día", 1),
    ("el 1.er día", 1),
    ("cincuenta por ciento de la gente", 2),
    ("50% de la gente", 2),
    ("doctora López", 3),
    ("Dra. López", 3),
    ("Dr. Martínez", 3),
    ("en 1984", 4),
    ("en mil novecientos ochenta y cuatro", 4),
])
def test_spanish_finds_both_ways_of_writing(world, query, line):
    got = found(world, query)
    assert set(got) == {"es_srt", "es_json"}, (query, got)
    assert all(lang == "es" for _, _, lang in got.values())


def test_por_que_is_not_porque(world):
    """Spanish writes no compounds: the question "por qué" and the answer "porque" are different words."""
    assert {n: t for n, (t, _, _) in found(world, "por qué").items()} == {"es_srt": "¿Por qué"}
    assert {n: t for n, (t, _, _) in found(world, "porque").items()} == {"es_json": "Porque"}


def test_a_languages_shorthand_stays_in_that_language(world):
    """"Sr." is "señor" in Spanish and "senior" in English: each only in transcripts of its language."""
    assert set(found(world, "señor Smith")) == set()             # Spanish's "sr smith" is not searched in English
    assert set(found(world, "senior Smith")) == {"en_srt"}
    assert set(found(world, "señor García")) == {"es_srt", "es_json"}
    assert set(found(world, "fifty percent")) == {"en_srt"}       # its "50" form not in the French or Spanish "50%"


def test_the_paper_edit_reads_each_take_in_its_language(world):
    """A script line written otherwise than it was said (a year in digits, one word changed) is aligned to
    the French takes with French numbers: "1984" is "mil neuf cent quatre-vingt-quatre" there."""
    line = "En 1984 les gens ont voter pour lui"
    seq, report = world["library"].assemble([line])
    (res,) = report
    assert res.status == "placed" and res.media_path.rsplit("/", 1)[-1] in ("fr_srt.mp4", "fr_json.mp4"), res
    assert res.start <= 24.0 + 0.5 and res.end >= 24.0 + 2.5, res      # the whole line: from "En" to "lui"
    assert normalize_word(res.said.split()[0]) == "en" and normalize_word(res.said.split()[-1]) == "lui", res


def test_media_json_shows_each_streams_language(world):
    rows = {r["name"].split(".")[0]: r for r in cli_json(world["lib"], "media")}
    for name, lang in (("fr_srt", "fr"), ("fr_json", "fr"), ("es_srt", "es"), ("en_srt", "en")):
        (stream,) = rows[name]["audio_streams"]
        assert stream["language"] == lang and stream["language_from"] == "file", (name, stream)
        assert "language_probability" in stream and stream["language_probability"] is None   # not detected
        assert stream["container_language"] != lang                                          # what PyAV said
    listing = run_cli(world["lib"], "media").stdout
    assert any("es file" in line and "es_srt.mp4" in line for line in listing.splitlines()), listing


def test_search_language_restricts_hits(world):
    every = found(world, "la")
    assert {"fr_srt", "es_srt"} <= set(every)
    only = cli_json(world["lib"], "search", "--phrase", "la", "--language", "es")
    assert only and {h["media_path"].rsplit("/", 1)[-1] for h in only} <= {"es_srt.mp4", "es_json.mp4"}
    assert cli_json(world["lib"], "search", "--phrase", "la", "--language", "FR")    # codes in any case
    bad = run_cli(world["lib"], "search", "--phrase", "la", "--language", "xx", check=False)
    assert bad.returncode != 0 and "unknown language 'xx'" in bad.stderr
    alone = run_cli(world["lib"], "search", "--text", "a beach", "--language", "es", check=False)
    assert alone.returncode != 0 and "--phrase" in alone.stderr


def test_language_set_by_hand_restores_its_words(tmp_path):
    """A sidecar with no language tag is read with no language's rules until the user says which it is."""
    footage = tmp_path / "f"
    write_video(footage / "clip.mp4", [Shot(100, 1)], rate="25", audio="silence")
    (footage / "clip.srt").write_text(srt(FR[:1]), encoding="utf-8")
    lib = tmp_path / "lib"
    cli_json(lib, "index", "--no-visual", footage)
    with Library.open(lib) as library:
        # "l'homme" is one word without a language's rules: only a misspelling of "homme"
        assert [h.extra["match"] for h in library.search(phrase="homme")] == ["fuzzy"]
    out = run_cli(lib, "transcript", "language", "clip.mp4", "fr").stdout
    assert "1 transcript(s) now in fr" in out
    with Library.open(lib) as library:
        (hit,) = library.search(phrase="homme")
        assert (hit.text, hit.extra["match"], hit.extra["language"]) == ("homme", "exact", "fr")
        (stream,) = library.stream_languages("clip.mp4")
        assert (stream["language"], stream["language_from"]) == ("fr", "set")
    bad = run_cli(lib, "transcript", "language", "clip.mp4", "klingon", check=False)
    assert bad.returncode != 0 and "unknown language 'klingon'" in bad.stderr


def test_forced_language_on_a_sidecar_without_one(tmp_path):
    footage = tmp_path / "f"
    write_video(footage / "clip.mp4", [Shot(100, 1)], rate="25", audio="silence")
    (footage / "clip.srt").write_text(srt(FR[:1]), encoding="utf-8")
    cli_json(tmp_path / "lib", "index", "--no-visual", "--language", "fr", footage)
    with Library.open(tmp_path / "lib") as library:
        assert [h.text for h in library.search(phrase="homme")] == ["homme"]
    bad = run_cli(tmp_path / "lib2", "index", "--no-visual", "--language", "xx", footage, check=False)
    assert bad.returncode != 0 and "unknown language 'xx'" in bad.stderr


def test_older_catalogs_are_migrated_and_their_elisions_stored_again(tmp_path):
    """A catalog from before the word rules: the migration marks French transcripts with elisions, the
    next index stores them again from their words (no re-transcription), and search finds "homme"."""
    from framesense.catalog import Catalog
    from framesense.catalog.migrations import BUILTIN
    from framesense.catalog.schema import migrate
    from framesense.transcript.model import Segment, Transcript, Word
    from framesense.transcript.store import store_transcripts

    lib = tmp_path / "lib"
    lib.mkdir()
    conn = sqlite3.connect(str(lib / "catalog.sqlite"), isolation_level=None)
    old = {name: scripts[:1] if name == "speech" else scripts for name, scripts in BUILTIN.items()}
    migrate(conn, only=old)
    conn.close()
    with Catalog.open(lib) as cat:      # brings speech to the current version
        with cat.transaction():
            ids = [cat.insert("media", {"path": f"/f/{n}.wav", "folder": "/f", "name": f"{n}.wav",
                                        "status": "indexed", "duration": 10.0, "has_video": 0}) for n in "ab"]
            words = [Word(t, i * 0.5, i * 0.5 + 0.4, 0.9) for i, t in enumerate("C'est l'homme".split())]
            # stored as an older FrameSense did: no language rules, so "l'homme" became one term
            store_transcripts(cat, ids[0], [Transcript([Segment(0, 1, "C'est l'homme", words)], None)])
            store_transcripts(cat, ids[1], [Transcript([Segment(0, 1, "It's the man", [
                Word(t, i * 0.5, i * 0.5 + 0.4, 0.9) for i, t in enumerate("It's the man".split())])], "en")])
            cat.execute("UPDATE transcripts SET language = 'fr', word_rules = 0 WHERE media_id = ?", (ids[0],))
            cat.execute("UPDATE transcripts SET word_rules = 0 WHERE media_id = ?", (ids[1],))
    # the migration's own marking, on a catalog whose speech tables are still version 1
    conn = sqlite3.connect(str(tmp_path / "m.sqlite"), isolation_level=None)
    migrate(conn, only=old)
    conn.execute("INSERT INTO media (path, folder, name, status) VALUES ('/x.wav', '/', 'x.wav', 'indexed')")
    for lang, text in (("fr", "C'est l'homme"), ("fr", "Bonjour"), ("en", "It's the man"), ("ENG", "Hi")):
        tid = conn.execute("INSERT INTO transcripts (media_id, stream, source, language) VALUES (1, ?, 'whisper', ?)",
                           (conn.execute("SELECT count(*) FROM transcripts").fetchone()[0], lang)).lastrowid
        conn.execute("INSERT INTO segments (media_id, transcript_id, idx, start, end, text, norm) "
                     "VALUES (1, ?, 0, 0, 1, ?, '')", (tid, text))
    migrate(conn, only={"speech": BUILTIN["speech"]})
    marks = conn.execute("SELECT language, word_rules, language_from FROM transcripts ORDER BY id").fetchall()
    conn.close()
    assert marks == [("fr", 0, "detected"), ("fr", 1, "detected"), ("en", 1, "detected"), ("en", 1, "detected")]

    with Library.open(lib) as library:
        assert [h.extra["match"] for h in library.search(phrase="homme")] == ["fuzzy"]
        assert any("run 'framesense index'" in w for w in library.search_warnings())
        (tmp_path / "empty").mkdir()
        report = library.index([tmp_path / "empty"], speech=False, visual=False)
        assert any("stored again" in n for n in report.notices), report.notices
        (hit,) = library.search(phrase="homme")
        assert (hit.text, hit.extra["match"]) == ("homme", "exact") and hit.start >= 0.5
        assert [h.text for h in library.search(phrase="c'est l'homme")] == ["C'est l'homme"]
        assert not any("run 'framesense index'" in w for w in library.search_warnings())
        assert [h.text for h in library.search(phrase="the man")] == ["the man"]


def test_the_library_panel_shows_the_language(world, qtbot):
    from framesense.app.library_panel import LibraryPanel
    panel = LibraryPanel()
    qtbot.addWidget(panel)
    panel.refresh(world["library"])
    column = LibraryPanel.COLUMNS.index("Language")
    shown = {name.split(".")[0]: item.text(column) for name, item in panel.media_items().items()}
    assert shown == {"fr_srt": "fr file", "fr_json": "fr file", "es_srt": "es file", "es_json": "es file",
                     "en_srt": "en file"}


def test_a_folders_language_is_kept_for_its_files(tmp_path):
    """A folder set to French: its files are transcribed (here: read) as French on every later index,
    those already catalogued are redone, files elsewhere are not touched."""
    footage = tmp_path / "f"
    for sub in ("fr", "other"):
        write_video(footage / sub / "clip.mp4", [Shot(100, 1)], rate="25", audio="silence")
        (footage / sub / "clip.srt").write_text(srt(FR[:1]), encoding="utf-8")
    lib = tmp_path / "lib"
    cli_json(lib, "index", "--no-visual", footage)
    out = run_cli(lib, "folder-language", footage / "fr", "fr").stdout
    assert "speech of 1 catalogued file(s) redone" in out
    assert run_cli(lib, "folder-language").stdout.split() == ["fr", str((footage / "fr").resolve())]
    report = cli_json(lib, "index", "--no-visual", footage)
    speech = {f["path"].rsplit("/", 2)[-2]: f["stages"]["speech"] for f in report["files"]}
    assert speech == {"fr": "done", "other": "cached"}, report
    with Library.open(lib) as library:
        assert [(h.media_path.rsplit("/", 2)[-2], h.extra["match"]) for h in library.search(phrase="homme")] \
            == [("fr", "exact")]
        (stream,) = library.stream_languages(str(footage / "fr" / "clip.mp4"))
        assert (stream["language"], stream["language_from"]) == ("fr", "set")
        (stream,) = library.stream_languages(str(footage / "other" / "clip.mp4"))
        assert (stream["language"], stream["language_from"]) == (None, None)
    bad = run_cli(lib, "folder-language", footage / "fr", "xx", check=False)
    assert bad.returncode != 0 and "unknown language 'xx'" in bad.stderr
    run_cli(lib, "folder-language", footage / "fr", "auto")
    assert run_cli(lib, "folder-language").stdout.strip() == ""


def test_a_sidecars_language_comes_from_its_name_only_when_it_is_one(tmp_path):
    from framesense.transcript.formats import read_transcript
    got = {}
    for name in ("clip.mov.srt", "clip.fr.srt", "clip.spa.srt", "clip.srt"):
        (tmp_path / name).write_text(srt(FR[:1]), encoding="utf-8")
        t = read_transcript(tmp_path / name)
        got[name] = (t.language, t.language_from)
    assert got == {"clip.mov.srt": (None, None), "clip.fr.srt": ("fr", "file"), "clip.spa.srt": ("es", "file"),
                   "clip.srt": (None, None)}
