"""Speech: transcripts, segments, words, a term vocabulary and FTS5 over segments.

Phrase search walks ``words`` by term: ``words_by_term (term_id, media_id, seq)``
finds every place a term is spoken, and the (media_id, seq) primary key checks
that the next words follow at seq+1, seq+2... Sequence numbers leave a gap
between transcripts/streams so a phrase never runs across them. Triggers keep
the vocabulary counts (used to pick the rarest word of a phrase first) and the
FTS index consistent whatever deletes the rows (store(), the Indexer, cascades).

Version 4 (issue 31, phrase search at 100 million words): each word also holds the
term of the word after it in its transcript (``next_term_id``, NULL at a transcript's
end), and ``words_by_pair (term_id, next_term_id, media_id, seq)`` replaces
``words_by_term``: it is the postings of every pair of neighbouring words, so a phrase
of common words starts from its rarest *pair* instead of every use of its rarest word,
and it still answers "every use of this word" through its first column. A file's words
bring their pairs in the transaction that stores them. ``transcript_languages`` keeps
the languages the transcripts are in (counted by triggers), so a search does not read
every transcript to learn them.

Version 5 (issue 24, cuts in the pauses): each word holds the quietest instant between it and
the word before (``quiet_ms``, milliseconds from its start, negative before it; NULL: not
measured), where a cut goes when the pause is narrower than a frame. A small integer, not a
second REAL per word: a few bytes at 100 million words. The word-timing stage fills it in.
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
    # 3: the word-timing version its words were measured with (analysis/retime.py); NULL: before there was one
    """
    ALTER TABLE transcripts ADD COLUMN timing TEXT;
    """,
    # 4: pair postings for phrase search and the languages kept by triggers (issue 31)
    """
    ALTER TABLE words ADD COLUMN next_term_id INTEGER;   -- the term spoken next in the transcript (NULL at its end)
    UPDATE words SET next_term_id = n.term_id FROM words AS n
        WHERE n.media_id = words.media_id AND n.seq = words.seq + 1;
    DROP INDEX words_by_term;
    CREATE INDEX words_by_pair ON words (term_id, next_term_id, media_id, seq);

    CREATE TABLE transcript_languages (
        language TEXT PRIMARY KEY,
        transcripts INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO transcript_languages
        SELECT language, count(*) FROM transcripts WHERE language IS NOT NULL GROUP BY language;
    CREATE TRIGGER transcript_languages_ins AFTER INSERT ON transcripts WHEN new.language IS NOT NULL BEGIN
        INSERT INTO transcript_languages (language, transcripts) VALUES (new.language, 1)
            ON CONFLICT (language) DO UPDATE SET transcripts = transcripts + 1;
    END;
    CREATE TRIGGER transcript_languages_del AFTER DELETE ON transcripts WHEN old.language IS NOT NULL BEGIN
        UPDATE transcript_languages SET transcripts = transcripts - 1 WHERE language = old.language;
        DELETE FROM transcript_languages WHERE language = old.language AND transcripts <= 0;
    END;
    CREATE TRIGGER transcript_languages_upd AFTER UPDATE OF language ON transcripts BEGIN
        UPDATE transcript_languages SET transcripts = transcripts - 1 WHERE language = old.language;
        DELETE FROM transcript_languages WHERE language = old.language AND transcripts <= 0;
        INSERT INTO transcript_languages (language, transcripts) SELECT new.language, 1 WHERE new.language IS NOT NULL
            ON CONFLICT (language) DO UPDATE SET transcripts = transcripts + 1;
    END;
    """,
    # 5: the quietest instant before each word, in ms from its start (transcript/cuts.py; issue 24)
    """
    ALTER TABLE words ADD COLUMN quiet_ms INTEGER;
    """,
]
