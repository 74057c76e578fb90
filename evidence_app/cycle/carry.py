"""Carrying the rubric into a new year: the diff against last year's index, last year's results as the history
of the criteria whose codes persist, the documents still valid offered for relinking; and the rubric written
back as YAML or as the province's spreadsheet."""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml
from sqlalchemy import select

from checklists.loader import PUBLISHED_TOTAL_TOLERANCE, CatalogError, Problem, parse_catalog
from checklists.model import Catalog, LastYear, LossCause
from checklists.rollover import catalog_mapping, is_stand_in, roll_text, roll_to_year
from checklists.sheets import (
    INDEX_SHEET,
    ITEMS_SHEET,
    IndexInfo,
    default_assessment_date,
    index_rows,
    item_rows,
    load_rubric_sheet,
    next_year_date,
    plain_numbers,
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


@dataclass(frozen=True)
class Pair:
    """A criterion of the new rubric and the one of last year's it continues: the same code and title, or the
    same title (without accents, case and spacing) under another code or in another area."""

    code: str
    area: str
    title: str
    max_points: Decimal
    old_code: str
    old_area: str
    old_max: Decimal

    @property
    def moved(self) -> bool:
        return (self.code, self.area) != (self.old_code, self.old_area)


@dataclass
class CatalogDiff:
    previous: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    repointed: list[str] = field(default_factory=list)  # same code, another criterion (another title)
    points_changed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # another code or another area, found by its title
    pairs: list[Pair] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)  # filled by with_history: each score carried, and how

    @property
    def repointed_codes(self) -> set[str]:
        return {line.split(":")[0] for line in self.repointed}


def catalog_diff(previous: Index, catalog: Catalog) -> CatalogDiff:
    """What changed from last year's index: criteria added, removed, moved (another code or area, the same
    title), re-pointed (the same code for another criterion), with other points; and the pairs that carry last
    year's results."""
    old = {c.code: c for a in previous.areas for c in a.criteria}
    years = catalog.index.year - previous.year

    def same(title: str) -> str:  # last year's title as this year's would say it ("… năm 2024" → "… năm 2025")
        return fold(roll_text(title, years, previous.year))

    by_title: dict[str, list[Criterion]] = {}
    for c in old.values():
        by_title.setdefault(same(c.title), []).append(c)
    new = [(area.code, c) for area in catalog.areas for c in area.criteria]
    diff = CatalogDiff(previous=f"{previous.code} {previous.year}")
    matched: dict[str, Criterion] = {}
    for _area, c in new:  # first the codes that keep their criterion
        before = old.get(c.code)
        if before is not None and same(before.title) == fold(c.title):
            matched[c.code] = before
    taken = {b.code for b in matched.values()}
    for _area, c in new:  # then the titles, when exactly one criterion of last year's not yet taken has it
        if c.code in matched:
            continue
        candidates = [b for b in by_title.get(fold(c.title), []) if b.code not in taken]
        if len(candidates) == 1:
            matched[c.code] = candidates[0]
            taken.add(candidates[0].code)
    for area_code, c in new:
        before = matched.get(c.code)
        if before is None:
            if c.code in old:
                prior = old[c.code]
                diff.repointed.append(f"{c.code}: «{prior.title}» ({prior.area.code}) → «{c.title}» ({area_code})")
            else:
                diff.added.append(f"{c.code} {c.title}")
            continue
        pair = Pair(c.code, area_code, c.title, c.max_points, before.code, before.area.code, before.max_points)
        diff.pairs.append(pair)
        if pair.moved:
            diff.moved.append(
                f"{before.code} (nội dung {before.area.code}) → {c.code} (nội dung {area_code}): «{c.title}»"
            )
        if before.max_points != c.max_points:
            diff.points_changed.append(f"{c.code}: {before.max_points} → {c.max_points}")
    repointed_codes = diff.repointed_codes
    diff.removed = [f"{code} {c.title}" for code, c in old.items() if code not in taken and code not in repointed_codes]
    return diff


@dataclass
class Carried:
    scores: int = 0
    causes: int = 0
    proposals: int = 0
    converted: int = 0
    offers: list[tuple[Document, ChecklistItem]] = field(default_factory=list)
    result_set: ResultSet | None = None
    codes: set[str] = field(default_factory=set)  # last year's codes whose results carried under the same code
    mapping: dict[str, str] = field(default_factory=dict)  # last year's code → this year's, for every pair (diff)


