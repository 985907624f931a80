"""``framesense install-desktop``: put FrameSense in the desktop's application menu (freedesktop.org:
Linux desktops), so it starts like any other application, from a source install or a bundle.

The entry is resources/framesense.desktop with ``Exec`` set to this installation's own absolute
command (a desktop session's PATH knows neither a virtualenv nor an unpacked bundle) and the icon
copied into the user's hicolor theme.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

from .installation import frozen

NAME = "framesense"
ICON_DIR = "icons/hicolor/256x256/apps"      # resources/framesense.png is 256x256
_RESERVED = re.compile(r"[\s\"'\\><~|&;$*?#()`]")


def resources_dir() -> Path:
    """resources/ beside the package (a source checkout) or inside the bundle."""
    base = Path(getattr(sys, "_MEIPASS", "")) if frozen() else Path(__file__).resolve().parents[1]
    return base / "resources"


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def app_argv() -> list[str]:
    """The absolute command that opens the window from this installation."""
    if frozen():
        return [sys.executable, "app"]
    script = Path(sys.executable).parent / NAME
    return [str(script), "app"] if script.exists() else [sys.executable, "-m", "framesense", "app"]


def exec_value(argv: list[str]) -> str:
    """argv as a desktop entry's Exec value: reserved characters quoted the way the spec asks, then
    the string escapes every .desktop value gets."""
    def arg(a: str) -> str:
        if not _RESERVED.search(a):
            return a
        return '"' + re.sub(r'(["`$\\])', r"\\\1", a) + '"'
    return " ".join(arg(a) for a in argv).replace("\\", "\\\\")


def entry_text(argv: list[str], icon: Path) -> str:
    """resources/framesense.desktop with this installation's Exec and icon."""
    lines = []
    for line in (resources_dir() / f"{NAME}.desktop").read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = f"Exec={exec_value(argv)}"
        elif line.startswith("Icon="):
            line = f"Icon={icon}"
        elif line.startswith("TryExec="):
            continue
        lines.append(line)
    return "\n".join(lines) + "\n"


def install(root: Path | None = None) -> list[Path]:
    """Write the menu entry and its icon under ``root`` (default: $XDG_DATA_HOME); the paths written."""
    root = Path(root) if root else data_home()
    src_icon = resources_dir() / f"{NAME}.png"
    if not src_icon.exists():
        raise FileNotFoundError(f"{src_icon}: the icon is missing from this installation (resources/ not installed)")
    icon = root / ICON_DIR / f"{NAME}.png"
    entry = root / "applications" / f"{NAME}.desktop"
    for p in (icon, entry):
        p.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src_icon, icon)
    tmp = entry.with_suffix(".tmp")
    tmp.write_text(entry_text(app_argv(), icon), encoding="utf-8")
    tmp.chmod(0o755)            # some file managers ask before running an entry that is not executable
    os.replace(tmp, entry)
    return [entry, icon]


def uninstall(root: Path | None = None) -> list[Path]:
    """Remove what ``install`` wrote; the paths removed."""
    root = Path(root) if root else data_home()
    gone = []
    for p in (root / "applications" / f"{NAME}.desktop", root / ICON_DIR / f"{NAME}.png"):
        if p.exists():
            p.unlink()
            gone.append(p)
    return gone
