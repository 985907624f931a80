"""dlib's face-recognition ResNet run with numpy: the same weights, read from the same .dat file.

dlib-bin's wheel is built without BLAS, so ``compute_face_descriptor`` takes about 110 ms of CPU a
face; the same network as im2col + one OpenBLAS matrix product a layer takes about 15 ms, and the
faces stage embeds every face track once. The weights are read from
``dlib_face_recognition_resnet_model_v1.dat`` itself (dlib's serialisation: compact integers,
tensors as little-endian float32, the input layer first), so nothing new is shipped; the
descriptors match dlib's to about 1e-5 (``tests/test_face_resnet.py``).

The network (dlib's dnn_face_recognition_ex): a 7x7/2 convolution and a 3x3/2 max pool, then
residual blocks of two 3x3 convolutions each (affine after each, ReLU between and after the sum),
32, 64, 128, 256, 256 channels, every group but the first opening with a stride-2 block whose
shortcut is a 2x2/2 average pool (dlib adds tensors of different sizes as if zero-padded); a global
average and a 256x128 projection give the 128 numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

CHIP_PX = 150
CHIP_PADDING = 0.25
MEAN_RGB = np.array([122.782, 117.001, 104.298], np.float32)   # input_rgb_image_sized's averages
_TAGS = re.compile(rb"\x01([\x04-\x0a])(con_4|affine_|max_pool_2|avg_pool_2|fc_2)")


class _Reader:
    """dlib's serialisation: integers as a size byte (0x80: negative) then that many little-endian bytes."""

    def __init__(self, data: bytes, pos: int):
        self.data, self.pos = data, pos

    def int(self) -> int:
        c = self.data[self.pos]
        n = c & 0x0F
        v = int.from_bytes(self.data[self.pos + 1: self.pos + 1 + n], "little")
        self.pos += 1 + n
        return -v if c & 0x80 else v

    def str(self) -> str:
        n = self.int()
        s = self.data[self.pos: self.pos + n].decode("ascii")
        self.pos += n
        return s

    def tensor(self) -> np.ndarray:
        if self.int() != 2:
            raise ValueError("unexpected tensor version")
        n = int(np.prod([self.int() for _ in range(4)]))
        a = np.frombuffer(self.data, "<f4", n, self.pos).astype(np.float32)
        self.pos += 4 * n
        return a

    def alias(self) -> tuple[int, int, int, int]:
        if self.int() != 1:
            raise ValueError("unexpected alias_tensor version")
        return tuple(self.int() for _ in range(4))


@dataclass
class _Conv:
    w: np.ndarray        # (kh * kw * c_in, c_out), rows in (kh, kw, c_in) order
    b: np.ndarray
    k: int
    stride: int
    pad: int
    scale: np.ndarray | None = None   # the affine layer after it, folded in
    shift: np.ndarray | None = None


def _layers(data: bytes) -> list:
    """Convolutions (affine folded in), pools and the projection, in the file's (forward) order."""
    out: list = []
    for m in _TAGS.finditer(data):
        if len(m.group(2)) != m.group(1)[0]:
            continue
        r = _Reader(data, m.start())
        tag = r.str()
        if tag == "con_4":
            params = r.tensor()
            nf, kh, kw, sy, _sx, py, _px = (r.int() for _ in range(7))
            _, c_in, _, _ = r.alias()
            w = params[: nf * c_in * kh * kw].reshape(nf, c_in, kh, kw)
            out.append(_Conv(np.ascontiguousarray(w.transpose(2, 3, 1, 0).reshape(-1, nf)),
                             params[nf * c_in * kh * kw:].copy(), kh, sy, py))
        elif tag == "affine_":
            params = r.tensor()
            k = params.size // 2
            conv = out[-1]
            conv.scale, conv.shift = params[:k], params[k:]
        elif tag in ("max_pool_2", "avg_pool_2"):
            nr, _nc, sy, _sx, py, _px = (r.int() for _ in range(6))
            out.append((tag[:3], nr, sy))
        else:   # fc_2, no bias: num_outputs, num_inputs, then the weights (inputs x outputs)
            n_out, n_in = r.int(), r.int()
            out.append(("fc", r.tensor()[: n_in * n_out].reshape(n_in, n_out)))
    return out


