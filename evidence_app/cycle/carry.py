"""Carrying the rubric into a new year: the diff against last year's index, last year's results as the history
of the criteria whose codes persist, the documents still valid offered for relinking; and the rubric written
back as YAML or as the province's spreadsheet."""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import yaml
from sqlalchemy import select

from checklists.model import Catalog, LastYear, LossCause
from checklists.sheets import (
    INDEX_SHEET,
    ITEMS_SHEET,
    IndexInfo,
    default_assessment_date,
    index_rows,
    item_rows,
    next_year_date,
    rubric_rows,
)
from checklists.tables import fold

from ..auth.models import Unit, User
from ..catalog.models import ChecklistItem, Criterion, Index
from ..catalog.operations import ImportResult, import_catalog
from ..cells import keep_formulas_as_text
from ..evidence.models import Document, Evidence, EvidenceState
from ..evidence.operations import add_links
from ..extensions import db
from ..transactions import service_transaction
from .models import ResultSet
from .operations import generate_proposals


def previous_index(unit: Unit, code: str, year: int) -> Index | None:
    return db.session.execute(
        select(Index)
        .where(Index.unit_id == unit.id, Index.code == code, Index.year < year)
        .order_by(Index.year.desc())
        .limit(1)
    ).scalar_one_or_none()


def sheet_info(unit: Unit, code: str, year: int, name: str | None, assessment_date: date | None) -> IndexInfo:
    """What a spreadsheet does not say, from the options or else from last year's index of the same code."""
    previous = previous_index(unit, code, year)
    sourced = previous is not None and bool(previous.deviation_source)
    return IndexInfo(
        code=code,
        year=year,
        name=name or (previous.name if previous else code),
        assessment_date=assessment_date
        or (next_year_date(previous.assessment_date, year) if previous else default_assessment_date(year)),
        # last year's penalty only with its source: without one, no penalty (a sheet's "Chỉ số" may give it)
        threshold_percent=previous.deviation_threshold_percent if sourced else Decimal(0),
        penalty_points=previous.deviation_penalty_points if sourced else Decimal(0),
        deviation_source=previous.deviation_source if sourced else None,
    )


@dataclass
class CatalogDiff:
    previous: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    repointed: list[str] = field(default_factory=list)  # same code, another criterion (title or area changed)
    points_changed: list[str] = field(default_factory=list)


def catalog_diff(previous: Index, catalog: Catalog) -> CatalogDiff:
    old = {c.code: c for a in previous.areas for c in a.criteria}
    new = {c.code: (area.code, c) for area in catalog.areas for c in area.criteria}
    diff = CatalogDiff(previous=f"{previous.code} {previous.year}")
    diff.added = [f"{code} {c.title}" for code, (_a, c) in new.items() if code not in old]
    diff.removed = [f"{code} {c.title}" for code, c in old.items() if code not in new]
    for code, (area_code, c) in new.items():
        before = old.get(code)
        if before is None:
            continue
        if fold(before.title) != fold(c.title) or before.area.code != area_code:
            diff.repointed.append(f"{code}: «{before.title}» ({before.area.code}) → «{c.title}» ({area_code})")
        elif before.max_points != c.max_points:
            diff.points_changed.append(f"{code}: {before.max_points} → {c.max_points}")
    return diff


@dataclass
class Carried:
    scores: int = 0
    causes: int = 0
    proposals: int = 0
    offers: list[tuple[Document, ChecklistItem]] = field(default_factory=list)
    result_set: ResultSet | None = None
    codes: set[str] = field(default_factory=set)


def _last_results(unit: Unit, code: str, year: int) -> ResultSet | None:
    return db.session.execute(
        select(ResultSet)
        .join(Index, ResultSet.index_id == Index.id)
        .where(ResultSet.unit_id == unit.id, Index.code == code, ResultSet.year == year)
    ).scalar_one_or_none()


