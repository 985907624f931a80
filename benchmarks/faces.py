"""Faces: detection + embedding throughput, how far one real face drifts under archive changes,
clustering purity/recall on a labelled set of real people, and face-search latency and memory at
many faces.

Real photographs (benchmarks/real_faces.py says where from; all public domain): Eileen Collins
(scikit-image ``astronaut``), Grace Hopper (matplotlib's sample data), Barack Obama (three
photographs) and Joe Biden (the ``face_recognition`` sdist's test images); ``coffee``, ``chelsea``,
``rocket`` as pictures without a face. Each photograph is put through the changes archives make
(scale, crop, mirror, grade, blur, letterbox, JPEG loss), so a person has several faces: one
photograph's variants, and for Obama three different photographs.

The threshold is chosen on that set; ``--holdout DIR`` (a checkout of github.com/ageitgey/
face_recognition at 2e2dcce) scores it on photographs never used to choose it: 17 of the
repository's example photographs, 6 named people and the unnamed faces beside them in group photos.
The stage's speed and detection recall by face height on a programme of real faces, and its share of
full ingest: ``benchmarks/ingest.py --faces`` (benchmarks/face_programme.py builds the programme).

    python benchmarks/faces.py [--faces 1000000] [--threads 2] [--skip-throughput] [--skip-clustering]
                               [--holdout DIR] [--thresholds 0.45,0.5,0.55]
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6)


def variants(img, box=None):
    """A photograph through scale, crop, mirror, grade, blur, letterbox and JPEG loss.

    ``box`` (x, y, w, h fractions) is the face, for the crop around it."""
    from PIL import Image, ImageEnhance, ImageFilter, ImageOps
    a = img.convert("RGB")
    if max(a.size) > 1024:                      # the analysis scales frames to 640 wide anyway
        a.thumbnail((1024, 1024), Image.LANCZOS)
    w, h = a.size
    out = {"original": a}
    for scale in (0.75, 0.5):
        out[f"scale {scale}"] = a.resize((int(w * scale), int(h * scale)), Image.LANCZOS)
    out["mirror"] = ImageOps.mirror(a)
    if box is not None:
        x, y, bw, bh = box
        cx, cy, r = (x + bw / 2) * w, (y + bh / 2) * h, max(bw * w, bh * h) * 1.5
        out["crop"] = a.crop((int(max(0, cx - r)), int(max(0, cy - r)), int(min(w, cx + r)), int(min(h, cy + r))))
    out["grade warm"] = Image.merge("RGB", [c.point(lambda v, k=k: min(255, int(v * k)))
                                            for c, k in zip(a.split(), (1.2, 1.0, 0.75))])
    out["desaturate+contrast"] = ImageEnhance.Contrast(ImageEnhance.Color(a).enhance(0.2)).enhance(1.5)
    out["dark"] = ImageEnhance.Brightness(a).enhance(0.5)
    out["blur"] = a.filter(ImageFilter.GaussianBlur(2))
    side = max(w, h * 16 // 9)
    box_img = Image.new("RGB", (side, side * 9 // 16))
    fit = a.copy()
    fit.thumbnail(box_img.size)
    box_img.paste(fit, ((box_img.width - fit.width) // 2, (box_img.height - fit.height) // 2))
    out["pillarbox 16:9"] = box_img
    buf = io.BytesIO()
    a.save(buf, "JPEG", quality=20)
    out["jpeg q20"] = Image.open(buf).convert("RGB")
    return out


def throughput(models, seconds=5.0, label="HOG"):
    import numpy as np
    from skimage import data

    from framesense.analysis.faces import detect_faces
    frame = np.asarray(variants(__import__("PIL.Image").Image.fromarray(data.astronaut()))["pillarbox 16:9"]
                       .resize((640, 360)))
    detect_faces(models, frame)
    t, n = time.perf_counter(), 0
    while time.perf_counter() - t < seconds:
        n += len(detect_faces(models, frame))
    dt = (time.perf_counter() - t) / max(1, n)
    print(f"faces/s ({label}, 640x360 frame, one face, detect+align+embed+thumb): {1 / dt:.2f}  "
          f"({dt * 1000:.0f} ms per face)")


# The held-out set: photographs in the face_recognition repository's examples (github.com/ageitgey/
# face_recognition at 2e2dcce, ``--holdout`` names a checkout; the photographs are not committed here).
# Never used to choose the threshold. Labels are the people left to right; faces beyond them are
# each their own (unnamed) person.
HOLDOUT = [
    (["Barack Obama"], "examples/obama-1080p.jpg"), (["Barack Obama"], "examples/obama-240p.jpg"),
    (["Barack Obama"], "examples/obama_small.jpg"), (["Barack Obama"], "examples/knn_examples/test/obama1.jpg"),
    (["Joe Biden"], "examples/knn_examples/train/biden/biden2.jpg"),
    (["Barack Obama", "Joe Biden"], "examples/two_people.jpg"),
    (["Joe Biden", "Barack Obama"], "examples/knn_examples/test/obama_and_biden.jpg"),
    (["Alex Lacamoire"], "examples/alex-lacamoire.png"),
    (["Alex Lacamoire"], "examples/knn_examples/train/alex_lacamoire/img1.jpg"),
    (["Alex Lacamoire"], "examples/knn_examples/test/alex_lacamoire1.jpg"),
    (["Kit Harington"], "examples/knn_examples/train/kit_harington/john1.jpeg"),
    (["Kit Harington"], "examples/knn_examples/train/kit_harington/john2.jpeg"),
    (["Kit Harington"], "examples/knn_examples/test/johnsnow_test1.jpg"),
    (["Rose Leslie"], "examples/knn_examples/train/rose_leslie/img1.jpg"),
    (["Rose Leslie"], "examples/knn_examples/train/rose_leslie/img2.jpg"),
    (["Rose Leslie", "Kit Harington"], "examples/knn_examples/test/kit_with_rose.jpg"),
    (["Lin-Manuel Miranda"], "examples/lin-manuel-miranda.png"),
]


def _photo_faces(img, labels: list[str], photo: str, mirrored: bool = False) -> list[tuple[str, object]]:
    """(label, Face) for a photograph's faces: one label: its largest face; several: left to right
    in the original (right to left when ``mirrored``), faces beyond the labels each a person of their own."""
    from framesense.analysis.faces import image_faces
    found = image_faces(img)
    if len(labels) == 1:
        return [(labels[0], found[0])] if found else []
    found.sort(key=lambda f: -(f.box[0] + f.box[2]) if mirrored else f.box[0])
    big = sorted(found, key=lambda f: -f.area)[:len(labels)]
    out, k = [], 0
    for n, f in enumerate(found):
        if any(f is b for b in big):
            out.append((labels[k] if k < len(labels) else f"{photo} face {n}", f))
            k += 1
        else:
            out.append((f"{photo} face {n}", f))
    return out


def labelled_faces(dest: Path, holdout: Path | None = None):
    """[(person, photograph, variant, embedding)] of each photograph's labelled faces in each variant
    (faces of one variant of one photograph are on screen together); and the misses.

    ``holdout``: the held-out photographs (``HOLDOUT``, in that checkout) instead of the tuning set."""
    from PIL import Image

    from benchmarks.real_faces import fetch
    sources = ([(labels, rel, holdout / rel) for labels, rel in HOLDOUT] if holdout else
               [([person], photo, path) for person, photo, path in fetch(dest)])
    rows, missed = [], []
    cache = Path(dest) / f"embeddings-{'holdout' if holdout else 'tuning'}.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    for labels, photo, path in sources:
        img = Image.open(path).convert("RGB")
        found = _photo_faces(img, labels, photo)
        if len(found) < len(labels):
            missed.append(f"{photo} (original: {len(found)} of {len(labels)})")
        if not found:
            continue
        box = found[0][1].box if len(labels) == 1 else None
        for name, v in variants(img, box).items():
            got = _photo_faces(v, labels, photo, mirrored=name == "mirror")
            rows.extend((person, photo, name, f.embedding) for person, f in got)
            if len(got) < len(labels):
                missed.append(f"{photo} {name}")
    cache.write_bytes(pickle.dumps((rows, missed)))
    return rows, missed


def distances(rows):
    import numpy as np
    emb = np.stack([r[3] for r in rows])
    d = np.linalg.norm(emb[:, None] - emb[None], axis=2)
    same_photo, same_person, other = [], [], []
    for i, j in itertools.combinations(range(len(rows)), 2):
        if rows[i][0] != rows[j][0]:
            other.append(d[i, j])
        elif rows[i][1] == rows[j][1]:
            same_photo.append(d[i, j])
        else:
            same_person.append(d[i, j])
    for name, v in (("same photograph, changed", same_photo), ("same person, other photograph", same_person),
                    ("different people", other)):
        v = np.asarray(v)
        print(f"  {name:<32} pairs {len(v):>4}  min {v.min():.3f}  median {np.median(v):.3f}  max {v.max():.3f}")
    return np.asarray(same_photo), np.asarray(same_person), np.asarray(other)


def cluster_scores(rows, threshold, seed):
    """Cluster with the real incremental code (analysis/people.py) in a shuffled order: purity, pairwise
    precision and recall, number of people."""
    import numpy as np

    from framesense.analysis.people import assign_faces
    from framesense.catalog import Catalog
    order = np.random.default_rng(seed).permutation(len(rows))
    # one shot a picture, numbered in the shuffled order (the clustering meets them in shot order)
    shot_of = {key: k for k, key in enumerate(dict.fromkeys((rows[i][1], rows[i][2]) for i in order))}
    with tempfile.TemporaryDirectory() as tmp:
        cat = Catalog.open(Path(tmp) / "lib")
        mid = cat.insert("media", {"path": "/b.mov", "folder": "/", "name": "b.mov", "status": "indexed"})
        with cat.transaction():
            ids = {int(i): cat.insert("faces", {
                "media_id": mid, "shot_idx": shot_of[rows[i][1], rows[i][2]], "frame": 0, "x": 0, "y": 0,
                "w": .1, "h": .1, "score": 1, "embedding": rows[i][3].astype("<f2").tobytes(), "model": "b"})
                for i in order}
            assign_faces(cat, list(ids.values()), threshold)
        person_by_id = {r["id"]: r["person_id"] for r in cat.query("SELECT id, person_id FROM faces")}
        person_of = {i: person_by_id[fid] for i, fid in ids.items()}
        together = sum(1 for i, j in itertools.combinations(range(len(rows)), 2)
                       if rows[i][1:3] == rows[j][1:3] and person_of[i] == person_of[j])
        assert together == 0, f"{together} pairs of faces from one picture were made one person"
        cat.close()
    labels = [r[0] for r in rows]
    clusters: dict[int, list[str]] = {}
    for i, lab in enumerate(labels):
        clusters.setdefault(person_of[i], []).append(lab)
    purity = sum(max(c.count(x) for x in set(c)) for c in clusters.values()) / len(rows)
    tp = same_label = same_cluster = 0
    for i, j in itertools.combinations(range(len(rows)), 2):
        sl, sc = labels[i] == labels[j], person_of[i] == person_of[j]
        same_label += sl
        same_cluster += sc
        tp += sl and sc
    return purity, tp / max(1, same_label), tp / max(1, same_cluster), len(clusters)


def clustering(dest: Path, holdout: Path | None = None, thresholds=THRESHOLDS):
    """Distances and clustering scores on the tuning set, then, if given, on the held-out set."""
    import numpy as np
    from PIL import Image
    from skimage import data

    from framesense.analysis.faces import image_faces
    from framesense.analysis.people import SAME_PERSON
    for name, folder in (("tuning", None), ("held-out", holdout)):
        if name == "held-out" and holdout is None:
            break
        rows, missed = labelled_faces(dest, folder)
        people = sorted({r[0] for r in rows})
        named = [p for p in people if " face " not in p]
        print(f"{name} set: {len(rows)} faces of {len(people)} people ({len(named)} labelled: "
              f"{', '.join(f'{p} {sum(r[0] == p for r in rows)}' for p in named)}) from "
              f"{len({r[1] for r in rows})} photographs through {len({r[2] for r in rows})} changes; "
              f"not (all) detected: {', '.join(missed) or 'none'}")
        distances(rows)
        if name == "tuning":
            none = sum(len(image_faces(Image.fromarray(getattr(data, k)()))) for k in ("coffee", "chelsea", "rocket"))
            print(f"  faces found in 3 no-face photographs: {none}")
        print("  threshold  purity  pair-recall  pair-precision  people (5 shuffled orders, mean)")
        for thr in thresholds:
            got = np.array([cluster_scores(rows, thr, seed) for seed in range(5)])
            mark = "  <- SAME_PERSON" if abs(thr - SAME_PERSON) < 1e-9 else ""
            print(f"  {thr:<9} {got[:, 0].mean():.3f}   {got[:, 1].mean():.3f}        {got[:, 2].mean():.3f}"
                  f"           {got[:, 3].mean():.1f} (of {len(people)}){mark}")


# -- search latency at many faces ------------------------------------------------------------------

def build_catalog(lib: Path, n: int, target, near: int = 300, per_shot: int = 10, shots_per_media: int = 100):
    """A real catalog with ``n`` synthetic faces: people around random centres, plus ``near`` faces
    of the query's person, spread over media and shots like indexed footage."""
    import numpy as np

    from framesense.catalog import Catalog
    rng = np.random.default_rng(0)
    cat = Catalog.open(lib)
    centres = (rng.normal(size=(max(1, n // 200), 128)) * 0.09).astype(np.float32)
    n_media = max(1, -(-n // (per_shot * shots_per_media)))
    t = time.perf_counter()
    with cat.transaction():
        made = 0
        for m in range(n_media):
            mid = cat.insert("media", {"path": f"/footage/{m}.mov", "folder": "/footage", "name": f"{m}.mov",
                                       "status": "indexed", "rate_num": 25, "rate_den": 1, "has_video": 1})
            cat.conn.executemany("INSERT INTO shots (media_id, idx, start_frame, end_frame) VALUES (?, ?, ?, ?)",
                                 ((mid, s, s * 100, s * 100 + 100) for s in range(shots_per_media)))
            first = cat.one("SELECT MIN(id) AS i FROM shots WHERE media_id = ?", (mid,))["i"]
            k = min(per_shot * shots_per_media, n - made)
            if k <= 0:
                break
            v = centres[rng.integers(len(centres), size=k)] + rng.normal(scale=0.025, size=(k, 128))
            if m < near // per_shot:       # the query's person in the first media
                v[:per_shot] = target + rng.normal(scale=0.02, size=(per_shot, 128))
            v = v.astype("<f2")
            cat.conn.executemany(
                "INSERT INTO faces (media_id, shot_id, shot_idx, frame, x, y, w, h, score, embedding, model) "
                "VALUES (?, ?, ?, ?, .4, .2, .2, .3, 1, ?, 'b')",
                ((mid, first + i // per_shot, i // per_shot, (i // per_shot) * 100 + i % per_shot, v[i].tobytes())
                 for i in range(k)))
            made += k
    print(f"catalog with {made:,} faces in {n_media:,} media built in {time.perf_counter() - t:.0f} s "
          f"({(lib / 'catalog.sqlite').stat().st_size / 1e6:.0f} MB)")
    cat.close()


def measure_search(lib: str, target: list, repeats: int = 7) -> dict:
    """Run in a fresh process: the cache build, face search latency, person search, peak memory."""
    import resource

    import numpy as np

    from framesense.analysis.people import assign_faces
    from framesense.catalog import Catalog
    from framesense.search.face_index import FaceIndex, cache_dir
    from framesense.search.faces import face_matches, person_matches, scan_face_matches
    t = np.asarray(target, np.float32)
    cat = Catalog.open(Path(lib))
    out = {"rss_start_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    a = time.perf_counter()
    FaceIndex.open(cat)
    out["cache_build_s"] = time.perf_counter() - a
    out["cache_mb"] = sum(p.stat().st_size for p in cache_dir(cat).iterdir()) / 1e6
    times, cpu = [], []
    for _ in range(repeats):
        a, c = time.perf_counter(), time.process_time()
        hits = face_matches(cat, t)
        times.append(time.perf_counter() - a)
        cpu.append(time.process_time() - c)
    out["face_search_s"], out["face_search_cpu_s"] = sorted(times), sorted(cpu)
    out["shots_matched"] = len(hits)
    out["rss_after_search_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    a = time.perf_counter()
    scanned = scan_face_matches(cat, t)
    out["scan_s"] = time.perf_counter() - a
    out["same_as_scan"] = ({s: (d, r["id"]) for s, (d, r) in scanned.items()} ==
                           {s: (d, r["id"]) for s, (d, r) in hits.items()})
    # A person: the query's faces clustered (they are a person once indexed), searched by id.
    ids = [r["id"] for r in cat.query("SELECT id FROM faces WHERE media_id = 1")]
    with cat.transaction():
        assign_faces(cat, ids)
    pid = cat.one("SELECT person_id FROM faces WHERE id = ?", (ids[0],))["person_id"]
    times = []
    for _ in range(repeats):
        a = time.perf_counter()
        person_matches(cat, pid)
        times.append(time.perf_counter() - a)
    out["person_search_s"] = sorted(times)
    # The whole search from a still, as the CLI and the app run it: the face found in the image
    # (dlib loads on the first), the cache searched, hits built for the matched shots.
    from framesense import Library
    still = Path(lib).parent / "still.png"
    with Library.open(Path(lib)) as library:
        times = []
        for _ in range(3):
            a = time.perf_counter()
            n_hits = len(library.search(face=str(still)))
            times.append(time.perf_counter() - a)
    out["library_search_s"], out["library_hits"] = times, n_hits
    # Catalog changes: ten faces added (append), then a file re-indexed (its faces deleted: compaction).
    with cat.transaction():
        row = cat.one("SELECT media_id, shot_id, shot_idx, embedding FROM faces WHERE media_id = 2 LIMIT 1")
        for k in range(10):
            cat.insert("faces", {"media_id": row["media_id"], "shot_id": row["shot_id"], "shot_idx": row["shot_idx"],
                                 "frame": 99_000 + k, "x": 0, "y": 0, "w": .1, "h": .1, "score": 1,
                                 "embedding": row["embedding"], "model": "b"})
    a = time.perf_counter()
    face_matches(cat, t)
    out["search_after_10_new_faces_s"] = time.perf_counter() - a
    with cat.transaction():   # re-indexing a file: its faces deleted and stored again (new ids)
        rows = cat.query("SELECT media_id, shot_id, shot_idx, frame, embedding FROM faces WHERE media_id = 3")
        cat.execute("DELETE FROM faces WHERE media_id = 3")
        for r in rows:
            cat.insert("faces", {**r, "x": 0, "y": 0, "w": .1, "h": .1, "score": 1, "model": "b"})
    a = time.perf_counter()
    face_matches(cat, t)
    out["search_after_reindex_s"] = time.perf_counter() - a
    out["rss_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cat.close()
    return out


def kernel_latency(n: int, repeats: int = 9):
    """The cache's search alone (no catalog, no SQLite): ``n`` synthetic descriptors written through
    ``FaceIndex``'s own writer, then ``within`` timed; for a quiet machine (``taskset -c 0,1``)."""
    import resource
    from types import SimpleNamespace

    import numpy as np

    from framesense.search.face_index import CacheState, FaceIndex, PARTS
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        idx = FaceIndex(SimpleNamespace(dir=tmp))       # only its folder is used here
        idx.dir.mkdir(parents=True)
        st = CacheState("bench", 0, 0, 0, 0, 0)
        for part in PARTS:
            idx._path(st.token, part).write_bytes(b"")
        files = idx._open_parts(st, "r+b")
        t = time.perf_counter()
        for a in range(0, n, 100_000):
            k = min(100_000, n - a)
            v = (rng.normal(size=(k, 128)) * 0.09).astype("<f2")
            idx._write(files, np.arange(a, a + k), np.arange(a, a + k) // 10, v)
        for f in files.values():
            f.close()
        build = time.perf_counter() - t
        st.count = n
        idx._map(st)
        target = np.asarray(idx.matrix[n // 2], np.float32) + 0.01
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            found = idx.within(target, 0.5)
            times.append(time.perf_counter() - t)
        times.sort()
        print(f"cache search alone over {n:,} faces ({os.cpu_count()} CPUs visible, THREADS="
              f"{__import__('framesense.search.face_index', fromlist=['x']).THREADS}): median "
              f"{times[len(times) // 2] * 1000:.0f} ms, best {times[0] * 1000:.0f} ms; {len(found[0])} found; "
              f"written in {build:.1f} s; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def search_latency(n: int, threads: int):
    from PIL import Image
    from skimage import data

    from framesense.analysis.faces import image_faces
    target = image_faces(Image.fromarray(data.astronaut()))[0].embedding
    with tempfile.TemporaryDirectory() as tmp:
        lib = Path(tmp) / "lib"
        Image.fromarray(data.astronaut()).save(Path(tmp) / "still.png")
        build_catalog(lib, n, target)
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
                   PYTHONPATH=str(Path(__file__).resolve().parents[1]))
        code = ("import json, sys; from benchmarks.faces import measure_search; "
                "print(json.dumps(measure_search(sys.argv[1], json.loads(sys.argv[2]))))")
        res = subprocess.run([sys.executable, "-c", code, str(lib), json.dumps(target.tolist())],
                             env=env, capture_output=True, text=True)
        if res.returncode:
            raise SystemExit(f"the measuring process failed:\n{res.stderr[-3000:]}")
        r = json.loads(res.stdout.strip().splitlines()[-1])
    fs, ps = r["face_search_s"], r["person_search_s"]
    print(f"face search over {n:,} faces ({threads} threads, fresh process): median {fs[len(fs) // 2] * 1000:.0f} ms, "
          f"best {fs[0] * 1000:.0f} ms, worst {fs[-1] * 1000:.0f} ms; {r['shots_matched']} shots matched; "
          f"same result as the catalog scan: {r['same_as_scan']} (scan: {r['scan_s']:.2f} s); CPU time per search "
          f"(all threads, steadier on a shared machine) median {r['face_search_cpu_s'][len(fs) // 2] * 1000:.0f} ms")
    print(f"  cache: built in {r['cache_build_s']:.1f} s on first search, {r['cache_mb']:.0f} MB on disk; "
          f"after 10 new faces {r['search_after_10_new_faces_s'] * 1000:.0f} ms, after a file re-indexed "
          f"{r['search_after_reindex_s'] * 1000:.0f} ms (search included)")
    print(f"  person search: median {ps[len(ps) // 2] * 1000:.1f} ms")
    ls = r["library_search_s"]
    print(f"  Library.search(face=still.png), {r['library_hits']} hits: first {ls[0] * 1000:.0f} ms (loads dlib), "
          f"then {ls[1] * 1000:.0f} ms, {ls[2] * 1000:.0f} ms (face detection + embedding of the still included)")
    print(f"  peak RSS: {r['rss_start_mb']:.0f} MB at start, {r['rss_after_search_mb']:.0f} MB after the searches, "
          f"{r['rss_peak_mb']:.0f} MB after the scan and cache updates")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--faces", type=int, default=1_000_000, help="catalog size for the search latency (0: skip)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--real", type=Path, default=Path(tempfile.gettempdir()) / "framesense_real_faces",
                    help="where benchmarks/real_faces.py puts the downloaded photographs")
    ap.add_argument("--holdout", type=Path, default=None,
                    help="a checkout of github.com/ageitgey/face_recognition (2e2dcce): the held-out photographs")
    ap.add_argument("--thresholds", default=",".join(map(str, THRESHOLDS)))
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-clustering", action="store_true")
    ap.add_argument("--cnn", action="store_true", help="also time the CNN detector (--faces-accurate) on the CPU")
    ap.add_argument("--kernel-only", type=int, default=0, help="only time the cache search over N synthetic faces")
    args = ap.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    if args.kernel_only:
        kernel_latency(args.kernel_only)
        return
    from framesense.models import faces as fm
    if not args.skip_throughput:
        throughput(fm.load(False))
        if args.cnn:
            throughput(fm.load(True), seconds=1.0, label="CNN, CPU")
    if not args.skip_clustering:
        clustering(args.real, args.holdout, [float(t) for t in args.thresholds.split(",")])
    if args.faces:
        search_latency(args.faces, args.threads)


if __name__ == "__main__":
    main()
