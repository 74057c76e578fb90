"""propose_fields on administrative documents' text as it comes: text layers in either column order, Word, and
OCR output with its usual noise (header columns interleaved, "Sô:", "S6:", lost or wrong diacritics)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from evidence_app.demo.files import Letter, pdf_bytes, plain
from evidence_app.evidence.reading.fields import normal_case, propose_fields
from evidence_app.evidence.reading.text import _read_office
from tests.evidence.reading import documents

OCR_PLAN = """UỶ BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
PHƯỜNG GIẾNG ĐÁY Độc lập - Tự do - Hạnh phúc
—— ——————

Sô: 100/KH-UBND Giếng Đáy, ngày 14 tháng 5 năm 2024

KẾ HOẠCH

Triển khai công tác cải cách hành chính,
chuyển đổi số năm 2024

Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
Ủy ban nhân dân phường ban hành Kế hoạch như sau:

Nơi nhận: TM. ỦY BAN NHÂN DÂN
- UBND Thành phố (b/c); CHỦ TỊCH
- Lưu: VT. ;

Nguyễn Văn Thành
"""


def test_an_ocred_plan_with_interleaved_header_columns():
    assert propose_fields(OCR_PLAN) == {
        "number": "100/KH-UBND",
        "issue_date": "2024-05-14",
        "place": "Giếng Đáy",
        "issuer": "Uỷ ban nhân dân phường Giếng Đáy",
        "doc_type": "KẾ HOẠCH",
        "summary": "Triển khai công tác cải cách hành chính, chuyển đổi số năm 2024",
        "signer": "Nguyễn Văn Thành",
        "signer_position": "CHỦ TỊCH",
    }


def test_a_text_layer_read_column_by_column_with_a_parent_body_and_a_deputy_signing():
    text = """UBND THÀNH PHỐ HẠ LONG
UBND PHƯỜNG HÀ KHẨU
Số: 45/BC-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Khẩu, ngày 05 tháng 3 năm 2024
BÁO CÁO
Kết quả thực hiện công tác chuyển đổi số quý I năm 2024
      Thực hiện Kế hoạch số 12/KH-UBND ngày 10/01/2024 của UBND Thành phố, UBND phường báo cáo kết quả như sau:
Nơi nhận:
- UBND Thành phố;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
(Đã ký)
Trần Thị Mai"""
    assert propose_fields(text) == {
        "number": "45/BC-UBND",
        "issue_date": "2024-03-05",
        "place": "Hà Khẩu",
        "issuer": "UBND phường Hà Khẩu",
        "doc_type": "BÁO CÁO",
        "summary": "Kết quả thực hiện công tác chuyển đổi số quý I năm 2024",
        "signer": "Trần Thị Mai",
        "signer_position": "PHÓ CHỦ TỊCH",
    }


def test_an_official_letter_has_its_summary_after_v_v():
    text = """CÔNG AN THÀNH PHỐ HẠ LONG CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM
CÔNG AN PHƯỜNG CAO XANH Độc lập - Tự do - Hạnh phúc
Số: 231/CAP Cao Xanh, ngày 2 tháng 10 năm 2023
V/v rà soát, cập nhật dữ liệu dân cư
trên địa bàn phường
Kính gửi: Ủy ban nhân dân phường Cao Xanh
Nơi nhận: TRƯỞNG CÔNG AN PHƯỜNG
- Như trên;
- Lưu: VT. Lê Văn Dũng"""
    fields = propose_fields(text)
    assert fields["doc_type"] == "CÔNG VĂN"
    assert fields["summary"] == "rà soát, cập nhật dữ liệu dân cư trên địa bàn phường"
    assert fields["issuer"] == "Công an phường Cao Xanh"
    assert fields["number"] == "231/CAP"
    assert fields["issue_date"] == "2023-10-02"
    assert (fields["signer"], fields["signer_position"]) == ("Lê Văn Dũng", "TRƯỞNG CÔNG AN PHƯỜNG")


def test_a_decision_stops_its_summary_at_the_authority_line():
    text = """ỦY BAN NHÂN DÂN
PHƯỜNG HÀ PHONG
Số: 12/2024/QĐ-UBND
QUYẾT ĐỊNH
Về việc kiện toàn Tổ công nghệ số cộng đồng
CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG HÀ PHONG
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"""
    fields = propose_fields(text)
    assert fields["doc_type"] == "QUYẾT ĐỊNH"
    assert fields["summary"] == "Về việc kiện toàn Tổ công nghệ số cộng đồng"
    assert fields["issuer"] == "Ủy ban nhân dân phường Hà Phong"
    assert fields["number"] == "12/2024/QĐ-UBND"
    assert "issue_date" not in fields  # the law's date in the body is not the document's


def test_the_motto_broken_across_lines_by_ocr_is_not_taken_for_the_issuer():
    text = """TRUNG TÂM Y TẾ THÀNH PHỐ HẠ LONG CỘNG
TRẠM Y TẾ PHƯỜNG TUẦN CHÂU

HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
TU ca

