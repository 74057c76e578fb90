"""Uploading evidence through the web: checked by content, stored once by hash, recorded with what the
appraiser checks; refused files leave nothing behind; downloads are attachments; objects stay in the unit."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import unicodedata
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from evidence_app.catalog.models import ChecklistItem
from evidence_app.evidence.models import Document, Evidence
from evidence_app.extensions import db
from evidence_app.files import get_storage
from evidence_app.models import AuditEvent
from tests.evidence import corpus
from tests.helpers import import_file, login, make_unit, make_user


@pytest.fixture
def staff(client, ward):
    login(client, "cb-vp-tk")
    return client


def item(code: str) -> ChecklistItem:
    return db.session.execute(select(ChecklistItem).where(ChecklistItem.code == code)).scalar_one()


def post(client, code: str, *files: tuple[bytes, str], **fields):
    data = {"files": [(io.BytesIO(content), name) for content, name in files], **fields}
    return client.post(f"/items/{item(code).id}/upload", data=data, content_type="multipart/form-data")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_keys() -> list[str]:
    return list(get_storage().iter_keys())


def leftover_temp_files(app) -> list[Path]:
    return [p for p in (Path(app.config["DATA_DIR"]) / "tmp").rglob("*") if p.is_file()]


def test_upload_a_signed_pdf_with_its_metadata(app, staff, tmp_path):
    pdf = corpus.pdf(tmp_path, pages=3).read_bytes()
    response = post(
        staff,
        "CCHC-1.2-a",
        (pdf, "Kế hoạch tuyên truyền.pdf"),
        number="12/KH-UBND",
        issue_date="05/02/2024",
        issuer="UBND phường Giếng Đáy",
        summary="Kế hoạch tuyên truyền CCHC năm 2024",
        period_start="01/01/2024",
        period_end="31/12/2024",
        page_ref="Mục II, trang 2",
    )
    assert response.status_code == 303
    document = db.session.execute(select(Document)).scalar_one()
    assert document.filename == "Kế hoạch tuyên truyền.pdf" and document.content_type == "application/pdf"
    assert document.page_count == 3 and document.size == len(pdf)
    assert document.sha256 == hashlib.sha256(pdf).hexdigest() and document.storage_key.endswith(document.sha256)
    assert (document.number, str(document.issue_date), document.page_ref) == (
        "12/KH-UBND",
        "2024-02-05",
        "Mục II, trang 2",
    )
    [link] = db.session.execute(select(Evidence)).scalars().all()
    assert link.state == "submitted" and link.item.code == "CCHC-1.2-a"
    path = get_storage().local_path(document.storage_key)
    assert Path(path).read_bytes() == pdf and stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert (
        db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id.desc())).scalars().first()
        == "document.upload"
    )
    assert leftover_temp_files(app) == []

    page = staff.get(f"/items/{item('CCHC-1.2-a').id}").get_data(as_text=True)
    assert "Kế hoạch tuyên truyền.pdf" in page and "chờ duyệt" in page and "3 trang" in page
    page = staff.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "12/KH-UBND" in page and "05/02/2024" in page and "01/01/2024 – 31/12/2024" in page


def test_download_is_an_attachment_with_the_vietnamese_name(staff, tmp_path):
    nfd_name = unicodedata.normalize("NFD", "Đơn đề nghị.docx")
    post(staff, "CCHC-1.2-a", (corpus.ooxml(tmp_path, "docx").read_bytes(), nfd_name))
    document = db.session.execute(select(Document)).scalar_one()
    assert document.filename == "Đơn đề nghị.docx" == unicodedata.normalize("NFC", nfd_name)
    response = staff.get(f"/documents/{document.id}/download")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%C4%90%C6%A1n%20%C4%91%E1%BB%81%20ngh%E1%BB%8B.docx" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"] and "no-store" in response.headers["Cache-Control"]
    preview = staff.get(f"/documents/{document.id}/preview")
    assert preview.mimetype == "text/html", "an Office file is never served inline: only its text, as a sandboxed page"
    assert preview.headers["Content-Security-Policy"].startswith("sandbox")


def test_a_phone_photo_gets_stripped_previews_and_its_capture_date(staff, tmp_path):
    photo = corpus.jpeg(
        tmp_path,
        size=(800, 400),
        exif=corpus.exif_block(orientation=6, taken="2024:03:15 09:30:00", gps=True),
        comment=b"secret comment",
    ).read_bytes()
    assert post(staff, "CCHC-1.2-a", (photo, "IMG_0001.JPG")).status_code == 303
    document = db.session.execute(select(Document)).scalar_one()
    assert str(document.issue_date) == "2024-03-15", "the EXIF capture date is offered as the document date"
    assert document.thumb_key and document.preview_key
    with get_storage().open(document.storage_key) as f:
        assert f.read() == photo, "the original is kept byte for byte"
    response = staff.get(f"/documents/{document.id}/preview")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    preview = Image.open(io.BytesIO(response.get_data()))
    assert preview.size[1] > preview.size[0], "EXIF orientation applied (turned upright)"
    assert not preview.getexif() and "comment" not in preview.info
    thumb = staff.get(f"/documents/{document.id}/thumb")
    assert max(Image.open(io.BytesIO(thumb.get_data())).size) <= 320


def test_a_cheap_huge_image_is_refused_with_what_to_do(app, staff, tmp_path):
    """Issue 13, finding 9: the 60-megapixel single-colour PNG is refused from its header, in Vietnamese."""
    flood = corpus.png_flood(tmp_path, "flood.png", 7745, 7745, rgb=True).read_bytes()
    response = post(staff, "CCHC-1.2-a", (flood, "anh-lon.png"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Ảnh quá lớn (hơn 52 megapixel)" in page and "giảm độ phân giải" in page
    assert "JPEG" in page and "PDF" in page
    assert count(Document) == 0 and stored_keys() == []


@pytest.mark.parametrize(
    "builder, name, message",
    [
        (lambda d: b"MZ\x90\x00" + b"\x00" * 200, "bao-cao.pdf", "Loại tệp này không được chấp nhận"),
        (lambda d: b"<!doctype html><script>alert(1)</script>", "trang.html", "Loại tệp này không được chấp nhận"),
        (
            lambda d: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg",
            "Loại tệp này không được chấp nhận",
        ),
        (
            lambda d: corpus.ooxml(d, "docx", extra={"word/vbaProject.bin": b"\x00" * 64}).read_bytes(),
            "macro.docx",
            "macro",
        ),
        (lambda d: corpus.docx_zip_bomb(d).read_bytes(), "bom.docx", "không thể kiểm tra an toàn"),
        (lambda d: corpus.png_flood(d).read_bytes(), "bom.png", "megapixel"),
        (lambda d: corpus.truncated_jpeg(d).read_bytes(), "anh.jpg", "hỏng"),
        (lambda d: corpus.corrupt_pdf(d).read_bytes(), "hong.pdf", "PDF"),
        (lambda d: corpus.encrypted_pdf(d).read_bytes(), "mat-khau.pdf", "mật khẩu"),
        (lambda d: b"", "trong.pdf", "Tệp trống"),
    ],
)
def test_refused_files_leave_nothing_behind(app, staff, tmp_path, builder, name, message):
    response = post(staff, "CCHC-1.2-a", (builder(tmp_path), name))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert name in page and (message in page or message.lower() in page.lower()), page[page.find("flash-error") :][:800]
    assert count(Document) == 0 and count(Evidence) == 0
    assert stored_keys() == []
    assert leftover_temp_files(app) == []


def test_oversize_upload_is_refused_with_413(app, staff):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = post(staff, "CCHC-1.2-a", (b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024), "lon.pdf"))
    assert response.status_code == 413
    assert "giới hạn" in response.get_data(as_text=True)
    assert count(Document) == 0 and stored_keys() == [] and leftover_temp_files(app) == []


def test_file_larger_than_the_limit_but_inside_the_request_limit_is_refused(app, staff, tmp_path):
    app.config["MAX_UPLOAD_MB"] = 1
    big = corpus.pdf(tmp_path, pages=1).read_bytes() + b"%" + b"0" * (1024 * 1024)
    response = post(staff, "CCHC-1.2-a", (big, "lon.pdf"))
    assert response.status_code == 422 and "1 MB" in response.get_data(as_text=True)
    assert count(Document) == 0 and stored_keys() == []


def test_too_many_files_in_one_upload_are_refused_before_any_is_stored(app, staff, tmp_path):
    """Issue 13, finding 5: 600 files in one upload died at the server's timeout with 252 documents already
    committed. Above MINHCHUNG_MAX_FILES_PER_UPLOAD the whole request is refused before anything is stored; at
    the cap, each file's outcome is reported."""
    app.config["MAX_FILES_PER_UPLOAD"] = 3
    pdfs = [(corpus.padded(corpus.pdf_bytes(), 2000), f"Tệp {n}.pdf") for n in range(4)]
    response = post(staff, "CCHC-1.2-a", *pdfs)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Đã chọn 4 tệp nhưng mỗi lần chỉ tải lên được tối đa 3 tệp" in page
    assert "tối đa 3 tệp mỗi lần" in page  # the form says so before anyone tries
    assert count(Document) == 0 and count(Evidence) == 0 and stored_keys() == []
    assert leftover_temp_files(app) == []

    target = item("CCHC-1.2-a")
    as_json = {"Accept": "application/json"}
    data = {"files": [(io.BytesIO(content), name) for content, name in pdfs]}
    response = staff.post(f"/items/{target.id}/upload", data=data, content_type="multipart/form-data", headers=as_json)
    assert response.status_code == 422
    assert response.get_json()["errors"]["files"][0].startswith("Đã chọn 4 tệp")
    assert count(Document) == 0

    data = {"files": [(io.BytesIO(content), name) for content, name in [*pdfs[:2], (b"MZ\x90\x00", "chay.exe")]]}
    response = staff.post(f"/items/{target.id}/upload", data=data, content_type="multipart/form-data", headers=as_json)
    assert response.status_code == 200
    answer = response.get_json()
    assert [a["name"] for a in answer["accepted"]] == ["Tệp 0.pdf", "Tệp 1.pdf"]
    assert [r["name"] for r in answer["refused"]] == ["chay.exe"] and answer["refused"][0]["reason"]
    assert count(Document) == 2


