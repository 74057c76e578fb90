"""Issue 16: the deploy/ examples name only settings the app reads, and files that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def test_the_example_environment_names_only_settings_the_app_reads():
    read = set(re.findall(r'"((?:MINHCHUNG|DATABASE|STORAGE|SECRET)_?[A-Z_]*)"', (ROOT / "config.py").read_text()))
    documented = (ROOT / "docs" / "configuration.md").read_text()
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name = line.split("=", 1)[0]
            assert name in read or name.startswith("AWS_"), f"{name} is not read by config.py"
            assert f"`{name}`" in documented or name.startswith("AWS_"), f"{name} is not in docs/configuration.md"


def test_the_systemd_unit_and_nginx_site_fit_the_gunicorn_configuration():
    unit = (DEPLOY / "minhchung.service").read_text()
    gunicorn = (DEPLOY / "gunicorn.conf.py").read_text()
    nginx = (DEPLOY / "nginx-minhchung.conf").read_text()
    assert '-c deploy/gunicorn.conf.py "evidence_app:create_app()"' in unit
    bind = re.search(r'^bind = "([^"]+)"', gunicorn, re.MULTILINE).group(1)
    assert f"proxy_pass http://{bind};" in nginx
    graceful = int(re.search(r"^graceful_timeout = (\d+)", gunicorn, re.MULTILINE).group(1))
    assert int(re.search(r"^TimeoutStopSec=(\d+)", unit, re.MULTILINE).group(1)) > graceful
    body = int(re.search(r"client_max_body_size (\d+)m;", nginx).group(1))
    assert body > 50, "above MINHCHUNG_MAX_UPLOAD_MB's default"
    assert "X-Forwarded-Proto" in nginx and "X-Request-ID" in nginx
