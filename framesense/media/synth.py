"""Synthetic footage with known cuts, rates, timecodes and sound.

Used by the tests, the benchmarks and ``framesense demo``: every property a
test asserts (cut frames, rate, start timecode, where words are spoken) is
chosen here, so results can be checked exactly.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..timecode import parse_rate


@dataclass
class Shot:
    frames: int
    seed: int
    fade_in: int = 0   # frames of fade from black at the start
    fade_out: int = 0  # frames of fade to black at the end
    brightness: float = 0.0  # added to every pixel (-255..255), for "re-graded copy" tests
    letterbox: float = 0.0   # fraction of height covered by black bars (top + bottom)
    flash_at: int | None = None  # a single white frame here (a photographer's flash), not a cut


@dataclass
class SynthResult:
    path: Path
    rate: Fraction
    frames: int
    cuts: list[int]  # first frame of every shot but the first
    shot_ranges: list[tuple[int, int]]  # [start, end) per shot
    speech: list[tuple[float, float, str]] = field(default_factory=list)


def shot_texture(seed: int, height: int, width: int) -> np.ndarray:
    """A smooth random colour field: distinct per seed, textured enough to show motion."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (9, 16, 3)).astype(np.float32)
    # Bilinear upsampling of a coarse grid gives large blobs, like out-of-focus scenery.
    ys = np.linspace(0, 8, height, dtype=np.float32)
    xs = np.linspace(0, 15, width * 2, dtype=np.float32)
    y0 = np.clip(ys.astype(int), 0, 7); x0 = np.clip(xs.astype(int), 0, 14)
    fy = (ys - y0)[:, None, None]; fx = (xs - x0)[None, :, None]
    a = small[y0][:, x0]; b = small[y0][:, x0 + 1]; c = small[y0 + 1][:, x0]; d = small[y0 + 1][:, x0 + 1]
    img = (a * (1 - fy) * (1 - fx) + b * (1 - fy) * fx + c * fy * (1 - fx) + d * fy * fx)
    detail = rng.integers(-24, 24, (height // 8 + 1, width * 2 // 8 + 1, 1)).astype(np.float32)
    img += np.repeat(np.repeat(detail, 8, 0), 8, 1)[:height, : width * 2]
    return np.clip(img, 0, 255).astype(np.uint8)


def _ping_pong(x: int, span: int) -> int:
    p = x % (2 * span)
    return p if p < span else 2 * span - p


def render_shot_frame(tex: np.ndarray, shot: Shot, i: int, width: int, height: int) -> np.ndarray:
    """Frame i of a shot: a slow pan over its texture, plus a moving block and fades."""
    off = _ping_pong(i * 3, width)  # pan back and forth: never a jump inside a shot
    img = tex[:, off: off + width].astype(np.int16)
    bx = _ping_pong(i * 7, max(1, width - width // 8))
    img[height // 3: height // 3 + height // 8, bx: bx + width // 8] = (255 - (shot.seed * 37) % 256)
    if shot.brightness:
        img = img + int(shot.brightness)
    gain = 1.0
    if shot.fade_in and i < shot.fade_in:
        gain = i / shot.fade_in
    if shot.fade_out and i >= shot.frames - shot.fade_out:
        gain = min(gain, (shot.frames - 1 - i) / shot.fade_out)
    if gain < 1.0:
        img = img * gain
    if shot.flash_at is not None and i == shot.flash_at:
        img = np.minimum(img + 160, 255)
    if shot.letterbox:
        bar = int(height * shot.letterbox / 2)
        img[:bar] = 0
        img[height - bar:] = 0
    return np.clip(img, 0, 255).astype(np.uint8)


def write_video(path, shots: list[Shot], *, rate="25", width=320, height=180,
                start_timecode: str | None = None, reel: str | None = None,
                audio: str | None = "tone", speech: list[tuple[float, str]] | None = None,
                codec="libx264", crf=20, gop: int | None = None,
                clicks: list[float] | None = None, voice: str = "en-us") -> SynthResult:
    """Write a video whose shots and sound are exactly known.

    audio: None (no audio stream), "tone" (a quiet sine) or "silence".
    speech: [(start_seconds, sentence)] spoken by espeak-ng into the audio track, in ``voice`` ("es", "fr").
    clicks: seconds where a 2 ms full-scale click starts (a clapper: with Shot.flash_at, A/V sync checks).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rate = parse_rate(rate)
    total = sum(s.frames for s in shots)
    out = av.open(str(path), "w", options={"movflags": "use_metadata_tags"} if reel else None)
    v = out.add_stream(codec, rate=rate)
    v.width, v.height = width, height
    v.pix_fmt = "yuv420p"
    if codec == "libx264":
        v.options = {"preset": "veryfast", "crf": str(crf), **({"g": str(gop)} if gop else {})}
    if start_timecode:
        v.metadata["timecode"] = start_timecode
    if reel:
        out.metadata["reel_name"] = reel
    speech_spans: list[tuple[float, float, str]] = []
    pcm = None
    sr = 16000
    duration = float(Fraction(total) / rate)
    if audio is not None or speech:
        pcm = np.zeros(int(duration * sr) + sr, dtype=np.float32)
        if audio == "tone":
            t = np.arange(pcm.size) / sr
            pcm += 0.05 * np.sin(2 * np.pi * 220 * t).astype(np.float32)
        for start, text in speech or []:
            said = speak(text, sr, voice=voice)
            a = int(start * sr)
            pcm[a: a + said.size] += said[: max(0, pcm.size - a)]
            speech_spans.append((start, start + said.size / sr, text))
        for at in clicks or []:
            a = int(round(at * sr))
            pcm[a: a + max(1, sr // 500)] = 0.9
        pcm = pcm[: int(duration * sr)]
        a_stream = out.add_stream("aac", rate=sr)
        a_stream.layout = "mono"
    cuts, ranges, start = [], [], 0
    for k, shot in enumerate(shots):
        tex = shot_texture(shot.seed, height, width)
        for i in range(shot.frames):
            img = render_shot_frame(tex, shot, i, width, height)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = start + i
            frame.time_base = 1 / rate
            for packet in v.encode(frame):
                out.mux(packet)
        ranges.append((start, start + shot.frames))
        if k:
            cuts.append(start)
        start += shot.frames
    for packet in v.encode():
        out.mux(packet)
    if pcm is not None:
        _encode_audio(out, a_stream, pcm, sr)
    out.close()
    return SynthResult(path=path, rate=rate, frames=total, cuts=cuts, shot_ranges=ranges,
                       speech=speech_spans)


def _encode_audio(out, stream, pcm: np.ndarray, sr: int):
    chunk = 1024
    for i in range(0, pcm.size, chunk):
        block = pcm[i: i + chunk]
        frame = av.AudioFrame.from_ndarray(block[None, :].astype(np.float32), format="fltp", layout="mono")
        frame.sample_rate = sr
        frame.pts = i
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def speak(text: str, sr: int = 16000, voice: str = "en-us", wpm: int = 150) -> np.ndarray:
    """Speak a sentence with espeak-ng and return mono float32 samples at sr."""
    exe = shutil.which("espeak-ng")
    if not exe:
        raise RuntimeError("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "s.wav"
        subprocess.run([exe, "-v", voice, "-s", str(wpm), "-w", str(wav), text], check=True,
                       capture_output=True)
        return read_wav(wav, sr)


def read_wav(path, sr: int = 16000) -> np.ndarray:
    with wave.open(str(path)) as w:
        raw = w.readframes(w.getnframes())
        src_sr, ch, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
    data = np.frombuffer(raw, dtype={1: np.uint8, 2: np.int16, 4: np.int32}[width]).astype(np.float32)
    data = data.reshape(-1, ch).mean(axis=1) / float(2 ** (8 * width - 1))
    if src_sr != sr:
        n = int(round(data.size * sr / src_sr))
        data = np.interp(np.linspace(0, data.size - 1, n), np.arange(data.size), data).astype(np.float32)
    return data.astype(np.float32)


def write_broken_files(folder) -> dict[str, Path]:
    """Files a footage folder can hold that are not usable media, keyed by what is wrong."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    files["empty"] = folder / "empty.mp4"
    files["empty"].write_bytes(b"")
    files["text"] = folder / "notes.mov"
    files["text"].write_text("this is not a video, just a text file with a video extension\n" * 20)
    files["garbage"] = folder / "garbage.mkv"
    files["garbage"].write_bytes(np.random.default_rng(1).integers(0, 256, 200_000, dtype=np.uint8).tobytes())
    good = write_video(folder / "_tmp_good.mp4", [Shot(50, 1)], audio=None)
    data = good.path.read_bytes()
    good.path.unlink()
    files["truncated"] = folder / "truncated.mp4"
    files["truncated"].write_bytes(data[: len(data) // 3])
    return files


def write_frames(path, frames, *, rate="25", codec="libx264", crf=18) -> SynthResult:
    """Write given RGB frames (HxWx3 uint8 arrays or PIL images), e.g. text drawn into pictures.

    ``frames`` is a list of (count, picture) pairs: each picture held for ``count`` frames is one shot.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rate = parse_rate(rate)
    pics = [(n, np.asarray(p.convert("RGB") if hasattr(p, "convert") else p, dtype=np.uint8)) for n, p in frames]
    height, width = pics[0][1].shape[:2]
    out = av.open(str(path), "w")
    v = out.add_stream(codec, rate=rate)
    v.width, v.height, v.pix_fmt = width, height, "yuv420p"
    if codec == "libx264":
        v.options = {"preset": "veryfast", "crf": str(crf)}
    cuts, ranges, start = [], [], 0
    for k, (count, img) in enumerate(pics):
        for i in range(count):
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts, frame.time_base = start + i, 1 / rate
            for packet in v.encode(frame):
                out.mux(packet)
        ranges.append((start, start + count))
        if k:
            cuts.append(start)
        start += count
    for packet in v.encode():
        out.mux(packet)
    out.close()
    return SynthResult(path=path, rate=rate, frames=start, cuts=cuts, shot_ranges=ranges)


def write_damaged(src, dst, *, audio_packets=(0,), video_packets=(), audio_codec="ac3") -> Path:
    """A copy of src (mpeg4 video) as AVI whose chosen packets have corrupted bytes, like archive damage.

    Video packets are copied as they are; audio is re-encoded (AC3 by default, as on old AVIs). A
    damaged audio packet loses its sync word and header; a damaged video packet has every 7th byte
    flipped past its header, so the decoder rejects or conceals it.
    """
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vi = inp.streams.video[0]
        vo = out.add_stream_from_template(vi)
        vo.time_base = 1 / vi.average_rate    # AVI keeps one tick per frame: its rate is the frame rate
        packets = []
        if inp.streams.audio:
            ai = inp.streams.audio[0]
            ao = out.add_stream(audio_codec, rate=48000)
            ao.layout = "mono"
            res = av.AudioResampler(format="fltp", layout="mono", rate=48000)
            for frame in inp.decode(ai):
                frame.pts = None
                for r in res.resample(frame):
                    packets += [(ao, p) for p in ao.encode(r)]
            packets += [(ao, p) for p in ao.encode(None)]
            inp.seek(0)
        packets += [(vo, p) for p in inp.demux(vi) if p.size]
        counts = {}
        for stream, p in packets:
            k = counts[stream.index] = counts.get(stream.index, -1) + 1
            data = bytearray(bytes(p))
            if stream is vo and k in video_packets:
                for i in range(8, len(data), 7):
                    data[i] ^= 0xFF
            elif stream is not vo and k in audio_packets:
                data[: min(64, len(data))] = bytes(min(64, len(data)))
            else:
                p.stream = stream
                out.mux(p)
                continue
            q = av.Packet(bytes(data))
            q.pts, q.dts, q.time_base, q.stream = p.pts, p.dts, p.time_base, stream
            q.is_keyframe = p.is_keyframe
            out.mux(q)
    return dst