def with_history(catalog: Catalog, unit: Unit, previous: Index, diff: CatalogDiff) -> tuple[Catalog, Carried]:
    """The catalog with last year's history filled in where the file gives none, for the criteria whose codes
    persist and still mean the same criterion: the final scores and causes of the results imported for
    `previous.year`, and the areas' and index's totals. Done on the data before the import, so that
    importing the same file again changes nothing."""
    carried = Carried()
    repointed = {line.split(":")[0] for line in diff.repointed}
    result_set = _last_results(unit, catalog.index.code, previous.year)
    if result_set is None:
        return catalog, carried
    rows = {r.criterion.code: r for r in result_set.rows if r.criterion.code not in repointed}
    carried.result_set, carried.codes = result_set, set(rows)
    areas = []
    for area in catalog.areas:
        criteria = []
        for c in area.criteria:
            row = rows.get(c.code)
            if row is not None and c.applicable:
                if c.last_year_score is None and row.final_score <= c.max_points:
                    c = replace(c, last_year_score=row.final_score)
                    carried.scores += 1
                if not c.loss_causes and row.points_lost > 0 and row.causes:
                    c = replace(c, loss_causes=tuple(LossCause(x["type"], x.get("text") or "—") for x in row.causes))
                    carried.causes += 1
            criteria.append(c)
        scored = [c for c in criteria if c.applicable]
        if area.last_year_score is None and scored and all(c.last_year_score is not None for c in scored):
            area = replace(area, last_year_score=sum((c.last_year_score for c in scored), Decimal(0)))
        areas.append(replace(area, criteria=tuple(criteria)))
    index = catalog.index
    if index.last_year is None:
        total = result_set.published_total if result_set.published_total is not None else result_set.final_total
        index = replace(index, last_year=LastYear(result_set.year, total, None))
    return replace(catalog, index=index, areas=tuple(areas)), carried


def after_import(index: Index, previous: Index, carried: Carried, repointed: set[str]) -> Carried:
    """Once the new index exists: the checklist items last year's causes call for, and the documents still
    valid offered for relinking."""
    if carried.result_set is not None:
        rows = [r for r in carried.result_set.rows if r.criterion.code in carried.codes]
        carried.proposals = len(generate_proposals(carried.result_set, rows))
    carried.offers = relink_offers(index, previous, repointed)
    return carried


def relink_offers(
    index: Index, previous: Index, exclude: set[str] = frozenset()
) -> list[tuple[Document, ChecklistItem]]:
    """Documents approved last year for a criterion whose code persists, still valid in the new year (no
    period, or a period ending in it or later), not yet linked there: each with the new item it fits (the
    item of the same title, else the criterion's first item)."""
    new_criteria = {c.code: c for a in index.areas for c in a.criteria if c.code not in exclude and c.items}
    start = date(index.year, 1, 1)
    rows = db.session.execute(
        select(Document, ChecklistItem, Criterion.code)
        .join(Evidence, Evidence.document_id == Document.id)
        .join(ChecklistItem, Evidence.item_id == ChecklistItem.id)
        .join(Criterion, ChecklistItem.criterion_id == Criterion.id)
        .where(
            Criterion.index_id == previous.id,
            Evidence.state == EvidenceState.approved.value,
            Document.deleted_at.is_(None),
            (Document.period_end.is_(None)) | (Document.period_end >= start),
        )
        .order_by(Criterion.code, Document.id)
    ).all()
    linked = set(
        db.session.execute(
            select(Evidence.document_id, Evidence.item_id)
            .join(ChecklistItem)
            .join(Criterion)
            .where(Criterion.index_id == index.id)
        ).all()
    )
    offers = []
    for document, old_item, code in rows:
        criterion = new_criteria.get(code)
        if criterion is None:
            continue
        target = next((i for i in criterion.items if fold(i.title) == fold(old_item.title)), criterion.items[0])
        if (document.id, target.id) not in linked and (document, target) not in offers:
            offers.append((document, target))
    return offers


def relink(offers: list[tuple[Document, ChecklistItem]], user: User) -> int:
    """Link each offered document to its new item (waiting for review again: a new year, a new decision), in the
    caller's transaction."""
    count = 0
    for document, item in offers:
        count += len(add_links(document, [item], user))
    return count


# ---- writing the rubric back
@dataclass
class RubricImport:
    """What importing a rubric did: the import's counts, the diff against last year's rubric and what was
    carried from last year's results (None without a previous year), the documents offered for relinking."""

    result: ImportResult
    existed: bool
    diff: CatalogDiff | None
    carried: Carried | None
    previous_year: int | None
    offers: list[str]
    relinked: int


def import_rubric(
    catalog: Catalog, unit: Unit, *, source: str, relink_as: User | None = None, dry_run: bool = False
) -> RubricImport:
    """Import (or update) a rubric for `unit` and carry last year's cycle into it: last year's scores and causes,
    proposals, and the documents still valid (relinked as `relink_as`, else only offered). One transaction:
    commits, or rolls back for a dry run and on ImportRefused."""
    spec = catalog.index
    existed = (
        db.session.execute(
            select(Index.id).where(Index.unit_id == unit.id, Index.code == spec.code, Index.year == spec.year)
        ).first()
        is not None
    )
    previous = previous_index(unit, spec.code, spec.year)
    diff = catalog_diff(previous, catalog) if previous is not None else None
    carried = None
    with service_transaction(dry_run=dry_run):
        if previous is not None and diff is not None:
            catalog, carried = with_history(catalog, unit, previous, diff)
        result = import_catalog(catalog, unit, source=source)
        if carried is not None and previous is not None and diff is not None:
            after_import(result.index, previous, carried, {line.split(":")[0] for line in diff.repointed})
        offers = [f"{document.filename} → {item.code}" for document, item in carried.offers] if carried else []
        relinked = relink(carried.offers, relink_as) if carried is not None and relink_as and not dry_run else 0
    return RubricImport(result, existed, diff, carried, previous.year if previous else None, offers, relinked)


