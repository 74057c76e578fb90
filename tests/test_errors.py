"""One kind of refusal, one handler: the API answers JSON with a stable code, a page answers a clear page, and
nothing the refused request began is kept."""

from __future__ import annotations

from sqlalchemy import func, select

from evidence_app.catalog.measurements import EntryRefused
from evidence_app.catalog.operations import ImportRefused
from evidence_app.cycle.operations import ProposalRefused, ResultsRefused
from evidence_app.errors import Refused
from evidence_app.evidence.operations import UploadRefused
from evidence_app.extensions import db
from evidence_app.models import Department
from evidence_app.review.operations import ReviewConflict, ReviewRefused
from tests.helpers import login


def test_every_refusal_of_the_services_is_a_refused():
    for kind in (
        EntryRefused,
        ImportRefused,
        ProposalRefused,
        ResultsRefused,
        ReviewConflict,
        ReviewRefused,
        UploadRefused,
    ):
        assert issubclass(kind, Refused), kind
    assert ReviewRefused("own_upload", "x").status == 403 and ReviewRefused("reason_required", "x").status == 422


def test_a_refusal_rolls_back_and_answers_pages_and_the_api(app, ward):
    def refuse_after_writing():
        db.session.add(Department(unit_id=ward.id, code="half", name="Half-written"))
        db.session.flush()
        raise EntryRefused("score", "Nhập một số, ví dụ 12,5.")

    app.add_url_rule("/refuse", "refuse", refuse_after_writing)
    app.add_url_rule("/api/v1/refuse", "api_refuse", refuse_after_writing)
    client = app.test_client()
    login(client, "cb-vp-tk")

    page = client.get("/refuse")
    assert page.status_code == 422 and "Nhập một số, ví dụ 12,5." in page.get_data(as_text=True)
    api = client.get("/api/v1/refuse")
    assert api.status_code == 422
    error = api.get_json()["error"]
    assert error["code"] == "invalid" and error["fields"]["score"][0]["message"] == "Nhập một số, ví dụ 12,5."
    assert (
        db.session.execute(select(func.count()).select_from(Department).where(Department.code == "half")).scalar() == 0
    )
