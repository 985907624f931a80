"""Write transcripts into the catalog (inside the caller's transaction) and read them back."""

from __future__ import annotations

from ..catalog import Catalog
from .cuts import quiet_at, quiet_ms
from .languages import WORD_RULES, language_code, split_elisions
from .model import Segment, Transcript, Word, normalize_word, split_words, word_parts


def term_ids(catalog: Catalog, norms) -> dict[str, int]:
    """Ids for normalised words, creating the missing ones."""
    want = sorted(set(norms))
    ids: dict[str, int] = {}
    for i in range(0, len(want), 500):
        chunk = want[i: i + 500]
        marks = ",".join("?" * len(chunk))
        ids.update((r[1], r[0]) for r in catalog.execute(f"SELECT id, norm FROM terms WHERE norm IN ({marks})", chunk))
    missing = [n for n in want if n not in ids]
    if missing:
        catalog.conn.executemany("INSERT OR IGNORE INTO terms (norm) VALUES (?)", [(n,) for n in missing])
        for i in range(0, len(missing), 500):
            chunk = missing[i: i + 500]
            marks = ",".join("?" * len(chunk))
            ids.update((r[1], r[0]) for r in catalog.execute(
                f"SELECT id, norm FROM terms WHERE norm IN ({marks})", chunk))
    return ids


def delete_transcripts(catalog: Catalog, media_id: int) -> None:
    for table in ("words", "segments", "transcripts"):
        catalog.execute(f"DELETE FROM {table} WHERE media_id = ?", (media_id,))


