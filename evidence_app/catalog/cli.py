"""`minhchung catalog …`: validate, import and summarise catalogs."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from checklists import CatalogError, load_catalog

from ..auth.lookups import unit_or_fail, units_or_all
from ..extensions import db
from .models import Area, ChecklistItem, Criterion, Index

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
        click.echo(
            f"{path}: ok — {catalog.index.code} {catalog.index.year}, {len(catalog.areas)} areas, "
            f"{sum(1 for _ in catalog.criteria())} criteria, {sum(1 for _ in catalog.items())} checklist items"
        )
    if failed:
        raise SystemExit(1)


SHEET_SUFFIXES = (".xlsx", ".xlsm", ".csv")


def counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())


@catalog_cli.command("summary")
@click.option("--unit", "unit_code", help="Only this unit (default: every unit).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def summary_command(unit_code: str | None, as_json: bool) -> None:
    """Per index and area: maximum and last year's score."""
    units = units_or_all(unit_code)
    indices = (
        db.session.execute(
            select(Index)
            .where(Index.unit_id.in_([u.id for u in units]))
            .order_by(Index.unit_id, Index.code, Index.year)
            .options(selectinload(Index.areas), selectinload(Index.unit))
        )
        .scalars()
        .all()
    )
    if as_json:
        payload = {
            "indices": [
                {
                    "unit": index.unit.code,
                    "code": index.code,
                    "name": index.name,
                    "year": index.year,
                    "max_points": _number(index.max_points),
                    "last_year_score": _number(index.last_year_score),
                    "areas": [
                        {
                            "code": a.code,
                            "name": a.name,
                            "max_points": _number(a.max_points),
                            "last_year_score": _number(a.last_year_score),
                        }
                        for a in index.areas
                    ],
                }
                for index in indices
            ]
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for index in indices:
        click.echo(f"{index.unit.code} · {index.code} {index.year} — {index.name}")
        for a in index.areas:
            click.echo(f"  {a.code:>3}  {a.name[:60]:<60} {_fmt(a.last_year_score):>8} / {_fmt(a.max_points):<6}")
        area_total = sum((a.last_year_score or 0 for a in index.areas), 0)
        click.echo(
            f"       {'Total (published ' + _fmt(index.last_year_score) + ')':<60} {_fmt(area_total):>8} / {_fmt(index.max_points):<6}"
        )


def _fmt(value) -> str:
    return "—" if value is None else f"{_number(value)}"


@catalog_cli.command("items")
@click.option("--unit", "unit_code", required=True, help="The unit whose checklist to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def items_command(unit_code: str, as_json: bool) -> None:
    """Every checklist item of a unit: code, title, criterion, owner department, due date."""
    unit = unit_or_fail(unit_code)
    rows = db.session.execute(
        select(ChecklistItem, Criterion, Index)
        .join(Criterion, ChecklistItem.criterion_id == Criterion.id)
        .join(Area, Criterion.area_id == Area.id)
        .join(Index, Area.index_id == Index.id)
        .where(ChecklistItem.unit_id == unit.id)
        .order_by(Index.code, Index.year, Area.position, Criterion.position, ChecklistItem.position)
        .options(selectinload(ChecklistItem.owner_department))
    ).all()
    if as_json:
        payload = [
            {
                "code": item.code,
                "title": item.title,
                "index": index.code,
                "year": index.year,
                "criterion": criterion.code,
                "owner": item.owner_department.code,
                "owner_name": item.owner_department.name,
                "due": item.due_date.isoformat() if item.due_date else None,
                "report_deadline": item.report_deadline.isoformat() if item.report_deadline else None,
            }
            for item, criterion, index in rows
        ]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for item, _criterion, _index in rows:
        due = item.due_date.strftime("%d/%m/%Y") if item.due_date else "—"
        click.echo(f"{item.code:<18} {due:<10} {item.owner_department.code:<10} {item.title}")
