"""Kill -9 during an index with speech, re-run, and compare the catalog row for row with a clean run.

    python benchmarks/kill_loop.py                  # 20 kills
    python benchmarks/kill_loop.py --kills 40 --files 4

Each round starts a fresh library, runs ``framesense index`` (shots, fingerprint,
speech with tiny.en) on generated footage with espeak-ng speech, SIGKILLs it at a
random moment, runs the same index again to the end, and compares media, shots,
transcripts, segments and words with a clean run's (ids and timestamps aside).
A round passes only when every table is equal. With OMP_THREAD_LIMIT=1 in the
environment (--omp-limit) it also shows the speech stage ignores that cap.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from framesense.media.synth import Shot, write_video  # noqa: E402

LINES = ["please call the office tomorrow morning", "the weather is very nice today",
         "open the door and sit down", "we counted twenty one boats in the harbour",
         "the colour of the sea was grey", "mister dashwood met the harbour master"]

QUERIES = {
    "media": "SELECT path, status, error, frames, duration, content_hash FROM media ORDER BY path",
    "shots": "SELECT m.path, s.idx, s.start_frame, s.end_frame, s.transition FROM shots s "
             "JOIN media m ON m.id = s.media_id ORDER BY m.path, s.idx",
    "transcripts": "SELECT m.path, t.stream, t.source, t.origin, t.language FROM transcripts t "
                   "JOIN media m ON m.id = t.media_id ORDER BY m.path, t.stream",
    "segments": "SELECT m.path, s.idx, s.start, s.end, s.text, s.norm, s.first_seq, s.last_seq FROM segments s "
                "JOIN media m ON m.id = s.media_id ORDER BY m.path, s.first_seq, s.idx",
    "words": "SELECT m.path, w.seq, w.text, w.start, w.end, w.probability FROM words w "
             "JOIN media m ON m.id = w.media_id ORDER BY m.path, w.seq",
}


def make_footage(folder: Path, files: int) -> list[Path]:
    out = []
    for k in range(files):
        a, b = LINES[(2 * k) % len(LINES)], LINES[(2 * k + 1) % len(LINES)]
        clip = write_video(folder / f"clip{k}.mp4", [Shot(60, k + 1), Shot(65, k + 11)], rate="25",
                           audio="silence", speech=[(0.3, a), (2.6, b)])
        out.append(clip.path)
    return out


def dump(lib: Path) -> dict:
    db = next(p for p in lib.glob("*.sqlite"))
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in QUERIES.items()}
    finally:
        con.close()


def index_cmd(lib: Path, footage: Path) -> list[str]:
    return [sys.executable, "-m", "framesense", "--library", str(lib), "index", "--speech-model", "tiny.en",
            "--no-visual", str(footage)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--files", type=int, default=3)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--omp-limit", action="store_true", help="run every index with OMP_THREAD_LIMIT=1")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="fs-kill-"))
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    if args.omp_limit:
        env["OMP_THREAD_LIMIT"] = "1"
    footage = work / "footage"
    make_footage(footage, args.files)
    clean = work / "clean"
    t0 = time.perf_counter()
    subprocess.run(index_cmd(clean, footage), check=True, capture_output=True, env=env)
    clean_s = time.perf_counter() - t0
    want = dump(clean)
    sizes = {k: len(v) for k, v in want.items()}
    print(f"clean run: {clean_s:.1f} s, rows {sizes}", file=sys.stderr)
    rounds = []
    for i in range(args.kills):
        lib = work / f"round{i}"
        at = rng.uniform(0.5, clean_s * 0.95)
        proc = subprocess.Popen(index_cmd(lib, footage), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=env, start_new_session=True)
        try:
            proc.wait(timeout=at)
            killed = False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            killed = True
        partial = {k: len(v) for k, v in dump(lib).items()} if any(lib.glob("*.sqlite")) else {}
        rerun = subprocess.run(index_cmd(lib, footage), capture_output=True, text=True, env=env)
        got = dump(lib)
        diff = [k for k in QUERIES if got[k] != want[k]]
        rounds.append({"round": i, "killed_at_s": round(at, 2), "killed": killed, "rows_at_kill": partial,
                       "rerun_rc": rerun.returncode, "equal": not diff, "differs": diff})
        print(json.dumps(rounds[-1]), file=sys.stderr)
        shutil.rmtree(lib, ignore_errors=True)
    killed = [r for r in rounds if r["killed"]]
    summary = {"clean_seconds": round(clean_s, 1), "clean_rows": sizes, "rounds": len(rounds),
               "killed": len(killed), "equal": sum(r["equal"] for r in rounds),
               "killed_mid_speech": sum(1 for r in killed if r["rows_at_kill"].get("media")
                                        and r["rows_at_kill"].get("words", 0) < sizes["words"]),
               "omp_limit": args.omp_limit}
    print(json.dumps(summary, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if summary["equal"] == len(rounds) else 1)


if __name__ == "__main__":
    main()
