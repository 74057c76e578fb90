"""The official results: import the province's table of scores, and propose next year's checklist items from
the points it lost. Used by the admin pages and the `minhchung results` commands alike. The public services
(`import_results`, `propose_from_results`, `decide_proposal`, `correct_causes`) own their transaction: they
commit, or roll back on a refusal (and for a dry run); the helpers they share (`generate_proposals`, …) work
inside the caller's transaction (docs/decisions/0005-commit-policy.md)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from checklists.causes import (
    Cause,
    ReportItem,
    Templates,
    deviates,
    index_deviation,
    load_templates,
    period_name,
    propose,
    read_causes,
    report_periods,
    same_report,
)
from checklists.rules import LOSS_CAUSE_TYPES
from checklists.score_tables import (
    HEADER_SEARCH_ROWS,
    SCORE_KEYS,
    ScoreRow,
    ScoreTable,
    Sheet,
    find_score_table,
    read_sheets,
    read_tree,
    similarity,
    sum_problems,
)
from checklists.tables import Column, TableError, fold, number

from .. import audit
from ..auth.models import Department, Unit
from ..catalog.models import Area, ChecklistItem, Criterion, Index
from ..errors import ProblemsRefused, Refused
from ..extensions import db
from ..sqltypes import utcnow
from ..transactions import service_transaction
from .bootstrap import RubricRefused, is_estimated, replace_estimate
from .models import CriterionResult, Proposal, ProposalState, ResultSet

RESULT_COLUMNS = [
    Column("stt", "STT", ("stt", "tt", "so thu tu")),
    Column("code", "Mã", ("ma", "ma tieu chi", "ma so", "ma chi tieu", "ma so tieu chi")),
    Column(
        "title",
        "Tiêu chí",
        (
            "tieu chi",
            "ten tieu chi",
            "chi tieu",
            "noi dung",
            "tieu chi thanh phan",
            "linh vuc tieu chi",
            "noi dung tieu chi",
            "noi dung danh gia",
            "linh vuc",
            "chi so",
        ),
    ),
    Column("max", "Điểm tối đa", ("diem toi da", "toi da", "diem chuan", "thang diem", "diem toi da theo quy dinh")),
    Column("self", "Điểm tự chấm", ("diem tu cham", "tu cham", "diem tu danh gia", "tu danh gia", "diem tu cham diem")),
    Column("appraised", "Điểm thẩm định", ("diem tham dinh", "tham dinh", "ket qua tham dinh")),
    Column("final", "Điểm chốt", ("diem chot", "chot", "diem cuoi cung", "diem chinh thuc")),
    Column("note", "Giải trình / ghi chú", ("giai trinh", "ghi chu", "ly do", "nguyen nhan", "ly do tru diem")),
]
RESULT_REQUIRED = [("code", "title"), ("final", "appraised")]
MAX_RESULTS_FILE_BYTES = 5 * 1024 * 1024
MATCH_LABELS = {
    "code": _l("code"),
    "code and title": _l("code and title"),
    "title": _l("title"),
    "similar title": _l("similar title"),
    "new": _l("new criterion"),
}


class ResultsRefused(ProblemsRefused):
    """Nothing was written; `problems` says why, one line each (naming the file, the sheet and the row)."""

    code = "results_refused"


@dataclass
class ResultsPlan:
    """Everything an import changes, as plain data (it stays readable after a dry run is rolled back)."""

    index: str  # "CCHC 2024": the rubric the rows were matched against
    year: int  # the year assessed
    rows: list[dict] = field(default_factory=list)
    last_year_changes: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # criteria of the rubric with no row in the file
    totals: dict = field(default_factory=dict)
    proposals: int = 0
    proposals_target: str | None = None
    result_set_id: int | None = None
    sheet: str | None = None  # the sheet read, and why the others were not
    skipped_sheets: list[str] = field(default_factory=list)
    sum_warnings: list[str] = field(default_factory=list)  # totals that are not the sum of their rows
    max_changes: list[dict] = field(default_factory=list)  # estimated maxima replaced by the table's
    rubric: dict | None = None  # the estimate replaced by the table's criteria (bootstrap.Replacement)

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "year": self.year,
            "sheet": self.sheet,
            "skipped_sheets": self.skipped_sheets,
            "rows": self.rows,
            "sum_warnings": self.sum_warnings,
            "max_changes": self.max_changes,
            "rubric": self.rubric,
            "last_year_changes": self.last_year_changes,
            "missing": self.missing,
            "totals": self.totals,
            "proposals": self.proposals,
            "proposals_target": self.proposals_target,
        }


def _num(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _vn(value: Decimal) -> str:
    return str(_num(value)).replace(".", ",")


def _criteria_in_order(index: Index) -> list[Criterion]:
    """The index's criteria as the rubric lists them: by area, then by position."""
    return list(
        db.session.execute(
            select(Criterion)
            .where(Criterion.index_id == index.id)
            .join(Area, Criterion.area_id == Area.id)
            .order_by(Area.position, Criterion.position)
        ).scalars()
    )


