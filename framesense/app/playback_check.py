"""``app --smoke --play SECONDS [--audio-out WAV]``: play the hits through the real player without a person.

With ``--audio-out`` the sound goes to a WAV file (``audio_out.WavOutput``) instead of the device,
and a log beside it (``WAV`` with the suffix ``.frames.json``) says, for every frame shown, which
hit and frame it was, the WAV sample being heard at that moment and how bright the picture was: picture and sound can then be
compared on the audio clock, not on the wall clock. Playback that stops showing frames while it
should be playing is a stall: exit code 6.

With ``--frames-log LOG`` instead, the sound goes to the real audio device and the log's clock is the
wall clock (in samples since play began): a recording of the device (``build/smoke.sh`` records a
PulseAudio null sink's monitor) is then compared with it by ``framesense.media.heard``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop

STALL_S = 3.0          # no new frame for this long while playing: stalled (generous: 2 busy cores)


def luma(image) -> float:
    """Mean brightness (0-255) of the picture on screen: a flash shows in the log as well as on screen."""
    if image is None or image.isNull():
        return 0.0
    import numpy as np
    from PySide6.QtGui import QImage
    small = image.scaled(32, 18).convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(small.constBits(), np.uint8, count=small.sizeInBytes()).reshape(small.height(), -1)
    return round(float(rows[:, :small.width()].mean()), 1)


def frames_log_path(wav) -> Path:
    return Path(wav).with_suffix(".frames.json")


def play_hits(app, player, seconds: float, audio_out=None, frames_log=None) -> int:
    """Play the player's list from its first item for ``seconds`` (or to its end); 0, or 6 on a stall."""
    if not player.items:
        print("error: nothing to play", file=sys.stderr)
        return 4
    output = None
    if audio_out:
        from .audio_out import WavOutput
        Path(audio_out).parent.mkdir(parents=True, exist_ok=True)
        output = WavOutput(audio_out)
        player.use_output(output)
    frames: list = []
    rate = output.rate if output else player.sound.rate
    start = time.monotonic()

    def clock():     # the file sink's own clock, else the wall clock in samples since play began
        return output.position() if output else round((time.monotonic() - start) * rate)

    def shown(frame):
        frames.append((player.index, frame, clock() if output or frames_log else None,
                       bool(player.playing and player.track.active), luma(player.view.image)))
    player.frame_shown.connect(shown)
    player.cue(0)
    start = time.monotonic()
    player.play()
    code, last_count, last_change = 0, 0, start
    while time.monotonic() - start < seconds and player.playing:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        time.sleep(0.002)
        now = time.monotonic()
        if len(frames) != last_count:
            last_count, last_change = len(frames), now
        elif now - last_change > STALL_S:
            at = f"hit {player.index + 1}, frame {player.current_frame}"
            print(f"error: playback stalled: no frame for {STALL_S:.0f} s ({at})", file=sys.stderr)
            code = 6
            break
    played = time.monotonic() - start
    player.frame_shown.disconnect(shown)
    player.pause()
    if player.error:
        print(f"error: {player.error}", file=sys.stderr)
        code = code or 2
    hits = len({i for i, *_ in frames})
    print(f"played {len(frames)} frames of {hits} hit(s) in {played:.1f} s"
          + (", with sound" if any(f[3] for f in frames) else ", picture only"))
    if output is not None:
        output.finish()
        frames_log = frames_log_path(audio_out)
    if frames_log:
        log = {"rate": rate, "clock": "file" if output else "wall",
               "device": None if output or player.sound.reason else player.sound.output.device.description(),
               "items": [{"path": it.path, "rate": f"{it.rate.numerator}/{it.rate.denominator}",
                          "first": it.first, "last": it.last, "label": it.label} for it in player.items],
               "frames": [[i, f, pos, sound, y] for i, f, pos, sound, y in frames]}
        Path(frames_log).write_text(json.dumps(log))
        if output is not None:
            print(f"sound: {audio_out} ({output.position() / output.rate:.1f} s), frame log: {frames_log}")
        else:
            print(f"sound: the audio device; frame log (wall clock): {frames_log}")
    return code
