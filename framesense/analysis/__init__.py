"""Index stages: each computes a file's rows (shots, fingerprints, speech, pictures, faces) for the catalog."""