def find_indices(unit: Unit, code: str, year: int) -> tuple[Index, Index | None]:
    """The rubric the results of `year` are matched against — that year's index, or else next year's — and
    next year's index, whose criteria take these results as last year's scores and get the proposals."""
    rows = {
        i.year: i
        for i in db.session.execute(select(Index).where(Index.unit_id == unit.id, Index.code == code)).scalars()
    }
    own, following = rows.get(year), rows.get(year + 1)
    if own is None and following is None:
        known = ", ".join(
            f"{i.code} {i.year}"
            for i in db.session.execute(
                select(Index).where(Index.unit_id == unit.id).order_by(Index.code, Index.year)
            ).scalars()
        ) or _("none")
        raise ResultsRefused(
            [
                _(
                    "unit %(unit)s has no index %(code)s for %(year)s or %(next)s to match the results against "
                    "(known: %(known)s); import the rubric first with `minhchung catalog import`",
                    unit=unit.code,
                    code=code,
                    year=year,
                    next=year + 1,
                    known=known,
                )
            ]
        )
    return (own or following), following


def read_results_sheets(path: str | Path, data: bytes | None = None) -> list[Sheet]:
    try:
        return read_sheets(path, data, _)
    except TableError as exc:
        raise ResultsRefused([f"{exc.source}: {p}" for p in exc.problems]) from None


@dataclass
class _Reading:
    """One sheet read against the rubric: each row's criterion and how it was found."""

    table: ScoreTable
    pairs: list[tuple[ScoreRow, Criterion | None, str, float]] = field(default_factory=list)
    new: list[ScoreRow] = field(default_factory=list)  # rows for criteria the estimated rubric lacks
    areas: dict[str, ScoreRow] = field(default_factory=dict)
    unmatched: list[ScoreRow] = field(default_factory=list)
    ambiguous: list[tuple[ScoreRow, list[Criterion]]] = field(default_factory=list)


def _match(row: ScoreRow, criteria: list[Criterion], estimated: bool, by_code: dict[str, Criterion]):
    """The criterion of a row: by the code (written, or read from the STT) when the titles agree; then by the
    title compared without accents, case and spacing; then by a similar title. (criterion, how, confidence)."""
    candidate = by_code.get(row.code) if row.code else None
    alike = similarity(row.title, candidate.title) if candidate is not None and row.title else None
    if candidate is not None and candidate.rule_type == "remainder" and alike is not None and alike < 0.6:
        candidate = None  # a block of remaining criteria is matched by its code alone, or by a row that is one too
    if candidate is not None and (alike is None or alike >= 0.6):
        return candidate, ("code and title" if alike else "code"), round(1.0 if alike is None else 0.5 + alike / 2, 2)
    scorable = [c for c in criteria if c.rule_type != "remainder"]
    if row.title:
        same = [c for c in scorable if fold(c.title) == fold(row.title)]
        if len(same) > 1:
            return same, "ambiguous", 0.0
        if same:
            return same[0], "title", 0.95
    if candidate is not None and not estimated:
        return candidate, "code", 0.5  # the rubric is the real one: its code wins, the title differs
    if row.title:
        scored = sorted(((similarity(row.title, c.title), c) for c in scorable), key=lambda p: -p[0])
        if scored and scored[0][0] >= 0.8 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
            return scored[0][1], "similar title", round(scored[0][0], 2)
    return None, "", 0.0


def _read_sheet(table: ScoreTable, criteria: list[Criterion], area_codes: set[str], estimated: bool) -> _Reading:
    read_tree(table)
    reading = _Reading(table)
    by_code = {c.code: c for c in criteria}
    taken: set[str] = set()  # rows whose ancestor is a criterion: its details (sub-criteria), not criteria
    for row in table.rows:
        if row.total or (row.code is None and not row.title):
            if not row.total and any(row.score(k) is not None for k in SCORE_KEYS):  # numbers, not a signature
                reading.unmatched.append(row)
            continue
        if row.parent in taken:
            taken.add(row.code or "")
            continue
        if row.depth == 1 and row.code in area_codes and row.code not in by_code:
            reading.areas[row.code] = row
            continue
        criterion, how, confidence = _match(row, criteria, estimated, by_code)
        if how == "ambiguous":
            reading.ambiguous.append((row, criterion))
            continue
        if criterion is not None:
            reading.pairs.append((row, criterion, how, confidence))
            if row.code:
                taken.add(row.code)
        elif row.children:
            continue  # a group of criteria: its row is their subtotal
        elif not any(row.values.get(k) is not None for k in SCORE_KEYS):
            continue  # a heading, a note or a signature line: no points on it
        elif estimated and row.code and row.code.split(".")[0] in area_codes and row.depth > 1:
            reading.new.append(row)
        else:
            reading.unmatched.append(row)
    return reading


def _where(source: str, row: ScoreRow) -> str:
    if row.sheet == source:
        return _("%(file)s, row %(row)s", file=source, row=row.number)
    return _("%(file)s, sheet %(sheet)s, row %(row)s", file=source, sheet=row.sheet, row=row.number)


