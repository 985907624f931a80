"""Speech: transcripts, segments, words, a term vocabulary and FTS5 over segments.

Phrase search walks ``words`` by term: ``words_by_term (term_id, media_id, seq)``
finds every place a term is spoken, and the (media_id, seq) primary key checks
that the next words follow at seq+1, seq+2... Sequence numbers leave a gap
between transcripts/streams so a phrase never runs across them. Triggers keep
the vocabulary counts (used to pick the rarest word of a phrase first) and the
FTS index consistent whatever deletes the rows (store(), the Indexer, cascades).
"""

MIGRATIONS = [
    """
    CREATE TABLE transcripts (
        id INTEGER PRIMARY KEY,
        media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
        stream INTEGER NOT NULL DEFAULT 0,      -- container index of the audio stream (-1: imported)
        source TEXT NOT NULL,                   -- whisper, import, sidecar
        origin TEXT,                            -- model name or imported file path
        language TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        UNIQUE (media_id, stream)
    );

    CREATE TABLE segments (
        id INTEGER PRIMARY KEY,
        media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
        transcript_id INTEGER NOT NULL REFERENCES transcripts (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start REAL NOT NULL,
        end REAL NOT NULL,
        text TEXT NOT NULL,
        norm TEXT NOT NULL,                     -- normalised words, space separated (what FTS indexes)
        speaker TEXT,
        first_seq INTEGER,                      -- words.seq of its first word
        last_seq INTEGER
    );
    CREATE INDEX segments_by_media ON segments (media_id, start);
    CREATE INDEX segments_by_transcript ON segments (transcript_id, idx);

    CREATE TABLE terms (
        id INTEGER PRIMARY KEY,
        norm TEXT NOT NULL UNIQUE,
        count INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE words (
        media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        term_id INTEGER NOT NULL,
        segment_id INTEGER NOT NULL,
        start REAL NOT NULL,
        end REAL NOT NULL,
        probability REAL,
        text TEXT NOT NULL,
        speaker TEXT,
        PRIMARY KEY (media_id, seq)
    ) WITHOUT ROWID;
    CREATE INDEX words_by_term ON words (term_id, media_id, seq);

    CREATE TRIGGER words_count_ins AFTER INSERT ON words BEGIN
        UPDATE terms SET count = count + 1 WHERE id = new.term_id;
    END;
    CREATE TRIGGER words_count_del AFTER DELETE ON words BEGIN
        UPDATE terms SET count = count - 1 WHERE id = old.term_id;
    END;

    CREATE VIRTUAL TABLE segments_fts USING fts5 (
        norm, content = 'segments', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER segments_fts_ins AFTER INSERT ON segments BEGIN
        INSERT INTO segments_fts (rowid, norm) VALUES (new.id, new.norm);
    END;
    CREATE TRIGGER segments_fts_del AFTER DELETE ON segments BEGIN
        INSERT INTO segments_fts (segments_fts, rowid, norm) VALUES ('delete', old.id, old.norm);
    END;
    CREATE TRIGGER segments_fts_upd AFTER UPDATE OF norm ON segments BEGIN
        INSERT INTO segments_fts (segments_fts, rowid, norm) VALUES ('delete', old.id, old.norm);
        INSERT INTO segments_fts (rowid, norm) VALUES (new.id, new.norm);
    END;
    """,
    # 2: the language as heard (Whisper's confidence, where it came from) and the word rules a
    # transcript's terms were stored under (French and Italian elisions became two terms: such
    # transcripts are stored again from their words by the next index; the others need nothing)
    """
    ALTER TABLE transcripts ADD COLUMN language_probability REAL;
    ALTER TABLE transcripts ADD COLUMN language_from TEXT;   -- detected, set, container, file
    ALTER TABLE transcripts ADD COLUMN word_rules INTEGER NOT NULL DEFAULT 0;
    -- languages as Whisper's two-letter codes, as transcripts are stored from now on (sidecar names said "eng")
    UPDATE transcripts SET language = CASE lower(language)
        WHEN 'eng' THEN 'en' WHEN 'fra' THEN 'fr' WHEN 'fre' THEN 'fr' WHEN 'spa' THEN 'es' WHEN 'deu' THEN 'de'
        WHEN 'ger' THEN 'de' WHEN 'ita' THEN 'it' WHEN 'por' THEN 'pt' WHEN 'nld' THEN 'nl' WHEN 'dut' THEN 'nl'
        WHEN 'cat' THEN 'ca' WHEN 'und' THEN NULL ELSE lower(language) END
        WHERE language IS NOT NULL;
    UPDATE transcripts SET word_rules = 1
        WHERE language IS NULL OR language NOT IN ('fr', 'it', 'ca')
        OR NOT EXISTS (SELECT 1 FROM segments s WHERE s.transcript_id = transcripts.id
                       AND (s.text LIKE '%''%' OR s.text LIKE '%’%' OR s.text LIKE '%ʼ%'));
    UPDATE transcripts SET language_from = 'detected' WHERE source = 'whisper' AND language IS NOT NULL;
    UPDATE transcripts SET language_from = 'file' WHERE source != 'whisper' AND language IS NOT NULL;
    """,
    # the word-timing version its words were measured with (analysis/retime.py); NULL: before there was one
    """
    ALTER TABLE transcripts ADD COLUMN timing TEXT;
    """,
]