def store_transcripts(catalog: Catalog, media_id: int, transcripts: list[Transcript]) -> dict:
    """Replace every transcript of a media; returns counts. Call inside catalog.transaction()."""
    delete_transcripts(catalog, media_id)
    ids = term_ids(catalog, [n for t in transcripts for w in t.words() for _, n in word_parts(w, t.language)])
    seq = 0
    n_words = n_segs = 0
    word_rows = []
    for t in transcripts:
        tid = catalog.insert("transcripts", {
            "media_id": media_id, "stream": t.stream, "source": t.source, "origin": t.origin,
            "language": language_code(t.language), "language_probability": t.language_probability,
            "language_from": t.language_from, "word_rules": WORD_RULES, "timing": t.timing})
        for idx, s in enumerate(t.segments):
            keep = [part for w in s.words for part in word_parts(w, t.language)]
            norm = " ".join(n for _, n in keep) or " ".join(
                n for n in (normalize_word(p) for x in split_words(s.text) for p in split_elisions(x, t.language))
                if n)
            first = seq if keep else None
            last = seq + len(keep) - 1 if keep else None
            sid = catalog.insert("segments", {
                "media_id": media_id, "transcript_id": tid, "idx": idx, "start": s.start, "end": s.end,
                "text": s.text.strip(), "norm": norm, "speaker": s.speaker, "first_seq": first, "last_seq": last})
            for w, n in keep:
                word_rows.append((media_id, seq, ids[n], sid, w.start, w.end, w.probability, w.text.strip(),
                                  w.speaker or s.speaker, quiet_ms(w.start, w.quiet)))
                seq += 1
            n_segs += 1
        n_words = len(word_rows)
        seq += 1  # a gap: phrases never run from one transcript (stream) into the next
    # each word carries the term said next in its transcript: the pair postings phrase search starts from
    nxt = [b[2] if b[1] == a[1] + 1 else None for a, b in zip(word_rows, word_rows[1:])] + [None]
    catalog.conn.executemany(
        "INSERT INTO words (media_id, seq, term_id, segment_id, start, end, probability, text, speaker, quiet_ms, "
        "next_term_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [(*row, n) for row, n in zip(word_rows, nxt)])
    return {"transcripts": len(transcripts), "segments": n_segs, "words": n_words}


def load_transcripts(catalog: Catalog, media_id: int) -> list[Transcript]:
    out = []
    for t in catalog.query("SELECT * FROM transcripts WHERE media_id = ? ORDER BY stream", (media_id,)):
        segs = []
        by_seg: dict[int, list[Word]] = {}
        for w in catalog.query("SELECT w.* FROM words w JOIN segments s ON s.id = w.segment_id "
                               "WHERE s.transcript_id = ? AND w.media_id = ? ORDER BY w.seq", (t["id"], media_id)):
            by_seg.setdefault(w["segment_id"], []).append(
                Word(w["text"], w["start"], w["end"], w["probability"], w["speaker"], quiet_at(w["start"], w["quiet_ms"])))
        for s in catalog.query("SELECT * FROM segments WHERE transcript_id = ? ORDER BY idx", (t["id"],)):
            segs.append(Segment(s["start"], s["end"], s["text"], by_seg.get(s["id"], []), s["speaker"]))
        out.append(Transcript(segs, t["language"], t["source"], t["origin"], t["stream"],
                              t["language_probability"], t["language_from"], t.get("timing")))
    return out


def stream_languages(catalog: Catalog, media: dict) -> list[dict]:
    """A file's audio streams (as probed) with the language of each one's transcript; a transcript imported
    for the whole file (stream -1) speaks for its first audio stream."""
    import json
    try:
        streams = json.loads(media.get("audio_streams") or "[]")
    except ValueError:
        streams = []
    heard = {r["stream"]: r for r in catalog.query(
        "SELECT stream, language, language_probability, language_from FROM transcripts WHERE media_id = ?",
        (media["id"],))}
    out = []
    for k, st in enumerate(streams):
        t = heard.get(st.get("index")) or (heard.get(-1) if k == 0 else None) or {}
        out.append({**st, "container_language": st.get("language"), "language": t.get("language"),
                    "language_probability": t.get("language_probability"), "language_from": t.get("language_from")})
    return out


def transcript_languages(catalog: Catalog) -> dict[int, list[dict]]:
    """media id -> its transcripts' language, language_probability and language_from, in one query."""
    out: dict[int, list[dict]] = {}
    for r in catalog.query("SELECT media_id, language, language_probability, language_from FROM transcripts "
                           "ORDER BY media_id, stream"):
        out.setdefault(r["media_id"], []).append(r)
    return out


def stale_word_rules(catalog: Catalog) -> list[int]:
    """Media whose transcripts were stored under older word rules (``languages.WORD_RULES``)."""
    return [r[0] for r in catalog.execute(
        "SELECT DISTINCT media_id FROM transcripts WHERE word_rules < ? ORDER BY media_id", (WORD_RULES,))]


def restore_word_rules(catalog: Catalog, progress=lambda done, total: None) -> int:
    """Store again, from their own words, the transcripts stored under older word rules (French and
    Italian elisions became two terms): no re-transcription, one transaction per file. Returns files."""
    todo = stale_word_rules(catalog)
    for k, media_id in enumerate(todo):
        with catalog.transaction():
            store_transcripts(catalog, media_id, load_transcripts(catalog, media_id))
        progress(k + 1, len(todo))
    return len(todo)


def set_language(catalog: Catalog, media_id: int, language: str | None) -> int:
    """Say by hand which language a file's transcripts are in: its words are stored again under that
    language's rules (the words themselves stay; re-transcribe with ``index --language`` if Whisper
    misheard them in the wrong language). Returns the transcripts changed. Call inside a transaction."""
    ts = load_transcripts(catalog, media_id)
    for t in ts:
        t.language, t.language_probability, t.language_from = language_code(language), None, "set"
    if ts:
        store_transcripts(catalog, media_id, ts)
    return len(ts)


def why_no_transcript(catalog: Catalog, media: dict) -> str:
    """Why a media file has no transcript, and what to do about it, in one line."""
    import json
    path = media["path"]
    imp = f"'framesense transcript import FILE --media {path}'"
    try:
        streams = json.loads(media.get("audio_streams") or "[]")
    except ValueError:
        streams = []
    if not streams:
        return f"{path}: has no audio stream, so nothing to transcribe (a transcript can still be imported: {imp})"
    run = catalog.runs(media["id"]).get("speech")
    if run is None:
        return f"{path}: has no transcript: it was indexed without speech (index it with speech on, or {imp})"
    if run["status"] == "failed":
        return f"{path}: speech failed: {run['error']} (fix that and index again, or {imp})"
    if run["status"] == "skipped":
        return f"{path}: speech was skipped: {run['error'] or 'a stage it needs did not run'}"
    detail = run["detail"] or ""
    return (f"{path}: no speech was heard ({detail})" if detail else f"{path}: no speech was heard") + \
        (f"; {run['error']}" if run["error"] else "")
