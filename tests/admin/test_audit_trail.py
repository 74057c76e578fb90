"""The audit trail as an administrator reads it: Vietnamese labels, readable details, links to the objects,
filters and pages (issue 14)."""

from __future__ import annotations

import ast
import pathlib
from datetime import UTC, datetime

from sqlalchemy import select

import evidence_app
from evidence_app import audit
from evidence_app.admin.audit_labels import ACTIONS
from evidence_app.clock import frozen_at
from evidence_app.evidence.models import Decision
from evidence_app.extensions import db
from evidence_app.models import AuditEvent, Department, Unit, User
from tests.helpers import login


def user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def recorded_actions() -> set[str]:
    """Every action passed to `audit.record(...)` in evidence_app: literal strings, both arms of a conditional,
    and `f"review.{decision}"` for every decision."""
    found: set[str] = set()

    def collect(node: ast.expr) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
        elif isinstance(node, ast.IfExp):
            collect(node.body)
            collect(node.orelse)
        elif isinstance(node, ast.JoinedStr) and ast.unparse(node) == "f'review.{decision}'":
            found.update(f"review.{d.value}" for d in Decision)
        else:
            raise AssertionError(f"an action this test cannot read: {ast.unparse(node)}")

    root = pathlib.Path(evidence_app.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record":
                if isinstance(node.func.value, ast.Name) and node.func.value.id == "audit" and node.args:
                    collect(node.args[0])
    return found


def test_every_recorded_action_has_a_label():
    actions = recorded_actions()
    assert len(actions) > 25 and "review.changes_requested" in actions
    assert actions - set(ACTIONS) == set()


def test_actions_details_and_objects_are_readable(ward, client):
    login(client, "admin")
    target = user("cb-vp-tk")
    department = db.session.execute(select(Department).where(Department.code == "vp-tk")).scalar_one()
    client.post(
        f"/admin/users/{target.id}",
        data={"full_name": "Trần Văn Bình", "role": "reviewer", "departments": [department.id], "active": "y"},
    )
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Đổi vai trò" in page  # user.role_change
    assert "Họ và tên: — → Trần Văn Bình" in page and "Vai trò: công chức → người duyệt" in page
    assert "\\u00" not in page and "{&#34;" not in page  # no JSON
    assert f'<a href="/admin/users/{target.id}">người dùng #{target.id}</a>' in page


def _events(unit_id: int, count: int, action: str = "item.assign", **fields) -> None:
    for _ in range(count):
        audit.record(action, unit_id=unit_id, **fields)
    db.session.commit()


def test_filters_by_user_action_object_and_days(ward, client):
    admin, staff = user("admin"), user("cb-vp-tk")
    with frozen_at(datetime(2024, 3, 1, 3, tzinfo=UTC)):
        _events(ward.id, 1, "item.assign", actor_id=staff.id, object_type="item", object_id=7)
    with frozen_at(datetime(2024, 3, 10, 3, tzinfo=UTC)):
        _events(ward.id, 1, "item.assign", actor_id=admin.id, object_type="item", object_id=8)
        _events(ward.id, 1, "measurement.add", actor_id=staff.id, object_type="criterion", object_id=7)
    other = Unit(code="khac", name="Phường khác")
    db.session.add(other)
    db.session.commit()
    _events(other.id, 1, "item.assign", object_type="item", object_id=7)
    login(client, "admin")

    def shown(query: str) -> list[str]:
        page = client.get(f"/admin/audit?{query}").get_data(as_text=True)
        return [f"{t}" for t in ("item #7", "item #8", "criterion #7") if _object(t) in page]

    assert shown("action=item.assign") == ["item #7", "item #8"]  # not the other unit's event
    assert shown(f"user={staff.id}&action=item.assign") == ["item #7"]
    assert shown("object_type=criterion&object_id=7") == ["criterion #7"]
    assert shown("object_type=item&object_id=7") == ["item #7"]
    assert shown("since=05/03/2024&until=10/03/2024") == ["item #8", "criterion #7"]
    assert shown("until=01/03/2024") == ["item #7"]
    bad = client.get("/admin/audit?since=31/02/2024")
    assert bad.status_code == 200 and "dd/mm/yyyy" in bad.get_data(as_text=True)


def _object(text: str) -> str:
    kind, number = text.split(" #")
    names = {"item": "mục kiểm tra", "criterion": "tiêu chí"}
    return f">{names[kind]} #{number}</a>"


def test_pages_of_fifty_the_newest_first(ward, client):
    _events(ward.id, 120, "item.assign", object_type="item", object_id=1)
    newest = db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id.desc())).scalars().first()
    login(client, "admin")
    first = client.get("/admin/audit?action=item.assign").get_data(as_text=True)
    assert first.count('title="item.assign"') == 50 and f"<td>{newest}</td>" in first
    assert "120 sự kiện" in first
    assert 'href="/admin/audit?page=3&amp;action=item.assign"' in first
    last = client.get("/admin/audit?action=item.assign&page=3").get_data(as_text=True)
    assert last.count('title="item.assign"') == 20 and f"<td>{newest - 119}</td>" in last
    beyond = client.get("/admin/audit?action=item.assign&page=99").get_data(as_text=True)
    assert beyond.count('title="item.assign"') == 20
