"""Each index's league row, and each unit's report, kept between requests (issue 17;
docs/decisions/0010-league-rows-kept-by-audit-mark.md).

The league table of a province rebuilt every unit's forecast on every view: 120,000 item rows for 177 units. A row
(an index's totals on a day) changes only when something of its unit changes, and every change writes an audit
event of its unit in the same transaction (tests/audit/test_every_change_audited.py). So a row is kept with:
- its day (`as_of`): time alone moves a forecast;
- its unit's mark: the id of the unit's latest audit event, and of the latest event of no unit (a change made
  outside any unit, rare, invalidates every row);
- the version of the code and the forecast's table that computed it (a new release recomputes).
A row whose mark or version differs is computed again by the reference computation (reports/build.py) and
replaced. The marks are read before the data, so that a change committed meanwhile leaves a row that no later
mark matches (never a row served for data it did not see)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from ..audit.models import AuditEvent
from ..auth.models import Unit
from ..extensions import db
from .models import KeptReport, LeagueRow

KEEP_DAYS = 7  # rows of older days are dropped when new ones are written
_SOURCES = Path(__file__).resolve().parents[2]


def _digest_of_sources() -> str:
    """A digest of the code and data the rows are computed from: the forecast's rules and table (checklists/) and
    the app (evidence_app/, its migrations included)."""
    digest = hashlib.sha256()
    for folder in ("checklists", "evidence_app"):
        for path in sorted((_SOURCES / folder).rglob("*")):
            if path.suffix in (".py", ".yaml") and path.is_file():
                digest.update(str(path.relative_to(_SOURCES)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# Taken when the code is loaded, not at the first league: a process still running the former release after the
# files were replaced must not keep its rows under the new release's version.
_CODE_VERSION = _digest_of_sources()


def code_version() -> str:
    return _CODE_VERSION


def unit_marks() -> dict[int, str]:
    """Each unit's mark: its latest audit event and the latest event of no unit (one index lookup each)."""
    latest = select(func.max(AuditEvent.id)).where(AuditEvent.unit_id == Unit.id).scalar_subquery()
    shared = db.session.scalar(select(func.max(AuditEvent.id)).where(AuditEvent.unit_id.is_(None))) or 0
    return {unit_id: f"{last or 0}.{shared}" for unit_id, last in db.session.execute(select(Unit.id, latest))}


def unit_mark(unit_id: int) -> str:
    """One unit's mark, as unit_marks gives it (two index lookups)."""
    last = db.session.scalar(select(func.max(AuditEvent.id)).where(AuditEvent.unit_id == unit_id))
    shared = db.session.scalar(select(func.max(AuditEvent.id)).where(AuditEvent.unit_id.is_(None))) or 0
    return f"{last or 0}.{shared}"


def kept_report(unit_id: int, as_of: date, mark: str) -> list | None:
    """The unit's report's indices on `as_of` if kept under this mark and code, else None."""
    kept = db.session.get(KeptReport, (unit_id, as_of), populate_existing=True)
    if kept is None:
        return None
    db.session.expunge(kept)  # what the caller does with the report never reaches the row
    return kept.indices if kept.mark == mark and kept.version == code_version() else None


def keep_report(unit_id: int, as_of: date, mark: str, indices: list) -> None:
    """Keep a unit's report computed as of `as_of` under `mark`, in a transaction of its own (as `keep`)."""
    try:
        db.session.execute(
            delete(KeptReport).where(
                KeptReport.unit_id == unit_id,
                or_(KeptReport.as_of == as_of, KeptReport.as_of < as_of - timedelta(days=KEEP_DAYS)),
            )
        )
        kept = KeptReport(unit_id=unit_id, as_of=as_of, mark=mark, version=code_version(), indices=indices)
        db.session.add(kept)
        db.session.commit()
        db.session.expunge(kept)
    except IntegrityError:
        db.session.rollback()


def kept_rows(index_ids: list[int], as_of: date, marks: dict[int, str]) -> dict[int, dict]:
    """The rows still valid, by index id."""
    if not index_ids:
        return {}
    version = code_version()
    rows = db.session.execute(
        select(LeagueRow).where(LeagueRow.as_of == as_of, LeagueRow.index_id.in_(index_ids))
    ).scalars()
    return {r.index_id: r.row for r in rows if r.version == version and r.mark == marks.get(r.unit_id)}


def keep(rows: list[tuple[int, int, dict]], as_of: date, marks: dict[int, str]) -> None:
    """Keep (index id, unit id, row) computed as of `as_of` under `marks`, in a transaction of its own; another
    server writing the same rows at the same moment wins, and nothing else is changed."""
    if not rows:
        return
    version = code_version()
    ids = [index_id for index_id, _, _ in rows]
    try:
        db.session.execute(delete(LeagueRow).where(LeagueRow.as_of == as_of, LeagueRow.index_id.in_(ids)))
        db.session.execute(delete(LeagueRow).where(LeagueRow.as_of < as_of - timedelta(days=KEEP_DAYS)))
        db.session.add_all(
            LeagueRow(index_id=i, as_of=as_of, unit_id=u, mark=marks.get(u, ""), version=version, row=row)
            for i, u, row in rows
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
