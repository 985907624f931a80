"""``framesense doctor`` really loads each part; the bundle smoke test (build/smoke.sh) relies on it."""


def test_doctor_reports_every_part(cli):
    checks = cli.json("doctor")
    assert checks["framesense"]["ok"]
    assert checks["media (PyAV)"]["ok"], checks["media (PyAV)"]
    for name in ("otio", "fcp7", "fcpxml", "edl"):   # every exporter in the registry writes a sequence
        assert checks[f"export {name}"]["ok"], checks[f"export {name}"]
    assert "read back 1 clip(s)" in checks["export otio"]["detail"]
    assert set(checks) >= {"speech", "picture search", "desktop app"}


def test_doctor_text_output_marks_missing_parts(cli):
    text = cli("doctor").stdout
    assert "ok   export edl:" in text
    for line in text.splitlines():
        assert line[:4] in ("ok  ", "OFF "), line


def test_doctor_library_finds_rows_that_disagree(cli, library, tmp_path):
    """A sound SQLite file whose rows point at the wrong shot (as --jobs once wrote faces) is no sound catalog."""
    import sqlite3

    from framesense.media.synth import Shot, write_video
    for name in ("a", "b"):
        write_video(tmp_path / "f" / f"{name}.mp4", [Shot(20, 1), Shot(20, 2)], width=160, height=90, audio=None)
    cli("index", tmp_path / "f", "--no-speech", "--no-visual")
    ok = cli.json("doctor", "--library")["catalog"]
    assert ok["ok"] and "rows consistent" in ok["detail"], ok
    con = sqlite3.connect(library / "catalog.sqlite")
    with con:   # b's fingerprints moved onto a's first shot: every foreign key still holds
        con.execute("UPDATE shot_fingerprints SET shot_id = (SELECT MIN(id) FROM shots) WHERE media_id = "
                    "(SELECT id FROM media WHERE name = 'b.mp4')")
    con.close()
    bad = cli.json("doctor", "--library")["catalog"]
    assert not bad["ok"] and "shot_fingerprints rows whose shot is missing or of another media" in bad["detail"], bad
