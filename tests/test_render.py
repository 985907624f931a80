"""The preview render lands every cut on its in-point frame (pixels compared with the source)."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from framesense.errors import MediaError
from framesense.timeline.model import Clip, Sequence, SequenceOptions, SourceMedia, sequence_from_hits
from framesense.timeline.otio_io import save
from framesense.timeline.render import render
from tests.timeline_media import hit, open_footage


def decode_all(path) -> list[np.ndarray]:
    """Every frame in decode order, counted from the first: independent of the renderer's seeking."""
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24").astype(np.int16) for f in c.decode(video=0)]


def mad(a, b) -> float:
    return float(np.abs(a - b).mean())


@pytest.fixture(scope="module")
def footage(timeline_footage):
    tmp = timeline_footage
    catalog, rows = open_footage(tmp)
    yield tmp, catalog, rows
    catalog.close()


def test_cuts_land_on_in_points(footage, tmp_path):
    _, catalog, rows = footage
    # in-points 31 and 10 are not keyframes (gop 12); one clip is 23.976 and one 29.97 in a 25 fps sequence
    hits = [hit(rows["25"], 31 / 25, 40 / 25), hit(rows["24000/1001"], 0.3, 0.9),
            hit(rows["25"], 10 / 25, 18 / 25), hit(rows["30000/1001"], 0.5, 1.0)]
    seq = sequence_from_hits(catalog, hits, SequenceOptions(rate=25))
    assert [c.source_in for c in seq.clips] == [31, 7, 10, 14]
    done = []
    out = render(seq, tmp_path / "preview.mp4", progress=lambda d, t, n: done.append((d, t)))
    assert done[-1] == (seq.duration, seq.duration)
    frames = decode_all(out)
    assert len(frames) == seq.duration
    with av.open(str(out)) as c:
        assert Fraction(c.streams.video[0].average_rate) == 25
        assert c.streams.video[0].codec_context.name == "h264"
        assert c.streams.audio and c.streams.audio[0].codec_context.name == "aac"
    sources = {}
    for p in seq.placements():
        c = p.clip
        src = sources.setdefault(c.media.path, decode_all(c.media.path))
        got = frames[p.record_in]
        right = mad(got, src[c.source_in])
        wrong = min(mad(got, src[c.source_in - 1]), mad(got, src[c.source_in + 1]))
        assert right < 4.0, (c.media.path, right)
        assert wrong > 2 * right and wrong > 6.0, (c.media.path, right, wrong)
        # the last frame of each clip is its out-point minus one (same-rate clips)
        if c.media.rate == seq.rate:
            assert mad(frames[p.record_out - 1], src[c.source_out - 1]) < 4.0


def test_v2_overlay_covers_its_frames_and_the_cut_shows_around_it(footage, tmp_path):
    _, catalog, rows = footage
    from framesense.timeline.model import Overlay
    seq = sequence_from_hits(catalog, [hit(rows["25"], 0.4, 1.6)], SequenceOptions(rate=25))   # frames 10-40
    cut = seq.clips[0]
    pic = Clip(SourceMedia.from_row(rows["24000/1001"]), 20, 40)
    seq.clips[0] = cut.copy(overlay=Overlay(pic, at=18))                # record 8 on, 20 frames of 23.976 -> 21
    (op,) = seq.overlay_placements()
    assert (op.record_in, op.record_out) == (8, 29)
    frames = decode_all(render(seq, tmp_path / "two-tracks.mp4"))
    cut_src, pic_src = decode_all(cut.media.path), decode_all(pic.media.path)
    assert len(frames) == seq.duration == 30
    assert mad(frames[7], cut_src[17]) < 4.0 and mad(frames[29], cut_src[39]) < 4.0      # the cut around it
    assert mad(frames[8], pic_src[20]) < 4.0 and mad(frames[8], cut_src[18]) > 6.0       # the overlay over it
    assert mad(frames[28], pic_src[op.clip.source_in + int((28 - 8) * Fraction(24000, 1001) / 25)]) < 4.0


def test_burn_in_and_cli(footage, cli, tmp_path):
    _, catalog, rows = footage
    seq = sequence_from_hits(catalog, [hit(rows["25"], 0.4, 0.8, text="hello world")])
    saved = save(seq, tmp_path / "one.otio")
    plain = tmp_path / "plain.mp4"
    burned = tmp_path / "burned.mp4"
    cli("render", saved, "-o", plain)
    cli("render", saved, "-o", burned, "--burn-in", "--width", "320")
    a, b = decode_all(plain)[0], decode_all(burned)[0]
    assert b.shape == (192, 320, 3) and a.shape == (96, 160, 3)
    band = b[-30:]
    assert (band < 40).mean() > 0.5 and (band > 200).any()   # a dark band with white letters
    assert mad(b[:120], np.repeat(np.repeat(a, 2, 0), 2, 1)[:120]) < 12   # the picture above is untouched


def test_missing_media_is_a_clear_error(tmp_path):
    m = SourceMedia(path=str(tmp_path / "nowhere.mp4"), rate=Fraction(25), frames=10)
    with pytest.raises(MediaError, match="nowhere.mp4: media file is missing"):
        render(Sequence(rate=25, clips=[Clip(m, 0, 5)]), tmp_path / "x.mp4")
    assert not (tmp_path / "x.mp4").exists()
