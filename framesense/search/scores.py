"""What a phrase hit's score means: the match kind sets a band, the words' confidence places it.

Kept apart from the search itself so the app can explain a score without reaching into search.
"""

from __future__ import annotations

# Score bands by match kind (exact > variant > all-words > fuzzy); within its band a hit scores by
# how sure Whisper was of the matched words (mean word probability; imported words count as sure).
SCORE_BANDS = {"exact": (0.75, 1.0), "variant": (0.55, 0.75), "all-words": (0.35, 0.55), "fuzzy": (0.1, 0.35)}
SCORE_HELP = ("0..1: the match kind sets the band (exact 0.75-1, other written form 0.55-0.75, all words in "
              "any order 0.35-0.55, misspelt 0.1-0.35); within it, how sure the speech model was of the words")


def hit_score(kind: str, confidences: list, quality: float = 1.0) -> float:
    """A phrase hit's score: its kind's band, placed by word confidence times match quality (0..1)."""
    lo, hi = SCORE_BANDS[kind]
    known = [c for c in confidences if c is not None]
    conf = sum(known) / len(known) if known else 1.0
    return round(lo + (hi - lo) * max(0.0, min(1.0, conf * quality)), 4)
