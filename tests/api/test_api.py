"""/api/v1 does what the pages do, through the same services: the rubric, my items, uploads through the file
checks, links, edits, the review queue and decisions (four eyes, optimistic locking), figures, the report and
the audit trail; and the OpenAPI document names every route the server has."""

from __future__ import annotations

import contextlib
import json
import threading

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from evidence_app.api.operations import create_token
from evidence_app.catalog.models import ChecklistItem, Criterion, Measurement, SelfScore
from evidence_app.evidence.models import Document, Evidence
from evidence_app.extensions import db
from evidence_app.models import AuditEvent, Review, User
from tests.evidence import corpus


class Api:
    """A test client that sends a user's token with every request."""

    def __init__(self, app, username: str):
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        _token, secret = create_token(user, "tests")
        self.client, self.headers = app.test_client(), {"Authorization": f"Bearer {secret}"}

    def __getattr__(self, method):
        return lambda url, **kw: getattr(self.client, method)("/api/v1" + url, headers=self.headers, **kw)


@pytest.fixture
def api(app, ward):
    return lambda username: Api(app, username)


def item_id(code: str) -> int:
    return db.session.execute(select(ChecklistItem.id).where(ChecklistItem.code == code)).scalar_one()


def criterion_id(code: str) -> int:
    return db.session.execute(select(Criterion.id).where(Criterion.code == code)).scalar_one()


def upload(client: Api, tmp_path, code="CCHC-1.2-a", name="ke-hoach.pdf", pages=1, **fields):
    path = corpus.pdf(tmp_path, f"{pages}-{name}", pages=pages)
    with open(path, "rb") as f:
        return client.post(
            f"/items/{item_id(code)}/documents", data={"file": (f, name), **fields}, content_type="multipart/form-data"
        )


def test_the_rubric_and_my_items(api):
    staff = api("cb-vp-tk")
    indices = staff.get("/indices").json
    assert [(i["code"], i["year"], i["max_points"]) for i in indices] == [("CCHC", 2024, 20)]
    rubric = staff.get(f"/indices/{indices[0]['id']}").json
    assert [a["code"] for a in rubric["areas"]] == ["1", "2"]
    first = rubric["areas"][0]["criteria"][0]
    assert (first["code"], first["max_points"], first["department"]["code"]) == ("1.1", 4, "vp-tk")
    assert [i["code"] for i in first["items"]] == ["CCHC-1.1-a", "CCHC-1.1-b"]

    mine = staff.get("/my/items").json
    assert {i["code"] for i in mine} == {"CCHC-1.1-a", "CCHC-1.1-b", "CCHC-2.1-a"}, "vp-tk's items only"
    assert all(i["state"] == "missing" for i in mine)
    assert mine[0]["code"] == "CCHC-1.1-a" and mine[0]["overdue"], "overdue first, as on the page"
    assert staff.get("/items/2147483648").json["error"]["code"] == "not_found", "past the database's integers"


