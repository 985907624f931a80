"""``framesense app``: the desktop window (PySide6 is imported only when this runs)."""

from __future__ import annotations

import os
import sys

import click

from .context import Ctx, emit_json, pass_ctx


@click.command()
@click.option("--smoke", "screenshot", type=click.Path(dir_okay=False), default=None,
              help="Check mode: open the window offscreen, run --query, save a screenshot here and exit.")
@click.option("--query", default=None,
              help="With --smoke: the search to run ('words' for a phrase; 'text: ...', 'image: FILE', 'same: ...').")
@click.option("--timeline", "timeline_n", default=0, show_default=True, type=int,
              help="With --smoke: add this many of the first hits to the timeline.")
@click.option("--timeout", default=120.0, show_default=True, type=float, help="With --smoke: seconds to wait for results.")
@click.option("--play", default=0.0, type=float,
              help="With --smoke --query: play the hits through the player for this many seconds (exit 6 if it stalls).")
@click.option("--audio-out", type=click.Path(dir_okay=False), default=None,
              help="With --play: write what would have been heard to this WAV (and a frame log beside it).")
@click.option("--frames-log", type=click.Path(dir_okay=False), default=None,
              help="With --play and no --audio-out: play through the audio device and log each frame shown on "
                   "the wall clock, to compare with a recording of the device ('framesense check-heard').")
@click.option("--window", "window_size", default=None, metavar="WxH",
              help="With --smoke: the window's size in pixels, e.g. 1280x800 (default 1400x860).")
@click.option("--script", "script", type=click.Path(dir_okay=False, exists=True), default=None,
              help="With --smoke: assemble this paper edit (text or CSV) in the Script panel and print "
                   "'script: N lines, P placed, M missing'.")
@pass_ctx
def app(ctx: Ctx, screenshot, query, timeline_n, timeout, play, audio_out, frames_log, window_size, script):
    """Open the desktop app: search, playphrase-style playback, timeline and export."""
    try:
        from .. import app as gui
    except ImportError as exc:
        raise click.ClickException(f"the desktop app needs PySide6 ({exc}); install it with: "
                                   "pip install 'framesense[app]'") from None
    if screenshot:
        if frames_log and audio_out:
            raise click.ClickException("--frames-log is for the audio device; with --audio-out the log is beside the WAV")
        size = _window_size(window_size) if window_size else (1400, 860)
        sys.exit(gui.smoke(screenshot, ctx.library_dir, query=query, timeline=timeline_n, timeout=timeout,
                           play=play, audio_out=audio_out, frames_log=frames_log, size=size, script=script))
    if window_size or script:
        raise click.ClickException("--window and --script work with --smoke only")
    if play or audio_out or frames_log:
        raise click.ClickException("--play, --audio-out and --frames-log work with --smoke only")
    if (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("QT_QPA_PLATFORM")):
        raise click.ClickException("no display to open a window on (DISPLAY is not set); "
                                   "use 'framesense app --smoke FILE.png' for a check without a screen")
    sys.exit(gui.main(ctx.library_dir))


def _window_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a size like 1280x800", param_hint="--window") from None
    if not (320 <= w <= 10000 and 240 <= h <= 10000):
        raise click.BadParameter(f"{text} is outside 320x240 .. 10000x10000", param_hint="--window")
    return w, h


@click.command("check-heard", hidden=True)
@click.argument("recording", type=click.Path(exists=True, dir_okay=False))
@click.argument("frames_log", type=click.Path(exists=True, dir_okay=False))
@click.option("--min-match", default=0.9, show_default=True, help="Least likeness (0..1) of each hit's sound.")
@click.option("--json", "as_json", is_flag=True)
def check_heard(recording, frames_log, min_match, as_json):
    """Check a recording of the player (a WAV, or raw s16le stereo at the log's rate) against the frame
    log of 'app --smoke --play': each hit's own sound where its frames were shown, within a frame.
    Exit 1 when a hit's sound is missing or misplaced (build/smoke.sh runs it on the bundle)."""
    import json

    from ..media.heard import compare, read_pcm
    log = json.loads(open(frames_log, encoding="utf-8").read())
    found = compare(read_pcm(recording, log["rate"]), log)
    bad = [f for f in found if f["match"] < min_match or abs(f["off_s"]) > f["frame_s"]]
    if as_json:
        emit_json({"hits": found, "ok": bool(found) and not bad})
    else:
        for f in found:
            click.echo(f"{'ok  ' if f not in bad else 'FAIL'} {f['label']}: sound match {f['match']:.3f}, "
                       f"{1000 * f['off_s']:+.1f} ms from its picture (a frame is {1000 * f['frame_s']:.1f} ms)")
    if not found:
        raise click.ClickException(f"{frames_log}: no hit was shown with sound")
    if bad:
        sys.exit(1)


COMMANDS = [app, check_heard]
