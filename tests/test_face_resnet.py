"""dlib's face ResNet run with numpy (models/face_resnet.py) gives dlib's own descriptors, from the same file."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageOps

from framesense.analysis import face_pool
from framesense.models import faces as face_models
from framesense.models.face_resnet import CHIP_PADDING, CHIP_PX, FaceResNet

pytest.importorskip("skimage")
from skimage import data as photos  # noqa: E402

pytestmark = pytest.mark.slow   # real face models on real photographs

needs_models = pytest.mark.skipif(face_models.problem() is not None, reason=str(face_models.problem()))


@needs_models
def test_numpy_resnet_gives_dlibs_descriptors():
    import dlib
    d = face_models.model_dir()
    reference = dlib.face_recognition_model_v1(str(d / face_models.RECOGNISER))
    ours = FaceResNet(d / face_models.RECOGNISER)
    landmarks = dlib.shape_predictor(str(d / face_models.LANDMARKS))
    pictures = [photos.astronaut(), np.asarray(ImageOps.mirror(Image.fromarray(photos.astronaut()).resize((300, 300))))]
    descriptors = []
    for rgb in pictures:
        (s, *_) = face_pool.detect(rgb, 1, 30, 0.3)
        crop = np.ascontiguousarray(s.crop)
        shape = landmarks(crop, dlib.rectangle(*s.crop_box))
        want = np.asarray(reference.compute_face_descriptor(crop, shape, 0, CHIP_PADDING), np.float32)
        got = ours.descriptor(dlib.get_face_chip(crop, shape, CHIP_PX, CHIP_PADDING))
        assert got.shape == (128,) and got.dtype == np.float32
        assert np.abs(got - want).max() < 1e-4
        assert np.abs(face_pool.embed(s.crop, s.crop_box) - want).max() < 1e-4   # what the faces stage uses
        descriptors.append(got)
    assert np.linalg.norm(descriptors[0] - descriptors[1]) < 0.5    # one person, mirrored and scaled


def test_a_file_that_is_not_the_resnet_is_refused_by_name(tmp_path):
    bad = tmp_path / "not_a_model.dat"
    bad.write_bytes(b"\x01\x01\x01\x05con_4" + bytes(64))
    with pytest.raises(ValueError, match="not_a_model.dat"):
        FaceResNet(bad)