def test_upload_link_edit_and_the_checks_of_the_upload_page(api, tmp_path):
    staff = api("cb-vh-tt")
    response = upload(staff, tmp_path, number="12/KH-UBND", issue_date="2024-03-01", summary="Kế hoạch tuyên truyền")
    assert response.status_code == 201, response.json
    doc = response.json["document"]
    assert (doc["filename"], doc["number"], doc["issue_date"], doc["content_type"]) == (
        "ke-hoach.pdf",
        "12/KH-UBND",
        "2024-03-01",
        "application/pdf",
    )
    assert response.json["deduplicated"] is False and response.json["evidence"][0]["state"] == "submitted"
    again = upload(staff, tmp_path, code="CCHC-2.1-a")
    assert again.status_code == 201 and again.json["deduplicated"] and again.json["document"]["id"] == doc["id"]

    html = tmp_path / "trang.pdf"
    html.write_bytes(b"<html><script>alert(1)</script></html>")
    with open(html, "rb") as f:
        refused = staff.post(
            f"/items/{item_id('CCHC-1.2-a')}/documents",
            data={"file": (f, "trang.pdf")},
            content_type="multipart/form-data",
        )
    assert refused.status_code == 422 and refused.json["error"]["code"] == "type_not_allowed"
    assert db.session.query(Document).count() == 1

    report = upload(staff, tmp_path, code="CCHC-1.1-a", name="bao-cao.pdf", pages=2)
    assert report.status_code == 422, "a periodic report needs its number and sending date"
    assert set(report.json["error"]["fields"]) == {"number", "sent_date"}
    bad_date = upload(staff, tmp_path, name="x.pdf", pages=3, issue_date="31/02/2024")
    assert bad_date.status_code == 422 and "issue_date" in bad_date.json["error"]["fields"]
    no_file = staff.post(
        f"/items/{item_id('CCHC-1.2-a')}/documents", data={"number": "1"}, content_type="multipart/form-data"
    )
    assert no_file.status_code == 422 and no_file.json["error"]["code"] == "file_required"

    linked = staff.post(f"/items/{item_id('CCHC-1.1-b')}/links", json={"document_id": doc["id"]})
    assert linked.status_code == 201 and linked.json["item"]["code"] == "CCHC-1.1-b"
    assert staff.post(f"/items/{item_id('CCHC-1.1-b')}/links", json={"document_id": doc["id"]}).status_code == 200
    assert staff.post(f"/items/{item_id('CCHC-1.1-b')}/links", data="x").status_code == 415

    as_report = staff.patch(f"/documents/{doc['id']}", json={"issuer": "UBND phường Giếng Đáy"})
    assert as_report.status_code == 422 and set(as_report.json["error"]["fields"]) == {"sent_date"}, (
        "now evidence of a periodic report, it needs its sending date"
    )
    edited = staff.patch(f"/documents/{doc['id']}", json={"issuer": "UBND phường Giếng Đáy", "sent_date": "2024-03-02"})
    assert edited.status_code == 200, edited.json
    assert (edited.json["issuer"], edited.json["number"], edited.json["sent_date"]) == (
        "UBND phường Giếng Đáy",
        "12/KH-UBND",
        "2024-03-02",
    )
    not_yours = api("cb-vp-tk").patch(f"/documents/{doc['id']}", json={"number": "forged"})
    assert not_yours.status_code == 403 and not_yours.json["error"]["code"] == "not_editable"
    backwards = staff.patch(f"/documents/{doc['id']}", json={"period_start": "2024-05-01", "period_end": "2024-01-01"})
    assert backwards.status_code == 422 and "period_end" in backwards.json["error"]["fields"]
    assert db.session.get(Document, doc["id"]).number == "12/KH-UBND"

    shown = staff.get(f"/items/{item_id('CCHC-1.2-a')}").json
    assert shown["state"] == "waiting" and [e["document"]["id"] for e in shown["evidence"]] == [doc["id"]]


def test_review_through_the_api_keeps_the_four_eyes_rule(api, tmp_path):
    staff, reviewer = api("cb-vh-tt"), api("reviewer")
    evidence = upload(staff, tmp_path).json["evidence"][0]
    assert staff.get("/review/queue").status_code == 403
    queue = reviewer.get("/review/queue").json
    assert [(e["id"], e["version"], e["own"]) for e in queue] == [(evidence["id"], 1, False)]
    assert (
        staff.post(f"/evidence/{evidence['id']}/decision", json={"decision": "approved", "version": 1}).status_code
        == 403
    )

    uploader_reviewer = api("reviewer2")
    own = upload(uploader_reviewer, tmp_path, code="CCHC-2.1-a", name="so-lieu.pdf", pages=2).json["evidence"][0]
    refused = uploader_reviewer.post(f"/evidence/{own['id']}/decision", json={"decision": "approved", "version": 1})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "own_upload"

    url = f"/evidence/{evidence['id']}/decision"
    no_reason = reviewer.post(url, json={"decision": "changes_requested", "version": 1})
    assert no_reason.status_code == 422 and no_reason.json["error"]["code"] == "reason_required"
    sent_back = reviewer.post(
        url, json={"decision": "changes_requested", "version": 1, "reason": "unsigned", "comment": "Chưa ký số"}
    )
    assert sent_back.status_code == 200, sent_back.json
    assert (
        sent_back.json["review"]["reason"]["code"] == "unsigned"
        and sent_back.json["evidence"]["state"] == "changes_requested"
    )
    assert sent_back.json["review"]["reason"]["label"] != sent_back.json["review"]["reason"]["label_en"]

    stale = api("admin").post(url, json={"decision": "approved", "version": 1})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "decided_elsewhere"
    assert stale.json["error"]["current"] == {"state": "changes_requested", "version": 2}
    assert db.session.query(Review).count() == 1

    mine = staff.get("/my/items").json
    sent = next(i for i in mine if i["code"] == "CCHC-1.2-a")
    assert sent["state"] == "changes_requested" and sent["last_review"]["comment"] == "Chưa ký số"

    trail = api("admin").get(f"/documents/{evidence['document_id']}/audit")
    assert [e["action"] for e in trail.json] == ["document.upload", "review.changes_requested"]
    assert trail.json[1]["actor"]["username"] == "reviewer"
    assert reviewer.get(f"/documents/{evidence['document_id']}/audit").status_code == 403


