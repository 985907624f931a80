"""Tables of the picture stages: CLIP frame embeddings and per-shot perceptual fingerprints."""

MIGRATIONS = [
    """
    CREATE TABLE frame_embeddings (
        id INTEGER PRIMARY KEY,
        media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
        shot_id INTEGER REFERENCES shots (id) ON DELETE CASCADE,
        frame INTEGER NOT NULL,
        model TEXT NOT NULL,             -- ClipSpec.model_id() the vector came from
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,            -- L2-normalised float16, little endian
        UNIQUE (media_id, model, frame)
    );
    CREATE INDEX frame_embeddings_by_model ON frame_embeddings (model, id);

    CREATE TABLE shot_fingerprints (
        id INTEGER PRIMARY KEY,
        media_id INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
        shot_id INTEGER REFERENCES shots (id) ON DELETE CASCADE,
        frame INTEGER NOT NULL,
        band_hash INTEGER NOT NULL,      -- 64-bit DCT hash of the frame's central band (crops, masks)
        active_hash INTEGER NOT NULL,    -- 64-bit DCT hash of the picture inside black bars (scaled boxes)
        UNIQUE (media_id, frame)
    );
    CREATE INDEX shot_fingerprints_by_shot ON shot_fingerprints (shot_id);
    """,
]