def _choose_sheet(source: str, sheets: list[Sheet], index: Index, criteria, estimated) -> tuple[_Reading, list[str]]:
    """The sheet whose rows match the rubric best; why each other sheet was not read."""
    area_codes = {a.code for a in index.areas}
    label = f"{index.code} {index.year}"
    readings, skipped = [], []
    for sheet in sheets:
        table = find_score_table(sheet, RESULT_COLUMNS, RESULT_REQUIRED)
        if table is None:
            skipped.append(_("sheet %(sheet)s: no header row (Tiêu chí, Điểm thẩm định…)", sheet=sheet.name))
            continue
        reading = _read_sheet(table, criteria, area_codes, estimated)
        if not reading.pairs and not reading.new:
            skipped.append(
                _(
                    "sheet %(sheet)s: no row names a criterion of %(index)s",
                    sheet=sheet.name,
                    index=label,
                )
            )
            continue
        readings.append(reading)
    if not readings:
        wanted = " · ".join(" / ".join(_header_of(k) for k in keys) for keys in RESULT_REQUIRED)
        if len(skipped) == len(sheets) and all(
            find_score_table(s, RESULT_COLUMNS, RESULT_REQUIRED) is None for s in sheets
        ):
            raise ResultsRefused(
                [
                    _(
                        "%(file)s: no header row found in the first %(n)s rows of any sheet: expected a row with the "
                        "columns %(columns)s (in any order, on one row or two under merged cells); add that row "
                        "above the data",
                        file=source,
                        n=HEADER_SEARCH_ROWS,
                        columns=wanted,
                    )
                ]
            )
        raise ResultsRefused(
            [
                _(
                    "%(file)s: no row names a criterion of %(index)s; check the STT, code or title column",
                    file=source,
                    index=label,
                )
            ]
            + skipped
        )
    best = max(readings, key=lambda r: (len(r.pairs) + len(r.new), -readings.index(r)))
    for reading in readings:
        if reading is not best:
            skipped.append(
                _(
                    "sheet %(sheet)s: %(n)s rows match, fewer than sheet %(best)s (%(m)s); import it on its own if "
                    "it is another index's or unit's table",
                    sheet=reading.table.sheet,
                    n=len(reading.pairs) + len(reading.new),
                    best=best.table.sheet,
                    m=len(best.pairs) + len(best.new),
                )
            )
    return best, skipped


def _header_of(key: str) -> str:
    return next(c.header for c in RESULT_COLUMNS if c.key == key)


def import_results(
    unit: Unit,
    index_code: str,
    year: int,
    path: str | Path,
    *,
    data: bytes | None = None,
    actor_id: int | None = None,
    dry_run: bool = False,
) -> ResultsPlan:
    """Store the province's scores for `year`, per criterion; where the rubric is estimated, replace the estimate
    with the table's criteria; set the scores as last year's scores of next year's rubric; propose checklist
    items from the points lost. Refuses the whole file on any bad row; a dry run gives the same plan and writes
    nothing."""
    with service_transaction(dry_run=dry_run):
        plan = _store_results(unit, index_code, year, path, data=data, actor_id=actor_id)
    return plan


