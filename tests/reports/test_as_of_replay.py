"""A report computed today "as of" a past day equals the report that was saved on that day.

A cycle of 2024 is replayed day by day under a frozen clock, through the services the pages, the API and the
CLI use: uploads (periodic reports with their sending dates, ordinary items), approvals and send-backs,
resubmissions, metadata edits that move a report's sending date, a deletion, measurements, self-scores set and
changed, items re-assigned to another department or person. Each day's report is saved; at the end every day's
report is computed again and must be the same, whatever the scoring formulas are."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from checklists import CATALOG_DIR
from evidence_app.auth.models import Department, User
from evidence_app.catalog.assignments import assign_item
from evidence_app.catalog.measurements import add_measurement, set_self_score
from evidence_app.catalog.models import ChecklistItem, Criterion, Index
from evidence_app.clock import frozen_at
from evidence_app.evidence.models import Document, Evidence
from evidence_app.evidence.operations import DocumentFields, delete_document, update_document, upload_document
from evidence_app.extensions import db
from evidence_app.reports.build import build_report
from evidence_app.review.operations import decide
from tests.evidence import corpus
from tests.helpers import import_file, make_unit, make_user

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def ward(app):
    unit = make_unit()
    for path in sorted((CATALOG_DIR / "gieng-day").glob("*.yaml")):
        import_file(path, unit)
    make_user(unit, "cb-vp-tk", departments=["vp-tk"])
    make_user(unit, "cb-vh-tt", departments=["vh-tt"])
    make_user(unit, "reviewer", role="reviewer")
    make_user(unit, "admin", role="admin")
    return unit


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A moment of `day` in the ward's time zone."""
    return datetime.combine(day, time(hour, minute), tzinfo=VIETNAM)


def user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def item(code: str) -> ChecklistItem:
    return db.session.execute(select(ChecklistItem).where(ChecklistItem.code == code)).scalar_one()


def criterion(index_code: str, code: str) -> Criterion:
    return db.session.execute(
        select(Criterion)
        .join(Index, Criterion.index_id == Index.id)
        .where(Index.code == index_code, Criterion.code == code)
    ).scalar_one()


def department(code: str) -> Department:
    return db.session.execute(select(Department).where(Department.code == code)).scalar_one()


def differences(saved, recomputed, path: str = "") -> list[str]:
    """The paths where two reports differ (the leaves, so that a failure says what changed)."""
    if isinstance(saved, dict) and isinstance(recomputed, dict):
        return [
            d
            for key in sorted(set(saved) | set(recomputed), key=str)
            for d in differences(saved.get(key), recomputed.get(key), f"{path}.{key}")
        ]
    if isinstance(saved, list) and isinstance(recomputed, list) and len(saved) == len(recomputed):
        found = []
        for n, (a, b) in enumerate(zip(saved, recomputed)):
            label = a.get("code", n) if isinstance(a, dict) else n
            found += differences(a, b, f"{path}[{label}]")
        return found
    return [] if saved == recomputed else [f"{path}: {saved!r} → {recomputed!r}"]


class Cycle:
    """The ward's people doing their work, each action through the service its page calls."""

    def __init__(self, tmp_path):
        self.tmp_path, self.pages, self.documents = tmp_path, 0, {}

    def upload(self, name: str, code: str, staff: str = "cb-vp-tk", **fields) -> Evidence:
        self.pages += 1  # a PDF of another length: other bytes, so a new document rather than a duplicate
        path = corpus.pdf(self.tmp_path, f"{name}.pdf", pages=self.pages)
        result = upload_document(
            path, f"{name}.pdf", user=user(staff), items=[item(code)], fields=DocumentFields(**fields)
        )
        assert not result.deduplicated
        self.documents[name] = result.document
        return result.new_links[0]

    def decide(self, evidence: Evidence, decision: str, reason: str | None = None) -> None:
        decide(evidence, user("reviewer"), decision, expected_version=evidence.version, reason_code=reason)

    def edit(self, name: str, staff: str = "cb-vp-tk", **changes) -> None:
        document = self.documents[name]
        fields = {k: getattr(document, k) for k in vars(DocumentFields())}
        update_document(document, DocumentFields(**{**fields, **changes}), user(staff))

    def delete(self, name: str, staff: str = "cb-vp-tk") -> None:
        delete_document(self.documents[name], user(staff))

    def measure(self, index_code: str, code: str, numerator, denominator, on: date) -> None:
        add_measurement(
            criterion(index_code, code),
            user("cb-vp-tk"),
            numerator=Decimal(numerator),
            denominator=Decimal(denominator),
            measured_on=on,
            source="Hệ thống một cửa",
        )

    def self_score(self, index_code: str, code: str, score) -> None:
        set_self_score(criterion(index_code, code), user("admin"), Decimal(score))

    def assign(self, code: str, department_code: str, assignee: str | None = None) -> None:
        assign_item(item(code), user("admin"), department(department_code), user(assignee) if assignee else None)


