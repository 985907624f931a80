"""Turning an open_clip checkpoint into an ONNX model folder (``framesense models export-onnx``),
and quantising a folder's image tower to int8. Exporting needs torch and open_clip (the
``torch`` extra) and the ``onnx`` package; using the folder afterwards needs neither."""

from __future__ import annotations

import json
import logging
import os
import shutil
import warnings
from pathlib import Path

from ..errors import ModelUnavailable
from . import clip_onnx as layout

OPSET = 17
# open_clip's pre-tokenizer (SimpleTokenizer.pat without its special tokens)
CLIP_SPLIT = r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""


def _need(*modules: str) -> None:
    import importlib.util
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing == ["onnx"]:
        raise ModelUnavailable("writing ONNX files needs the onnx package: pip install onnx")
    if missing:
        from ..installation import how_to_get
        raise ModelUnavailable(f"exporting needs {', '.join(missing)}: {how_to_get('torch', 'torch')}")


def clip_bpe_tokenizer(simple):
    """open_clip's SimpleTokenizer (CLIP's byte-level BPE) as a ``tokenizers`` Tokenizer giving the
    same ids: lower-cased NFC text, CLIP's split, bytes as unicode, '</w>' ending each word."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    merges = [m for m, _ in sorted(simple.bpe_ranks.items(), key=lambda kv: kv[1])]
    tok = Tokenizer(models.BPE(vocab=dict(simple.encoder), merges=merges, end_of_word_suffix="</w>",
                               continuing_subword_prefix="", fuse_unk=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "),
                                           normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(CLIP_SPLIT), behavior="removed", invert=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    sot, eot = simple.decoder[simple.sot_token_id], simple.decoder[simple.eot_token_id]
    tok.add_special_tokens([sot, eot])
    tok.post_processor = processors.TemplateProcessing(
        single=f"{sot} $A {eot}", special_tokens=[(sot, simple.sot_token_id), (eot, simple.eot_token_id)])
    tok.decoder = decoders.ByteLevel()
    return tok


def _write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")


def _save_tokenizer(tokenizer, textual: Path) -> tuple[str, ...]:
    """tokenizer.json + tokenizer_config.json for the text tower; returns the languages it reads."""
    from open_clip.tokenizer import SimpleTokenizer

    if isinstance(tokenizer, SimpleTokenizer):
        clip_bpe_tokenizer(tokenizer).save(str(textual / "tokenizer.json"))
        # open_clip pads with id 0 ('!'); the text tower pools at the end-of-text token, so pads never count
        _write_json(textual / "tokenizer_config.json",
                    {"pad_token": tokenizer.decoder[0], "model_max_length": tokenizer.context_length})
        return ("en",)
    hf = getattr(tokenizer, "tokenizer", None)     # open_clip's HFTokenizer around a transformers one
    if hf is None or not getattr(hf, "is_fast", False):
        raise ModelUnavailable(f"cannot export the tokenizer {type(tokenizer).__name__}: it has no tokenizer.json")
    hf.save_pretrained(str(textual))
    return ("*",) if any(k in hf.name_or_path.lower() for k in ("xlm", "nllb", "multilingual", "labse", "mt5")) \
        else ("en",)


def _model_config(spec, name: str) -> dict:
    import open_clip
    if spec.arch is None:
        cfg = layout.read_json(Path(spec.path) / "open_clip_config.json")
        return cfg.get("model_cfg", cfg)
    return open_clip.get_model_config(name) or {}


def export_onnx(spec_text: str, outdir, int8: bool = False, say=lambda msg: None) -> Path:
    """Write an ONNX model folder for an open_clip spec (ARCH:TAG, ARCH:/ckpt or an open_clip
    folder); given an ONNX folder and ``int8``, only quantise its image tower. Atomic: the
    folder appears whole or not at all."""
    from .clip import parse_spec, problem

    spec = parse_spec(spec_text)
    outdir = Path(outdir).expanduser().resolve()
    if outdir.exists():
        raise ModelUnavailable(f"{outdir} already exists; give a new folder")
    if spec.onnx:
        if not int8:
            raise ModelUnavailable(f"{spec.path} is already an ONNX model folder (add --int8 to quantise its image tower)")
        return quantize_folder(spec.path, outdir, say)
    _need("torch", "open_clip", "onnx")
    reason = problem(spec)
    if reason:
        raise ModelUnavailable(reason)
    import open_clip
    import torch
    from .clip_torch import create_open_clip

    model, name = create_open_clip(spec)
    torch.backends.mha.set_fastpath_enabled(False)   # the fused attention kernel has no ONNX form
    for p in model.parameters():
        p.requires_grad_(False)
    tokenizer = open_clip.get_tokenizer(name)
    pp = dict(open_clip.get_model_preprocess_cfg(model))
    size = pp.get("size", 224)
    h, w = (size, size) if isinstance(size, int) else tuple(size)
    context = int(getattr(tokenizer, "context_length", None) or 77)

    tmp = outdir.with_name(f".{outdir.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "visual").mkdir(parents=True)
    (tmp / "textual").mkdir()
    try:
        _write_json(tmp / layout.CONFIG, _model_config(spec, name))
        _write_json(tmp / layout.PREPROCESS, {**pp, "size": [h, w]})

        class Tower(torch.nn.Module):
            def __init__(self, fn):
                super().__init__()
                self.model, self.fn = model, fn

            def forward(self, x):
                return getattr(self.model, self.fn)(x, normalize=True)

        say(f"exporting the image tower of {spec.text}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(Tower("encode_image"), (torch.zeros(2, 3, h, w),), str(tmp / layout.VISUAL),
                              input_names=["image"], output_names=["embedding"], opset_version=OPSET, dynamo=False,
                              dynamic_axes={"image": {0: "batch"}, "embedding": {0: "batch"}})
            say("exporting the text tower")
            torch.onnx.export(Tower("encode_text"), (torch.zeros(2, context, dtype=torch.long),),
                              str(tmp / layout.TEXTUAL), input_names=["text"], output_names=["embedding"],
                              opset_version=OPSET, dynamo=False,
                              dynamic_axes={"text": {0: "batch"}, "embedding": {0: "batch"}})
        languages = _save_tokenizer(tokenizer, tmp / "textual")
        _write_json(tmp / layout.IDENTITY, {
            "model_id": spec.model_id(), "source": spec.text, "languages": list(languages),
            "visual_precision": "fp32", "files": layout.tower_sizes(tmp),
            "exported_with": {"open_clip": open_clip.__version__, "torch": torch.__version__, "opset": OPSET}})
        if int8:
            _quantize_visual(tmp, say)
        os.replace(tmp, outdir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return outdir


def _quantize_visual(folder: Path, say) -> None:
    """Replace the folder's image tower by its dynamically quantised (int8 weights) version."""
    _need("onnx")
    from onnxruntime.quantization import QuantType, quantize_dynamic

    ident = layout.identity(folder)
    if ident.get("visual_precision") == "int8":
        raise ModelUnavailable(f"{folder / layout.VISUAL} is already quantised")
    src = folder / layout.VISUAL
    dst = src.with_name("model.int8.onnx")
    say("quantising the image tower to int8")
    # MatMul/Gemm only: the transformer's weights, where the time goes; the patch convolution stays fp32
    logging.disable(logging.WARNING)     # its advice to pre-process first goes to the root logger
    try:
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gemm"])
    finally:
        logging.disable(logging.NOTSET)
    os.replace(dst, src)
    ident.update(model_id=f"{ident['model_id']}:int8", visual_precision="int8", files=layout.tower_sizes(folder))
    _write_json(folder / layout.IDENTITY, ident)


def quantize_folder(src, outdir: Path, say=lambda msg: None) -> Path:
    """A copy of an ONNX folder with its image tower in int8 (the text tower stays as it is)."""
    src = Path(src)
    reason = layout.folder_problem(src)
    if reason:
        raise ModelUnavailable(reason)
    tmp = outdir.with_name(f".{outdir.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        shutil.copytree(src, tmp)
        if not (tmp / layout.IDENTITY).exists():
            _write_json(tmp / layout.IDENTITY, {**layout.identity(src), "files": layout.tower_sizes(src)})
        _quantize_visual(tmp, say)
        os.replace(tmp, outdir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return outdir
