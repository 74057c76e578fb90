"""Every state change writes the audit events it should, with the real actor (issue 13, finding 11).

Two tables, kept here: how to call each state-changing route (every POST, PUT, PATCH and DELETE of the app's URL
map, pages and /api/v1) and each command of `minhchung` that changes state, and which events (action, actor) the
call must add; a route or command that changes nothing is in the table too, with no events and the reason. A
route or command missing from the tables fails the first tests, so that a new one cannot go unaudited.

The actor of a page or API request is the signed-in user (or the token's); a command has none, so its events carry
`actor_id` None (or the account it acts as: `upload --user`, `import --user`) and name the operator in
`data["operator"]` (docs/cli.md)."""

from __future__ import annotations

import base64
import getpass
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from openpyxl import Workbook
from sqlalchemy import delete, func, select

from evidence_app.api.operations import create_token
from evidence_app.audit import check_chain
from evidence_app.auth import hash_password
from evidence_app.auth.models import Department, Unit, User
from evidence_app.catalog.models import ChecklistItem, Criterion
from evidence_app.cycle.models import CriterionResult, Proposal
from evidence_app.cycle.operations import import_results
from evidence_app.evidence.models import Document, Evidence
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.extensions import db
from evidence_app.models import AuditEvent
from tests.evidence import corpus
from tests.helpers import PASSWORD, login

NEW_PASSWORD = "a long new passphrase"
OPERATOR = f"cli:{getpass.getuser()}"  # who runs the commands, as their events name them
RESULTS = [  # the province's table of 2023, the ward's catalog being CCHC 2024: proposals follow
    ["STT", "Tiêu chí / mã", "Điểm tối đa", "Điểm tự chấm", "Điểm thẩm định", "Điểm chốt", "Giải trình / ghi chú"],
    [1, "1.1", 4, 4, 2, 2, "Báo cáo CCHC Quý I quá hạn; Thiếu minh chứng tuyên truyền"],
    [2, "1.2", 8, 8, 8, 8, None],
    [3, "2.1", 7.5, 7.5, 7.5, 7.5, None],
]


# ---- what a call needs: ids of the ward's things, made before the events are counted


class Ward:
    def __init__(self, app, unit, tmp_path: Path):
        self.app, self.unit, self.tmp_path = app, unit, tmp_path

    def user(self, username: str) -> User:
        return db.session.execute(select(User).where(User.username == username)).scalar_one()

    def item(self, code: str) -> int:
        return db.session.execute(select(ChecklistItem.id).where(ChecklistItem.code == code)).scalar_one()

    def criterion(self, code: str) -> int:
        return db.session.execute(select(Criterion.id).where(Criterion.code == code)).scalar_one()

    def department(self, code: str) -> int:
        return db.session.execute(select(Department.id).where(Department.code == code)).scalar_one()

    def pdf(self, name: str = "ke-hoach.pdf", pages: int = 1) -> Path:
        return corpus.pdf(self.tmp_path, name, pages=pages)

    def document(self, username: str = "cb-vh-tt", code: str = "CCHC-1.2-a", name: str = "ke-hoach.pdf") -> Document:
        """A document uploaded by `username` for item `code` (through the service, before the count)."""
        result = upload_document(
            self.pdf(name),
            name,
            user=self.user(username),
            items=[db.session.get(ChecklistItem, self.item(code))],
            fields=DocumentFields(),
        )
        return result.document

    def evidence(self, username: str = "cb-vh-tt") -> Evidence:
        return self.document(username).links[0]

    def results_file(self) -> bytes:
        book = Workbook()
        for row in RESULTS:
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    def import_results(self) -> None:
        import_results(self.unit, "CCHC", 2023, "kq.xlsx", data=self.results_file())

    def proposal(self) -> Proposal:
        self.import_results()
        return db.session.execute(select(Proposal).order_by(Proposal.id)).scalars().first()

    def token(self, username: str) -> dict:
        user = self.user(username)
        _token, secret = create_token(user, "tests", actor=user)
        return {"Authorization": f"Bearer {secret}"}


@dataclass
class Call:
    """Sign in as `who` (None: nobody), run `setup` (its value is given to `send`), count the events, `send`; the
    answer must be a success (below 400; or `status`, for a failed sign-in) and the new events exactly `expect`,
    as (action, actor)."""

    who: str | None
    send: Callable
    expect: list[tuple[str, str | None]]
    setup: Callable = lambda w: None
    status: int | None = None
    why_nothing: str = ""  # for a call that changes nothing: why not

    def __post_init__(self):
        assert self.expect or self.why_nothing, "a call that records nothing says why"


