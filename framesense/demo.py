"""The demo: three short clips with known cuts, rates, start timecodes and speech, and where the last
demo library is, so that ``framesense demo`` and the app's "Open the demo" land on the same library.

``framesense demo`` (commands/demo.py) writes the footage here and indexes it through
``framesense.Library``; the app's welcome screen does the same in the background when no demo
library exists yet, in ``default_dir()``.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

from .config import APP_NAME, CATALOG_FILE

SENTENCES = [
    (1.0, "welcome to the harbour at dawn"),
    (6.0, "the fishing boats are coming home"),
]
PHRASE = "fishing boats"
CLIPS = [
    ("Harbour Dawn.mov", "24000/1001", "01:00:00:00"),
    ("Fleet Returns.mov", "25", "10:00:00:00"),
    ("Market Day.mov", "30000/1001", "00:59:50;00"),
]
RECORD = "demo-library.txt"      # in the user data folder: the path of the last demo library


def default_dir() -> Path:
    """Where the app builds the demo when asked to open one that does not exist yet."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "demo"


def write_footage(folder: Path) -> tuple[list[Path], bool]:
    """Write the demo clips (those not there yet) into ``folder``; (their paths, whether they speak:
    espeak-ng is needed for speech)."""
    from .media.synth import Shot, espeak_available, write_video

    speech = SENTENCES if espeak_available() else None
    paths = []
    for k, (name, rate, tc) in enumerate(CLIPS):
        path = Path(folder) / name
        if not path.exists():
            write_video(path, [Shot(72, 11 * k + 1), Shot(96, 11 * k + 2), Shot(120, 11 * k + 3, fade_out=12),
                               Shot(84, 11 * k + 4, fade_in=12)], rate=rate, start_timecode=tc, speech=speech,
                        audio="tone" if not speech else "silence")
        paths.append(path)
    return paths, bool(speech)


def remember(library: Path) -> None:
    """Note ``library`` as the demo's (best effort: a read-only home only loses the shortcut)."""
    record = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / RECORD
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(str(Path(library).resolve()) + "\n", encoding="utf-8")
    except OSError:
        pass


def known_library() -> Path | None:
    """The last demo library that still has a catalog, else the app's default one if it has."""
    record = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / RECORD
    candidates = []
    try:
        candidates.append(Path(record.read_text(encoding="utf-8").strip()))
    except (OSError, ValueError):
        pass
    candidates.append(default_dir() / "library")
    return next((c for c in candidates if str(c) and (c / CATALOG_FILE).exists()), None)
