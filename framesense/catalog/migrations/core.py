MIGRATIONS = [
    """
    CREATE TABLE folders (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    CREATE TABLE media (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        folder TEXT NOT NULL,
        name TEXT NOT NULL,
        size INTEGER,
        mtime_ns INTEGER,
        content_hash TEXT,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'indexed', 'failed')),
        error TEXT,
        container TEXT,
        duration REAL,
        frames INTEGER,
        rate_num INTEGER,
        rate_den INTEGER,
        vfr INTEGER NOT NULL DEFAULT 0,
        width INTEGER,
        height INTEGER,
        video_codec TEXT,
        pix_fmt TEXT,
        has_video INTEGER NOT NULL DEFAULT 0,
        audio_streams TEXT,
        start_timecode TEXT,
        start_tc_frames INTEGER NOT NULL DEFAULT 0,
        drop_frame INTEGER NOT NULL DEFAULT 0,
        reel TEXT,
        added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    CREATE INDEX media_by_hash ON media (content_hash, size);
    CREATE INDEX media_by_folder ON media (folder);

    CREATE TABLE shots (
        id INTEGER PRIMARY KEY,
        media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start_frame INTEGER NOT NULL,
        end_frame INTEGER NOT NULL,      -- exclusive
        transition TEXT NOT NULL DEFAULT 'cut',  -- how this shot begins: start, cut, fade
        UNIQUE (media_id, idx),
        CHECK (end_frame > start_frame)
    );

    CREATE TABLE thumbnails (
        id INTEGER PRIMARY KEY,
        media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
        shot_id INTEGER REFERENCES shots (id) ON DELETE CASCADE,
        frame INTEGER NOT NULL,
        path TEXT NOT NULL,              -- relative to the library folder
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        UNIQUE (media_id, frame)
    );
    CREATE INDEX thumbnails_by_shot ON thumbnails (shot_id);

    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);

    CREATE TABLE analysis_runs (
        id INTEGER PRIMARY KEY,
        media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
        analyzer TEXT NOT NULL,
        version TEXT NOT NULL,
        model TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'skipped')),
        error TEXT,
        detail TEXT,
        started_at TEXT,
        finished_at TEXT,
        seconds REAL,
        UNIQUE (media_id, analyzer)
    );
    """,
]
