"""Tables of the faces stage: one row per detected face, and the people faces are clustered into.

People are not per-media rows: re-indexing a file deletes and re-adds its faces, which rejoin
their person by its stored centroid, so names given by the user survive."""

MIGRATIONS = [
    """
    CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        name TEXT,                       -- given by the user; NULL until named
        centroid BLOB NOT NULL,          -- float32 mean of its faces' embeddings (kept when they go)
        n INTEGER NOT NULL DEFAULT 0     -- faces the centroid was made from
    );
    CREATE INDEX people_by_name ON people (name COLLATE NOCASE);

    CREATE TABLE faces (
        id INTEGER PRIMARY KEY,
        media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
        shot_id INTEGER REFERENCES shots (id) ON DELETE CASCADE,
        shot_idx INTEGER NOT NULL,
        frame INTEGER NOT NULL,          -- at the media's exact rate
        x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,   -- box, fractions of the frame
        score REAL NOT NULL,             -- detector confidence
        embedding BLOB NOT NULL,         -- 128 float16, little endian (dlib ResNet descriptor)
        thumb BLOB,                      -- small JPEG crop for the People panel
        model TEXT NOT NULL,
        person_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
        detached INTEGER NOT NULL DEFAULT 0   -- removed from its person by the user: not re-clustered
    );
    CREATE INDEX faces_by_media ON faces (media_id, frame);
    CREATE INDEX faces_by_person ON faces (person_id);
    CREATE INDEX faces_by_shot ON faces (shot_id);
    """,
    # What the face search cache (search/face_index.py) needs to know to stay in step without
    # re-reading every face: ``hi`` the highest face id ever inserted, ``deleted`` faces deleted,
    # ``reused`` inserts that took an id at or below ``hi`` (SQLite may hand out a deleted top id
    # again) or rewrote an embedding/shot: those make the cache rebuild rather than append.
    """
    CREATE TABLE face_changes (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        hi INTEGER NOT NULL, deleted INTEGER NOT NULL, reused INTEGER NOT NULL
    );
    INSERT INTO face_changes VALUES (1, (SELECT COALESCE(MAX(id), 0) FROM faces), 0, 0);
    CREATE TRIGGER faces_changes_ins AFTER INSERT ON faces BEGIN
        UPDATE face_changes SET reused = reused + (NEW.id <= hi), hi = MAX(hi, NEW.id);
    END;
    CREATE TRIGGER faces_changes_del AFTER DELETE ON faces BEGIN
        UPDATE face_changes SET deleted = deleted + 1;
    END;
    CREATE TRIGGER faces_changes_upd AFTER UPDATE OF id, shot_id, embedding ON faces BEGIN
        UPDATE face_changes SET reused = reused + 1;
    END;
    """,
    # Faces are tracks (analysis/face_tracks.py): a row is one face followed through consecutive
    # samples of a shot, ``frame`` its best sample, ``track_start``/``track_end`` the first and last
    # sample it was seen in. ``face_pins`` keep what the user said about a face (merge, split: this
    # face is that person; remove: this face is nobody) by where it is, so re-indexing the file
    # re-applies it to the face found there again (people.apply_pins).
    """
    ALTER TABLE faces ADD COLUMN track_start INTEGER;
    ALTER TABLE faces ADD COLUMN track_end INTEGER;
    ALTER TABLE faces ADD COLUMN samples INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE face_pins (
        id INTEGER PRIMARY KEY,
        media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
        frame INTEGER NOT NULL,
        x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,
        person_id INTEGER REFERENCES people (id) ON DELETE CASCADE   -- NULL: removed from every person
    );
    CREATE INDEX face_pins_by_media ON face_pins (media_id);
    -- faces removed before pins existed stay removed when the new faces stage re-runs
    INSERT INTO face_pins (media_id, frame, x, y, w, h, person_id)
        SELECT media_id, frame, x, y, w, h, NULL FROM faces WHERE detached = 1;
    """,
]
