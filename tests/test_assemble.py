"""Paper edit to timeline: known transcripts (imported, so every machine hears the same words), a
script worded a little differently from what was said, and the sequence it becomes."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from framesense.media.synth import Shot, write_video
from framesense.transcript.cuts import LEAD_S
from framesense.transcript.model import Segment, Transcript, Word

SAID = {
    "harbour.mp4": [(1.0, "the fishing boats are coming home"), (5.0, "we sold twenty five crates of cod")],
    "office.mp4": [(0.5, "welcome to the harbour master's office"), (4.0, "the fishing boats are coming home")],
    "mill.mp4": [(1.0, "nobody knew why the mill kept the tickets"), (6.0, "nobody knew why the mill kept the codes"),
                 (11.0, "so we count to ninety nine lories near the office")],
}
ABUTTING = {"mill.mp4"}    # words that touch, off the frame grid (no pause between them to go by)


def assert_cut_around(clip, first, last, before=None, after=None, rate=25):
    """The take holds words first..last, cut in the pauses around them: nothing of the word before,
    nothing of the one after past the frame that ends the last, at most a lead of silence."""
    a, b, frame = clip.source_in / rate, clip.source_out / rate, 1 / rate
    assert first.start - LEAD_S - frame <= a, (a, first)
    # words that touch off the frame grid: the cut gives up less than a frame of the first word's
    # onset rather than open on the word before
    assert a <= first.start or (before is not None and before.end >= first.start and a - first.start < frame)
    assert last.end <= b <= last.end + LEAD_S + frame, (b, last)
    if before is not None:
        assert a >= before.end, (a, before)
    if after is not None:
        assert b <= max(after.start, last.end + frame), (b, after)


def seg(start, text, step=0.4, gap=0.05):
    words = [Word(t, round(start + i * step, 3), round(start + (i + 1) * step - gap, 3), 0.9)
             for i, t in enumerate(text.split())]
    return Segment(words[0].start, words[-1].end, text, words)


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    from framesense import Library
    from framesense.transcript.store import store_transcripts
    root = tmp_path_factory.mktemp("assemble")
    for name in SAID:
        write_video(root / "f" / name, [Shot(400, 1)], rate=25, audio=None, width=96, height=64)
    run_cli(root / "lib", "index", root / "f", "--no-speech", "--no-visual")
    library = Library.open(root / "lib")
    with library.catalog.transaction():
        for name, lines in SAID.items():
            mid = library.find_media(name)["id"]
            shape = {"step": 0.37, "gap": 0.0} if name in ABUTTING else {}
            store_transcripts(library.catalog, mid, [Transcript([seg(t, s, **shape) for t, s in lines], "en", "import",
                                                                f"{name}.srt", 0)])
    yield library
    library.close()


SCRIPT = [
    "Fishing boats are coming home.",           # a missing article
    "a line nobody ever said out loud",
    "We sold 25 crates of cod",                 # digits for spoken numbers
    "Welcome to the harbor master's office",    # American spelling
]


def test_script_becomes_takes_in_order_cut_to_their_words(lib):
    seq, report = lib.assemble(SCRIPT)
    assert [r.status for r in report] == ["placed", "missing", "placed", "placed"]
    assert [c.label for c in seq.clips] == [SCRIPT[0], SCRIPT[2], SCRIPT[3]]
    first = seq.clips[0]
    words = {w.text: w for s in [seg(1.0, SAID["harbour.mp4"][0][1])] for w in s.words}
    assert first.media.name == "harbour.mp4"        # equal takes: the first file by path
    assert_cut_around(first, words["fishing"], words["home"], before=words["the"])   # "fishing" to "home"
    assert len(first.alternates) == 1 and first.alternates[0]["media_path"] != first.media.path
    cod = seq.clips[1]
    assert cod.media.name == "harbour.mp4" and report[2].said.lower().startswith("we sold twenty five")
    assert seq.clips[2].media.name == "office.mp4"
    # the line never said: marked where it belongs (on the next take) and reported with no take
    assert any(m.name == f"MISSING: {SCRIPT[1]}" for m in seq.clips[1].markers)
    assert report[1].media_path is None


def test_assemble_cli_writes_otio_with_alternates_and_reports_json(lib, tmp_path):
    script = tmp_path / "paper.txt"
    script.write_text("# my paper edit\n" + "\n".join(SCRIPT) + "\n")
    out = tmp_path / "paper.otio"
    proc = run_cli(lib.path, "assemble", script, "-o", out, "--pad-after", "0.2", "--json", check=False)
    assert proc.returncode == 1            # a line is missing: the user should look at the report
    data = json.loads(proc.stdout)
    assert [line["status"] for line in data["lines"]] == ["placed", "missing", "placed", "placed"]
    back = lib.load_sequence(out)
    assert len(back.clips) == 3 and back.clips[0].alternates
    # and to Premiere: the same three takes, read back by an independent parser
    xml = tmp_path / "paper.xml"
    run_cli(lib.path, "export", "--sequence", out, "-o", xml)
    import opentimelineio as otio
    tl = otio.adapters.read_from_file(str(xml), adapter_name="fcp_xml")
    tl = tl if isinstance(tl, otio.schema.Timeline) else tl[0]
    assert len(list(tl.video_tracks()[0].find_clips())) == 3


def test_csv_script_with_a_media_column_and_per_media(lib, tmp_path):
    script = tmp_path / "paper.csv"
    script.write_text("line,media\nthe fishing boats are coming home,office\nthe fishing boats are coming home,\n")
    seq, report = lib.assemble(script, per_media=1)
    assert [c.media.name for c in seq.clips] == ["office.mp4", "harbour.mp4"]   # the second take is the other file


def test_a_script_with_nothing_said_is_refused(lib, tmp_path):
    from framesense.errors import QueryError
    with pytest.raises(QueryError, match="no line"):
        lib.assemble(["purple elephants dancing", "..."])


def test_a_line_with_one_word_heard_differently_is_placed_whole(lib):
    """What the speech model heard differs from the script in one word that looks alike (in the middle,
    or at an end): the take still covers the whole line, not just the longest run of matching words."""
    seq, report = lib.assemble(["The fishing boots are coming home", "fishing boats are coming homes",
                                "The fishing ships are coming home"])
    assert [r.status for r in report] == ["placed", "placed", "missing"]    # "ships" is another word, not a mishearing
    assert [r.match for r in report[:2]] == ["one word heard differently"] * 2
    first = seq.clips[0]
    start = next(t for t, text in SAID[first.media.name] if text == "the fishing boats are coming home")
    words = {w.text: w for w in seg(start, "the fishing boats are coming home").words}
    assert_cut_around(first, words["the"], words["home"])       # "the" to "home": whole
    assert report[0].said == "the fishing boats are coming home"
    assert report[1].said == "fishing boats are coming home"


def test_of_several_takes_the_one_whose_misheard_word_is_most_like_the_scripts_is_placed(lib):
    """"coats" was heard as "codes" in one take; another take says "tickets" (as alike by a loose
    measure): the line is the "codes" take, whole, though its words touch the next ones."""
    seq, report = lib.assemble(["Nobody knew why the mill kept the coats"])
    assert report[0].status == "placed" and report[0].match == "one word heard differently"
    assert report[0].said == "nobody knew why the mill kept the codes"
    clip = seq.clips[0]
    said = seg(6.0, "nobody knew why the mill kept the codes", step=0.37, gap=0.0).words
    assert clip.media.name == "mill.mp4"
    assert_cut_around(clip, said[0], said[-1], after=seg(11.0, "so", step=0.37, gap=0.0).words[0])


def test_a_line_with_several_words_heard_differently_is_aligned_to_its_take(lib):
    """Said "we counted ninety nine lorries", heard "we count to ninety nine lories": two words heard
    differently (one as two), digits in the script. The line is aligned word by word to the transcript
    around the takes of its runs; the take holds the line from "we" to "office", not "so" before it."""
    seq, report = lib.assemble(["We counted 99 lorries near the office", "We counted 99 lorries near the harbour"])
    assert report[0].status == "placed" and report[0].match == "heard differently"
    assert report[0].said == "we count to ninety nine lories near the office"
    words = {w.text: w for w in seg(11.0, "so we count to ninety nine lories near the office", step=0.37, gap=0.0).words}
    clip = seq.clips[0]
    assert_cut_around(clip, words["we"], words["office"], before=words["so"])   # abutting: "so" stays out
    assert report[1].status != "placed"      # a different place is a different line, however alike the rest


# -- long lines: split at sentence ends, each part placed, searches bounded by the line's length ------

TALK = ["the keeper rowed out before dawn to mend the nets",
        "his daughter counted herring in the cold shed",
        "a steamer from Leith brought salt and barrels",
        "by noon the quay smelled of tar and smoke",
        "the harbour master argued with the skipper about berths",
        "children watched gulls fight over scraps near the slipway",
        "in winter the boats stayed moored behind the breakwater",
        "the lifeboat crew trained every Thursday evening without fail",
        "old Angus carved model schooners from driftwood",
        "the chapel bell rang whenever a boat was overdue",
        "curing sheds closed when the shoals moved north",
        "nobody expected the railway to reach the village"]


@pytest.fixture(scope="module")
def talk(tmp_path_factory):
    from framesense import Library
    from framesense.transcript.store import store_transcripts
    root = tmp_path_factory.mktemp("talk")
    write_video(root / "f" / "talk.mp4", [Shot(25 * 70, 3)], rate=25, audio=None, width=96, height=64)
    run_cli(root / "lib", "index", root / "f", "--no-speech", "--no-visual")
    library = Library.open(root / "lib")
    starts, t = [], 0.5
    for s in TALK:
        starts.append(t)
        t += 0.4 * len(s.split()) + 1.0
    with library.catalog.transaction():
        store_transcripts(library.catalog, library.find_media("talk.mp4")["id"],
                          [Transcript([seg(a, s) for a, s in zip(starts, TALK)], "en", "import", "talk.srt", 0)])
    yield library, starts
    library.close()


def test_a_long_line_is_split_at_sentence_ends_and_each_part_placed_in_order(talk):
    from framesense.timeline.assemble import MAX_LINE_WORDS, split_line
    lib, starts = talk
    line = ". ".join(s.capitalize() for s in TALK) + "."          # 104 words, one script line
    parts = split_line(line)
    assert len(parts) == 3 and all(len(p.split()) <= MAX_LINE_WORDS for p in parts)
    assert " ".join(parts).split() == line.split()                 # nothing lost, nothing repeated
    assert all(p.endswith(".") for p in parts)                    # cut where sentences end
    seq, report = lib.assemble([line, "nobody expected the railway"])
    assert [r.line for r in report] == [1, 1, 1, 2] and all(r.status == "placed" for r in report)
    assert all("part" in r.note and "split at sentence boundaries" in r.note for r in report[:3])
    assert report[3].note is None
    assert [c.label for c in seq.clips[:3]] == parts
    lower = [t.lower() for t in TALK]
    firsts = [starts[lower.index(p.split(". ")[0].rstrip(".").lower())] for p in parts]
    # where each was said: cut in the pause before its first word (at most LEAD_S early), within a frame
    assert all(-0.04 <= a - r.start <= LEAD_S + 0.04 for r, a in zip(report[:3], firsts)), report


def test_a_long_line_heard_differently_is_aligned_with_searches_linear_in_its_length(talk):
    """Several words heard otherwise: no part is found whole. The old run-by-run anchors searched every
    run of the line (hundreds of searches for 40 words); now each part costs a bounded number."""
    from framesense.timeline.assemble import LONG_LINE_SEARCHES, VOTE_WORDS, assemble, ScriptLine
    lib, starts = talk
    said = " ".join(TALK[4:8])                                     # 36 words: one part, a long line
    written = said.replace("argued", "argue").replace("trained", "train").replace("moored", "mooring")
    calls = []

    def search(q):
        calls.append(q.phrase)
        return lib.search(q)
    from framesense.catalog.reads import CatalogReads
    seq, report = assemble([ScriptLine(written)], search, CatalogReads(lib.catalog))
    assert report[0].status == "placed" and report[0].match in ("heard differently", "one word heard differently")
    assert -0.04 <= starts[4] - report[0].start <= LEAD_S + 0.04, report           # in the pause before it
    assert len(calls) <= 1 + 3 * VOTE_WORDS + 2 * LONG_LINE_SEARCHES, calls
