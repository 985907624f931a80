"""Hearing what the player plays without speakers (issue 12, item 4): the player's sound goes to an
audio-output interface whose file sink writes a WAV on the player's audio clock, and
``framesense app --smoke PNG --query Q --play S --audio-out WAV`` plays real hits into it.

Three clips at 25, 29.97 DF and 23.976 fps speak the same sentence (espeak-ng) and each has a white
flash and a click on the same frame; they are indexed with the real speech model, found by a phrase
search, and played back to back. The WAV must hold each hit's own sound (sample-compared with the
source span) where the frame log says its frames were shown, and the click where the flash was shown,
within one frame, measured on the audio clock (not the wall clock)."""

from __future__ import annotations

import json
import math
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PySide6", reason="the desktop app needs PySide6 (pip install 'framesense[app]')")

from framesense.media import heard  # noqa: E402
from framesense.media.heard import locate  # noqa: E402
from framesense.media.pcm import decode_span  # noqa: E402
from framesense.media.synth import Shot, espeak_available, write_video  # noqa: E402

pytestmark = pytest.mark.slow   # sound played in real time, real speech

SR = 48000
CLIPS = [("a25.mp4", "25", "01:00:00:00"), ("b2997.mp4", "30000/1001", "02:00:00;00"),
         ("c23976.mp4", "24000/1001", "03:00:00:00")]
FLASH_S = 1.3          # inside the padded hit of "fishing" (spoken at about 0.7-1.0 s)


