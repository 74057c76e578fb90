"""Units that merge, split and are renamed (issue 15): nothing is lost, the league table follows the boundaries
of its day, only the province's officers of the units' own province reorganise them, and nothing is half-written."""

from __future__ import annotations

import copy
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from evidence_app.audit import check_chain
from evidence_app.auth.models import Department, Unit, User
from evidence_app.catalog.models import ChecklistItem
from evidence_app.evidence.models import Document, Evidence, Review
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.extensions import db
from evidence_app.models import AuditEvent
from evidence_app.reports.build import league_table
from evidence_app.review.operations import decide
from evidence_app.units.models import UnitBaseline, UnitChange, UnitLineage
from evidence_app.units.operations import UnitsRefused, merge_units, rename_unit
from tests.evidence import corpus
from tests.helpers import PASSWORD, import_file, login, make_unit, make_user

MERGE_DAY = date(2024, 7, 1)
BEFORE, AFTER = "2024-06-15", "2024-07-15"


@pytest.fixture
def province(ward, app, catalog_dict, write_catalog, tmp_path):
    """Giếng Đáy (the `ward` fixture) and Hà Khẩu, each with its catalog, users, a document and a review; the
    province's unit with its officer; and another province with its own officer and ward."""
    other = copy.deepcopy(catalog_dict)
    other["index"]["last_year"]["score"] = 12
    other["areas"][1]["last_year_score"] = other["areas"][1]["criteria"][0]["last_year_score"] = 2.5
    ha_khau = make_unit("ha-khau", "UBND phường Hà Khẩu")
    import_file(write_catalog(other, "ha-khau.yaml"), ha_khau)
    for username, role, departments in (("hk-vp", "staff", ["vp-tk"]), ("hk-reviewer", "reviewer", ["vp-tk"])):
        make_user(ha_khau, username, role=role, departments=departments)
    quang_ninh = make_unit("quang-ninh", "UBND tỉnh Quảng Ninh")
    make_user(quang_ninh, "tinh", role="province")
    hai_phong = make_unit("hai-phong", "UBND thành phố Hải Phòng")
    make_user(hai_phong, "hp-tinh", role="province")
    make_unit("le-chan", "UBND phường Lê Chân").province_id = hai_phong.id
    for unit, population in ((ward, 10_000), (ha_khau, 30_000)):
        unit.province_id, unit.population = quang_ninh.id, population
    db.session.commit()
    for unit_code, staff, reviewer in (("gieng-day", "cb-vp-tk", "reviewer2"), ("ha-khau", "hk-vp", "hk-reviewer")):
        unit = db.session.execute(select(Unit).where(Unit.code == unit_code)).scalar_one()
        uploader = db.session.execute(select(User).where(User.username == staff)).scalar_one()
        items = (
            db.session.execute(
                select(ChecklistItem).where(
                    ChecklistItem.unit_id == unit.id, ChecklistItem.code.in_(["CCHC-1.1-a", "CCHC-1.2-a"])
                )
            )
            .scalars()
            .all()
        )
        result = upload_document(
            corpus.pdf(tmp_path, f"{unit_code}.pdf"),
            f"{unit_code}.pdf",
            user=uploader,
            items=list(items),
            fields=DocumentFields(),
        )
        link = result.document.links[0]
        decide(
            link,
            db.session.execute(select(User).where(User.username == reviewer)).scalar_one(),
            "approved",
            expected_version=link.version,
        )
    return ward


def _counts() -> dict:
    return {
        "documents": db.session.scalar(select(func.count(Document.id))),
        "links": db.session.scalar(select(func.count(Evidence.id))),
        "reviews": db.session.scalar(select(func.count(Review.id))),
        "events": db.session.scalar(select(func.count(AuditEvent.id))),
        "units": db.session.scalar(select(func.count(Unit.id))),
        "departments": db.session.scalar(select(func.count(Department.id))),
        "changes": db.session.scalar(select(func.count(UnitChange.id))),
    }


def _unit(code: str) -> Unit:
    return db.session.execute(select(Unit).where(Unit.code == code)).scalar_one()


def _league(day: str) -> dict[str, dict]:
    (table,) = league_table(date.fromisoformat(day))
    return {row["unit"]: row for row in table["rows"]}