def _decide_at_once(app, evidence_id: int, reviewers: list[Api]) -> list:
    """Both reviewers read version 1 and pass every check; only then does either write. On PostgreSQL the row
    lock holds the second one before its check instead: the first then waits two seconds and goes on alone."""
    both_checked = threading.Barrier(len(reviewers), timeout=2)

    def wait_for_the_other(session, _context, _instances):
        if any(isinstance(o, Evidence) for o in session.dirty) and not session.info.get("waited"):
            session.info["waited"] = True
            with contextlib.suppress(threading.BrokenBarrierError):
                both_checked.wait()

    results = [None] * len(reviewers)

    def run(i, reviewer):
        results[i] = reviewer.post(f"/evidence/{evidence_id}/decision", json={"decision": "approved", "version": 1})

    event.listen(Session, "before_flush", wait_for_the_other)
    try:
        threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(reviewers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        event.remove(Session, "before_flush", wait_for_the_other)
    return results


def test_two_reviewers_deciding_at_once_one_wins_the_other_gets_409(app, api, tmp_path):
    """Real concurrency: two threads, two database connections, both past the version check before either
    writes. The database's conditional UPDATE lets one through; the other is told, and nothing is overwritten."""
    evidence = upload(api("cb-vh-tt"), tmp_path).json["evidence"][0]
    first, second = api("reviewer"), api("reviewer2")
    db.session.commit()  # the test's own connection holds nothing while the threads run

    results = _decide_at_once(app, evidence["id"], [first, second])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 409], [r.json for r in results]
    loser = next(r for r in results if r.status_code == 409)
    assert loser.json["error"]["code"] == "decided_elsewhere"
    assert loser.json["error"]["current"] == {"state": "approved", "version": 2}
    db.session.expire_all()
    assert db.session.query(Review).count() == 1
    assert db.session.get(Evidence, evidence["id"]).version == 2
    assert db.session.execute(select(AuditEvent.action).where(AuditEvent.action.like("review.%"))).scalars().all() == [
        "review.approved"
    ]


def test_measurements_self_scores_and_the_report(api, runner):
    staff, outsider, reviewer = api("cb-vh-tt"), api("cb-vp-tk"), api("reviewer")
    url = f"/criteria/{criterion_id('1.2')}/measurements"  # the criterion of vh-tt
    added = staff.post(
        url, json={"numerator": 991, "denominator": "1000", "measured_on": "2024-05-31", "source": "Hệ thống một cửa"}
    )
    assert added.status_code == 201 and added.json["percent"] == 99.1
    assert outsider.post(url, json={"numerator": 1, "measured_on": "2024-05-31", "source": "x"}).status_code == 403
    too_many = staff.post(url, json={"numerator": 5, "denominator": 2, "measured_on": "2024-05-31", "source": "x"})
    assert too_many.status_code == 422 and "numerator" in too_many.json["error"]["fields"]
    huge = staff.post(url, json={"numerator": 1e300, "measured_on": "2024-05-31", "source": "x"})
    assert huge.status_code == 422
    assert [m["numerator"] for m in staff.get(url).json] == [991]
    assert db.session.query(Measurement).count() == 1

    score_url = f"/criteria/{criterion_id('1.2')}/self-score"
    assert staff.put(score_url, json={"score": 8}).status_code == 403
    over = reviewer.put(score_url, json={"score": 9})
    assert over.status_code == 422 and over.json["error"]["fields"]["score"][0]["message_en"].endswith("8.")
    assert reviewer.put(score_url, json={"score": "7,5", "note": "tự chấm"}).json["score"] == 7.5
    assert db.session.execute(select(SelfScore.score)).scalar_one() == 7.5
    shown = staff.get(f"/criteria/{criterion_id('1.2')}").json
    assert shown["self_score"]["score"] == 7.5 and shown["may_enter_figures"] is True
    assert outsider.get(f"/criteria/{criterion_id('1.2')}").json["may_enter_figures"] is False

    from_api = staff.get("/report?as_of=2024-06-01")
    assert from_api.status_code == 200
    cli = runner.invoke(args=["report", "--as-of", "2024-06-01", "--format", "json"])
    assert cli.exit_code == 0, cli.output
    without_time = lambda r: {k: v for k, v in r.items() if k != "generated_at"}
    assert without_time(from_api.json) == without_time(json.loads(cli.output))
    assert staff.get("/report?as_of=tomorrow").status_code == 422


def test_the_openapi_document_names_every_api_route(app):
    spec = app.test_client().get("/api/v1/openapi.json").json
    documented = {
        (method.upper(), "/api/v1" + path) for path, operations in spec["paths"].items() for method in operations
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule
            for argument in rule.arguments:
                path = path.replace(f"<int:{argument}>", "{" + argument + "}")
            served |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served
