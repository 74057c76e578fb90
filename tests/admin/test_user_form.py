"""The user form: every role, departments as check boxes, a normal-sized "Active" box (issue 14)."""

from __future__ import annotations

from sqlalchemy import select

from evidence_app.extensions import db
from evidence_app.models import User
from tests.helpers import PASSWORD, login, make_user


def test_a_province_users_role_survives_an_edit(ward, client):
    officer = make_user(ward, "tinh", role="province")
    login(client, "admin")
    form = client.get(f"/admin/users/{officer.id}").get_data(as_text=True)
    assert '<option selected value="province">cán bộ cấp tỉnh</option>' in form
    response = client.post(
        f"/admin/users/{officer.id}", data={"full_name": "Cán bộ Sở Nội vụ", "role": "province", "active": "y"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.execute(select(User).where(User.username == "tinh")).scalar_one()
    assert saved.role == "province" and saved.full_name == "Cán bộ Sở Nội vụ"
    assert "cán bộ cấp tỉnh" in client.get("/admin/users").get_data(as_text=True)


def test_departments_are_check_boxes_and_active_is_a_normal_box(ward, client):
    login(client, "admin", PASSWORD)
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert "<select multiple" not in page and 'type="checkbox" value=' in page
    assert "Đánh dấu mọi bộ phận" in page and "admin.css" in page
    assert '<label class="check"><input checked id="active"' in page