def _store_results(
    unit: Unit, index_code: str, year: int, path: str | Path, *, data: bytes | None, actor_id: int | None
) -> ResultsPlan:
    source = Path(path).name
    index, following = find_indices(unit, index_code, year)
    criteria = _criteria_in_order(index)
    estimated = is_estimated(list(criteria))
    reading, skipped = _choose_sheet(source, read_results_sheets(path, data), index, criteria, estimated)
    table = reading.table
    threshold = index.deviation_threshold_percent
    templates = load_templates()
    problems: list[str] = []
    unmatched: list[str] = []
    label = f"{index.code} {index.year}"
    for row in reading.unmatched:
        name = row.code or row.title
        unmatched.append(
            _(
                "%(where)s: criterion %(code)s does not exist in %(index)s; correct the STT, code or title",
                where=_where(source, row),
                code=repr(row.code),
                index=label,
            )
            if row.code
            else _(
                "%(where)s: no criterion of %(index)s is titled %(title)s; correct the title or add the code",
                where=_where(source, row),
                index=label,
                title=repr(name),
            )
            if name
            else _(
                "%(where)s: scores without a criterion code or title; fill the STT and the title",
                where=_where(source, row),
            )
        )
    for row, candidates in reading.ambiguous:
        problems.append(
            _(
                "%(where)s: the title %(title)s fits several criteria (%(codes)s); add the code",
                where=_where(source, row),
                title=repr(row.title),
                codes=", ".join(c.code for c in candidates),
            )
        )
    seen: dict[int, int] = {}
    parsed = []
    entries = [(row, criterion, how, confidence) for row, criterion, how, confidence in reading.pairs]
    entries += [(row, None, "new", 1.0) for row in reading.new]
    entries.sort(key=lambda entry: entry[0].number)  # the table's order
    for row, criterion, how, confidence in entries:
        where = _where(source, row)
        scores = {}
        for key in SCORE_KEYS:
            try:
                scores[key] = number(row.values.get(key))
            except ValueError:
                problems.append(
                    _(
                        "%(where)s, column %(column)s: %(value)s is not a number; write it as 15,84 or 15.84",
                        where=where,
                        column=table.column(key),
                        value=repr(row.values[key]),
                    )
                )
                scores[key] = None
        if criterion is not None:
            if criterion.id in seen:
                problems.append(
                    _(
                        "%(where)s: criterion %(code)s is also on row %(other)s; keep one row per criterion",
                        where=where,
                        code=criterion.code,
                        other=seen[criterion.id],
                    )
                )
                continue
            seen[criterion.id] = row.number
        code = criterion.code if criterion is not None else row.code
        final = scores["final"] if scores["final"] is not None else scores["appraised"]
        if final is None:
            column = table.column("final") if "final" in table.columns else table.column("appraised")
            problems.append(
                _(
                    "%(where)s: criterion %(code)s has no score: fill column %(column)s",
                    where=where,
                    code=code,
                    column=column,
                )
            )
            continue
        maximum = scores["max"] if scores["max"] is not None else (criterion.max_points if criterion else None)
        if maximum is None:  # a criterion the estimated rubric lacks: the table must give its maximum
            if row.values.get("max") is None:
                problems.append(
                    _(
                        "%(where)s: %(code)s %(title)s is a new criterion of the rubric: fill its maximum (Điểm tối đa)",
                        where=where,
                        code=code,
                        title=row.title or "",
                    )
                )
            continue
        if criterion is not None and scores["max"] is not None and scores["max"] != criterion.max_points:
            if criterion.points_estimated:
                pass  # the real maximum replaces the estimate (below, once the whole file is read)
            elif index.year == year:
                problems.append(
                    _(
                        "%(where)s, column %(column)s: criterion %(code)s has max %(file)s in the file but %(rubric)s "
                        "in %(index)s; correct the file or the rubric",
                        where=where,
                        column=table.column("max"),
                        code=criterion.code,
                        file=_vn(scores["max"]),
                        rubric=_vn(criterion.max_points),
                        index=label,
                    )
                )
        for key in ("self", "appraised", "final"):
            value = scores[key]
            if value is None:
                continue
            column = table.column(key)
            if value < 0:
                problems.append(
                    _(
                        "%(where)s, column %(column)s: score %(value)s of criterion %(code)s is below 0",
                        where=where,
                        column=column,
                        value=_vn(value),
                        code=code,
                    )
                )
            elif value > maximum:
                problems.append(
                    _(
                        "%(where)s, column %(column)s: score %(value)s of criterion %(code)s is above its maximum "
                        "%(max)s",
                        where=where,
                        column=column,
                        value=_vn(value),
                        code=code,
                        max=_vn(maximum),
                    )
                )
        parsed.append((row, criterion, scores, final, maximum, how, confidence))
    problems = unmatched + problems
    if problems:
        raise ResultsRefused(problems)
    if not parsed:
        raise ResultsRefused(
            [_("%(file)s: no row under the header names a criterion of %(index)s", file=source, index=label)]
        )

    plan = ResultsPlan(index=label, year=year, sheet=table.sheet, skipped_sheets=skipped)
    plan.sum_warnings = sum_problems(table, _, lambda row: _where(source, row))
    for row, criterion, scores, *_rest in parsed:  # the table's maxima are real: they replace estimated ones
        if criterion is not None and criterion.points_estimated and scores["max"] is not None:
            if scores["max"] != criterion.max_points:
                plan.max_changes.append(
                    {
                        "code": row.code or criterion.code,
                        "title": criterion.title,
                        "before": _num(criterion.max_points),
                        "after": _num(scores["max"]),
                    }
                )
            criterion.max_points = scores["max"]
            criterion.points_estimated = False
    if estimated:
        try:
            replaced, created = replace_estimate(
                index,
                {c.id: row for row, c, *_rest in parsed if c is not None},
                [row for row, c, *_rest in parsed if c is None],
                reading.areas,
                lambda row: _where(source, row),
                actor_id,
            )
        except RubricRefused as refused:
            raise ResultsRefused(refused.problems) from None
        plan.rubric = replaced.to_dict() if replaced else None
        parsed = [(row, c or created[row.number], *rest) for row, c, *rest in parsed]
        criteria = _criteria_in_order(index)
    published = None
    for row in table.rows:
        if row.total:
            published = row.score("final") if row.score("final") is not None else row.score("appraised")

    result_set = db.session.execute(
        select(ResultSet).where(ResultSet.index_id == index.id, ResultSet.year == year)
    ).scalar_one_or_none()
    if result_set is None:
        result_set = ResultSet(unit_id=unit.id, index=index, year=year, final_total=Decimal(0))
        db.session.add(result_set)
    stored = {r.criterion_id: r for r in result_set.rows}
    kept = set()
    for position, (row, criterion, scores, final, maximum, how, confidence) in enumerate(parsed):
        note = row.values.get("note")
        note = str(note).strip() if note is not None else None
        old = stored.get(criterion.id)
        if old is not None and old.note == note and any(c.get("corrected") for c in old.causes):
            causes = old.causes  # corrected by hand, and the note did not change: keep the correction
        else:
            causes = [{"type": c.type, "text": c.text, "corrected": False} for c in read_causes(note, templates)]
            if final < maximum and not causes:
                causes = [{"type": templates.no_note, "text": "", "corrected": False}]
        values = {
            "max_points": maximum,
            "self_score": scores["self"],
            "appraised_score": scores["appraised"],
            "final_score": final,
            "note": note,
            "causes": causes,
            "position": position,
        }
        before = (
            None
            if old is None
            else {k: getattr(old, k) for k in ("self_score", "appraised_score", "final_score", "note")}
        )
        if old is None:
            old = CriterionResult(result_set=result_set, criterion=criterion, **values)
            db.session.add(old)
        else:
            for name, value in values.items():
                setattr(old, name, value)
        kept.add(criterion.id)
        after = {k: getattr(old, k) for k in ("self_score", "appraised_score", "final_score", "note")}
        plan.rows.append(
            {
                "row": row.number,
                "sheet": row.sheet,
                "stt": row.stt,
                "match": how,
                "confidence": confidence,
                "code": criterion.code,
                "title": criterion.title,
                "max": _num(maximum),
                "self": _num(scores["self"]),
                "appraised": _num(scores["appraised"]),
                "final": _num(final),
                "lost": _num(max(maximum - final, Decimal(0))),
                "note": note,
                "deviates": deviates(scores["self"], scores["appraised"], threshold),
                "causes": [c["type"] for c in causes],
                "change": "new" if before is None else ("unchanged" if before == after else "changed"),
                "before": None
                if before is None or before == after
                else {
                    "self": _num(before["self_score"]),
                    "appraised": _num(before["appraised_score"]),
                    "final": _num(before["final_score"]),
                },
            }
        )
    for criterion_id, old in stored.items():
        if criterion_id not in kept:
            result_set.rows.remove(old)
    plan.missing = [c.code for c in criteria if c.id not in kept and c.applicable]

    finals = [final for _r, _c, _s, final, *_x in parsed]
    selfs = [s["self"] for _r, _c, s, *_x in parsed if s["self"] is not None]
    appraised = [s["appraised"] for _r, _c, s, *_x in parsed if s["appraised"] is not None]
    result_set.final_total = sum(finals, Decimal(0))
    result_set.published_total = published
    result_set.self_total = sum(selfs, Decimal(0)) if selfs else None
    result_set.appraised_total = sum(appraised, Decimal(0)) if appraised else None
    penalised = deviates(result_set.self_total, result_set.appraised_total, threshold)
    result_set.deviation_penalty = index.deviation_penalty_points if penalised else Decimal(0)
    result_set.source = source[:300]
    result_set.imported_by_id = actor_id
    result_set.imported_at = utcnow()
    db.session.flush()
    plan.totals = {
        "max": _num(sum((p[4] for p in parsed), Decimal(0))),
        "final": _num(result_set.final_total),
        "published": _num(published),
        "self": _num(result_set.self_total),
        "appraised": _num(result_set.appraised_total),
        "deviation_penalty": _num(result_set.deviation_penalty),
        "threshold_percent": _num(threshold),
        "lost": _num(sum((max(p[4] - p[3], Decimal(0)) for p in parsed), Decimal(0))),
    }
    if following is not None:
        plan.last_year_changes = carry_scores(result_set, following)
        plan.proposals_target = f"{following.code} {following.year}"
        plan.proposals = len(generate_proposals(result_set))
    plan.result_set_id = result_set.id
    audit.record(
        "results.import",
        unit_id=unit.id,
        actor_id=actor_id,
        object_type="result_set",
        object_id=result_set.id,
        data={
            "index": plan.index,
            "year": year,
            "source": source,
            "rows": len(plan.rows),
            "final_total": plan.totals["final"],
            "deviation_penalty": plan.totals["deviation_penalty"],
            "proposals": plan.proposals,
        },
    )
    return plan