def test_a_merge_keeps_every_document_link_review_and_event(province, runner):
    before = _counts()
    result = runner.invoke(
        args=[
            "units",
            "merge",
            "--into",
            "ha-long",
            "--from",
            "gieng-day",
            "--from",
            "ha-khau",
            "--name",
            "UBND phường Hạ Long",
            "--date",
            "01/07/2024",
        ]
    )
    assert result.exit_code == 0, result.output
    assert (
        "hợp nhất gieng-day, ha-khau → ha-long “UBND phường Hạ Long” (đơn vị mới), từ ngày 01/07/2024" in result.output
    )
    assert "điểm năm trước CCHC 2024: 13,92" in result.output
    assert "bộ phận gieng-day/vp-tk → ha-long/vp-tk (tạo mới)" in result.output
    assert "bộ phận ha-khau/vp-tk → ha-long/vp-tk (gộp)" in result.output
    db.session.expire_all()
    after = _counts()
    for key in ("documents", "links", "reviews"):
        assert after[key] == before[key], key
    assert after["events"] == before["events"] + 1, "one event records the merge; none is removed"
    assert after["units"] == before["units"] + 1 and after["changes"] == 1
    merged = _unit("ha-long")
    assert merged.established_on == MERGE_DAY and merged.province_id == _unit("quang-ninh").id
    assert {u.code: u.dissolved_on for u in (_unit("gieng-day"), _unit("ha-khau"))} == {
        "gieng-day": MERGE_DAY,
        "ha-khau": MERGE_DAY,
    }
    # documents re-homed, users moved, departments of the same code made one
    assert set(db.session.execute(select(Document.unit_id)).scalars()) == {merged.id}
    moved = db.session.execute(select(User).where(User.unit_id == merged.id)).scalars().all()
    assert {u.username for u in moved} == {
        "cb-vp-tk",
        "cb-vh-tt",
        "reviewer",
        "reviewer2",
        "admin",
        "hk-vp",
        "hk-reviewer",
    }
    assert [d.code for d in merged.departments] == ["vh-tt", "vp-tk"]
    vp = next(d for d in merged.departments if d.code == "vp-tk")
    assert {u.username for u in moved if vp in u.departments} == {"cb-vp-tk", "reviewer", "hk-vp", "hk-reviewer"}
    assert all(u.session_epoch == 1 for u in moved), "moved users sign in again, into their new unit"
    # the merge in the audit trail, and the chain intact
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "unit.merge")).scalar_one()
    assert event.unit_id == merged.id and event.data["from"] == ["gieng-day", "ha-khau"]
    assert len(event.data["documents"]) == 2 and event.data["links_kept"] == before["links"]
    assert check_chain().intact
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output


def test_the_league_table_follows_the_boundaries_of_its_day(province):
    old, unmerged = _league(BEFORE), _league(AFTER)
    assert set(old) == {"gieng-day", "ha-khau"} == set(unmerged)
    merge_units("ha-long", ["gieng-day", "ha-khau"], name="UBND phường Hạ Long", effective_on=MERGE_DAY)
    assert _league(BEFORE) == old, "before the merge's day: the old units, as they were"
    new = _league(AFTER)
    assert set(new) == {"ha-long"}
    row = new["ha-long"]
    assert row["unit_name"] == "UBND phường Hạ Long" and row["rank"] == 1
    assert row["last_year"] == pytest.approx(13.92), "the mean of 15.84 and 12"
    for key in ("expected", "secured", "at_risk", "max"):  # the parts' figures of the same day, averaged
        assert row[key] == pytest.approx((unmerged["gieng-day"][key] + unmerged["ha-khau"][key]) / 2, abs=0.01), key
    assert row["critical"] == unmerged["gieng-day"]["critical"] + unmerged["ha-khau"]["critical"]
    baseline = db.session.execute(select(UnitBaseline)).scalar_one()
    assert (baseline.index_code, baseline.index_year, baseline.score) == ("CCHC", 2024, Decimal("13.92"))
    assert [p["source"] for p in baseline.parts] == ["catalog", "catalog"]


