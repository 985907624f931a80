"""Real speech with hand-labelled word boundaries (tests/data/speech, see its LICENSE.md): the
recordings and their TextGrid word tiers, for tests and benchmarks/word_timing.py."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "speech"
CLIPS = {"bobby": "word", "mary": "word", "damon_set_test": "words"}    # clip -> its word tier
HELD_OUT = ("damon_set_test",)      # reported apart: no rule or constant was chosen from it


def textgrid_tiers(path: Path) -> dict[str, list[tuple[str, float, float]]]:
    """Interval tiers of a Praat TextGrid (long or short text format): name -> [(label, start, end)]."""
    raw = Path(path).read_bytes()
    text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8-sig")
    text = re.sub(r"\[\d+\]", "", text)          # "intervals [3]:" of the long format
    toks = re.findall(r'"((?:[^"]|"")*)"|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)', text)
    tiers, k = {}, 0
    while k < len(toks):
        if toks[k][0] == "IntervalTier":
            name, count, k = toks[k + 1][0], int(toks[k + 4][1]), k + 5
            tiers[name] = [(toks[k + 3 * i + 2][0].replace('""', '"'), float(toks[k + 3 * i][1]),
                            float(toks[k + 3 * i + 1][1])) for i in range(count)]
            k += 3 * count
        else:
            k += 1
    return tiers


def labelled(name: str) -> tuple[Path, list[tuple[str, float, float]]]:
    """A clip's sound file and its words (lower case, start, end in seconds), blanks left out."""
    words = textgrid_tiers(DATA / f"{name}.TextGrid")[CLIPS[name]]
    return DATA / f"{name}.wav", [(w.lower(), a, b) for w, a, b in words if w.strip()]


def with_room_tone(x: np.ndarray, seconds: float = 0.5, sr: int = 16000) -> np.ndarray:
    """A clip with ``seconds`` of its own quietest 50 ms repeated before and after it: the clips are
    cut tight (a label may end at the file's last sample), and footage has room tone around words,
    not digital silence."""
    hop = sr // 100
    rms = np.sqrt((x[: x.size // hop * hop].reshape(-1, hop) ** 2).mean(axis=1))
    k = int(np.argmin(np.convolve(rms, np.ones(5), "valid")))
    quiet = x[k * hop:(k + 5) * hop]
    room = np.tile(quiet, int(seconds * sr / quiet.size) + 1)[: int(seconds * sr)]
    return np.concatenate([room, x, room]).astype(np.float32)