def carry_scores(result_set: ResultSet, following: Index, only: set[str] | None = None) -> list[dict]:
    """Set the results as last year's scores of next year's rubric (criteria matched by code; an area's score
    when every scored criterion of it has one; the index's published total). Returns what changed."""
    finals = {r.criterion.code: r.final_score for r in result_set.rows if only is None or r.criterion.code in only}
    changes = []
    for area in following.areas:
        for criterion in area.criteria:
            new = finals.get(criterion.code)
            if (
                new is None
                or not criterion.applicable
                or new > criterion.max_points
                or criterion.last_year_score == new
            ):
                continue
            changes.append({"code": criterion.code, "before": _num(criterion.last_year_score), "after": _num(new)})
            criterion.last_year_score = new
        scored = [c for c in area.criteria if c.applicable]
        if scored and all(c.last_year_score is not None for c in scored):
            total = sum((c.last_year_score for c in scored), Decimal(0))
            if area.last_year_score != total:
                changes.append(
                    {"code": f"area {area.code}", "before": _num(area.last_year_score), "after": _num(total)}
                )
                area.last_year_score = total
    total = result_set.published_total if result_set.published_total is not None else result_set.final_total
    if following.last_year_score != total or following.last_year != result_set.year:
        changes.append({"code": "total", "before": _num(following.last_year_score), "after": _num(total)})
        following.last_year, following.last_year_score = result_set.year, total
    db.session.flush()
    return changes


def _proposal_key(cause_type: str, template_key: str, title: str) -> str:
    """What a proposal asks for: its cause, its template and the document's title (without accents or case).
    The proposals of several criteria with one key and one owner are one proposal, serving those criteria."""
    return f"{cause_type}:{template_key}:{hashlib.sha256(fold(title).encode()).hexdigest()[:16]}"


def default_owner(criterion: Criterion, unit_id: int) -> Department | None:
    if criterion.department is not None:
        return criterion.department
    return (
        db.session.execute(select(Department).where(Department.unit_id == unit_id).order_by(Department.code))
        .scalars()
        .first()
    )


def following_index(result_set: ResultSet) -> Index | None:
    """Next year's rubric of the results' index: where the proposals go."""
    return db.session.execute(
        select(Index).where(
            Index.unit_id == result_set.unit_id, Index.code == result_set.index.code, Index.year == result_set.year + 1
        )
    ).scalar_one_or_none()


def report_items(index: Index) -> list[tuple[Criterion, ChecklistItem]]:
    """The periodic reports of a rubric (items with a report deadline), with their criterion, in rubric order."""
    return list(
        db.session.execute(
            select(Criterion, ChecklistItem)
            .join(ChecklistItem, ChecklistItem.criterion_id == Criterion.id)
            .join(Area, Criterion.area_id == Area.id)
            .where(Criterion.index_id == index.id, ChecklistItem.report_deadline.is_not(None))
            .order_by(Area.position, Criterion.position, ChecklistItem.position)
        ).all()
    )


