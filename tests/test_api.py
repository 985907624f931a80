"""The Python API (framesense.Library) and the examples in docs/scripting.md, run as written."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from framesense.media.synth import Shot, write_frames, write_video

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "scripting.md"


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.S)


def intertitle(text, w=320, h=180):
    img = Image.new("RGB", (w, h), (10, 10, 10))
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 34)
    except OSError:
        font = ImageFont.load_default(size=34)
    ImageDraw.Draw(img).text((w // 2, h // 2), text, fill=(235, 235, 235), font=font, anchor="mm")
    return img


def flat(rgb, seed=0, w=320, h=180):
    rng = np.random.default_rng(seed)
    return np.clip(np.array(rgb, np.float32) + rng.normal(0, 5, (h, w, 3)), 0, 255).astype(np.uint8)


@pytest.fixture
def example_plugins(tmp_path, monkeypatch):
    """A user plugin folder holding the OCR and palette example packages (folder discovery)."""
    folder = tmp_path / "user-plugins"
    folder.mkdir()
    for pkg in ("framesense-ocr/framesense_ocr", "framesense-palette/framesense_palette"):
        (folder / Path(pkg).name).symlink_to(ROOT / "plugins" / pkg, target_is_directory=True)
    monkeypatch.setenv("FRAMESENSE_PLUGINS", str(folder))
    from framesense.plugins import get_plugins
    get_plugins(reload=True)
    yield folder
    import framesense.plugins.manager as manager
    manager._DEFAULT = None  # the next user reloads with the environment monkeypatch restores


@pytest.fixture
def footage(tmp_path):
    folder = tmp_path / "footage"
    write_frames(folder / "harbour.mp4", [(25, intertitle("THE HARBOUR")), (25, flat((250, 140, 0)))])
    write_frames(folder / "sea.mp4", [(20, flat((20, 40, 200), 1)), (30, flat((255, 150, 10), 2))])
    write_video(folder / "talk.mp4", [Shot(125, 5)], audio="silence",
                speech=[(1.0, "please call the office tomorrow morning")])
    return folder


@pytest.mark.slow   # real speech and OCR through the docs' examples
def test_docs_examples_run(tmp_path, footage, example_plugins, capsys):
    blocks = python_blocks(DOC.read_text())
    assert len(blocks) >= 4
    out = tmp_path / "out"
    out.mkdir()
    ns = {"LIBRARY": tmp_path / "lib", "FOOTAGE": footage, "OUTPUT": out}
    for code in blocks:
        exec(compile(code, str(DOC), "exec"), ns)
    printed = capsys.readouterr().out
    assert "{'new': 3}" in printed
    assert [(Path(h.media_path).name, h.shot, h.start, h.end) for h in ns["hits"]] == [("harbour.mp4", 0, 0.0, 1.0)]
    assert {(Path(h.media_path).name, h.shot) for h in ns["orange"]} == {("harbour.mp4", 1), ("sea.mp4", 1)}
    said = [(Path(h.media_path).name, h.text.lower()) for h in ns["said"]]
    assert said == [("talk.mp4", "call the office")]
    assert 1.0 <= ns["said"][0].start < ns["said"][0].end <= 3.5
    assert len(ns["seq"].clips) == 3          # the harbour's two padded shots overlap: joined, no frame twice
    # The EDL is read back by an independent parser: events land on the hits' frames.
    import pycmx
    with open(out / "harbour.edl") as f:
        edl = pycmx.parse_cmx3600(f)
    events = [e.edits[0] for e in edl.events]
    assert len(events) == 3
    assert events[0].source_in == "00:00:00:00" and events[0].source_out == "00:00:02:00"  # both shots, to the end of the file
    for ext in ("otio", "fcpxml", "xml"):
        assert (out / f"harbour.{ext}").stat().st_size > 0
    assert "palette" in printed and "loaded" in printed


@pytest.mark.slow   # the example plugins (OCR included) on real footage
def test_library_api_directly(tmp_path, footage, example_plugins):
    from framesense import Library
    from framesense.errors import FrameSenseError, QueryError

    with Library.open(tmp_path / "lib") as lib:
        rep = lib.index(footage, speech=False, disable=["palette"])
        assert rep.counts() == {"new": 3}
        assert lib.search(color="orange") == []          # palette was disabled for that run
        rep = lib.index(footage, speech=False)
        assert all(f.stages["ocr"] == "cached" and f.stages["palette"] == "done" for f in rep.files)
        assert len(lib.search(color="#ff9600")) == 2
        assert [len(lib.shots(m)) for m in lib.media()] == [2, 2, 1]
        assert lib.shots("sea.mp4")[1]["start_frame"] == 20
        with pytest.raises(QueryError):
            lib.search()
        hits = lib.search(ocr="harbour")
        with pytest.raises(FrameSenseError, match="cannot tell the export format"):
            lib.export(lib.sequence_from_hits(hits), tmp_path / "cut.unknown")