def _last_results(unit: Unit, code: str, year: int) -> ResultSet | None:
    return db.session.execute(
        select(ResultSet)
        .join(Index, ResultSet.index_id == Index.id)
        .where(ResultSet.unit_id == unit.id, Index.code == code, ResultSet.year == year)
    ).scalar_one_or_none()


CENT = Decimal("0.01")


def carried_score(score: Decimal, old_max: Decimal, new_max: Decimal) -> tuple[Decimal, str | None]:
    """Last year's score in the new rubric's terms: as it was when the maximum is the same, else scaled to the
    new maximum (to 0.01, never above it), with the note that says so and by which factor."""
    if old_max == new_max or old_max <= 0:
        return min(score, new_max), None
    factor = new_max / old_max
    value = min(new_max, (score * factor).quantize(CENT, rounding=ROUND_HALF_UP))
    note = (
        f"Đã quy đổi: {_vn(score)}/{_vn(old_max)} điểm × {_vn(new_max)}/{_vn(old_max)} "
        f"(hệ số {_vn(factor.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP))}) = {_vn(value)}/{_vn(new_max)}"
    )
    return value, note


def _vn(value: Decimal) -> str:
    """A number as Vietnamese write it: 14,5 · 0,9231 · 12."""
    text = format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))
    return text.replace(".", ",")


def with_history(catalog: Catalog, unit: Unit, previous: Index, diff: CatalogDiff) -> tuple[Catalog, Carried]:
    """The catalog with last year's history filled in where the file gives none (or only a stand-in), for every
    criterion that continues one of last year's (`diff.pairs`: the same code and title, or the same title under
    another code or area): the final score of the results imported for `previous.year`, converted to the new
    maximum when it changed and marked so, the causes; then the areas' and the index's totals. Done on the data
    before the import, so that importing the same file again changes nothing. Each score carried is listed in
    `diff.carried`."""
    carried = Carried(mapping={p.old_code: p.code for p in diff.pairs})
    result_set = _last_results(unit, catalog.index.code, previous.year)
    if result_set is None:
        return catalog, carried
    rows = {r.criterion.code: r for r in result_set.rows}
    pairs = {p.code: p for p in diff.pairs if p.old_code in rows}
    carried.result_set = result_set
    carried.codes = {p.old_code for p in pairs.values() if p.old_code == p.code}
    areas = []
    for area in catalog.areas:
        criteria = []
        touched = False
        for c in area.criteria:
            pair = pairs.get(c.code)
            if pair is not None and c.applicable:
                row = rows[pair.old_code]
                if c.last_year_score is None or is_stand_in(c.last_year_note):
                    score, note = carried_score(row.final_score, row.max_points, c.max_points)
                    if pair.moved:
                        where = f"Năm {result_set.year}: tiêu chí {pair.old_code} (nội dung {pair.old_area})"
                        note = f"{where}; {note[0].lower()}{note[1:]}" if note else where
                    c = replace(c, last_year_score=score, last_year_note=note)
                    carried.scores += 1
                    carried.converted += row.max_points != c.max_points
                    touched = True
                    diff.carried.append(
                        f"{c.code}: {_vn(row.final_score)}/{_vn(row.max_points)} → {_vn(score)}/{_vn(c.max_points)}"
                        + (f" ({note})" if note else "")
                    )
                if not c.loss_causes and row.points_lost > 0 and row.causes:
                    c = replace(c, loss_causes=tuple(LossCause(x["type"], x.get("text") or "—") for x in row.causes))
                    carried.causes += 1
            criteria.append(c)
        scored = [c for c in criteria if c.applicable]
        if (area.last_year_score is None or touched) and scored and all(c.last_year_score is not None for c in scored):
            area = replace(area, last_year_score=sum((c.last_year_score for c in scored), Decimal(0)))
        areas.append(replace(area, criteria=tuple(criteria)))
    index = catalog.index
    if index.last_year is None:
        published = result_set.published_total if result_set.published_total is not None else result_set.final_total
        totals = [a.last_year_score for a in areas]
        carried_total = sum((t for t in totals if t is not None), Decimal(0))
        if None not in totals and abs(carried_total - published) > PUBLISHED_TOTAL_TOLERANCE:
            note = (
                f"Điểm công bố năm {result_set.year}: {_vn(published)}; theo bộ tiêu chí năm {index.year} "
                f"(đã quy đổi, bỏ tiêu chí không còn): {_vn(carried_total)}"
            )
            index = replace(index, last_year=LastYear(result_set.year, min(carried_total, index.max_points), note))
        else:
            index = replace(index, last_year=LastYear(result_set.year, published, None))
    return replace(catalog, index=index, areas=tuple(areas)), carried