def _reports_for(target: Criterion, reports: list[tuple[Criterion, ChecklistItem]]) -> list[ReportItem]:
    """The new rubric's periodic reports as seen from a criterion: its own, its area's, the index's."""
    return [
        ReportItem(
            item.title,
            item.report_period or "",
            item.report_deadline,
            0 if criterion.id == target.id else 1 if criterion.area_id == target.area_id else 2,
        )
        for criterion, item in reports
        if item.report_deadline is not None
    ]


def index_causes(result_set: ResultSet) -> list[Cause]:
    """The causes of the whole index: the self-score deviation, when the index's total self-score is above its
    total appraised score by more than the index's threshold (the rule is on the total, never per criterion)."""
    index = result_set.index
    cause = index_deviation(
        result_set.self_total, result_set.appraised_total, index.deviation_threshold_percent, index.deviation_source
    )
    return [cause] if cause is not None else []


def _index_anchor(following: Index, rows: list[CriterionResult], templates: Templates) -> Criterion | None:
    """The criterion of next year's rubric an index-wide proposal is filed under: the one whose rubric names
    the cause (the bonus criterion "rà soát điểm tự chấm"), else the one whose note named it, else the first."""
    criteria = [c for a in following.areas for c in a.criteria if c.applicable]
    for criterion in criteria:
        if any(
            templates.index_scoped(c.get("type")) for c in criterion.loss_causes if c.get("type") in templates.causes
        ):
            return criterion
    by_code = {c.code: c for c in criteria}
    for row in rows:
        if row.criterion.code in by_code and any(
            c["type"] in templates.causes and templates.index_scoped(c["type"]) for c in row.causes
        ):
            return by_code[row.criterion.code]
    return criteria[0] if criteria else None


def generate_proposals(result_set: ResultSet, rows: list[CriterionResult] | None = None) -> list[Proposal]:
    """Proposed checklist items, on next year's rubric, for every criterion that lost points, one per document
    asked for (a key: cause, template, title); and one for each cause of the whole index (the self-score
    deviation), whichever criteria's notes name it. A late periodic report proposes the same report for next
    year's period, titled and due as next year's rubric has it. A proposal whose key exists already for the
    criterion (proposed, accepted or discarded) is not made again; an index-wide one, for the index."""
    following = following_index(result_set)
    if following is None:
        return []
    targets = {c.code: c for a in following.areas for c in a.criteria}
    existing = set(
        db.session.execute(
            select(Proposal.criterion_id, Proposal.key).where(
                Proposal.criterion_id.in_([c.id for c in targets.values()])
            )
        ).all()
    )
    existing_keys = {key for _criterion, key in existing}
    templates = load_templates()
    reports = report_items(following)
    made: list[Proposal] = []

    def add(target: Criterion, row: CriterionResult | None, item, owner: Department | None) -> None:
        key = _proposal_key(item.cause.type, item.template.key, item.title)
        if (target.id, key) in existing or (row is None and key in existing_keys):
            return
        existing.add((target.id, key))
        existing_keys.add(key)
        proposal = Proposal(
            unit_id=result_set.unit_id,
            criterion=target,
            criterion_result=row,
            key=key,
            cause_type=item.cause.type,
            cause_text="; ".join(dict.fromkeys(c.text for c in item.causes if c.text)),
            title=item.title,
            checks=item.checks,
            owner_department=owner,
            due_date=item.due,
            is_report=item.template.report,
        )
        db.session.add(proposal)
        made.append(proposal)

    index_wide: list[Cause] = index_causes(result_set)
    for row in rows if rows is not None else result_set.rows:
        target = targets.get(row.criterion.code)
        if row.points_lost <= 0 or target is None or not target.applicable:
            continue
        causes = [Cause(c["type"], c.get("text") or "") for c in row.causes if c["type"] in LOSS_CAUSE_TYPES]
        own = [c for c in causes if not templates.index_scoped(c.type)]
        index_wide += [c for c in causes if templates.index_scoped(c.type)]
        owner = default_owner(target, result_set.unit_id)
        for item in propose(
            own,
            criterion_title=target.title,
            year=following.year,
            assessment_date=following.assessment_date,
            index_name=following.code,
            reports=_reports_for(target, reports),
            templates=templates,
        ):
            add(target, row, item, owner)
    if rows is not None:  # a corrected row: the index's causes are those of every row
        index_wide += [
            Cause(c["type"], c.get("text") or "")
            for r in result_set.rows
            if r not in rows
            for c in r.causes
            if c["type"] in templates.causes and templates.index_scoped(c["type"])
        ]
    anchor = _index_anchor(following, list(result_set.rows), templates) if index_wide else None
    if anchor is not None:
        by_type: dict[str, list[Cause]] = {}
        for cause in index_wide:
            by_type.setdefault(cause.type, []).append(cause)
        for cause_type, causes in by_type.items():
            text = "; ".join(dict.fromkeys(c.text for c in causes if c.text))
            for item in propose(
                [Cause(cause_type, text)],
                criterion_title=anchor.title,
                year=following.year,
                assessment_date=following.assessment_date,
                index_name=following.code,
                templates=templates,
            ):
                add(anchor, None, item, default_owner(anchor, result_set.unit_id))
    db.session.flush()
    return made


class ProposalRefused(Refused):
    """A proposal that cannot be changed as asked; `field` names the input at fault."""

    def __init__(self, field: str, message):
        super().__init__(message, field=field)


