"""Shot detection on generated media with known cut frames: exact cuts, fades near their middle."""

import pytest

from framesense.analysis.scan import scan_video
from framesense.analysis.shots import score_boundaries
from framesense.media.synth import Shot, write_video


def _program(seed: int, n: int = 8):
    # varied shot lengths, including a very short one and a fade pair
    lengths = [31, 48, 17, 60, 9, 40, 25, 52][:n]
    shots = [Shot(length, seed * 100 + k) for k, length in enumerate(lengths)]
    shots[3].fade_out = 10
    shots[4 if n > 4 else 3].fade_in = 0
    shots[5].fade_in = 8 if n > 5 else 0
    shots[1].flash_at = 20  # a flash inside a shot is not a cut
    shots[7].flash_at = 30
    return shots


@pytest.mark.parametrize("rate", ["24000/1001", "25", "30000/1001"])
def test_hard_cuts_are_frame_exact(tmp_path, rate):
    shots = [Shot(length, 7 + k) for k, length in enumerate([31, 48, 17, 60, 9, 40])]
    r = write_video(tmp_path / "cuts.mp4", shots, rate=rate, start_timecode="01:00:00:00", audio=None)
    result = scan_video(r.path, tmp_path / "lib", "k" * 32)
    assert result.frames == r.frames
    assert [s[0] for s in result.shots[1:]] == r.cuts
    assert [(s[0], s[1]) for s in result.shots] == r.shot_ranges
    # one thumbnail per shot, inside the shot, on disk
    assert sorted(result.thumbnails) == list(range(len(shots)))
    for k, (frame, rel, w, h) in result.thumbnails.items():
        start, end = r.shot_ranges[k]
        assert start <= frame < end
        assert (tmp_path / "lib" / rel).stat().st_size > 500
        assert w == 320


def test_fades_found_near_the_dark_middle(tmp_path):
    shots = [Shot(40, 1), Shot(50, 2, fade_out=12), Shot(45, 3, fade_in=10), Shot(30, 4)]
    r = write_video(tmp_path / "fades.mp4", shots, rate="25", audio=None)
    result = scan_video(r.path, tmp_path / "lib", "f" * 32)
    starts = [s[0] for s in result.shots[1:]]
    kinds = [s[2] for s in result.shots[1:]]
    assert starts[0] == 40 and kinds[0] == "cut"
    assert abs(starts[1] - 90) <= 3 and kinds[1] == "fade"
    assert starts[2] == 135 and kinds[2] == "cut"
    assert len(starts) == 3  # no false cuts inside the fades


def test_precision_recall_over_a_mixed_set(tmp_path):
    truth_total, det_total = [], []
    stats = {"tp": 0, "fp": 0, "fn": 0}
    for i, rate in enumerate(["24000/1001", "25", "30000/1001"]):
        r = write_video(tmp_path / f"m{i}.mp4", _program(i), rate=rate, audio=None)
        res = scan_video(r.path, tmp_path / "lib", f"{i}" * 32)
        s = score_boundaries([x[0] for x in res.shots[1:]], r.cuts, tolerance=3)
        for k in stats:
            stats[k] += s[k]
    precision = stats["tp"] / (stats["tp"] + stats["fp"])
    recall = stats["tp"] / (stats["tp"] + stats["fn"])
    assert precision >= 0.95 and recall >= 0.95, stats


def test_flash_is_not_a_cut(tmp_path):
    r = write_video(tmp_path / "flash.mp4", [Shot(40, 1, flash_at=15), Shot(40, 2, flash_at=25)], audio=None)
    result = scan_video(r.path, tmp_path / "lib", "x" * 32)
    assert [s[0] for s in result.shots] == [0, 40]


def test_score_boundaries():
    s = score_boundaries([10, 20, 33], [10, 21, 50], tolerance=1)
    assert (s["tp"], s["fp"], s["fn"]) == (2, 1, 1)