def _form_of_user(w: Ward, user: User, **changes) -> dict:
    data = {
        "full_name": user.full_name or "",
        "email": user.email or "",
        "role": user.role,
        "departments": [d.id for d in user.departments],
        "active": "y" if user.active else "",
    }
    return {**data, **changes}


def _proposal_form(p: Proposal, action: str, **changes) -> dict:
    due = p.due_date.strftime("%d/%m/%Y") if p.due_date else ""
    fields = {"title": p.title, "checks": p.checks or "", "owner": p.owner_department_id, "due": due, "action": action}
    fields.update(changes)
    return {f"p{p.id}-{name}": value for name, value in fields.items()}


def _send_file(client, url: str, field: str, path: Path, headers=None):
    with open(path, "rb") as f:
        return client.post(url, data={field: (f, path.name)}, headers=headers, content_type="multipart/form-data")


def _send_signed_dossier(client, w: Ward):
    index_id = db.session.execute(select(Criterion.index_id).where(Criterion.id == w.criterion("1.2"))).scalar_one()
    with open(w.pdf("da-ky.pdf"), "rb") as f:
        return client.post(
            f"/reports/selfassessment/{index_id}/signed",
            data={"as_of": "31/05/2024", "file": (f, "da-ky.pdf")},
            content_type="multipart/form-data",
        )