def test_names_are_made_safe_and_kept_for_display(staff, tmp_path):
    pdf = corpus.pdf(tmp_path, pages=1).read_bytes()
    long_name = "Báo cáo tổng hợp kết quả " * 12 + ".pdf"
    for i, name in enumerate(["../../etc/passwd.pdf", "bao\x00cao\x07.pdf", long_name]):
        post(staff, "CCHC-1.2-a", (pdf + b"\n%" + bytes([65 + i]), name))
    names = db.session.execute(select(Document.filename).order_by(Document.id)).scalars().all()
    assert names[0] == "passwd.pdf" and names[1] == "baocao.pdf"
    assert len(names[2].encode()) <= 255 and names[2].endswith(".pdf") and names[2].startswith("Báo cáo")
    for key in stored_keys():
        assert ".." not in key and len(key.split("/")[-1]) == 64


def test_the_same_file_is_stored_once_and_linked_to_both_items(staff, tmp_path):
    pdf = corpus.pdf(tmp_path, pages=2).read_bytes()
    post(staff, "CCHC-1.2-a", (pdf, "ke-hoach.pdf"))
    response = post(staff, "CCHC-2.1-a", (pdf, "ke-hoach (1).pdf"))
    assert response.status_code == 303
    assert count(Document) == 1 and len(stored_keys()) == 1
    assert sorted(e.item.code for e in db.session.execute(select(Evidence)).scalars()) == ["CCHC-1.2-a", "CCHC-2.1-a"]
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "đã được tải lên trước đó" in page