def propose_from_results(result_set: ResultSet) -> list[Proposal]:
    """Propose checklist items again from imported results (nothing is proposed twice); one event if any."""
    made = generate_proposals(result_set)
    if made:
        audit.record(
            "results.propose",
            unit_id=result_set.unit_id,
            object_type="result_set",
            object_id=result_set.id,
            data={"year": result_set.year, "proposals": [p.id for p in made]},
        )
    db.session.commit()
    return made


@dataclass
class MergedProposal:
    """One document asked for: the proposals of every criterion it serves (same key, owner and state), the
    first in rubric order leading (its fields are the group's)."""

    proposals: list[Proposal]

    @property
    def lead(self) -> Proposal:
        return self.proposals[0]

    @property
    def criteria(self) -> list[Criterion]:
        return [p.criterion for p in self.proposals]

    @property
    def index_wide(self) -> bool:
        return self.lead.criterion_result_id is None and load_templates().index_scoped(self.lead.cause_type)

    @property
    def causes(self) -> list[str]:
        return list(dict.fromkeys(p.cause_text for p in self.proposals if p.cause_text))

    @property
    def in_rubric(self) -> list[ChecklistItem]:
        """Items of the criteria served that ask for the same document already (the rubric's own report of
        that period, say): accepting uses them rather than making a second one."""
        found = (same_document(c, self.lead.title) for c in self.criteria)
        return [i for i in found if i is not None]


def merge_proposals(proposals: list[Proposal]) -> list[MergedProposal]:
    """Proposals grouped by what they ask for (key), who provides it (owner) and their state — decided ones
    by the decision that decided them together —, in the order given (the rubric's)."""
    groups: dict[tuple, MergedProposal] = {}
    for p in proposals:
        decision = None if p.state == ProposalState.proposed.value else (p.decided_by_id, p.decided_at)
        groups.setdefault((p.key, p.owner_department_id, p.state, decision), MergedProposal([])).proposals.append(p)
    return list(groups.values())


def siblings(proposal: Proposal) -> list[Proposal]:
    """The proposal and the others it is merged with (same key, owner and state, on the same index), in rubric
    order."""
    criterion = proposal.criterion
    rows = (
        db.session.execute(
            select(Proposal)
            .join(Criterion, Proposal.criterion_id == Criterion.id)
            .join(Area, Criterion.area_id == Area.id)
            .where(
                Proposal.unit_id == proposal.unit_id,
                Proposal.key == proposal.key,
                Proposal.state == proposal.state,
                Criterion.index_id == criterion.index_id,
                Proposal.owner_department_id.is_(None)
                if proposal.owner_department_id is None
                else Proposal.owner_department_id == proposal.owner_department_id,
            )
            .order_by(Area.position, Criterion.position, Proposal.id)
        )
        .scalars()
        .all()
    )
    return rows if proposal.state == ProposalState.proposed.value else [proposal]


def decide_proposal(
    proposal: Proposal,
    action: str,
    actor_id: int | None,
    *,
    title: str = "",
    checks: str = "",
    owner: Department | None = None,
    due: date | None = None,
) -> list[ChecklistItem]:
    """An administrator's decision on a proposal and every criterion's proposal merged with it: "discard"
    them, "save" their fields, or "accept" them (save, then make each a checklist item of its criterion, which
    are returned). One transaction: a refusal leaves the proposals as they were."""
    items: list[ChecklistItem] = []
    with service_transaction():
        group = siblings(proposal)
        if action == "discard":
            discard_proposal(group, actor_id)
        else:
            update_proposal(group, actor_id, title=title, checks=checks, owner=owner, due=due)
            if action == "accept":
                items = accept_proposal(group, actor_id)
    return items


def update_proposal(
    group: list[Proposal],
    actor_id: int | None,
    *,
    title: str,
    checks: str,
    owner: Department | None,
    due: date | None,
) -> None:
    """Save an administrator's edits of a (merged) proposal — the proposals of every criterion it serves, as
    `siblings` gives them —; what changed (old → new) goes into the audit trail."""
    lead = group[0]
    if any(p.state != ProposalState.proposed.value for p in group):
        raise ProposalRefused("state", _l("only a proposal not yet decided can be edited"))
    title, checks = (title or "").strip(), (checks or "").strip()
    if not title:
        raise ProposalRefused("title", _l("enter a title"))
    if not checks:
        raise ProposalRefused("checks", _l("say what the appraiser checks"))
    if owner is not None and owner.unit_id != lead.unit_id:
        raise ProposalRefused("owner", _l("choose a department of this unit"))
    before = _proposal_fields(lead)
    for proposal in group:
        proposal.title, proposal.checks, proposal.owner_department, proposal.due_date = title[:500], checks, owner, due
    after = _proposal_fields(lead)
    changed = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    if changed:
        audit.record(
            "proposal.update",
            unit_id=lead.unit_id,
            actor_id=actor_id,
            object_type="proposal",
            object_id=lead.id,
            data={
                "criterion": lead.criterion.code,
                "criteria": [p.criterion.code for p in group],
                "proposals": [p.id for p in group],
                "changed": changed,
            },
        )


def _proposal_fields(proposal: Proposal) -> dict[str, str | None]:
    owner = proposal.owner_department
    return {
        "title": proposal.title,
        "checks": proposal.checks,
        "owner": owner.code if owner is not None else None,
        "due": proposal.due_date.isoformat() if proposal.due_date else None,
    }