ROUTES: dict[str, list[Call]] = {
    # ---- accounts
    "POST /login": [
        Call(
            None,
            lambda c, w, _: c.post("/login", data={"username": "cb-vp-tk", "password": PASSWORD}),
            [("auth.login", "cb-vp-tk")],
        ),
        Call(
            None,
            lambda c, w, _: c.post("/login", data={"username": "cb-vp-tk", "password": "wrong"}),
            [("auth.login_failed", None)],
            status=401,
        ),
    ],
    "POST /logout": [Call("cb-vp-tk", lambda c, w, _: c.post("/logout"), [("auth.logout", "cb-vp-tk")])],
    "POST /account/password": [
        Call(
            "cb-vp-tk",
            lambda c, w, _: c.post(
                "/account/password",
                data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
            ),
            [("user.password_change", "cb-vp-tk")],
        )
    ],
    "POST /account/tokens/": [
        Call(
            "cb-vp-tk",
            lambda c, w, _: c.post("/account/tokens/", data={"name": "script"}),
            [("token.create", "cb-vp-tk")],
        )
    ],
    "POST /account/tokens/<int:token_id>/revoke": [
        Call(
            "cb-vp-tk",
            lambda c, w, token: c.post(f"/account/tokens/{token.id}/revoke"),
            [("token.revoke", "cb-vp-tk")],
            setup=lambda w: create_token(w.user("cb-vp-tk"), "old", actor=w.user("cb-vp-tk"))[0],
        )
    ],
    # ---- administrators: users, assignments
    "POST /admin/users/new": [
        Call(
            "admin",
            lambda c, w, _: c.post("/admin/users/new", data={"username": "moi", "role": "staff", "active": "y"}),
            [("user.create", "admin")],
        )
    ],
    "POST /admin/users/<int:user_id>": [
        Call(
            "admin",
            lambda c, w, u: c.post(
                f"/admin/users/{u.id}", data=_form_of_user(w, u, full_name="Trần Văn Bình", email="b@x.vn")
            ),
            [("user.update", "admin")],
            setup=lambda w: w.user("cb-vp-tk"),
        ),
        Call(
            "admin",
            lambda c, w, u: c.post(f"/admin/users/{u.id}", data=_form_of_user(w, u, role="reviewer")),
            [("user.role_change", "admin")],
            setup=lambda w: w.user("cb-vp-tk"),
        ),
    ],
    "POST /admin/users/<int:user_id>/password": [
        Call(
            "admin",
            lambda c, w, u: c.post(f"/admin/users/{u.id}/password"),
            [("user.password_reset", "admin")],
            setup=lambda w: w.user("cb-vp-tk"),
        )
    ],
    "POST /admin/users/<int:user_id>/unlock": [
        Call(
            "admin",
            lambda c, w, u: c.post(f"/admin/users/{u.id}/unlock"),
            [("user.unlock", "admin")],
            setup=lambda w: w.user("cb-vp-tk"),
        )
    ],
    "POST /admin/items/<int:item_id>/assign": [
        Call(
            "admin",
            lambda c, w, _: c.post(
                f"/admin/items/{w.item('CCHC-1.1-a')}/assign",
                data={"owner_department": w.department("vh-tt"), "assignee": w.user("cb-vh-tt").id},
            ),
            [("item.assign", "admin")],
        )
    ],
    # ---- the province's officers: units that merge and are renamed (the officer is made by the setup, after the
    # call's own sign-in, so the call signs in itself: its sign-in is one of its events)
    "POST /units/merge": [
        Call(
            None,
            lambda c, w, _: _as_officer(c).post(
                "/units/merge",
                data={
                    "sources": ["gieng-day", "ha-khau"],
                    "into": "ha-long",
                    "name": "UBND phường Hạ Long",
                    "effective_on": "01/07/2025",
                    "method": "mean",
                    "confirm": "1",
                },
            ),
            [("auth.login", "tinh"), ("unit.merge", "tinh")],
            setup=lambda w: _province(w),
        )
    ],
    "POST /units/rename": [
        Call(
            None,
            lambda c, w, _: _as_officer(c).post(
                "/units/rename",
                data={"unit": "gieng-day", "name": "UBND phường Giếng Đáy mới", "effective_on": "01/07/2025"},
            ),
            [("auth.login", "tinh"), ("unit.rename", "tinh")],
            setup=lambda w: _province(w),
        )
    ],
    "POST /units/population": [
        Call(
            None,
            lambda c, w, _: _as_officer(c).post("/units/population", data={"unit": "gieng-day", "population": "18000"}),
            [("auth.login", "tinh"), ("unit.update", "tinh")],
            setup=lambda w: _province(w),
        )
    ],
    # ---- administrators: the next cycle
    "POST /admin/results": [
        Call(
            "admin",
            lambda c, w, _: c.post(
                "/admin/results",
                data={"index_code": "CCHC", "year": "2023", "file": (io.BytesIO(w.results_file()), "kq.xlsx")},
                content_type="multipart/form-data",
            ),
            [],
            why_nothing="a dry run: it shows what applying the file would change",
        )
    ],
    "POST /admin/results/apply": [
        Call(
            "admin",
            lambda c, w, _: c.post(
                "/admin/results/apply",
                data={
                    "filename": "kq.xlsx",
                    "content": base64.b64encode(w.results_file()).decode(),
                    "index_code": "CCHC",
                    "year": "2023",
                },
            ),
            [("results.import", "admin")],
        )
    ],
    "POST /admin/rubric": [
        Call(
            "admin",
            lambda c, w, data: c.post(
                "/admin/rubric", data={"file": (io.BytesIO(data), "cchc.yaml")}, content_type="multipart/form-data"
            ),
            [],
            setup=lambda w: _rubric_yaml(w),
            why_nothing="a dry run: it shows what importing the rubric would change",
        ),
        Call(
            "admin",
            lambda c, w, data: c.post(
                "/admin/rubric", data={"filename": "cchc.yaml", "content": base64.b64encode(data).decode()}
            ),
            [("catalog.import", "admin")],
            setup=lambda w: _rubric_yaml(w),
        ),
    ],
    "POST /admin/results/rows/<int:row_id>/causes": [
        Call(
            "admin",
            lambda c, w, row: c.post(f"/admin/results/rows/{row.id}/causes", data={"cause-0": "equipment_missing"}),
            [("results.causes", "admin")],
            setup=lambda w: (
                w.import_results(),
                db.session.execute(select(CriterionResult).where(CriterionResult.final_score == 2)).scalar_one(),
            )[1],
        )
    ],
    "POST /admin/proposals/<int:proposal_id>": [
        Call(
            "admin",
            lambda c, w, p: c.post(f"/admin/proposals/{p.id}", data=_proposal_form(p, "save", title="Mới")),
            [("proposal.update", "admin")],
            setup=lambda w: w.proposal(),
        ),
        Call(
            "admin",
            lambda c, w, p: c.post(f"/admin/proposals/{p.id}", data=_proposal_form(p, "accept")),
            [("proposal.accept", "admin")],
            setup=lambda w: w.proposal(),
        ),
        Call(
            "admin",
            lambda c, w, p: c.post(f"/admin/proposals/{p.id}", data=_proposal_form(p, "discard")),
            [("proposal.discard", "admin")],
            setup=lambda w: w.proposal(),
        ),
    ],
    # ---- evidence pages
    "POST /items/<int:item_id>/upload": [
        Call(
            "cb-vh-tt",
            lambda c, w, _: _send_file(c, f"/items/{w.item('CCHC-1.2-a')}/upload", "files", w.pdf()),
            [("document.upload", "cb-vh-tt")],
        ),
        Call(
            "cb-vp-tk",
            lambda c, w, _: _send_file(c, f"/items/{w.item('CCHC-2.1-a')}/upload", "files", w.pdf()),
            [("document.upload_duplicate", "cb-vp-tk")],
            setup=lambda w: w.document("cb-vh-tt"),  # the same bytes, uploaded before for another item
        ),
    ],
    "POST /items/<int:item_id>/link": [
        Call(
            "cb-vp-tk",
            lambda c, w, d: c.post(f"/items/{w.item('CCHC-1.1-a')}/link", data={"document_id": d.id}),
            [("document.link", "cb-vp-tk")],
            setup=lambda w: w.document("cb-vh-tt"),
        )
    ],
    "POST /documents/<int:document_id>/edit": [
        Call(
            "cb-vh-tt",
            lambda c, w, d: c.post(f"/documents/{d.id}/edit", data={"number": "12/KH-UBND"}),
            [("document.update", "cb-vh-tt")],
            setup=lambda w: w.document(),
        )
    ],
    "POST /documents/<int:document_id>/delete": [
        Call(
            "cb-vh-tt",
            lambda c, w, d: c.post(f"/documents/{d.id}/delete"),
            [("document.delete", "cb-vh-tt")],
            setup=lambda w: w.document(),
        )
    ],
    # ---- review
    "POST /review/<int:evidence_id>": [
        Call(
            "reviewer",
            lambda c, w, e: c.post(
                f"/review/{e.id}", data={"decision": "changes_requested", "version": e.version, "reason": "unsigned"}
            ),
            [("review.changes_requested", "reviewer")],
            setup=lambda w: w.evidence(),
        )
    ],
    "POST /review/bulk": [
        Call(
            "reviewer",
            lambda c, w, e: c.post("/review/bulk", data={"selected": f"{e.id}:{e.version}"}),
            [("review.approved", "reviewer")],
            setup=lambda w: w.evidence(),
        )
    ],
    # ---- figures
    "POST /catalog/criteria/<int:criterion_id>/measurements": [
        Call(
            "cb-vh-tt",
            lambda c, w, _: c.post(
                f"/catalog/criteria/{w.criterion('1.2')}/measurements",
                data={"numerator": "9", "denominator": "10", "measured_on": "31/05/2024", "source": "Một cửa"},
            ),
            [("measurement.add", "cb-vh-tt")],
        )
    ],
    "POST /catalog/criteria/<int:criterion_id>/self-score": [
        Call(
            "reviewer",
            lambda c, w, _: c.post(f"/catalog/criteria/{w.criterion('1.2')}/self-score", data={"score": "7"}),
            [("self_score.set", "reviewer")],
        )
    ],
    # ---- reports
    "POST /reports/pack": [
        Call(
            "reviewer",
            lambda c, w, _: c.post("/reports/pack"),
            [],
            why_nothing="a download: the pack is built from what is stored and sent, nothing is kept",
        )
    ],
    "POST /reports/selfassessment/<int:index_id>/signed": [
        Call(
            "reviewer",
            lambda c, w, _: _send_signed_dossier(c, w),
            [("document.upload", "reviewer"), ("dossier.signed", "reviewer")],
        )
    ],
    # ---- /api/v1, with a personal token: the token's user is the actor
    "POST /api/v1/items/<int:item_id>/documents": [
        Call(
            None,
            lambda c, w, h: _send_file(c, f"/api/v1/items/{w.item('CCHC-1.2-a')}/documents", "file", w.pdf(), h),
            [("document.upload", "cb-vh-tt")],
            setup=lambda w: w.token("cb-vh-tt"),
        )
    ],
    "POST /api/v1/items/<int:item_id>/links": [
        Call(
            None,
            lambda c, w, s: c.post(
                f"/api/v1/items/{w.item('CCHC-1.1-a')}/links", headers=s[0], json={"document_id": s[1].id}
            ),
            [("document.link", "cb-vp-tk")],
            setup=lambda w: (w.token("cb-vp-tk"), w.document("cb-vh-tt")),
        )
    ],
    "PATCH /api/v1/documents/<int:document_id>": [
        Call(
            None,
            lambda c, w, s: c.patch(f"/api/v1/documents/{s[1].id}", headers=s[0], json={"number": "12/KH-UBND"}),
            [("document.update", "cb-vh-tt")],
            setup=lambda w: (w.token("cb-vh-tt"), w.document("cb-vh-tt")),
        )
    ],
    "POST /api/v1/evidence/<int:evidence_id>/decision": [
        Call(
            None,
            lambda c, w, s: c.post(
                f"/api/v1/evidence/{s[1].id}/decision",
                headers=s[0],
                json={"decision": "approved", "version": s[1].version},
            ),
            [("review.approved", "reviewer")],
            setup=lambda w: (w.token("reviewer"), w.evidence()),
        )
    ],
    "POST /api/v1/criteria/<int:criterion_id>/measurements": [
        Call(
            None,
            lambda c, w, h: c.post(
                f"/api/v1/criteria/{w.criterion('1.2')}/measurements",
                headers=h,
                json={"numerator": 9, "denominator": 10, "measured_on": "2024-05-31", "source": "Một cửa"},
            ),
            [("measurement.add", "cb-vh-tt")],
            setup=lambda w: w.token("cb-vh-tt"),
        )
    ],
    "PUT /api/v1/criteria/<int:criterion_id>/self-score": [
        Call(
            None,
            lambda c, w, h: c.put(f"/api/v1/criteria/{w.criterion('1.2')}/self-score", headers=h, json={"score": 7}),
            [("self_score.set", "reviewer")],
            setup=lambda w: w.token("reviewer"),
        )
    ],
}