def test_a_report_needs_its_number_and_sending_date(staff, tmp_path):
    pdf = corpus.pdf(tmp_path).read_bytes()
    response = post(staff, "CCHC-1.1-a", (pdf, "bao-cao-quy-1.pdf"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Báo cáo cần có số, ký hiệu văn bản" in page and "Báo cáo cần có ngày gửi" in page
    assert count(Document) == 0
    response = post(
        staff,
        "CCHC-1.1-a",
        (pdf, "bao-cao-quy-1.pdf"),
        number="35/BC-UBND",
        sent_date="12/03/2024",
        issue_date="31/02/2024",
    )
    assert response.status_code == 422 and "dd/mm/yyyy" in response.get_data(as_text=True)
    response = post(staff, "CCHC-1.1-a", (pdf, "bao-cao-quy-1.pdf"), number="35/BC-UBND", sent_date="12/03/2024")
    assert response.status_code == 303
    assert str(db.session.execute(select(Document.sent_date)).scalar_one()) == "2024-03-12"


def test_another_units_objects_answer_404(app, client, ward, catalog_dict, write_catalog, tmp_path):
    other = make_unit("bai-chay", "UBND phường Bãi Cháy")
    import_file(write_catalog(catalog_dict, "other.yaml"), other)
    make_user(other, "cb-bai-chay", departments=["vp-tk"])
    login(client, "cb-bai-chay")
    other_item = db.session.execute(
        select(ChecklistItem).where(ChecklistItem.unit_id == other.id, ChecklistItem.code == "CCHC-1.2-a")
    ).scalar_one()
    post_ok = client.post(
        f"/items/{other_item.id}/upload",
        data={"files": [(io.BytesIO(corpus.pdf(tmp_path).read_bytes()), "a.pdf")]},
        content_type="multipart/form-data",
    )
    assert post_ok.status_code == 303
    theirs = db.session.execute(select(Document)).scalar_one()
    client.post("/logout")
    login(client, "cb-vp-tk")
    for url in (
        f"/documents/{theirs.id}",
        f"/documents/{theirs.id}/download",
        f"/documents/{theirs.id}/preview",
        f"/documents/{theirs.id}/thumb",
        f"/items/{other_item.id}",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"/items/{other_item.id}/upload",
        data={"files": [(io.BytesIO(b"%PDF-"), "x.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 404
    assert count(Document) == 1


def test_a_failure_after_storing_leaves_no_row_and_the_orphan_is_swept(app, staff, runner, tmp_path, monkeypatch):
    pdf = corpus.pdf(tmp_path).read_bytes()

    def broken_commit():
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        post(staff, "CCHC-1.2-a", (pdf, "a.pdf"))
    monkeypatch.undo()
    db.session.rollback()
    assert count(Document) == 0 and count(Evidence) == 0
    assert len(stored_keys()) == 1, "the blob came first"
    import json

    report = json.loads(runner.invoke(args=["storage", "verify", "--json"]).output)
    assert [o["key"] for o in report["orphaned"]] == stored_keys()
    kept = runner.invoke(args=["storage", "verify", "--gc", "--json"])
    assert len(stored_keys()) == 1, "inside the grace period nothing is removed"
    swept = json.loads(runner.invoke(args=["storage", "verify", "--gc", "--grace-hours", "0", "--json"]).output)
    assert kept.exit_code == 0 and len(swept["removed"]) == 1 and stored_keys() == []
