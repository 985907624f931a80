"""Faces: detection + embedding throughput, how far the same real face drifts under archive changes
(the evidence for ``SAME_PERSON``), clustering of those faces, and face-search latency at many faces.

Real photographs: scikit-image's ``astronaut`` (NASA, public domain) as the face; ``coffee``,
``chelsea``, ``rocket`` as pictures without one. No package on the registry here ships a labelled
set of several real people with an open licence, so purity/recall are measured on one identity
(all its variants must form one person) plus the no-face pictures (must form none).

    python benchmarks/faces.py [--faces 1000000] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def variants():
    """The astronaut's face through scale, crop, mirror, grade, blur, letterbox, JPEG/H.264-like loss."""
    import io

    from PIL import Image, ImageEnhance, ImageFilter, ImageOps
    from skimage import data
    a = Image.fromarray(data.astronaut())
    out = {}
    for scale in (1.0, 0.75, 0.5, 0.4):
        out[f"scale {scale}"] = a.resize((int(512 * scale),) * 2, Image.LANCZOS)
    out["mirror"] = ImageOps.mirror(a)
    out["crop"] = a.crop((90, 0, 370, 280))
    out["grade warm"] = Image.merge("RGB", [c.point(lambda v, k=k: min(255, int(v * k)))
                                            for c, k in zip(a.split(), (1.2, 1.0, 0.75))])
    out["desaturate+contrast"] = ImageEnhance.Contrast(ImageEnhance.Color(a).enhance(0.2)).enhance(1.5)
    out["dark"] = ImageEnhance.Brightness(a).enhance(0.5)
    out["blur"] = a.filter(ImageFilter.GaussianBlur(2))
    box = Image.new("RGB", (640, 360))
    box.paste(a.resize((360, 360)), (140, 0))
    out["pillarbox 16:9"] = box
    buf = io.BytesIO()
    a.save(buf, "JPEG", quality=20)
    out["jpeg q20"] = Image.open(buf).convert("RGB")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--faces", type=int, default=1_000_000, help="catalog size for the search latency")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import numpy as np
    from PIL import Image
    from skimage import data

    from framesense.analysis.faces import detect_faces, frame_rgb, image_faces
    from framesense.analysis.people import SAME_PERSON
    from framesense.models import faces as fm

    models = fm.load(False)
    # 1. throughput on 640x360 frames (the analysis width), one face each
    frame = np.asarray(variants()["pillarbox 16:9"])
    detect_faces(models, frame)
    t, n = time.perf_counter(), 0
    while time.perf_counter() - t < 5:
        n += len(detect_faces(models, frame))
    dt = (time.perf_counter() - t) / max(1, n)
    print(f"faces/s (HOG, 640x360, detect+align+embed+thumb): {1 / dt:.1f}  ({dt * 1000:.0f} ms per frame)")

    # 2. drift of one real face under archive changes
    ref = image_faces(Image.fromarray(data.astronaut()))[0].embedding
    dists, missed = {}, []
    for name, img in variants().items():
        got = image_faces(img)
        if not got:
            missed.append(name)
            continue
        dists[name] = float(np.linalg.norm(got[0].embedding - ref))
    for name, d in sorted(dists.items(), key=lambda kv: kv[1]):
        print(f"  same face, {name:<22} distance {d:.3f}")
    print(f"same-face distance: max {max(dists.values()):.3f}, mean {np.mean(list(dists.values())):.3f}; "
          f"not detected: {missed or 'none'}; threshold SAME_PERSON = {SAME_PERSON}")
    none = sum(len(image_faces(Image.fromarray(getattr(data, k)()))) for k in ("coffee", "chelsea", "rocket"))
    print(f"faces found in 3 no-face photographs: {none}")

    # 3. clustering of those faces (one identity): purity and recall
    import sqlite3
    from framesense.catalog import Catalog
    from framesense.analysis.people import assign_faces, list_people
    with tempfile.TemporaryDirectory() as tmp:
        cat = Catalog.open(Path(tmp) / "lib")
        mid = cat.insert("media", {"path": "/b.mov", "folder": "/", "name": "b.mov", "status": "indexed"})
        embs = [image_faces(img)[0].embedding for name, img in variants().items() if name not in missed]
        with cat.transaction():
            ids = [cat.insert("faces", {"media_id": mid, "shot_idx": i, "frame": i, "x": 0, "y": 0, "w": .1, "h": .1,
                                        "score": 1, "embedding": e.astype("<f2").tobytes(), "model": "b"})
                   for i, e in enumerate(embs)]
            assign_faces(cat, ids)
        people = list_people(cat)
        biggest = max(p["faces"] for p in people)
        print(f"clustering: {len(embs)} faces of 1 person -> {len(people)} people; recall (largest cluster) "
              f"{biggest / len(embs):.2f}, purity 1.00 by construction (one identity)")

        # 4. search latency at many faces (random unit-ish descriptors, float16 blobs in SQLite)
        from framesense.search.faces import face_matches
        rng = np.random.default_rng(0)
        with cat.transaction():
            for a in range(0, args.faces, 100_000):
                k = min(100_000, args.faces - a)
                v = (rng.normal(size=(k, 128)) * 0.09).astype("<f2")
                cat.conn.executemany("INSERT INTO faces (media_id, shot_idx, frame, x, y, w, h, score, embedding, model)"
                                     " VALUES (?, 0, ?, 0, 0, .1, .1, 1, ?, 'b')",
                                     ((mid, a + i, v[i].tobytes()) for i in range(k)))
        face_matches(cat, ref)
        t = time.perf_counter()
        hits = face_matches(cat, ref)
        print(f"face search over {args.faces + len(embs):,} faces: {time.perf_counter() - t:.2f} s "
              f"(exact scan, {len(hits)} shots matched)")
        cat.close()


if __name__ == "__main__":
    main()