def test_a_population_weighted_baseline_and_a_unit_that_absorbs_another(province):
    merge_units("ha-khau", ["gieng-day"], effective_on=MERGE_DAY, method="weighted")
    baseline = db.session.execute(select(UnitBaseline)).scalar_one()
    assert baseline.score == Decimal("12.96"), "(12 × 30 000 + 15.84 × 10 000) / 40 000"
    weights = {link.predecessor.code: link.weight for link in db.session.execute(select(UnitLineage)).scalars()}
    assert weights == {"ha-khau": Decimal(30000), "gieng-day": Decimal(10000)}
    rows = _league(AFTER)
    assert set(rows) == {"ha-khau"} and rows["ha-khau"]["last_year"] == pytest.approx(12.96)
    assert _unit("ha-khau").dissolved_on is None and _unit("ha-khau").established_on is None


def test_the_own_method_takes_the_new_units_own_score(province):
    merge_units("ha-khau", ["gieng-day"], effective_on=MERGE_DAY, method="own")
    assert db.session.execute(select(UnitBaseline.score)).scalar_one() == Decimal("12")


def test_a_dry_run_writes_nothing(province, runner):
    before = _counts()
    result = runner.invoke(
        args=[
            "units",
            "merge",
            "--into",
            "ha-long",
            "--from",
            "gieng-day",
            "--from",
            "ha-khau",
            "--name",
            "UBND phường Hạ Long",
            "--date",
            "01/07/2024",
            "--dry-run",
        ]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Chạy thử (không ghi gì): hợp nhất")
    assert "tài liệu chuyển sang: 2" in result.output
    db.session.expire_all()
    assert _counts() == before
    assert _unit("gieng-day").dissolved_on is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--into", "ha-long", "--from", "khong-co", "--name", "X"], "Không có đơn vị mã “khong-co”"),
        (["--into", "gieng-day", "--from", "gieng-day"], "không thể hợp nhất vào chính nó"),
        (["--into", "ha-long", "--from", "gieng-day"], "cần có tên"),
        (["--into", "ha-khau", "--from", "quang-ninh"], "đơn vị cấp tỉnh"),
        (["--into", "ha-khau", "--from", "le-chan"], "thuộc các tỉnh khác nhau"),
    ],
)
def test_refusals_say_what_is_wrong_and_write_nothing(province, runner, args, message):
    before = _counts()
    result = runner.invoke(args=["units", "merge", *args, "--date", "01/07/2024"])
    assert result.exit_code == 1, result.output
    assert message in result.output and "Không có gì được ghi." in result.output
    db.session.expire_all()
    assert _counts() == before


def test_a_unit_already_merged_cannot_be_merged_again(province):
    merge_units("ha-khau", ["gieng-day"], effective_on=MERGE_DAY)
    with pytest.raises(UnitsRefused, match="đã được hợp nhất vào “ha-khau” từ ngày 01/07/2024"):
        merge_units("ha-long", ["gieng-day"], name="Hạ Long", effective_on=date(2024, 8, 1))


def test_a_weighted_merge_needs_every_population(province):
    _unit("gieng-day").population = None
    db.session.commit()
    before = _counts()
    with pytest.raises(UnitsRefused, match="cần số dân của gieng-day"):
        merge_units("ha-khau", ["gieng-day"], effective_on=MERGE_DAY, method="weighted")
    assert _counts() == before


def test_a_province_officer_reorganises_only_their_own_province(province):
    officer = db.session.execute(select(User).where(User.username == "hp-tinh")).scalar_one()
    before = _counts()
    with pytest.raises(UnitsRefused, match="không thuộc tỉnh của bạn"):
        merge_units("ha-khau", ["gieng-day"], effective_on=MERGE_DAY, actor=officer)
    with pytest.raises(UnitsRefused, match="không thuộc tỉnh của bạn"):
        rename_unit("gieng-day", "Phường mới", effective_on=MERGE_DAY, actor=officer)
    assert _counts() == before


