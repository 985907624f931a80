"""A tiny randomly initialised OpenCLIP model saved the way users save checkpoints.

Identity retrieval (a frame finds its own shot) works with any deterministic encoder;
semantic quality would need real weights, which no registry here ships.
"""

from __future__ import annotations

import json
from pathlib import Path

TINY_CFG = {
    "embed_dim": 64,
    "vision_cfg": {"image_size": 64, "layers": 2, "width": 64, "patch_size": 16, "head_width": 32},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 2},
}


def make_tiny_clip(folder: Path) -> Path:
    """Write an open_clip folder (open_clip_config.json + weights) and return it."""
    import open_clip
    import torch

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "open_clip_config.json").write_text(json.dumps({
        "model_cfg": TINY_CFG,
        "preprocess_cfg": {"mean": [0.48, 0.46, 0.41], "std": [0.27, 0.26, 0.28]},
    }))
    torch.manual_seed(0)
    model = open_clip.CLIP(**TINY_CFG)
    torch.save(model.state_dict(), folder / "open_clip_pytorch_model.bin")
    return folder
