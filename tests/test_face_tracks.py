"""Faces at archive speed and people kept apart: tracks embedded once, repeats skipped, small faces
found by the fine search, two faces on screen together never one person, and the user's edits
kept through re-indexing. Real photographs (scikit-image's astronaut, the committed Grace Hopper
crop) encoded into H.264 by PyAV; real dlib models."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

pytest.importorskip("skimage")
from skimage import data as photos  # noqa: E402

from framesense import Library  # noqa: E402
from framesense.api import IndexOptions  # noqa: E402
from framesense.errors import QueryError  # noqa: E402
from framesense.media.synth import write_frames  # noqa: E402
from framesense.models import faces as face_models  # noqa: E402

pytestmark = [pytest.mark.skipif(face_models.problem() is not None, reason=str(face_models.problem())),
              pytest.mark.slow]   # real face models on real photographs

HOPPER = Path(__file__).parent / "data" / "faces" / "grace_hopper_face.jpg"
W, H = 640, 360
ONLY_FACES = IndexOptions(speech=False, visual=False)


def astronaut_head() -> Image.Image:
    return Image.fromarray(photos.astronaut()).crop((150, 20, 330, 230))


def hopper_head() -> Image.Image:
    return Image.open(HOPPER).convert("RGB").crop((60, 40, 260, 280))


def backdrop(w=W, h=H, seed=0) -> Image.Image:
    return Image.fromarray(photos.coffee()).resize((w, h)) if seed == 0 else \
        Image.fromarray(photos.chelsea()).resize((w, h))


def scene(heads: list[tuple[Image.Image, int, int, int]], w=W, h=H, seed=0) -> Image.Image:
    """Heads pasted on a photograph: (head, height px, centre x, centre y)."""
    out = backdrop(w, h, seed)
    for head, px, cx, cy in heads:
        s = px / head.height
        hh = head.resize((max(1, int(head.width * s)), px), Image.LANCZOS)
        out.paste(hh, (cx - hh.width // 2, cy - hh.height // 2))
    return out


def faces_of(lib, path) -> list[dict]:
    return lib.catalog.query("SELECT f.* FROM faces f JOIN media m ON m.id = f.media_id WHERE m.path = ? "
                             "ORDER BY f.frame", (str(path),))


def faces_note(lib, path) -> str:
    return lib.catalog.one("SELECT r.detail FROM analysis_runs r JOIN media m ON m.id = r.media_id "
                           "WHERE m.path = ? AND r.analyzer = 'faces' ORDER BY r.id DESC LIMIT 1",
                           (str(path),))["detail"]


def test_a_held_or_moving_face_is_one_face_seen_once_per_repeat(tmp_path):
    """A 4-s still interview shot and a 3-s shot where the face drifts across: one face (track)
    each, the still one searched once (its repeats skipped), the moving one followed through its
    samples; the person counts 2 faces in 2 shots of 1 file, not one per sampled second."""
    head = astronaut_head()
    still = scene([(head, 160, 320, 180)])
    moving = [(1, scene([(ImageOps.mirror(head), 150, 200 + 2 * i, 180)], seed=1)) for i in range(75)]
    clip = write_frames(tmp_path / "f" / "talk.mp4", [(100, still), *moving])
    with Library.open(tmp_path / "lib") as lib:
        assert not lib.index([clip.path], ONLY_FACES).failed
        faces = faces_of(lib, clip.path)
        assert [f["shot_idx"] for f in faces] == [0, 1]
        held, moved = faces
        assert held["samples"] >= 4 and held["track_end"] - held["track_start"] >= 75
        assert moved["samples"] >= 3 and moved["track_start"] >= 100 and moved["track_end"] - moved["track_start"] >= 50
        assert moved["track_start"] <= moved["frame"] <= moved["track_end"]
        handed, searched = map(int, re.search(r"in (\d+) sampled frames \((\d+) searched", faces_note(lib, clip.path))
                               .groups())
        assert searched < handed                                   # the still shot's repeats were not searched
        (p,) = lib.people()
        assert (p["faces"], p["shots"], p["files"]) == (2, 2, 1)


def test_small_faces_in_a_letterboxed_group_shot_are_found_and_followed(tmp_path):
    """Three faces 30-50 px high (at 640 px) in a 2.39:1 letterbox, drifting: the shot's first
    sample is searched finely, and the later samples (searched coarsely, which misses faces this
    small) finely only around where each small face was, so each stays one track. A close-up
    with one big face is searched coarsely after its first sample, with no region search."""
    band = int(W / 2.39)

    def group(i):
        pic = Image.new("RGB", (W, H))
        pic.paste(scene([(astronaut_head(), 75, 140 + i, band // 2), (hopper_head(), 55, 330 + i, band // 2),
                         (ImageOps.mirror(astronaut_head()), 85, 520 - i, band // 2)], W, band), (0, (H - band) // 2))
        return pic
    close = [(1, scene([(hopper_head(), 200, 280 + i, 180)], seed=1)) for i in range(75)]   # a slow pan
    clip = write_frames(tmp_path / "f" / "group.mp4", [*[(1, group(i)) for i in range(75)], *close])
    with Library.open(tmp_path / "lib") as lib:
        lib.index([clip.path], ONLY_FACES)
        faces = faces_of(lib, clip.path)
        small = [f for f in faces if f["shot_idx"] == 0]
        assert len(small) == 3 and all(28 <= f["h"] * H <= 50 for f in small), [f["h"] * H for f in small]
        assert all((H - band) / 2 / H - 0.01 <= f["y"] for f in small)   # inside the picture, not the bars
        assert all(f["samples"] >= 3 for f in small)                    # followed through the shot's samples
        assert len([f for f in faces if f["shot_idx"] == 1]) == 1
        searched, fine, regions = map(int, re.search(r"\((\d+) searched, (\d+) finely, (\d+) small-face regions",
                                                     faces_note(lib, clip.path)).groups())
        assert fine == 2 < searched                                      # one fine whole-picture search a shot
        assert 3 <= regions <= 3 * (searched - 2)                        # only around the small faces
        # the same person twice in one frame is still two faces of two people
        assert len({f["person_id"] for f in small}) == 3


def test_two_faces_on_screen_together_are_never_one_person(tmp_path):
    """The same photograph twice side by side (as near as two faces can be): two people, and a
    merge of them is refused with the reason."""
    head = astronaut_head()
    twice = scene([(head, 150, 170, 180), (head, 150, 470, 180)])
    clip = write_frames(tmp_path / "f" / "twice.mp4", [(50, twice)])
    with Library.open(tmp_path / "lib") as lib:
        lib.index([clip.path], ONLY_FACES)
        faces = faces_of(lib, clip.path)
        assert len(faces) == 2 and faces[0]["person_id"] != faces[1]["person_id"]
        with pytest.raises(QueryError, match="on screen together"):
            lib.merge_people(f"#{faces[0]['person_id']}", f"#{faces[1]['person_id']}")
        with pytest.raises(QueryError, match="on screen together"):
            lib.split_person([faces[0]["id"], faces[1]["id"]], "one")


def test_merges_splits_and_removals_survive_reindexing(tmp_path):
    """Astronaut, Hopper, astronaut, Hopper: the user splits shot 2's face off, merges Hopper into
    that new person, and removes shot 3's face; the file changes on disk (re-encoded) and is
    indexed again: every edit holds."""
    a, h = scene([(astronaut_head(), 160, 320, 180)]), scene([(hopper_head(), 160, 320, 180)], seed=1)
    shots = [(40, a), (40, h), (40, ImageOps.mirror(a)), (40, ImageOps.mirror(h))]
    clip = write_frames(tmp_path / "f" / "edit.mp4", shots)
    with Library.open(tmp_path / "lib") as lib:
        lib.index([clip.path], ONLY_FACES)
        by_shot = {f["shot_idx"]: f for f in faces_of(lib, clip.path)}
        assert by_shot[0]["person_id"] == by_shot[2]["person_id"] != by_shot[1]["person_id"]
        split = lib.split_person([by_shot[2]["id"]], "Split")
        lib.merge_people("Split", f"#{by_shot[1]['person_id']}")
        lib.remove_face(by_shot[3]["id"])

        def state():
            f = {x["shot_idx"]: x for x in faces_of(lib, clip.path)}
            return f[0]["person_id"], f[1]["person_id"], f[2]["person_id"], f[3]["person_id"], f[3]["detached"]
        before = state()
        assert before == (by_shot[0]["person_id"], split["id"], split["id"], None, 1)

        found = "SELECT finished_at FROM analysis_runs WHERE analyzer = 'faces' AND status = 'done'"
        first = lib.catalog.one(found)["finished_at"]
        write_frames(clip.path, shots, crf=22)                     # new bytes, same pictures
        lib.index([clip.path], ONLY_FACES)
        assert lib.catalog.one(found)["finished_at"] != first      # the faces were found again
        assert state() == before
        names = {p["name"]: p for p in lib.people()}
        assert names["Split"]["faces"] == 2 and names["Split"]["shots"] == 2


def test_the_process_pool_finds_what_inline_work_finds(tmp_path):
    """The same frames through two worker processes and inline (as in a --jobs worker): the same tracks."""
    from fractions import Fraction

    from framesense.analysis.face_tracks import FaceTrackSession
    from framesense.media.sample import frames_at
    a, h = scene([(astronaut_head(), 160, 200, 180), (hopper_head(), 120, 470, 180)]), scene([], seed=1)
    clip = write_frames(tmp_path / "two.mp4", [*[(1, scene([(astronaut_head(), 150, 200 + 2 * i, 180)]))
                                                 for i in range(50)], (50, a), (25, h)])
    shot_of = {12: 0, 37: 0, 62: 1, 87: 1, 112: 2}
    got = []
    for workers in (2, 0):
        session = FaceTrackSession(workers=workers)
        for index, frame in frames_at(str(clip.path), sorted(shot_of), Fraction(25)):
            session.add(index, shot_of[index], frame)
        got.append([(t.shot_idx, t.start, t.end, t.samples, t.best[1].box, np.round(t.embedding, 4).tolist())
                    for t in session.tracks()])
    assert got[0] == got[1]
    assert [t[:4] for t in got[0]] == [(0, 12, 37, 2), (1, 62, 87, 2), (1, 62, 87, 2)]


def test_a_moving_face_is_searched_every_two_seconds_and_followed_as_one_track(tmp_path):
    """A face drifting across a 6-s shot (every sample differs): the first sample is searched finely,
    later ones coarsely at most every 2 s, the samples between counted as repeats; one track, embedded
    once, seen in all six samples; each step's CPU seconds are counted."""
    from fractions import Fraction

    from framesense.analysis.face_tracks import FaceTrackSession
    from framesense.media.sample import frames_at
    clip = write_frames(tmp_path / "drift.mp4", [(1, scene([(astronaut_head(), 150, 160 + 2 * i, 180)]))
                                                 for i in range(150)])
    wanted = list(range(12, 150, 25))                      # one a second, as the stage samples
    session = FaceTrackSession(workers=0, rate=25)
    for index, frame in frames_at(str(clip.path), wanted, Fraction(25)):
        session.add(index, 0, frame)
    (track,) = session.tracks()
    assert (session.handed, session.analysed, session.fine_searches) == (6, 3, 1)
    assert (track.start, track.end, track.samples) == (12, 137, 6)
    assert track.embedding.shape == (128,)
    assert {"convert", "fine", "coarse", "embed"} <= set(session.cpu) and all(v >= 0 for v in session.cpu.values())
