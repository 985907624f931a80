"""Speech accuracy on real recorded speech: WER per model and language, phrase recall and edge error,
real-time factor.

    python benchmarks/speech_accuracy.py                       # tiny.en and base, English
    python benchmarks/speech_accuracy.py --models tiny.en --data /path/to/pocketsphinx/test/data
    python benchmarks/speech_accuracy.py --models base small --corpus ~/corpus   # es/, fr/, ... folders

Languages other than English: no package in the registries reachable here ships real non-English
speech with its reference text (searched: Debian's speech packages, where pocketsphinx-testdata is the
only recorded speech and it is English; PyPI's SpeechRecognition, whose tests name a french.aiff that
its sdist and wheel do not ship; dai-asr-i18n and lectura-stt, which ship no audio). So ``--corpus``
takes recordings the user has the right to use, one folder per language code, each recording beside
its reference text (``es/clip1.wav`` + ``es/clip1.txt``; wav, flac, mp3, ogg, m4a): a Common Voice
or Multilingual LibriSpeech subset laid out so, or an archive's own subtitled programmes. Each
language's WER is reported per model, with both sides normalised by that language's rules (its
numbers in words, its abbreviations, elisions split), and any model ``framesense models list`` can
fetch ("small", "medium") can be named in ``--models``.

The recordings come from Debian's ``pocketsphinx-testdata`` package (fetched with
``apt-get download`` into a cache folder when not given): five LibriVox readings of
Jane Austen's *Sense and Sensibility* (LibriVox recordings are public domain), five
card-name utterances and "go forward ten meters" from CMU Sphinx's test set (BSD
licence, see /usr/share/doc/pocketsphinx-testdata/copyright), each with its
reference transcript. Real voices, real rooms, nobody here made them.

WER is computed after normalising both sides the same way (case, punctuation,
hyphens, digits -> words with num2words, "Mr." -> "mister"). Phrase recall: 20
phrases from the references (the first and last words of each utterance) searched
with the real phrase search; the edge error is measured where the truth is known
without a forced aligner: a phrase that opens an utterance starts where its sound
starts, one that closes it ends where its sound ends (10 ms energy, real audio).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from framesense.analysis.registry import builtin_analyzers  # noqa: E402
from framesense.catalog import Catalog  # noqa: E402
from framesense.ingest import Indexer  # noqa: E402
from framesense.media.audio import decode_audio  # noqa: E402
from framesense.search.phrase import search_phrase  # noqa: E402
from framesense.search.query import SearchQuery  # noqa: E402
from framesense.search.language_words import ABBREVIATIONS  # noqa: E402
from framesense.transcript.languages import language_code, split_elisions  # noqa: E402
from framesense.transcript.model import normalize_word, split_words  # noqa: E402

PACKAGE = "pocketsphinx-testdata"


def fetch_data(cache: Path) -> Path:
    """The package's test data folder: apt-get download + dpkg -x (no install, no root needed)."""
    data = cache / "x" / "usr" / "share" / "pocketsphinx" / "test" / "data"
    if data.is_dir():
        return data
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "download", PACKAGE], cwd=cache, check=True, capture_output=True)
    deb = next(cache.glob(f"{PACKAGE}_*.deb"))
    subprocess.run(["dpkg", "-x", str(deb), str(cache / "x")], check=True)
    return data


def utterances(data: Path) -> dict[str, tuple[Path, str]]:
    """name -> (audio file, reference text)."""
    out = {}
    for folder, listing in (("librivox", "transcription"), ("cards", "cards.transcription")):
        for line in (data / folder / listing).read_text().splitlines():
            if "(" not in line:
                continue
            text, _, ident = line.rpartition("(")
            ident = ident.strip(" )")
            text = text.replace("<s>", "").replace("</s>", "").strip()
            out[ident] = (data / folder / f"{ident}.wav", " ".join(text.split()))
    out["goforward"] = (data / "goforward.raw", "go forward ten meters")
    return out


