"""The league table keeps each index's row between requests (issue 17): on random histories of uploads, decisions,
self-scores and days, it always equals the full computation; a row is computed again only when its unit changed,
its day is another, or a change of no unit happened."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from checklists import CATALOG_DIR
from evidence_app import audit
from evidence_app.catalog.measurements import set_self_score
from evidence_app.catalog.models import ChecklistItem, Criterion, Index
from evidence_app.evidence.models import Evidence
from evidence_app.evidence.operations import DocumentFields, upload_document
from evidence_app.extensions import db
from evidence_app.reports import build, league_cache
from evidence_app.reports.build import build_report, league_table
from evidence_app.review.operations import decide
from tests.evidence import corpus
from tests.helpers import import_file, make_unit, make_user

WARDS = [
    ("gieng-day", "UBND phường Giếng Đáy"),
    ("ha-khau", "UBND phường Hà Khẩu"),
    ("cao-xanh", "UBND phường Cao Xanh"),
]
START = date(2024, 9, 2)


@pytest.fixture
def province(app):
    units = []
    for code, name in WARDS:
        unit = make_unit(code, name)
        for path in sorted((CATALOG_DIR / "gieng-day").glob("*.yaml")):
            import_file(path, unit)
        departments = [d.code for d in unit.departments]
        staff = make_user(unit, f"{code}-staff", departments=departments)
        reviewer = make_user(unit, f"{code}-reviewer", role="reviewer")
        units.append((unit, staff, reviewer))
    return units


@pytest.fixture
def computed(monkeypatch):
    """How many index forecasts the league computed in its last call."""
    calls = {"n": 0}
    real = build.forecast_index

    def counted(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "forecast_index", counted)
    return calls


def _league(day: date, computed) -> list[dict]:
    computed["n"] = 0
    return league_table(day)


def _report(unit, day: date, computed) -> list[dict]:
    computed["n"] = 0
    return build_report(unit, day)["indices"]


def test_a_kept_report_is_used_until_its_unit_changes(province, computed, tmp_path):
    (ward, staff, _), (other, _, _), _ = province
    first = _report(ward, START, computed)
    assert computed["n"] == 2, "two indices computed"
    assert _report(ward, START, computed) == first and computed["n"] == 0, "nothing changed: kept"
    assert _report(other, START, computed) != first and computed["n"] == 2, "another unit: its own report"
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.unit_id == ward.id)).scalars().first()
    upload_document(corpus.pdf(tmp_path, "a.pdf"), "a.pdf", user=staff, items=[item], fields=DocumentFields())
    changed = _report(ward, START, computed)
    assert computed["n"] == 2, "its unit changed: computed again"
    assert changed == build_report(ward, START, reference=True)["indices"]
    assert _report(other, START, computed) and computed["n"] == 0, "the other unit's report still kept"
    _report(ward, START + timedelta(days=1), computed)
    assert computed["n"] == 2, "another day: time alone moves a forecast"
    audit.record("test.outside_any_unit")
    db.session.commit()
    _report(other, START, computed)
    assert computed["n"] == 2, "a change outside any unit: computed again"


def test_a_kept_row_is_used_until_its_unit_changes(province, computed, tmp_path):
    (ward, staff, _), *_ = province
    day = START
    first = _league(day, computed)
    assert computed["n"] == 6, "three units, two indices each: all computed once"
    assert _league(day, computed) == first and computed["n"] == 0, "nothing changed: every row kept"
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.unit_id == ward.id)).scalars().first()
    upload_document(corpus.pdf(tmp_path, "a.pdf"), "a.pdf", user=staff, items=[item], fields=DocumentFields())
    kept = _league(day, computed)
    assert computed["n"] == 2, "its unit's two indices computed again, the others kept"
    assert kept == league_table(day, reference=True)
    _league(day + timedelta(days=1), computed)
    assert computed["n"] == 6, "another day: time alone moves a forecast"
    audit.record("test.outside_any_unit")  # a change of no unit
    db.session.commit()
    _league(day + timedelta(days=1), computed)
    assert computed["n"] == 6, "a change outside any unit recomputes every row"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_league_equals_the_full_computation_on_random_histories(province, computed, tmp_path, seed):
    rng = random.Random(seed)
    day = START
    league_table(day)
    for step in range(30):
        unit, staff, reviewer = rng.choice(province)
        action = rng.choice(["upload", "decide", "self_score", "day", "none"])
        if action == "upload":
            items = db.session.execute(select(ChecklistItem).where(ChecklistItem.unit_id == unit.id)).scalars().all()
            path = corpus.pdf(tmp_path, f"{seed}-{step}.pdf", pages=1 + step % 3)
            fields = DocumentFields(number=f"{step}/BC-UBND", sent_date=day - timedelta(days=1))
            upload_document(path, path.name, user=staff, items=[rng.choice(items)], fields=fields)
        elif action == "decide":
            waiting = (
                db.session.execute(
                    select(Evidence)
                    .join(ChecklistItem, Evidence.item_id == ChecklistItem.id)
                    .where(ChecklistItem.unit_id == unit.id, Evidence.state == "submitted")
                )
                .scalars()
                .all()
            )
            if waiting:
                evidence = rng.choice(waiting)
                if rng.random() < 0.7:
                    decide(evidence, reviewer, "approved", expected_version=evidence.version)
                else:
                    decide(
                        evidence,
                        reviewer,
                        "changes_requested",
                        expected_version=evidence.version,
                        reason_code="incomplete",
                        comment="Thiếu phụ lục",
                    )
        elif action == "self_score":
            criteria = (
                db.session.execute(
                    select(Criterion).join(Index, Criterion.index_id == Index.id).where(Index.unit_id == unit.id)
                )
                .scalars()
                .all()
            )
            criterion = rng.choice(criteria)
            set_self_score(criterion, reviewer, Decimal(rng.randint(0, int(criterion.max_points * 4))) / 4)
        elif action == "day":
            day += timedelta(days=rng.randint(1, 20))
        db.session.commit()
        kept = _league(day, computed)
        if action == "none":
            assert computed["n"] == 0, "nothing changed since the last view: no row computed"
        assert kept == league_table(day, reference=True), f"seed {seed}, step {step} ({action})"
        report = _report(unit, day, computed)
        assert report == build_report(unit, day, reference=True)["indices"], f"seed {seed}, step {step} ({action})"
        assert _report(unit, day, computed) == report and computed["n"] == 0, "nothing changed since: kept"


def test_rows_computed_in_batches_are_the_rows_computed_at_once(province, computed, tmp_path, monkeypatch):
    (ward, staff, _), *_ = province
    item = db.session.execute(select(ChecklistItem).where(ChecklistItem.unit_id == ward.id)).scalars().first()
    upload_document(corpus.pdf(tmp_path, "a.pdf"), "a.pdf", user=staff, items=[item], fields=DocumentFields())
    at_once = league_table(START, reference=True)
    monkeypatch.setattr(build, "LEAGUE_BATCH", 4)  # six indices: a batch of four and one of two
    statements = []
    listener = lambda *args, **kwargs: statements.append(args[2])
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        in_batches = _league(START, computed)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert in_batches == at_once and computed["n"] == 6
    items = [s for s in statements if s.lstrip().startswith("SELECT checklist_items.id, checklist_items.criterion_id")]
    assert len(items) == 2, "one item statement per batch"


def test_the_code_version_is_that_of_the_code_loaded_not_of_the_files_now(monkeypatch, tmp_path):
    """A process still running the former release after the files were replaced keeps its rows under the former
    version: the new release's processes then compute their own instead of trusting rows of the old code."""
    loaded = league_cache.code_version()
    (tmp_path / "checklists").mkdir()
    (tmp_path / "checklists" / "scoring.py").write_text("# the next release\n")
    monkeypatch.setattr(league_cache, "_SOURCES", tmp_path)
    assert league_cache._digest_of_sources() != loaded
    assert league_cache.code_version() == loaded