def catalog_data(index: Index) -> dict:
    """An index as the YAML catalog mapping (FORMAT.md): importing it again changes nothing."""
    departments = {}
    areas = []
    for area in index.areas:
        criteria = []
        for c in area.criteria:
            if c.department:
                departments[c.department.code] = c.department.name
            entry = {"code": c.code, "title": c.title, "max_points": _n(c.max_points)}
            if c.points_estimated:
                entry["points_estimated"] = True
            if c.last_year_score is not None:
                entry["last_year_score"] = _n(c.last_year_score)
            if c.last_year_note:
                entry["last_year_note"] = c.last_year_note
            if c.department:
                entry["department"] = c.department.code
            entry["rule"] = {"type": c.rule_type, **(c.rule_params or {})}
            if c.loss_causes:
                entry["loss_causes"] = [
                    {"type": lc["type"], "text": lc["text"]} for lc in c.loss_causes if lc.get("text")
                ]
                if not entry["loss_causes"]:
                    del entry["loss_causes"]
            items = []
            for item in c.items:
                departments[item.owner_department.code] = item.owner_department.name
                i = {"code": item.code, "title": item.title, "checks": item.checks, "owner": item.owner_department.code}
                if item.due_date and item.due_date != item.report_deadline:
                    i["due"] = item.due_date
                if item.weight != 1:
                    i["weight"] = _n(item.weight)
                if item.report_deadline:
                    i["report"] = {"period": item.report_period}
                    if item.report_cutoff:
                        i["report"]["cutoff"] = item.report_cutoff
                    i["report"]["deadline"] = item.report_deadline
                    # a report stored before its source was recorded: the import asks for one (FORMAT.md)
                    i["report"]["source"] = item.report_source
                items.append(i)
            if items:
                entry["items"] = items
            criteria.append(entry)
        a = {"code": area.code, "name": area.name, "max_points": _n(area.max_points)}
        if area.last_year_score is not None:
            a["last_year_score"] = _n(area.last_year_score)
        if area.loss_causes:
            a["loss_causes"] = list(area.loss_causes)
        a["criteria"] = criteria
        areas.append(a)
    spec = {
        "code": index.code,
        "name": index.name,
        "year": index.year,
        "max_points": _n(index.max_points),
        "assessment_date": index.assessment_date,
        "deviation": {
            "threshold_percent": _n(index.deviation_threshold_percent),
            "penalty_points": _n(index.deviation_penalty_points),
            **({"source": index.deviation_source} if index.deviation_source else {}),
        },
    }
    if index.last_year is not None and index.last_year_score is not None:
        spec["last_year"] = {"year": index.last_year, "score": _n(index.last_year_score)}
        if index.last_year_note:
            spec["last_year"]["note"] = index.last_year_note
    if index.source:
        spec["source"] = index.source
    return {
        "format": 1,
        "departments": [{"code": k, "name": v} for k, v in sorted(departments.items())],
        "index": spec,
        "areas": areas,
    }


def _n(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def to_yaml(index: Index) -> bytes:
    return yaml.safe_dump(catalog_data(index), allow_unicode=True, sort_keys=False).encode("utf-8")


def to_xlsx(index: Index) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    data = catalog_data(index)
    book = Workbook()
    sheet = book.active
    sheet.title = f"{index.code} {index.year}"[:31]
    sheet.append([f"{index.name} — năm {index.year}"])
    for row in rubric_rows(data):
        sheet.append(row)
    items = book.create_sheet(ITEMS_SHEET)
    for row in item_rows(data):
        items.append(row)
    about = book.create_sheet(INDEX_SHEET)
    for row in index_rows(data):
        about.append(row)
    for ws, header_row, widths in (
        (sheet, 2, (10, 60, 30, 12, 40, 60, 28, 12, 14)),
        (items, 1, (10, 22, 50, 50, 28, 12, 9, 20, 14, 14, 60)),
        (about, 1, (45, 60)),
    ):
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
        for row in ws.iter_rows(min_row=header_row + 1):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for letter, width in zip("ABCDEFGHIJK", widths):
            ws.column_dimensions[letter].width = width
    keep_formulas_as_text(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