def read_wav(path) -> np.ndarray:
    with wave.open(str(path)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (SR, 2, 2)
        return np.frombuffer(w.readframes(w.getnframes()), np.int16).reshape(-1, 2).mean(axis=1) / 32768.0


def mono(pcm) -> np.ndarray:
    return pcm.mean(axis=1) / 32768.0


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    from tests.conftest import cli_json, run_cli
    if not espeak_available():
        pytest.fail("espeak-ng is needed to generate speech test media")
    root = tmp_path_factory.mktemp("heard")
    flashes = {}
    for name, rate, tc in CLIPS:
        r = Fraction(rate)
        flash = math.ceil(FLASH_S * r)
        write_video(root / "footage" / name, [Shot(int(3 * r), 3, flash_at=flash)], rate=rate, start_timecode=tc,
                    audio="silence", speech=[(0.4, "the fishing boats are coming home")],
                    clicks=[float(flash / r)], gop=12)
        flashes[str(root / "footage" / name)] = flash
    lib = root / "library"
    cli_json(lib, "index", "--speech-model", "tiny.en", "--no-visual", root / "footage")
    wav, png = root / "heard.wav", root / "app.png"
    proc = run_cli(lib, "app", "--smoke", png, "--query", "fishing", "--play", 20, "--audio-out", wav, timeout=300)
    log = json.loads(wav.with_suffix(".frames.json").read_text())
    return {"wav": read_wav(wav), "log": log, "flashes": flashes, "png": png, "out": proc.stdout}


def hit_starts(played) -> list[tuple[dict, Fraction, list, int]]:
    """Per hit: its item, rate, the (frame, WAV sample) of the frames shown with sound, and where the
    picture puts the hit's first sample in the WAV (framesense.media.heard, which build/smoke.sh uses too)."""
    out = heard.hit_starts(played["log"])
    for k, (item, _, shown, _) in enumerate(out):
        assert len(shown) >= 10, f"hit {k} ({item['label']}) showed {len(shown)} frames with sound"
    return out


def test_the_wav_holds_each_hits_words_where_its_picture_was_shown(played):
    assert played["png"].stat().st_size > 0 and "with sound" in played["out"]
    hits = hit_starts(played)
    assert {Path(h[0]["path"]).name for h in hits} == {name for name, _, _ in CLIPS}   # all three rates, one list
    wav = played["wav"]
    for item, rate, shown, start in hits:
        frame = SR / float(rate)
        src = mono(decode_span(item["path"], float(item["first"] / rate), float(item["last"] / rate), SR))
        assert np.sqrt((src ** 2).mean()) > 0.02                                   # the span has speech
        at, match = locate(src, wav, start, SR // 4)
        assert match > 0.95, (item["label"], match)                                # the hit's own sound, whole
        assert abs(at - start) <= frame, (item["label"], (at - start) / SR)        # where its picture was
        seg = wav[at: at + len(src)]
        assert abs(np.sqrt((seg ** 2).mean()) / np.sqrt((src ** 2).mean()) - 1) < 0.05   # at full volume
        # every frame shown with sound was on screen within one frame of its sound
        worst = max(abs(pos - at - float((f - item["first"]) / rate) * SR) for f, pos in shown)
        assert worst <= frame, (item["label"], worst / SR)


def test_flash_and_click_on_the_same_frame_agree_within_a_frame(played):
    wav = played["wav"]
    for k, (item, rate, shown, start) in enumerate(hit_starts(played)):
        flash = played["flashes"][item["path"]]
        assert item["first"] < flash < item["last"], (item, flash)
        # the flash as seen on screen: the brightest picture of the hit, far brighter than the rest
        seen = [(y, f, pos) for i, f, pos, sound, y in played["log"]["frames"] if i == k and sound]
        y, f, pos = max(seen)
        assert f == flash and y > 1.3 * np.median([s[0] for s in seen]), (item["label"], f, flash)
        whole = mono(decode_span(item["path"], 0.0, 3.0, SR))
        c = int(round(float(flash / rate) * SR))                  # the click in the source, by construction
        ref = whole[c - SR // 50: c + SR // 50]                   # 40 ms around it
        at, match = locate(ref, wav, pos - SR // 50, SR // 10)
        click = at + SR // 50
        assert match > 0.9, (item["label"], match)
        assert abs(click - pos) <= SR / float(rate), (item["label"], (click - pos) / SR * 1000, "ms")


def test_the_file_sink_plays_silence_when_paused_and_follows_volume_and_mute(qtbot, tmp_path):
    """In-process: one hit with a steady tone, at half volume, then muted; the file runs on in silence."""
    from framesense.app.audio_out import WavOutput
    from framesense.app.player import Player, PlayItem
    clip = write_video(tmp_path / "tone.mp4", [Shot(50, 1)], rate="25", audio="tone", gop=10)
    player = Player(None, 0.0, 0.0)
    qtbot.addWidget(player)
    out = WavOutput(tmp_path / "t.wav")
    player.use_output(out)
    item = PlayItem(str(clip.path), Fraction(25), 10, 35, "tone")
    for volume, muted in ((100, False), (50, False), (100, True)):
        player.volume.setValue(volume)
        if player.sound.muted != muted:
            player.toggle_mute()
        player.set_playlist([item], 0, play=True)
        qtbot.waitUntil(lambda: not player.playing, timeout=20_000)
        assert player.current_frame == 34
        qtbot.wait(300)                                           # paused: the file runs on in silence
    player.shutdown()
    out.finish()
    wav = read_wav(tmp_path / "t.wav")
    src = mono(decode_span(clip.path, 0.4, 1.4, SR))
    level = np.sqrt((src[SR // 10:-SR // 10] ** 2).mean())
    n = len(wav) // (SR // 100) * (SR // 100)                    # 10 ms windows
    rms = np.sqrt((wav[:n].reshape(-1, SR // 100) ** 2).mean(axis=1))
    full = rms > level * 0.8
    half = (rms > level * 0.35) & (rms < level * 0.65)
    assert 0.8 <= full.sum() / 100 <= 1.05                      # the 1 s hit at full volume, once
    assert 0.8 <= half.sum() / 100 <= 1.05                      # once at half volume
    assert (rms < level * 0.05).sum() / 100 >= 1.0 + 0.6          # muted (1 s) and paused gaps: silence


def test_play_needs_smoke_and_a_query(library, tmp_path):
    from tests.conftest import run_cli
    bad = run_cli(library, "app", "--play", 3, "--audio-out", tmp_path / "x.wav", check=False)
    assert bad.returncode != 0 and "--smoke" in bad.stderr
    bad = run_cli(library, "app", "--smoke", tmp_path / "x.png", "--play", 3, check=False, timeout=120)
    assert bad.returncode == 2 and "--play needs --query" in bad.stderr


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs a FIFO to make a file that never answers")
def test_a_stalled_playback_exits_6(library, tmp_path):
    """A hit whose file stops answering (here a FIFO nobody writes to, like a hung network mount):
    no frame comes, and the smoke path says so and exits 6 instead of hanging or passing."""
    import os
    import shutil

    from tests.conftest import cli_json, run_cli
    folder = tmp_path / "footage"
    a = write_video(folder / "a.mp4", [Shot(25, 1), Shot(30, 2)], rate="25", audio="tone", gop=10).path
    shutil.copy(a, folder / "b.mp4")                                   # a reuse: found by picture fingerprints
    cli_json(library, "index", "--no-speech", folder)
    (folder / "b.mp4").unlink()
    os.mkfifo(folder / "b.mp4")
    proc = run_cli(library, "app", "--smoke", tmp_path / "x.png", "--query", f"same: {a}@1.5", "--play", 10,
                   "--audio-out", tmp_path / "x.wav", check=False, timeout=120)
    assert proc.returncode == 6, (proc.returncode, proc.stderr[-2000:])
    assert "playback stalled" in proc.stderr


def test_a_dummy_output_counts_as_no_device(qtbot):
    """Qt's "Dummy Output" (no audio system) only pretends to play (its clock starts late): it counts
    as no device, so the picture plays at once on its own clock and the app says why. A PulseAudio
    null sink plays in real time, so it stays a device (test_sound.py plays through one)."""
    from framesense.app.audio_out import DeviceOutput, is_null_output
    assert is_null_output("Dummy Output") and is_null_output("", "discard")
    assert not is_null_output("Null Output", "d23null") and not is_null_output("Null Output", "auto_null")
    assert not is_null_output("Built-in Audio Analog Stereo", "alsa_output.pci-0000_00_1f.3.analog-stereo")
    out = DeviceOutput()                                   # this machine's default output, whatever it is
    device = getattr(out, "device", None)                  # None: QtMultimedia is missing
    if device is not None and not device.isNull() and is_null_output(device.description()):
        assert out.reason and device.description() in out.reason and not out.is_open
