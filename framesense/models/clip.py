"""Which CLIP model pictures are embedded with, on which runtime, and loading it without the network.

A spec names the model in one string:

- ``/path/to/folder``    an ONNX model folder (visual/ + textual/ towers, tokenizer, preprocess
                         config: Immich's layout, or what ``framesense models export-onnx`` wrote),
                         run on onnxruntime: no torch needed; or an open_clip folder
                         (open_clip_config.json + weights), run on torch;
- ``NAME``               an ONNX folder downloaded by ``framesense models download clip NAME``
                         (Immich's names: ``ViT-B-32__openai``, ``XLM-Roberta-Large-Vit-B-16Plus``);
- ``ARCH:TAG``           a pretrained tag (``ViT-B-32:openai``): the open_clip checkpoint when it
                         was downloaded and torch is here, else its ONNX download (``ARCH__TAG``);
- ``ARCH:/path/to.pt``   a built-in open_clip architecture with a local checkpoint file (torch).

The spec comes from ``--clip-model``, else ``$FRAMESENSE_CLIP_MODEL``, else the catalog's
``clip_model`` meta setting, else a suggested model when it has been downloaded. Each model
has an identity (``model_id``) its vectors are stored under: the torch model and the ONNX
export of the same weights share it, and searches only compare vectors of one identity.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..atomic_files import write_atomic
from ..config import model_cache_dir
from ..errors import ModelUnavailable
from . import clip_onnx
from .registry import ModelEntry, ModelKind, register_kind

DEFAULT_SPEC = "ViT-B-32:openai"
ENV_VAR = "FRAMESENSE_CLIP_MODEL"
META_KEY = "clip_model"
SUGGESTED = ("ViT-B-32:openai", "ViT-B-32:laion2b_s34b_b79k", "XLM-Roberta-Large-Vit-B-16Plus")
HUB_OWNER = "immich-app"      # where the ONNX exports are published (Hugging Face hub)

HOW_TO = (f"visual search is off: no CLIP model is installed. Turn it on with "
          f"'framesense models download clip {DEFAULT_SPEC}' (online), or point "
          f"${ENV_VAR} / --clip-model at a local model: an ONNX model folder (made by "
          f"'framesense models export-onnx'), ARCH:/path/to/checkpoint.pt or an open_clip folder; "
          f"then index again")


@dataclass(frozen=True)
class ClipSpec:
    arch: str | None            # None for a folder or an ONNX download name
    tag: str | None = None      # pretrained tag, or the ONNX download name when arch is None
    path: str | None = None     # local checkpoint file or folder
    onnx: bool = False          # path is an ONNX model folder, or tag an ONNX download name

    @property
    def text(self) -> str:
        if self.arch is None:
            return self.path or self.tag
        return f"{self.arch}:{self.tag or self.path}"

    def model_id(self) -> str:
        """Names the weights exactly: a local checkpoint's size and mtime are part of it; an ONNX
        folder says which weights it holds (framesense.json) or is named by its towers' sizes."""
        if self.tag and self.arch:
            return f"open_clip:{self.arch}:{self.tag}"
        folder = onnx_folder(self)
        if folder is not None:
            return clip_onnx.identity(folder)["model_id"]
        if self.tag:
            return f"onnx:{self.tag}"
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
        if clip_onnx.is_onnx_folder(p):
            return ClipSpec(arch=None, path=str(p.resolve()), onnx=True)
        if not (p / "open_clip_config.json").is_file():
            raise ModelUnavailable(
                f"{p}: not a picture model folder: neither {clip_onnx.VISUAL} (an ONNX model folder) nor "
                f"open_clip_config.json (an open_clip folder) is in it")
        return ClipSpec(arch=None, path=str(p.resolve()))
    if ":" not in text:
        if "/" in text or os.sep in text:
            raise ModelUnavailable(f"picture model folder {p} does not exist")
        return ClipSpec(arch=None, tag=text, onnx=True)     # an ONNX download name
    arch, rest = text.split(":", 1)
    rp = Path(rest).expanduser()
    if "/" in rest or os.sep in rest or rp.suffix in (".pt", ".pth", ".bin", ".safetensors"):
        return ClipSpec(arch=arch, path=str(rp.resolve()))
    return ClipSpec(arch=arch, tag=rest)


