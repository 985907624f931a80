"""On-screen text (intertitles, captions, signs) read by Tesseract, searchable with ``--ocr``.

Two frames per shot (a third and two thirds in) are cleaned up for OCR, as
Tesseract wants dark, sharp text on a plain light ground: grayscale, upscale
small frames, Otsu threshold, and invert when the ground came out dark. Words
Tesseract is unsure of are dropped, so textured scenery does not fill the index
with noise. Text lives in ``ocr_text`` with an FTS5 index for search.
"""

from __future__ import annotations

import os
import re
import shutil

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from framesense.analysis.base import Analyzer
from framesense.plugins import SearchOption, SearchSpec, hookimpl
from framesense.catalog import media_rate
from framesense.plugins.helpers import media_matches, sample_shots, shot_hit

PLUGIN_NAME = "ocr"
PLUGIN_VERSION = "1.0.0"
OWNS_TABLES = ("ocr_text",)
MIN_HEIGHT = 720        # upscale smaller frames to this height: Tesseract likes ~30 px tall letters
MIN_CONFIDENCE = 60     # per-word confidence (0..100) below which a word is dropped
PER_SHOT = 2
MIN_SPREAD = 60         # grey levels between the 1st and 99th percentile; below: no text to read

MIGRATIONS = [
    """
    CREATE TABLE ocr_text (
        id INTEGER PRIMARY KEY,
        media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
        shot_idx INTEGER NOT NULL,
        frame INTEGER NOT NULL,
        text TEXT NOT NULL,
        confidence REAL NOT NULL
    );
    CREATE INDEX ocr_text_by_media ON ocr_text (media_id, shot_idx);
    CREATE VIRTUAL TABLE ocr_fts USING fts5 (text, content = 'ocr_text', content_rowid = 'id');
    CREATE TRIGGER ocr_text_ai AFTER INSERT ON ocr_text BEGIN
        INSERT INTO ocr_fts (rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER ocr_text_ad AFTER DELETE ON ocr_text BEGIN
        INSERT INTO ocr_fts (ocr_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    """,
]


def otsu_threshold(gray: np.ndarray) -> int:
    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    cum = np.cumsum(hist)
    cum_mean = np.cumsum(hist * np.arange(256))
    w0 = cum / total
    w1 = 1 - w0
    mu0 = cum_mean / np.maximum(cum, 1)
    mu1 = (cum_mean[-1] - cum_mean) / np.maximum(total - cum, 1)
    between = w0 * w1 * (mu0 - mu1) ** 2
    return int(np.argmax(between))


def has_contrast(img: Image.Image) -> bool:
    """Text needs contrast: a frame whose 1st..99th percentile spread is small holds none worth reading."""
    lo, hi = np.percentile(np.asarray(img.convert("L")), [1, 99])
    return hi - lo >= MIN_SPREAD


def prepare_for_ocr(img: Image.Image) -> Image.Image:
    """Grayscale, denoise, upscale small frames, binarise (Otsu); dark text on a light ground."""
    gray = ImageOps.autocontrast(img.convert("L").filter(ImageFilter.MedianFilter(3)))
    if gray.height < MIN_HEIGHT:
        scale = min(4.0, MIN_HEIGHT / gray.height)
        gray = gray.resize((round(gray.width * scale), round(gray.height * scale)), Image.LANCZOS)
    a = np.asarray(gray)
    binary = a > otsu_threshold(a)
    if binary.mean() < 0.5:   # the ground is the majority: make it white
        binary = ~binary
    return Image.fromarray((binary * 255).astype(np.uint8))


TESSERACT_THREADS = "1"   # Tesseract's OpenMP threads cost more than they give on small frames (~1.4x slower)


def tesseract_words(img: Image.Image) -> dict[str, list]:
    """Tesseract's TSV word table for one picture, as columns (like pytesseract's Output.DICT).

    The thread limit goes to the Tesseract process alone: setting OMP_THREAD_LIMIT in this
    process's environment would cap every OpenMP library loaded later (Whisper's CTranslate2
    ran ~30x slower and lost words) and leak into every child process.
    """
    import io
    import subprocess

    import pytesseract

    buf = io.BytesIO()
    img.save(buf, "PNG")
    env = {**os.environ, "OMP_THREAD_LIMIT": TESSERACT_THREADS}
    proc = subprocess.run([pytesseract.pytesseract.tesseract_cmd, "stdin", "stdout", "--psm", "11", "tsv"],
                          input=buf.getvalue(), capture_output=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"tesseract failed: {proc.stderr.decode(errors='replace').strip()[:200]}")
    rows = [line.split("\t") for line in proc.stdout.decode("utf-8", errors="replace").splitlines()]
    if not rows:
        return {}
    head = rows[0]
    cols: dict[str, list] = {h: [] for h in head}
    for r in rows[1:]:
        if len(r) < len(head):
            r = r + [""] * (len(head) - len(r))
        for h, v in zip(head, r):
            cols[h].append(v if h == "text" else (int(float(v)) if v.strip() not in ("",) else -1))
    return cols


