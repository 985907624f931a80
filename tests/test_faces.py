"""Faces and people on real photographs, through real video and dlib's real trained models.

The face: scikit-image's ``astronaut`` (Eileen Collins, NASA, public domain). Pictures with no
face: scikit-image's ``coffee``, ``chelsea`` (a cat) and ``rocket`` (NASA, public domain; the
others CC0). Each clip is PyAV-written from them with the changes archives make: scale, crop,
mirror, colour grade, letterbox/pillarbox.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageOps

pytest.importorskip("skimage")   # the dev extra installs it; the photos come from its data folder
from skimage import data as photos  # noqa: E402

from framesense import Library  # noqa: E402
from framesense.analysis.people import SAME_PERSON, assign_faces, list_people  # noqa: E402
from framesense.api import IndexOptions  # noqa: E402
from framesense.catalog import Catalog  # noqa: E402
from framesense.errors import QueryError  # noqa: E402
from framesense.search.face_index import FaceIndex  # noqa: E402
from framesense.media.synth import write_frames  # noqa: E402
from framesense.models import faces as face_models  # noqa: E402

W, H = 320, 240
N = 20          # frames per shot (0.8 s at 25 fps): the faces stage samples each shot's middle

needs_models = pytest.mark.skipif(face_models.problem() is not None, reason=str(face_models.problem()))


def astronaut() -> Image.Image:
    return Image.fromarray(photos.astronaut())


def fit(img: Image.Image, w=W, h=H) -> Image.Image:
    """Scaled to fit inside w x h on black (letterbox or pillarbox)."""
    img = img.copy()
    img.thumbnail((w, h), Image.LANCZOS)
    out = Image.new("RGB", (w, h))
    out.paste(img, ((w - img.width) // 2, (h - img.height) // 2))
    return out


def face_shots() -> list[Image.Image]:
    """The same face five ways (the face is 91 px in the 512 px photograph)."""
    a = astronaut()
    close = a.crop((90, 0, 370, 280))                                    # a crop around the face
    wide = a.crop((0, 0, 512, 384))                                      # wider, 4:3
    graded = ImageEnhance.Color(ImageEnhance.Contrast(close).enhance(1.4)).enhance(0.4)
    graded = Image.merge("RGB", [c.point(lambda v, k=k: min(255, int(v * k))) for c, k in
                                 zip(graded.split(), (1.15, 1.0, 0.8))])  # warm, desaturated, contrasty
    return [fit(close),                                                  # pillarboxed
            fit(ImageOps.mirror(wide)),                                  # mirrored, smaller
            fit(graded.crop((0, 40, 280, 197)))]                         # graded, 16:9, letterboxed


def no_face_shots() -> list[Image.Image]:
    return [fit(Image.fromarray(photos.coffee())), fit(Image.fromarray(photos.chelsea())),
            fit(Image.fromarray(photos.rocket()))]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """A clip alternating face / no-face shots, and a clip with no face at all, indexed."""
    root = tmp_path_factory.mktemp("faces")
    f, nf = face_shots(), no_face_shots()
    mixed = write_frames(root / "footage" / "mixed.mp4", [(N, f[0]), (N, nf[0]), (N, f[1]), (N, nf[1]), (N, f[2])])
    empty = write_frames(root / "footage" / "noface.mp4", [(N, p) for p in nf])
    lib = Library.open(root / "library")
    report = lib.index([root / "footage"], IndexOptions(speech=False, visual=False))
    assert not report.failed
    yield lib, mixed, empty, root
    lib.close()


def _faces(lib, path):
    return lib.catalog.query("SELECT f.* FROM faces f JOIN media m ON m.id = f.media_id WHERE m.path = ? "
                             "ORDER BY frame", (str(path),))


@needs_models
def test_same_face_found_in_every_changed_shot_and_nowhere_else(indexed):
    lib, mixed, empty, _ = indexed
    faces = _faces(lib, mixed.path)
    assert sorted({f["shot_idx"] for f in faces}) == [0, 2, 4]      # the no-face shots have none
    assert _faces(lib, empty.path) == []                             # a no-face clip yields no faces
    for f in faces:
        assert 0 <= f["x"] < f["x"] + f["w"] <= 1 and 0 <= f["y"] < f["y"] + f["h"] <= 1
        assert len(f["embedding"]) == 128 * 2 and f["thumb"][:2] == b"\xff\xd8"   # float16, JPEG crop
    people = lib.people()
    assert len(people) == 1 and (people[0]["faces"], people[0]["shots"]) == (3, 3)   # one person, one face a shot
    state = FaceIndex(lib.catalog)._read_state()                   # the index left the search cache in step
    assert state is not None and state.count == lib.catalog.one("SELECT COUNT(*) AS n FROM faces")["n"]


@needs_models
def test_face_search_by_image_and_by_frame_returns_exactly_the_face_shots(indexed, tmp_path):
    lib, mixed, _, _ = indexed
    still = tmp_path / "still.png"
    astronaut().save(still)
    for ref in (str(still), f"{mixed.path}@0.4"):
        hits = lib.search(face=ref)
        assert sorted(h.shot for h in hits) == [0, 2, 4], ref
        assert all(h.media_path == str(mixed.path) and h.kind == "face" for h in hits)
        for h in hits:   # hits are the shot's exact frames
            assert (h.start_frame, h.end_frame) == mixed.shot_ranges[h.shot]
            assert 0 < h.score <= 1 and len(h.extra["face_box"]) == 4
    with pytest.raises(QueryError, match="no face"):
        lib.search(face=f"{mixed.path}@1.2")                         # the coffee shot
    with pytest.raises(QueryError, match="face-index"):
        lib.search(face=str(still), face_index=5)


@needs_models
def test_people_named_merged_split_and_names_survive_reindexing(indexed):
    lib, mixed, _, root = indexed
    (p,) = lib.people()
    lib.name_person(f"#{p['id']}", "Eileen Collins")
    hits = lib.search(person="eileen collins")
    assert sorted(h.shot for h in hits) == [0, 2, 4]
    assert all(h.extra["person"] == "Eileen Collins" for h in hits)

    # Split one shot's faces off, then merge back: the name stays with the first person.
    shot2 = [f["id"] for f in _faces(lib, mixed.path) if f["shot_idx"] == 2]
    new = lib.split_person(shot2, "someone")
    assert sorted(h.shot for h in lib.search(person="Eileen Collins")) == [0, 4]
    assert sorted(h.shot for h in lib.search(person="someone")) == [2]
    merged = lib.merge_people("Eileen Collins", f"#{new['id']}")
    assert merged["name"] == "Eileen Collins"
    assert [p["name"] for p in lib.people()] == ["Eileen Collins"]

    # Re-index a changed file: its faces are found again and rejoin the named person.
    f, nf = face_shots(), no_face_shots()
    write_frames(mixed.path, [(N, nf[2]), (N, f[1]), (N, f[0])])
    lib.index([root / "footage"], IndexOptions(speech=False, visual=False))
    assert sorted(h.shot for h in lib.search(person="Eileen Collins")) == [1, 2]

    # A face removed from the person stays out, even though it matches.
    one = _faces(lib, mixed.path)[0]["id"]
    lib.remove_face(one)
    assert one not in [x["id"] for x in lib.person_faces("Eileen Collins")]
    with pytest.raises(QueryError, match="no person"):
        lib.search(person="nobody")


@needs_models
def test_phrase_with_person_keeps_only_words_said_on_screen(indexed, tmp_path):
    lib, _, _, root = indexed
    clip = write_frames(root / "talk" / "talk.mp4", [(50, face_shots()[0]), (50, no_face_shots()[0])])
    lib.index([clip.path], IndexOptions(speech=False, visual=False))
    srt = tmp_path / "talk.srt"
    srt.write_text("1\n00:00:00,200 --> 00:00:01,500\nwe choose to go\n\n"
                   "2\n00:00:02,200 --> 00:00:03,500\nwe choose to go\n")
    lib.import_transcript(clip.path, srt)
    (person,) = [p for p in lib.people() if p["media"]]
    assert len(lib.search(phrase="we choose to go", media=["talk"])) == 2
    hits = lib.search(phrase="we choose to go", person=f"#{person['id']}", media=["talk"])
    assert len(hits) == 1 and hits[0].kind == "phrase" and hits[0].start < 2.0
    assert hits[0].extra["face_box"]
    seq = lib.sequence_from_hits(hits)
    out = lib.export(seq, tmp_path / "cut.otio")
    import opentimelineio as otio
    assert len(list(otio.adapters.read_from_file(str(out[0])).find_clips())) == 1


def test_clustering_joins_near_faces_and_splits_far_ones(tmp_path):
    """The clustering logic on known vectors: two tight groups 1.0 apart become two people."""
    rng = np.random.default_rng(0)
    cat = Catalog.open(tmp_path / "lib")
    media = cat.insert("media", {"path": "/x.mov", "folder": "/", "name": "x.mov", "status": "indexed"})
    base = rng.normal(size=(2, 128)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    ids = []
    with cat.transaction():
        for k in range(10):
            v = base[k % 2] + rng.normal(scale=0.01, size=128).astype(np.float32)
            ids.append(cat.insert("faces", {"media_id": media, "shot_idx": k, "frame": k, "x": 0, "y": 0, "w": .1,
                                            "h": .1, "score": 1, "embedding": v.astype("<f2").tobytes(),
                                            "model": "t"}))
        assert assign_faces(cat, ids) == 2
    people = list_people(cat)
    assert sorted(p["faces"] for p in people) == [5, 5]
    groups = {tuple(sorted(r["id"] for r in cat.query("SELECT id FROM faces WHERE person_id = ?", (p["id"],))))
              for p in people}
    assert groups == {tuple(ids[0::2]), tuple(ids[1::2])}
    assert 0.4 <= SAME_PERSON <= 0.6          # dlib's descriptors: same person under 0.6
    cat.close()


def test_without_models_the_stage_is_skipped_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setenv("FRAMESENSE_FACE_MODELS", str(tmp_path / "nowhere"))
    clip = write_frames(tmp_path / "f" / "a.mp4", [(10, face_shots()[0])])
    with Library.open(tmp_path / "lib") as lib:
        report = lib.index([clip.path], IndexOptions(speech=False, visual=False))
        assert not report.failed
        assert any("face search is off" in n for n in report.notices)
        assert lib.catalog.query("SELECT * FROM faces") == []
        with pytest.raises(QueryError, match="face search is off"):
            lib.search(face=f"{clip.path}@0.1")


@pytest.mark.slow   # real face models on several clips
@needs_models
def test_cli_people_and_face_search(tmp_path, cli):
    f, nf = face_shots(), no_face_shots()
    clip = write_frames(tmp_path / "f" / "a.mp4", [(N, f[0]), (N, nf[0]), (N, f[1])])
    cli("index", clip.path.parent, "--no-speech", "--no-visual")
    (p,) = cli.json("people", "list")
    assert (p["faces"], p["shots"], p["files"]) == (2, 2, 1) and p["name"] is None   # one held face a shot
    cli("people", "name", f"#{p['id']}", "Eileen Collins")
    hits = cli.json("search", "--person", "Eileen Collins")
    assert [h["shot"] for h in hits] == [0, 2] and hits[0]["extra"]["person"] == "Eileen Collins"
    assert "[Eileen Collins]" in cli("search", "--person", "Eileen Collins").stdout
    assert [h["shot"] for h in cli.json("search", "--face", f"{clip.path}@0.4")] == [0, 2]
    bad = cli("search", "--face", f"{clip.path}@1.0", check=False)
    assert bad.returncode != 0 and "no face found" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    faces = cli.json("people", "faces", "Eileen Collins")
    first_shot = min(f["shot_idx"] for f in faces)
    for face in faces:
        if face["shot_idx"] == first_shot:            # every sample of the first face shot
            cli("people", "remove-face", face["id"])
    assert [h["shot"] for h in cli.json("search", "--person", "Eileen Collins")] == [2]
    doctor = cli.json("doctor")
    assert doctor["face search"]["ok"] and "shape_predictor_68" not in doctor["face search"]["detail"]


@needs_models
def test_app_people_panel_rename_and_find_this_person(qtbot, tmp_path):
    pytest.importorskip("PySide6")
    from PySide6.QtCore import QSettings

    from framesense.app.main_window import MainWindow
    f, nf = face_shots(), no_face_shots()
    folder = tmp_path / "f"
    clip = write_frames(folder / "a.mp4", [(N, f[0]), (N, nf[0]), (N, f[2])])
    win = MainWindow(tmp_path / "lib", settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    assert win.add_folder(folder, speech=False, visual=False) is not None
    qtbot.waitUntil(lambda: not win.indexing, timeout=60_000)
    win.refresh_library()
    panel = win.people
    n = win.session.library.catalog.one("SELECT count(*) AS n FROM faces")["n"]              # one or more samples per face shot
    assert panel.cards.count() == 1 and f"{n} faces · 2 shots" in panel.cards.item(0).text()
    assert not panel.cards.item(0).icon().isNull() and panel.faces.count() == n
    panel.cards.setCurrentRow(0)
    assert panel.rename("Eileen Collins") and panel.cards.item(0).text().startswith("Eileen Collins")
    panel.show_shots()                                   # the card's shots as search results
    qtbot.waitUntil(lambda: not win.searching and len(win.results.hits) == 2, timeout=30_000)
    assert sorted(h.shot for h in win.results.hits) == [0, 2]
    assert all(h.extra["person"] == "Eileen Collins" for h in win.results.hits)
    # Find this person from a picture, in the window's search worker.
    picture = tmp_path / "face.png"
    f[0].save(picture)
    win.search.set_query("face", str(picture))
    win.search.submit()
    qtbot.waitUntil(lambda: not win.searching, timeout=60_000)
    assert sorted(h.shot for h in win.results.hits) == [0, 2], win.results.summary.text()
    win.close()


HOPPER = Path(__file__).parent / "data" / "faces" / "grace_hopper_face.jpg"   # public domain, see LICENSE.md


def hopper_shots() -> list[Image.Image]:
    """A second real person (Grace Hopper, US Navy photograph) three ways."""
    h = Image.open(HOPPER).convert("RGB")
    graded = Image.merge("RGB", [c.point(lambda v, k=k: min(255, int(v * k))) for c, k in
                                 zip(ImageEnhance.Color(h).enhance(0.3).split(), (0.85, 1.0, 1.2))])   # cool, faded
    return [fit(h), fit(ImageOps.mirror(h).crop((20, 20, 300, 300)), W, H),
            fit(graded.resize((200, 200), Image.LANCZOS))]


@pytest.mark.slow   # real face models on real photographs
@needs_models
def test_two_real_people_become_two_people_each_across_changes(tmp_path):
    """Eileen Collins and Grace Hopper, each through mirror/crop/grade/scale/letterbox in encoded video:
    two people, each with exactly their own shots, and a face search for one finds none of the other."""
    f, hp = face_shots(), hopper_shots()
    clip = write_frames(tmp_path / "f" / "two.mp4", [(N, f[0]), (N, hp[0]), (N, f[1]), (N, hp[1]), (N, hp[2]),
                                                     (N, f[2])])
    with Library.open(tmp_path / "lib") as lib:
        lib.index([clip.path], IndexOptions(speech=False, visual=False))
        shots_of = {p["id"]: sorted({r["shot_idx"] for r in lib.person_faces(f"#{p['id']}")}) for p in lib.people()}
        assert sorted(shots_of.values()) == [[0, 2, 5], [1, 3, 4]]
        still = tmp_path / "hopper.png"
        Image.open(HOPPER).save(still)
        assert sorted(h.shot for h in lib.search(face=str(still))) == [1, 3, 4]
        assert sorted(h.shot for h in lib.search(face=f"{clip.path}@0.4")) == [0, 2, 5]


@pytest.mark.slow   # the CNN face detector
@needs_models
@pytest.mark.skipif(face_models.problem(True) is not None, reason=str(face_models.problem(True)))
def test_cnn_detector_with_faces_accurate(tmp_path):
    """``--faces-accurate``: dlib's CNN (MMOD) detector finds the face (slow on a CPU: a small clip)."""
    f, nf = face_shots(), no_face_shots()
    clip = write_frames(tmp_path / "f" / "cnn.mp4", [(10, fit(f[0], 240, 180)), (10, fit(nf[0], 240, 180))])
    with Library.open(tmp_path / "lib") as lib:
        report = lib.index([clip.path], IndexOptions(speech=False, visual=False, extra={"faces_accurate": True}))
        assert not report.failed
        faces = _faces(lib, clip.path)
        assert faces and {r["shot_idx"] for r in faces} == {0} and all("cnn" in r["model"] for r in faces)
        from framesense.analysis.faces import image_faces
        ref = image_faces(astronaut())[0].embedding
        cnn = np.frombuffer(faces[0]["embedding"], "<f2").astype(np.float32)
        assert np.linalg.norm(cnn - ref) < SAME_PERSON                        # the same person as HOG finds
        assert sorted(h.shot for h in lib.search(face=f"{clip.path}@0.1")) == [0]


@needs_models
def test_face_and_person_are_one_option_from_the_cli_the_api_and_the_app(indexed, tmp_path, qtbot):
    """The faces search's typed options (declared like a plugin's): the in-process CLI's flags, the
    API's keywords and the app's modes give the same hits."""
    pytest.importorskip("PySide6")
    from front_ends import api_search, app_search, cli_search
    lib, mixed, _, root = indexed
    library = root / "library"
    still = tmp_path / "still.png"
    astronaut().save(still)
    person = f"#{lib.people()[0]['id']}"
    frame = f"{mixed.path}@{(_faces(lib, mixed.path)[0]['frame'] + 0.5) / 25}"   # a frame with the face (other tests re-cut the file)
    for args, keywords, typed in [
        (["--face", still], {"face": str(still)}, f"face: {still}"),
        (["--face", frame], {"face": frame}, f"face: {frame}"),
        (["--face", still, "--face-index", "0"], {"face": str(still), "face_index": 0},
         f"where: face={still}, face_index=0"),
        (["--person", person], {"person": person}, f"person: {person}"),
    ]:
        hits = cli_search(library, *args)
        assert hits and all(h["kind"] == "face" for h in hits), args
        assert hits == api_search(library, **keywords) == app_search(qtbot, library, typed), args