def _import_dir(w: Ward) -> Path:
    folder = w.tmp_path / "minh-chung"
    (folder / "CCHC-1.1-a").mkdir(parents=True)
    (folder / "CCHC-1.2").mkdir()
    corpus.pdf(folder / "CCHC-1.1-a", "bao-cao.pdf", pages=2)
    corpus.pdf(folder / "CCHC-1.2", "ke-hoach.pdf", pages=3)
    return folder


def _catalog_file(w: Ward, catalog_dict, write_catalog) -> Path:
    catalog_dict["areas"][0]["criteria"][0]["title"] = "Báo cáo CCHC định kỳ (sửa)"
    return write_catalog(catalog_dict, "sua.yaml")


def _rubric_yaml(w: Ward) -> bytes:
    from evidence_app.catalog.models import Index
    from evidence_app.cycle.carry import to_yaml

    return to_yaml(
        db.session.execute(select(Index).where(Index.unit_id == w.unit.id, Index.code == "CCHC")).scalar_one()
    )


def _results_xlsx(w: Ward) -> Path:
    path = w.tmp_path / "kq.xlsx"
    path.write_bytes(w.results_file())
    return path


def _proposals_gone(w: Ward) -> None:
    """Results imported, then their proposals removed: `results propose` makes them again."""
    w.import_results()
    db.session.execute(delete(Proposal))
    db.session.commit()


