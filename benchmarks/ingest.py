"""Ingest throughput against bare decode: the shots scan alone, full ingest before and after
the one-pass change, and ``--jobs 2`` against 1 on a folder of clips.

Writes a 1280x720 H.264 clip with known cuts and a sound track (10 minutes by default),
then times:

1. bare decode (PyAV, same decoder threading);
2. the shots stage alone (``scan_video``): cuts, thumbnails;
3. full ingest, one pass: shots + fingerprint + speech (tiny.en) + pictures (a local tiny
   OpenCLIP checkpoint), the frame stages fed by the shots scan's decode;
4. full ingest, one decode per stage (how it ran before): shots first, then fingerprint and
   pictures each decoding alone (``FrameConsumer.analyze``), then speech;
5. ``framesense index --jobs 1`` vs ``--jobs 2`` on a folder of shorter clips (shots,
   fingerprints, pictures).

``--faces``: instead, the faces figures on a programme of real faces with speech
(benchmarks/face_programme.py, 10 minutes of 1280x720): bare decode; the default stages
without faces (shots, fingerprint, speech base); the same with faces; with ``--before DIR``
(an export of an earlier tree, e.g. ``git archive main``) the same with that tree's faces stage;
then each library's faces scored against the programme's truth (recall by face height, clustering).

Each full-ingest figure is reported as a ratio to bare decode (decode time / ingest time:
1.0 would mean ingest costs no more than decoding) and in times real time.

    python benchmarks/ingest.py [--minutes 10] [--folder-clips 6 --folder-seconds 30] [--keep FILE]
    python benchmarks/ingest.py --faces [--minutes 10] [--keep FILE] [--before DIR] [--speech-model base]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from framesense.analysis.scan import scan_video  # noqa: E402
from framesense.analysis.shots import score_boundaries  # noqa: E402
from framesense.media import probe  # noqa: E402
from framesense.media.frames import open_video  # noqa: E402
from framesense.media.synth import Shot, write_video  # noqa: E402

PATTERN = [48, 121, 75, 250, 33, 160, 96, 400, 62, 180]


def bare_decode(path) -> tuple[int, float]:
    t0 = time.perf_counter()
    n = 0
    with open_video(path) as (container, stream):
        for _ in container.decode(stream):
            n += 1
    return n, time.perf_counter() - t0


def clip(path: Path, seconds: float, rate: int = 25, width=1280, height=720, audio="tone", seed=1000):
    total = int(seconds * rate)
    lengths, k = [], 0
    while sum(lengths) < total:
        lengths.append(PATTERN[k % len(PATTERN)])
        k += 1
    lengths[-1] -= sum(lengths) - total
    if path.exists():
        import itertools
        return list(itertools.accumulate(lengths))[:-1]
    res = write_video(path, [Shot(n, seed + i) for i, n in enumerate(lengths) if n > 0], rate=str(rate),
                      width=width, height=height, audio=audio, gop=50)
    return res.cuts


CPU: dict[Path, float] = {}   # library -> CPU seconds its index took (the process and the ones it waited for)


def cli(library: Path, *args, root: Path = ROOT) -> float:
    """Wall seconds of ``framesense index`` run from ``root``'s code (its CPU seconds go to ``CPU``)."""
    import resource
    env = dict(os.environ, PYTHONPATH=str(root))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "framesense", "--library", str(library), "index", *map(str, args)],
                   check=True, env=env, cwd=str(root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[library] = CPU.get(library, 0.0) + after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall


def stage_seconds(library: Path) -> dict:
    from framesense.catalog import Catalog
    with Catalog.open(library, create=False) as cat:
        return {r["analyzer"]: round(r["s"], 2) for r in cat.query(
            "SELECT analyzer, sum(seconds) s FROM analysis_runs GROUP BY analyzer")}


def stage_figures(note: str, without_cpu: float, tracks: int) -> dict:
    """The faces stage's own CPU (its note: every step plus its helper processes), its share of an
    ingest that costs what the run without faces cost plus that, and its frames/s and faces/s."""
    import re
    steps = {k: float(v) for k, v in re.findall(r"(\w+) (\d+\.\d+)", note.split("CPU s:")[-1])}
    handed, searched = map(int, re.search(r"in (\d+) sampled frames \((\d+) searched", note).groups())
    stage = steps.pop("stage", sum(steps.values()))
    return {"faces_stage_cpu_seconds": round(stage, 1), "faces_stage_cpu_by_step": steps,
            "faces_stage_share_of_ingest_cpu": round(stage / (without_cpu + stage), 3),
            "faces_stage_sampled_frames_per_cpu_s": round(handed / stage, 1),
            "faces_stage_searched_frames_per_cpu_s": round(searched / stage, 1),
            "faces_stage_faces_per_cpu_s": round(tracks / stage, 1)}


def faces(args, work: Path) -> dict:
    """The faces stage's share of full ingest on a programme of real faces, and its detection and
    clustering scored against the programme's truth (before and after, when ``--before`` is given)."""
    from face_programme import score, write
    path = args.keep or work / "faces720.mp4"
    t0 = time.perf_counter()
    truth = write(path, args.minutes)
    print(f"programme ready in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    info = probe(path)
    duration = info.duration
    _, bare_s = bare_decode(path)
    common = ["--no-visual", "--speech-model", args.speech_model, path]
    runs = {"without_faces": cli(work / "nofaces", "--disable", "faces", *common),
            "with_faces": cli(work / "faces", *common)}
    if args.before:
        runs["with_faces_before"] = cli(work / "before", *common, root=args.before)

    def figures(name, lib):
        secs = runs[name]
        out = {"seconds": round(secs, 1), "x_realtime": round(duration / secs, 2), "cpu_seconds": round(CPU[lib], 1),
               "ratio_to_bare_decode": round(bare_s / secs, 3), "stage_seconds": stage_seconds(lib)}
        if name != "without_faces":
            extra = secs - runs["without_faces"]
            out["faces_added_seconds"] = round(extra, 1)
            out["faces_share_of_ingest"] = round(extra / secs, 3)
            cpu_extra = CPU[lib] - CPU[work / "nofaces"]
            out["faces_added_cpu_seconds"] = round(cpu_extra, 1)
            out["faces_share_of_ingest_cpu"] = round(cpu_extra / CPU[lib], 3)
            out["faces"] = score(lib, truth)
            from framesense.catalog import Catalog
            with Catalog.open(lib, create=False) as cat:
                out["faces_note"] = cat.one("SELECT detail FROM analysis_runs WHERE analyzer = 'faces'")["detail"]
            if "CPU s:" in out["faces_note"]:
                out.update(stage_figures(out["faces_note"], CPU[work / "nofaces"], out["faces"]["face_rows"]))
        out["x_realtime_cpu_2_cores"] = round(duration / (CPU[lib] / 2), 2)
        return out
    return {
        "programme": {"seconds": round(duration, 1), "size": f"{info.width}x{info.height}", "rate": info.rate_str,
                      "shots": len(truth["shots"]), "faces": sum(len(s["faces"]) for s in truth["shots"]),
                      "cpus": os.cpu_count()},
        "bare_decode_s": round(bare_s, 1), "bare_decode_x_realtime": round(duration / bare_s, 1),
        **{name: figures(name, work / {"without_faces": "nofaces", "with_faces": "faces",
                                       "with_faces_before": "before"}[name]) for name in runs},
        "load_average_after": open("/proc/loadavg").read().split()[:3] if Path("/proc/loadavg").exists() else None,
        "notes": "index times include process start and model loads; faces share = (with - without) / with; "
                 "CPU seconds count the index process and the processes it waited for (the faces pool); "
                 "the whole-run difference also carries the other stages' run-to-run spread (speech's threads "
                 "on a loaded machine), so the stage's own CPU (faces_stage_*: its steps in its helper processes "
                 "and its thread) is the figure for its share; x_realtime_cpu_2_cores = programme seconds / "
                 "(CPU seconds / 2): the speed 2 cores would give if nothing else ran on them",
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--faces", action="store_true", help="the faces figures on a programme of real faces")
    ap.add_argument("--before", type=Path, help="with --faces: an earlier tree to time the same way")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--keep", type=Path, help="reuse/keep the generated clip at this path")
    ap.add_argument("--folder-clips", type=int, default=6)
    ap.add_argument("--folder-seconds", type=float, default=30.0)
    ap.add_argument("--speech-model", default="tiny.en")
    args = ap.parse_args()

    from clip_fixture import make_tiny_clip

    tmp = tempfile.TemporaryDirectory()
    work = Path(tmp.name)
    # the built-in stages only (the shots + fingerprint + speech + pictures), whatever plugins are installed
    os.environ["FRAMESENSE_ENTRY_POINTS"] = "0"
    (work / "no-plugins").mkdir()
    os.environ["FRAMESENSE_PLUGINS"] = str(work / "no-plugins")
    os.environ["FRAMESENSE_CLIP_MODEL"] = str(make_tiny_clip(work / "tiny-clip"))
    if args.faces:
        print(json.dumps(faces(args, work), indent=2))
        return
    path = args.keep or work / "bench720.mp4"
    t0 = time.perf_counter()
    truth = clip(path, args.minutes * 60)
    print(f"clip ready in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    info = probe(path)
    duration = info.duration

    n, bare_s = bare_decode(path)
    t0 = time.perf_counter()
    result = scan_video(path, work / "scanlib", "b" * 32, expected_frames=info.frames)
    scan_s = time.perf_counter() - t0
    acc = score_boundaries([s[0] for s in result.shots[1:]], truth, tolerance=0)

    full = ["--speech-model", args.speech_model, path]
    one_pass = cli(work / "one", *full)
    # before: one decode per frame stage; shots first, then each stage alone, then speech
    before = (cli(work / "multi", "--no-speech", "--no-visual", "--disable", "fingerprint", path)
              + cli(work / "multi", "--no-speech", "--no-visual", path)
              + cli(work / "multi", "--no-speech", path)
              + cli(work / "multi", *full))

    folder = work / "folder"
    for i in range(args.folder_clips):
        clip(folder / f"c{i}.mp4", args.folder_seconds, width=1280, height=720, audio=None, seed=10 * i)
    folder_s = args.folder_clips * args.folder_seconds
    j1 = cli(work / "j1", "--no-speech", folder)
    j2 = cli(work / "j2", "--no-speech", "--jobs", "2", folder)

    out = {
        "clip": {"seconds": round(duration, 1), "frames": n, "size": f"{info.width}x{info.height}",
                 "rate": info.rate_str, "cpus": os.cpu_count()},
        "bare_decode_x_realtime": round(duration / bare_s, 1),
        "shots_stage": {"x_realtime": round(duration / scan_s, 1), "ratio_to_bare_decode": round(bare_s / scan_s, 3),
                        "shots": len(result.shots), "cut_precision": round(acc["precision"], 4),
                        "cut_recall": round(acc["recall"], 4)},
        "full_ingest_one_pass": {"seconds": round(one_pass, 1), "x_realtime": round(duration / one_pass, 2),
                                 "ratio_to_bare_decode": round(bare_s / one_pass, 3),
                                 "stage_seconds": stage_seconds(work / "one")},
        "full_ingest_decode_per_stage": {"seconds": round(before, 1), "x_realtime": round(duration / before, 2),
                                         "ratio_to_bare_decode": round(bare_s / before, 3),
                                         "stage_seconds": stage_seconds(work / "multi")},
        "one_pass_speedup": round(before / one_pass, 2),
        "folder": {"clips": args.folder_clips, "footage_s": folder_s, "jobs1_s": round(j1, 1), "jobs2_s": round(j2, 1),
                   "jobs1_x_realtime": round(folder_s / j1, 2), "jobs2_x_realtime": round(folder_s / j2, 2),
                   "speedup": round(j1 / j2, 2)},
        "notes": "index times include process start and model loads (as a user sees them); the "
                 "decode-per-stage figure adds three extra process starts (~1-2 s each)",
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
