"""``framesense models``: list, locate, download and choose the speech and picture models."""

from __future__ import annotations

import click

from .context import Ctx, emit_json, pass_ctx


@click.group()
def models():
    """Models FrameSense uses: speech (faster-whisper) and clip (CLIP towers on onnxruntime, or OpenCLIP on torch)."""


@models.command("list")
@click.option("--kind", default=None, help="Only this kind of model (e.g. speech).")
@click.option("--json", "as_json", is_flag=True)
def models_list(kind, as_json):
    """List known models, where they live, and whether they are on this machine."""
    from ..api import list_models, model_kinds
    entries = list_models(kind)
    if as_json:
        emit_json([e.to_json() for e in entries])
        return
    defaults = {k.name: k.default for k in model_kinds().values()}
    for e in entries:
        mark = "*" if defaults.get(e.kind) == e.name else " "
        state = e.path if e.available else f"(not here) {e.note}"
        click.echo(f"{mark} {e.kind:8} {e.name:20} {state}")


@models.command("path")
@click.argument("name")
@click.option("--kind", default="speech", show_default=True)
def models_path(name, kind):
    """Print the local folder of a model (joining or checking packaged files on first use)."""
    from ..api import model_kind
    click.echo(str(model_kind(kind).resolve(name)))


@models.command("download")
@click.argument("words", nargs=-1, required=True)
@click.option("--kind", default=None, help="speech (default) or clip; or name the kind first: 'download clip ViT-B-32__openai' "
                   "(an ONNX export published by Immich; ARCH:TAG fetches the open_clip checkpoint where torch is).")
def models_download(words, kind):
    """Fetch a model into the model cache (needs the network): NAME, or KIND NAME."""
    from ..errors import ModelUnavailable
    from ..api import model_kind, model_kinds
    kinds = model_kinds()
    if len(words) == 2 and words[0] in kinds:
        kind, words = words[0], words[1:]
    if len(words) != 1:
        raise click.UsageError("give one model name, optionally after its kind: download [KIND] NAME")
    k = model_kind(kind or "speech")
    if not k.download:
        raise ModelUnavailable(f"models of kind '{k.name}' cannot be downloaded by FrameSense")
    click.echo(str(k.download(words[0])))


@models.command("use")
@click.argument("kind", type=click.Choice(["clip"]))
@click.argument("spec", required=False)
@pass_ctx
def models_use(ctx: Ctx, kind, spec):
    """Remember the CLIP model for this library (an ONNX or open_clip folder, a downloaded name, ARCH:TAG or
    ARCH:/path.pt); no SPEC forgets it."""
    ctx.library.set_clip_model(spec)
    click.echo(f"clip model for {ctx.library.path}: {spec or '(none)'}")


COMMANDS = [models]


@models.command("export-onnx")
@click.argument("model")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=str))
@click.option("--int8", is_flag=True,
              help="Quantise the image tower to int8 (faster on CPUs; vectors drift slightly: see the README). "
                   "Given an ONNX folder as MODEL, only this is done, without torch.")
def models_export_onnx(model, outdir, int8):
    """Turn an open_clip model (ARCH:TAG, ARCH:/path.pt or an open_clip folder) into an ONNX model folder
    that picture search runs on without torch (needs torch and onnx for the export itself)."""
    from ..api import export_clip_onnx
    path = export_clip_onnx(model, outdir, int8=int8, say=lambda msg: click.echo(msg, err=True))
    click.echo(str(path))