def proposal_report_period(proposal: Proposal) -> str | None:
    """The period of a proposed periodic report, as next year's rubric writes it ("9 tháng năm 2025"): the
    period its title names (else its cause), looked up in the rubric; None for other proposals."""
    if not proposal.is_report:
        return None
    criterion = proposal.criterion
    index = db.session.get(Index, criterion.index_id)
    periods = report_periods(proposal.title) or report_periods(proposal.cause_text)
    period = periods[0] if periods else None
    report = same_report(period, _reports_for(criterion, report_items(index)))
    if report is not None and report.period:
        return report.period
    name = period_name(period, index.year)
    return name[:1].upper() + name[1:]


def same_document(criterion: Criterion, title: str) -> ChecklistItem | None:
    """The criterion's checklist item that asks for the document titled so already (accents, case and spacing
    ignored): the rubric's own report of that period, say."""
    folded = fold(title)
    return next((i for i in criterion.items if fold(i.title) == folded), None)


def accept_proposal(group: list[Proposal], actor_id: int | None) -> list[ChecklistItem]:
    """Make a (merged) proposal live in each criterion it serves: the criterion's item that asks for that
    document already (none is made twice), else a new checklist item `<INDEX>-<criterion>-r<n>`; one document
    uploaded once can then be linked to each. Returns the items, made or found."""
    lead = group[0]
    if any(p.state != ProposalState.proposed.value for p in group):
        raise ProposalRefused("state", _l("this proposal was already decided"))
    if lead.owner_department is None:
        raise ProposalRefused("owner", _l("choose the department that provides it"))
    if lead.due_date is None:
        raise ProposalRefused("due", _l("enter a due date"))
    taken = set(db.session.execute(select(ChecklistItem.code).where(ChecklistItem.unit_id == lead.unit_id)).scalars())
    items, made = [], []
    for proposal in group:
        criterion = proposal.criterion
        item = same_document(criterion, proposal.title)
        if item is None:
            index = db.session.get(Index, criterion.index_id)
            n = 1
            while f"{index.code}-{criterion.code}-r{n}" in taken:
                n += 1
            taken.add(f"{index.code}-{criterion.code}-r{n}")
            item = ChecklistItem(
                unit_id=proposal.unit_id,
                criterion=criterion,
                code=f"{index.code}-{criterion.code}-r{n}",
                title=proposal.title,
                checks=proposal.checks,
                position=len(criterion.items),
                owner_department=proposal.owner_department,
                due_date=proposal.due_date,
                weight=Decimal(1),
                report_period=proposal_report_period(proposal),
                report_deadline=proposal.due_date if proposal.is_report else None,
                origin="proposal",
            )
            db.session.add(item)
            made.append(item)
        proposal.item = item
        items.append(item)
    _decide(group, ProposalState.accepted, actor_id)
    db.session.flush()
    audit.record(
        "proposal.accept",
        unit_id=lead.unit_id,
        actor_id=actor_id,
        object_type="item",
        object_id=items[0].id,
        data={
            "proposal": lead.id,
            "proposals": [p.id for p in group],
            "item": items[0].code,
            "items": [i.code for i in items],
            "made": [i.code for i in made],
            "cause": lead.cause_type,
            "title": lead.title,
        },
    )
    return items


def discard_proposal(group: list[Proposal], actor_id: int | None) -> None:
    lead = group[0]
    if any(p.state != ProposalState.proposed.value for p in group):
        raise ProposalRefused("state", _l("this proposal was already decided"))
    _decide(group, ProposalState.discarded, actor_id)
    audit.record(
        "proposal.discard",
        unit_id=lead.unit_id,
        actor_id=actor_id,
        object_type="proposal",
        object_id=lead.id,
        data={
            "criterion": lead.criterion.code,
            "criteria": [p.criterion.code for p in group],
            "proposals": [p.id for p in group],
            "title": lead.title,
        },
    )


def _decide(group: list[Proposal], state: ProposalState, actor_id: int | None) -> None:
    """One decision on a (merged) proposal: the same decider and time on each of its criteria's proposals."""
    now = utcnow()
    for proposal in group:
        proposal.state = state.value
        proposal.decided_by_id = actor_id
        proposal.decided_at = now


def correct_causes(row: CriterionResult, causes: list[tuple[str, str]], actor_id: int | None) -> list[Proposal]:
    """Replace the causes read from a row's note by the administrator's; the proposals not yet decided for
    that row are made again from the corrected causes."""
    with service_transaction():
        made = _correct_causes(row, causes, actor_id)
    return made


def _correct_causes(row: CriterionResult, causes: list[tuple[str, str]], actor_id: int | None) -> list[Proposal]:
    for cause_type, _text in causes:
        if cause_type not in LOSS_CAUSE_TYPES:
            raise ProposalRefused("cause", _l("unknown cause %(cause)s", cause=cause_type))
    before = [c["type"] for c in row.causes]
    row.causes = [{"type": t, "text": text, "corrected": True} for t, text in causes]
    for proposal in db.session.execute(
        select(Proposal).where(Proposal.criterion_result_id == row.id, Proposal.state == ProposalState.proposed.value)
    ).scalars():
        db.session.delete(proposal)
    db.session.flush()
    made = generate_proposals(row.result_set, [row])
    audit.record(
        "results.causes",
        unit_id=row.result_set.unit_id,
        actor_id=actor_id,
        object_type="criterion_result",
        object_id=row.id,
        data={"criterion": row.criterion.code, "before": before, "after": [t for t, _ in causes]},
    )
    return made