def after_import(index: Index, previous: Index, carried: Carried) -> Carried:
    """Once the new index exists: the checklist items last year's causes call for, and the documents still
    valid offered for relinking (to the criterion each of last year's continues into)."""
    if carried.result_set is not None:
        rows = [r for r in carried.result_set.rows if r.criterion.code in carried.codes]
        carried.proposals = len(generate_proposals(carried.result_set, rows))
    carried.offers = relink_offers(index, previous, carried.mapping)
    return carried


def relink_offers(index: Index, previous: Index, mapping: dict[str, str]) -> list[tuple[Document, ChecklistItem]]:
    """Documents approved last year for a criterion that continues into the new rubric (`mapping`: last year's
    code → this year's, from the diff: the same criterion under its code or, found by its title, under
    another), still valid in the new year (no period, or a period ending in it or later), not yet linked
    there: each with the new item it fits (the item of the same title, else the criterion's first item)."""
    new_criteria = {c.code: c for a in index.areas for c in a.criteria if c.items}
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
        criterion = new_criteria.get(mapping.get(code, ""))
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


SHEET_SUFFIXES = (".xlsx", ".xlsm", ".csv")
MAX_RUBRIC_FILE_BYTES = 5 * 1024 * 1024


def load_rubric(
    filename: str,
    data: bytes,
    unit: Unit,
    *,
    index_code: str | None = None,
    year: int | None = None,
    name: str | None = None,
    assessment_date: date | None = None,
) -> Catalog:
    """A rubric file as a Catalog: YAML (FORMAT.md), or the province's spreadsheet, which does not say its index
    and year (given here) and whose departments are matched by name to the unit's. Raises CatalogError, every
    problem naming the file and the place in it."""
    if Path(filename).suffix.lower() in SHEET_SUFFIXES:
        if not index_code or not year:
            raise CatalogError(
                filename, [Problem("", "a spreadsheet needs the index code and the year (the sheet does not say them)")]
            )
        info = sheet_info(unit, index_code.upper(), year, name, assessment_date)
        departments = {d.name: d.code for d in unit.departments}
        return load_rubric_sheet(filename, info, data=data, departments=departments)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(
            filename, [Problem("", f"the file is not UTF-8 text (byte {exc.start}); save it as UTF-8")]
        ) from None
    return parse_catalog(text, source=filename)


def import_rubric(
    catalog: Catalog,
    unit: Unit,
    *,
    source: str,
    relink_as: User | None = None,
    dry_run: bool = False,
    actor_id: int | None = None,
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
        result = import_catalog(catalog, unit, source=source, actor_id=actor_id)
        if carried is not None and previous is not None and diff is not None:
            after_import(result.index, previous, carried)
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
                if item.requires_signature:
                    i["requires_signature"] = True
                if item.min_pages:
                    i["min_pages"] = item.min_pages
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


def to_yaml(index: Index, data: dict | None = None) -> bytes:
    data = catalog_data(index) if data is None else data
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


def rolled_data(index: Index, year: int) -> dict:
    """The index as the starting point of `year`'s rubric (checklists.rollover.roll_to_year), as the YAML
    mapping. Raises CatalogError when the stored index no longer passes the catalog's checks (a report stored
    before its source was recorded): the message names what to complete."""
    rolled = roll_to_year(parse_catalog(to_yaml(index).decode("utf-8"), source=f"{index.code} {index.year}"), year)
    return plain_numbers(catalog_mapping(rolled))  # type: ignore[return-value]


def to_xlsx(index: Index, data: dict | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    data = catalog_data(index) if data is None else data
    book = Workbook()
    sheet = book.active
    spec = data["index"]
    sheet.title = f"{spec['code']} {spec['year']}"[:31]
    sheet.append([f"{spec['name']} — năm {spec['year']}"])
    for row in rubric_rows(data):
        sheet.append(row)
    items = book.create_sheet(ITEMS_SHEET)
    for row in item_rows(data):
        items.append(row)
    about = book.create_sheet(INDEX_SHEET)
    for row in index_rows(data):
        about.append(row)
    for ws, header_row, widths in (
        (sheet, 2, (10, 60, 30, 12, 40, 60, 28, 12, 14, 40)),
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
