"""dlib's face models, found offline in the ``face-recognition-models`` package (or $FRAMESENSE_FACE_MODELS).

Only the licence-clean files are used: the 5-point landmark model and the ResNet face
recogniser (both public domain, CC0), the HOG detector built into dlib, and optionally the
CNN (MMOD) detector. The 68-point landmark model is never loaded: its training data forbids
commercial use. The package's own ``__init__`` needs ``pkg_resources``, so its folder is found
without importing it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LANDMARKS = "shape_predictor_5_face_landmarks.dat"
RECOGNISER = "dlib_face_recognition_resnet_model_v1.dat"
CNN_DETECTOR = "mmod_human_face_detector.dat"
USED_FILES = (LANDMARKS, RECOGNISER, CNN_DETECTOR)
HOW_TO_GET = "pip install dlib-bin face-recognition-models (or set $FRAMESENSE_FACE_MODELS to a folder with the .dat files)"


def model_dir() -> Path | None:
    """The folder holding the .dat files: $FRAMESENSE_FACE_MODELS, else the installed package's."""
    env = os.environ.get("FRAMESENSE_FACE_MODELS")
    if env:
        return Path(env).expanduser()
    if getattr(sys, "frozen", False):   # the bundle carries the used files at <bundle>/face_recognition_models/models
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "face_recognition_models" / "models"
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "models"


def problem(accurate: bool = False) -> str | None:
    """Why face search cannot run here (None when it can), saying how to fix it."""
    if importlib.util.find_spec("dlib") is None:
        return f"face search is off: dlib is not installed ({HOW_TO_GET})"
    d = model_dir()
    need = (LANDMARKS, RECOGNISER) + ((CNN_DETECTOR,) if accurate else ())
    missing = [n for n in need if d is None or not (d / n).is_file()]
    if missing:
        return f"face search is off: {', '.join(missing)} not found in {d or 'face-recognition-models'} ({HOW_TO_GET})"
    return None


def model_id(accurate: bool = False) -> str:
    return f"dlib-resnet-v1+5pt+{'cnn' if accurate else 'hog'}"


@dataclass
class FaceModels:
    detector: object            # dlib HOG detector or CNN detector
    landmarks: object           # 5-point shape predictor
    recogniser: object          # ResNet, 128-d descriptors (dlib's weights run with numpy: face_resnet.py)
    accurate: bool


@lru_cache(maxsize=2)
def load(accurate: bool = False) -> FaceModels:
    """The loaded models (once per process); raises RuntimeError with ``problem()``'s text when absent."""
    reason = problem(accurate)
    if reason:
        raise RuntimeError(reason)
    import dlib

    from .face_resnet import load as load_resnet
    d = model_dir()
    detector = dlib.cnn_face_detection_model_v1(str(d / CNN_DETECTOR)) if accurate else dlib.get_frontal_face_detector()
    return FaceModels(detector, dlib.shape_predictor(str(d / LANDMARKS)), load_resnet(str(d / RECOGNISER)), accurate)


def status() -> dict:
    """For ``framesense doctor``: the files in use, their sizes, and whether dlib loads them."""
    reason = problem()
    if reason:
        return {"ok": False, "detail": reason}
    d = model_dir()
    try:
        import dlib
        load(False)
    except Exception as exc:   # a damaged file shows here, not mid-index
        return {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    files = ", ".join(f"{n} ({(d / n).stat().st_size / 1e6:.1f} MB)" for n in USED_FILES if (d / n).is_file())
    return {"ok": True, "detail": f"dlib {dlib.__version__}, {files} in {d}"}
