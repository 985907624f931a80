"""``framesense install-desktop``: FrameSense in the desktop's application menu (Linux)."""

from __future__ import annotations

import shutil
import subprocess

import click


@click.command("install-desktop")
@click.option("--remove", is_flag=True, help="Take the menu entry and icon out again.")
def install_desktop(remove):
    """Add FrameSense to the desktop's application menu (a .desktop file and its icon under
    ~/.local/share), opening the window of this installation (bundle or source)."""
    from .. import desktop_entry
    paths = desktop_entry.uninstall() if remove else desktop_entry.install()
    for p in paths:
        click.echo(f"{'removed' if remove else 'wrote'} {p}")
    if not paths:
        click.echo("nothing to remove")
    if shutil.which("update-desktop-database"):   # menus that cache entries pick the change up at once
        subprocess.run(["update-desktop-database", str(desktop_entry.data_home() / "applications")],
                       capture_output=True)
    if not remove:
        click.echo("FrameSense is in the desktop's menu (Audio & Video); it opens the window.")


COMMANDS = [install_desktop]
