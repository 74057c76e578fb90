"""The ward's administrator: users (create, disable, reset password, roles, departments), who provides which
item, the audit trail per document and per user; and the commands `audit verify` and `remind`."""

from __future__ import annotations

import getpass
import re

from sqlalchemy import select

from evidence_app.auth import check_password
from evidence_app.catalog.models import ChecklistItem
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.extensions import db
from evidence_app.models import AuditEvent, Department, User
from tests.evidence import corpus
from tests.helpers import login


def user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def department(code: str) -> Department:
    return db.session.execute(select(Department).where(Department.code == code)).scalar_one()


def test_admin_creates_a_user_and_the_password_is_shown_once(ward, client):
    login(client, "admin")
    response = client.post(
        "/admin/users/new",
        data={
            "username": "lan.nt",
            "full_name": "Nguyễn Thị Lan",
            "role": "reviewer",
            "departments": [department("vp-tk").id],
            "active": "y",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    password = re.search(r"chỉ hiển thị một lần\): (\S+)<", page).group(1)
    created = user("lan.nt")
    assert created.role == "reviewer" and [d.code for d in created.departments] == ["vp-tk"]
    assert check_password(created, password)
    assert password not in client.get("/admin/users").get_data(as_text=True)
    taken = client.post("/admin/users/new", data={"username": "lan.nt", "role": "staff"})
    assert taken.status_code == 422 and "đã có người dùng" in taken.get_data(as_text=True)


def test_role_changes_and_disabling_are_audited_and_take_effect(ward, client, app):
    login(client, "admin")
    target = user("cb-vp-tk")
    response = client.post(
        f"/admin/users/{target.id}",
        data={"full_name": "Cán bộ VP", "role": "reviewer", "departments": [department("vp-tk").id]},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert user("cb-vp-tk").role == "reviewer" and not user("cb-vp-tk").active, "the box left unticked disables"
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "user.role_change")).scalar_one()
    assert event.data["role"] == ["staff", "reviewer"] and event.data["active"] == [True, False]
    other = app.test_client()
    assert login(other, "cb-vp-tk").status_code == 401, "a disabled user cannot sign in"


def test_admin_cannot_lock_themselves_out(ward, client):
    login(client, "admin")
    me = user("admin")
    client.post(f"/admin/users/{me.id}", data={"role": "staff", "active": "y"})
    db.session.expire_all()
    assert user("admin").role == "admin"


def test_reset_password(ward, client):
    login(client, "admin")
    target = user("cb-vp-tk")
    page = client.post(f"/admin/users/{target.id}/password", follow_redirects=True).get_data(as_text=True)
    password = re.search(r"chỉ hiển thị một lần\): (\S+)<", page).group(1)
    db.session.expire_all()
    assert check_password(user("cb-vp-tk"), password)
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "user.password_reset")).scalar_one()


def test_assign_an_item_to_a_department_and_a_person(ward, client, app):
    login(client, "admin")
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.2-a")).scalar_one()
    staff = user("cb-vp-tk")
    assert "CCHC-1.2-a" not in _my_work(app, "cb-vp-tk"), "owned by Văn hoá – Thông tin at first"
    response = client.post(
        f"/admin/items/{item.id}/assign", data={"owner_department": department("vh-tt").id, "assignee": staff.id}
    )
    assert response.status_code == 303
    assert "CCHC-1.2-a" in _my_work(app, "cb-vp-tk"), "assigned to the person"
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "item.assign")).scalar_one()
    assert event.data["after"] == {"department": "vh-tt", "assignee": "cb-vp-tk"}


def _my_work(app, username: str) -> str:
    client = app.test_client()
    login(client, username)
    return client.get("/my").get_data(as_text=True)


