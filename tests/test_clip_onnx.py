"""Pictures on ONNX Runtime: a tiny random open_clip model exported by ``framesense models export-onnx``
gives torch's vectors, indexes and searches like it (also in a process where torch cannot load),
shares its identity, and a broken or mixed-up model folder is a clear error naming the file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from clip_fixture import make_tiny_clip
from conftest import ROOT, run_cli
from framesense import Library
from framesense.media.synth import Shot, write_video

pytestmark = pytest.mark.slow   # exports a picture model to ONNX and compares runtimes

RATE = 25
TEXTS = ["a harbour at night", "Fishing BOATS!", "it's the café's 3rd   ship", "caf&eacute; &amp; bar",
         "日本語のテキスト", " ".join(["word"] * 100)]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("onnx")
    torch_dir = make_tiny_clip(root / "tiny")
    onnx_dir, int8_dir = root / "tiny-onnx", root / "tiny-int8"
    proc = run_cli(root / "scratch", "models", "export-onnx", torch_dir, onnx_dir)
    assert proc.stdout.strip() == str(onnx_dir)
    run_cli(root / "scratch", "models", "export-onnx", onnx_dir, int8_dir, "--int8")   # ONNX in: no torch needed
    footage = root / "footage"
    a = write_video(footage / "a.mp4", [Shot(30, 1), Shot(30, 2), Shot(30, 3)], rate=RATE, audio=None)
    b = write_video(footage / "b.mp4", [Shot(30, 5), Shot(30, 6)], rate=RATE, audio=None)
    return {"root": root, "torch": torch_dir, "onnx": onnx_dir, "int8": int8_dir, "footage": footage,
            "a": a, "b": b}


def load(spec):
    from framesense.models import clip as cm
    return cm.ClipModel(cm.parse_spec(str(spec)))


def frames(world):
    import av
    out = []
    for media in ("a", "b"):
        with av.open(str(world[media].path)) as c:
            out += [f.to_image() for i, f in enumerate(c.decode(video=0)) if i % 10 == 4]
    return out


def test_export_layout_and_identity(world, monkeypatch):
    monkeypatch.delenv("FRAMESENSE_THREADS", raising=False)     # threads: every core this process may use
    onnx = world["onnx"]
    for rel in ("config.json", "visual/model.onnx", "visual/preprocess_cfg.json", "textual/model.onnx",
                "textual/tokenizer.json", "textual/tokenizer_config.json", "framesense.json"):
        assert (onnx / rel).is_file(), rel
    ident = json.loads((onnx / "framesense.json").read_text())
    t, o, q = load(world["torch"]), load(onnx), load(world["int8"])
    assert (t.runtime, o.runtime, q.runtime) == ("torch", "onnxruntime", "onnxruntime")
    assert ident["model_id"] == t.model_id == o.model_id          # the same weights: one identity
    assert q.model_id == f"{t.model_id}:int8" and q.precision == "int8"
    assert o.languages == ("en",) and o.dim == t.dim == 64
    assert (world["int8"] / "visual/model.onnx").stat().st_size < (onnx / "visual/model.onnx").stat().st_size
    from framesense.models.clip_onnx import onnx_threads
    assert o.visual.get_session_options().intra_op_num_threads == onnx_threads() == len(os.sched_getaffinity(0))


def test_onnx_embeddings_equal_torch(world):
    t, o = load(world["torch"]), load(world["onnx"])
    # the torch-free tokenizer gives open_clip's ids (cleaning, case, accents, truncation at 77)
    assert (o.tokens(TEXTS)["text"] == t.tokenizer(TEXTS).numpy()).all()
    dist = 1 - (o.embed_texts(TEXTS) * t.embed_texts(TEXTS)).sum(1)
    assert dist.max() < 1e-4, dist
    pics = frames(world)
    dist = 1 - (o.embed_pil(pics) * t.embed_pil(pics)).sum(1)
    assert len(pics) >= 10 and dist.max() < 1e-4, dist
    rgb = np.random.default_rng(1).integers(0, 256, (40, *o.size, 3), dtype=np.uint8)   # over one batch
    dist = 1 - (o.embed_images_np(rgb) * t.embed_images_np(rgb)).sum(1)
    assert dist.max() < 1e-4, dist


def test_int8_drift_is_small(world):
    o, q = load(world["onnx"]), load(world["int8"])
    pics = frames(world)
    cos = (o.embed_pil(pics) * q.embed_pil(pics)).sum(1)
    assert cos.min() > 0.99, cos
    assert (q.embed_texts(TEXTS) == o.embed_texts(TEXTS)).all()      # the text tower stays fp32


def index_and_search(world, lib_path, spec, monkeypatch, still):
    monkeypatch.setenv("FRAMESENSE_CLIP_MODEL", str(spec))
    lib = Library.open(lib_path)
    try:
        report = lib.index([world["footage"]], speech=False, disable={"faces"})
        stages = {Path(f["path"]).name: f["stages"]["visual"] for f in report.to_json()["files"]}
        out = {"stages": stages}
        for key, query in {"text": {"text": ["harbour", "boats:0.5", "-night"]},
                           "like": {"like": f"{world['a'].path}@1.9"},
                           "image": {"image": [str(still)]}}.items():
            out[key] = [(Path(h.media_path).name, h.shot, h.score) for h in lib.search(**query)]
        return out
    finally:
        lib.close()


def test_onnx_and_torch_indexes_give_the_same_results(world, tmp_path, monkeypatch):
    still = tmp_path / "still.png"
    frames(world)[7].resize((200, 120)).save(still)
    by_torch = index_and_search(world, tmp_path / "lib-torch", world["torch"], monkeypatch, still)
    by_onnx = index_and_search(world, tmp_path / "lib-onnx", world["onnx"], monkeypatch, still)
    assert by_torch["stages"] == by_onnx["stages"] == {"a.mp4": "done", "b.mp4": "done"}
    for key in ("text", "like", "image"):
        t, o = by_torch[key], by_onnx[key]
        assert len(t) == 5 and [h[:2] for h in t] == [h[:2] for h in o], key
        assert max(abs(x[2] - y[2]) for x, y in zip(t, o)) < 2e-3, key      # vectors stored as float16
    assert by_onnx["like"][0][:2] == ("a.mp4", 1) and by_onnx["image"][0][:2] == ("a.mp4", 2)   # frame 74
    # one identity: the torch library is searched with the export as it is, nothing re-embedded
    again = index_and_search(world, tmp_path / "lib-torch", world["onnx"], monkeypatch, still)
    assert again["stages"] == {"a.mp4": "cached", "b.mp4": "cached"}
    assert [h[:2] for h in again["text"]] == [h[:2] for h in by_torch["text"]]
    # another model's vectors are never compared: a clear error naming both
    monkeypatch.setenv("FRAMESENSE_CLIP_MODEL", str(world["int8"]))
    lib = Library.open(tmp_path / "lib-torch")
    try:
        from framesense.errors import ModelUnavailable
        with pytest.raises(ModelUnavailable) as err:
            lib.search(text=["harbour"])
        assert load(world["torch"]).model_id in str(err.value) and ":int8" in str(err.value)
    finally:
        lib.close()


NO_TORCH = """
import json, sys
from framesense import Library
lib = Library.open(sys.argv[1])
report = lib.index([sys.argv[2]], speech=False, disable={"faces"})
hits = lib.search(text=["harbour"]) + lib.search(like=sys.argv[3])
print(json.dumps({"failed": len(report.failed), "notices": report.to_json()["notices"],
                  "hits": [[h.media_path, h.shot, h.kind] for h in hits],
                  "torch": sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "open_clip", "torchvision"))}))
