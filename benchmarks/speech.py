"""Speech benchmarks: transcription speed (times real time) and phrase-search latency.

    python benchmarks/speech.py                      # 10 min of speech; 10 M-word catalog
    python benchmarks/speech.py --minutes 1 --words 200000   # quick
    python benchmarks/speech.py --skip-asr --catalog /tmp/fs10m  # reuse a built catalog

Targets: base >= 4x real time, tiny.en >= 12x on a 2-core CPU; phrase search
p95 < 50 ms on 10 million words. Speech comes from espeak-ng sentences built
from a fixed word list; the search catalog is synthetic (Zipf-distributed
vocabulary, ~12-word segments, 1,000 words per media file).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from framesense.catalog import Catalog  # noqa: E402
from framesense.search.phrase import search_phrase  # noqa: E402
from framesense.search.query import SearchQuery  # noqa: E402

COMMON = ("the of and to a in is you that it he was for on are as with his they i at be this have from or one "
          "had by word but not what all were we when your can said there use an each which she do how their if "
          "will up other about out many then them these so some her would make like him into time has look two "
          "more write go see number no way could people my than first water been call who oil its now find long "
          "down day did get come made may part over new sound take only little work know place year live me back "
          "give most very after thing our just name good sentence man think say great where help through much "
          "before line right too mean old any same tell boy follow came want show also around form three small "
          "set put end does another well large must big even such because turn here why ask went men read need "
          "land different home us move try kind hand picture again change off play spell air away animal house "
          "point page letter mother answer found study still learn should america world").split()


def speech_audio(minutes: float, seed: int = 7) -> tuple[np.ndarray, int]:
    """About `minutes` of espeak-ng sentences with short pauses, 16 kHz mono."""
    from framesense.media.synth import speak
    rng = random.Random(seed)
    chunks, total, words = [], 0, 0
    target = int(minutes * 60 * 16000)
    while total < target:
        n = rng.randint(6, 14)
        sent = " ".join(rng.choice(COMMON[:150]) for _ in range(n))
        voice = speak(sent)
        gap = np.zeros(int(16000 * rng.uniform(0.3, 0.9)), np.float32)
        chunks += [voice, gap]
        total += voice.size + gap.size
        words += n
    return np.concatenate(chunks)[:target], words


def bench_asr(args) -> list[dict]:
    from framesense.analysis.speech import load_whisper, transcribe_samples
    from framesense.models import resolve_speech_model
    t0 = time.perf_counter()
    audio, nwords = speech_audio(args.minutes)
    secs = audio.size / 16000
    print(f"speech audio: {secs:.0f} s, {nwords} words (espeak-ng, {time.perf_counter() - t0:.0f} s to make)",
          flush=True)
    results = []
    for name in args.models:
        t = time.perf_counter()
        model = load_whisper(resolve_speech_model(name))
        load_s = time.perf_counter() - t
        for mode in args.modes:
            cpu0 = time.process_time()
            t = time.perf_counter()
            segs, lang = transcribe_samples(model, audio, batched=(mode == "batched"))
            wall = time.perf_counter() - t
            cpu = time.process_time() - cpu0
            got = sum(len(s.words) for s in segs)
            r = {"model": name, "mode": mode, "audio_s": round(secs, 1), "wall_s": round(wall, 1),
                 "x_realtime": round(secs / wall, 2), "cpu_s": round(cpu, 1), "load_s": round(load_s, 2),
                 "words_out": got, "words_in": nwords, "loadavg": os.getloadavg()[0]}
            results.append(r)
            print(json.dumps(r), flush=True)
    return results


def _vocab(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    cons, vow = "bcdfghjklmnprstvwz", "aeiou"
    words, seen = list(COMMON), set(COMMON)
    while len(words) < n:
        w = "".join(rng.choice(cons) + rng.choice(vow) for _ in range(rng.randint(1, 4)))
        if rng.random() < 0.5:
            w += rng.choice(cons)
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def build_catalog(lib: Path, total_words: int, per_media: int = 1000, vocab_size: int = 50000, seed: int = 11):
    """A catalog of synthetic transcripts, loaded in bulk (indexes and triggers rebuilt after)."""
    cat = Catalog.open(lib)
    if cat.one("SELECT count(*) AS n FROM words")["n"] >= total_words:
        return cat
    conn = cat.conn
    conn.execute("PRAGMA cache_size = -1000000")
    vocab = _vocab(vocab_size)
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, vocab_size + 1)
    p = 1 / ranks ** 1.07
    p /= p.sum()
    saved = [r[0] for r in conn.execute(
        "SELECT sql FROM sqlite_master WHERE name IN ('words_by_term', 'words_count_ins', 'segments_fts_ins')")]
    conn.execute("BEGIN")
    for name, kind in (("words_by_term", "INDEX"), ("words_count_ins", "TRIGGER"), ("segments_fts_ins", "TRIGGER")):
        conn.execute(f"DROP {kind} IF EXISTS {name}")
    conn.executemany("INSERT OR IGNORE INTO terms (id, norm) VALUES (?, ?)", [(i + 1, w) for i, w in enumerate(vocab)])
    n_media = total_words // per_media
    t0 = time.perf_counter()
    seg_id = 0
    for m in range(n_media):
        mid = cat.insert("media", {"path": f"/bench/reel_{m:06d}.mov", "folder": "/bench", "name": f"reel_{m:06d}.mov",
                                   "status": "indexed", "rate_num": 25, "rate_den": 1, "frames": 25 * 600,
                                   "duration": 600.0, "has_video": 1})
        tid = cat.insert("transcripts", {"media_id": mid, "stream": 1, "source": "whisper", "origin": "bench",
                                         "language": "en"})
        ids = rng.choice(vocab_size, size=per_media, p=p) + 1
        t = 0.5
        seq = 0
        seg_rows, word_rows = [], []
        while seq < per_media:
            n = min(int(rng.integers(6, 18)), per_media - seq)
            toks = [vocab[i - 1] for i in ids[seq: seq + n]]
            seg_id += 1
            start = t
            for k, tok in enumerate(toks):
                word_rows.append((mid, seq + k, int(ids[seq + k]), seg_id, round(t, 3), round(t + 0.3, 3), 0.9, tok))
                t += 0.35
            text = " ".join(toks)
            seg_rows.append((seg_id, mid, tid, len(seg_rows), start, t, text.capitalize() + ".", text, seq, seq + n - 1))
            seq += n
            t += 0.6
        conn.executemany("INSERT INTO segments (id, media_id, transcript_id, idx, start, end, text, norm, first_seq, "
                         "last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", seg_rows)
        conn.executemany("INSERT INTO words (media_id, seq, term_id, segment_id, start, end, probability, text) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", word_rows)
        if m % 1000 == 999:
            print(f"  loaded {(m + 1) * per_media:,} words ({time.perf_counter() - t0:.0f} s)", flush=True)
    print("  counting terms, building the term index and FTS ...", flush=True)
    conn.execute("INSERT INTO segments_fts (segments_fts) VALUES ('rebuild')")
    for sql in saved:
        conn.execute(sql)
    conn.execute("UPDATE terms SET count = c FROM (SELECT term_id, count(*) AS c FROM words GROUP BY term_id) x "
                 "WHERE x.term_id = terms.id")
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    print(f"  built in {time.perf_counter() - t0:.0f} s", flush=True)
    return cat


def bench_search(args) -> dict:
    lib = Path(args.catalog) if args.catalog else Path(tempfile.mkdtemp(prefix="fs-bench-")) / "lib"
    t0 = time.perf_counter()
    cat = build_catalog(lib, args.words)
    n_words = cat.one("SELECT count(*) AS n FROM words")["n"]
    build_s = time.perf_counter() - t0
    size_mb = sum(f.stat().st_size for f in lib.glob("catalog.sqlite*")) / 1e6
    print(f"catalog: {n_words:,} words, {size_mb:.0f} MB at {lib} ({build_s:.0f} s)", flush=True)
    rng = random.Random(5)
    n_media = cat.one("SELECT max(id) AS n FROM media")["n"]
    present = []
    while len(present) < args.queries:
        m = rng.randint(1, n_media)
        ln = rng.randint(2, 4)
        s = rng.randint(0, 990)
        rows = cat.query("SELECT text FROM words WHERE media_id = ? AND seq BETWEEN ? AND ? ORDER BY seq",
                         (m, s, s + ln - 1))
        if len(rows) == ln:
            present.append(" ".join(r["text"] for r in rows))
    vocab = [r["norm"] for r in cat.query("SELECT norm FROM terms WHERE count > 0 ORDER BY random() LIMIT 5000")]
    absent = [" ".join(rng.choice(vocab) for _ in range(3)) for _ in range(args.queries // 2)]
    prefix = [q.rsplit(" ", 1)[0] + " " + q.rsplit(" ", 1)[1][:3] + "*" for q in present[: args.queries // 2]]
    misspelt = []
    for q in present[: args.queries // 4]:
        w = q.split()
        i = max(range(len(w)), key=lambda k: len(w[k]))
        if len(w[i]) > 3:
            j = rng.randrange(len(w[i]) - 1)
            w[i] = w[i][:j] + w[i][j + 1] + w[i][j] + w[i][j + 2:]
        misspelt.append(" ".join(w))
    out = {"words": n_words, "catalog_mb": round(size_mb), "build_s": round(build_s)}
    for label, queries in (("exact", present), ("prefix", prefix), ("absent", absent), ("misspelt", misspelt)):
        times, found = [], 0
        for qtext in queries:
            t = time.perf_counter()
            hits = search_phrase(cat, SearchQuery(phrase=qtext, limit=50))
            times.append((time.perf_counter() - t) * 1000)
            found += bool(hits)
        times.sort()
        r = {"queries": len(times), "found": found, "p50_ms": round(statistics.median(times), 2),
             "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2), "max_ms": round(times[-1], 2)}
        out[label] = r
        print(f"  {label:8} {json.dumps(r)}", flush=True)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0, help="minutes of espeak-ng speech")
    ap.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    ap.add_argument("--modes", nargs="+", default=["sequential", "batched"], choices=["sequential", "batched"])
    ap.add_argument("--words", type=int, default=10_000_000, help="words in the synthetic search catalog")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--catalog", default=None, help="library folder to build into / reuse")
    ap.add_argument("--skip-asr", action="store_true")
    ap.add_argument("--skip-search", action="store_true")
    ap.add_argument("--json", default=None, help="write all figures to this file")
    args = ap.parse_args(argv)
    figures = {}
    if not args.skip_asr:
        figures["asr"] = bench_asr(args)
    if not args.skip_search:
        figures["search"] = bench_search(args)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
