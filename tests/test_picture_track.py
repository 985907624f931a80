"""Picture suggestions on V2: the overlay model (exact frames through trims, splits and rates), the
suggestions on real footage (a real face through dlib, a tiny real CLIP model), and the second
track read back from every export by independent readers (OTIO, its FCP7 and FCPXML adapters, pycmx)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from fractions import Fraction

import opentimelineio as otio
import pycmx
import pytest

from clip_fixture import make_tiny_clip
from conftest import run_cli
from framesense.timeline.edits import Split, Trim
from framesense.timeline.model import Clip, Overlay, Sequence, SourceMedia
from tests.timeline_media import export

NTSC30 = Fraction(30000, 1001)
TALK = SourceMedia("/footage/talk.mov", Fraction(25), 5000, start_frame=10 * 3600 * 25, audio_channels=2)
BROLL = SourceMedia("/footage/b roll 2997.mov", NTSC30, 5000, start_frame=0, audio_channels=2)
CUTAWAY = SourceMedia("/footage/cutaway.mov", Fraction(25), 5000, start_frame=90000, audio_channels=0)


def cut_sequence() -> Sequence:
    clips = [Clip(TALK, 100, 150, label="one"), Clip(TALK, 300, 380, label="two"), Clip(TALK, 500, 530, label="three")]
    clips[0].overlay = Overlay(Clip(BROLL, 1000, 1060), at=110, reason="pictures match the words")
    clips[1].overlay = Overlay(Clip(CUTAWAY, 200, 300), at=300, reason="the person speaking")
    return Sequence(name="two tracks", rate=25, clips=clips)


def v2(seq):
    return [(p.record_in, p.record_out, p.clip.media.path, p.clip.source_in, p.clip.source_out)
            for p in seq.overlay_placements()]


def test_overlay_lands_on_exact_frames_and_stays_inside_its_cut():
    seq = cut_sequence()
    # 10 frames into cut one; 60 frames at 29.97 is 2.002 s = 50 cut frames, clipped at the cut's end (40 left)
    # -> 40 record frames = 1.6 s = 47.95 -> 48 frames of the 29.97 file
    assert v2(seq) == [(10, 50, BROLL.path, 1000, 1048), (50, 130, CUTAWAY.path, 200, 280)]


def test_trims_and_splits_carry_the_overlay_so_what_shows_never_changes():
    seq = cut_sequence()
    before = {rec: (path, src) for a, b, path, s_in, _ in v2(seq) for rec, src in zip(range(a, b), range(s_in, 10**9))}
    Split(0, 130).do(seq)                    # cut one split at its media frame 130: the overlay continues over both
    assert [c.overlay is not None for c in seq.clips] == [True, True, True, False]
    after = {rec: (path, src) for a, b, path, s_in, _ in v2(seq) for rec, src in zip(range(a, b), range(s_in, 10**9))}
    assert {k: v for k, v in after.items() if v[0] == CUTAWAY.path} == \
           {k: v for k, v in before.items() if v[0] == CUTAWAY.path}
    assert sorted(k for k, v in after.items() if v[0] == BROLL.path) == list(range(10, 50))
    Trim(0, 115, 130).do(seq)                # trim cut one's head past the overlay's start: it starts later in its file
    (first, *_), rows = seq.overlay_placements(), v2(seq)
    assert (first.record_in, first.clip.source_in) == (0, 1000 + round(5 / 25 * NTSC30))
    assert rows[0][0] == 0 and rows[1][0] == 15      # the second half follows, gapless


def test_overlay_and_its_alternates_survive_an_otio_round_trip(tmp_path):
    from framesense.timeline.otio_io import load
    seq = cut_sequence()
    seq.clips[0].overlay.clip.alternates = [{"media_path": "/footage/x.mov", "start_frame": 5, "end_frame": 9,
                                             "rate": "25/1", "reasons": ["person"]}]
    [path] = export(seq, tmp_path / "s.otio", allow_missing=True)
    back = load(path)
    assert v2(back) == v2(seq)
    assert back.clips[0].overlay.reason == "pictures match the words"
    assert back.clips[0].overlay.clip.alternates[0]["reasons"] == ["person"]


def _tracks(path, **kw):
    tl = otio.adapters.read_from_file(str(path), **kw)
    tl = tl if isinstance(tl, otio.schema.Timeline) else tl[0]
    return [t for t in tl.tracks if t.kind == otio.schema.TrackKind.Video]


def _clips_in_seconds(track, offset=0.0):
    return [(round(c.range_in_parent().start_time.to_seconds() - offset, 3),
             round(c.range_in_parent().duration.to_seconds(), 3)) for c in track if isinstance(c, otio.schema.Clip)
            and not isinstance(c.media_reference, otio.schema.GeneratorReference)]


def expected_v2_seconds(seq):
    return [(round(a / 25, 3), round((b - a) / 25, 3)) for a, b, *_ in v2(seq)]


def test_every_export_writes_the_second_picture_track(tmp_path):
    seq = cut_sequence()
    want = expected_v2_seconds(seq)
    for suffix, kw in (("otio", {}), ("xml", {})):
        [path] = export(seq, tmp_path / f"s.{suffix}", allow_missing=True)
        v1, v2_ = _tracks(path, **kw)
        assert len(_clips_in_seconds(v1)) == 3 and _clips_in_seconds(v2_) == want, suffix
    # FCP7: V2 items are picture only (no links to sound), and each file is defined once, at its first use
    root = ET.parse(tmp_path / "s.xml").getroot()
    v2_items = root.findall("sequence/media/video/track")[1].findall("clipitem")
    assert [int(i.find("start").text) for i in v2_items] == [10, 50] and not v2_items[0].findall("link")
    assert [i.find("file").get("id") for i in v2_items] == ["file-2", "file-3"] and v2_items[0].find("file/pathurl") is not None


def test_fcpxml_connects_each_overlay_to_its_cut_in_lane_1(tmp_path):
    seq = cut_sequence()
    [path] = export(seq, tmp_path / "s.fcpxml", allow_missing=True)
    root = ET.parse(path).getroot()
    spine = root.find("library/event/project/sequence/spine")
    cuts = spine.findall("asset-clip")
    frac = lambda t: Fraction(t[:-1])   # noqa: E731
    for p, op in zip(seq.placements(), seq.overlay_placements()):
        (child,) = cuts[p.index].findall("asset-clip")
        assert child.get("lane") == "1" and child.get("srcEnable") == "video"
        # its offset is in the cut's own time: the cut's start plus the record distance
        assert frac(child.get("offset")) == frac(cuts[p.index].get("start")) + Fraction(op.record_in - p.record_in, 25)
        assert frac(child.get("duration")) == Fraction(op.record_duration, 25)
        assert frac(child.get("start")) == Fraction(op.clip.media.start_frame + op.clip.source_in) / op.clip.media.rate
    assert cuts[2].find("asset-clip") is None
    # the FCPXML adapter reads the connected clips as a second video track (same-rate clip exactly)
    v1, second = _tracks(path, adapter_name="fcpx_xml")
    assert (2.0, 3.2) in _clips_in_seconds(second, offset=3600)   # record 50-130 at 25 fps, after 01:00:00:00


def test_edl_is_one_file_per_track_and_both_readers_place_v2_events(tmp_path):
    seq = cut_sequence()
    files = export(seq, tmp_path / "cut.edl", allow_missing=True)
    assert [f.name for f in files] == ["cut.edl", "cut_V2.edl"]
    with open(files[1], encoding="utf-8") as f:
        events = list(pycmx.parse_cmx3600(f).events)
    real = [e.edits[0] for e in events if not e.edits[0].black]
    assert [(e.source_file, e.record_in, e.record_out) for e in real] == [
        (BROLL.path, "01:00:00:10", "01:00:02:00"), (CUTAWAY.path, "01:00:02:00", "01:00:05:05")]
    assert all(e.channels.video and not e.channels.get_audio_channel(1) for e in real)
    (track,) = _tracks(files[1], rate=25)
    assert _clips_in_seconds(track) == expected_v2_seconds(seq)      # black fills the gap before the first


# -- suggestions on real footage ------------------------------------------------------------------

skimage = pytest.importorskip("skimage")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """talk.mp4: a face shot (where the words are said) then a cup of coffee; broll.mp4: a cat, the same
    face mirrored and wider, a rocket. Faces by dlib, pictures by a tiny real CLIP model, words imported."""
    from PIL import Image, ImageOps
    from skimage import data as photos

    from framesense import Library
    from framesense.api import IndexOptions
    from framesense.media.synth import write_frames
    from tests.test_faces import N, face_shots, fit, no_face_shots

    root = tmp_path_factory.mktemp("suggest")
    face, other = face_shots(), no_face_shots()
    write_frames(root / "footage" / "talk.mp4", [(50, face[0]), (50, other[0])])
    write_frames(root / "footage" / "broll.mp4",
                 [(N, other[1]), (N, fit(ImageOps.mirror(Image.fromarray(photos.astronaut())))), (N, other[2])])
    lib = Library.open(root / "lib")
    lib.set_clip_model(str(make_tiny_clip(root / "tiny-clip")))
    report = lib.index([root / "footage"], IndexOptions(speech=False))
    assert not report.failed
    srt = root / "talk.srt"
    srt.write_text("1\n00:00:00,200 --> 00:00:01,600\nthe astronaut waved at the crowd\n")
    lib.import_transcript("talk.mp4", srt)
    yield lib, root
    lib.close()


def _broll_shot(lib, idx):
    row = lib.catalog.one("SELECT s.start_frame, s.end_frame FROM shots s JOIN media m ON m.id = s.media_id "
                          "WHERE m.path LIKE '%broll.mp4' AND s.idx = ?", (idx,))
    return row["start_frame"], row["end_frame"]


@pytest.mark.slow   # face and picture models (library fixture)
def test_the_person_speaking_goes_on_v2_never_the_cuts_own_shot(library):
    from framesense.models import faces as face_models
    if face_models.problem():
        pytest.skip(str(face_models.problem()))
    lib, _ = library
    seq, report = lib.assemble(["the astronaut waved at the crowd"])
    assert report[0].status == "placed"
    (found,) = lib.suggest_pictures(seq, sources=["person"])
    assert found.words == "the astronaut waved at the crowd"
    top = found.suggestions[0]
    assert top.reasons == ["person"] and top.hit.media_path.endswith("broll.mp4")
    assert all(not s.hit.media_path.endswith("talk.mp4") for s in found.suggestions)   # own shot excluded
    ov = seq.clips[0].overlay
    a, b = _broll_shot(lib, 1)
    assert ov.clip.media.path.endswith("broll.mp4") and a <= ov.clip.source_in < ov.clip.source_out <= b
    assert "person" in ov.reason
    # the shot (0.8 s) is shorter than the cut: centred over it, the speaker seen before and after
    (op,) = seq.overlay_placements()
    p = seq.placements()[0]
    assert p.record_in < op.record_in and op.record_out < p.record_out


@pytest.mark.slow   # face and picture models (library fixture)
def test_picture_search_suggests_other_shots_and_says_what_it_could_not_do(library):
    lib, _ = library
    seq, _ = lib.assemble(["the astronaut waved at the crowd"])
    (found,) = lib.suggest_pictures(seq, sources=["pictures", "text"], alternates=3)
    assert found.suggestions and all(s.reasons == ["pictures"] for s in found.suggestions)
    own = seq.clips[0]
    for s in found.suggestions:      # never the shot the words are said in
        assert not (s.hit.media_path == own.media.path and s.hit.start_frame < 50)
    assert len(seq.clips[0].overlay.clip.alternates) == len(found.suggestions) - 1 <= 3
    # the tests load no plugin they do not install (conftest), so on-screen text has no OCR to search with
    assert list(found.unavailable) == ["text"] and "ocr" in found.unavailable["text"].lower(), found.unavailable


@pytest.mark.slow   # face and picture models (library fixture)
def test_assemble_suggest_pictures_to_premiere_xml_from_the_cli(library, tmp_path):
    lib, root = library
    script = tmp_path / "paper.txt"
    script.write_text("the astronaut waved at the crowd\n")
    out = tmp_path / "paper.xml"
    proc = run_cli(lib.path, "assemble", script, "-o", out, "--suggest-pictures", "--picture-sources",
                   "person,pictures", "--json")
    data = json.loads(proc.stdout)
    assert data["pictures"][0]["suggestions"]
    v1, second = _tracks(out)
    assert len(list(v1.find_clips())) == 1 and len(list(second.find_clips())) == 1
    # the README's way: a saved .otio keeps V2 (and its alternates) through 'export --sequence'
    run_cli(lib.path, "assemble", script, "--suggest-pictures", "-o", tmp_path / "paper.otio")
    run_cli(lib.path, "export", "--sequence", tmp_path / "paper.otio", "-o", tmp_path / "again.xml")
    assert [len(list(t.find_clips())) for t in _tracks(tmp_path / "again.xml")] == [1, 1]
    bad = run_cli(lib.path, "assemble", script, "-o", out, "--suggest-pictures", "--picture-sources", "smell",
                  check=False)
    assert bad.returncode != 0 and "smell" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow   # face and picture models (library fixture)
def test_next_picture_cycles_through_the_alternates_and_back(library):
    lib, _ = library
    seq, _ = lib.assemble(["the astronaut waved at the crowd"])
    lib.suggest_pictures(seq, sources=["pictures"], alternates=2)
    first = seq.clips[0].overlay
    assert len(first.clip.alternates) == 2
    seen = [(first.clip.media.path, first.clip.source_in)]
    clip = seq.clips[0]
    for _ in range(3):
        clip = clip.copy(overlay=lib.next_picture(clip))
        seen.append((clip.overlay.clip.media.path, clip.overlay.clip.source_in))
    assert len(set(seen[:3])) == 3 and seen[3] == seen[0]         # three different shots, then the first again
    assert lib.next_picture(clip.copy(overlay=None)) is None


@pytest.mark.slow   # face and picture models (library fixture)
def test_app_suggests_pictures_on_v2_swaps_removes_and_undoes(qtbot, library, tmp_path):
    pytest.importorskip("PySide6")
    from PySide6.QtCore import QSettings

    from framesense.app.main_window import MainWindow
    lib, _ = library
    seq, _ = lib.assemble(["the astronaut waved at the crowd"])
    win = MainWindow(lib.path, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win, before_close_func=lambda w: w.session.mark_clean())   # no unsaved question
    win.show()
    win.session.set_sequence(seq)
    view = win.timeline.view
    assert not view._over
    win.pictures.suggest()
    qtbot.waitUntil(lambda: not win.pictures.running, timeout=60_000)
    laid = win.timeline.sequence.clips[0].overlay
    assert laid is not None and 0 in view._over and "V2" in win.statusBar().currentMessage()
    assert win.timeline.dirty
    win.timeline.picture_requested.emit(0, "next")                # the V2 context menu's "Next suggested picture"
    swapped = win.timeline.sequence.clips[0].overlay
    assert (swapped.clip.media.path, swapped.clip.source_in) != (laid.clip.media.path, laid.clip.source_in)
    win.timeline.picture_requested.emit(0, "remove")
    assert win.timeline.sequence.clips[0].overlay is None and not view._over
    win.session.undo()
    win.session.undo()
    assert win.timeline.sequence.clips[0].overlay is laid and 0 in view._over
    win.session.undo()
    assert win.timeline.sequence.clips[0].overlay is None
    win.session.mark_clean()
    win.close()


def test_another_tools_v2_track_is_read_back_as_pictures_over_the_cuts():
    """An OTIO written by another tool (no FrameSense metadata): V2 clips attach to the cuts they start over."""
    from framesense.timeline.otio_io import KEY, from_otio, to_otio
    seq = cut_sequence()
    tl = to_otio(seq)
    del tl.metadata[KEY]
    for clip in tl.find_clips():
        del clip.metadata[KEY]
    tl.global_start_time = otio.opentime.RationalTime(seq.start_frame, 25)
    back = from_otio(tl)
    assert [c.overlay is not None for c in back.clips] == [True, True, False]
    assert v2(back) == v2(seq)


@pytest.mark.slow   # face and picture models (library fixture)
def test_a_csv_script_can_ask_for_a_person_on_screen(library, tmp_path):
    from framesense.errors import QueryError
    from framesense.models import faces as face_models
    if face_models.problem():
        pytest.skip(str(face_models.problem()))
    lib, _ = library
    (person,) = [p for p in lib.people() if p["media"]]
    script = tmp_path / "paper.csv"
    script.write_text(f'line,person\n"the astronaut waved at the crowd",#{person["id"]}\n')
    seq, report = lib.assemble(script)
    assert report[0].status == "placed" and seq.clips[0].media.name == "talk.mp4"
    script.write_text('line,person\n"the astronaut waved at the crowd",Nobody Atall\n')
    with pytest.raises(QueryError, match="Nobody Atall"):
        lib.assemble(script)


def test_the_monitor_shows_the_v2_picture_over_its_frames_of_the_cut(tmp_path):
    """Sequence playback: the cut's frames (paced by its sound) carry the V2 file's images where it covers them,
    played forward or back (J)."""
    pytest.importorskip("PySide6")
    import numpy as np

    from framesense.app.decoder import END, DecodeJob, ReverseDecodeJob
    from framesense.app.playlist import play_item
    from framesense.media.synth import Shot, write_video
    cut_file = write_video(tmp_path / "cut.mp4", [Shot(40, 1)], rate=25, audio=None, width=160, height=90)
    pic_file = write_video(tmp_path / "pic.mp4", [Shot(60, 7)], rate="30000/1001", audio=None, width=160, height=90)
    cut = Clip(SourceMedia(str(cut_file.path), Fraction(25), 40), 5, 35)
    cut = cut.copy(overlay=Overlay(Clip(SourceMedia(str(pic_file.path), NTSC30, 60), 10, 22), at=12))
    item = play_item(cut, "")
    assert (item.cover.a, item.cover.b, item.cover.first) == (12, 23, 10)    # 12 frames at 29.97 = 10.01 cut frames

    def frames(path, rate, first, last, cover=None, job=None):
        job = job or DecodeJob(str(path), rate, first, last, (160, 90), cover=cover)
        job.start()
        out, order = {}, []
        while (got := job.frames.get(timeout=30)) is not END:
            img = got.image.convertToFormat(got.image.Format.Format_RGB888)
            out[got.index] = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())[:, :480].copy()
            order.append(got.index)
        frames.order = order
        return out

    shown = frames(cut_file.path, Fraction(25), 5, 35, item.cover)
    own = frames(cut_file.path, Fraction(25), 5, 35)
    pic = frames(pic_file.path, NTSC30, 10, 22)
    assert sorted(shown) == list(range(5, 35))           # every frame of the cut, in order: the sound's pacing holds
    diff = lambda a, b: float(np.abs(a.astype(int) - b.astype(int)).mean())   # noqa: E731
    for f in range(5, 35):
        if 12 <= f < 23:
            assert diff(shown[f], pic[item.cover.frame_at(f, Fraction(25))]) < 1.0, f
        else:
            assert diff(shown[f], own[f]) < 1.0, f
    # J (reverse) over the same cut: the same pictures, last frame first
    back = frames(None, None, None, None, job=ReverseDecodeJob(str(cut_file.path), Fraction(25), 34, 5, (160, 90),
                                                              cover=item.cover))
    assert frames.order == list(range(34, 4, -1))
    assert all(diff(back[f], shown[f]) < 1.0 for f in range(5, 35))
