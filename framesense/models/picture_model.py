"""What every picture model (OpenCLIP on torch, CLIP towers on ONNX Runtime) does around its
towers: the frame geometry the decoder is asked for, the crop, and example images handled
exactly like frames, so the two runtimes see the same pixels and give the same vectors."""

from __future__ import annotations

import numpy as np

BATCH = 32     # frames per call of the image tower


class PictureModel:
    """Subclasses set ``size`` (h, w), ``mean``/``std`` (3 floats each), ``model_id``, ``dim``,
    ``resize_mode`` and ``interpolation``, and implement ``embed_images_np`` and ``embed_texts``."""

    size: tuple[int, int] = (224, 224)
    resize_mode: str = "shortest"     # open_clip: scale the shortest side, centre-crop; "squash": scale to size
    interpolation: str = "bicubic"
    languages: tuple[str, ...] = ("en",)   # what the text tower was trained on ("*": many)

    def prepare(self, rgb):
        """Centre-crop an RGB uint8 (h, w, 3) array that covers the input size."""
        h, w = self.size
        y = max(0, (rgb.shape[0] - h) // 2)
        x = max(0, (rgb.shape[1] - w) // 2)
        return rgb[y: y + h, x: x + w]

    def cover_size(self, width: int, height: int) -> tuple[int, int]:
        """The (w, h) to scale a picture to so it covers the input size (resize shortest side)."""
        th, tw = self.size
        if self.resize_mode == "squash":
            return tw, th
        scale = max(tw / width, th / height)
        return max(tw, int(round(width * scale))), max(th, int(round(height * scale)))

    def normalised(self, batch) -> np.ndarray:
        """(n, h, w, 3) uint8 -> (n, 3, h, w) float32, scaled by the model's mean and std."""
        x = np.ascontiguousarray(batch).transpose(0, 3, 1, 2).astype(np.float32) / 255.0
        mean = np.asarray(self.mean, np.float32).reshape(1, 3, 1, 1)
        std = np.asarray(self.std, np.float32).reshape(1, 3, 1, 1)
        return (x - mean) / std

    def embed_pil(self, images):
        """Embed PIL images (example images): resize shortest side, centre-crop, like frames."""
        from PIL import Image

        resample = Image.BILINEAR if self.interpolation == "bilinear" else Image.BICUBIC
        arrs = []
        for im in images:
            im = im.convert("RGB")
            w, h = self.cover_size(im.width, im.height)
            arrs.append(self.prepare(np.asarray(im.resize((w, h), resample))))
        return self.embed_images_np(np.stack(arrs))

    def embed_images_np(self, batch) -> np.ndarray:   # pragma: no cover - abstract
        raise NotImplementedError

    def embed_texts(self, texts) -> np.ndarray:       # pragma: no cover - abstract
        raise NotImplementedError


def unit_rows(v) -> np.ndarray:
    """Rows scaled to length 1 (float32)."""
    v = np.asarray(v, dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
