"""Every search's options come from its SearchSpec (issue 28, item 1): a plugin that declares a typed
option gets a CLI flag, a ``Library.search`` keyword and an app search mode with no change to the core;
the three give the same hits for the same option, and refuse a bad value with the same message naming
the option and the search. The CLI runs in-process (Click's runner); the app's search bar headless."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT
from framesense.errors import QueryError
from front_ends import api_search as api, app_search as app, cli_help, cli_search as cli
from framesense.media.synth import Shot, write_video

LATER = '''
from framesense.plugins import SearchOption, SearchSpec, hookimpl
from framesense.plugins.helpers import shot_hit


def _later(catalog, query):
    return [shot_hit(catalog, m, s["idx"], 1 / (1 + s["idx"]), "later")
            for m in catalog.query("SELECT * FROM media ORDER BY id")
            for s in catalog.query("SELECT idx FROM shots WHERE media_id = ? AND idx >= ? ORDER BY idx",
                                   (m["id"], query.get("from_shot")))
            if not query.get("odd_only") or s["idx"] % 2]


@hookimpl
def framesense_searches():
    return [SearchSpec("later", lambda q: "from_shot" in q.options, _later, "shots from the Nth on",
                       options=(SearchOption("from_shot", int, "Shots from this index on.", mode="later shots",
                                             hint="a shot index"),
                                SearchOption("odd_only", bool, "Only odd shots.", refines="from_shot")))]
'''

CLASH = '''
from framesense.plugins import SearchOption, SearchSpec, hookimpl

@hookimpl
def framesense_searches():
    return [SearchSpec("crowd", lambda q: False, lambda c, q: [], options=(SearchOption("person"),))]
'''


@pytest.fixture(scope="module")
def footage(tmp_path_factory):
    """Two files of three and two shots, indexed for their shots only."""
    from framesense import IndexOptions, Library
    root = tmp_path_factory.mktemp("options")
    write_video(root / "f" / "a.mp4", [Shot(20, 1), Shot(20, 2), Shot(20, 3)], audio=None)
    write_video(root / "f" / "b.mp4", [Shot(25, 4), Shot(20, 5)], audio=None)
    with Library.open(root / "lib") as lib:
        report = lib.index([root / "f"], IndexOptions(speech=False, visual=False, disable={"faces", "fingerprint"}))
        assert not report.failed
    return root


def test_a_plugins_typed_option_is_a_flag_a_keyword_and_an_app_mode(footage, plugin_registry, tmp_path, qtbot):
    pytest.importorskip("PySide6")
    (tmp_path / "later.py").write_text(LATER)
    plugin_registry(tmp_path)
    lib = footage / "lib"
    text = cli_help("search")
    assert re.search(r"--from-shot INTEGER\s+Shots from this index on", text) and "--odd-only" in text
    assert "--from-shot" in cli_help("export")
    hits = cli(lib, "--from-shot", "1", "--media", "a.mp4")
    assert [(Path(h["media_path"]).name, h["shot"]) for h in hits] == [("a.mp4", 1), ("a.mp4", 2)]
    assert hits == api(lib, from_shot=1, media=["a.mp4"]) == cli(lib, "--where", "from_shot=1", "--media", "a.mp4")
    everything = cli(lib, "--from-shot", "1")
    assert everything == api(lib, from_shot=1) == app(qtbot, lib, "later shots: 1") == app(qtbot, lib, "from-shot: 1")
    assert sorted(Path(h["media_path"]).name for h in everything) == ["a.mp4", "a.mp4", "b.mp4"]
    odd = cli(lib, "--from-shot", "0", "--odd-only")
    assert odd == api(lib, from_shot=0, odd_only=True) == app(qtbot, lib, "where: from_shot=0, odd_only=yes")
    assert {h["shot"] for h in odd} == {1}
    with pytest.raises(QueryError, match="empty query: give --phrase.*--from-shot"):
        api(lib)


@pytest.mark.parametrize("args, keywords, typed, message", [
    (["--from-shot", "two"], {"from_shot": "two"}, "later shots: two",
     "search 'later': --from-shot: must be a whole number, got 'two'"),
    (["--where", "from_shoot=1"], {"from_shoot": 1}, "where: from_shoot=1",
     "unknown search option 'from_shoot' (did you mean 'from_shot'?)"),
    (["--where", "odd_only=yes"], {"odd_only": True}, "where: odd_only=yes",
     "search 'later': --odd-only refines --from-shot: give it with --from-shot"),
    (["--face", "still.png", "--face-index", "-1"], {"face": "still.png", "face_index": "-1"},
     "where: face=still.png, face_index=-1", "search 'faces': --face-index: must be 0 or more"),
    (["--like", "harbour.mov"], {"like": "harbour.mov"}, "where: like=harbour.mov",
     "search 'pictures': --like: expected MEDIA_PATH@SECONDS"),
])
def test_bad_values_are_refused_alike_naming_the_option_and_the_search(footage, plugin_registry, tmp_path, qtbot,
                                                                         args, keywords, typed, message):
    pytest.importorskip("PySide6")
    (tmp_path / "later.py").write_text(LATER)
    plugin_registry(tmp_path)
    lib = footage / "lib"
    said = []
    for ask in (lambda: cli(lib, *args), lambda: api(lib, **keywords), lambda: app(qtbot, lib, typed)):
        with pytest.raises(QueryError) as err:
            ask()
        said.append(str(err.value))
    assert said[0] == said[1] == said[2] and said[0].startswith(message), said


def test_the_query_is_stored_as_its_searches_read_it():
    """Values are converted by their declaration, defaults filled in for the search asked, and
    an option that only refines another is refused alone."""
    from framesense.api import SearchQuery, search_specs
    q = SearchQuery(text="harbour", options={"face": "still.png"})
    q.validate(search_specs())
    assert q.text == ["harbour"] and q.get("face_index") == 0 and q.options == {"face": "still.png", "face_index": 0}
    q = SearchQuery(phrase="boats", options={"face_index": "2"})
    with pytest.raises(QueryError, match="--face-index refines --face"):
        q.validate(search_specs())
    q = SearchQuery(phrase="boats", language="es", limit=0)
    with pytest.raises(QueryError, match="--limit must be a whole number"):
        q.validate(search_specs())


def test_a_plugin_option_another_search_declares_switches_that_plugin_off(footage, plugin_registry, tmp_path):
    (tmp_path / "crowd.py").write_text(CLASH)
    (tmp_path / "later.py").write_text(LATER)
    plugins = plugin_registry(tmp_path)
    assert [s.name for s in plugins.searches()] == ["phrase", "pictures", "same-footage", "faces", "later"]
    assert plugins.records["crowd"].status == "failed"
    assert "search 'crowd' declares option 'person', which search 'faces' declares" in plugins.records["crowd"].reason
    assert cli_help("search").count("--person") == 1


def test_the_example_plugins_bring_their_flags_and_modes_and_the_core_names_none(plugin_registry, tmp_path):
    """The OCR, palette and shot-scale plugins' options become flags and app modes; the files that
    build queries (the query, the CLI's search options, the app's search bar) name none of them."""
    pytest.importorskip("PySide6")
    for name in ("ocr", "palette", "shotscale"):
        (tmp_path / f"framesense_{name}").symlink_to(ROOT / "plugins" / f"framesense-{name}" / f"framesense_{name}")
    plugins = plugin_registry(tmp_path)
    assert {"ocr", "color", "scale"} <= {s.name for s in plugins.searches()}, plugins.warnings
    text = cli_help("search")
    assert "--ocr TEXT" in text and "--color COLOUR" in text and "--scale [close-up|medium|wide]" in text
    from framesense.app.search_bar import modes, parse_query_text
    found = modes()
    assert {"on-screen text", "colour", "shot scale"} <= set(found)
    assert parse_query_text("colour: orange") == ("colour", "orange")
    assert parse_query_text("ocr: harbour") == ("on-screen text", "harbour")
    for path in ("framesense/search/query.py", "framesense/commands/search.py", "framesense/app/search_bar.py"):
        source = (ROOT / path).read_text().lower()
        assert not re.search(r"\b(ocr|colou?r|scale|palette)\b", source), path


def test_plugins_reading_the_old_extra_dict_still_get_their_values():
    """A search written before typed options reads ``query.extra``: it sees the same values, with a warning."""
    from framesense.search.query import SearchQuery
    q = SearchQuery(options={"from_shot": 2})
    with pytest.warns(DeprecationWarning, match="options"):
        assert q.extra == {"from_shot": 2}
        q.extra["odd_only"] = True
    assert q.get("odd_only") is True
