"""Picture suggestions (issue 19, item 4): how long suggesting takes per cut, and how often the
person source puts the right person on V2.

    python benchmarks/suggest.py [--cuts 20] [--broll-shots 60]

Footage: talk files whose first shot is a real face (scikit-image's astronaut photograph, public
domain) and whose words are imported; one b-roll file of --broll-shots shots, every fifth the same
face mirrored and reframed, the rest textures. Indexed with dlib faces and a tiny real OpenCLIP
model (random weights: it times the picture search, it cannot judge what pictures mean). A cut's
person suggestion is right when it is a face shot of the b-roll file.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from PIL import Image, ImageOps  # noqa: E402

from framesense import Library  # noqa: E402
from framesense.api import IndexOptions  # noqa: E402
from framesense.media.synth import shot_texture, write_frames  # noqa: E402

W, H, N = 320, 240, 20


def fit(img: Image.Image) -> Image.Image:
    img = img.copy()
    img.thumbnail((W, H))
    out = Image.new("RGB", (W, H))
    out.paste(img, ((W - img.width) // 2, (H - img.height) // 2))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cuts", type=int, default=20)
    ap.add_argument("--broll-shots", type=int, default=60)
    args = ap.parse_args()
    from skimage import data as photos

    from clip_fixture import make_tiny_clip
    face = Image.fromarray(photos.astronaut())
    close, wide = fit(face.crop((90, 0, 370, 280))), fit(ImageOps.mirror(face.crop((0, 0, 512, 384))))
    root = Path(tempfile.mkdtemp(prefix="fs-suggest-"))
    talks = max(1, args.cuts // 2)
    for t in range(talks):
        write_frames(root / "footage" / f"talk{t:02d}.mp4",
                     [(50, close), (50, Image.fromarray(shot_texture(100 + t, H, W)[:, :W]))])
    broll = [(N, wide if k % 5 == 2 else Image.fromarray(shot_texture(k, H, W)[:, :W]))
             for k in range(args.broll_shots)]
    write_frames(root / "footage" / "broll.mp4", broll)
    lib = Library.open(root / "lib")
    lib.set_clip_model(str(make_tiny_clip(root / "tiny-clip")))
    t0 = time.perf_counter()
    lib.index([root / "footage"], IndexOptions(speech=False))
    index_s = time.perf_counter() - t0
    lines = []
    for t in range(talks):
        srt = root / f"talk{t:02d}.srt"
        said = [f"the astronaut number {t} waved", f"crew member {t} smiled at the camera"]
        srt.write_text(f"1\n00:00:00,200 --> 00:00:01,000\n{said[0]}\n\n2\n00:00:01,100 --> 00:00:01,900\n{said[1]}\n")
        lib.import_transcript(f"talk{t:02d}.mp4", srt)
        lines += said
    seq, report = lib.assemble(lines[: args.cuts])
    t0 = time.perf_counter()
    found = lib.suggest_pictures(seq)
    seconds = time.perf_counter() - t0
    face_shots = {k for k in range(args.broll_shots) if k % 5 == 2}

    def is_face(h):     # the same face: a b-roll face shot, or another talk file's first shot
        return (h.media_path.endswith("broll.mp4") and h.shot in face_shots) or \
            (h.media_path.rsplit("/", 1)[-1].startswith("talk") and h.shot == 0)
    person = [c for c in found if c.suggestions and "person" in c.suggestions[0].reasons]
    right = [c for c in person if is_face(c.suggestions[0].hit)]
    anywhere = [c for c in found if any("person" in s.reasons and is_face(s.hit) for s in c.suggestions)]
    out = {"cuts": len(seq.clips), "placed_lines": sum(r.status != "missing" for r in report),
           "broll_shots": args.broll_shots, "index_s": round(index_s, 1),
           "suggest_s": round(seconds, 3), "ms_per_cut": round(1000 * seconds / max(1, len(seq.clips)), 1),
           "with_picture": sum(1 for c in found if c.suggestions),
           "person_top": len(person), "person_top_right": len(right),
           "person_among_suggestions_right": len(anywhere),
           "unavailable": sorted({k for c in found for k in c.unavailable})}
    print(json.dumps(out, indent=2))
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "suggest_2core.json").write_text(json.dumps(out, indent=2) + "\n")
    lib.close()


if __name__ == "__main__":
    main()
