"""Build the one-folder FrameSense bundle with PyInstaller: build/dist/framesense/.

Run it with the Python of the environment that has FrameSense and its extras installed
(``pip install -e '.[all,bundle]'``):

    python build/build.py            # CPU bundle: speech, phrase search, shots, export, app
    python build/build.py --visual   # also torch + open_clip for picture search (much larger)

Then check it with ``build/smoke.sh``. The same command works on Windows and macOS.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DIST = HERE / "dist"
WORK = HERE / "work"


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def biggest(path: Path, n: int = 15) -> list[tuple[int, str]]:
    sizes = {}
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            rel = p.relative_to(path).parts
            key = "/".join(rel[:3]) if len(rel) > 3 else "/".join(rel)
            sizes[key] = sizes.get(key, 0) + p.stat().st_size
    return sorted(((s, k) for k, s in sizes.items()), reverse=True)[:n]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--visual", action="store_true", help="include torch + open_clip (picture search)")
    ap.add_argument("--clean", action="store_true", help="drop PyInstaller's cache in build/work first")
    ap.add_argument("--dist", type=Path, default=DIST, help="output folder (default: build/dist)")
    ap.add_argument("--quiet", action="store_true", help="PyInstaller log level WARN")
    args = ap.parse_args(argv)

    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print("error: PyInstaller is not installed in this Python; pip install 'framesense[bundle]'",
              file=sys.stderr)
        return 2
    env = dict(os.environ, FRAMESENSE_BUNDLE_VISUAL="1" if args.visual else "0")
    cmd = [sys.executable, "-m", "PyInstaller", str(HERE / "framesense.spec"), "--noconfirm",
           "--distpath", str(args.dist), "--workpath", str(WORK / ("visual" if args.visual else "cpu"))]
    if args.clean:
        cmd.append("--clean")
    if args.quiet:
        cmd += ["--log-level", "WARN"]
    shutil.rmtree(args.dist / "framesense", ignore_errors=True)
    print("+", " ".join(cmd), flush=True)
    t0 = time.monotonic()
    rc = subprocess.call(cmd, env=env, cwd=HERE.parent)
    took = time.monotonic() - t0
    if rc:
        print(f"error: PyInstaller failed (exit {rc}) after {took:.0f} s", file=sys.stderr)
        return rc
    out = args.dist / "framesense"
    print(f"\nbuilt {out} ({'with' if args.visual else 'without'} picture search) in {took:.0f} s")
    print(f"bundle size: {folder_size(out) / 2**20:.0f} MiB")
    print("largest parts:")
    for size, name in biggest(out):
        print(f"  {size / 2**20:8.1f} MiB  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
