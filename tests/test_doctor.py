"""``framesense doctor`` really loads each part; the bundle smoke test (build/smoke.sh) relies on it."""

import opentimelineio as otio

from framesense.commands import doctor


def test_doctor_reports_every_part(cli):
    checks = cli.json("doctor")
    assert checks["framesense"]["ok"]
    assert checks["media (PyAV)"]["ok"], checks["media (PyAV)"]
    for name in doctor.NLE_ADAPTERS:   # the otio-*-adapter packages, found through their entry points
        c = checks[f"otio adapter {name}"]
        assert c["ok"] and "read back 1 clip(s)" in c["detail"], c
    assert set(checks) >= {"speech", "picture search", "desktop app"}


def test_doctor_flags_an_adapter_that_is_not_registered(monkeypatch):
    names = [n for n in otio.adapters.available_adapter_names() if n != "fcp_xml"]
    monkeypatch.setattr(otio.adapters, "available_adapter_names", lambda: names)
    out = doctor.check_otio()
    assert not out["otio adapter fcp_xml"]["ok"]
    assert "not registered" in out["otio adapter fcp_xml"]["detail"]
    assert out["otio adapter cmx_3600"]["ok"]


def test_doctor_text_output_marks_missing_parts(cli):
    text = cli("doctor").stdout
    assert "ok   otio adapter cmx_3600:" in text
    for line in text.splitlines():
        assert line[:4] in ("ok  ", "OFF "), line
