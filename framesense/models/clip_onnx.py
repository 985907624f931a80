"""CLIP towers on ONNX Runtime: picture search without torch, on the CPU or a CUDA GPU.

A model folder has the layout Immich publishes (``immich-app/ViT-B-32__openai`` on the
Hugging Face hub), which ``framesense models export-onnx`` also writes:

    config.json                   the open_clip model config (text_cfg.context_length)
    visual/model.onnx             image tower: "image" (n, 3, h, w) float32 -> (n, d)
    visual/preprocess_cfg.json    size, mean, std, interpolation, resize_mode
    textual/model.onnx            text tower: "text" (n, L) ints, or "input_ids" + "attention_mask"
    textual/tokenizer.json        a Hugging Face ``tokenizers`` file (no torch, no transformers)
    textual/tokenizer_config.json pad_token
    framesense.json               (optional) identity: model_id, languages, the towers' sizes

The identity is what a library's vectors are stored under: an export names the weights it
came from, so a library indexed on torch is searched with the export of the same weights.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import string
from pathlib import Path

import numpy as np

from ..errors import ModelUnavailable
from .picture_model import BATCH, PictureModel, unit_rows

CONFIG = "config.json"
VISUAL = "visual/model.onnx"
PREPROCESS = "visual/preprocess_cfg.json"
TEXTUAL = "textual/model.onnx"
TOKENIZER = "textual/tokenizer.json"
TOKENIZER_CONFIG = "textual/tokenizer_config.json"
IDENTITY = "framesense.json"
REQUIRED = (CONFIG, VISUAL, PREPROCESS, TEXTUAL, TOKENIZER)

# Text towers that take many languages (Immich's multilingual models); others read English.
MULTILINGUAL = {"xlm-roberta": "about 100 languages (XLM-RoBERTa)", "labse": "109 languages (LaBSE)",
                "nllb": "200 languages (NLLB)"}


def is_onnx_folder(path: Path) -> bool:
    """A folder in the ONNX layout (as opposed to an open_clip checkpoint folder)."""
    path = Path(path)
    return any((path / p).exists() for p in ("visual", "textual", IDENTITY))


def missing_runtime() -> str | None:
    import importlib.util
    missing = [m for m in ("onnxruntime", "tokenizers") if importlib.util.find_spec(m) is None]
    if missing:
        return (f"visual search is off: this installation has no {' or '.join(missing)}; "
                f"pip install 'framesense[visual]'")
    return None


def folder_problem(path: Path) -> str | None:
    """Why this folder cannot be used (naming the file), or None."""
    path = Path(path)
    if not path.is_dir():
        return f"picture model folder {path} does not exist"
    for rel in REQUIRED:
        if not (path / rel).is_file():
            return (f"picture model folder {path}: {rel} is missing (an ONNX CLIP folder holds "
                    f"{', '.join(REQUIRED)})")
    try:
        identity(path)
    except ModelUnavailable as exc:
        return str(exc)
    return missing_runtime()


def read_json(path: Path) -> dict:
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"{path}: not a readable JSON file ({exc})") from None
    if not isinstance(value, dict):
        raise ModelUnavailable(f"{path}: expected a JSON object")
    return value


def tower_sizes(path: Path) -> dict[str, int]:
    return {rel: (Path(path) / rel).stat().st_size for rel in (VISUAL, TEXTUAL)}


def identity(path: Path) -> dict:
    """The folder's identity: framesense.json when present (its towers' sizes checked), else
    one derived from the folder's name and its towers' sizes."""
    path = Path(path)
    ident_file = path / IDENTITY
    sizes = tower_sizes(path)
    if not ident_file.exists():
        h = hashlib.blake2b("|".join(f"{k}:{sizes[k]}" for k in sorted(sizes)).encode(), digest_size=6)
        return {"model_id": f"onnx:{path.name}:{h.hexdigest()}"}
    ident = read_json(ident_file)
    if not isinstance(ident.get("model_id"), str) or not ident["model_id"]:
        raise ModelUnavailable(f"{ident_file}: no model_id")
    for rel, size in (ident.get("files") or {}).items():
        if sizes.get(rel, size) != size:
            raise ModelUnavailable(
                f"{path / rel} is not the tower {ident_file.name} describes ({sizes[rel]} bytes, expected {size}): "
                f"the folder mixes two models; export or download it again")
    return ident


def onnx_threads() -> int:
    """Every core this process may use ($FRAMESENSE_THREADS overrides)."""
    env = int(os.environ.get("FRAMESENSE_THREADS", "0") or 0)
    if env:
        return env
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def import_onnxruntime():
    """onnxruntime with its telemetry off (nothing leaves the machine)."""
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    import onnxruntime
    try:
        onnxruntime.disable_telemetry_events()
    except Exception:   # a build without telemetry
        pass
    return onnxruntime


def runtime_status() -> tuple[bool, str]:
    """(works, what with) for ``framesense doctor``: onnxruntime, its providers, tokenizers, torch."""
    import importlib.util
    try:
        ort = import_onnxruntime()
        import tokenizers
    except ImportError as exc:
        return False, (f"not in this build ({exc.name or exc}): install from source with "
                       f"pip install 'framesense[visual]'")
    except Exception as exc:  # installed but broken
        return False, f"{type(exc).__name__}: {exc}"
    runs_on = ", ".join(p.replace("ExecutionProvider", "") for p in providers())
    detail = f"onnxruntime {ort.__version__} ({runs_on}), tokenizers {tokenizers.__version__}"
    if importlib.util.find_spec("torch") and importlib.util.find_spec("open_clip"):
        detail += "; torch and open_clip too (models export-onnx, open_clip checkpoints)"
    return True, detail


def providers(device: str | None = None) -> list[str]:
    """CUDA where this onnxruntime has it (onnxruntime-gpu), else the CPU."""
    ort = import_onnxruntime()
    have = ort.get_available_providers()
    want = ["CPUExecutionProvider"] if device == "cpu" else ["CUDAExecutionProvider", "CPUExecutionProvider"]
    return [p for p in want if p in have] or ["CPUExecutionProvider"]


def open_session(path: Path, device: str | None = None):
    ort = import_onnxruntime()
    so = ort.SessionOptions()
    so.intra_op_num_threads = onnx_threads()
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), so, providers=providers(device))
    except Exception as exc:
        raise ModelUnavailable(f"{path}: not a loadable ONNX model ({type(exc).__name__}: {exc})") from None


def _fixed(dim) -> int | None:
    return dim if isinstance(dim, int) and dim > 0 else None


def clean_text(text: str, canonicalize: bool = False) -> str:
    """open_clip's cleaning (HTML entities, runs of white space; the tokenizer lower-cases), or its
    'canonicalize' one (SigLIP towers: lower case, no punctuation)."""
    text = html.unescape(html.unescape(text))
    if canonicalize:
        text = text.replace("_", " ").translate(str.maketrans("", "", string.punctuation)).lower()
    return " ".join(text.split())


def multilingual_name(name: str) -> str | None:
    """What a multilingual model's name says it reads, or None."""
    name = name.lower()
    return next((v for k, v in MULTILINGUAL.items() if k in name), None)


