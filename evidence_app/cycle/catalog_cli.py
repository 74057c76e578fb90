"""`minhchung catalog import` and `catalog export`: importing a rubric starts or updates a cycle (the diff against
last year's, the history carried, documents relinked), so these commands live with the cycle; they are
registered in the `catalog` group (evidence_app/cli.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from sqlalchemy import select

from checklists import CatalogError, load_catalog
from checklists.sheets import load_rubric_sheet

from ..auth.lookups import unit_or_fail, user_or_fail
from ..catalog.cli import SHEET_SUFFIXES, counts_text
from ..catalog.models import Index
from ..catalog.operations import ImportRefused
from ..dates import DAY
from ..extensions import db
from .carry import import_rubric, sheet_info, to_xlsx, to_yaml


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--unit", "unit_code", required=True, help="The code of the unit (ward) the catalog is for.")
@click.option("--index", "index_code", help="Spreadsheets only: the index code (CCHC, QN-DTI).")
@click.option("--year", type=int, help="Spreadsheets only: the year of the rubric.")
@click.option("--name", help="Spreadsheets only: the index's name (default: last year's).")
@click.option(
    "--assessment-date", type=DAY, help="Spreadsheets only: DD/MM/YYYY (default: last year's date, in this year)."
)
@click.option("--dry-run", is_flag=True, help="Show what would change, write nothing.")
@click.option("--relink-as", "relink_user", help="Relink the documents still valid from last year, as this user.")
def import_command(
    file: Path,
    unit_code: str,
    index_code: str | None,
    year: int | None,
    name: str | None,
    assessment_date: date | None,
    dry_run: bool,
    relink_user: str | None,
) -> None:
    """Import (or update) the catalog in FILE (YAML, or the province's XLSX/CSV) for a unit. Importing the same
    file again changes nothing; next year's rubric becomes a new index, with the diff against last year's."""
    try:
        unit = unit_or_fail(unit_code)
    except click.ClickException as exc:
        _refused(file, ImportRefused([exc.message]))
    try:
        if file.suffix.lower() in SHEET_SUFFIXES:
            catalog = _load_sheet(file, unit, index_code, year, name, assessment_date)
        else:
            catalog = load_catalog(file)
    except CatalogError as exc:
        click.echo(exc.report(), err=True)
        raise SystemExit(1)
    try:
        relink_as = user_or_fail(relink_user, unit) if relink_user else None
    except click.ClickException as exc:
        _refused(file, ImportRefused([exc.message]))
    try:
        done = import_rubric(catalog, unit, source=file.name, relink_as=relink_as, dry_run=dry_run)
    except ImportRefused as exc:
        _refused(file, exc)
    spec, result, diff, carried = catalog.index, done.result, done.diff, done.carried
    exists, previous_year, offers, relinked = done.existed, done.previous_year, done.offers, done.relinked
    verb = "created" if result.index_created else "updated"
    click.echo(
        f"{spec.code} {spec.year} {verb} in unit {unit.code}: "
        f"created {counts_text(result.created)}; updated {counts_text(result.updated)}; removed {counts_text(result.removed)}"
    )
    if diff is not None and not exists:
        click.echo(
            f"Against {diff.previous}: {len(diff.added)} added, {len(diff.removed)} removed, "
            f"{len(diff.repointed)} re-pointed, {len(diff.points_changed)} with other points"
        )
        for label, lines in (
            ("added", diff.added),
            ("removed", diff.removed),
            ("re-pointed", diff.repointed),
            ("points", diff.points_changed),
        ):
            for line in lines:
                click.echo(f"  {label}: {line}")
        click.echo(
            f"History carried from the {previous_year} results: {carried.scores} last-year score(s), "
            f"causes of {carried.causes} criteria; {carried.proposals} checklist item(s) proposed"
        )
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
    for problem in exc.problems:
        click.echo(f"{file}: {problem}", err=True)
    click.echo(f"{file}: nothing was imported.", err=True)
    raise SystemExit(1)


def _load_sheet(file: Path, unit, index_code, year, name, assessment_date):
    if not index_code or not year:
        raise click.UsageError("a spreadsheet needs --index CODE and --year YYYY (the sheet does not say them)")
    departments = {d.name: d.code for d in unit.departments}
    return load_rubric_sheet(
        file, sheet_info(unit, index_code.upper(), year, name, assessment_date), departments=departments
    )


@click.command("export")
@click.option("--unit", "unit_code", required=True)
@click.option("--index", "index_code", required=True)
@click.option("--year", required=True, type=int)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "yaml"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(unit_code: str, index_code: str, year: int, fmt: str, out: Path) -> None:
    """Write an index back as a YAML catalog or as the province's spreadsheet; both import again."""
    unit = unit_or_fail(unit_code)
    index = db.session.execute(
        select(Index).where(Index.unit_id == unit.id, Index.code == index_code, Index.year == year)
    ).scalar_one_or_none()
    if index is None:
        raise click.ClickException(f"unit {unit.code} has no index {index_code} {year}")
    out.write_bytes(to_xlsx(index) if fmt == "xlsx" else to_yaml(index))
    click.echo(f"{index.code} {index.year} written to {out}")