def read_text(img: Image.Image) -> tuple[str, float]:
    """(confident words joined by line, mean confidence) of one picture."""
    if not has_contrast(img):
        return "", 0.0
    data = tesseract_words(prepare_for_ocr(img))
    if not data:
        return "", 0.0
    lines: dict[tuple, list[str]] = {}
    confs = []
    for word, conf, block, par, line in zip(data["text"], data["conf"], data["block_num"], data["par_num"],
                                            data["line_num"]):
        word = word.strip()
        conf = float(conf)
        if not word or conf < MIN_CONFIDENCE or not re.search(r"\w\w", word):
            continue
        lines.setdefault((block, par, line), []).append(word)
        confs.append(conf)
    text = "\n".join(" ".join(ws) for ws in lines.values())
    return text, (sum(confs) / len(confs) if confs else 0.0)


class OcrAnalyzer(Analyzer):
    name = "ocr"
    version = "1"
    requires = ("shots",)
    owns_tables = OWNS_TABLES
    timeout = 900.0

    def unavailable_reason(self):
        try:
            import pytesseract  # noqa: F401
        except ImportError:
            return "pytesseract is not installed (pip install pytesseract)"
        if not shutil.which("tesseract"):
            return "the tesseract program is not installed (Debian/Ubuntu: apt-get install tesseract-ocr)"
        return None

    def model_id(self):
        import pytesseract
        return f"tesseract {pytesseract.get_tesseract_version()}"

    def applies_to(self, media):
        return bool(media.get("has_video"))

    def analyze(self, ctx):
        shots = ctx.catalog.shots(ctx.media["id"])
        out = []
        last = (None, None)  # (shot idx, small grey picture) of the previous sample
        for shot, frame, img in sample_shots(ctx.media["path"], shots, rate=media_rate(ctx.media), per_shot=PER_SHOT, width=None,
                                             progress=ctx.progress):
            small = np.asarray(img.convert("L").resize((64, 36)), dtype=np.int16)
            if last[0] == shot["idx"] and np.abs(small - last[1]).mean() < 3:
                continue  # a still picture (an intertitle): the second sample would read the same words
            last = (shot["idx"], small)
            text, conf = read_text(img)
            if text:
                out.append((shot["idx"], frame, text, conf))
        return out

    def validate(self, result):
        if not isinstance(result, list) or any(len(r) != 4 or not isinstance(r[2], str) for r in result):
            return "expected [(shot, frame, text, confidence)]"
        return None

    def store(self, catalog, media, result):
        catalog.execute("DELETE FROM ocr_text WHERE media_id = ?", (media["id"],))
        for shot_idx, frame, text, conf in result:
            catalog.insert("ocr_text", {"media_id": media["id"], "shot_idx": shot_idx, "frame": frame,
                                        "text": text, "confidence": conf})
        return f"text in {len({r[0] for r in result})} shots"


def _fts_query(text: str) -> str | None:
    tokens = re.findall(r"\w+", text.lower())
    return " ".join(f'"{t}"' for t in tokens) if tokens else None


def search_ocr(catalog, query):
    """Shots whose on-screen text holds every word of the query (FTS5, ranked by bm25)."""
    match = _fts_query(query.get("ocr"))
    if not match:
        return []
    rows = catalog.query(
        "SELECT o.media_id, o.shot_idx, o.text, -bm25(ocr_fts) AS rank, m.path FROM ocr_fts "
        "JOIN ocr_text o ON o.id = ocr_fts.rowid JOIN media m ON m.id = o.media_id "
        "WHERE ocr_fts MATCH ? ORDER BY rank DESC", (match,))
    best: dict[tuple, dict] = {}
    for r in rows:
        if media_matches(query, r["path"]):
            best.setdefault((r["media_id"], r["shot_idx"]), r)
    hits, media = [], {}
    for (mid, idx), r in best.items():
        m = media.setdefault(mid, catalog.media_by_id(mid))
        score = r["rank"] / (1.0 + r["rank"]) if r["rank"] > 0 else 0.01
        h = shot_hit(catalog, m, idx, score, "ocr", text=r["text"].replace("\n", " / "), query=query.get("ocr"))
        if h:
            hits.append(h)
    return hits


@hookimpl
def framesense_migrations():
    return {"plugin_ocr": MIGRATIONS}


@hookimpl
def framesense_analyzers(options):
    return [OcrAnalyzer()]


@hookimpl
def framesense_searches():
    return [SearchSpec("ocr", lambda q: "ocr" in q.options, search_ocr, "words shown on screen (Tesseract)",
                       options=(SearchOption("ocr", help="On-screen text: shots showing every word of it.",
                                             mode="on-screen text", hint="Text shown in the picture, e.g. harbour"),))]