"""


def test_index_and_search_where_torch_cannot_load(world, tmp_path):
    shadow = tmp_path / "no-torch"
    for name in ("torch", "open_clip", "torchvision"):
        (shadow / name).mkdir(parents=True)
        (shadow / name / "__init__.py").write_text(f"raise ImportError('{name} is not installed here')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(shadow), str(ROOT)]),
               FRAMESENSE_CLIP_MODEL=str(world["int8"]))
    proc = subprocess.run([sys.executable, "-c", NO_TORCH, str(tmp_path / "lib"), str(world["footage"]),
                           f"{world['b'].path}@0.5"], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["failed"] == 0 and not out["notices"] and out["torch"] == []
    kinds = [h[2] for h in out["hits"]]
    assert kinds.count("text") == 5 and "image" in kinds
    like = [h for h in out["hits"] if h[2] != "text"]
    assert like[0][0] == str(world["b"].path) and like[0][1] == 0


def broken_copy(world, tmp_path, name):
    dst = tmp_path / name
    shutil.copytree(world["onnx"], dst)
    return dst


def test_missing_or_mismatched_folder_is_a_clear_error(world, tmp_path):
    from framesense.errors import ModelUnavailable
    from framesense.models import clip as cm

    missing = broken_copy(world, tmp_path, "missing")
    (missing / "textual/model.onnx").unlink()
    reason = cm.problem(cm.parse_spec(str(missing)))
    assert "visual search is off" in reason and str(missing) in reason and "textual/model.onnx is missing" in reason

    mixed = broken_copy(world, tmp_path, "mixed")            # an image tower from another export
    shutil.copy(world["int8"] / "visual/model.onnx", mixed / "visual/model.onnx")
    reason = cm.problem(cm.parse_spec(str(mixed)))
    assert str(mixed / "visual/model.onnx") in reason and "mixes two models" in reason

    sized = broken_copy(world, tmp_path, "sized")            # preprocessing that is not the tower's
    cfg = json.loads((sized / "visual/preprocess_cfg.json").read_text())
    (sized / "visual/preprocess_cfg.json").write_text(json.dumps({**cfg, "size": [96, 96]}))
    with pytest.raises(ModelUnavailable, match="preprocess_cfg.json says 96x96"):
        load(sized)

    other = make_tiny_clip(tmp_path / "other")               # a text tower with 32-number vectors
    cfg = json.loads((other / "open_clip_config.json").read_text())
    cfg["model_cfg"]["embed_dim"] = 32
    (other / "open_clip_config.json").write_text(json.dumps(cfg))
    import open_clip
    import torch
    torch.save(open_clip.CLIP(**cfg["model_cfg"]).state_dict(), other / "open_clip_pytorch_model.bin")
    run_cli(tmp_path / "scratch", "models", "export-onnx", other, tmp_path / "other-onnx")
    towers = broken_copy(world, tmp_path, "towers")
    (towers / "framesense.json").unlink()
    shutil.copy(tmp_path / "other-onnx/textual/model.onnx", towers / "textual/model.onnx")
    with pytest.raises(ModelUnavailable, match=r"textual/model.onnx gives 32-number vectors"):
        load(towers)

    garbled = broken_copy(world, tmp_path, "garbled")
    (garbled / "framesense.json").write_text("{not json")
    assert str(garbled / "framesense.json") in cm.problem(cm.parse_spec(str(garbled)))

    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelUnavailable, match="not a picture model folder"):
        cm.parse_spec(str(tmp_path / "empty"))

    # through the CLI: the index says why pictures are off, naming the file, and does the rest
    clip = write_video(tmp_path / "f" / "c.mp4", [Shot(20, 1), Shot(20, 2)], rate=RATE, audio=None)
    env_before = os.environ.get("FRAMESENSE_CLIP_MODEL")
    os.environ["FRAMESENSE_CLIP_MODEL"] = str(missing)
    try:
        proc = run_cli(tmp_path / "lib", "index", clip.path, "--no-speech", "--disable", "faces")
        assert "textual/model.onnx is missing" in proc.stderr
        assert len(json.loads(run_cli(tmp_path / "lib", "shots", clip.path, "--json").stdout)) == 2
        proc = run_cli(tmp_path / "lib", "models", "export-onnx", missing, tmp_path / "q", "--int8", check=False)
        assert proc.returncode != 0 and "textual/model.onnx is missing" in proc.stderr
        assert not (tmp_path / "q").exists()
    finally:
        if env_before is None:
            os.environ.pop("FRAMESENSE_CLIP_MODEL", None)
        else:
            os.environ["FRAMESENSE_CLIP_MODEL"] = env_before


def test_downloaded_name_resolves_offline(world, tmp_path, monkeypatch):
    """A folder in the model cache under Immich's name is what ARCH:TAG and the name resolve to."""
    from framesense.models import clip as cm

    monkeypatch.setenv("FRAMESENSE_MODELS", str(tmp_path / "cache"))
    monkeypatch.delenv("FRAMESENSE_CLIP_MODEL", raising=False)
    spec = cm.parse_spec("ViT-B-32__openai")
    assert spec.onnx and "framesense models download clip ViT-B-32__openai" in cm.problem(spec)
    folder = tmp_path / "cache/clip/onnx/ViT-B-32__openai"
    shutil.copytree(world["onnx"], folder)
    ident = json.loads((folder / "framesense.json").read_text())
    (folder / "framesense.json").write_text(json.dumps({**ident, "model_id": "open_clip:ViT-B-32:openai"}))
    assert cm.problem(spec) is None and cm.ClipModel(spec).model_id == "open_clip:ViT-B-32:openai"
    assert cm.configured_spec() == (cm.parse_spec("ViT-B-32:openai"), "model cache")
    tag = cm.parse_spec("ViT-B-32:openai")          # no torch checkpoint cached: its ONNX download runs
    assert cm.onnx_folder(tag) == folder and cm.ClipModel(tag).runtime == "onnxruntime"