class FaceResNet:
    """``descriptor(chip)``: the 128 numbers dlib's recogniser gives for a 150x150 aligned face chip."""

    def __init__(self, path: Path):
        try:
            layers = _layers(Path(path).read_bytes())
        except (ValueError, IndexError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: not dlib's face-recognition ResNet ({exc})") from None
        for conv in layers:
            if isinstance(conv, _Conv):
                if conv.scale is None:
                    raise ValueError(f"{path}: a convolution without its affine layer")
                conv.w = conv.w * conv.scale           # affine folded into the convolution
                conv.b = conv.b * conv.scale + conv.shift
        convs = [x for x in layers if isinstance(x, _Conv)]
        if len(convs) != 29 or not layers or layers[-1][0] != "fc" or layers[1][0] != "max":
            raise ValueError(f"{path}: not dlib's face-recognition ResNet (29 convolutions and a projection)")
        self.first = convs[0]
        self.blocks = []          # (conv a, conv b, downsampling)
        it = iter(layers[2:-2])
        for a in it:
            b = next(it)
            down = a.stride == 2
            if down:
                next(it)              # its shortcut's average pool
            self.blocks.append((a, b, down))
        self.fc = layers[-1][1]

    def descriptor(self, chip: np.ndarray) -> np.ndarray:
        x = (np.asarray(chip, np.float32)[..., :3] - MEAN_RGB) / 256.0
        x = _relu(_conv(x, self.first))
        x = _pool(x, 3, 2, np.max)
        for a, b, down in self.blocks:
            y = _conv(_relu(_conv(x, a)), b)
            if down:
                x = _pool(x, 2, 2, np.mean)
            x = _relu(_add_padded(x, y))
        return (x.mean(axis=(0, 1)) @ self.fc).astype(np.float32)


def _relu(x):
    return np.maximum(x, 0, out=x)


def _conv(x: np.ndarray, c: _Conv) -> np.ndarray:
    if c.pad:
        x = np.pad(x, ((c.pad, c.pad), (c.pad, c.pad), (0, 0)))
    win = sliding_window_view(x, (c.k, c.k), axis=(0, 1))[:: c.stride, :: c.stride]   # (h, w, c, k, k)
    h, w = win.shape[:2]
    cols = win.transpose(0, 1, 3, 4, 2).reshape(h * w, -1)
    return (cols @ c.w + c.b).reshape(h, w, -1)


def _pool(x, k, stride, fn):
    return fn(sliding_window_view(x, (k, k), axis=(0, 1))[::stride, ::stride], axis=(3, 4))


def _add_padded(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """dlib's add of tensors of different sizes: the larger shape, missing values taken as 0."""
    out = np.zeros(tuple(max(p, q) for p, q in zip(a.shape, b.shape)), np.float32)
    out[: a.shape[0], : a.shape[1], : a.shape[2]] += a
    out[: b.shape[0], : b.shape[1], : b.shape[2]] += b
    return out


def one_blas_thread() -> bool:
    """Ask numpy's OpenBLAS for one thread. Its matrices here are small: a second thread spins more
    than it helps (146 ms of CPU a face with two, 15 with one, on 2 busy cores), and the faces stage
    already runs one process per core. Best effort: False where no OpenBLAS is found."""
    import ctypes
    try:
        with open("/proc/self/maps") as maps:
            libs = {line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line.split()[-1]}
    except OSError:
        return False
    for lib in libs:
        try:
            handle = ctypes.CDLL(lib)
        except OSError:
            continue
        for name in ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
                     "openblas_set_num_threads"):
            fn = getattr(handle, name, None)
            if fn is not None:
                fn(1)
                return True
    return False


@lru_cache(maxsize=2)
def load(path: str) -> FaceResNet:
    one_blas_thread()
    return FaceResNet(Path(path))
