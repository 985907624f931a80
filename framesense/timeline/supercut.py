"""Rules that turn a pile of hits into a supercut (videogrep-style): which takes, in what order,
how long. The same rules for the CLI, the app and scripts, through ``SequenceOptions``.

- ``dedupe``: takes whose pictures are the same footage (the same-footage fingerprints) are one
  take; the best-scoring stays. A reuse compilation otherwise plays the same archive shot twice.
- ``per_media``: at most N takes from one file (the best-scoring ones).
- ``order``: ``given`` (as the search or script gave them), ``score``, ``time`` (by where in
  its file a take is, across files), ``media`` (file by file, in time within each).
- ``merge_overlaps``: takes of one file whose padded ranges overlap become one clip, wherever
  they sit, so no frame plays twice (takes that only touch, like neighbouring shots, stay apart).
  The app's timeline adds takes under the same rule (``join_overlaps``), so both give the same clips.
- ``max_duration``: whole clips, in order, while the sequence stays within the seconds given.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

ORDERS = ("given", "score", "time", "media")
ORDER_ALIASES = {"script": "given"}
MIN_SHARED = 0.5       # share of the shorter take's picture samples that must match


def check_order(order: str) -> str:
    order = ORDER_ALIASES.get(order, order)
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)} (or script), not {order!r}")
    return order


def choose(hits: list, options, fingerprints=None) -> list:
    """The hits the rules keep, in the order they ask for (``dedupe`` where ``fingerprints``, a
    ``footage.Fingerprints``, gives their pictures)."""
    hits = list(hits)
    if options.dedupe and fingerprints is not None:
        hits = dedupe(fingerprints, hits)
    if options.per_media:
        counts: dict = {}
        keep = set()
        for i in sorted(range(len(hits)), key=lambda i: -hits[i].score):
            key = hits[i].media_id
            if counts.get(key, 0) < options.per_media:
                counts[key] = counts.get(key, 0) + 1
                keep.add(i)
        hits = [h for i, h in enumerate(hits) if i in keep]
    order = check_order(options.order)
    if order == "score":
        hits.sort(key=lambda h: -h.score)
    elif order == "time":
        hits.sort(key=lambda h: (Fraction(h.start_frame) / h.rate, h.media_path))
    elif order == "media":
        first = {}
        for h in hits:
            first.setdefault(h.media_path, len(first))
        hits.sort(key=lambda h: (first[h.media_path], h.start_frame))
    return hits


def dedupe(fingerprints, hits: list) -> list:
    """Drop takes that are the same footage as a better-scoring take kept before them."""
    from ..analysis.fingerprint import EVERY_S
    from ..search.same import MAX_BITS, hamming
    samples = []
    for h in hits:
        reach = int(round(EVERY_S * h.rate / 2))     # the nearest samples count for a short take
        band, active = fingerprints.fingerprints(h.media_id, h.start_frame - reach, h.end_frame + reach)
        samples.append((np.array(band, np.int64), np.array(active, np.int64)))
    kept: list[int] = []
    for i in sorted(range(len(hits)), key=lambda i: -hits[i].score):
        band, active = samples[i]
        # overlapping takes of one file are the same footage by definition: merge_overlaps joins them
        if not any(not _overlap(hits[i], hits[k]) and _same(band, active, *samples[k], MAX_BITS, hamming)
                   for k in kept):
            kept.append(i)
    keep = set(kept)
    return [h for i, h in enumerate(hits) if i in keep]


def _overlap(a, b) -> bool:
    return a.media_id == b.media_id and a.start_frame < b.end_frame and b.start_frame < a.end_frame


def _same(band_a, active_a, band_b, active_b, max_bits, hamming) -> bool:
    if not len(band_a) or not len(band_b):
        return False            # no pictures to compare (sound-only, or too short to sample)
    d = np.minimum(hamming(band_a, band_b), hamming(active_a, active_b))
    shorter = min(len(band_a), len(band_b))
    matched = (d.min(axis=1 if len(band_a) <= len(band_b) else 0) <= max_bits).sum()
    return matched >= max(1, MIN_SHARED * shorter)


JOIN_MODES = ("merge", "trim", "keep")


def merge_overlaps(clips: list) -> list:
    """Clips of one file whose ranges overlap join the first of them, in its place (export's rule)."""
    return join_overlaps([], clips, "merge")


def join_overlaps(existing: list, new: list, mode: str = "merge", at: int | None = None) -> list:
    """The one rule for takes of one file that overlap, for export and for the app's timeline alike:
    ``new`` clips go in at ``at`` (None: the end) and each one that overlaps a clip of its file,
    wherever that sits, is joined to it. ``merge``: the first of the two in the list widens to
    cover both, in its place; ``trim``: the new clip loses the frames the other shows; ``keep``:
    nothing is joined. Clips already there are never joined to each other, only to new ones.
    Takes that only touch (neighbouring shots) stay apart. Returns the whole new list."""
    if mode not in JOIN_MODES:
        raise ValueError(f"overlap mode must be one of {', '.join(JOIN_MODES)}, not {mode!r}")
    at = len(existing) if at is None else at
    items = [(c, False) for c in existing[:at]] + [(c, True) for c in new] + [(c, False) for c in existing[at:]]
    if mode == "keep":
        return [c for c, _ in items]
    if mode == "trim":
        return _trim_new(items)
    while True:            # a widened clip may now reach another one: again until nothing joins
        joined = _merge_once(items)
        if len(joined) == len(items):
            return [c for c, _ in joined]
        items = joined


def overlaps(a, b) -> bool:
    """Two clips of one file that share a frame (touching ones do not)."""
    return a.media.path == b.media.path and a.source_in < b.source_out and a.source_out > b.source_in


def _merge_once(items: list) -> list:
    out: list = []
    by_media: dict[str, list[int]] = {}
    for clip, fresh in items:
        spot = next((i for i in by_media.get(clip.media.path, ())
                     if (fresh or out[i][1]) and overlaps(clip, out[i][0])), None)
        if spot is None:
            by_media.setdefault(clip.media.path, []).append(len(out))
            out.append((clip, fresh))
            continue
        prev = out[spot][0]
        out[spot] = (prev.copy(source_in=min(prev.source_in, clip.source_in),
                               source_out=max(prev.source_out, clip.source_out),
                               markers=sorted([*prev.markers, *clip.markers], key=lambda m: m.frame)), True)
    return out


def _trim_new(items: list) -> list:
    """Each new clip without the frames another clip of its file shows (the longer piece left, if it
    is cut in two; dropped if nothing is left)."""
    kept = [c for c, fresh in items if not fresh]
    out = []
    for clip, fresh in items:
        while fresh and clip is not None:
            other = next((o for o in kept if o is not clip and overlaps(clip, o)), None)
            if other is None:
                break
            head = (clip.source_in, min(clip.source_out, other.source_in))
            tail = (max(clip.source_in, other.source_out), clip.source_out)
            a, b = max((tail, head), key=lambda r: r[1] - r[0])
            clip = None if b <= a else clip.copy(
                source_in=a, source_out=b, markers=[m for m in clip.markers if a <= m.frame < b])
        if clip is not None:
            out.append(clip)
            if fresh:
                kept.append(clip)
    return out


def cap(clips: list, seconds: float) -> list:
    """Whole clips from the start while their total stays within ``seconds`` (at least the first)."""
    out, total = [], Fraction(0)
    for clip in clips:
        if out and total + clip.seconds > Fraction(seconds):
            break
        out.append(clip)
        total += clip.seconds
    return out