def _province(w: Ward) -> None:
    """The ward and a neighbour in the province of Quảng Ninh, whose officer is "tinh"."""
    province = Unit(code="quang-ninh", name="UBND tỉnh Quảng Ninh")
    db.session.add(province)
    db.session.flush()
    db.session.add(User(unit=province, username="tinh", password_hash=hash_password(PASSWORD), role="province"))
    db.session.add(Unit(code="ha-khau", name="UBND phường Hà Khẩu", province_id=province.id, population=30000))
    w.unit.province_id, w.unit.population = province.id, 10000


def _as_officer(client):
    assert login(client, "tinh").status_code == 302
    return client


@dataclass
class Command:
    """`args(w)` (after `setup(w)`) must exit 0 and add exactly `expect`: (action, actor), each naming the
    operator."""

    args: Callable
    expect: list[tuple[str, str | None]]
    setup: Callable = lambda w: None
    input: str | None = None


COMMANDS: dict[str, Command] = {
    "units create": Command(
        lambda w, _: ["units", "create", "--code", "xa-moi", "--name", "UBND xã Mới"], [("unit.create", None)]
    ),
    "departments create": Command(
        lambda w, _: ["departments", "create", "--unit", "gieng-day", "--code", "yt", "--name", "Trạm Y tế"],
        [("department.create", None)],
    ),
    "units merge": Command(
        lambda w, _: [
            "units",
            "merge",
            "--into",
            "ha-long",
            "--from",
            "gieng-day",
            "--from",
            "ha-khau",
            "--name",
            "Hạ Long",
        ],
        [("unit.merge", None)],
        setup=lambda w: _province(w),
    ),
    "units split": Command(
        lambda w, document: [
            "units",
            "split",
            "--from",
            "gieng-day",
            "--into",
            "gieng-day-2",
            "--name",
            "Giếng Đáy 2",
            "--department",
            "vh-tt",
            "--user",
            "cb-vh-tt",
            "--document",
            str(document.id),
        ],
        [("unit.split", None)],
        setup=lambda w: w.document(),
    ),
    "units rename": Command(
        lambda w, _: ["units", "rename", "--code", "gieng-day", "--name", "UBND phường Giếng Đáy mới"],
        [("unit.rename", None)],
    ),
    "reading run": Command(
        lambda w, document: ["reading", "run", "--document", str(document.id)],
        [("document.read", None)],
        setup=lambda w: w.document(),
    ),
    "units set": Command(
        lambda w, _: ["units", "set", "--code", "gieng-day", "--population", "18000"], [("unit.update", None)]
    ),
    "users create": Command(
        lambda w, _: ["users", "create", "--username", "moi", "--password", NEW_PASSWORD, "--unit", "gieng-day"],
        [("user.create", None)],
    ),
    "users set-password": Command(
        lambda w, _: ["users", "set-password", "--username", "cb-vp-tk", "--password", NEW_PASSWORD],
        [("user.password_set", None)],
    ),
    "users unlock": Command(lambda w, _: ["users", "unlock", "--username", "cb-vp-tk"], [("user.unlock", None)]),
    "users disable": Command(lambda w, _: ["users", "disable", "--username", "cb-vp-tk"], [("user.disable", None)]),
    "users enable": Command(
        lambda w, _: ["users", "enable", "--username", "cb-vp-tk"],
        [("user.enable", None)],
        setup=lambda w: setattr(w.user("cb-vp-tk"), "active", False) or db.session.commit(),
    ),
    "tokens create": Command(lambda w, _: ["tokens", "create", "--user", "cb-vp-tk"], [("token.create", None)]),
    "tokens revoke": Command(
        lambda w, token: ["tokens", "revoke", str(token.id)],
        [("token.revoke", None)],
        setup=lambda w: create_token(w.user("cb-vp-tk"), "old", actor=w.user("cb-vp-tk"))[0],
    ),
    "catalog import": Command(
        lambda w, path: ["catalog", "import", str(path), "--unit", "gieng-day"],
        [("catalog.import", None)],
        setup=lambda w: _catalog_file(w, w.catalog_dict, w.write_catalog),
    ),
    "results import": Command(
        lambda w, path: ["results", "import", str(path), "--unit", "gieng-day", "--index", "CCHC", "--year", "2023"],
        [("results.import", None)],
        setup=_results_xlsx,
    ),
    "results propose": Command(
        lambda w, _: ["results", "propose", "--unit", "gieng-day", "--index", "CCHC", "--year", "2023"],
        [("results.propose", None)],
        setup=_proposals_gone,
    ),
    "upload": Command(
        lambda w, path: ["upload", str(path), "--item", "CCHC-1.1-a", "--user", "cb-vp-tk"],
        [("document.upload", "cb-vp-tk")],
        setup=lambda w: w.pdf(),
    ),
    "import": Command(
        lambda w, folder: ["import", str(folder), "--unit", "gieng-day", "--user", "cb-vp-tk"],
        [("document.upload", "cb-vp-tk"), ("document.upload", "cb-vp-tk")],
        setup=_import_dir,
    ),
}