def _clip_cache() -> Path:
    return model_cache_dir() / "clip"


def _record_path(spec: ClipSpec) -> Path:
    return _clip_cache() / f"{spec.arch}__{spec.tag}.json"


def onnx_name(spec: ClipSpec) -> str | None:
    """The name an ONNX download of this spec has (Immich's: ARCH__TAG), or None."""
    if spec.arch is None:
        return spec.tag
    return f"{spec.arch}__{spec.tag}" if spec.tag else None


def onnx_folder(spec: ClipSpec) -> Path | None:
    """The ONNX folder this spec runs from, or None (torch): a local folder, or a download."""
    if spec.onnx and spec.path:
        return Path(spec.path)
    name = onnx_name(spec)
    if name is None:
        return None
    folder = _clip_cache() / "onnx" / name
    if spec.onnx or ((folder / clip_onnx.IDENTITY).is_file() and not (cached_checkpoint(spec) and _has_torch())):
        return folder
    return None


def _has_torch() -> bool:
    import importlib.util
    return all(importlib.util.find_spec(m) is not None for m in ("torch", "open_clip"))


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
    setting (``setting`` or read from ``catalog``), then a downloaded suggested model.
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
        if (cached_checkpoint(spec) and _has_torch()) or _downloaded_onnx(spec):
            return spec, "model cache"
    return None, ""


def _downloaded_onnx(spec: ClipSpec) -> bool:
    name = onnx_name(spec)
    return bool(name) and (_clip_cache() / "onnx" / name / clip_onnx.IDENTITY).is_file()


def problem(spec: ClipSpec | None) -> str | None:
    """Why this spec cannot be loaded offline (None when it can)."""
    from ..installation import how_to_get
    if spec is None:
        return HOW_TO
    folder = onnx_folder(spec)
    if folder is not None:
        if spec.tag and not folder.is_dir():
            return (f"visual search is off: CLIP model {spec.text} is not downloaded. Run "
                    f"'framesense models download clip {spec.text}' while online, or give a local "
                    f"model folder with ${ENV_VAR}=/path/to/folder")
        reason = clip_onnx.folder_problem(folder)
        return f"visual search is off: {reason}" if reason and not reason.startswith("visual") else reason
    if not _has_torch():
        if spec.tag:
            return (f"visual search is off: CLIP model {spec.text} is not downloaded. Run "
                    f"'framesense models download clip {spec.text}' while online (its ONNX export, no torch "
                    f"needed), or give an ONNX model folder with ${ENV_VAR}=/path/to/folder")
        return (f"visual search is off: {spec.text} is an open_clip checkpoint, which needs torch "
                f"({how_to_get('torch', 'torch')}); or turn it into an ONNX model folder once, where torch "
                f"is, with 'framesense models export-onnx {spec.text} OUTDIR'")
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


def text_languages(spec: ClipSpec) -> str:
    """What a model's text tower reads, for people ("English", "about 100 languages (XLM-RoBERTa)"),
    without loading it: an ONNX folder's identity or tokenizer; open_clip's config for torch."""
    folder = onnx_folder(spec)
    if folder is not None:
        return clip_onnx.describe_languages(folder)
    if spec.arch:
        import open_clip
        cfg = open_clip.get_model_config(spec.arch) or {}
    else:       # an open_clip folder
        cfg = clip_onnx.read_json(Path(spec.path) / "open_clip_config.json").get("model_cfg") or {}
    tokenizer = (cfg.get("text_cfg") or {}).get("hf_tokenizer_name", "")
    return clip_onnx.languages_text(("*",) if clip_onnx.multilingual_name(f"{spec.arch} {tokenizer}") else ("en",),
                                    f"{spec.arch} {tokenizer}")


def ClipModel(spec: ClipSpec, device: str | None = None):
    """Load a spec on its runtime: onnxruntime for an ONNX folder, else torch (open_clip)."""
    folder = onnx_folder(spec)
    if folder is not None:
        reason = problem(spec)
        if reason:
            raise ModelUnavailable(reason)
        return clip_onnx.OnnxClip(folder, device)
    from .clip_torch import TorchClip
    return TorchClip(spec, device)


