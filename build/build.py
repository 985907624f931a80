"""Build the one-folder FrameSense bundle with PyInstaller: build/dist/framesense/.

Run it with the Python of the environment that has FrameSense and its extras installed
(``pip install -e '.[all,bundle]'``):

    python build/build.py            # CPU bundle: speech, phrase and picture search, shots, export, app
    python build/build.py --visual   # also torch + open_clip (open_clip checkpoints on torch; much larger)

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


def biggest(path: Path, n: int = 10) -> list[tuple[int, str]]:
    sizes = {}
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            rel = p.relative_to(path).parts
            key = "/".join(rel[:3]) if len(rel) > 3 else "/".join(rel)
            sizes[key] = sizes.get(key, 0) + p.stat().st_size
    return sorted(((s, k) for k, s in sizes.items()), reverse=True)[:n]


def _has_symtab(path: Path) -> bool:
    out = subprocess.run(["readelf", "-S", "-W", str(path)], capture_output=True, text=True).stdout
    return " .symtab " in out


def strip_libraries(bundle: Path) -> tuple[int, list[str]]:
    """Linux: strip symbol tables from bundled ELF files, keeping each stripped copy only if it still
    loads (dlopen in a child process, from the same folder so $ORIGIN run paths resolve).

    Returns (bytes saved, files left as they were because their stripped copy would not load).
    """
    if not sys.platform.startswith("linux") or not shutil.which("strip") or not shutil.which("readelf"):
        return 0, []
    saved, kept = 0, []
    env = dict(os.environ, LD_LIBRARY_PATH=str(bundle / "_internal"))
    for p in sorted(bundle.rglob("*.so*")):
        if not p.is_file() or p.is_symlink() or p.stat().st_size < 1 << 20 or not _has_symtab(p):
            continue
        tmp = p.with_name(p.name + ".stripped")
        if subprocess.run(["strip", "--strip-unneeded", "-o", str(tmp), str(p)], capture_output=True).returncode:
            tmp.unlink(missing_ok=True)
            kept.append(str(p.relative_to(bundle)))
            continue
        load = subprocess.run([sys.executable, "-c", "import ctypes, sys; ctypes.CDLL(sys.argv[1])", str(tmp)],
                              capture_output=True, text=True, env=env)
        if load.returncode == 0:
            saved += p.stat().st_size - tmp.stat().st_size
            tmp.replace(p)
        else:
            tmp.unlink()
            kept.append(str(p.relative_to(bundle)))
    return saved, kept


def unresolved_libraries(bundle: Path) -> dict[str, list[str]]:
    """Linux: libraries some bundled binary links but neither the bundle nor the system provides."""
    if not sys.platform.startswith("linux") or not shutil.which("ldd"):
        return {}
    internal = bundle / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))   # what the bootloader sets at run time
    missing: dict[str, list[str]] = {}
    for p in sorted(bundle.rglob("*")):
        if not p.is_file() or p.is_symlink() or not (".so" in p.name or p.parent == bundle):
            continue
        with open(p, "rb") as f:
            if f.read(4) != b"\x7fELF":
                continue
        out = subprocess.run(["ldd", str(p)], capture_output=True, text=True, env=env).stdout
        for line in out.splitlines():
            if "not found" in line:
                users = missing.setdefault(line.split()[0], [])
                if str(p.relative_to(bundle)) not in users:
                    users.append(str(p.relative_to(bundle)))
    return missing


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--visual", action="store_true", help="include torch + open_clip (picture search itself runs on onnxruntime in every bundle)")
    ap.add_argument("--clean", action="store_true", help="drop PyInstaller's cache in build/work first")
    ap.add_argument("--dist", type=Path, default=DIST, help="output folder (default: build/dist)")
    ap.add_argument("--no-strip", action="store_true", help="keep symbol tables in bundled libraries (Linux)")
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
    missing_imports = []
    with subprocess.Popen(cmd, env=env, cwd=HERE.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as proc:
        for line in proc.stdout:
            print(line, end="", flush=True)
            if "Hidden import" in line and "not found" in line:   # the spec names a module that is not there
                missing_imports.append(line.split("WARNING:", 1)[-1].strip())
    rc = proc.returncode
    took = time.monotonic() - t0
    if rc:
        print(f"error: PyInstaller failed (exit {rc}) after {took:.0f} s", file=sys.stderr)
        return rc
    if missing_imports:
        print("error: " + "; ".join(missing_imports) + " (fix the spec's hiddenimports)", file=sys.stderr)
        return 1
    out = args.dist / "framesense"
    if not args.no_strip:
        saved, unstrippable = strip_libraries(out)
        if saved or unstrippable:
            print(f"stripped symbol tables: {saved / 2**20:.0f} MiB saved; left as built (would not load "
                  f"stripped): {', '.join(unstrippable) or 'none'}")
        took = time.monotonic() - t0
    print(f"\nbuilt {out} ({'with' if args.visual else 'without'} picture search) in {took:.0f} s")
    print(f"bundle size: {folder_size(out) / 2**20:.0f} MiB")
    print("largest parts:")
    for size, name in biggest(out):
        print(f"  {size / 2**20:8.1f} MiB  {name}")
    missing = unresolved_libraries(out)
    for lib, users in sorted(missing.items()):
        print(f"warning: {lib} not found (linked by {', '.join(users[:3])}{' ...' if len(users) > 3 else ''})")
    print(f"linked libraries: {'all resolve' if not missing else f'{len(missing)} unresolved'}"
          " (system libraries of a desktop this machine lacks, e.g. Wayland's, are expected here)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
