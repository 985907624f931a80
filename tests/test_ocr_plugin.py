"""The OCR example plugin reads words drawn into generated frames and finds them with --ocr."""

from __future__ import annotations

import os

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from framesense.media.synth import shot_texture, write_frames

pytestmark = pytest.mark.slow   # real OCR (tesseract)

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_DIR = ROOT / "plugins" / "framesense-ocr"


def font(size):
    for name in ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def intertitle(text, w=320, h=180):
    """White words on black, like a silent-film intertitle."""
    img = Image.new("RGB", (w, h), (10, 10, 10))
    ImageDraw.Draw(img).text((w // 2, h // 2), text, fill=(235, 235, 235), font=font(34), anchor="mm")
    return img


def caption_over_scene(text, seed, w=320, h=180):
    """A dark caption strip with light text over a textured scene."""
    img = Image.fromarray(shot_texture(seed, h, w)[:, :w])
    d = ImageDraw.Draw(img)
    d.rectangle((0, h - 56, w, h), fill=(20, 20, 30))
    d.text((w // 2, h - 28), text, fill=(255, 255, 230), font=font(30), anchor="mm")
    return img


def plain_scene(seed, w=320, h=180):
    return Image.fromarray(shot_texture(seed, h, w)[:, :w])


def test_prepare_for_ocr_makes_dark_text_on_white():
    import sys
    sys.path.insert(0, str(PLUGIN_DIR))
    try:
        from framesense_ocr import prepare_for_ocr, read_text
    finally:
        sys.path.remove(str(PLUGIN_DIR))
    prepared = prepare_for_ocr(intertitle("HELLO"))
    a = np.asarray(prepared)
    assert prepared.height >= 720 and set(np.unique(a)) <= {0, 255}
    assert (a == 255).mean() > 0.8        # ground white, letters black
    text, conf = read_text(intertitle("CHAPTER ONE"))
    assert "CHAPTER" in text and conf > 60


def test_ocr_index_and_search(tmp_path, cli, library, monkeypatch, plugin_registry, qtbot):
    plugin_registry(PLUGIN_DIR)
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    clip = write_frames(tmp_path / "footage" / "film.mp4", [
        (25, intertitle("THE HARBOUR")),
        (25, plain_scene(3)),
        (25, caption_over_scene("Lighthouse keeper", 4)),
    ])
    rep = cli.json("index", clip.path)
    assert rep["files"][0]["stages"]["ocr"] == "done", rep
    shots = cli.json("shots", clip.path)
    assert [(s["start_frame"], s["end_frame"]) for s in shots] == clip.shot_ranges

    hits = cli.json("search", "--ocr", "harbour")
    assert len(hits) == 1 and hits[0]["kind"] == "ocr" and hits[0]["shot"] == 0
    assert hits[0]["start"] == pytest.approx(0.0) and hits[0]["end"] == pytest.approx(1.0)
    assert "HARBOUR" in hits[0]["text"]
    keeper = cli.json("search", "--ocr", "lighthouse keeper")
    assert [h["shot"] for h in keeper] == [2] and keeper[0]["start"] == pytest.approx(2.0)
    assert cli.json("search", "--ocr", "submarine") == []
    # the plugin's typed option, from the API and the app's generated mode: the CLI's hits
    from front_ends import api_search, app_search
    assert api_search(library, ocr="lighthouse keeper") == keeper == app_search(qtbot, library, "ocr: lighthouse keeper")
    # the thread limit went to Tesseract only: Whisper (OpenMP) in this process keeps its threads
    assert "OMP_THREAD_LIMIT" not in os.environ


def test_words_on_screen_are_suggested_as_pictures_over_a_take(tmp_path, cli, monkeypatch):
    """Picture suggestions from the OCR plugin, the way a user runs them: the line says 'harbour',
    an intertitle shows it; 'framesense suggest' lays that shot on V2."""
    monkeypatch.setenv("FRAMESENSE_PLUGINS", str(PLUGIN_DIR))     # the CLI's processes load the plugin
    write_frames(tmp_path / "footage" / "film.mp4", [(25, plain_scene(5)), (25, intertitle("THE HARBOUR"))])
    talk = write_frames(tmp_path / "footage" / "talk.mp4", [(75, plain_scene(6))])
    cli.json("index", tmp_path / "footage")
    srt = tmp_path / "talk.srt"
    srt.write_text("1\n00:00:00,500 --> 00:00:02,000\nwe sailed into the harbour\n")
    cli("transcript", "import", srt, "--media", talk.path)
    script = tmp_path / "paper.txt"
    script.write_text("we sailed into the harbour\n")
    cli("assemble", script, "-o", tmp_path / "paper.otio")
    out = cli.json("suggest", tmp_path / "paper.otio", "-o", tmp_path / "with-v2.otio", "--picture-sources", "text")
    (cut,) = out["cuts"]
    top = cut["suggestions"][0]
    assert top["reasons"] == ["text"] and top["media_path"].endswith("film.mp4") and top["shot"] == 1
    assert "text" not in cut["unavailable"]
    from framesense.timeline.otio_io import load
    (op,) = load(tmp_path / "with-v2.otio").overlay_placements()
    assert op.clip.media.name == "film.mp4" and op.clip.source_in >= 25
