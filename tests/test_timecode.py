from fractions import Fraction

import pytest

from framesense.timecode import Timecode, parse_rate, rate_str


@pytest.mark.parametrize("text,rate", [("24000/1001", Fraction(24000, 1001)), ("23.976", Fraction(24000, 1001)),
                                       ("29.97", Fraction(30000, 1001)), ("25", Fraction(25)), (59.94, Fraction(60000, 1001))])
def test_parse_rate_is_exact(text, rate):
    assert parse_rate(text) == rate


def test_rate_str():
    assert rate_str(Fraction(30000, 1001)) == "30000/1001"
    assert rate_str(Fraction(25)) == "25"


@pytest.mark.parametrize("frames,text", [(0, "00:00:00;00"), (1799, "00:00:59;29"), (1800, "00:01:00;02"),
                                         (17982, "00:10:00;00"), (107892, "01:00:00;00")])
def test_drop_frame_2997(frames, text):
    tc = Timecode("30000/1001", drop_frame=True)
    assert tc.to_string(frames) == text
    assert tc.to_frames(text) == frames


def test_drop_frame_round_trip_one_hour_5994():
    tc = Timecode("60000/1001", drop_frame=True)
    for f in range(0, 60000 * 60 // 1001 * 60, 997):
        assert tc.to_frames(tc.to_string(f)) == f


def test_non_drop_and_bad_input():
    tc = Timecode(25)
    assert tc.to_string(90000) == "01:00:00:00"
    assert tc.to_frames("10:00:00:12") == 900012
    with pytest.raises(ValueError, match="out of range"):
        tc.to_frames("00:00:00:25")
    with pytest.raises(ValueError, match="not a timecode"):
        tc.to_frames("1:2:3")
    with pytest.raises(ValueError, match="drop-frame"):
        Timecode(25, drop_frame=True)
