"""`minhchung catalog …`: validate, import and summarise catalogs."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from checklists import CatalogError, load_catalog

from ..auth.models import Unit, User
from ..extensions import db
from .models import Area, ChecklistItem, Criterion, Index
from .operations import ImportRefused, get_unit, import_catalog

catalog_cli = AppGroup("catalog", help="Validate, import and list the rubric (catalog files).")


def _number(value):
    """Decimals as JSON numbers: 86.34 stays 86.34, 17 stays 17."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@catalog_cli.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def validate_command(files: tuple[Path, ...]) -> None:
    """Check catalog FILES and list every problem in them."""
    failed = False
    for path in files:
        try:
            catalog = load_catalog(path)
        except CatalogError as exc:
            click.echo(exc.report(), err=True)
            failed = True
            continue
        click.echo(f"{path}: ok — {catalog.index.code} {catalog.index.year}, {len(catalog.areas)} areas, "
                   f"{sum(1 for _ in catalog.criteria())} criteria, {sum(1 for _ in catalog.items())} checklist items")
    if failed:
        raise SystemExit(1)


SHEET_SUFFIXES = (".xlsx", ".xlsm", ".csv")


@catalog_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--unit", "unit_code", required=True, help="The code of the unit (ward) the catalog is for.")
@click.option("--index", "index_code", help="Spreadsheets only: the index code (CCHC, QN-DTI).")
@click.option("--year", type=int, help="Spreadsheets only: the year of the rubric.")
@click.option("--name", help="Spreadsheets only: the index's name (default: last year's).")
@click.option("--assessment-date", help="Spreadsheets only: DD/MM/YYYY (default: last year's date, in this year).")
@click.option("--dry-run", is_flag=True, help="Show what would change, write nothing.")
@click.option("--relink-as", "relink_user", help="Relink the documents still valid from last year, as this user.")
def import_command(file: Path, unit_code: str, index_code: str | None, year: int | None, name: str | None,
                   assessment_date: str | None, dry_run: bool, relink_user: str | None) -> None:
    """Import (or update) the catalog in FILE (YAML, or the province's XLSX/CSV) for a unit. Importing the same
    file again changes nothing; next year's rubric becomes a new index, with the diff against last year's."""
    from ..cycle.carry import after_import, catalog_diff, previous_index, relink, with_history
    try:
        unit = get_unit(unit_code)
    except ImportRefused as exc:
        _refused(file, exc)
    try:
        if file.suffix.lower() in SHEET_SUFFIXES:
            catalog = _load_sheet(file, unit, index_code, year, name, assessment_date)
        else:
            catalog = load_catalog(file)
    except CatalogError as exc:
        click.echo(exc.report(), err=True)
        raise SystemExit(1)
    spec = catalog.index
    exists = db.session.execute(select(Index.id).where(Index.unit_id == unit.id, Index.code == spec.code,
                                                       Index.year == spec.year)).first() is not None
    previous = previous_index(unit, spec.code, spec.year)
    diff = catalog_diff(previous, catalog) if previous is not None else None
    carried = None
    if previous is not None:
        catalog, carried = with_history(catalog, unit, previous, diff)
    previous_year = previous.year if previous is not None else None
    try:
        result = import_catalog(catalog, unit, source=file.name)
        if carried is not None:
            after_import(result.index, previous, carried, {line.split(":")[0] for line in diff.repointed})
        offers = [f"{document.filename} → {item.code}" for document, item in carried.offers] if carried else []
        relinked = 0
        if carried is not None and relink_user and not dry_run:
            user = db.session.execute(select(User).where(User.username == relink_user, User.unit_id == unit.id)).scalar_one_or_none()
            if user is None:
                raise ImportRefused([f"user {relink_user!r} is not in unit {unit.code!r}"])
            relinked = relink(carried.offers, user)  # in the import's transaction
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except ImportRefused as exc:
        _refused(file, exc)
    verb = "created" if result.index_created else "updated"
    click.echo(f"{spec.code} {spec.year} {verb} in unit {unit.code}: "
               f"created {_counts(result.created)}; updated {_counts(result.updated)}; removed {_counts(result.removed)}")
    if diff is not None and not exists:
        click.echo(f"Against {diff.previous}: {len(diff.added)} added, {len(diff.removed)} removed, "
                   f"{len(diff.repointed)} re-pointed, {len(diff.points_changed)} with other points")
        for label, lines in (("added", diff.added), ("removed", diff.removed), ("re-pointed", diff.repointed),
                             ("points", diff.points_changed)):
            for line in lines:
                click.echo(f"  {label}: {line}")
        click.echo(f"History carried from the {previous_year} results: {carried.scores} last-year score(s), "
                   f"causes of {carried.causes} criteria; {carried.proposals} checklist item(s) proposed")
    if offers:
        click.echo(f"Documents still valid, offered for relinking: {len(offers)}")
        for line in offers:
            click.echo(f"  {line}")
        if relinked:
            click.echo(f"Relinked: {relinked} (waiting for review)")
        else:
            click.echo("  (relink them with --relink-as USERNAME)")
    if dry_run:
        click.echo("Dry run: nothing was written.")


