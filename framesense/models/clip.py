"""Which OpenCLIP model pictures are embedded with, and loading it without the network.

A model is an open_clip architecture plus weights. A spec names it in one string:

- ``ARCH:TAG``           a pretrained tag (``ViT-B-32:openai``); usable once
                         ``framesense models download clip ARCH:TAG`` fetched it into
                         the model cache (the only place FrameSense touches the network);
- ``ARCH:/path/to.pt``   a built-in architecture with a local checkpoint file;
- ``/path/to/folder``    an open_clip folder (open_clip_config.json + weights), which may
                         hold a custom architecture.

The spec comes from ``--clip-model``, else ``$FRAMESENSE_CLIP_MODEL``, else the catalog's
``clip_model`` meta setting, else the default tag when it has been downloaded. Preprocessing
(input size, mean, std) travels with the loaded model.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from ..atomic_files import write_atomic
from ..config import model_cache_dir
from ..errors import ModelUnavailable
from .registry import ModelEntry, ModelKind, register_kind

DEFAULT_SPEC = "ViT-B-32:openai"
ENV_VAR = "FRAMESENSE_CLIP_MODEL"
META_KEY = "clip_model"
SUGGESTED = ("ViT-B-32:openai", "ViT-B-32:laion2b_s34b_b79k")

HOW_TO = (f"visual search is off: no CLIP model is installed. Turn it on with "
          f"'framesense models download clip {DEFAULT_SPEC}' (online), or point "
          f"${ENV_VAR} / --clip-model at a local checkpoint (ARCH:/path/to/checkpoint.pt "
          f"or an open_clip folder), then index again")


@dataclass(frozen=True)
class ClipSpec:
    arch: str | None            # None for an open_clip folder
    tag: str | None = None      # pretrained tag (download into the cache)
    path: str | None = None     # local checkpoint file or folder

    @property
    def text(self) -> str:
        if self.arch is None:
            return self.path
        return f"{self.arch}:{self.tag or self.path}"

    def model_id(self) -> str:
        """Names the weights exactly: a local file's size and mtime are part of it."""
        if self.tag:
            return f"open_clip:{self.arch}:{self.tag}"
        p = Path(self.path)
        files = [f for f in sorted(p.iterdir()) if f.is_file()] if p.is_dir() else [p]
        h = hashlib.blake2b(digest_size=6)
        for f in files:
            st = f.stat()
            h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
        return f"open_clip:{self.arch or 'dir'}:{p.name}:{h.hexdigest()}"


def parse_spec(text: str) -> ClipSpec:
    text = text.strip()
    if not text:
        raise ModelUnavailable("empty CLIP model spec")
    p = Path(text).expanduser()
    if p.is_dir():
        return ClipSpec(arch=None, path=str(p.resolve()))
    if ":" not in text:
        raise ModelUnavailable(f"CLIP model '{text}': expected ARCH:TAG, ARCH:/path/to/checkpoint "
                               f"or an open_clip folder")
    arch, rest = text.split(":", 1)
    rp = Path(rest).expanduser()
    if "/" in rest or os.sep in rest or rp.suffix in (".pt", ".pth", ".bin", ".safetensors"):
        return ClipSpec(arch=arch, path=str(rp.resolve()))
    return ClipSpec(arch=arch, tag=rest)


def _clip_cache() -> Path:
    return model_cache_dir() / "clip"


def _record_path(spec: ClipSpec) -> Path:
    return _clip_cache() / f"{spec.arch}__{spec.tag}.json"


def cached_checkpoint(spec: ClipSpec) -> str | None:
    """The downloaded file for a pretrained tag, or None (never touches the network)."""
    rec = _record_path(spec)
    if not rec.exists():
        return None
    try:
        path = json.loads(rec.read_text())["checkpoint"]
    except (ValueError, KeyError):
        return None
    return path if Path(path).is_file() else None


def configured_spec(explicit: str | None = None, catalog=None, setting: str | None = None
                    ) -> tuple[ClipSpec | None, str]:
    """(spec, where it came from); spec None when nothing is configured or downloaded.

    Order: explicit (--clip-model), $FRAMESENSE_CLIP_MODEL, the catalog's clip_model
    setting (``setting`` or read from ``catalog``), then a downloaded suggested tag.
    """
    if explicit:
        return parse_spec(explicit), "--clip-model"
    if os.environ.get(ENV_VAR):
        return parse_spec(os.environ[ENV_VAR]), f"${ENV_VAR}"
    value = setting or (catalog.meta(META_KEY) if catalog is not None else None)
    if value:
        return parse_spec(value), "catalog setting clip_model"
    for tag in SUGGESTED:
        spec = parse_spec(tag)
        if cached_checkpoint(spec):
            return spec, "model cache"
    return None, ""


