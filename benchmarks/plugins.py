"""Cost of the example plugins per shot, and of the plugin machinery itself.

Generates N shots of 320x180 footage (half intertitles, half textured scenes),
indexes it with the shots stage alone, then with each example plugin, and prints
seconds per shot for each stage. Run: python benchmarks/plugins.py [--shots 40]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from framesense.catalog import Catalog  # noqa: E402
from framesense.media.synth import shot_texture, write_frames  # noqa: E402


def footage(path: Path, shots: int, frames: int = 25):
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 32)
    except OSError:
        font = ImageFont.load_default(size=32)
    pics = []
    for k in range(shots):
        if k % 2:
            img = Image.fromarray(shot_texture(k, 180, 320)[:, :320])
        else:
            img = Image.new("RGB", (320, 180), (12, 12, 12))
            ImageDraw.Draw(img).text((160, 90), f"PART {k}", fill=(230, 230, 230), font=font, anchor="mm")
        pics.append((frames, img))
    return write_frames(path, pics)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shots", type=int, default=40)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        clip = footage(tmp / "bench.mp4", args.shots)
        folder = tmp / "plugins"
        folder.mkdir()
        for pkg in ("framesense-ocr/framesense_ocr", "framesense-palette/framesense_palette"):
            (folder / Path(pkg).name).symlink_to(ROOT / "plugins" / pkg)
        os.environ["FRAMESENSE_PLUGINS"] = str(folder)
        from framesense.plugins import get_plugins
        from framesense.plugins.pipeline import index_paths

        get_plugins(reload=True)
        cat = Catalog.open(tmp / "lib")
        t0 = time.perf_counter()
        report = index_paths(cat, [clip.path], {"speech": False, "visual": False})
        total = time.perf_counter() - t0
        runs = cat.query("SELECT analyzer, seconds FROM analysis_runs")
        shots = len(cat.shots(cat.media_list()[0]["id"]))
        print(f"{shots} shots of 320x180, {clip.frames} frames; index {total:.2f} s; {report.counts()}")
        for r in runs:
            print(f"  {r['analyzer']:10} {r['seconds']:7.2f} s  {1000 * r['seconds'] / shots:7.1f} ms/shot")
        t0 = time.perf_counter()
        for _ in range(20):
            get_plugins(reload=True)
        print(f"plugin discovery (builtin + 2 folder plugins): {1000 * (time.perf_counter() - t0) / 20:.1f} ms")
        from framesense.search.engine import run
        from framesense.search.query import SearchQuery
        for q in (SearchQuery(ocr="part 12"), SearchQuery(extra={"color": "orange"})):
            t0 = time.perf_counter()
            hits = run(cat, q)
            print(f"search {q.ocr or q.extra}: {len(hits)} hits in {1000 * (time.perf_counter() - t0):.1f} ms")


if __name__ == "__main__":
    main()
