"""Pictures by description, example image or catalogued frame, as shot-long time ranges.

Terms combine linearly: the score of a frame is sum(weight_i * cos(term_i, frame)), which
equals one dot product with sum(weight_i * term_i), so any mix of texts and images with
positive and negative weights is a single vector search. '-night' weighs -1, 'night:-0.5'
-0.5, 'harbour:2' 2; images take the same suffix.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..models import clip as clip_model
from ..errors import ModelUnavailable, QueryError
from .hits import Hit
from .query import SearchQuery
from .refs import media_matches, parse_frame_ref, shot_hit_fields
from .vectors import VectorIndex

_WEIGHT = re.compile(r"^(.*):(-?\d+(?:\.\d+)?)$")


def parse_term(term: str) -> tuple[str, float]:
    """'harbour' -> (harbour, 1); '-night' -> (night, -1); 'night:-0.5' -> (night, -0.5)."""
    t = term.strip()
    m = _WEIGHT.match(t)
    if m and m.group(1).strip():
        return m.group(1).strip(), float(m.group(2))
    if t.startswith("-") and len(t) > 1:
        return t[1:].strip(), -1.0
    return t, 1.0


def _image_term(raw: str) -> tuple[Path, float]:
    p = Path(raw).expanduser()
    if p.exists():
        return p, 1.0
    name, w = parse_term(raw)
    return Path(name).expanduser(), w


def _open_image(path: Path):
    from PIL import Image, UnidentifiedImageError
    if not path.is_file():
        raise QueryError(f"{path}: image file not found")
    try:
        with Image.open(path) as im:
            im.load()
            return im.convert("RGB")
    except (UnidentifiedImageError, OSError) as exc:
        raise QueryError(f"{path}: not a readable image ({exc})") from None


def _model(catalog):
    spec, _ = clip_model.configured_spec(None, catalog)
    reason = clip_model.problem(spec)
    if reason:
        raise ModelUnavailable(reason)
    return clip_model.load(spec)


def _like_vector(catalog, ref: str, model_id: str | None):
    """(stored vector nearest the frame within its shot or None, the frame reference)."""
    fr = parse_frame_ref(catalog, ref)
    sql = ("SELECT frame, dim, vector FROM frame_embeddings WHERE media_id = ? AND model = ? "
           + ("AND shot_id = ? " if fr.shot else "") + "ORDER BY ABS(frame - ?) LIMIT 1")
    params = [fr.media["id"], model_id] + ([fr.shot["id"]] if fr.shot else []) + [fr.frame]
    row = catalog.one(sql, params) if model_id else None
    vec = np.frombuffer(row["vector"], dtype="<f2").astype(np.float32) if row else None
    return vec, fr


def query_vector(catalog, q: SearchQuery) -> tuple[np.ndarray, str]:
    """The combined query vector and the model id whose frame vectors it is compared with."""
    need_model = bool(q.text or q.image)
    model = None
    if need_model:
        model = _model(catalog)
        model_id = model.model_id
    else:
        spec, _ = clip_model.configured_spec(None, catalog)
        model_id = spec.model_id() if spec and not clip_model.problem(spec) else None
        if model_id is None:  # searching by a catalogued frame needs only stored vectors
            row = catalog.one("SELECT model FROM frame_embeddings ORDER BY id DESC LIMIT 1")
            model_id = row["model"] if row else None
        if model_id is None:
            raise ModelUnavailable(clip_model.HOW_TO)
    parts: list[tuple[np.ndarray, float]] = []
    texts = [parse_term(t) for t in q.text]
    if texts:
        if any(not t for t, _ in texts):
            raise QueryError("empty --text term")
        vecs = model.embed_texts([t for t, _ in texts])
        parts += [(v, w) for v, (_, w) in zip(vecs, texts)]
    if q.image:
        imgs = [_image_term(raw) for raw in q.image]
        vecs = model.embed_pil([_open_image(p) for p, _ in imgs])
        parts += [(v, w) for v, (_, w) in zip(vecs, imgs)]
    if q.like:
        got, fr = _like_vector(catalog, q.like, model_id)
        if got is None:  # nothing stored there: embed the frame itself
            model = model or _model(catalog)
            from ..catalog import media_rate
            from ..media.sample import frames_at
            frames = [f.to_image() for _, f in frames_at(fr.media["path"], [fr.frame], media_rate(fr.media))]
            if not frames:
                raise QueryError(f"{q.like}: that frame cannot be decoded")
            got = model.embed_pil(frames)[0]
        parts.append((got, 1.0))
    if not any(w > 0 for _, w in parts):
        raise QueryError("a picture search needs at least one positive term")
    vec = sum(w * np.asarray(v, dtype=np.float32) for v, w in parts)
    norm = float(np.linalg.norm(vec)) or 1.0
    return vec / norm, model_id


def _no_vectors_reason(catalog, model_id: str) -> str:
    """Why a picture search has nothing to compare with: nothing indexed, or only vectors of
    other models (never compared with this one's: their numbers mean different things)."""
    others = [r["model"] for r in catalog.query(
        "SELECT model, COUNT(*) AS n FROM frame_embeddings WHERE model != ? GROUP BY model ORDER BY n DESC",
        (model_id,))]
    if not others:
        return f"no pictures are indexed with {model_id}; run 'framesense index' first"
    return (f"this library's pictures were embedded with {', '.join(others)}, not with the picture model now "
            f"configured ({model_id}); vectors of two models are never compared. Index again to embed them "
            f"with this model, or configure the model they were made with (--clip-model, "
            f"${clip_model.ENV_VAR}, 'framesense models use clip')")


def search_visual(catalog, q: SearchQuery) -> list:
    vec, model_id = query_vector(catalog, q)
    index = VectorIndex(catalog, model_id)
    if len(index) == 0:
        raise ModelUnavailable(_no_vectors_reason(catalog, model_id))
    k = min(len(index), max(200, q.limit * 20))
    found = index.search(vec, k)
    if not found:
        return []
    ids = [i for i, _ in found]
    rows = {}
    for a in range(0, len(ids), 500):
        part = ids[a: a + 500]
        for r in catalog.query(f"SELECT id, media_id, shot_id, frame FROM frame_embeddings "
                               f"WHERE id IN ({','.join('?' * len(part))})", part):
            rows[r["id"]] = r
    # Neighbouring frame hits in one shot are one hit covering the shot.
    by_shot: dict[int, dict] = {}
    for rid, score in found:
        r = rows.get(rid)
        if r is None:
            continue
        g = by_shot.setdefault(r["shot_id"], {"score": score, "frames": []})
        g["score"] = max(g["score"], score)
        g["frames"].append(r["frame"])
    shots = shot_hit_fields(catalog, by_shot)
    kind = "image" if (q.image or q.like) and not q.text else "visual" if not q.text else "text"
    label = "; ".join([*q.text, *q.image, *([f"like {q.like}"] if q.like else [])])
    hits = []
    for sid, g in by_shot.items():
        s = shots.get(sid)
        if s is None or not media_matches(s["path"], q.media):
            continue
        hits.append(Hit(media_id=s["media_id"], media_path=s["path"], start_frame=s["start_frame"],
                        end_frame=s["end_frame"], rate=s["rate"], score=round(float(g["score"]), 6), kind=kind,
                        shot=s["idx"], thumbnail=s["thumbnail"], query=label,
                        extra={"frames": sorted(g["frames"])}))
    hits.sort(key=lambda h: -h.score)
    return hits[: q.limit]
