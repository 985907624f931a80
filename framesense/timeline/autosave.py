"""Autosave and crash recovery of the sequence being edited.

The app writes the open sequence here a moment after every edit and removes the
file when the sequence is saved or the app closes cleanly; a file still present at
the next start means the last session ended without saving, so its edit is
offered back. Plain JSON of the model (fast for thousands of clips), written atomically.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..atomic_files import write_atomic
from ..errors import FrameSenseError
from ..timecode import parse_rate
from .model import Clip, Sequence

FILENAME = "autosave-sequence.json"


def autosave_path(folder) -> Path:
    return Path(folder) / FILENAME


def write(seq: Sequence, folder, saved_path=None) -> Path:
    """Atomically write the sequence (and where it was last saved, if anywhere)."""
    path = autosave_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": 1, "sequence": seq.to_json(), "clips": [c.to_json() for c in seq.clips],
            "saved_path": str(saved_path) if saved_path else None}
    return write_atomic(path, json.dumps(data))


def pending(folder) -> Path | None:
    """The autosave left by a session that did not end cleanly, if any."""
    path = autosave_path(folder)
    return path if path.is_file() else None


def read(path) -> tuple[Sequence, Path | None]:
    """The autosaved sequence and the file it had been saved to (None if never saved)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        s = data["sequence"]
        seq = Sequence(name=s["name"], rate=parse_rate(s["rate"]), start_frame=s.get("start_frame"),
                       drop_frame=bool(s.get("drop_frame")), clips=[Clip.from_json(c) for c in data["clips"]],
                       script=list(s.get("script") or []))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise FrameSenseError(f"{path}: cannot read the autosaved sequence ({exc})") from exc
    saved = data.get("saved_path")
    return seq, (Path(saved) if saved else None)


def clear(folder) -> None:
    autosave_path(folder).unlink(missing_ok=True)