def _refused(file: Path, exc: ImportRefused):
    db.session.rollback()
    for problem in exc.problems:
        click.echo(f"{file}: {problem}", err=True)
    click.echo(f"{file}: nothing was imported.", err=True)
    raise SystemExit(1)


def _load_sheet(file: Path, unit, index_code, year, name, assessment_date):
    from checklists.sheets import load_rubric_sheet
    from ..cycle.carry import sheet_info
    if not index_code or not year:
        raise click.UsageError("a spreadsheet needs --index CODE and --year YYYY (the sheet does not say them)")
    day = None
    if assessment_date:
        try:
            day = datetime.strptime(assessment_date, "%d/%m/%Y").date()
        except ValueError:
            raise click.UsageError(f"--assessment-date {assessment_date!r}: write it as DD/MM/YYYY")
    departments = {d.name: d.code for d in unit.departments}
    return load_rubric_sheet(file, sheet_info(unit, index_code.upper(), year, name, day), departments=departments)


@catalog_cli.command("export")
@click.option("--unit", "unit_code", required=True)
@click.option("--index", "index_code", required=True)
@click.option("--year", required=True, type=int)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "yaml"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(unit_code: str, index_code: str, year: int, fmt: str, out: Path) -> None:
    """Write an index back as a YAML catalog or as the province's spreadsheet; both import again."""
    from ..cycle.carry import to_xlsx, to_yaml
    unit = _units_for(unit_code)[0]
    index = db.session.execute(select(Index).where(Index.unit_id == unit.id, Index.code == index_code, Index.year == year)
                               ).scalar_one_or_none()
    if index is None:
        raise click.ClickException(f"unit {unit.code} has no index {index_code} {year}")
    out.write_bytes(to_xlsx(index) if fmt == "xlsx" else to_yaml(index))
    click.echo(f"{index.code} {index.year} written to {out}")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())


def _units_for(unit_code: str | None) -> list[Unit]:
    if unit_code:
        try:
            return [get_unit(unit_code)]
        except ImportRefused as exc:
            raise click.ClickException(exc.problems[0])
    return list(db.session.execute(select(Unit).order_by(Unit.code)).scalars())


@catalog_cli.command("summary")
@click.option("--unit", "unit_code", help="Only this unit (default: every unit).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def summary_command(unit_code: str | None, as_json: bool) -> None:
    """Per index and area: maximum and last year's score."""
    units = _units_for(unit_code)
    indices = db.session.execute(
        select(Index).where(Index.unit_id.in_([u.id for u in units])).order_by(Index.unit_id, Index.code, Index.year)
        .options(selectinload(Index.areas), selectinload(Index.unit))
    ).scalars().all()
    if as_json:
        payload = {"indices": [{
            "unit": index.unit.code, "code": index.code, "name": index.name, "year": index.year,
            "max_points": _number(index.max_points), "last_year_score": _number(index.last_year_score),
            "areas": [{"code": a.code, "name": a.name, "max_points": _number(a.max_points),
                       "last_year_score": _number(a.last_year_score)} for a in index.areas],
        } for index in indices]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for index in indices:
        click.echo(f"{index.unit.code} · {index.code} {index.year} — {index.name}")
        for a in index.areas:
            click.echo(f"  {a.code:>3}  {a.name[:60]:<60} {_fmt(a.last_year_score):>8} / {_fmt(a.max_points):<6}")
        area_total = sum((a.last_year_score or 0 for a in index.areas), 0)
        click.echo(f"       {'Total (published ' + _fmt(index.last_year_score) + ')':<60} {_fmt(area_total):>8} / {_fmt(index.max_points):<6}")


def _fmt(value) -> str:
    return "—" if value is None else f"{_number(value)}"


@catalog_cli.command("items")
@click.option("--unit", "unit_code", required=True, help="The unit whose checklist to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def items_command(unit_code: str, as_json: bool) -> None:
    """Every checklist item of a unit: code, title, criterion, owner department, due date."""
    unit = _units_for(unit_code)[0]
    rows = db.session.execute(
        select(ChecklistItem, Criterion, Index).join(Criterion, ChecklistItem.criterion_id == Criterion.id)
        .join(Area, Criterion.area_id == Area.id).join(Index, Area.index_id == Index.id)
        .where(ChecklistItem.unit_id == unit.id)
        .order_by(Index.code, Index.year, Area.position, Criterion.position, ChecklistItem.position)
        .options(selectinload(ChecklistItem.owner_department))
    ).all()
    if as_json:
        payload = [{
            "code": item.code, "title": item.title, "index": index.code, "year": index.year,
            "criterion": criterion.code, "owner": item.owner_department.code, "owner_name": item.owner_department.name,
            "due": item.due_date.isoformat() if item.due_date else None,
            "report_deadline": item.report_deadline.isoformat() if item.report_deadline else None,
        } for item, criterion, index in rows]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for item, criterion, index in rows:
        due = item.due_date.strftime("%d/%m/%Y") if item.due_date else "—"
        click.echo(f"{item.code:<18} {due:<10} {item.owner_department.code:<10} {item.title}")
