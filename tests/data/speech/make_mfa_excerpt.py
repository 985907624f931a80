"""Makes mfa_excerpt.wav and mfa_excerpt.TextGrid: 8.2 s of the Montreal Forced Aligner's test
recording ``tests/data/wav/acoustic_corpus.wav`` (17.4-25.6 s) and its aligned words from
``tests/data/textgrid/acoustic_corpus.TextGrid`` (MIT licence, see LICENSE.md), times made relative
to the excerpt. The speaker draws out "and" for a second ("and here's some more words words word
words"), says "um", pauses 0.6 s, then "and that should be all thanks".

    python tests/data/speech/make_mfa_excerpt.py MFA_REPO
"""

import sys
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from labelled_speech import textgrid_tiers  # noqa: E402

START, END, SR = 17.4, 25.6, 16000
HERE = Path(__file__).resolve().parent


def main(repo: Path) -> None:
    with wave.open(str(repo / "tests/data/wav/acoustic_corpus.wav")) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (SR, 1, 2)
        x = np.frombuffer(w.readframes(w.getnframes()), "<i2")[int(START * SR):int(END * SR)]
    with wave.open(str(HERE / "mfa_excerpt.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(x.tobytes())
    words = [(t, round(a - START, 3), round(b - START, 3))
             for t, a, b in textgrid_tiers(repo / "tests/data/textgrid/acoustic_corpus.TextGrid")["words"]
             if t.strip() and a >= START and b <= END]
    rows = "".join(f"{a}\n{b}\n\"{t}\"\n" for t, a, b in words)
    (HERE / "mfa_excerpt.TextGrid").write_text(
        f'File type = "ooTextFile"\nObject class = "TextGrid"\n\n0\n{END - START:.3f}\n<exists>\n1\n'
        f'"IntervalTier"\n"words"\n0\n{END - START:.3f}\n{len(words)}\n{rows}', encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
