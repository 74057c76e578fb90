"""Searching a unit's documents (evidence/reading/search.py): without accents ("đ" too), by phrase, by what the
file says and what its uploader typed, kept in step with every change, and never another unit's documents."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update

from evidence_app.catalog.models import ChecklistItem
from evidence_app.evidence.operations import (
    DocumentFields,
    correct_document,
    delete_document,
    search_documents,
    update_document,
    upload_document,
)
from evidence_app.evidence.reading.models import DocumentReading
from evidence_app.evidence.reading.search import (
    DocumentSearch,
    fold,
    index_document,
    parse_query,
    search,
    words,
)
from evidence_app.extensions import db
from evidence_app.models import User
from evidence_app.review.operations import decide
from tests.conftest import build_app
from tests.evidence import corpus
from tests.helpers import import_file, make_unit, make_user

PLAN = "Kế hoạch cải cách hành chính năm 2024 của UBND phường Giếng Đáy"
BODY = (
    "ỦY BAN NHÂN DÂN\nPHƯỜNG GIẾNG ĐÁY\n\nKẾ HOẠCH\nTuyên truyền cải cách hành chính năm 2024\n\n"
    "Căn cứ Quyết định số 12/QĐ-UBND ngày 05/01/2024, Ủy ban nhân dân phường xây dựng kế hoạch tuyên truyền "
    "cải cách hành chính đến người dân và doanh nghiệp trên địa bàn như sau."
)


def user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def item(code: str, unit_id: int) -> ChecklistItem:
    return db.session.execute(
        select(ChecklistItem).where(ChecklistItem.code == code, ChecklistItem.unit_id == unit_id)
    ).scalar_one()


def add(tmp_path: Path, by: str = "cb-vp-tk", code: str = "CCHC-2.1-a", text: str | None = None, **fields):
    """A document uploaded through the service (unique bytes each time), and the text read from it, stored as the
    reading job stores it and then indexed as the job does."""
    uploader = user(by)
    path = tmp_path / f"{random.randrange(10**9)}.pdf"
    path.write_bytes(corpus.padded(corpus.pdf_bytes(), 3000))
    filename = fields.pop("filename", "van-ban.pdf")
    result = upload_document(
        path, filename, user=uploader, items=[item(code, uploader.unit_id)], fields=DocumentFields(**fields)
    )
    if text is not None:
        db.session.add(DocumentReading(document_id=result.document.id, status="done", text=text))
        index_document(result.document.id)
        db.session.commit()
    return result.document


def ids(unit, typed: str, **options) -> list[int]:
    return [found.document.id for found in search(unit.id, typed, **options)]


@pytest.fixture
def other_unit(ward, catalog_dict, write_catalog):
    """Phường Bãi Cháy, with the same catalog and a member of staff of its own."""
    theirs = make_unit("bai-chay", "UBND phường Bãi Cháy")
    import_file(write_catalog(catalog_dict, "theirs.yaml"), theirs)
    make_user(theirs, "stranger", departments=["vp-tk"])
    return theirs


# ---- the folding rule


def test_folding_drops_accents_and_case_and_reads_d_for_đ():
    assert fold("Kế hoạch cải cách") == "ke hoach cai cach"
    assert fold("ĐẢNG ỦY phường Giếng Đáy") == "dang uy phuong gieng day"
    decomposed = "Ke\u0302\u0301 hoa\u0323ch"  # the same words with combining accents (some PDFs' text layers)
    assert fold(decomposed) == "ke hoach"
    assert words("Số 25/BC-UBND, ngày 10/3/2024") == ["so", "25", "bc", "ubnd", "ngay", "10", "3", "2024"]


def test_a_query_is_phrases_and_words():
    query = parse_query('bao cao "cải cách hành chính" quy')
    assert query.phrases == [["bao"], ["cao"], ["cai", "cach", "hanh", "chinh"], ["quy"]]
    assert query.prefix, "the last word may still be being typed"
    assert not parse_query('"cai cach"').prefix and not parse_query("cai cach ").prefix
    assert parse_query("“cải cách hành chính”").phrases == [["cai", "cach", "hanh", "chinh"]], "a phone's quotes"
    assert parse_query(" -- / ") is None, "nothing searchable"


# ---- what is found


def test_metadata_is_found_without_accents(ward, tmp_path):
    plan = add(tmp_path, number="15/KH-UBND", summary=PLAN, issuer="UBND phường Giếng Đáy")
    report = add(tmp_path, number="25/BC-UBND", summary="Báo cáo công tác quý I", filename="bao-cao-quy-1.pdf")
    assert ids(ward, "ke hoach cai cach") == [plan.id]
    assert ids(ward, "KẾ HOẠCH cải cách") == [plan.id]
    assert ids(ward, "gieng day") == [plan.id], "d finds đ"
    assert ids(ward, "giếng đáy") == [plan.id]
    assert ids(ward, "dang") == [], "words are whole words"
    assert ids(ward, "15/KH") == [plan.id], "the number, the last word matching the start of a word"
    assert ids(ward, "bao cao quy") == [report.id], "the file name and the summary"
    assert ids(ward, "25 bc ubnd") == [report.id]
    assert ids(ward, "ke hoach bao cao") == [], "every word must be found"


def test_a_phrase_from_the_text_typed_without_accents(ward, tmp_path):
    plan = add(tmp_path, summary="Kế hoạch tuyên truyền", text=BODY)
    scattered = add(
        tmp_path,
        summary="Báo cáo tuyên truyền",
        text="Công tác cải cách thủ tục; tuyên truyền pháp luật; hành chính công; người dân.",
    )
    assert ids(ward, "tuyen truyen cai cach hanh chinh den nguoi dan") == [plan.id]
    assert ids(ward, '"tuyen truyen cai cach hanh chinh"') == [plan.id], "a quoted phrase, as it stands"
    assert ids(ward, '"cai cach tuyen truyen"') == [], "in the order typed"
    assert set(ids(ward, "cai cach tuyen truyen")) == {plan.id, scattered.id}
    assert ids(ward, "tuyen truyen cai cach")[0] == plan.id, "the words together come first"
    [found] = search(ward.id, '"cai cach hanh chinh den nguoi dan"')
    assert found.phrase, "its words are found together"
    assert "cải cách hành chính đến người dân" in found.snippet_text
    marked = [piece for piece, is_marked in found.snippet if is_marked]
    assert marked[-7:] == ["cải", "cách", "hành", "chính", "đến", "người", "dân"], "each word of the query marked"
    assert "\n" not in found.snippet_text, "the page's line breaks shown as spaces"
    assert search(ward.id, "ke hoach tuyen")[0].document.id == plan.id


def test_the_phrase_ranks_first_then_relevance(ward, tmp_path):
    far = add(tmp_path, summary="Văn bản số 1", text="cải cách ... " + "nội dung khác " * 40 + " hành chính")
    near = add(tmp_path, summary="Văn bản số 2", text="Thực hiện cải cách hành chính năm 2024.")
    assert ids(ward, "cai cach hanh chinh") == [near.id, far.id]
    assert [f.phrase for f in search(ward.id, "cai cach hanh chinh")] == [True, False]


def test_another_units_documents_are_never_found(ward, other_unit, tmp_path):
    ours = add(tmp_path, summary=PLAN, text=BODY)
    theirs = add(tmp_path, by="stranger", summary=PLAN, text=BODY)
    assert ids(ward, "ke hoach cai cach") == [ours.id]
    assert ids(other_unit, "ke hoach cai cach") == [theirs.id]
    assert search_documents(ward.id, "tuyen truyen") == [ours]


def test_the_index_follows_every_change_of_what_the_document_says(ward, tmp_path):
    document = add(tmp_path, number="1/KH", summary="Kế hoạch số hoá hồ sơ")
    assert ids(ward, "so hoa ho so") == [document.id]
    update_document(document, DocumentFields(number="2/KH", summary="Kế hoạch chuyển đổi số"), user("cb-vp-tk"))
    assert ids(ward, "so hoa ho so") == [] and ids(ward, "chuyen doi so") == [document.id]

    evidence = document.links[0]
    decide(evidence, user("reviewer"), "changes_requested", expected_version=evidence.version, reason_code="other",
           comment="Sai trích yếu")  # fmt: skip
    version = correct_document(
        document, DocumentFields(number="2/KH", summary="Kế hoạch ứng dụng CNTT"), user("cb-vp-tk")
    )
    assert version.id != document.id
    assert ids(ward, "ung dung cntt") == [version.id]
    assert ids(ward, "chuyen doi so") == [document.id], "the version sent back keeps what it said"

    other = add(tmp_path, summary="Danh sách cán bộ")
    delete_document(other, user("cb-vp-tk"))
    assert ids(ward, "danh sach can bo") == [], "a deleted document is never found"


def test_the_text_read_later_is_indexed_by_the_reading_job_s_call(ward, tmp_path):
    document = add(tmp_path, summary="Quyết định")
    assert ids(ward, "tuyen truyen") == []
    db.session.add(DocumentReading(document_id=document.id, status="done", text=BODY))
    index_document(document.id)  # what jobs.read_document calls before its commit
    db.session.commit()
    assert ids(ward, "tuyen truyen") == [document.id]
    failed = add(tmp_path, summary="Ảnh chụp")
    db.session.add(DocumentReading(document_id=failed.id, status="failed", text="tuyên truyền"))
    index_document(failed.id)
    db.session.commit()
    assert ids(ward, "tuyen truyen") == [document.id], "only a reading that succeeded counts"


def test_linking_search_leaves_out_documents_already_offered_for_the_item(ward, tmp_path):
    document = add(tmp_path, code="CCHC-2.1-a", number="12/TB-UBND", summary="Thống kê số hoá hồ sơ")
    assert search_documents(ward.id, "12/TB", exclude_item=item("CCHC-1.2-a", ward.id).id) == [document]
    assert search_documents(ward.id, "12/TB", exclude_item=item("CCHC-2.1-a", ward.id).id) == []


def test_a_very_long_text_is_indexed_up_to_what_the_database_holds(ward, tmp_path):
    figures = " ".join(f"{n:07d}" for n in range(200_000))  # a huge table of figures: 200,000 distinct words
    document = add(tmp_path, summary="Biểu số liệu", text=figures)
    row = db.session.get(DocumentSearch, document.id)
    assert 40_000 < len(row.body.split()) < 200_000
    if db.engine.dialect.name == "postgresql":  # stored whole: 1 MB of tsvector holds no more (and 200,000 fail)
        lexemes = db.session.scalar(
            select(func.length(DocumentSearch.vector)).where(DocumentSearch.document_id == document.id)
        )
        assert lexemes == len(set(row.body.split()) | set(row.meta.split()))
    assert ids(ward, "0000001") == [document.id], "the first part stays searchable"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.text(max_size=60))
def test_anything_typed_gets_an_answer(ward, typed):
    """Quotes, stars, parentheses, any alphabet: an answer (maybe empty), never an error of the engine."""
    if "\x00" in typed:
        typed = typed.replace("\x00", "")
    search(ward.id, typed)
    search(ward.id, typed + '"')


# ---- rebuilding


def test_reindex_rebuilds_the_whole_index(ward, tmp_path, runner):
    plan = add(tmp_path, summary=PLAN, text=BODY)
    gone = add(tmp_path, summary="Kế hoạch cũ")
    delete_document(gone, user("cb-vp-tk"))
    db.session.execute(delete(DocumentSearch).where(DocumentSearch.document_id == plan.id))
    db.session.execute(  # an entry that says something else, and the deleted document's, left from before
        update(DocumentSearch).where(DocumentSearch.document_id == gone.id).values(meta="ke hoach tuyen truyen")
    )
    db.session.commit()
    assert ids(ward, "ke hoach") == []
    result = runner.invoke(args=["reading", "reindex"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 documents indexed")
    assert ids(ward, "ke hoach") == [plan.id] and ids(ward, "tuyen truyen") == [plan.id]
    assert db.session.scalar(select(func.count()).select_from(DocumentSearch)) == 1


def test_the_migration_indexes_the_documents_already_stored(tmp_path, empty_database_url, catalog_dict, write_catalog):
    app = build_app(tmp_path, empty_database_url)
    with app.app_context():
        upgrade()
        unit = make_unit()
        unit_id = unit.id
        import_file(write_catalog(catalog_dict), unit)
        make_user(unit, "cb-vp-tk", departments=["vp-tk"])
        document_id = add(tmp_path, summary="Kế hoạch cải cách", issue_date=date(2024, 1, 5), text=BODY).id
        db.session.remove()
        downgrade(revision="0020")
        upgrade()
        found = search(unit_id, "ke hoach cai cach") + search(unit_id, '"tuyen truyen cai cach hanh chinh"')
        assert [f.document.id for f in found] == [document_id, document_id]
        db.session.remove()
        db.engine.dispose()