_LOADED: dict = {}


def load(spec: ClipSpec):
    """Load once per process (the app and the CLI reuse it across searches)."""
    key = f"{spec.model_id()}|{spec.text}|{onnx_folder(spec)}"   # same weights on two runtimes: two models
    if key not in _LOADED:
        _LOADED[key] = ClipModel(spec)
    return _LOADED[key]


ONNX_FILES = ["config.json", "framesense.json", "visual/model.onnx", "visual/preprocess_cfg.json",
              "textual/model.onnx", "textual/*.json", "textual/*.txt", "textual/*.model"]


def download_onnx(name: str, model_id: str | None = None) -> Path:
    """Fetch an ONNX model folder (Immich's layout) from the Hugging Face hub into the model cache;
    it appears whole or not at all."""
    import shutil

    from huggingface_hub import snapshot_download

    folder = _clip_cache() / "onnx" / name
    tmp = folder.with_name(f".{name}.partial")
    try:
        try:
            snapshot_download(repo_id=f"{HUB_OWNER}/{name}", local_dir=str(tmp), allow_patterns=ONNX_FILES)
        except Exception as exc:
            raise ModelUnavailable(f"cannot download {HUB_OWNER}/{name}: {type(exc).__name__}: {exc}") from None
        for rel in clip_onnx.REQUIRED:
            if not (tmp / rel).is_file():
                raise ModelUnavailable(f"{HUB_OWNER}/{name} has no {rel}: not an ONNX CLIP model")
        if not (tmp / clip_onnx.IDENTITY).exists():
            ident = {"model_id": model_id or clip_onnx.identity(tmp)["model_id"], "source": f"{HUB_OWNER}/{name}",
                     "visual_precision": "fp32", "files": clip_onnx.tower_sizes(tmp)}
            (tmp / clip_onnx.IDENTITY).write_text(json.dumps(ident, indent=2))
        reason = clip_onnx.folder_problem(tmp)
        if reason:
            raise ModelUnavailable(reason)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def download(spec_text: str, progress=None) -> str:
    """Fetch a model into the model cache (shows a progress bar); returns its file or folder.
    ARCH:TAG fetches the open_clip checkpoint where torch is, else its ONNX export (ARCH__TAG,
    same identity); an Immich NAME fetches that ONNX folder."""
    spec = parse_spec(spec_text)
    if spec.path:
        raise ModelUnavailable(f"{spec_text}: only ARCH:TAG names and ONNX model names can be downloaded")
    if spec.arch is None or not _has_torch():
        name = onnx_name(spec)
        return str(download_onnx(name, f"open_clip:{spec.arch}:{spec.tag}" if spec.arch else
                                 (f"open_clip:{name.replace('__', ':', 1)}" if "__" in name else None)))
    import open_clip
    from open_clip.pretrained import download_pretrained

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


def _local_path(spec: ClipSpec) -> str | None:
    folder = onnx_folder(spec)
    if folder is not None:
        return str(folder) if folder.is_dir() else None
    return spec.path or cached_checkpoint(spec)


def clip_model_status(catalog=None) -> list[dict]:
    """Rows for ``framesense models list``: the suggested models and the configured one."""
    rows = []
    spec, source = configured_spec(None, catalog)
    seen = set()
    if spec is not None:
        reason = problem(spec)
        rows.append({"kind": "clip", "name": spec.text, "source": source, "installed": reason is None,
                     "active": True, "path": _local_path(spec), "note": reason})
        seen.add(spec.text)
    for tag in SUGGESTED:
        if tag in seen:
            continue
        s = parse_spec(tag)
        installed = problem(s) is None
        path = _local_path(s) if installed else None
        rows.append({"kind": "clip", "name": tag, "source": "model cache" if installed else "download",
                     "installed": installed, "active": False, "path": path,
                     "note": None if installed else f"framesense models download clip {tag}"})
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
    return Path(_local_path(spec))


def _download_clip(name: str) -> Path:
    return Path(download(name))


register_kind(ModelKind(name="clip", list=_list_clip, resolve=_resolve_clip, download=_download_clip,
                        default=None))