def to_wav(src: Path, dst: Path) -> Path:
    if src.suffix == ".raw":   # 16 kHz mono 16-bit little-endian
        pcm = src.read_bytes()
        with wave.open(str(dst), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(pcm)
    else:
        shutil.copy(src, dst)
    return dst


def norm_words(text: str, language: str = "en") -> list[str]:
    """Both sides of WER the same way, by the language's rules: case, punctuation, hyphens, elisions,
    digits as words, abbreviations in full ("Mr." as mister, "Sr." as señor)."""
    from num2words import num2words
    out = []
    for raw in split_words(text.replace(",", " ")):
        for piece in split_elisions(raw, language):
            w = normalize_word(piece)
            if not w:
                continue
            if w.isdigit():
                try:
                    said = num2words(int(w), lang=language)
                except NotImplementedError:
                    said = num2words(int(w))
                out += [normalize_word(x) for x in split_words(said.replace(",", ""))]
                continue
            full = ABBREVIATIONS.get(language, {}).get(w)
            out += full[0].split() if full else [w]
    return out


def word_errors(ref: list[str], hyp: list[str]) -> int:
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def sound_edges(path: Path) -> tuple[float, float]:
    """Where the utterance's sound starts and ends (10 ms RMS against the recording's own floor)."""
    x = decode_audio(path)
    hop = 160
    rms = np.sqrt((x[: x.size // hop * hop].reshape(-1, hop) ** 2).mean(axis=1))
    floor, peak = np.percentile(rms, [10, 99])
    loud = np.flatnonzero(rms > max(3 * floor, 0.05 * peak))
    return loud[0] * hop / 16000, (loud[-1] + 1) * hop / 16000


def phrases(refs: dict[str, str]) -> list[tuple[str, str, str]]:
    """(utterance, phrase, which edge is known): the opening and closing words of each utterance."""
    out = []
    for ident, text in refs.items():
        words = text.split()
        n = 3 if len(words) >= 6 else 2
        if len(words) >= 3:
            out.append((ident, " ".join(words[:n]), "start"))
            out.append((ident, " ".join(words[-n:]), "end"))
    return out[:20]


AUDIO = (".wav", ".flac", ".mp3", ".ogg", ".m4a", ".opus")


def corpus(folder: Path) -> dict[str, dict[str, tuple[Path, str]]]:
    """language -> {name: (recording, reference text)} from a folder of per-language folders."""
    out: dict[str, dict[str, tuple[Path, str]]] = {}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        lang = language_code(sub.name)
        for rec in sorted(p for p in sub.iterdir() if p.suffix.lower() in AUDIO):
            ref = rec.with_suffix(".txt")
            if ref.is_file():
                out.setdefault(lang, {})[f"{lang}-{rec.stem}"] = (rec, " ".join(ref.read_text("utf-8").split()))
    if not out:
        raise SystemExit(f"{folder}: no LANG/NAME.wav + LANG/NAME.txt pairs found")
    return out


def wer_by_language(models: list[str], sets: dict[str, dict[str, tuple[Path, str]]], work: Path) -> dict:
    """{model: {language: {"wer", "words", "recordings", "detected": {code: n}, "seconds"}}}."""
    out: dict = {}
    for model in models:
        lib = work / f"lib-lang-{model}"
        shutil.rmtree(lib, ignore_errors=True)
        out[model] = {}
        with Catalog.open(lib) as cat:
            for lang, utts in sets.items():
                files = {}
                for k, (p, _) in utts.items():
                    dst = work / "corpus" / lang / f"{k}{p.suffix.lower()}"
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    files[k] = to_wav(p, dst)
                Indexer(cat, builtin_analyzers({"speech": True, "speech_model": model, "visual": False})).run(
                    sorted(files.values()))
                errors = ref_words = 0
                detected: dict[str, int] = {}
                for k, p in files.items():
                    m = cat.media_by_path(str(p.resolve()))
                    t = cat.one("SELECT language FROM transcripts WHERE media_id = ?", (m["id"],))
                    detected[(t or {}).get("language") or "-"] = detected.get((t or {}).get("language") or "-", 0) + 1
                    hyp = " ".join(r["text"] for r in cat.query(
                        "SELECT text FROM words WHERE media_id = ? ORDER BY seq", (m["id"],)))
                    r, h = norm_words(utts[k][1], lang), norm_words(hyp, lang)
                    errors += word_errors(r, h)
                    ref_words += len(r)
                out[model][lang] = {"wer": round(errors / max(1, ref_words), 4), "words": ref_words,
                                    "recordings": len(files), "detected": detected}
    return out


def run(models: list[str], data: Path, keep: Path | None) -> dict:
    utts = utterances(data)
    work = Path(keep or tempfile.mkdtemp(prefix="fs-asr-"))
    footage = work / "footage"
    footage.mkdir(parents=True, exist_ok=True)
    files = {k: to_wav(p, footage / f"{k}.wav") for k, (p, _) in utts.items()}
    refs = {k: t for k, (_, t) in utts.items()}
    audio_s = sum(decode_audio(p).size / 16000 for p in files.values())
    edges = {k: sound_edges(p) for k, p in files.items()}
    results = {"data": f"Debian {PACKAGE} ({len(utts)} utterances, {audio_s:.1f} s)", "models": {}}
    for model in models:
        lib = work / f"lib-{model}"
        shutil.rmtree(lib, ignore_errors=True)
        from framesense.analysis.speech import load_whisper
        from framesense.models import resolve_speech_model
        load_whisper(resolve_speech_model(model))   # loaded once before timing, as in a long index run
        with Catalog.open(lib) as cat:
            Indexer(cat, builtin_analyzers({"speech": True, "speech_model": model, "visual": False})).run(
                sorted(files.values()))
            speech_s = sum(r["seconds"] for r in cat.query("SELECT seconds FROM analysis_runs WHERE analyzer = 'speech'"))
            errors = ref_words = 0
            per = {}
            for k, p in files.items():
                m = cat.media_by_path(str(p.resolve()))
                hyp = " ".join(r["text"] for r in cat.query(
                    "SELECT text FROM words WHERE media_id = ? ORDER BY seq", (m["id"],)))
                r, h = norm_words(refs[k]), norm_words(hyp)
                e = word_errors(r, h)
                errors += e
                ref_words += len(r)
                per[k] = {"wer": round(e / max(1, len(r)), 3), "heard": hyp}
            found, errs = 0, []
            for ident, text, edge in phrases(refs):
                hits = [h for h in search_phrase(cat, SearchQuery(phrase=text))
                        if Path(h.media_path).stem == ident]
                if not hits:
                    per[ident].setdefault("missed", []).append(text)
                    continue
                found += 1
                h = hits[0]
                w = h.extra["words"]
                truth = edges[ident][0 if edge == "start" else 1]
                got = w[0][1] if edge == "start" else w[-1][2]
                errs.append((edge, got - truth, h.extra["match"]))
                per[ident].setdefault("edges", []).append([text, edge, round(got - truth, 3), h.extra["match"]])
            starts = [abs(e) for kind, e, _ in errs if kind == "start"]
            ends = [abs(e) for kind, e, _ in errs if kind == "end"]
            # short utterances each cost a whole 30 s Whisper window: speed is also measured on all of
            # them joined into one recording (0.5 s apart), as a long archive file would be
            import time

            from framesense.analysis.speech import transcribe_samples
            joined = np.concatenate([np.concatenate([decode_audio(p), np.zeros(8000, np.float32)])
                                     for p in sorted(files.values())])
            t0 = time.perf_counter()
            transcribe_samples(load_whisper(resolve_speech_model(model)), joined)
            joined_rtf = joined.size / 16000 / (time.perf_counter() - t0)
            results["models"][model] = {
                "times_real_time_joined": round(joined_rtf, 1),
                "wer": round(errors / ref_words, 4),
                "wer_by_language": {"en": round(errors / ref_words, 4)},
                "phrase_recall": f"{found}/{len(phrases(refs))}",
                "start_error_s": {"median": round(float(np.median(starts)), 3), "max": round(max(starts), 3)}
                if starts else None,
                "end_error_s": {"median": round(float(np.median(ends)), 3), "max": round(max(ends), 3)}
                if ends else None,
                "end_clipped": sum(1 for kind, e, _ in errs if kind == "end" and e < -0.05),
                "times_real_time": round(audio_s / speech_s, 1) if speech_s else None,
                "match_kinds": {k: sum(1 for *_, m in errs if m == k) for k in {m for *_, m in errs}},
                "per_utterance": per,
            }
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    ap.add_argument("--data", type=Path, default=None, help="pocketsphinx test/data folder (else fetched)")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "fs-pocketsphinx-testdata")
    ap.add_argument("--keep", type=Path, default=None, help="work folder to keep (catalogs, wavs)")
    ap.add_argument("--corpus", type=Path, default=None,
                    help="real recordings per language: CORPUS/es/NAME.wav + CORPUS/es/NAME.txt (see above)")
    args = ap.parse_args()
    if args.corpus:
        work = Path(args.keep or tempfile.mkdtemp(prefix="fs-asr-lang-"))
        res = {"data": str(args.corpus), "wer_by_language": wer_by_language(args.models, corpus(args.corpus), work)}
        print(json.dumps(res, indent=2))
        for m, langs in res["wer_by_language"].items():
            print(f"{m}: " + ", ".join(f"{lang} WER {r['wer']:.1%} ({r['words']} words, detected {r['detected']})"
                                       for lang, r in langs.items()), file=sys.stderr)
        return
    data = args.data or fetch_data(args.cache)
    res = run(args.models, data, args.keep)
    print(json.dumps(res, indent=2))
    for m, r in res["models"].items():
        print(f"{m}: WER {r['wer']:.1%}, phrases {r['phrase_recall']}, start err {r['start_error_s']}, "
              f"end err {r['end_error_s']} ({r['end_clipped']} clipped > 50 ms), {r['times_real_time']}x real time "
              f"per file, {r['times_real_time_joined']}x joined",
              file=sys.stderr)


if __name__ == "__main__":
    main()
