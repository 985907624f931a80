"""A programme of real faces for timing and scoring the faces stage: built, since no real programme
may be shipped or downloaded here.

Real photographs (benchmarks/real_faces.py: Eileen Collins, Grace Hopper, Barack Obama x3, Joe
Biden; public domain) cut into 1280x720 H.264 shots over real photographs from scikit-image as
backgrounds, with espeak-ng speech on the sound track. Shot kinds, as an archive programme has
them: still interviews (one big face, held), two-shots drifting, a person walking across, wide
group shots (3-4 faces 60-80 px high, half of them letterboxed 2.39:1) and b-roll pans without
faces. Every face's box in every frame is known (``truth``), so detection recall by face height
and clustering scores are measured against it.

    python benchmarks/face_programme.py OUT.mp4 [--minutes 10]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

W, H, RATE = 1280, 720, 25
LENGTHS = [75, 150, 100, 250, 50, 200, 125, 300, 100, 175]
KINDS = ["interview", "two-shot", "broll", "interview", "group", "walk", "interview", "two-shot", "group", "broll"]
BACKGROUNDS = ("coffee", "chelsea", "rocket", "immunohistochemistry", "hubble_deep_field", "coins", "retina",
               "colorwheel")
SENTENCES = [
    "We went out at first light, before the trucks came.", "Nobody expected the river to rise that fast.",
    "The mill closed in the spring and the town went quiet.", "She kept every letter in a shoebox under the bed.",
    "They said the bridge would hold, and it did, just.", "My father drove the night shift for thirty years.",
    "You could hear the band from the other side of the valley.", "It was the coldest winter anyone remembered.",
]


def heads(dest: Path):
    """[(person, head RGB image, face box (l, t, r, b) inside it)] from the real photographs."""
    from PIL import Image

    from benchmarks.real_faces import fetch
    from framesense.analysis.faces import image_faces
    out = []
    for person, _, path in fetch(dest):
        img = Image.open(path).convert("RGB")
        (f, *_) = sorted(image_faces(img), key=lambda f: -f.area)
        x, y, w, h = f.box[0] * img.width, f.box[1] * img.height, f.box[2] * img.width, f.box[3] * img.height
        l, t = max(0, int(x - 0.6 * w)), max(0, int(y - 0.7 * h))
        r, b = min(img.width, int(x + 1.6 * w)), min(img.height, int(y + 1.9 * h))
        out.append((person, img.crop((l, t, r, b)), (x - l, y - t, x + w - l, y + h - t)))
    return out


def _plan(total: int, rng) -> list[dict]:
    shots, start = [], 0
    for k in itertools.count():
        if start >= total:
            break
        n = min(LENGTHS[k % len(LENGTHS)], total - start)
        kind = KINDS[(k * 7 + k // len(KINDS)) % len(KINDS)]
        shots.append({"start": start, "frames": n, "kind": kind, "bg": BACKGROUNDS[k % len(BACKGROUNDS)],
                      "letterbox": kind == "group" and k % 2 == 0, "seed": int(rng.integers(1 << 30))})
        start += n
    return shots


class _Heads:
    """Picks heads so that no person is on screen twice: ``choice`` draws distinct people, one photograph each."""

    def __init__(self, names: list[str]):
        self.by_person: dict[str, list[int]] = {}
        for k, n in enumerate(names):
            self.by_person.setdefault(n, []).append(k)

    def pick(self, rng, n: int) -> list[int]:
        people = list(self.by_person)
        chosen = rng.choice(len(people), min(n, len(people)), replace=False)
        return [int(rng.choice(self.by_person[people[c]])) for c in chosen]


def _layout(shot: dict, people: list[str], rng) -> list[dict]:
    """Each face in the shot: who (a head), face height (px at 1280x720), centre at its first frame, velocity."""
    kind, out = shot["kind"], []
    people = _Heads(people)
    top = (H - int(W / 2.39)) // 2 if shot["letterbox"] else 0
    if kind == "interview":
        out.append({"who": people.pick(rng, 1)[0], "px": int(rng.integers(170, 260)),
                    "x": int(rng.integers(500, 780)), "y": 330, "vx": 0.0})
    elif kind == "two-shot":
        who = people.pick(rng, 2)
        px = int(rng.integers(100, 150))
        out += [{"who": int(who[0]), "px": px, "x": 400, "y": 330, "vx": 0.3},
                {"who": int(who[1]), "px": px, "x": 880, "y": 330, "vx": 0.3}]
    elif kind == "walk":
        out.append({"who": people.pick(rng, 1)[0], "px": int(rng.integers(120, 180)), "x": 250, "y": 330,
                    "vx": 1.5})
    elif kind == "group":
        who = people.pick(rng, int(rng.integers(3, 5)))
        n = len(who)
        for i in range(n):
            out.append({"who": int(who[i]), "px": int(rng.integers(60, 81)), "x": 220 + i * (840 // max(1, n - 1)),
                        "y": top + (H - 2 * top) // 2, "vx": 0.0})
    return out


def _frame_boxes(shot: dict, faces: list[dict], heads_: list, i: int):
    """[(face dict, head image scaled, paste corner, face box l, t, r, b)] at frame i of the shot."""
    out = []
    for f in faces:
        _, head, (fl, ft, fr, fb) = heads_[f["who"]]
        s = f["px"] / (fb - ft)
        cx, cy = f["x"] + f["vx"] * i, f["y"]
        box = (cx - (fr - fl) * s / 2, cy - (fb - ft) * s / 2, cx + (fr - fl) * s / 2, cy + (fb - ft) * s / 2)
        corner = (int(box[0] - fl * s), int(box[1] - ft * s))
        out.append((f, s, corner, box))
    return out


def write(path: Path, minutes: float = 10.0, dest: Path = Path("/tmp/framesense_real_faces"), seed: int = 29) -> dict:
    """Write the programme (once; kept beside it with its truth as PATH.json) and return the truth."""
    import av
    from PIL import Image
    from skimage import data

    from framesense.media.synth import _encode_audio, speak

    path = Path(path)
    truth_path = path.with_suffix(".json")
    if path.exists() and truth_path.exists():
        return json.loads(truth_path.read_text())
    rng = np.random.default_rng(seed)
    heads_ = heads(dest)
    total = int(minutes * 60 * RATE)
    plan = _plan(total, rng)
    bgs = {}
    for name in BACKGROUNDS:
        img = Image.fromarray(np.asarray(getattr(data, name)())).convert("RGB")
        bgs[name] = img.resize((W + 400, H), Image.BICUBIC)
    scaled: dict[tuple[int, float], Image.Image] = {}
    out = av.open(str(path), "w")
    v = out.add_stream("libx264", rate=RATE)
    v.width, v.height, v.pix_fmt = W, H, "yuv420p"
    v.options = {"preset": "veryfast", "crf": "20", "g": "50"}
    sr = 16000
    pcm = np.zeros(int(total / RATE * sr) + sr, np.float32)
    speech = []
    for k, at in enumerate(np.arange(1.0, total / RATE - 5, 7.0)):
        voice = speak(SENTENCES[k % len(SENTENCES)], sr)
        a = int(at * sr)
        pcm[a: a + voice.size] += voice[: max(0, pcm.size - a)]
        speech.append((float(at), SENTENCES[k % len(SENTENCES)]))
    a_stream = out.add_stream("aac", rate=sr)
    a_stream.layout = "mono"
    truth = {"path": str(path), "frames": total, "rate": RATE, "size": [W, H], "people": [p for p, _, _ in heads_],
             "speech": speech, "shots": []}
    for shot in plan:
        faces = _layout(shot, [p for p, _, _ in heads_], rng)
        moving = shot["kind"] in ("two-shot", "walk", "broll")
        pan = 2 if shot["kind"] == "broll" else 0
        still = None
        rec = dict(shot, faces=[dict(f, boxes=[]) for f in faces])
        for i in range(shot["frames"]):
            if still is not None and not moving:
                pic = still
            else:
                x0 = min(400, (i * pan) % 400)
                pic = bgs[shot["bg"]].crop((x0, 0, x0 + W, H))
                placed = _frame_boxes(shot, faces, heads_, i)
                for f, s, corner, _ in placed:
                    key = (f["who"], round(s, 4))
                    if key not in scaled:
                        hd = heads_[f["who"]][1]
                        scaled[key] = hd.resize((max(1, int(hd.width * s)), max(1, int(hd.height * s))), Image.LANCZOS)
                    pic.paste(scaled[key], corner)
                if shot["letterbox"]:
                    bar = (H - int(W / 2.39)) // 2
                    pic.paste((0, 0, 0), (0, 0, W, bar))
                    pic.paste((0, 0, 0), (0, H - bar, W, H))
                pic = np.asarray(pic)
                still = pic
            if i % 5 == 0 or i == shot["frames"] - 1:      # boxes every 5th frame (and the last) for scoring
                for rf, (_, _, _, box) in zip(rec["faces"], _frame_boxes(shot, faces, heads_, i)):
                    rf["boxes"].append([shot["start"] + i, *[round(c, 1) for c in box]])
            frame = av.VideoFrame.from_ndarray(pic, format="rgb24")
            frame.pts, frame.time_base = shot["start"] + i, Fraction(1, RATE)
            for packet in v.encode(frame):
                out.mux(packet)
        truth["shots"].append(rec)
    for packet in v.encode():
        out.mux(packet)
    _encode_audio(out, a_stream, pcm[: int(total / RATE * sr)], sr)
    out.close()
    truth_path.write_text(json.dumps(truth))
    return truth


# -- scoring a library's faces against the truth ------------------------------------------------

BUCKETS = ((0, 40), (40, 60), (60, 80), (80, 120), (120, 10_000))   # face height at the 640-px analysis width


def _iou(a, b) -> float:
    iw, ih = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    return iw * ih / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - iw * ih)


def _box_at(face: dict, frame: int):
    return min(face["boxes"], key=lambda b: abs(b[0] - frame))[1:]


def score(library: Path, truth: dict) -> dict:
    """Detection recall by face height (a face in a shot counts as found when a stored face of that
    shot overlaps it, IoU >= 0.3, at the stored face's frame), false faces, and how the found faces
    were clustered: purity, pair precision/recall, and pairs of one person on screen together."""
    from framesense.analysis.people import together
    from framesense.catalog import Catalog
    with Catalog.open(library, create=False) as cat:
        rows = cat.query("SELECT * FROM faces ORDER BY shot_idx, frame")
        shots = cat.query("SELECT idx, start_frame, end_frame FROM shots ORDER BY idx")
    sw = truth["size"][0]
    by_frame = []   # (row, truth label or None)
    found = {}
    for r in rows:
        box = (r["x"] * sw, r["y"] * truth["size"][1], (r["x"] + r["w"]) * sw, (r["y"] + r["h"]) * truth["size"][1])
        best, label = 0.3, None
        for k, shot in enumerate(truth["shots"]):
            if not shot["start"] <= r["frame"] < shot["start"] + shot["frames"]:
                continue
            for j, f in enumerate(shot["faces"]):
                iou = _iou(box, _box_at(f, r["frame"]))
                if iou >= best:
                    best, label = iou, (k, j)
        by_frame.append((r, label))
        if label:
            found[label] = True
    recall = {}
    for lo, hi in BUCKETS:
        keys = [(k, j) for k, s in enumerate(truth["shots"]) for j, f in enumerate(s["faces"])
                if lo <= f["px"] * 640 / sw < hi]
        if keys:
            recall[f"{lo}-{hi if hi < 10_000 else ''}px"] = [sum(found.get(x, False) for x in keys), len(keys)]
    labelled = [(r, truth["people"][truth["shots"][lab[0]]["faces"][lab[1]]["who"]]) for r, lab in by_frame if lab]
    tp = same_label = same_person = 0
    for (a, la), (b, lb) in itertools.combinations(labelled, 2):
        sl, sp = la == lb, a["person_id"] is not None and a["person_id"] == b["person_id"]
        same_label += sl
        same_person += sp
        tp += sl and sp
    clusters: dict = {}
    for r, lab in labelled:
        clusters.setdefault(r["person_id"], []).append(lab)
    purity = sum(max(c.count(x) for x in set(c)) for c in clusters.values()) / max(1, len(labelled))
    clash = sum(1 for a, b in itertools.combinations(rows, 2)
                if a["person_id"] is not None and a["person_id"] == b["person_id"] and
                (together(a, b) if "track_start" in a else (a["media_id"], a["frame"]) == (b["media_id"], b["frame"])))
    missed = [(s["kind"], round(f["px"] * 640 / sw)) for k, s in enumerate(truth["shots"])
              for j, f in enumerate(s["faces"]) if (k, j) not in found]
    return {"face_rows": len(rows), "missed_kind_and_height_at_640": missed, "false_faces": sum(1 for _, lab in by_frame if not lab),
            "truth_faces": sum(len(s["faces"]) for s in truth["shots"]), "shots_found": len(shots),
            "recall_by_height_at_640": recall,
            "recall": round(sum(v[0] for v in recall.values()) / max(1, sum(v[1] for v in recall.values())), 3),
            "people": len(clusters), "purity": round(purity, 3),
            "pair_precision": round(tp / max(1, same_person), 3), "pair_recall": round(tp / max(1, same_label), 3),
            "pairs_of_one_person_on_screen_together": clash}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--minutes", type=float, default=10.0)
    args = ap.parse_args()
    t = write(args.out, args.minutes)
    print(f"{args.out}: {len(t['shots'])} shots, {sum(len(s['faces']) for s in t['shots'])} faces")


if __name__ == "__main__":
    main()
