"""Issue 16: every request logged once with an id that the answer and the error page carry; security events at
WARNING; JSON lines on demand."""

from __future__ import annotations

import json
import logging

import pytest

from config import ConfigError
from evidence_app.logs import JsonLines
from tests.conftest import build_app
from tests.helpers import login


def request_lines(caplog):
    return [r for r in caplog.records if getattr(r, "request", None)]


def test_every_request_is_logged_once_with_its_id_user_and_duration(client, ward, caplog):
    login(client, "cb-vp-tk")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="evidence_app"):
        response = client.get("/my")
    [line] = request_lines(caplog)
    fields = line.request
    assert fields["request_id"] == response.headers["X-Request-ID"] and len(fields["request_id"]) == 16
    assert (fields["method"], fields["path"], fields["status"]) == ("GET", "/my", 200)
    assert fields["user"] != "-" and fields["ms"] >= 0
    assert line.levelno == logging.INFO


def test_a_proxys_request_id_is_kept_and_a_forged_one_replaced(client, caplog):
    assert client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a"}).headers["X-Request-ID"] == "nginx-4f2a"
    for forged in ("<script>alert(1)</script>", "a b", "y" * 65):
        answered = client.get("/healthz", headers={"X-Request-ID": forged}).headers["X-Request-ID"]
        assert answered != forged and len(answered) == 16


def test_error_pages_show_the_request_id(client, ward):
    login(client, "cb-vp-tk")
    response = client.get("/items/999999")
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] in response.get_data(as_text=True)


def test_security_events_are_warnings(client, ward, caplog):
    with caplog.at_level(logging.INFO, logger="evidence_app"):
        client.post("/login", data={"username": "cb-vp-tk", "password": "wrong password"})
        login(client, "cb-vp-tk")
        client.get("/admin/users")  # staff: refused for the role
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("sign-in failed for 'cb-vp-tk'" in m for m in warnings)
    assert any("/admin/users 403" in m and "refused for the role" in m for m in warnings)


def test_json_lines(tmp_path):
    record = logging.LogRecord("evidence_app", logging.INFO, __file__, 1, "GET /my", None, None)
    record.request = {"request_id": "abc", "status": 200}
    entry = json.loads(JsonLines().format(record))
    assert entry["message"] == "GET /my" and entry["request_id"] == "abc" and entry["level"] == "INFO"
    with pytest.raises(ConfigError, match="MINHCHUNG_LOG_FORMAT='xml' is not known"):
        from config import Config

        Config({"MINHCHUNG_DATA_DIR": str(tmp_path), "MINHCHUNG_LOG_FORMAT": "xml"})
    assert build_app(tmp_path, None, LOG_FORMAT="json").config["LOG_FORMAT"] == "json"
