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