def test_a_report_recomputed_as_of_a_past_day_equals_the_one_saved_that_day(ward, tmp_path):
    cycle = Cycle(tmp_path)
    cchc = (
        db.session.execute(
            select(Criterion)
            .join(Index, Criterion.index_id == Index.id)
            .where(Index.code == "CCHC", Criterion.rule_type != "not_applicable")
            .order_by(Criterion.id)
        )
        .scalars()
        .all()
    )
    links: dict[str, Evidence] = {}

    def day_1():  # 05/02: first uploads; the self-assessment claims full marks; a first measurement
        links["plan"] = cycle.upload("Kế hoạch tuyên truyền", "CCHC-1.3-a")
        links["dvc"] = cycle.upload("Danh sách DVC trực tuyến", "QN-DTI-1.1-a", staff="cb-vh-tt")
        for c in cchc[:20]:
            cycle.self_score("CCHC", c.code, c.max_points)
        cycle.measure("QN-DTI", "1.1", 40, 100, date(2024, 2, 1))

    def day_2():  # 20/02: an approval, a send-back; a self-score lowered
        cycle.decide(links["plan"], "approved")
        cycle.decide(links["dvc"], "changes_requested", "unsigned")
        cycle.self_score("CCHC", cchc[0].code, cchc[0].max_points / 2)

    def day_3():  # 08/03: the Q1 report is uploaded, sent on time (deadline 15/03)
        links["q1"] = cycle.upload(
            "Báo cáo CCHC quý I",
            "CCHC-1.1-a",
            number="35/BC-UBND",
            sent_date=date(2024, 3, 7),
            issue_date=date(2024, 3, 7),
        )

    def day_4():  # 12/03: the resubmission after the send-back; another measurement; a re-assignment
        links["dvc2"] = cycle.upload("Danh sách DVC trực tuyến (ký số)", "QN-DTI-1.1-a", staff="cb-vh-tt")
        cycle.measure("QN-DTI", "1.1", 55, 100, date(2024, 3, 10))
        cycle.assign("CCHC-1.3-b", "vh-tt", "cb-vh-tt")

    def day_5():  # 25/03: the Q1 report's metadata corrected: it was in fact sent on 18/03, late
        cycle.edit(
            "Báo cáo CCHC quý I",
            sent_date=date(2024, 3, 18),
            number="35a/BC-UBND",
            summary="Báo cáo CCHC quý I/2024 (bản sửa)",
        )
        cycle.self_score("CCHC", cchc[1].code, 0)

    def day_6():  # 10/04: approvals; a new self-score on a criterion that had none
        cycle.decide(links["q1"], "approved")
        cycle.decide(links["dvc2"], "approved")
        cycle.self_score("CCHC", cchc[25].code, cchc[25].max_points)

    def day_7():  # 02/05: an ordinary upload that will be withdrawn; the H1 report, sent on time
        links["draft"] = cycle.upload("Dự thảo kế hoạch", "CCHC-2.1-a")
        links["h1"] = cycle.upload("Báo cáo CCHC 6 tháng", "CCHC-1.1-b", sent_date=date(2024, 5, 2))

    def day_8():  # 03/06: the draft deleted before any decision; the H1 report's sending date moved twice
        cycle.delete("Dự thảo kế hoạch")
        cycle.edit("Báo cáo CCHC 6 tháng", sent_date=date(2024, 6, 20))
        cycle.edit("Báo cáo CCHC 6 tháng", sent_date=date(2024, 6, 1), issuer="UBND phường Giếng Đáy")
        cycle.assign("CCHC-1.3-b", "tu-phap")

    def day_9():  # 04/06, half an hour after midnight in Vietnam (still 3 June in UTC): changes of the 4th
        cycle.self_score("CCHC", cchc[2].code, 0)
        cycle.assign("CCHC-2.1-a", "mot-cua", "cb-vp-tk")
        cycle.measure("QN-DTI", "1.1", 70, 100, date(2024, 6, 3))

    def day_10():  # 20/06: the H1 report sent back, the self-score raised again, a measurement
        cycle.decide(links["h1"], "changes_requested", "incomplete")
        cycle.self_score("CCHC", cchc[0].code, cchc[0].max_points)
        cycle.measure("QN-DTI", "1.1", 80, 100, date(2024, 6, 19))

    def day_11():  # 15/07: the H1 report resubmitted (late now) and approved the same day by the reviewer
        links["h1b"] = cycle.upload("Báo cáo CCHC 6 tháng (bổ sung)", "CCHC-1.1-b", sent_date=date(2024, 7, 15))
        cycle.decide(links["h1b"], "approved")
        cycle.assign("CCHC-1.3-b", "vp-tk", "cb-vp-tk")

    def day_12():  # 09/09: the 9-month report uploaded before its deadline (13/09)
        links["q3"] = cycle.upload("Báo cáo CCHC 9 tháng", "CCHC-1.1-c", sent_date=date(2024, 9, 9))
        links["plan2"] = cycle.upload("Kế hoạch kiểm tra", "CCHC-1.3-b")

    def day_13():  # 01/10: its sending date corrected after the deadline; the re-assigned item approved
        cycle.edit(
            "Báo cáo CCHC 9 tháng",
            sent_date=date(2024, 9, 20),
            period_start=date(2024, 1, 1),
            period_end=date(2024, 9, 30),
            page_ref="tr. 2",
        )
        cycle.decide(links["plan2"], "approved")
        for c in cchc[20:30]:
            cycle.self_score("CCHC", c.code, c.max_points)

    def day_14():  # 15/11: the 9-month report approved; a last measurement
        cycle.decide(links["q3"], "approved")
        cycle.measure("QN-DTI", "1.1", 95, 100, date(2024, 11, 14))

    days = [
        (at(date(2024, 2, 5)), day_1),
        (at(date(2024, 2, 20)), day_2),
        (at(date(2024, 3, 8)), day_3),
        (at(date(2024, 3, 12)), day_4),
        (at(date(2024, 3, 25)), day_5),
        (at(date(2024, 4, 10)), day_6),
        (at(date(2024, 5, 2)), day_7),
        (at(date(2024, 6, 3), 23, 40), day_8),
        (at(date(2024, 6, 4), 0, 30), day_9),
        (at(date(2024, 6, 20)), day_10),
        (at(date(2024, 7, 15)), day_11),
        (at(date(2024, 9, 9)), day_12),
        (at(date(2024, 10, 1)), day_13),
        (at(date(2024, 11, 15)), day_14),
    ]
    saved: dict[date, dict] = {}
    for moment, actions in days:
        with frozen_at(moment):
            actions()
            day = moment.date()
            saved[day] = build_report(ward, day)  # the report as printed that day
            for about_the_printing in ("generated_at", "audit_head"):  # when it was made, not what it says
                saved[day].pop(about_the_printing)
    assert db.session.execute(select(Document).where(Document.deleted_at.is_not(None))).scalars().all()

    differing = {}
    for day, report in saved.items():
        again = build_report(ward, day, reference=True)  # the as-of computation, never a kept report
        again.pop("generated_at")
        again.pop("audit_head")
        found = differences(report, again)
        if found:
            differing[day.isoformat()] = found
    assert differing == {}, "\n".join(
        f"{day}:\n  " + "\n  ".join(found[:12]) + (f"\n  … {len(found) - 12} more" if len(found) > 12 else "")
        for day, found in differing.items()
    )
    # the replay did change what the report says from one day to the next (it is not a still life)
    totals = {day: [i["totals"] for i in report["indices"]] for day, report in saved.items()}
    assert len({repr(t) for t in totals.values()}) > 5