def test_the_units_page_merges_for_the_province_and_no_one_else(province, app):
    staff = app.test_client()
    login(staff, "admin")
    assert staff.get("/units/").status_code == 403, "a ward's administrator cannot reorganise"
    assert staff.post("/units/merge", data={"into": "ha-long"}).status_code == 403
    other = app.test_client()
    login(other, "hp-tinh")
    page = other.get("/units/").get_data(as_text=True)
    assert "gieng-day" not in page, "another province's units are not listed"
    refused = other.post(
        "/units/merge",
        data={
            "sources": ["gieng-day"],
            "into": "ha-khau",
            "effective_on": "01/07/2024",
            "method": "mean",
            "confirm": "1",
        },
    )
    assert refused.status_code == 422 and _unit("gieng-day").dissolved_on is None
    client = app.test_client()
    login(client, "tinh")
    page = client.get("/units/").get_data(as_text=True)
    assert "Các đơn vị của tỉnh" in page and "UBND phường Hà Khẩu" in page
    form = {
        "sources": ["gieng-day", "ha-khau"],
        "into": "ha-long",
        "name": "UBND phường Hạ Long",
        "effective_on": "01/07/2024",
        "method": "weighted",
    }
    preview = client.post("/units/merge", data={**form, "preview": "1"})
    assert preview.status_code == 200
    assert "Xem trước: chưa ghi gì" in preview.get_data(as_text=True)
    assert db.session.execute(select(Unit).where(Unit.code == "ha-long")).scalar_one_or_none() is None
    done = client.post("/units/merge", data={**form, "confirm": "1"}, follow_redirects=True)
    assert done.status_code == 200 and "không xoá gì" in done.get_data(as_text=True)
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "unit.merge")).scalar_one()
    assert event.actor_id == db.session.execute(select(User.id).where(User.username == "tinh")).scalar_one()
    itself = client.post("/units/merge", data={**form, "sources": ["ha-long"], "confirm": "1"})
    assert itself.status_code == 422 and "không thể hợp nhất vào chính nó" in itself.get_data(as_text=True)
    league = client.get(f"/reports/province?as_of={AFTER}").get_data(as_text=True)
    assert "UBND phường Hạ Long" in league and "UBND phường Giếng Đáy" not in league
    league = client.get(f"/reports/province?as_of={BEFORE}").get_data(as_text=True)
    assert "UBND phường Hạ Long" not in league and "UBND phường Giếng Đáy" in league


def test_the_units_page_forms_need_a_csrf_token(province, tmp_path):
    """The app as it runs in production, CSRF protection on; its requests run in contexts of their own."""
    from tests.conftest import build_app

    csrf_app = build_app(tmp_path / "csrf", db.engine.url.render_as_string(hide_password=False), WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    token = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "tinh", "password": PASSWORD, "csrf_token": token.search(page).group(1)})
    form = {
        "sources": ["gieng-day", "ha-khau"],
        "into": "ha-long",
        "name": "UBND phường Hạ Long",
        "effective_on": "01/07/2024",
        "method": "mean",
        "confirm": "1",
    }
    assert client.post("/units/merge", data=form).status_code == 400
    assert (
        client.post("/units/rename", data={"unit": "ha-khau", "name": "X", "effective_on": "01/07/2024"}).status_code
        == 400
    )
    assert client.post("/units/population", data={"unit": "ha-khau", "population": "5"}).status_code == 400
    assert db.session.execute(select(func.count(UnitChange.id))).scalar_one() == 0
    page = client.get("/units/")
    assert page.status_code == 200
    done = client.post("/units/merge", data={**form, "csrf_token": token.search(page.get_data(as_text=True)).group(1)})
    assert done.status_code == 302
    db.session.expire_all()
    assert _unit("ha-khau").dissolved_on == MERGE_DAY
    with csrf_app.app_context():
        db.engine.dispose()


def test_a_rename_shows_the_old_name_before_its_day(province, runner):
    result = runner.invoke(
        args=["units", "rename", "--code", "ha-khau", "--name", "UBND phường Hà Khẩu mới", "--date", "01/07/2024"]
    )
    assert result.exit_code == 0, result.output
    assert _league(BEFORE)["ha-khau"]["unit_name"] == "UBND phường Hà Khẩu"
    assert _league(AFTER)["ha-khau"]["unit_name"] == "UBND phường Hà Khẩu mới"
    assert (
        db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
        == "unit.rename"
    )


