"""How this copy of FrameSense was installed (a frozen desktop bundle or a Python environment), so
that what it tells people fits: the command that runs it, and how to get a part it lacks.

A bundle user has no ``pip``: advice to ``pip install`` a missing part is wrong there, and the
command that reopens a library is the bundle's own executable, not ``framesense`` on PATH.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

# Per extra: what a bundle user can do instead of pip (besides installing from source).
BUNDLE_ADVICE = {
    "torch": "use the bundle built with torch (python build/build.py --visual)",
}


def frozen() -> bool:
    """True inside a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))


def command() -> str:
    """The shell command that runs this FrameSense (quoted as needed): the bundle's executable, else
    ``framesense`` when that is on PATH and is this environment's, else ``python -m framesense``."""
    if frozen():
        return shlex.quote(sys.executable)
    script = Path(sys.executable).parent / ("framesense.exe" if os.name == "nt" else "framesense")
    on_path = shutil.which("framesense")
    if on_path and script.exists() and Path(on_path).resolve() == script.resolve():
        return "framesense"
    if script.exists():
        return shlex.quote(str(script))
    return f"{shlex.quote(sys.executable)} -m framesense"


def how_to_get(extra: str, what: str) -> str:
    """Advice for a missing part, fitting how FrameSense was installed."""
    if frozen():
        also = BUNDLE_ADVICE.get(extra)
        return (f"this desktop bundle has no {what}: {also + ', or ' if also else ''}install FrameSense "
                f"from source (pip install 'framesense[{extra}]')")
    return f"pip install 'framesense[{extra}]'"
