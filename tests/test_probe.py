from fractions import Fraction

import pytest

from framesense.errors import MediaError
from framesense.media import probe
from framesense.media.synth import Shot, write_broken_files, write_video


@pytest.mark.parametrize("rate,tc,drop", [("24000/1001", "01:00:00:00", False), ("25", "10:00:00:12", False),
                                          ("30000/1001", "00:59:50;00", True)])
def test_probe_rate_timecode_duration(tmp_path, rate, tc, drop):
    r = write_video(tmp_path / "clip.mov", [Shot(36, 1), Shot(24, 2)], rate=rate, start_timecode=tc)
    info = probe(r.path)
    assert info.rate == Fraction(rate)
    assert not info.vfr
    assert info.frames == 60
    assert info.duration == pytest.approx(float(60 / Fraction(rate)), abs=1e-3)
    assert info.start_timecode == tc
    assert info.drop_frame is drop
    assert (info.width, info.height) == (320, 180)
    assert info.video_codec == "h264"
    assert [a.channels for a in info.audio] == [1]


def test_probe_without_audio_and_reels(tmp_path):
    r = write_video(tmp_path / "A001 take-3.mp4", [Shot(10, 1)], audio=None)
    info = probe(r.path)
    assert info.audio == []
    assert info.start_timecode is None and info.start_tc_frames == 0
    assert info.reel == "A001_TAKE_3"  # derived from the file name
    r2 = write_video(tmp_path / "other.mov", [Shot(10, 1)], reel="TAPE042", audio=None)
    assert probe(r2.path).reel == "TAPE042"  # from metadata


def test_probe_bad_files_name_file_and_reason(tmp_path):
    files = write_broken_files(tmp_path)
    reasons = {}
    for kind, path in files.items():
        with pytest.raises(MediaError) as err:
            probe(path)
        assert err.value.path == str(path)
        assert str(path) in str(err.value)
        reasons[kind] = err.value.reason
    assert reasons["empty"] == "empty file (0 bytes)"
    assert "not a readable media file" in reasons["text"]
    assert "not a readable media file" in reasons["truncated"]
    with pytest.raises(MediaError, match="file not found"):
        probe(tmp_path / "missing.mp4")
    still = tmp_path / "photo.mp4"
    from PIL import Image
    Image.new("RGB", (64, 64), "red").save(still, "PNG")
    with pytest.raises(MediaError, match="still image"):
        probe(still)


def test_variable_frame_rate_is_flagged(tmp_path):
    import av
    import numpy as np
    from fractions import Fraction
    path = tmp_path / "phone.mkv"
    out = av.open(str(path), "w")
    s = out.add_stream("libx264", rate=30)
    s.width, s.height, s.pix_fmt = 160, 96, "yuv420p"
    s.time_base = Fraction(1, 1000)
    t = 0
    for i in range(90):
        f = av.VideoFrame.from_ndarray(np.full((96, 160, 3), i * 2 % 255, np.uint8), format="rgb24")
        f.pts, f.time_base = t, Fraction(1, 1000)
        t += 33 if i % 3 else 80  # a phone dropping its rate now and then
        for p in s.encode(f):
            out.mux(p)
    for p in s.encode():
        out.mux(p)
    out.close()
    assert probe(path).vfr is True
    cfr = write_video(tmp_path / "cfr.mov", [Shot(60, 1)], rate="30000/1001", audio=None)
    assert probe(cfr.path).vfr is False