def test_a_split_carves_out_a_unit_with_the_chosen_departments_users_and_documents(province, runner):
    document = db.session.execute(
        select(Document).join(Unit, Document.unit_id == Unit.id).where(Unit.code == "gieng-day")
    ).scalar_one()
    before = _counts()
    result = runner.invoke(
        args=[
            "units",
            "split",
            "--from",
            "gieng-day",
            "--into",
            "gieng-day-2",
            "--name",
            "UBND phường Giếng Đáy 2",
            "--department",
            "vh-tt",
            "--user",
            "cb-vh-tt",
            "--document",
            str(document.id),
            "--date",
            "01/07/2024",
        ]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    new = _unit("gieng-day-2")
    assert [d.code for d in new.departments] == ["vh-tt"]
    user = db.session.execute(select(User).where(User.username == "cb-vh-tt")).scalar_one()
    assert user.unit_id == new.id and [d.code for d in user.departments] == ["vh-tt"]
    assert db.session.get(Document, document.id).unit_id == new.id
    after = _counts()
    assert {k: after[k] - before[k] for k in after} == {
        "documents": 0,
        "links": 0,
        "reviews": 0,
        "events": 1,
        "units": 1,
        "departments": 1,
        "changes": 1,
    }
    assert _unit("gieng-day").dissolved_on is None, "the unit split from goes on"
    assert set(_league(BEFORE)) == {"gieng-day", "ha-khau"} == set(_league(AFTER)), "the new unit has no index yet"
    refused = runner.invoke(
        args=["units", "split", "--from", "gieng-day", "--into", "x", "--name", "X", "--department", "khong"]
    )
    assert refused.exit_code == 1 and "không có bộ phận khong" in refused.output


def test_a_merge_of_the_demo_wards(app, runner):
    """The demo's Giếng Đáy and Hà Khẩu merged: every document kept, the merged unit in the league table."""
    from evidence_app.demo import prepare_demo

    prepare_demo(date(2024, 10, 15))
    province = _unit("quang-ninh")
    assert _unit("ha-khau").province_id == province.id, "the demo's wards are the province's: its officer merges them"
    before = _counts()
    result = runner.invoke(
        args=[
            "units",
            "merge",
            "--into",
            "ha-long-1",
            "--from",
            "gieng-day",
            "--from",
            "ha-khau",
            "--name",
            "UBND phường Hạ Long 1",
            "--date",
            "20/10/2024",
        ]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    after = _counts()
    assert (after["documents"], after["links"], after["reviews"]) == (
        before["documents"],
        before["links"],
        before["reviews"],
    )
    assert before["documents"] > 0
    for table in league_table(date(2024, 10, 25)):
        units = {row["unit"] for row in table["rows"]}
        assert "ha-long-1" in units and not units & {"gieng-day", "ha-khau"}
        assert {"cao-xanh", "ha-phong"} <= units
    for table in league_table(date(2024, 10, 18)):
        assert {"gieng-day", "ha-khau"} <= {row["unit"] for row in table["rows"]}
    printed = runner.invoke(args=["league", "--as-of", "25/10/2024"])
    assert printed.exit_code == 0 and "UBND phường Hạ Long 1" in printed.output
    assert "UBND phường Giếng Đáy" not in printed.output and "UBND phường Cao Xanh" in printed.output
    before_merge = runner.invoke(args=["league", "--as-of", "18/10/2024"]).output
    assert "UBND phường Giếng Đáy" in before_merge and "Hạ Long 1" not in before_merge
    assert check_chain().intact


def test_the_official_result_of_the_year_before_is_last_years_score(province):
    """Giếng Đáy's official CCHC 2023 result (17.5, the sum of its final scores) counts, not its catalog's 15.84."""
    from tests.audit.test_every_change_audited import Ward

    Ward(None, province, None).import_results()
    merge_units("ha-long", ["gieng-day", "ha-khau"], name="UBND phường Hạ Long", effective_on=MERGE_DAY)
    baseline = db.session.execute(select(UnitBaseline)).scalar_one()
    assert baseline.score == Decimal("14.75"), "(17.5 + 12) / 2"
    assert [(p["unit"], p["score"], p["source"]) for p in baseline.parts] == [
        ("gieng-day", "17.50", "official"),
        ("ha-khau", "12.00", "catalog"),
    ]
    assert _league(AFTER)["ha-long"]["last_year"] == pytest.approx(14.75)