# Commands that change none of the app's data, and why.
COMMANDS_CHANGING_NOTHING = {
    "units list": "a listing",
    "reading status": "a listing",
    "reading worker": "runs queued reading jobs, the job `reading run` runs (each records document.read)",
    "units history": "a listing",
    "users list": "a listing",
    "departments list": "a listing",
    "tokens list": "a listing",
    "catalog validate": "checks files, reads no database",
    "catalog summary": "a listing",
    "catalog items": "a listing",
    "catalog export": "writes a file from what is stored",
    "results proposals": "a listing",
    "remind": "prints or e-mails digests of what is stored",
    "reading reindex": "rebuilds the search index, derived data that any reindex makes the same again (like the "
    "league's kept rows, never audited)",
    "report": "prints or writes a report of what is stored",
    "pack": "writes the submission pack from what is stored",
    "league": "prints the league table of what is stored",
    "selfassessment": "writes the self-assessment dossier from what is stored",
    "forecast backtest": "replays stored history, writes nothing",
    "audit verify": "reads the chain",
    "audit anchor": "reads the chain's head",
    "storage init": "creates the S3 bucket if missing: no data of the app",
    "storage verify": "re-hashes stored objects; --gc removes only objects no document refers to (an upload that "
    "never committed) and stale temporary files, never an object the app recorded",
    "backup": "reads the database (a dump) and the store, writes only into the backup folder",
    "restore": "fills an EMPTY database and store with a backup (it refuses any other): the restored chain is the "
    "backed-up one, checked against the head in backup.json, so restore adds no event to it",
    "demo": "writes the demo's wards, users and history through the services tested here (each records its "
    "events); what a served demo does goes through the routes above",
    "db": "Flask-Migrate's schema commands: the schema, not the data",
}