Số: 124/BB-TYT Tuần Châu, ngày 16 tháng 8 năm 2023"""
    assert propose_fields(text) == {
        "number": "124/BB-TYT",
        "issue_date": "2023-08-16",
        "place": "Tuần Châu",
        "issuer": "Trạm y tế phường Tuần Châu",
    }


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("Số: 100/KH-UBND", "100/KH-UBND"),
        ("Sô: 100/KH-UBND", "100/KH-UBND"),
        ("S6: 12 / QĐ-UBND", "12/QĐ-UBND"),
        ("Số 12/QĐ-UBND", "12/QĐ-UBND"),
        ("Sé: 45/BC - UBND", None),  # too damaged to be sure
        ("SỐ: 7/2024/QÐ-UBND", "7/2024/QĐ-UBND"),  # Ð (Latin eth) for Đ
        ("S0: 88/QD-UBND", "88/QĐ-UBND"),  # QĐ is the only decision symbol
        ("So: 123/UBND-VP", "123/UBND-VP"),
        ("Số:15/TTr-UBND", "15/TTr-UBND"),
        ("PHƯỜNG GIẾNG ĐÁY Số: 9/TB-UBND Giếng Đáy, ngày 1 tháng 2 năm 2024", "9/TB-UBND"),
        ("Số: 100IKH-UBND", "100/KH-UBND"),  # the slash read as I
        ("Số: 100 | KH_UBND", "100/KH-UBND"),
        ("Số hóa hồ sơ thủ tục hành chính", None),
    ],
)
def test_numbers_as_ocr_reads_them(line, number):
    assert propose_fields(line).get("number") == number


@pytest.mark.parametrize(
    ("line", "day", "place"),
    [
        ("Giếng Đáy, ngày 14 tháng 5 năm 2024", "2024-05-14", "Giếng Đáy"),
        ("Hạ Long, ngày 05/3/2024", "2024-03-05", "Hạ Long"),
        ("Giếng Đáy, ngảy 14 thảng 5 nảm 2024", "2024-05-14", "Giếng Đáy"),
        ("Gieng Day, ngay 14 thang 5 nam 2024", "2024-05-14", "Gieng Day"),
        ("Số: 9/TB-UBND Bãi Cháy, ngày 1 tháng 02 năm 2024", "2024-02-01", "Bãi Cháy"),
        ("Hà Tu, ngày 31 tháng 2 năm 2024", None, None),  # no such day
    ],
)
def test_dates_and_places(line, day, place):
    fields = propose_fields(line)
    assert fields.get("issue_date") == day
    assert fields.get("place") == place


def test_the_dated_line_wins_over_an_earlier_date_in_the_header():
    text = "UBND PHƯỜNG HÀ LẦM\nSố: 3/KH-UBND (thay thế văn bản ngày 02/01/2024)\nHà Lầm, ngày 9 tháng 1 năm 2024"
    assert propose_fields(text)["issue_date"] == "2024-01-09"


@pytest.mark.parametrize(
    ("written", "proposed"),
    [
        ("UBND PHƯỜNG GIẾNG ĐÁY", "UBND phường Giếng Đáy"),
        ("ỦY BAN NHÂN DÂN PHƯỜNG HÀ KHẨU", "Ủy ban nhân dân phường Hà Khẩu"),
        ("TRẠM Y TẾ PHƯỜNG HÀ LẦM", "Trạm y tế phường Hà Lầm"),
        ("HĐND THÀNH PHỐ HẠ LONG", "HĐND thành phố Hạ Long"),
        ("PHÒNG NỘI VỤ", "Phòng nội vụ"),
    ],
)
def test_issuer_is_proposed_in_normal_case(written, proposed):
    assert normal_case(written) == proposed


def test_a_demo_document_as_written_and_without_diacritics():
    letter = Letter(
        parent="UBND THÀNH PHỐ HẠ LONG",
        issuer="UBND PHƯỜNG GIẾNG ĐÁY",
        number="45/BC-UBND",
        place="Giếng Đáy",
        issued=date(2024, 6, 3),
        kind="BÁO CÁO",
        summary="Kết quả công tác cải cách hành chính 6 tháng đầu năm",
        body=["Thực hiện Kế hoạch của UBND Thành phố, UBND phường báo cáo như sau:"],
        signer="Nguyễn Văn Thành",
    )
    text = PdfReader(io.BytesIO(pdf_bytes(letter))).pages[0].extract_text()
    assert propose_fields(text) == {
        "number": "45/BC-UBND",
        "issue_date": "2024-06-03",
        "place": "Giếng Đáy",
        "issuer": "UBND phường Giếng Đáy",
        "doc_type": "BÁO CÁO",
        "summary": "Kết quả công tác cải cách hành chính 6 tháng đầu năm",
        "signer": "Nguyễn Văn Thành",
        "signer_position": "CHỦ TỊCH",
    }
    unmarked = "\n".join(plain(line) for line in text.splitlines())  # a fax or a plain-text export
    assert propose_fields(unmarked) == {
        "number": "45/BC-UBND",
        "issue_date": "2024-06-03",
        "place": "Gieng Day",
        "issuer": "UBND phuong Gieng Day",
        "doc_type": "BÁO CÁO",
        "summary": "Ket qua cong tac cai cach hanh chinh 6 thang dau nam",
        "signer": "Nguyen Van Thanh",
        "signer_position": "CHU TICH",
    }


def test_text_without_an_administrative_layout_proposes_nothing():
    assert propose_fields("") == {}
    assert propose_fields("Biên bản họp tổ dân phố số 3\nCó mặt: 25 hộ.\nNội dung: vệ sinh môi trường.") == {}


@pytest.mark.parametrize("seed", range(12))
def test_generated_word_documents_give_every_field(tmp_path, seed):
    sample = documents.sample(seed, "docx")
    text = _read_office(str(sample.write(tmp_path, "doc")), sample.content_type).text
    fields = propose_fields(text)
    truth = sample.truth
    assert {key: fields.get(key) for key in ("number", "issue_date", "doc_type", "summary", "signer", "place")} == {
        "number": truth.number,
        "issue_date": truth.issue_date,
        "doc_type": truth.doc_type,
        "summary": truth.summary,
        "signer": truth.signer,
        "place": truth.place,
    }
    assert fields["issuer"].upper() == truth.issuer.upper()
    assert fields["signer_position"] == truth.signer_position
