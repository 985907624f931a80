"""What must hold between a catalog's rows, whoever wrote them (one process, ``--jobs`` workers,
a Ray cluster, a merge): SQLite checks that the file is sound, this checks that it means something.

Rows that point at a shot must point at a shot of their own media that contains their frame;
words belong to a segment and a transcript of their own media; a stage's rows exist only for a
media whose stage run is recorded done. A row placed with an id made elsewhere (a worker's
snapshot numbers shots its own way) breaks these rules without breaking a foreign key, which
is why ``doctor --library`` and the tests run them after indexing.
"""

from __future__ import annotations

import sqlite3

EXAMPLES = 3                  # rows quoted per broken rule

# built-in tables -> the stage whose done run they need
STAGE_OF = {"shots": "shots", "thumbnails": "shots", "shot_fingerprints": "fingerprint",
            "frame_embeddings": "visual", "faces": "faces"}


def _columns(conn, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}


def _tables(conn) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' "
        "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%' ORDER BY name")]


def _rule(conn, problems: list[str], what: str, sql: str, params=()) -> None:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    rows = cur.execute(sql, params).fetchall()
    if rows:
        shown = "; ".join(", ".join(f"{k}={r[k]}" for k in r.keys()) for r in rows[:EXAMPLES])
        more = f" (and {len(rows) - EXAMPLES} more)" if len(rows) > EXAMPLES else ""
        problems.append(f"{what}: {len(rows)} row(s), e.g. {shown}{more}")


def problems(conn: sqlite3.Connection) -> list[str]:
    """Every broken rule, one line each (an empty list: the catalog's rows agree with each other)."""
    out: list[str] = []
    for r in conn.execute("PRAGMA foreign_key_check").fetchall()[:EXAMPLES]:
        out.append(f"{r[0]} row {r[1]} names a missing {r[2]} row")
    tables = _tables(conn)
    for table in tables:
        cols = _columns(conn, table)
        if table == "media" or "media_id" not in cols:
            continue
        rid = "t.id AS id, " if "id" in cols else ""   # words have no row id
        _rule(conn, out, f"{table} rows of a media that is not in the catalog",
              f'SELECT {rid}t.media_id FROM "{table}" t LEFT JOIN media m ON m.id = t.media_id '
              f"WHERE m.id IS NULL")
        if "shot_id" in cols and table != "shots":
            _rule(conn, out, f"{table} rows whose shot is missing or of another media",
                  f'SELECT {rid}t.media_id, t.shot_id, s.media_id AS shot_media FROM "{table}" t '
                  f"LEFT JOIN shots s ON s.id = t.shot_id WHERE t.shot_id IS NOT NULL "
                  f"AND (s.id IS NULL OR s.media_id != t.media_id)")
            if "frame" in cols:
                _rule(conn, out, f"{table} rows whose frame lies outside their shot",
                      f'SELECT {rid}t.media_id, t.frame, s.idx, s.start_frame, s.end_frame '
                      f'FROM "{table}" t JOIN shots s ON s.id = t.shot_id AND s.media_id = t.media_id '
                      f"WHERE t.frame < s.start_frame OR t.frame >= s.end_frame")
            if "shot_idx" in cols:
                _rule(conn, out, f"{table} rows whose shot_id and shot_idx name different shots",
                      f'SELECT {rid}t.media_id, t.shot_idx, s.idx FROM "{table}" t '
                      f"JOIN shots s ON s.id = t.shot_id WHERE s.idx != t.shot_idx")
        elif "shot_idx" in cols:   # plugin tables name shots by index
            _rule(conn, out, f"{table} rows whose shot index is not a shot of their media",
                  f'SELECT {rid}t.media_id, t.shot_idx FROM "{table}" t WHERE NOT EXISTS '
                  f"(SELECT 1 FROM shots s WHERE s.media_id = t.media_id AND s.idx = t.shot_idx)")
        stage = STAGE_OF.get(table)
        if stage:
            _rule(conn, out, f"{table} rows of a media whose {stage} stage is not recorded done",
                  f'SELECT DISTINCT t.media_id FROM "{table}" t WHERE NOT EXISTS (SELECT 1 FROM analysis_runs a '
                  f"WHERE a.media_id = t.media_id AND a.analyzer = ? AND a.status = 'done')", (stage,))
    if "words" in tables:
        _rule(conn, out, "words whose segment is missing or of another media",
              "SELECT w.media_id, w.seq, w.segment_id FROM words w LEFT JOIN segments g ON g.id = w.segment_id "
              "WHERE g.id IS NULL OR g.media_id != w.media_id")
        _rule(conn, out, "words outside their segment's word numbers",
              "SELECT w.media_id, w.seq, g.first_seq, g.last_seq FROM words w JOIN segments g ON g.id = w.segment_id "
              "WHERE w.seq < g.first_seq OR w.seq > g.last_seq")
        _rule(conn, out, "segments whose transcript is of another media",
              "SELECT g.id, g.media_id, t.media_id AS transcript_media FROM segments g "
              "JOIN transcripts t ON t.id = g.transcript_id WHERE t.media_id != g.media_id")
    if "faces" in tables:
        _rule(conn, out, "faces of a person that is not in the catalog",
              "SELECT f.id, f.person_id FROM faces f LEFT JOIN people p ON p.id = f.person_id "
              "WHERE f.person_id IS NOT NULL AND p.id IS NULL")
        _rule(conn, out, "faces the user removed that still belong to a person",
              "SELECT id, person_id FROM faces WHERE detached = 1 AND person_id IS NOT NULL")
    return out