def test_non_admins_get_403_on_admin_pages(ward, client):
    login(client, "cb-vp-tk")
    target = user("admin")
    for url in ("/admin/users", "/admin/users/new", f"/admin/users/{target.id}", "/admin/audit"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/admin/users/{target.id}/password").status_code == 403
    assert client.post(f"/admin/users/{target.id}", data={"role": "staff"}).status_code == 403


def test_audit_trail_per_document_and_per_user(ward, client, tmp_path):
    staff = user("cb-vp-tk")
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-2.1-a")).scalar_one()
    doc = upload_document(
        corpus.pdf(tmp_path), "bao-cao.pdf", user=staff, items=[item], fields=DocumentFields()
    ).document
    login(client, "admin")
    page = client.get(f"/admin/audit?document={doc.id}").get_data(as_text=True)
    assert 'title="document.upload"' in page and "bao-cao.pdf" in page and 'title="auth.login"' not in page
    page = client.get(f"/admin/audit?user={staff.id}").get_data(as_text=True)
    assert 'title="document.upload"' in page
    assert client.get("/admin/audit?document=999999").status_code == 404


def test_remind_prints_each_users_digest_without_smtp(ward, runner):
    result = runner.invoke(args=["remind", "--today", "10/03/2024"])
    assert result.exit_code == 0
    assert "=== cb-vp-tk" in result.output
    digest = result.output.split("=== cb-vp-tk", 1)[1].split("===")[0]
    assert "Quá hạn" not in digest, "nothing of hers is overdue on 10/03/2024"
    assert "Đến hạn trong 7 ngày" in digest and "CCHC-1.1-a" in digest and "14/03/2024" in digest
    assert "=== admin" not in result.output, "nothing due for the admin's (no) departments"


def test_remind_sends_mail_when_smtp_is_configured(ward, runner, app, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user))

        def send_message(self, message):
            sent.append(("send", message["To"], message["Subject"], message.get_content()))

    monkeypatch.setattr("evidence_app.evidence.remind.smtplib.SMTP", FakeSMTP)
    app.config.update(SMTP_HOST="mail.gieng-day.vn", SMTP_PORT=587, SMTP_USER="minhchung", SMTP_PASSWORD="x")
    staff = user("cb-vp-tk")
    staff.email = "cb-vp-tk@gieng-day.vn"
    db.session.commit()
    result = runner.invoke(args=["remind", "--today", "20/03/2024"])
    assert result.exit_code == 0
    [message] = [s for s in sent if s[0] == "send"]
    assert message[1] == "cb-vp-tk@gieng-day.vn" and "Minh Chứng:" in message[2]
    assert "Quá hạn" in message[3] and "CCHC-1.1-a" in message[3]
    assert ("starttls",) in sent and ("login", "minhchung") in sent


def test_a_new_password_is_never_in_the_session_cookie_or_a_cache(ward, client, app):
    """Issue 13, finding 13: the password is shown in the answer only, with Cache-Control: no-store."""
    login(client, "admin")
    target = user("cb-vp-tk")
    for response in (
        client.post("/admin/users/new", data={"username": "hoa.lt", "role": "staff", "active": "y"}),
        client.post(f"/admin/users/{target.id}/password"),
    ):
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
        password = re.search(r"chỉ hiển thị một lần\): (\S+)<", response.get_data(as_text=True)).group(1)
        cookie = client.get_cookie("session")
        session = app.session_interface.get_signing_serializer(app).loads(cookie.value) if cookie else {}
        assert password not in repr(session)
    tokens = client.post("/account/tokens/", data={"name": "máy in"})
    assert tokens.status_code == 201 and tokens.headers["Cache-Control"] == "no-store"


def test_every_change_of_an_account_is_audited(ward, client, runner):
    """Issue 13, finding 11: a new name or e-mail, and `departments create`, left no audit event."""
    login(client, "admin")
    target = user("cb-vp-tk")
    response = client.post(
        f"/admin/users/{target.id}",
        data={
            "full_name": "Trần Văn Bình",
            "email": "binh@example.vn",
            "role": "staff",
            "departments": [department("vp-tk").id],
            "active": "y",
        },
    )
    assert response.status_code == 303
    event = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert event.action == "user.update" and event.data["full_name"][1] == "Trần Văn Bình"
    assert event.data["email"] == [None, "binh@example.vn"]
    assert (
        runner.invoke(
            args=["departments", "create", "--unit", "gieng-day", "--code", "yt", "--name", "Trạm Y tế"]
        ).exit_code
        == 0
    )
    event = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert event.action == "department.create" and event.actor_id is None
    assert event.data == {"code": "yt", "name": "Trạm Y tế", "operator": f"cli:{getpass.getuser()}"}
