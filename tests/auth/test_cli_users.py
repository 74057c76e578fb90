"""Issue 16: users listed, disabled and enabled from the command line."""

from __future__ import annotations

import json

from evidence_app.auth.models import User
from evidence_app.extensions import db
from tests.helpers import login


def test_list_disable_and_enable(ward, runner, client):
    listed = json.loads(runner.invoke(args=["users", "list", "--json"]).output)
    assert {
        "username": "cb-vp-tk",
        "role": "staff",
        "unit": "gieng-day",
        "departments": ["vp-tk"],
        "active": True,
    } in listed
    login(client, "cb-vp-tk")
    assert client.get("/my").status_code == 200

    result = runner.invoke(args=["users", "disable", "--username", "cb-vp-tk"])
    assert result.exit_code == 0 and "disabled" in result.output
    db.session.expire_all()
    assert not db.session.execute(db.select(User).where(User.username == "cb-vp-tk")).scalar_one().active
    assert client.get("/my").status_code == 302, "disabling ends the sessions the user had"
    assert "(disabled)" in runner.invoke(args=["users", "list"]).output
    again = runner.invoke(args=["users", "disable", "--username", "cb-vp-tk"])
    assert again.exit_code == 0 and "disabled already" in again.output

    assert runner.invoke(args=["users", "enable", "--username", "cb-vp-tk"]).exit_code == 0
    login(client, "cb-vp-tk")
    assert client.get("/my").status_code == 200
    unknown = runner.invoke(args=["users", "disable", "--username", "nobody"])
    assert unknown.exit_code == 2 and "nobody" in unknown.output