def mclip_folder(world, folder: Path) -> Path:
    """Immich's multilingual layout: the image tower beside a text tower that takes input_ids and
    attention_mask (int32) with a sentencepiece (Unigram) tokenizer; random weights, no identity file."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    shutil.copytree(world["onnx"], folder)
    (folder / "framesense.json").unlink()
    words = ["un", "barco", "de", "pesca", "a", "fishing", "boat", "bateau", "pêche", "port", "puerto", "harbour"]
    vocab = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)] + [(f"▁{w}", -1.0 - i / 10)
                                                                            for i, w in enumerate(words)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=3))
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    tok.save(str(folder / "textual/tokenizer.json"))
    (folder / "textual/tokenizer_config.json").write_text(json.dumps({"pad_token": "<pad>"}))

    class Tower(torch.nn.Module):
        def __init__(self):
            super().__init__()
            torch.manual_seed(3)
            self.emb, self.proj = torch.nn.Embedding(len(vocab), 32), torch.nn.Linear(32, 64)

        def forward(self, input_ids, attention_mask):
            m = attention_mask.unsqueeze(-1).float()
            return self.proj((self.emb(input_ids.long()) * m).sum(1) / m.sum(1))

    ids = torch.ones(2, 16, dtype=torch.int32)
    torch.onnx.export(Tower().eval(), (ids, ids), str(folder / "textual/model.onnx"), dynamo=False,
                      input_names=["input_ids", "attention_mask"], output_names=["embedding"], opset_version=17,
                      dynamic_axes={"input_ids": {0: "batch"}, "attention_mask": {0: "batch"}})
    return folder


@pytest.mark.filterwarnings("ignore::DeprecationWarning")   # torch's TorchScript exporter, as the export uses
def test_multilingual_text_tower_layout(world, tmp_path, monkeypatch):
    """The input_ids + attention_mask text tower runs and the model says it reads many languages. (Whether
    'barco de pesca' finds what 'fishing boat' finds needs real multilingual weights: none ship offline.)"""
    from framesense.api import model_status

    folder = mclip_folder(world, tmp_path / "XLM-Roberta-Tiny")
    m = load(folder)
    assert m.languages == ("*",) and m.context_length == 16
    feeds = m.tokens(["un barco de pesca", "fishing boat"])
    assert set(feeds) == {"input_ids", "attention_mask"} and feeds["input_ids"].dtype == np.int32
    assert feeds["attention_mask"][0].sum() == 6 and feeds["attention_mask"][1].sum() == 4   # <s> words </s>, pads
    v = m.embed_texts(["un barco de pesca", "fishing boat", "un barco de pesca"])
    assert v.shape == (3, 64) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert np.allclose(v[0], v[2]) and not np.allclose(v[0], v[1])
    report = model_status(clip_model=str(folder))
    assert report.visual_problem is None and report.picture_languages == "about 100 languages (XLM-RoBERTa)"
    assert model_status(clip_model=str(world["onnx"])).picture_languages == "English"


def test_text_cleaning_matches_open_clip():
    """SigLIP-style towers ('canonicalize' in config.json) get open_clip's cleaning without torch."""
    from open_clip.tokenizer import _clean_canonicalize, _clean_whitespace
    from framesense.models.clip_onnx import clean_text

    for text in ["A Red_car, at NIGHT!!", "caf&eacute;  \"quoted\"\ttext.", "  l'été — 3rd  "]:
        assert clean_text(text, canonicalize=True) == _clean_canonicalize(text)
        assert clean_text(text) == _clean_whitespace(text)


def test_app_description_mode_says_the_languages(qtbot, world, monkeypatch):
    """The window's search bar, fed the model report the window reads: description mode names the languages."""
    from framesense.api import model_status
    from framesense.app.search_bar import SearchBar

    bar = SearchBar()
    qtbot.addWidget(bar)
    bar.set_description_languages(model_status(clip_model=str(world["onnx"])).picture_languages)
    bar.mode.setCurrentText("description")
    assert bar.field.placeholderText().endswith("in English")
    bar.set_description_languages("about 100 languages (XLM-RoBERTa)")
    assert bar.field.placeholderText().endswith("in about 100 languages (XLM-RoBERTa)")
    assert "XLM-RoBERTa" in bar.mode.model().item(1).toolTip()
    bar.mode.setCurrentText("phrase")
    assert "languages" not in bar.field.placeholderText()
