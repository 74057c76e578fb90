"""Daily work on a phone (issue 14): every upload ends on the item's page at a banner that names what became of
each file; refusals keep what was typed; a document sent back is corrected (its details, or the same file with
corrected details) as a new version for review; refusals name the real reason; a session that ended says so and
leads back to the same item with what was typed."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import select

from evidence_app.clock import frozen_at, utcnow
from evidence_app.evidence.models import Document, Evidence, Review
from evidence_app.evidence.operations import (
    DocumentFields,
    NotEditable,
    UnchangedResubmission,
    correct_document,
    upload_document,
)
from evidence_app.extensions import db
from evidence_app.review.operations import decide
from tests.api.test_api import Api
from tests.conftest import build_app
from tests.evidence import corpus
from tests.helpers import PASSWORD, login
from tests.review.test_review import item, user


@pytest.fixture
def staff(client, ward):
    login(client, "cb-vp-tk")
    return client


def post(client, code: str, *files: tuple[bytes, str], json: bool = False, **fields):
    data = {"files": [(io.BytesIO(content), name) for content, name in files], **fields}
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/items/{item(code).id}/upload", data=data, content_type="multipart/form-data", headers=headers)


def outcome(page: str) -> str:
    """The text of the banner that says what an upload did."""
    found = re.search(r'<section id="upload-outcome".*?</section>', page, re.S)
    assert found, "no upload outcome on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def send_back(evidence: Evidence, comment="Sai số hiệu") -> None:
    decide(
        evidence,
        user("reviewer"),
        "changes_requested",
        expected_version=evidence.version,
        reason_code="other",
        comment=comment,
    )


def uploaded(tmp_path, number="1/KH", name="ke-hoach.pdf", code="CCHC-1.2-a") -> Evidence:
    path = corpus.pdf(tmp_path, name, pages=1)
    return upload_document(
        path, name, user=user("cb-vp-tk"), items=[item(code)], fields=DocumentFields(number=number)
    ).new_links[0]


# ---- 1. every upload ends on a visible result


def test_an_upload_lands_on_the_item_at_a_banner_naming_each_file(staff, tmp_path):
    pdf = corpus.pdf(tmp_path, pages=2).read_bytes()
    photo = corpus.jpeg(tmp_path, "anh.jpg").read_bytes()
    response = post(staff, "CCHC-1.2-a", (pdf, "Kế hoạch.pdf"), (photo, "Ảnh hội nghị.jpg"), number="12/KH")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.endswith("#upload-outcome"), "the page opens at the banner, above the new evidence"
    links = db.session.execute(select(Evidence).order_by(Evidence.id)).scalars().all()
    assert parse_qs(urlsplit(location).query)["uploaded"] == [f"{links[0].id}-{links[1].id}"]
    page = staff.get(location).get_data(as_text=True)
    banner = outcome(page)
    assert "Đã tải lên 2 tệp — chờ duyệt" in banner
    assert "Kế hoạch.pdf" in banner and "Ảnh hội nghị.jpg" in banner
    assert page.index('id="upload-outcome"') < page.index('id="evidence-list"') < page.index('id="upload-form"')
    assert page.count('class="just-uploaded"') == 2
    assert f'action="/items/{item("CCHC-1.2-a").id}/upload#upload-outcome"' in page


def test_the_pages_script_is_told_where_to_go(staff, tmp_path):
    pdf = corpus.pdf(tmp_path, pages=1).read_bytes()
    answer = post(staff, "CCHC-1.2-a", (pdf, "a.pdf"), json=True)
    assert answer.status_code == 200
    [link] = db.session.execute(select(Evidence)).scalars().all()
    assert answer.json["next"] == f"/items/{item('CCHC-1.2-a').id}?uploaded={link.id}#upload-outcome"
    again = post(staff, "CCHC-1.2-a", (pdf, "a.pdf"), json=True)
    assert again.status_code == 422 and again.json["next"] is None
    assert "đã là minh chứng của mục này và đang chờ duyệt" in again.json["refused"][0]["reason"]


def test_a_refused_file_is_named_with_what_to_do_and_what_was_typed_is_kept(staff, tmp_path):
    pdf = corpus.pdf(tmp_path, pages=1).read_bytes()
    response = post(
        staff,
        "CCHC-1.2-a",
        (pdf, "Kế hoạch.pdf"),
        (b"MZ\x90\x00 not a document", "virus.pdf"),
        number="12/KH-UBND",
        summary="Kế hoạch tuyên truyền",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    banner = outcome(page)
    assert "Đã tải lên 1 tệp — chờ duyệt" in banner and "Kế hoạch.pdf" in banner
    assert "1 tệp chưa được tải lên" in banner and "virus.pdf" in banner
    assert "Thông tin đã nhập vẫn được giữ" in banner
    assert 'value="12/KH-UBND"' in page and "Kế hoạch tuyên truyền</textarea>" in page


def test_a_form_error_says_nothing_was_uploaded(staff, tmp_path):
    pdf = corpus.pdf(tmp_path, pages=1).read_bytes()
    response = post(staff, "CCHC-1.2-a", (pdf, "a.pdf"), issue_date="01/01/2999", number="7/KH")
    assert response.status_code == 422
    assert "Chưa tải lên được tệp nào" in outcome(response.get_data(as_text=True))


# ---- 2. a document sent back is corrected, as a new version


def test_the_same_file_with_corrected_details_is_a_resubmission(staff, tmp_path):
    pdf = corpus.pdf(tmp_path, pages=1).read_bytes()
    post(staff, "CCHC-1.2-a", (pdf, "ke-hoach.pdf"), number="1/KH")
    first = db.session.execute(select(Evidence)).scalar_one()
    send_back(first)

    unchanged = post(staff, "CCHC-1.2-a", (pdf, "ke-hoach.pdf"), number="1/KH")
    assert unchanged.status_code == 422
    assert "đã bị trả lại nhưng chưa có gì được sửa" in outcome(unchanged.get_data(as_text=True))

    response = post(staff, "CCHC-1.2-a", (pdf, "ke-hoach.pdf"), number="15/KH-UBND")
    assert response.status_code == 303
    db.session.expire_all()
    first, second = db.session.execute(select(Evidence).order_by(Evidence.id)).scalars().all()
    assert (second.replaces_id, second.state, second.document.number) == (first.id, "submitted", "15/KH-UBND")
    assert second.document_id != first.document_id and second.document.storage_key == first.document.storage_key
    assert first.state == "changes_requested" and first.document.number == "1/KH", "the send-back stays as it was"
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "phiên bản mới, thay cho bản bị trả lại" in outcome(page)
    assert re.search(r'id="item-state">\s*<span class="state item-waiting">chờ duyệt', page)
    decide(second, user("reviewer"), "approved", expected_version=second.version)
    assert db.session.get(Evidence, second.id).state == "approved"


def test_a_sent_back_document_is_corrected_on_its_page(staff, tmp_path):
    first = uploaded(tmp_path)
    send_back(first, "Số hiệu phải là 25/KH-UBND")
    edit = staff.get(f"/documents/{first.document_id}/edit")
    assert edit.status_code == 200
    page = edit.get_data(as_text=True)
    assert "Số hiệu phải là 25/KH-UBND" in page and "Lưu và gửi duyệt lại" in page and 'value="1/KH"' in page
    response = staff.post(f"/documents/{first.document_id}/edit", data={"number": "25/KH-UBND"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#upload-outcome")
    db.session.expire_all()
    second = db.session.execute(select(Evidence).where(Evidence.replaces_id == first.id)).scalar_one()
    assert (second.state, second.document.number, second.linked_by.username) == ("submitted", "25/KH-UBND", "cb-vp-tk")
    banner = outcome(staff.get(response.headers["Location"]).get_data(as_text=True))
    assert "Đã tải lên 1 tệp — chờ duyệt" in banner and "phiên bản mới" in banner
    assert (
        db.session.scalar(select(Review.comment).where(Review.evidence_id == first.id)) == "Số hiệu phải là 25/KH-UBND"
    )
    again = staff.get(f"/documents/{first.document_id}/edit")
    assert again.status_code == 403 and "hãy sửa phiên bản mới" in again.get_data(as_text=True)


def test_staff_of_the_department_in_charge_correct_it_too_through_the_api(app, ward, tmp_path):
    first = uploaded(tmp_path)  # CCHC-1.2-a belongs to vh-tt; cb-vp-tk uploaded it
    send_back(first)
    answer = Api(app, "cb-vh-tt").patch(f"/documents/{first.document_id}", json={"number": "2/KH"})
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["replaces"] == first.document_id and body["number"] == "2/KH"
    assert [(e["state"], e["replaces_id"]) for e in body["evidence"]] == [("submitted", first.id)]
    assert answer.headers["Location"].endswith(f"/documents/{body['id']}")
    audit = db.session.execute(select(Document).where(Document.id == body["id"])).scalar_one()
    assert audit.uploaded_by.username == "cb-vh-tt"


def test_the_service_corrects_and_refuses_with_the_real_reason(ward, tmp_path):
    first = uploaded(tmp_path)
    send_back(first)
    with pytest.raises(NotEditable, match="bộ phận phụ trách"):
        correct_document(first.document, DocumentFields(number="2/KH"), user("reviewer2"))
    with pytest.raises(UnchangedResubmission):
        correct_document(first.document, DocumentFields(number="1/KH"), user("cb-vp-tk"))
    version = correct_document(first.document, DocumentFields(number="2/KH"), user("cb-vp-tk"))
    [link] = version.links
    assert (link.replaces_id, version.number) == (first.id, "2/KH")
    path = tmp_path / "ke-hoach.pdf"  # the file sent back, once more: it was replaced already, nothing new
    again = upload_document(path, "x.pdf", user=user("cb-vp-tk"), items=[item("CCHC-1.2-a")], fields=DocumentFields())
    assert again.new_links == []


def test_refusals_name_the_real_reason(app, ward, tmp_path):
    approved = uploaded(tmp_path, name="a.pdf")
    decide(approved, user("reviewer"), "approved", expected_version=approved.version)
    waiting = uploaded(tmp_path, name="b.pdf", number="2/KH")
    staff, other = app.test_client(), app.test_client()
    login(staff, "cb-vp-tk")
    login(other, "cb-vh-tt")
    refused = staff.post(f"/documents/{approved.document_id}/edit", data={"number": "9/KH"})
    assert refused.status_code == 403
    text = refused.get_data(as_text=True)
    assert "Tài liệu đã được duyệt, không sửa được nữa" in text and "Vai trò của anh/chị" not in text
    api = Api(app, "cb-vp-tk").patch(f"/documents/{approved.document_id}", json={"number": "9/KH"})
    assert api.status_code == 403 and api.json["error"]["code"] == "not_editable"
    assert api.json["error"]["message"].startswith("Tài liệu đã được duyệt, không sửa được nữa")
    not_theirs = other.get(f"/documents/{waiting.document_id}/edit")
    assert not_theirs.status_code == 403 and "chỉ người đã tải lên mới sửa được" in not_theirs.get_data(as_text=True)


# ---- 3. a session that ended, a stale form, a file too large


@pytest.fixture
def csrf_app(tmp_path, ward):
    app = build_app(tmp_path / "csrf", db.engine.url.render_as_string(hide_password=False), WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        db.engine.dispose()


def _signed_in(app, username="cb-vp-tk"):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert (
        client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token}).status_code == 302
    )
    return client


def test_a_stale_form_says_the_session_ended_and_leads_back_with_what_was_typed(csrf_app, tmp_path):
    client = _signed_in(csrf_app)
    item_id = item("CCHC-1.2-a").id
    pdf = corpus.pdf(tmp_path, pages=1).read_bytes()
    data = {"files": [(io.BytesIO(pdf), "a.pdf")], "number": "12/KH-UBND", "csrf_token": "stale"}
    page = client.post(f"/items/{item_id}/upload", data=data, content_type="multipart/form-data")
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "Phiên đăng nhập đã hết — đăng nhập lại" in text
    login_link = re.search(r'href="(/login\?next=[^"]+)"', text).group(1)
    back = unquote(parse_qs(urlsplit(login_link.replace("&amp;", "&")).query)["next"][0])
    assert back == f"/items/{item_id}?number=12/KH-UBND#upload-form"
    resumed = client.get(client.get(login_link.replace("&amp;", "&")).headers["Location"])  # still signed in
    assert 'value="12/KH-UBND"' in resumed.get_data(as_text=True)

    data["files"] = [(io.BytesIO(pdf), "a.pdf")]
    script = client.post(
        f"/items/{item_id}/upload",
        data=data,
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert script.status_code == 400
    assert script.json["error"]["code"] == "session_expired"
    assert script.json["error"]["message"] == "Phiên đăng nhập đã hết — đăng nhập lại"
    assert script.json["error"]["login"].startswith("/login?next=")


def test_an_upload_after_the_session_ended_says_so(app, ward, tmp_path):
    client = app.test_client()
    start = utcnow()
    with frozen_at(start):
        login(client, "cb-vp-tk")
    item_id = item("CCHC-1.2-a").id
    pdf = corpus.pdf(tmp_path, pages=1).read_bytes()
    with frozen_at(start + timedelta(minutes=61)):
        data = {"files": [(io.BytesIO(pdf), "a.pdf")], "number": "3/KH"}
        script = client.post(
            f"/items/{item_id}/upload",
            data=data,
            content_type="multipart/form-data",
            headers={"Accept": "application/json"},
        )
    assert script.status_code == 401 and script.json["error"]["code"] == "session_expired"
    assert db.session.execute(select(Evidence)).first() is None


def test_a_file_too_large_without_script_links_back_to_the_item(app, staff):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    item_id = item("CCHC-1.2-a").id
    response = post(staff, "CCHC-1.2-a", (b"%PDF-1.4" + b"x" * 4096, "big.pdf"))
    assert response.status_code == 413
    assert f'href="/items/{item_id}#upload-form"' in response.get_data(as_text=True)