def problem(spec: ClipSpec | None) -> str | None:
    """Why this spec cannot be loaded offline (None when it can)."""
    import importlib.util
    missing = [m for m in ("torch", "open_clip") if importlib.util.find_spec(m) is None]
    if missing:
        return (f"visual search is off: this installation has no {' or '.join(missing)}; "
                f"install from source with pip install 'framesense[visual]'")
    if spec is None:
        return HOW_TO
    if spec.tag:
        if not cached_checkpoint(spec):
            return (f"visual search is off: CLIP model {spec.text} is not downloaded. Run "
                    f"'framesense models download clip {spec.text}' while online, or give a local "
                    f"checkpoint with ${ENV_VAR}=ARCH:/path/to/checkpoint.pt")
        return None
    if not Path(spec.path).exists():
        return f"visual search is off: CLIP checkpoint {spec.path} does not exist ({HOW_TO})"
    if spec.arch:
        import open_clip
        if spec.arch not in open_clip.list_models():
            return f"visual search is off: unknown open_clip architecture '{spec.arch}' in {spec.text}"
    return None


def best_device() -> str:
    import torch
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


class ClipModel:
    """A loaded model with its preprocessing: embeds RGB arrays and texts to unit vectors."""

    def __init__(self, spec: ClipSpec, device: str | None = None):
        import open_clip
        import torch

        reason = problem(spec)
        if reason:
            raise ModelUnavailable(reason)
        self.spec = spec
        self.model_id = spec.model_id()
        self.device = device or best_device()
        if self.device == "cpu" and not os.environ.get("OMP_NUM_THREADS"):
            torch.set_num_threads(os.cpu_count() or 1)
        # Half precision on GPUs: about 6x the frames/s of fp32 for ViT-B-32 on an H200.
        self.precision = "fp16" if self.device == "cuda" else "fp32"
        self.dtype = torch.float16 if self.precision == "fp16" else torch.float32
        overrides = {}
        if spec.arch is None:
            name, pretrained = f"local-dir:{spec.path}", None
        elif spec.tag:
            name, pretrained = spec.arch, cached_checkpoint(spec)
            cfg = open_clip.get_pretrained_cfg(spec.arch, spec.tag)
            overrides = {k: cfg[k] for k in ("mean", "std") if k in cfg}
            if cfg.get("quick_gelu"):
                overrides["force_quick_gelu"] = True
        else:
            name, pretrained = spec.arch, spec.path
        try:
            model = open_clip.create_model(
                name, pretrained=pretrained, device=self.device, precision=self.precision,
                force_quick_gelu=overrides.pop("force_quick_gelu", False),
                force_preprocess_cfg=overrides or None)
        except Exception as exc:  # a broken or mismatched checkpoint: say which file
            raise ModelUnavailable(f"cannot load CLIP model {spec.text}: {exc}") from None
        model.eval()
        self.model = model
        self.tokenizer = open_clip.get_tokenizer(name)
        pp = open_clip.get_model_preprocess_cfg(model)
        size = pp.get("size", 224)
        self.size = (size, size) if isinstance(size, int) else tuple(size)   # (h, w)
        self.mean = torch.tensor(pp.get("mean", open_clip.OPENAI_DATASET_MEAN), dtype=torch.float32).view(1, 3, 1, 1)
        self.std = torch.tensor(pp.get("std", open_clip.OPENAI_DATASET_STD), dtype=torch.float32).view(1, 3, 1, 1)
        self.dim = int(model.text_projection.shape[1]) if getattr(model, "text_projection", None) is not None \
            else int(self.embed_images_np(__import__("numpy").zeros((1, *self.size, 3), "uint8")).shape[1])
        self._lock = threading.Lock()

    # preprocessing the decoder already did: frames arrive resized to cover self.size
    def prepare(self, rgb):
        """Centre-crop an RGB uint8 (h, w, 3) array that covers the input size."""
        h, w = self.size
        y = max(0, (rgb.shape[0] - h) // 2)
        x = max(0, (rgb.shape[1] - w) // 2)
        return rgb[y: y + h, x: x + w]

    def cover_size(self, width: int, height: int) -> tuple[int, int]:
        """The (w, h) to scale a picture to so it covers the input size (resize shortest side)."""
        th, tw = self.size
        scale = max(tw / width, th / height)
        return max(tw, int(round(width * scale))), max(th, int(round(height * scale)))

    def embed_images_np(self, batch):
        """(n, h, w, 3) uint8 at the input size -> (n, d) float32 unit vectors."""
        import numpy as np
        import torch

        x = torch.from_numpy(np.ascontiguousarray(batch)).permute(0, 3, 1, 2).float().div_(255)
        x = (x - self.mean) / self.std
        with torch.inference_mode():
            v = self.model.encode_image(x.to(self.device, self.dtype))
            v = torch.nn.functional.normalize(v.float(), dim=-1)
        return v.cpu().numpy()

    def embed_pil(self, images):
        """Embed PIL images (example images): resize shortest side, centre-crop, like frames."""
        import numpy as np
        from PIL import Image

        arrs = []
        for im in images:
            im = im.convert("RGB")
            w, h = self.cover_size(im.width, im.height)
            arrs.append(self.prepare(np.asarray(im.resize((w, h), Image.BICUBIC))))
        return self.embed_images_np(np.stack(arrs))

    def embed_texts(self, texts):
        import torch

        tokens = self.tokenizer(list(texts))
        with torch.inference_mode():
            v = self.model.encode_text(tokens.to(self.device))
            v = torch.nn.functional.normalize(v.float(), dim=-1)
        return v.cpu().numpy()


_LOADED: dict[str, ClipModel] = {}


def load(spec: ClipSpec) -> ClipModel:
    """Load once per process (the app and the CLI reuse it across searches)."""
    key = spec.model_id()
    if key not in _LOADED:
        _LOADED[key] = ClipModel(spec)
    return _LOADED[key]


def download(spec_text: str, progress=None) -> str:
    """Fetch a pretrained tag into the model cache (shows a progress bar); returns the file."""
    import open_clip
    from open_clip.pretrained import download_pretrained

    spec = parse_spec(spec_text)
    if not spec.tag:
        raise ModelUnavailable(f"{spec_text}: only ARCH:TAG names can be downloaded")
    cfg = open_clip.get_pretrained_cfg(spec.arch, spec.tag)
    if not cfg:
        tags = open_clip.list_pretrained_tags_by_model(spec.arch)
        raise ModelUnavailable(f"{spec_text}: unknown pretrained tag; {spec.arch} has: {', '.join(tags) or 'none'}")
    cache = _clip_cache()
    cache.mkdir(parents=True, exist_ok=True)
    path = download_pretrained(cfg, cache_dir=str(cache))  # tqdm shows the progress
    if not path:
        raise ModelUnavailable(f"{spec_text}: download gave no file")
    write_atomic(_record_path(spec), json.dumps({"spec": spec.text, "checkpoint": str(Path(path).resolve())}))
    return str(path)


def set_clip_model(catalog, spec_text: str | None) -> None:
    """Remember a model for this library (``models use clip SPEC``); None forgets it."""
    if spec_text:
        reason = problem(parse_spec(spec_text))
        if reason:
            raise ModelUnavailable(reason)
    with catalog.transaction():
        if spec_text:
            catalog.set_meta(META_KEY, spec_text)
        else:
            catalog.execute("DELETE FROM meta WHERE key = ?", (META_KEY,))


def clip_model_status(catalog=None) -> list[dict]:
    """Rows for ``framesense models list``: the suggested tags and the configured model."""
    rows = []
    spec, source = configured_spec(None, catalog)
    seen = set()
    if spec is not None:
        reason = problem(spec)
        rows.append({"kind": "clip", "name": spec.text, "source": source, "installed": reason is None,
                     "active": True, "path": spec.path or cached_checkpoint(spec), "note": reason})
        seen.add(spec.text)
    for tag in SUGGESTED:
        if tag in seen:
            continue
        s = parse_spec(tag)
        path = cached_checkpoint(s)
        rows.append({"kind": "clip", "name": tag, "source": "model cache" if path else "download",
                     "installed": bool(path), "active": False, "path": path,
                     "note": None if path else f"framesense models download clip {tag}"})
    return rows


def _list_clip() -> list[ModelEntry]:
    return [ModelEntry("clip", r["name"], r["path"], bool(r["installed"]), r["source"],
                       (r["note"] or "") + (" (active)" if r["active"] else ""))
            for r in clip_model_status()]


def _resolve_clip(name: str) -> Path:
    spec = parse_spec(name)
    reason = problem(spec)
    if reason:
        raise ModelUnavailable(reason)
    return Path(spec.path or cached_checkpoint(spec))


def _download_clip(name: str) -> Path:
    return Path(download(name))


register_kind(ModelKind(name="clip", list=_list_clip, resolve=_resolve_clip, download=_download_clip,
                        default=None))