STATE_CHANGING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _route_keys(app) -> set[str]:
    return {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods & STATE_CHANGING_METHODS)
    }


def _command_paths(group: click.Group, ctx: click.Context, prefix: tuple[str, ...] = ()) -> set[str]:
    paths = set()
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group) and " ".join((*prefix, name)) not in COMMANDS_CHANGING_NOTHING:
            paths |= _command_paths(command, ctx, (*prefix, name))
        else:
            paths.add(" ".join((*prefix, name)))
    return paths


def test_every_state_changing_route_is_in_the_table(app):
    found = _route_keys(app)
    assert found - ROUTES.keys() == set(), "routes that change state with no entry in ROUTES: add how to call them"
    assert ROUTES.keys() - found == set(), "entries of ROUTES that are no route of the app any more"


def test_every_command_is_in_the_table(app):
    with click.Context(app.cli) as ctx:
        found = _command_paths(app.cli, ctx)
    listed = COMMANDS.keys() | COMMANDS_CHANGING_NOTHING.keys()
    assert found - listed == set(), "commands in neither COMMANDS nor COMMANDS_CHANGING_NOTHING"
    assert listed - found == set(), "listed commands that the app does not have"


def _events_since(last_id: int) -> list[AuditEvent]:
    return db.session.execute(select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id)).scalars().all()


def _last_id() -> int:
    return db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))


def _actor(event: AuditEvent) -> str | None:
    return db.session.get(User, event.actor_id).username if event.actor_id is not None else None


ROUTE_CALLS = [pytest.param(key, i, id=f"{key}#{i}") for key, calls in ROUTES.items() for i in range(len(calls))]


@pytest.mark.parametrize(("key", "n"), ROUTE_CALLS)
def test_each_route_records_its_events_with_the_signed_in_user(app, ward, tmp_path, key, n):
    call = ROUTES[key][n]
    w = Ward(app, ward, tmp_path)
    client = app.test_client()
    if call.who is not None:
        assert login(client, call.who).status_code == 302
    prepared = call.setup(w)
    db.session.commit()
    before = _last_id()
    response = call.send(client, w, prepared)
    succeeded = response.status_code == call.status if call.status else response.status_code < 400
    assert succeeded, (key, response.status_code, response.get_data(as_text=True)[:500])
    db.session.expire_all()
    events = _events_since(before)
    assert [(e.action, _actor(e)) for e in events] == call.expect, key
    assert all("operator" not in e.data for e in events), "a request has a signed-in user, no operator"
    assert check_chain().intact


@pytest.fixture
def ward_for_commands(app, ward, tmp_path, catalog_dict, write_catalog):
    w = Ward(app, ward, tmp_path)
    w.catalog_dict, w.write_catalog = catalog_dict, write_catalog
    return w


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_records_its_events_naming_the_operator(ward_for_commands, runner, name):
    command, w = COMMANDS[name], ward_for_commands
    prepared = command.setup(w)
    db.session.commit()
    before = _last_id()
    result = runner.invoke(args=command.args(w, prepared), input=command.input)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    events = _events_since(before)
    assert [(e.action, _actor(e)) for e in events] == command.expect, name
    assert all(e.data.get("operator") == OPERATOR for e in events), [e.data for e in events]
    assert check_chain().intact
