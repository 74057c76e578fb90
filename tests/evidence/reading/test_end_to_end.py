"""Issue 18 end to end, through the real readers (pypdf, Tesseract, pyHanko) and the pages: a staff member uploads
a scanned decision and the document page proposes its number, date, issuer and summary, which the edit form takes
to be confirmed; a document dated outside the period shows its check before anyone opens it; a reviewer sees who
signed a PDF, or that it was changed after signing; search finds a phrase of the body typed without accents; the
command line fills what it was not given."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from evidence_app.catalog.models import ChecklistItem
from evidence_app.evidence.models import Document
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.evidence.reading.models import DocumentReading
from evidence_app.evidence.reading.prechecks import fold
from evidence_app.extensions import db
from evidence_app.models import User
from tests.evidence.reading import documents, pki
from tests.helpers import login


@pytest.fixture(autouse=True)
def reading_inline(app):
    app.config["READING_MODE"] = "inline"


def user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def item() -> ChecklistItem:
    return db.session.execute(select(ChecklistItem).where(ChecklistItem.code == "CCHC-1.2-a")).scalar_one()


def decision_of_the_ward(year: int) -> documents.Spec:
    """A one-page Quyết định of UBND phường Giếng Đáy issued in `year` (the first such seed)."""
    for seed in range(2000):
        spec = documents.make_spec(seed, pages=1)
        truth = spec.truth
        if (
            truth.place == "Giếng Đáy"
            and truth.doc_type == "QUYẾT ĐỊNH"
            and truth.issue_date.startswith(str(year))
            and "UBND" in truth.number
            and truth.issue_date[5:] < "12-01"
        ):
            return spec
    raise AssertionError("no such seed")


def test_a_scanned_decision_is_read_its_details_proposed_and_confirmed(ward, client, tmp_path):
    spec = decision_of_the_ward(2024)
    scan = documents.Sample(spec, "scanned_pdf", documents.scanned_pdf(spec, max_pages=1))
    login(client, "cb-vp-tk")
    with open(scan.write(tmp_path, "quyet-dinh"), "rb") as f:
        answer = client.post(f"/items/{item().id}/upload", data={"files": (f, "Quyết định (bản scan).pdf")})
    assert answer.status_code == 303
    document = db.session.execute(select(Document)).scalar_one()
    reading = db.session.get(DocumentReading, document.id)
    assert (reading.status, reading.method) == ("done", "ocr") and reading.confidence > 60
    truth = spec.truth
    assert {k: reading.proposals.get(k) for k in ("number", "issue_date")} == {
        "number": truth.number,
        "issue_date": truth.issue_date,
    }
    assert document.number is None, "nothing is stored before the uploader confirms"

    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert truth.number in page and "Chưa ký số" in page
    href = re.search(r'id="use-proposals" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    form = client.get(href).get_data(as_text=True)
    assert f'value="{truth.number}"' in form
    day = date.fromisoformat(truth.issue_date)
    saved = client.post(
        f"/documents/{document.id}/edit",
        data={
            "number": truth.number,
            "issue_date": f"{day:%d/%m/%Y}",
            "issuer": reading.proposals["issuer"],
            "summary": reading.proposals["summary"],
        },
    )
    assert saved.status_code == 303
    db.session.refresh(document)
    assert (document.number, document.issue_date) == (truth.number, day)
    assert fold(document.issuer) == fold("UBND phường Giếng Đáy") or "gieng day" in fold(document.issuer)
    again = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert 'id="use-proposals"' not in again, "confirmed: nothing left to propose"

    phrase = fold(truth.summary.removeprefix("Về việc ")).split()[:4]
    found = client.get("/documents", query_string={"q": f'"{" ".join(phrase)}"'}).get_data(as_text=True)
    assert f"/documents/{document.id}" in found, "a phrase of the document typed without accents finds it"


def test_a_document_dated_outside_the_period_shows_its_check_before_anyone_opens_it(ward, app, tmp_path):
    spec = decision_of_the_ward(2023)  # the test catalog assesses 2024: 15/12/2023 – 14/12/2024
    path = documents.Sample(spec, "text_pdf", documents.text_pdf(spec)).write(tmp_path, "cu")
    link = upload_document(path, "cu.pdf", user=user("cb-vp-tk"), items=[item()], fields=DocumentFields())
    reviewer = app.test_client()
    login(reviewer, "reviewer")
    queue = reviewer.get("/review/").get_data(as_text=True)
    assert "ngoài kỳ đánh giá" in queue and f"{date.fromisoformat(spec.truth.issue_date):%d/%m/%Y}" in queue
    assert link.new_links


def test_the_reviewer_sees_who_signed_and_whether_it_was_changed_after(ward, app, tmp_path):
    root = pki.make_ca("Test Root CA")
    signer = pki.make_signer(root)
    signed = pki.sign_pdf(pki.base_pdf(), signer, [root])
    altered = pki.add_text_to_page(signed)
    links = []
    for name, content in (("ky-so.pdf", signed), ("da-sua.pdf", altered)):
        (tmp_path / name).write_bytes(content)
        result = upload_document(tmp_path / name, name, user=user("cb-vp-tk"), items=[item()], fields=DocumentFields())
        links.append(result.new_links[0])
    reviewer = app.test_client()
    login(reviewer, "reviewer")
    intact = reviewer.get(f"/review/{links[0].id}").get_data(as_text=True)
    assert "Đã ký số bởi Nguyễn Văn A (UBND phường Giếng Đáy / Văn phòng – Thống kê), nguyên vẹn" in intact
    assert "chưa xác minh được chuỗi chứng thư" in intact, "no trust roots configured"
    changed = reviewer.get(f"/review/{links[1].id}").get_data(as_text=True)
    assert "đã bị sửa sau khi ký" in changed and "bị sửa sau khi ký." in changed  # the line and the check


def test_the_command_line_fills_what_it_was_not_given(ward, runner, tmp_path):
    spec = decision_of_the_ward(2024)
    path = documents.Sample(spec, "docx", documents.docx(spec)).write(tmp_path, "qd")
    done = runner.invoke(args=["upload", str(path), "--item", "CCHC-1.2-a", "--user", "cb-vp-tk", "--summary", "Tóm"])
    assert done.exit_code == 0, done.output
    assert "from the document: number, issue_date, issuer" in done.output
    document = db.session.execute(select(Document)).scalar_one()
    assert (document.number, document.issue_date.isoformat(), document.summary) == (
        spec.truth.number,
        spec.truth.issue_date,
        "Tóm",
    ), "what was given stays"
