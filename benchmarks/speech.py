"""Speech benchmarks: transcription speed (times real time) and phrase-search latency.

    python benchmarks/speech.py                      # 10 min of speech; 10 M-word catalog
    python benchmarks/speech.py --minutes 1 --words 200000   # quick
    python benchmarks/speech.py --skip-asr --catalog /tmp/fs10m  # reuse a built catalog
    python benchmarks/speech.py --build-only --words 100000000 --catalog /work/bench/speech100m
    python benchmarks/speech.py --queries-only --catalog /work/bench/speech100m --json out.json

Targets: base >= 4x real time, tiny.en >= 12x on a 2-core CPU. Phrase search (issue 31), through
``Library.search``: p95 < 50 ms and p99 < 200 ms for every query kind at 100 million words (exact
2-3 and 6-8 words, a prefix after a word, real words shuffled, misspelt, an unknown word; 200 of
each drawn with a fixed seed), a 100-line paper edit under 5 s, the catalog under 150 bytes a
word, and one new hour of speech stored in under 10 s. Speech comes from espeak-ng sentences
built from a fixed word list; the search catalog is synthetic (Zipf-distributed vocabulary,
~12-word segments, 1,000 words per media file).
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


def _unindex(conn) -> list[str]:
    """Drop the pair index and the per-row triggers for a bulk load (inside its transaction); their SQL."""
    saved = [r[0] for r in conn.execute(
        "SELECT sql FROM sqlite_master WHERE name IN ('words_by_pair', 'words_count_ins', 'segments_fts_ins')")]
    for name, kind in (("words_by_pair", "INDEX"), ("words_count_ins", "TRIGGER"), ("segments_fts_ins", "TRIGGER")):
        conn.execute(f"DROP {kind} IF EXISTS {name}")
    return saved


def _reindex(conn, saved: list[str], t0: float) -> None:
    """After a bulk load: the full-text index, the pair index and the term counts, built once; commit."""
    conn.execute("INSERT INTO segments_fts (segments_fts) VALUES ('rebuild')")
    print(f"  FTS built ({time.perf_counter() - t0:.0f} s)", flush=True)
    for sql in saved:
        conn.execute(sql)
    print(f"  pair index built ({time.perf_counter() - t0:.0f} s)", flush=True)
    conn.execute("UPDATE terms SET count = c FROM (SELECT term_id, count(*) AS c FROM words GROUP BY term_id) x "
                 "WHERE x.term_id = terms.id")
    conn.execute("COMMIT")


def build_catalog(lib: Path, total_words: int, per_media: int = 1000, vocab_size: int = 50000, seed: int = 11,
                  batch: int = 500):
    """A catalog of synthetic transcripts, every word drawn afresh (no copies), loaded in bulk with
    the indexes and triggers rebuilt after.

    Words are drawn ``batch`` files at a time with numpy (Zipf over ``vocab_size`` terms, 6-17-word
    segments); each word row carries the term said after it, as ``store_transcripts`` writes it, and
    the pair index, the term counts and the full-text index are built once at the end
    (``words_by_pair``). 100 million words take about 20 minutes on two shared cores."""
    cat = Catalog.open(lib)
    if cat.one("SELECT max(rowid) AS n FROM segments")["n"] or 0:
        return cat
    conn = cat.conn
    conn.execute("PRAGMA cache_size = -1000000")
    conn.execute("PRAGMA journal_mode = OFF")   # a bulk load into a new file: no second copy of every page
    vocab = _vocab(vocab_size)
    words_of = np.array(vocab, dtype=object)
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, vocab_size + 1)
    p = 1 / ranks ** 1.07
    cdf = np.cumsum(p / p.sum())
    conn.execute("BEGIN")
    saved = _unindex(conn)
    conn.executemany("INSERT OR IGNORE INTO terms (id, norm) VALUES (?, ?)", [(i + 1, w) for i, w in enumerate(vocab)])
    n_media = total_words // per_media
    t0 = time.perf_counter()
    seg_id, done = 0, 0
    for m0 in range(0, n_media, batch):
        nb = min(batch, n_media - m0)
        media_ids = range(m0 + 1, m0 + nb + 1)
        conn.executemany(
            "INSERT INTO media (id, path, folder, name, status, rate_num, rate_den, frames, duration, has_video) "
            "VALUES (?, ?, '/bench', ?, 'indexed', 25, 1, 15000, 600.0, 1)",
            [(m, f"/bench/reel_{m - 1:06d}.mov", f"reel_{m - 1:06d}.mov") for m in media_ids])
        conn.executemany("INSERT INTO transcripts (id, media_id, stream, source, origin, language) "
                         "VALUES (?, ?, 1, 'whisper', 'bench', 'en')", [(m, m) for m in media_ids])
        ids = np.minimum(np.searchsorted(cdf, rng.random((nb, per_media))), vocab_size - 1) + 1
        # segment lengths 6..17, cut per file at per_media words
        lens = rng.integers(6, 18, size=(nb, per_media // 6 + 1))
        ends = np.cumsum(lens, axis=1)
        seg_rows, seg_of_word, seg_idx_of_word = [], np.empty((nb, per_media), np.int64), np.empty((nb, per_media))
        for b in range(nb):
            cut = np.minimum(ends[b], per_media)
            k = int(np.searchsorted(cut, per_media)) + 1
            bounds = np.concatenate([[0], cut[:k]])
            for j in range(k):
                seg_of_word[b, bounds[j]:bounds[j + 1]] = seg_id + 1 + j
                seg_idx_of_word[b, bounds[j]:bounds[j + 1]] = j
            starts = 0.5 + 0.35 * bounds[:-1] + 0.6 * np.arange(k)
            texts = words_of[ids[b] - 1]
            for j in range(k):
                a, z = int(bounds[j]), int(bounds[j + 1])
                text = " ".join(texts[a:z])
                seg_rows.append((seg_id + 1 + j, m0 + 1 + b, m0 + 1 + b, j, round(float(starts[j]), 3),
                                 round(float(starts[j] + 0.35 * (z - a)), 3), text.capitalize() + ".", text, a, z - 1))
            seg_id += k
        seq = np.broadcast_to(np.arange(per_media), (nb, per_media))
        start = np.round(0.5 + 0.35 * seq + 0.6 * seg_idx_of_word, 3)
        nxt = np.concatenate([ids[:, 1:], np.zeros((nb, 1), ids.dtype)], axis=1).ravel().tolist()
        for i in range(per_media - 1, len(nxt), per_media):
            nxt[i] = None
        conn.executemany("INSERT INTO segments (id, media_id, transcript_id, idx, start, end, text, norm, first_seq, "
                         "last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", seg_rows)
        conn.executemany(
            "INSERT INTO words (media_id, seq, term_id, segment_id, start, end, probability, text, next_term_id) "
            "VALUES (?, ?, ?, ?, ?, ?, 0.9, ?, ?)",
            zip(np.repeat(np.arange(m0 + 1, m0 + nb + 1), per_media).tolist(), seq.ravel().tolist(),
                ids.ravel().tolist(), seg_of_word.ravel().tolist(), start.ravel().tolist(),
                np.round(start + 0.3, 3).ravel().tolist(), words_of[ids.ravel() - 1].tolist(), nxt))
        done += nb * per_media
        if done % 5_000_000 < nb * per_media:
            print(f"  loaded {done:,} words ({time.perf_counter() - t0:.0f} s)", flush=True)
    print(f"  counting terms, building the pair index and FTS ({time.perf_counter() - t0:.0f} s) ...", flush=True)
    _reindex(conn, saved, t0)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = WAL")
    cat.close()
    mark_checked(lib)
    print(f"  built in {time.perf_counter() - t0:.0f} s", flush=True)
    return Catalog.open(lib)


def mark_checked(lib: Path) -> None:
    """Note the catalog this script just wrote as checked: every open otherwise runs SQLite's
    quick_check over it once per state of the file (minutes at 100M words), which is not what the
    benchmark measures."""
    (lib / "catalog.sqlite.checked").write_text(Catalog(lib, None)._stamp())


def _spoken(cat, rng: random.Random, n_media: int, lo: int, hi: int) -> list[str]:
    """lo..hi consecutive words said in one random file."""
    while True:
        ln = rng.randint(lo, hi)
        rows = cat.query("SELECT text FROM words WHERE media_id = ? AND seq BETWEEN ? AND ? ORDER BY seq",
                         (rng.randint(1, n_media), *(lambda s: (s, s + ln - 1))(rng.randint(0, 999 - ln))))
        if len(rows) == ln:
            return [r["text"] for r in rows]


def _shuffled(words: list[str], rng: random.Random) -> str:
    out = list(words)
    for _ in range(10):
        rng.shuffle(out)
        if out != words:
            break
    return " ".join(out)


def _misspelt(words: list[str], rng: random.Random) -> str:
    """The longest word with two neighbouring letters swapped (or one dropped when they are alike)."""
    w = list(words)
    i = max(range(len(w)), key=lambda k: len(w[k]))
    if len(w[i]) > 3:
        j = rng.randrange(len(w[i]) - 1)
        swapped = w[i][:j] + w[i][j + 1] + w[i][j] + w[i][j + 2:]
        w[i] = swapped if swapped != w[i] else w[i][:j] + w[i][j + 1:]
    return " ".join(w)


def query_sets(cat, n: int, seed: int = 5) -> dict[str, list[str]]:
    """The issue-31 query kinds, drawn at random from the catalog with a fixed seed."""
    rng = random.Random(seed)
    n_media = cat.one("SELECT max(id) AS n FROM media")["n"]
    known = {r["norm"] for r in cat.query("SELECT norm FROM terms")}
    sets: dict[str, list[str]] = {"exact 2-3": [], "exact 6-8": [], "prefix": [], "absent 2-3 (shuffled)": [],
                                  "absent 6-8 (shuffled)": [], "misspelt 2-3": [], "unknown word": []}
    for _ in range(n):
        sets["exact 2-3"].append(" ".join(_spoken(cat, rng, n_media, 2, 3)))
        sets["exact 6-8"].append(" ".join(_spoken(cat, rng, n_media, 6, 8)))
        a, b = _spoken(cat, rng, n_media, 2, 2)
        sets["prefix"].append(f"{a} {b[:2]}*")
        sets["absent 2-3 (shuffled)"].append(_shuffled(_spoken(cat, rng, n_media, 2, 3), rng))
        sets["absent 6-8 (shuffled)"].append(_shuffled(_spoken(cat, rng, n_media, 6, 8), rng))
        sets["misspelt 2-3"].append(_misspelt(_spoken(cat, rng, n_media, 2, 3), rng))
        while True:
            w = "".join(rng.choice("bcdfghjklmnprstvwzaeiouy") for _ in range(rng.randint(5, 9)))
            if w not in known:
                sets["unknown word"].append(w)
                break
    return sets


def _percentiles(times: list[float]) -> dict:
    times = sorted(times)
    at = lambda q: round(times[min(len(times) - 1, int(q * len(times)))], 2)   # noqa: E731
    return {"p50_ms": round(statistics.median(times), 2), "p95_ms": at(0.95), "p99_ms": at(0.99),
            "max_ms": round(times[-1], 2)}


def one_hour_of_speech(path: Path, words: int = 9000, seed: int = 13) -> Path:
    """A Whisper JSON transcript of about an hour (150 words a minute), words from the Zipf vocabulary."""
    rng = random.Random(seed)
    vocab = _vocab(50000)
    weights = [1 / r ** 1.07 for r in range(1, len(vocab) + 1)]
    drawn = rng.choices(vocab, weights=weights, k=words)
    segs, t, i = [], 0.5, 0
    while i < len(drawn):
        toks = drawn[i: i + rng.randint(6, 17)]
        ws = [{"word": w, "start": round(t + 0.4 * k, 3), "end": round(t + 0.4 * k + 0.3, 3), "probability": 0.9}
              for k, w in enumerate(toks)]
        segs.append({"start": ws[0]["start"], "end": ws[-1]["end"], "text": " ".join(toks), "words": ws})
        t, i = ws[-1]["end"] + 0.5, i + len(toks)
    path.write_text(json.dumps({"language": "en", "segments": segs}))
    return path


def bench_incremental(lib_dir: Path) -> dict:
    """One new hour of speech (its transcript as Whisper JSON) added to the catalog through the
    library's import, which stores it as indexing does: one transaction with its words, pairs,
    terms and full-text rows. Removed again afterwards, so the catalog stays as built."""
    from framesense import Library
    src = one_hour_of_speech(Path(tempfile.mkdtemp(prefix="fs-hour-")) / "hour.json")
    with Library.open(lib_dir) as lib:
        cat = lib.catalog
        with cat.transaction():
            cat.execute("DELETE FROM media WHERE path = '/bench/new_hour.mov'")
            cat.insert("media", {"path": "/bench/new_hour.mov", "folder": "/bench", "name": "new_hour.mov",
                                 "status": "indexed", "rate_num": 25, "rate_den": 1, "frames": 25 * 3700,
                                 "duration": 3700.0, "has_video": 1})
        t, cpu = time.perf_counter(), time.process_time()
        _, counts = lib.import_transcript("/bench/new_hour.mov", src)
        add_s, add_cpu = time.perf_counter() - t, time.process_time() - cpu
        t = time.perf_counter()
        hits = lib.search(phrase=" ".join(json.loads(src.read_text())["segments"][5]["text"].split()[:4]),
                          media=["new_hour"])
        search_ms = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        with cat.transaction():
            cat.execute("DELETE FROM media WHERE path = '/bench/new_hour.mov'")
        delete_s = time.perf_counter() - t
    mark_checked(lib_dir)   # the catalog as built again: the next open need not check it over
    return {"words": counts["words"], "add_s": round(add_s, 2), "add_cpu_s": round(add_cpu, 2),
            "found_after": bool(hits), "search_ms": round(search_ms, 1), "delete_s": round(delete_s, 2)}


def bench_search(args) -> dict:
    from framesense import Library
    from framesense.errors import QueryError
    lib = Path(args.catalog) if args.catalog else Path(tempfile.mkdtemp(prefix="fs-bench-")) / "lib"
    t0 = time.perf_counter()
    build_catalog(lib, args.words).close()
    build_s = time.perf_counter() - t0
    size = sum(f.stat().st_size for f in lib.glob("catalog.sqlite*") if not f.name.endswith((".bak", ".checked")))
    out: dict = {"build_s": round(build_s), "catalog_bytes": size, "loadavg_before": os.getloadavg()[0]}
    with Library.open(lib) as library:
        n_words = library.catalog.one("SELECT sum(count) AS n FROM terms")["n"] or 0
        out.update(words=n_words, bytes_per_word=round(size / max(1, n_words), 1))
        print(f"catalog: {n_words:,} words, {size / 1e6:.0f} MB ({out['bytes_per_word']} bytes a word) at {lib} "
              f"({build_s:.0f} s)", flush=True)
        sets = query_sets(library.catalog, args.queries)
        library.search(phrase="warm up")    # the first search imports the number and spelling libraries
        for label, queries in sets.items():
            times, cpu, found, refused = [], [], 0, 0
            for qtext in queries:
                c, t = time.process_time(), time.perf_counter()
                try:
                    hits = library.search(phrase=qtext, limit=50)
                except QueryError:
                    hits, refused = [], refused + 1
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
                found += bool(hits)
            # wall time, and this process's CPU time (what the search itself cost on shared cores)
            r = {"queries": len(times), "found": found, "refused": refused, **_percentiles(times),
                 "cpu": _percentiles(cpu), "slowest": queries[max(range(len(times)), key=times.__getitem__)]}
            out[label] = r
            print(f"  {label:22} {json.dumps(r)}", flush=True)
    if not args.skip_paper_edit:
        sys.path.insert(0, str(Path(__file__).parent))
        from assemble import bench_speed
        cpu = time.process_time()
        out["paper_edit"] = bench_speed(lib, args.words, lines=100)
        out["paper_edit"]["cpu_seconds"] = round(time.process_time() - cpu, 2)
        print(f"  paper edit             {json.dumps(out['paper_edit'])}", flush=True)
    if not args.skip_incremental:
        out["one_new_hour"] = bench_incremental(lib)
        print(f"  one new hour           {json.dumps(out['one_new_hour'])}", flush=True)
    out["loadavg_after"] = os.getloadavg()[0]
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
    ap.add_argument("--skip-paper-edit", action="store_true", help="no 100-line paper edit on the catalog")
    ap.add_argument("--skip-incremental", action="store_true", help="no new hour of speech added to the catalog")
    ap.add_argument("--build-only", action="store_true", help="build --catalog and stop (no ASR, no queries)")
    ap.add_argument("--queries-only", action="store_true",
                    help="only the query kinds against --catalog (no ASR, no paper edit, no new hour)")
    ap.add_argument("--json", default=None, help="write all figures to this file")
    args = ap.parse_args(argv)
    if args.build_only or args.queries_only:
        if not args.catalog:
            ap.error("--build-only and --queries-only need --catalog")
        args.skip_asr = args.skip_paper_edit = args.skip_incremental = True
    if args.build_only:
        t0 = time.perf_counter()
        build_catalog(Path(args.catalog), args.words).close()
        print(f"built {args.catalog} in {time.perf_counter() - t0:.0f} s", flush=True)
        return
    figures = {}
    if not args.skip_asr:
        figures["asr"] = bench_asr(args)
    if not args.skip_search:
        figures["search"] = bench_search(args)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