def text_languages(path: Path, ident: dict, tokenizer_type: str | None = None) -> tuple[str, ...]:
    """Which languages the text tower takes: the identity says, else the model's name or tokenizer
    (CLIP's byte-level BPE is English; sentencepiece and WordPiece vocabularies are many languages)."""
    if ident.get("languages"):
        return tuple(ident["languages"])
    if multilingual_name(f"{Path(path).name} {ident.get('model_id', '')}"):
        return ("*",)
    if tokenizer_type is None:
        tokenizer_type = ((read_json(Path(path) / TOKENIZER).get("model")) or {}).get("type")
    return ("*",) if tokenizer_type in ("Unigram", "WordPiece") else ("en",)


def languages_text(languages, name: str = "") -> str:
    """For people: 'English', the languages listed, or what a multilingual tower takes."""
    if tuple(languages) == ("en",):
        return "English"
    if "*" not in languages:
        return ", ".join(languages)
    return multilingual_name(name) or "many languages"


def describe_languages(path: Path) -> str:
    ident = identity(path)
    return languages_text(text_languages(path, ident), f"{Path(path).name} {ident['model_id']}")


class OnnxClip(PictureModel):
    """An ONNX model folder loaded on onnxruntime: embeds RGB arrays and texts to unit vectors."""

    runtime = "onnxruntime"

    def __init__(self, folder: Path, device: str | None = None):
        from tokenizers import Tokenizer

        folder = Path(folder)
        reason = folder_problem(folder)
        if reason:
            raise ModelUnavailable(f"visual search is off: {reason}")
        self.folder = folder
        ident = identity(folder)
        self.model_id = ident["model_id"]
        cfg = read_json(folder / CONFIG)
        pp = read_json(folder / PREPROCESS)
        size = pp.get("size", 224)
        self.size = (size, size) if isinstance(size, int) else (int(size[0]), int(size[-1]))
        self.mean, self.std = tuple(pp.get("mean", (0.0,) * 3)), tuple(pp.get("std", (1.0,) * 3))
        if len(self.mean) != 3 or len(self.std) != 3:
            raise ModelUnavailable(f"{folder / PREPROCESS}: mean and std need 3 numbers each")
        self.resize_mode = pp.get("resize_mode", "shortest")
        if self.resize_mode not in ("shortest", "squash"):
            raise ModelUnavailable(f"{folder / PREPROCESS}: resize_mode {self.resize_mode!r} is not supported")
        self.interpolation = pp.get("interpolation", "bicubic")
        self.precision = ident.get("visual_precision", "fp32")

        self.visual = open_session(folder / VISUAL, device)
        self.textual = open_session(folder / TEXTUAL, device)
        self.device = "cuda" if "CUDAExecutionProvider" in self.visual.get_providers() else "cpu"
        vin = self.visual.get_inputs()[0]
        self._image_input, self._image_uint8 = vin.name, vin.type == "tensor(uint8)"
        shape = list(vin.shape)
        hw = (shape[1], shape[2]) if self._image_uint8 else tuple(shape[2:4])
        if all(_fixed(d) for d in hw) and tuple(hw) != self.size:
            raise ModelUnavailable(f"{folder / VISUAL} takes {hw[0]}x{hw[1]} pictures but {folder / PREPROCESS} "
                                   f"says {self.size[0]}x{self.size[1]}: the folder mixes two models")
        self._image_batch = _fixed(shape[0]) or BATCH

        try:
            self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER))
        except Exception as exc:
            raise ModelUnavailable(f"{folder / TOKENIZER}: not a tokenizers file ({exc})") from None
        tcfg = read_json(folder / TOKENIZER_CONFIG) if (folder / TOKENIZER_CONFIG).exists() else {}
        pad = tcfg.get("pad_token") or "<|endoftext|>"
        pad = pad.get("content") if isinstance(pad, dict) else pad
        pad_id = self.tokenizer.token_to_id(pad)
        names = {i.name: i for i in self.textual.get_inputs()}
        self._text_inputs = names
        tin = names.get("text") or names.get("input_ids")
        if tin is None:
            raise ModelUnavailable(f"{folder / TEXTUAL}: expected an input named 'text' or 'input_ids', "
                                   f"found {', '.join(names)}")
        self._text_dtype = np.int64 if tin.type == "tensor(int64)" else np.int32
        self.context_length = _fixed(list(tin.shape)[1]) or int(
            ((cfg.get("text_cfg") or {}).get("context_length")) or 77)
        self.tokenizer.enable_truncation(max_length=self.context_length)
        self.tokenizer.enable_padding(length=self.context_length, pad_id=pad_id if pad_id is not None else 0,
                                      pad_token=pad)
        self._text_batch = _fixed(list(tin.shape)[0]) or BATCH
        clean = ((cfg.get("text_cfg") or {}).get("tokenizer_kwargs") or {}).get("clean")
        self._canonicalize = clean == "canonicalize"
        self.languages = text_languages(folder, ident, self.tokenizer.model.__class__.__name__)

        self.dim = int(self.embed_images_np(np.zeros((1, *self.size, 3), np.uint8)).shape[1])
        tdim = int(self.embed_texts(["a"]).shape[1])
        if tdim != self.dim:
            raise ModelUnavailable(f"{folder / TEXTUAL} gives {tdim}-number vectors but {folder / VISUAL} "
                                   f"gives {self.dim}: the folder mixes two models")

    def _run(self, session, feeds_for, items, batch):
        out = []
        for a in range(0, len(items), batch):
            out.append(session.run(None, feeds_for(items[a: a + batch]))[0])
        return unit_rows(np.concatenate(out)) if out else np.zeros((0, getattr(self, "dim", 0)), np.float32)

    def embed_images_np(self, batch):
        """(n, h, w, 3) uint8 at the input size -> (n, d) float32 unit vectors."""
        batch = np.asarray(batch)
        if self._image_uint8:   # the graph normalises itself
            return self._run(self.visual, lambda b: {self._image_input: np.ascontiguousarray(b)}, batch,
                             self._image_batch)
        return self._run(self.visual, lambda b: {self._image_input: self.normalised(b)}, batch, self._image_batch)

    def tokens(self, texts) -> dict[str, np.ndarray]:
        enc = self.tokenizer.encode_batch([clean_text(t, self._canonicalize) for t in texts])
        ids = np.array([e.ids for e in enc], dtype=self._text_dtype)
        if "text" in self._text_inputs:
            return {"text": ids}
        feeds = {"input_ids": ids}
        if "attention_mask" in self._text_inputs:
            feeds["attention_mask"] = np.array([e.attention_mask for e in enc], dtype=self._text_dtype)
        return feeds

    def embed_texts(self, texts):
        texts = list(texts)
        return self._run(self.textual, lambda b: self.tokens(b), texts, self._text_batch)
