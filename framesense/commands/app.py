"""``framesense app``: the desktop window (PySide6 is imported only when this runs)."""

from __future__ import annotations

import os
import sys

import click

from .context import Ctx, pass_ctx


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
@pass_ctx
def app(ctx: Ctx, screenshot, query, timeline_n, timeout, play, audio_out):
    """Open the desktop app: search, playphrase-style playback, timeline and export."""
    try:
        from .. import app as gui
    except ImportError as exc:
        raise click.ClickException(f"the desktop app needs PySide6 ({exc}); install it with: "
                                   "pip install 'framesense[app]'") from None
    if screenshot:
        sys.exit(gui.smoke(screenshot, ctx.library_dir, query=query, timeline=timeline_n, timeout=timeout,
                           play=play, audio_out=audio_out))
    if play or audio_out:
        raise click.ClickException("--play and --audio-out work with --smoke only")
    if (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("QT_QPA_PLATFORM")):
        raise click.ClickException("no display to open a window on (DISPLAY is not set); "
                                   "use 'framesense app --smoke FILE.png' for a check without a screen")
    sys.exit(gui.main(ctx.library_dir))


COMMANDS = [app]
