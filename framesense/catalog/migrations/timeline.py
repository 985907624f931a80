"""Saved sequences: the .otio files a user made, so the app and `framesense sequence list` find them."""

MIGRATIONS = [
    """
    CREATE TABLE sequences (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,          -- absolute path of the .otio file
        name TEXT NOT NULL,
        rate TEXT NOT NULL,                 -- exact, e.g. 24000/1001
        clips INTEGER NOT NULL,
        duration_frames INTEGER NOT NULL,   -- record frames at ``rate``
        saved_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    """,
]
