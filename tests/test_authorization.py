"""Authorisation on every object: each route that names an object, for each role, pointed at another unit's
object, answers 404 (or 403 where the role may not use the route at all), and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from evidence_app.api.models import ApiToken
from evidence_app.api.operations import create_token
from evidence_app.catalog.models import Area, ChecklistItem, Criterion, Index, Measurement, SelfScore
from evidence_app.cycle.models import CriterionResult, Proposal
from evidence_app.cycle.operations import import_results
from evidence_app.evidence.models import Document, Evidence
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.extensions import db
from evidence_app.models import AuditEvent, Review, User
from tests.cycle.sheets import write_csv
from tests.evidence import corpus
from tests.helpers import import_file, login, make_unit, make_user

ROLES = ("staff", "reviewer", "admin")
REVIEW_ROLES = ("reviewer", "admin")
ADMIN_ROLES = ("admin",)

# (method, url template, roles that may use the route on their own unit's objects)
ROUTES = [
    ("GET", "/catalog/{index}", ROLES),
    ("GET", "/catalog/areas/{area}", ROLES),
    ("GET", "/catalog/criteria/{criterion}", ROLES),
    ("GET", "/catalog/{index}/criteria/{code}", ROLES),
    ("POST", "/catalog/criteria/{criterion}/measurements", ROLES),
    ("POST", "/catalog/criteria/{criterion}/self-score", ROLES),  # the object is looked up before the role
    ("GET", "/items/{item}", ROLES),
    ("POST", "/items/{item}/upload", ROLES),
    ("POST", "/items/{item}/link", ROLES),
    ("POST", "/items/{own_item}/link?document={document}", ROLES),
    ("GET", "/documents/{document}", ROLES),
    ("GET", "/documents/{document}/download", ROLES),
    ("GET", "/documents/{document}/reading", ROLES),
    ("GET", "/documents/{document}/preview", ROLES),
    ("GET", "/documents/{document}/thumb", ROLES),
    ("GET", "/documents/{document}/edit", ROLES),
    ("POST", "/documents/{document}/edit", ROLES),
    ("POST", "/documents/{document}/delete", ROLES),
    ("GET", "/review/{evidence}", REVIEW_ROLES),
    ("POST", "/review/{evidence}", REVIEW_ROLES),
    ("POST", "/review/bulk", REVIEW_ROLES),
    ("GET", "/admin/users/{user}", ADMIN_ROLES),
    ("POST", "/admin/users/{user}", ADMIN_ROLES),
    ("POST", "/admin/users/{user}/password", ADMIN_ROLES),
    ("POST", "/admin/users/{user}/unlock", ADMIN_ROLES),
    ("POST", "/admin/items/{item}/assign", ADMIN_ROLES),
    ("GET", "/admin/audit?document={document}", ADMIN_ROLES),
    ("GET", "/admin/audit?user={user}", ADMIN_ROLES),
    ("POST", "/account/tokens/{token}/revoke", ROLES),  # someone else's token, in any unit
    ("GET", "/api/v1/indices/{index}", ROLES),
    ("GET", "/api/v1/criteria/{criterion}", ROLES),
    ("GET", "/api/v1/criteria/{criterion}/measurements", ROLES),
    ("POST", "/api/v1/criteria/{criterion}/measurements", ROLES),
    ("PUT", "/api/v1/criteria/{criterion}/self-score", ROLES),  # the object is looked up before the role
    ("GET", "/api/v1/items/{item}", ROLES),
    ("POST", "/api/v1/items/{item}/documents", ROLES),
    ("POST", "/api/v1/items/{item}/links", ROLES),
    ("POST", "/api/v1/items/{own_item}/links?document={document}", ROLES),
    ("GET", "/api/v1/documents/{document}", ROLES),
    ("PATCH", "/api/v1/documents/{document}", ROLES),
    ("GET", "/api/v1/documents/{document}/audit", ADMIN_ROLES),
    ("GET", "/api/v1/evidence/{evidence}", ROLES),
    ("POST", "/api/v1/evidence/{evidence}/decision", REVIEW_ROLES),
    ("GET", "/admin/proposals?index={index}", ADMIN_ROLES),
    ("POST", "/admin/proposals/{proposal}", ADMIN_ROLES),
    ("POST", "/admin/results/rows/{row}/causes", ADMIN_ROLES),
    ("GET", "/reports/selfassessment/{index}", ROLES),
    ("GET", "/reports/selfassessment/{index}/download?format=pdf", ROLES),
    ("POST", "/reports/selfassessment/{index}/signed", ROLES),  # the object is looked up before the role
    ("GET", "/reports/units/{unit_code}/", ROLES),  # another unit's report: the province's officers only
    ("GET", "/reports/units/{unit_code}/download?format=json", ROLES),
]


@pytest.fixture
def two_units(app, catalog_dict, write_catalog, tmp_path):
    ours = make_unit("gieng-day", "UBND phường Giếng Đáy")
    theirs = make_unit("bai-chay", "UBND phường Bãi Cháy")
    for unit, name in ((ours, "ours.yaml"), (theirs, "theirs.yaml")):
        import_file(write_catalog(catalog_dict, name), unit)
    for role in ROLES:
        make_user(ours, role, role=role, departments=["vp-tk"])
    stranger = make_user(theirs, "stranger", departments=["vp-tk"])
    item = db.session.execute(
        select(ChecklistItem).where(ChecklistItem.unit_id == theirs.id, ChecklistItem.code == "CCHC-1.2-a")
    ).scalar_one()
    photo = corpus.jpeg(tmp_path, "anh.jpg")
    upload = upload_document(photo, "anh.jpg", user=stranger, items=[item], fields=DocumentFields())
    index = db.session.execute(select(Index).where(Index.unit_id == theirs.id)).scalar_one()
    own_item = db.session.execute(select(ChecklistItem).where(ChecklistItem.unit_id == ours.id)).scalars().first()
    results = write_csv(tmp_path / "kq.csv", [["Mã", "Điểm chốt", "Ghi chú"], ["1.1", 1, "Báo cáo quá hạn"]])
    import_results(theirs, "CCHC", 2023, results)
    db.session.commit()
    proposal = db.session.execute(select(Proposal).where(Proposal.unit_id == theirs.id)).scalars().first()
    return {
        "index": index.id,
        "area": db.session.execute(select(Area.id).where(Area.index_id == index.id)).scalars().first(),
        "criterion": db.session.execute(select(Criterion.id).where(Criterion.index_id == index.id)).scalars().first(),
        "item": item.id,
        "own_item": own_item.id,
        "document": upload.document.id,
        "evidence": upload.new_links[0].id,
        "user": stranger.id,
        "code": "1.1",
        "unit_code": theirs.code,
        "token": create_token(stranger, "theirs")[0].id,
        "proposal": proposal.id,
        "row": proposal.criterion_result_id,
    }


def snapshot():
    return (
        [
            (e.id, e.state, e.version, e.item_id)
            for e in db.session.execute(select(Evidence).order_by(Evidence.id)).scalars()
        ],
        [(d.id, d.number, d.deleted_at) for d in db.session.execute(select(Document).order_by(Document.id)).scalars()],
        [
            (u.id, u.role, u.active, u.password_hash, u.session_epoch)
            for u in db.session.execute(select(User).order_by(User.id)).scalars()
        ],
        [
            (i.id, i.owner_department_id, i.assignee_id)
            for i in db.session.execute(select(ChecklistItem).order_by(ChecklistItem.id)).scalars()
        ],
        db.session.query(Review).count(),
        db.session.query(Measurement).count(),
        db.session.query(SelfScore).count(),
        [(t.id, t.revoked_at) for t in db.session.execute(select(ApiToken).order_by(ApiToken.id)).scalars()],
        [
            (p.id, p.state, p.title, p.item_id)
            for p in db.session.execute(select(Proposal).order_by(Proposal.id)).scalars()
        ],
        [(r.id, r.causes) for r in db.session.execute(select(CriterionResult).order_by(CriterionResult.id)).scalars()],
    )


@pytest.mark.parametrize("role", ROLES)
def test_another_units_objects_are_not_found(app, two_units, role):
    client = app.test_client()
    login(client, role)
    before = snapshot()
    form = {
        "document_id": two_units["document"],
        "selected": f"{two_units['evidence']}:1",
        "decision": "approved",
        "version": "1",
        "role": "admin",
        "owner_department": "1",
        "assignee": "1",
        "number": "forged",
        "numerator": "1",
        "denominator": "2",
        "measured_on": "01/01/2024",
        "source": "x",
        "score": "1",
        "cause-0": "other",
        f"p{two_units['proposal']}-action": "accept",
        f"p{two_units['proposal']}-title": "forged",
        f"p{two_units['proposal']}-checks": "forged",
    }
    for method, template, allowed in ROUTES:
        url = template.format(**two_units)
        if "?document=" in url and method == "POST":
            url, form["document_id"] = url.split("?")[0], two_units["document"]
        if url.startswith("/api/") and method != "GET":
            response = client.open(
                url, method=method, json={**form, "document_id": two_units["document"], "version": 1}
            )
        else:
            response = client.open(url, method=method, data=form if method == "POST" else None)
        expected = 404 if role in allowed else 403
        if template == "/review/bulk" and role in allowed:
            expected = 404  # the evidence named in the form is not in the reviewer's unit
        assert response.status_code == expected, f"{role} {method} {url}: {response.status_code}"
    db.session.expire_all()
    assert snapshot() == before, "nothing of the other unit changed"
    leaked = [
        e.action for e in db.session.execute(select(AuditEvent).where(AuditEvent.action.like("review.%"))).scalars()
    ]
    assert leaked == []


def test_every_route_that_names_an_object_is_in_the_matrix(app):
    covered = {template.split("?")[0].replace("{own_item}", "{item}") for _m, template, _r in ROUTES}
    for rule in app.url_map.iter_rules():
        if rule.arguments and rule.endpoint != "static":
            path = rule.rule
            for argument in rule.arguments:
                name = "{" + argument.replace("_id", "") + "}"
                path = path.replace(f"<int:{argument}>", name).replace(f"<{argument}>", name)
            assert path in covered, f"{rule.rule} is not in the authorisation matrix"
