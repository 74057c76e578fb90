"""Pre-checks on what was read from a document: each anticipates a send-back reason, is shown to the uploader, in
the review queue and beside the document, and keeps the item at risk in the report until a reviewer decides."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import select

from evidence_app.catalog.models import ChecklistItem
from evidence_app.evidence.models import Evidence
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.evidence.reading.models import DocumentReading
from evidence_app.evidence.reading.prechecks import fold, is_unit_issuer
from evidence_app.evidence.reading.view import flagged_items, prechecks_of_links
from evidence_app.extensions import db
from evidence_app.models import Unit, User
from evidence_app.reports.build import build_report
from evidence_app.review.operations import decide
from tests.evidence import corpus
from tests.helpers import login

SIGNED = {"signer": "Nguyễn Văn A", "organisation": "UBND phường Giếng Đáy", "intact": True, "modified_after": False}


def user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def item(code: str) -> ChecklistItem:
    return db.session.execute(select(ChecklistItem).where(ChecklistItem.code == code)).scalar_one()


def upload(tmp_path, code="CCHC-1.2-a", name="ke-hoach.pdf", **fields) -> Evidence:
    path = corpus.pdf(tmp_path, name, pages=len(name))
    result = upload_document(path, name, user=user("cb-vp-tk"), items=[item(code)], fields=DocumentFields(**fields))
    return result.new_links[0]


def read(link: Evidence, *, pages=1, confidence=None, signatures=(), **proposals) -> DocumentReading:
    reading = DocumentReading(
        document_id=link.document_id,
        status="done",
        method="ocr" if confidence is not None else "text",
        confidence=confidence,
        pages=pages,
        text="…",
        proposals=proposals,
        signatures=list(signatures),
        read_at=datetime.now(UTC),
    )
    db.session.add(reading)
    db.session.commit()
    return reading


def codes(link: Evidence) -> list[str]:
    return [check.code for check in prechecks_of_links([link]).get(link.id, [])]


def test_names_are_compared_without_accents_case_or_abbreviations(ward, runner):
    assert fold("UỶ BAN NHÂN DÂN PHƯỜNG GIẾNG ĐÁY") == "uy ban nhan dan phuong gieng day"
    for issuer in (
        "UỶ BAN NHÂN DÂN PHƯỜNG GIẾNG ĐÁY",
        "UBND P. Giếng Đáy",
        "ĐẢNG ỦY PHƯỜNG GIẾNG ĐÁY",
        "ubnd phuong gieng day",
    ):
        assert is_unit_issuer(issuer, ward), issuer
    for issuer in ("UBND THÀNH PHỐ HẠ LONG", "UBND phường Giếng Đáy Mới", "UBND phường Hà Khẩu"):
        assert is_unit_issuer(issuer, ward) == (issuer == "UBND phường Giếng Đáy Mới"), issuer  # a longer name
    assert not is_unit_issuer("VĂN PHÒNG HĐND-UBND PHƯỜNG", ward)
    result = runner.invoke(args=["units", "set", "--code", ward.code, "--other-name", "Văn phòng HĐND-UBND phường"])
    assert result.exit_code == 0, result.output
    assert is_unit_issuer("VĂN PHÒNG HĐND-UBND PHƯỜNG", db.session.get(Unit, ward.id))


def test_each_precheck_and_its_reason(ward, tmp_path):
    clean = upload(tmp_path, name="a.pdf")
    read(clean, signatures=[SIGNED], issue_date="2024-03-05", issuer="UBND PHƯỜNG GIẾNG ĐÁY")
    assert codes(clean) == []

    target = item("CCHC-1.2-a")
    target.requires_signature, target.min_pages = True, 3
    db.session.commit()
    faulty = upload(tmp_path, name="bb.pdf", issue_date=date(2024, 3, 5))
    read(faulty, pages=2, confidence=31.0, issue_date="2022-11-02", issuer="UBND THÀNH PHỐ HẠ LONG")
    found = prechecks_of_links([faulty])[faulty.id]
    assert [(c.code, c.reason) for c in found] == [
        ("unsigned", "unsigned"),
        ("out_of_period", "out_of_period"),
        ("wrong_unit", "wrong_unit"),
        ("illegible", "illegible"),
        ("few_pages", "incomplete"),
    ]
    assert "02/11/2022" in found[1].message and "15/12/2023" in found[1].message

    altered = upload(tmp_path, name="ccc.pdf")
    read(altered, pages=3, signatures=[{**SIGNED, "modified_after": True}])
    assert codes(altered) == ["altered"]
    unread = upload(tmp_path, name="dddd.pdf")  # never read: nothing to say yet
    assert codes(unread) == []


def test_the_date_typed_counts_when_the_document_shows_none(ward, tmp_path):
    link = upload(tmp_path, issue_date=date(2023, 6, 1))
    read(link)
    assert codes(link) == ["out_of_period"]


def test_report_counts_a_flagged_document_at_risk_until_a_reviewer_decides(ward, tmp_path):
    def criterion():
        # computed each time: this test writes readings and dates in place, behind the audit trail that keeps reports
        report = build_report(db.session.get(Unit, ward.id), date(2024, 6, 1), reference=True)
        index = next(i for i in report["indices"] if i["code"] == "CCHC")
        return next(c for c in index["criteria"] if c["code"] == "1.2")

    link = upload(tmp_path)
    link.linked_at = link.document.uploaded_at = datetime(2024, 5, 1, 3, tzinfo=UTC)
    db.session.commit()
    waiting = criterion()
    assert any("chờ duyệt" in r for r in waiting["reasons"])

    reading = read(link, issuer="UBND THÀNH PHỐ HẠ LONG")
    reading.read_at = datetime(2024, 5, 2, 3, tzinfo=UTC)
    db.session.commit()
    assert flagged_items([item("CCHC-1.2-a").criterion.index_id], datetime(2024, 6, 1, tzinfo=UTC)) == {
        item("CCHC-1.2-a").id
    }
    flagged = criterion()
    assert any("không đạt kiểm tra trước" in r for r in flagged["reasons"]), flagged["reasons"]
    assert waiting["risk"] == "on_track" and flagged["risk"] in ("at_risk", "critical")
    assert flagged["expected"] <= waiting["expected"]
    assert flagged_items([item("CCHC-1.2-a").criterion.index_id], datetime(2024, 5, 1, 12, tzinfo=UTC)) == set(), (
        "as of a day before it was read, nothing was flagged"
    )

    review = decide(link, user("reviewer"), "approved", expected_version=link.version)
    review.created_at = datetime(2024, 5, 3, 3, tzinfo=UTC)
    db.session.commit()
    assert not any("kiểm tra trước" in r for r in criterion()["reasons"]), "a reviewer's decision ends the pre-check"


def test_the_pages_show_prechecks_signatures_and_proposals(ward, app, client, tmp_path):
    link = upload(tmp_path, number="12/KH-UBND", issue_date=date(2024, 3, 5), summary="Kế hoạch CCHC năm 2024")
    read(
        link,
        signatures=[SIGNED],
        number="15/KH-UBND",
        issue_date="2024-03-05",
        issuer="UBND THÀNH PHỐ HẠ LONG",
        summary="KE HOACH CCHC NAM 2024",
        doc_type="KẾ HOẠCH",
        signer="Nguyễn Văn A",
        signer_position="CHỦ TỊCH",
    )
    login(client, "cb-vp-tk")
    page = client.get(f"/documents/{link.document_id}").get_data(as_text=True)
    assert "Nguyễn Văn A (UBND phường Giếng Đáy)" in page and "nguyên vẹn" in page
    assert "UBND THÀNH PHỐ HẠ LONG" in page and "sai đơn vị" in page.lower()
    assert "15/KH-UBND" in page and "12/KH-UBND" in page, "the number read beside the one typed"
    assert "05/03/2024" not in page.split('id="reading"')[1].split("</table>")[1], "the same date is not proposed"
    proposed = page.split('class="grid proposals"')[1].split("</table>")[0]
    assert "Kế hoạch" not in proposed, "a summary that differs only in accents or case is not proposed"
    href = re.search(r'id="use-proposals" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert {"number": "15/KH-UBND", "issue_date": "2024-03-05"}.items() <= dict(parse_qsl(urlsplit(href).query)).items()
    edit = client.get(f"/documents/{link.document_id}/edit?number=15/KH-UBND&issue_date=2024-03-05").get_data(
        as_text=True
    )
    assert 'value="15/KH-UBND"' in edit
    assert link.document.number == "12/KH-UBND", "nothing is stored before the uploader saves"
    item_page = client.get(f"/items/{link.item_id}").get_data(as_text=True)
    assert "UBND THÀNH PHỐ HẠ LONG" in item_page

    client = app.test_client()
    login(client, "reviewer")
    queue = client.get("/review/").get_data(as_text=True)
    assert "UBND THÀNH PHỐ HẠ LONG" in queue, "the pre-check shows before anyone opens the document"
    shown = client.get(f"/review/{link.id}").get_data(as_text=True)
    assert "Nguyễn Văn A" in shown and "nguyên vẹn" in shown and "sai đơn vị" in shown.lower()
    assert client.get(f"/documents/{link.document_id}/reading").get_json() == {"status": "done"}

    from tests.api.test_api import Api

    body = Api(app, "cb-vp-tk").get(f"/documents/{link.document_id}").json
    assert body["number"] == "12/KH-UBND" and body["reading"]["proposals"]["number"] == "15/KH-UBND"
    assert body["reading"]["signatures"][0]["signer"] == "Nguyễn Văn A"
    assert [(c["evidence_id"], c["code"], c["reason"]["code"]) for c in body["reading"]["prechecks"]] == [
        (link.id, "wrong_unit", "wrong_unit")
    ]


def test_a_document_being_read_says_so(ward, client, tmp_path):
    link = upload(tmp_path)
    db.session.add(DocumentReading(document_id=link.document_id, status="pending"))
    db.session.commit()
    login(client, "cb-vp-tk")
    page = client.get(f"/documents/{link.document_id}").get_data(as_text=True)
    assert "Đang đọc tài liệu" in page and "reading.js" in page
    assert client.get(f"/documents/{link.document_id}/reading").get_json() == {"status": "pending"}
